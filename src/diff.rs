//! What changed between two decisions: `ocop diff OLD NEW`.
//!
//! A [`Diff`] compares two loaded decisions set by set and criterion by criterion, and the
//! decisions themselves (parts, bands, award levels, council rules, the transition, the
//! knock-outs every form shares). It is one model, serialised to JSON with serde and printed as
//! text by [`Diff::text`].
//!
//! **Matching.** Sets are matched by number and name, criteria by id and then by text, options
//! by text and then by key. Every match says what it rests on ([`Match`]): `identical` (the same
//! normalised text), `same_id` (the same number or key, with a different text) or
//! `similar(score)` (a different number or key, matched on the similarity of the texts alone).
//! Texts are compared normalised: lower case, words and the signs `<`, `>`, `≤`, `≥`, `=`, `%`,
//! `+` kept, other punctuation and spacing dropped. Similarity is the Dice coefficient of the
//! two texts' words (as a multiset), in hundredths; a criterion's similarity is the mean of its
//! title's and its options' (the options' texts taken together). Nothing here uses floating
//! point. The matching is greedy: identical pairs first, then pairs by descending similarity
//! (a shared number adds 10), each side matched at most once. See `docs/diff.md`.
//!
//! ```
//! let catalog = ocop_rating::Catalog::embedded()?;
//! let diff = ocop_rating::diff::diff(&catalog, "148-2023", "26-2026").map_err(|d| d.to_string())?;
//! let set = diff.sets.iter().find(|s| s.new_set.as_deref() == Some("01")).unwrap();
//! // 26/2026 adds "Vùng nguyên liệu được cấp chứng nhận chất lượng" as 1.2 of set 01.
//! assert!(set.added.iter().any(|c| c.id == "1.2"));
//! assert!(diff.text().contains("Set 01"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::catalog::Catalog;
use crate::diag::{Diagnostic, DiagnosticKind, did_you_mean, list_names};
use crate::doc::CriterionKind;
use crate::form::{Choice, Cond, Criterion, Decision, Form, Knockout};
use crate::points::Points;
use serde::{Serialize, Serializer};
use std::collections::BTreeMap;
use std::fmt;
use std::fmt::Write as _;

// ---------------------------------------------------------------------------------------------
// Text: normalisation and similarity

/// Signs kept as words when texts are normalised: they change what a text means (`<51%`, `≥ 51%`).
const SIGNS: &[char] = &['<', '>', '≤', '≥', '=', '%', '+'];

/// The words of a text, lower case, with the meaningful signs as words of their own.
pub(crate) fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() {
            word.extend(c.to_lowercase());
            continue;
        }
        if !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
        if SIGNS.contains(&c) {
            out.push(c.to_string());
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// A text normalised for comparison: its words (as the private `words` splits them) joined by
/// single spaces.
pub fn normalise(text: &str) -> String {
    words(text).join(" ")
}

/// The Dice similarity of two word lists taken as multisets, in hundredths (0–100).
pub(crate) fn dice(a: &[String], b: &[String]) -> u8 {
    if a.is_empty() && b.is_empty() {
        return 100;
    }
    let mut a: Vec<&str> = a.iter().map(String::as_str).collect();
    let mut b: Vec<&str> = b.iter().map(String::as_str).collect();
    a.sort_unstable();
    b.sort_unstable();
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let score = 200 * common / (a.len() + b.len());
    u8::try_from(score.min(100)).unwrap_or(100)
}

/// The share of `a`'s words found in `b` (each word of `b` used once), in hundredths.
pub(crate) fn containment(a: &[String], b: &[String]) -> u8 {
    if a.is_empty() {
        return 0;
    }
    let mut pool: Vec<&String> = b.iter().collect();
    let mut found = 0usize;
    for w in a {
        if let Some(i) = pool.iter().position(|x| *x == w) {
            pool.swap_remove(i);
            found += 1;
        }
    }
    u8::try_from(100 * found / a.len()).unwrap_or(100)
}

/// The similarity of two texts, in hundredths.
pub fn similarity(a: &str, b: &str) -> u8 {
    dice(&words(a), &words(b))
}

// ---------------------------------------------------------------------------------------------
// The model

/// What a match rests on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Match {
    /// The same normalised text (for a set: the same number and name).
    Identical,
    /// The same number (set), id (criterion) or key (option), with a different text.
    SameId,
    /// A different number, id or key: matched on the similarity of the texts alone (hundredths).
    Similar(u8),
}

impl Match {
    /// Whether the match rests on identical text.
    pub fn is_identical(self) -> bool {
        self == Match::Identical
    }
}

impl fmt::Display for Match {
    /// `identical`, `same_id`, `similar(0.83)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Match::Identical => f.write_str("identical"),
            Match::SameId => f.write_str("same_id"),
            Match::Similar(s) => write!(f, "similar({}.{:02})", s / 100, s % 100),
        }
    }
}

impl Serialize for Match {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// The kinds of change a diff reports; [`Diff::counts`] counts them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ChangeKind {
    // The decisions.
    /// The maximum total changed.
    TotalMaxChanged,
    /// A part was added.
    PartAdded,
    /// A part was removed.
    PartRemoved,
    /// A part's maximum changed.
    PartMaxChanged,
    /// A score band changed (added, removed or moved).
    BandChanged,
    /// A level of government got the power to award some classes.
    AwardLevelAdded,
    /// A level of government lost the power to award some classes.
    AwardLevelRemoved,
    /// The certificate's validity changed.
    CertificateMonthsChanged,
    /// The council's spread limit changed.
    SpreadLimitChanged,
    /// The council's quorum changed.
    QuorumChanged,
    /// The transition for dossiers of the superseded decision changed.
    TransitionChanged,
    /// A knock-out was added (to every form, or to one set's form).
    KnockoutAdded,
    /// A knock-out was removed.
    KnockoutRemoved,
    /// A knock-out's text or condition changed.
    KnockoutChanged,
    // The sets.
    /// A set of the new decision has no counterpart in the old.
    SetAdded,
    /// A set of the old decision has no counterpart in the new.
    SetRemoved,
    /// A set's name changed.
    SetRenamed,
    /// A set's number changed.
    SetRenumbered,
    /// A section was added.
    SectionAdded,
    /// A section was removed.
    SectionRemoved,
    /// A section's title changed.
    SectionRetitled,
    /// A section's maximum changed.
    SectionMaxChanged,
    /// A criterion was added.
    CriterionAdded,
    /// A criterion was removed.
    CriterionRemoved,
    // The criteria.
    /// A criterion's id changed within its section.
    Renumbered,
    /// A criterion moved to another section or part (its id changed with it).
    Moved,
    /// A criterion's title changed.
    Retitled,
    /// A criterion's maximum changed.
    MaxChanged,
    /// A criterion's kind changed (one pick, yes/no, cumulative).
    KindChanged,
    /// An option was added.
    OptionAdded,
    /// An option was removed.
    OptionRemoved,
    /// An option's text changed.
    OptionTextChanged,
    /// An option's key changed (it moved in the list).
    OptionRekeyed,
    /// An option's points changed.
    OptionPointsChanged,
    /// An option's star marker changed.
    MarkerChanged,
    /// What a class needs of the criterion changed (markers and minimum tables together).
    MinimumChanged,
    /// The criterion's `applies_if` condition changed (added, removed or different).
    ConditionChanged,
    /// The criterion's printed stop changed.
    StopChanged,
    /// The requirement printed on the criterion changed.
    RequirementChanged,
}

impl ChangeKind {
    /// The snake_case name used in JSON and in the counts.
    pub fn name(self) -> String {
        serde_json::to_value(self).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
    }
}

/// One change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Change {
    /// What kind of change.
    pub kind: ChangeKind,
    /// What it concerns, e.g. `option c`, `part A`, `knock-out falsified_dossier` (empty when
    /// it is the criterion or set itself).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub what: String,
    /// The old value, when there was one.
    pub old: Option<String>,
    /// The new value, when there is one.
    pub new: Option<String>,
}

impl Change {
    fn new(kind: ChangeKind, what: impl Into<String>, old: Option<String>, new: Option<String>) -> Change {
        Change { kind, what: what.into(), old, new }
    }
}

/// A criterion named in a diff (added or removed).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CriterionRef {
    /// The criterion's id.
    pub id: String,
    /// The printed title.
    pub title: String,
    /// The maximum.
    pub max: Points,
    /// Its part and section, e.g. `A.1`.
    pub section: String,
}

/// Two options matched, or one option alone (added or removed).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OptionPair {
    /// The old key.
    pub old: Option<String>,
    /// The new key.
    pub new: Option<String>,
    /// What the match rests on (none for an option added or removed).
    #[serde(rename = "match")]
    pub matched: Option<Match>,
}

/// Two criteria matched, with what changed between them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CriterionDiff {
    /// The old id.
    pub old: String,
    /// The new id.
    pub new: String,
    /// What the match rests on.
    #[serde(rename = "match")]
    pub matched: Match,
    /// The similarity of the two criteria, in hundredths (100 for identical text).
    pub similarity: u8,
    /// The old title.
    pub old_title: String,
    /// The new title.
    pub new_title: String,
    /// The options, matched.
    pub options: Vec<OptionPair>,
    /// What changed (empty when nothing did).
    pub changes: Vec<Change>,
}

/// One set compared: matched, added (no old set) or removed (no new set).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SetDiff {
    /// The old set's number.
    pub old_set: Option<String>,
    /// The new set's number.
    pub new_set: Option<String>,
    /// The old set's name.
    pub old_name: Option<String>,
    /// The new set's name.
    pub new_name: Option<String>,
    /// What the match rests on (none for a set added or removed).
    #[serde(rename = "match")]
    pub matched: Option<Match>,
    /// For a set removed: the new set whose name holds most of the old name's words, and the
    /// names' similarity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closest: Option<(String, u8)>,
    /// Changes of the set itself: name, number, sections, knock-outs.
    pub changes: Vec<Change>,
    /// Criteria of the new form with no counterpart in the old.
    pub added: Vec<CriterionRef>,
    /// Criteria of the old form with no counterpart in the new.
    pub removed: Vec<CriterionRef>,
    /// Every matched pair of criteria, in the new form's order, changed or not.
    pub criteria: Vec<CriterionDiff>,
    /// Changes by kind, this set only.
    pub counts: BTreeMap<ChangeKind, usize>,
}

impl SetDiff {
    /// The matched criteria whose match rests on each kind: identical, same id, similar.
    pub fn match_counts(&self) -> MatchCounts {
        let mut m = MatchCounts::default();
        for c in &self.criteria {
            m.add(c.matched);
        }
        m
    }
}

/// How many matches rest on each kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct MatchCounts {
    /// Identical text.
    pub identical: usize,
    /// The same id, a different text.
    pub same_id: usize,
    /// Similar text under a different id.
    pub similar: usize,
}

impl MatchCounts {
    fn add(&mut self, m: Match) {
        match m {
            Match::Identical => self.identical += 1,
            Match::SameId => self.same_id += 1,
            Match::Similar(_) => self.similar += 1,
        }
    }
}

/// The comparison of two decisions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diff {
    /// The old decision's key.
    pub old: String,
    /// The new decision's key.
    pub new: String,
    /// Remarks on the comparison itself (which version of a set was compared, …).
    pub notes: Vec<String>,
    /// Changes of the decisions: parts, bands, award levels, council, transition, shared knock-outs.
    pub decision: Vec<Change>,
    /// Every set, matched, added or removed: matched and added in the new decision's order, then
    /// the removed.
    pub sets: Vec<SetDiff>,
    /// Changes by kind, over the decisions and every set.
    pub counts: BTreeMap<ChangeKind, usize>,
    /// Matched criteria by what the match rests on, over every set.
    pub criteria_matched: MatchCounts,
}

// ---------------------------------------------------------------------------------------------
// Diffing decisions

/// Compares two decisions of `catalog` (keys or official numbers).
///
/// When a decision has several versions of a set (1048's set 26), the version in force last is
/// compared, and [`Diff::notes`] says so.
pub fn diff(catalog: &Catalog, old: &str, new: &str) -> Result<Diff, Diagnostic> {
    let (od, nd) = (find_decision(catalog, old, "OLD")?, find_decision(catalog, new, "NEW")?);
    let (old_forms, mut notes) = latest_forms(catalog.forms_of(od.key()), od.key());
    let (new_forms, new_notes) = latest_forms(catalog.forms_of(nd.key()), nd.key());
    notes.extend(new_notes);
    if !nd.supersedes().iter().any(|s| s == od.key()) {
        notes.push(format!("{} does not declare that it supersedes {}", nd.key(), od.key()));
    }
    let old_common = common_knockouts(&old_forms);
    let new_common = common_knockouts(&new_forms);
    let mut decision = decision_changes(od, nd);
    knockout_changes(&old_common, &new_common, &mut decision);

    let pairs = match_sets(&old_forms, &new_forms);
    let mut sets = Vec::new();
    for (ni, nf) in new_forms.iter().enumerate() {
        sets.push(match pairs.iter().find(|p| p.1 == ni) {
            Some(&(oi, _, m)) => matched_set(old_forms[oi], nf, m, &old_common, &new_common),
            None => added_set(nf),
        });
    }
    for (oi, of) in old_forms.iter().enumerate() {
        if !pairs.iter().any(|p| p.0 == oi) {
            sets.push(removed_set(of, &new_forms));
        }
    }
    let (counts, criteria_matched) = diff_counts(&decision, &sets);
    Ok(Diff {
        old: od.key().to_string(),
        new: nd.key().to_string(),
        notes,
        decision,
        sets,
        counts,
        criteria_matched,
    })
}

/// The decision `name` (key or official number) of `catalog`, or an error naming the valid ones
/// (`path`: the argument, `OLD` or `NEW`).
fn find_decision<'c>(catalog: &'c Catalog, name: &str, path: &str) -> Result<&'c Decision, Diagnostic> {
    catalog.decision(name).ok_or_else(|| {
        let keys: Vec<&str> = catalog.decisions().map(Decision::key).collect();
        Diagnostic::error(DiagnosticKind::UnknownReference, path, format!("unknown decision `{name}`"))
            .expected(format!("one of {}", list_names(&keys, 10)))
            .suggest_opt(did_you_mean(name, keys.iter().copied()))
    })
}

/// The diff of an old set and the new set matched to it (`m`); unless identical, a renumbering
/// and a renaming lead its changes.
fn matched_set(
    of: &Form,
    nf: &Form,
    m: Match,
    old_common: &[KnockoutKey],
    new_common: &[KnockoutKey],
) -> SetDiff {
    let mut s = diff_forms_with(of, nf, old_common, new_common);
    s.matched = Some(m);
    if m != Match::Identical {
        if of.set() != nf.set() {
            s.changes.insert(
                0,
                Change::new(
                    ChangeKind::SetRenumbered,
                    "",
                    Some(of.set().to_string()),
                    Some(nf.set().to_string()),
                ),
            );
        }
        if normalise(of.name_vi()) != normalise(nf.name_vi()) {
            s.changes.insert(
                0,
                Change::new(
                    ChangeKind::SetRenamed,
                    "",
                    Some(of.name_vi().to_string()),
                    Some(nf.name_vi().to_string()),
                ),
            );
        }
    }
    s.counts = count_set(&s);
    s
}

/// A new set that no old set matches: every criterion added.
fn added_set(nf: &Form) -> SetDiff {
    let mut s = lone_set(None, Some(nf));
    s.counts.insert(ChangeKind::SetAdded, 1);
    s.added = nf.leaves().map(|c| criterion_ref(nf, c)).collect();
    s
}

/// An old set that no new set matches: every criterion removed, and the closest new set named.
fn removed_set(of: &Form, new_forms: &[&Form]) -> SetDiff {
    let mut s = lone_set(Some(of), None);
    // The new set whose name holds most of the old name's words (a merged set has a longer
    // name, which the Dice similarity penalises).
    let old_words = words(of.name_vi());
    s.closest = new_forms
        .iter()
        .map(|nf| {
            let w = words(nf.name_vi());
            (containment(&old_words, &w), dice(&old_words, &w), nf.set().to_string())
        })
        .max_by_key(|(c, sim, set)| (*c, *sim, std::cmp::Reverse(set.clone())))
        .filter(|(c, _, _)| *c > 0)
        .map(|(_, sim, set)| (set, sim));
    s.counts.insert(ChangeKind::SetRemoved, 1);
    s.removed = of.leaves().map(|c| criterion_ref(of, c)).collect();
    s
}

/// The changes by kind over the decision and every set, and the matched criteria by what the
/// match rests on.
fn diff_counts(decision: &[Change], sets: &[SetDiff]) -> (BTreeMap<ChangeKind, usize>, MatchCounts) {
    let mut counts: BTreeMap<ChangeKind, usize> = BTreeMap::new();
    for c in decision {
        *counts.entry(c.kind).or_default() += 1;
    }
    let mut criteria_matched = MatchCounts::default();
    for s in sets {
        for (k, n) in &s.counts {
            *counts.entry(*k).or_default() += n;
        }
        for c in &s.criteria {
            criteria_matched.add(c.matched);
        }
    }
    (counts, criteria_matched)
}

/// Compares two forms (of any decisions): sections, knock-outs and every criterion. The result's
/// `matched` is the match of the two sets by number and name.
pub fn diff_forms(old: &Form, new: &Form) -> SetDiff {
    let mut s = diff_forms_with(old, new, &[], &[]);
    s.matched = Some(set_match(old, new).unwrap_or(Match::Similar(similarity(old.name_vi(), new.name_vi()))));
    s.counts = count_set(&s);
    s
}

/// The last version of each set (the one in force last), with a note for each set that has
/// several.
fn latest_forms<'a>(forms: &'a [Form], key: &str) -> (Vec<&'a Form>, Vec<String>) {
    let mut out: Vec<&Form> = Vec::new();
    let mut notes = Vec::new();
    for f in forms {
        match out.iter_mut().find(|x| x.set() == f.set()) {
            Some(slot) => {
                let later = f.in_force_from() > slot.in_force_from();
                let kept = if later { f } else { *slot };
                notes.push(format!(
                    "set {} of {key} has several versions; compared: {} (in force from {})",
                    f.set(),
                    kept.file().rsplit('/').next().unwrap_or(kept.file()),
                    kept.in_force_from().map_or_else(|| "the start".to_string(), |d| d.to_string())
                ));
                if later {
                    *slot = f;
                }
            }
            None => out.push(f),
        }
    }
    (out, notes)
}

/// Set pairs (old index, new index, match), matched greedily.
fn match_sets(old: &[&Form], new: &[&Form]) -> Vec<(usize, usize, Match)> {
    let mut candidates = Vec::new();
    for (i, o) in old.iter().enumerate() {
        for (j, n) in new.iter().enumerate() {
            let same_name = normalise(o.name_vi()) == normalise(n.name_vi());
            let sim = if same_name { 100 } else { similarity(o.name_vi(), n.name_vi()) };
            let same_number = o.set() == n.set();
            let accept = same_name || (same_number && sim >= 30) || sim >= 40;
            if accept {
                let rank = (same_name, u32::from(sim) + if same_number { 10 } else { 0 });
                candidates.push((rank, i.abs_diff(j), i, j, set_match(o, n).unwrap_or(Match::Similar(sim))));
            }
        }
    }
    candidates.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    greedy(candidates.into_iter().map(|(_, _, i, j, m)| (i, j, m)))
}

/// The match of two sets that share their number or their name; `None` when they share neither.
fn set_match(old: &Form, new: &Form) -> Option<Match> {
    let same_name = normalise(old.name_vi()) == normalise(new.name_vi());
    match (old.set() == new.set(), same_name) {
        (true, true) => Some(Match::Identical),
        (true, false) => Some(Match::SameId),
        (false, true) => Some(Match::Similar(100)),
        (false, false) => None,
    }
}

/// Takes candidate pairs in order, each side at most once.
fn greedy(candidates: impl Iterator<Item = (usize, usize, Match)>) -> Vec<(usize, usize, Match)> {
    let mut out: Vec<(usize, usize, Match)> = Vec::new();
    for (i, j, m) in candidates {
        if out.iter().all(|p| p.0 != i && p.1 != j) {
            out.push((i, j, m));
        }
    }
    out
}

fn lone_set(old: Option<&Form>, new: Option<&Form>) -> SetDiff {
    SetDiff {
        old_set: old.map(|f| f.set().to_string()),
        new_set: new.map(|f| f.set().to_string()),
        old_name: old.map(|f| f.name_vi().to_string()),
        new_name: new.map(|f| f.name_vi().to_string()),
        matched: None,
        closest: None,
        changes: Vec::new(),
        added: Vec::new(),
        removed: Vec::new(),
        criteria: Vec::new(),
        counts: BTreeMap::new(),
    }
}

fn count_set(s: &SetDiff) -> BTreeMap<ChangeKind, usize> {
    let mut counts: BTreeMap<ChangeKind, usize> = BTreeMap::new();
    for c in s.changes.iter().chain(s.criteria.iter().flat_map(|c| c.changes.iter())) {
        *counts.entry(c.kind).or_default() += 1;
    }
    if !s.added.is_empty() {
        counts.insert(ChangeKind::CriterionAdded, s.added.len());
    }
    if !s.removed.is_empty() {
        counts.insert(ChangeKind::CriterionRemoved, s.removed.len());
    }
    counts
}

fn criterion_ref(form: &Form, c: &Criterion) -> CriterionRef {
    CriterionRef {
        id: c.id().to_string(),
        title: c.title_vi().to_string(),
        max: c.max(),
        section: section_path(form, c),
    }
}

fn section_path(form: &Form, c: &Criterion) -> String {
    let section = form.section_of(c);
    let part = form.parts().get(section.part).map_or("?", |p| p.id());
    format!("{part}.{}", section.id())
}

// ---------------------------------------------------------------------------------------------
// Decision-level changes

fn decision_changes(old: &Decision, new: &Decision) -> Vec<Change> {
    let mut out = Vec::new();
    points_changes(old, new, &mut out);
    band_changes(old, new, &mut out);
    award_changes(old, new, &mut out);
    council_changes(old, new, &mut out);
    out
}

/// The total's maximum, and the parts added, removed or with another maximum.
fn points_changes(old: &Decision, new: &Decision, out: &mut Vec<Change>) {
    let p = |x: Points| Some(x.to_string());
    if old.total_max() != new.total_max() {
        out.push(Change::new(ChangeKind::TotalMaxChanged, "", p(old.total_max()), p(new.total_max())));
    }
    for (id, max) in new.parts() {
        match old.parts().iter().find(|(o, _)| o == id) {
            None => out.push(Change::new(ChangeKind::PartAdded, format!("part {id}"), None, p(*max))),
            Some((_, om)) if om != max => {
                out.push(Change::new(ChangeKind::PartMaxChanged, format!("part {id}"), p(*om), p(*max)))
            }
            Some(_) => {}
        }
    }
    for (id, max) in old.parts() {
        if !new.parts().iter().any(|(n, _)| n == id) {
            out.push(Change::new(ChangeKind::PartRemoved, format!("part {id}"), p(*max), None));
        }
    }
}

/// Each class whose band differs, in class order.
fn band_changes(old: &Decision, new: &Decision, out: &mut Vec<Change>) {
    let band = |d: &Decision, stars: u8| {
        d.bands().iter().find(|b| b.stars == stars).map(|b| {
            format!("{} to {} {}", b.from, if b.inclusive { "" } else { "below" }, b.upper).replace("  ", " ")
        })
    };
    let mut stars: Vec<u8> = old.bands().iter().chain(new.bands()).map(|b| b.stars).collect();
    stars.sort_unstable();
    stars.dedup();
    for s in stars {
        let (o, n) = (band(old, s), band(new, s));
        if o != n {
            out.push(Change::new(ChangeKind::BandChanged, format!("{s}★"), o, n));
        }
    }
}

/// The award levels added and removed, and the certificate's validity.
fn award_changes(old: &Decision, new: &Decision, out: &mut Vec<Change>) {
    let levels = |d: &Decision| -> Vec<String> { d.award_levels().iter().map(award_level_text).collect() };
    let (ol, nl) = (levels(old), levels(new));
    for l in nl.iter().filter(|l| !ol.contains(l)) {
        out.push(Change::new(ChangeKind::AwardLevelAdded, "", None, Some(l.clone())));
    }
    for l in ol.iter().filter(|l| !nl.contains(l)) {
        out.push(Change::new(ChangeKind::AwardLevelRemoved, "", Some(l.clone()), None));
    }
    if old.certificate_months() != new.certificate_months() {
        out.push(Change::new(
            ChangeKind::CertificateMonthsChanged,
            "",
            Some(old.certificate_months().to_string()),
            Some(new.certificate_months().to_string()),
        ));
    }
}

/// The council's spread limit and quorum, and the transition for dossiers already lodged.
fn council_changes(old: &Decision, new: &Decision, out: &mut Vec<Change>) {
    if old.spread_limit() != new.spread_limit() {
        out.push(Change::new(
            ChangeKind::SpreadLimitChanged,
            "",
            Some(old.spread_limit().to_string()),
            Some(new.spread_limit().to_string()),
        ));
    }
    let quorum = |d: &Decision| d.quorum.as_ref().map(|(n, m, _)| format!("{n}/{m}"));
    if quorum(old) != quorum(new) {
        out.push(Change::new(ChangeKind::QuorumChanged, "", quorum(old), quorum(new)));
    }
    let transition = |d: &Decision| {
        d.transition().map(|t| {
            format!(
                "lodged before {}: old rules within {} days ({} for re-evaluation) [{}]",
                t.lodged_before, t.first_rating_days, t.re_evaluation_days, t.source
            )
        })
    };
    if transition(old) != transition(new) {
        out.push(Change::new(ChangeKind::TransitionChanged, "", transition(old), transition(new)));
    }
}

fn award_level_text(l: &crate::form::AwardLevel) -> String {
    let stars: Vec<String> = l.stars.iter().map(|s| format!("{s}★")).collect();
    let mut text = format!("{} {}", l.level, stars.join(" "));
    if let Some(from) = l.from {
        let _ = write!(text, " from {from}");
    }
    if let Some(until) = l.until {
        let _ = write!(text, " until {until}");
    }
    text
}

/// A knock-out as compared: id, normalised text, and the text shown.
#[derive(Clone, Debug)]
struct KnockoutKey {
    id: String,
    norm: String,
    shown: String,
}

/// The knock-outs every form of a decision has (the decision's own), by id and text.
fn common_knockouts(forms: &[&Form]) -> Vec<KnockoutKey> {
    let Some(first) = forms.first() else { return Vec::new() };
    first
        .knockouts()
        .iter()
        .filter(|k| {
            forms.iter().all(|f| {
                f.knockouts()
                    .iter()
                    .any(|x| x.id() == k.id() && normalise(x.text_vi()) == normalise(k.text_vi()))
            })
        })
        .map(knockout_key)
        .collect()
}

fn knockout_key(k: &Knockout) -> KnockoutKey {
    KnockoutKey { id: k.id().to_string(), norm: normalise(k.text_vi()), shown: k.text_vi().to_string() }
}

/// Knock-outs added, removed and changed: matched by id, then by identical text.
fn knockout_changes(old: &[KnockoutKey], new: &[KnockoutKey], out: &mut Vec<Change>) {
    let mut used = vec![false; old.len()];
    for n in new {
        let found = old
            .iter()
            .enumerate()
            .find(|(i, o)| !used[*i] && o.id == n.id)
            .or_else(|| old.iter().enumerate().find(|(i, o)| !used[*i] && o.norm == n.norm));
        match found {
            Some((i, o)) => {
                used[i] = true;
                if o.norm != n.norm {
                    out.push(Change::new(
                        ChangeKind::KnockoutChanged,
                        format!("knock-out {}", n.id),
                        Some(o.shown.clone()),
                        Some(n.shown.clone()),
                    ));
                }
            }
            None => out.push(Change::new(
                ChangeKind::KnockoutAdded,
                format!("knock-out {}", n.id),
                None,
                Some(n.shown.clone()),
            )),
        }
    }
    for (o, _) in old.iter().zip(&used).filter(|(_, u)| !**u) {
        out.push(Change::new(
            ChangeKind::KnockoutRemoved,
            format!("knock-out {}", o.id),
            Some(o.shown.clone()),
            None,
        ));
    }
}

// ---------------------------------------------------------------------------------------------
// Forms

/// A leaf criterion prepared for matching.
struct Leaf<'f> {
    c: &'f Criterion,
    title: Vec<String>,
    /// For a criterion alone in its section: the section's title, which is also its title (a
    /// form may print "8. TÍNH ĐỘC ĐÁO" as the criterion, another "8.1 Chất lượng: …" under it).
    section_title: Option<Vec<String>>,
    options: Vec<String>,
    norm_title: String,
    norm_options: Vec<String>,
}

fn prepare(form: &Form) -> Vec<Leaf<'_>> {
    let alone = |c: &Criterion| form.leaves().filter(|x| x.section == c.section).count() == 1;
    form.leaves()
        .map(|c| {
            let opts = form.options(c);
            let words_of_options: Vec<String> = if c.kind() == CriterionKind::YesNo {
                Vec::new()
            } else {
                opts.iter().flat_map(|o| words(o.text_vi())).collect()
            };
            Leaf {
                c,
                title: words(&title_of(form, c)),
                section_title: alone(c).then(|| words(form.section_of(c).title_vi())),
                options: words_of_options,
                norm_title: normalise(&title_of(form, c)),
                norm_options: opts.iter().map(|o| normalise(o.text_vi())).collect(),
            }
        })
        .collect()
}

/// The title a criterion is compared on: its own, or for a section-level criterion ("7. DINH
/// DƯỠNG") the section's.
fn title_of(form: &Form, c: &Criterion) -> String {
    let t = c.title_vi();
    if t.trim().is_empty() { form.section_of(c).title_vi().to_string() } else { t.to_string() }
}

fn identical(a: &Leaf<'_>, b: &Leaf<'_>) -> bool {
    a.norm_title == b.norm_title && a.norm_options == b.norm_options && a.c.kind() == b.c.kind()
}

/// A criterion pair's similarity: the mean of the titles' (the best of the titles and, for a
/// criterion alone in its section, the section's title) and the options' (hundredths).
fn criterion_similarity(a: &Leaf<'_>, b: &Leaf<'_>) -> u8 {
    let titles = |l: &'_ Leaf<'_>| -> Vec<Vec<String>> {
        std::iter::once(l.title.clone()).chain(l.section_title.clone()).collect()
    };
    let (ta, tb) = (titles(a), titles(b));
    let t = ta.iter().flat_map(|x| tb.iter().map(move |y| dice(x, y))).max().unwrap_or(0);
    let o = if a.options.is_empty() || b.options.is_empty() { t } else { dice(&a.options, &b.options) };
    ((u16::from(t) + u16::from(o)) / 2) as u8
}

/// Criterion pairs (old leaf, new leaf, match, similarity), matched greedily.
pub(crate) fn match_criteria(old: &Form, new: &Form) -> Vec<(usize, usize, Match, u8)> {
    let (ol, nl) = (prepare(old), prepare(new));
    let mut candidates = Vec::new();
    for (i, o) in ol.iter().enumerate() {
        for (j, n) in nl.iter().enumerate() {
            let same_id = o.c.id() == n.c.id();
            let ident = identical(o, n);
            let sim = if ident { 100 } else { criterion_similarity(o, n) };
            if !(ident || (same_id && sim >= 30) || sim >= 50) {
                continue;
            }
            let m = if ident {
                Match::Identical
            } else if same_id {
                Match::SameId
            } else {
                Match::Similar(sim)
            };
            let rank = (ident, u32::from(sim) + if same_id { 10 } else { 0 });
            candidates.push((rank, i.abs_diff(j), i, j, m, sim));
        }
    }
    candidates.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut out: Vec<(usize, usize, Match, u8)> = Vec::new();
    for (_, _, i, j, m, sim) in candidates {
        if out.iter().all(|p| p.0 != i && p.1 != j) {
            out.push((i, j, m, sim));
        }
    }
    out.sort_by_key(|p| p.1);
    out
}

/// Option pairs of two matched criteria (old index, new index, match): identical text first,
/// then by similarity (a shared key adds 10).
pub(crate) fn match_options(old: &[Choice], new: &[Choice]) -> Vec<(usize, usize, Match)> {
    let ow: Vec<Vec<String>> = old.iter().map(|o| words(o.text_vi())).collect();
    let nw: Vec<Vec<String>> = new.iter().map(|o| words(o.text_vi())).collect();
    let mut candidates = Vec::new();
    for (i, o) in old.iter().enumerate() {
        for (j, n) in new.iter().enumerate() {
            let ident = ow[i] == nw[j];
            let same_key = o.key() == n.key();
            let sim = if ident { 100 } else { dice(&ow[i], &nw[j]) };
            if !(ident || (same_key && sim >= 25) || sim >= 50) {
                continue;
            }
            let m = if ident {
                Match::Identical
            } else if same_key {
                Match::SameId
            } else {
                Match::Similar(sim)
            };
            let rank = (ident, same_key && ident, u32::from(sim) + if same_key { 10 } else { 0 });
            candidates.push((rank, i.abs_diff(j), i, j, m));
        }
    }
    candidates.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut out = greedy(candidates.into_iter().map(|(_, _, i, j, m)| (i, j, m)));
    out.sort_by_key(|p| p.1);
    out
}

fn diff_forms_with(
    old: &Form,
    new: &Form,
    old_common: &[KnockoutKey],
    new_common: &[KnockoutKey],
) -> SetDiff {
    let mut s = lone_set(Some(old), Some(new));
    section_changes(old, new, &mut s.changes);
    let pairs = match_criteria(old, new);
    let old_leaves: Vec<&Criterion> = old.leaves().collect();
    let new_leaves: Vec<&Criterion> = new.leaves().collect();
    // Old leaf index -> new id, to compare conditions across a renumbering.
    let renamed = |old_leaf: usize| -> String {
        match pairs.iter().find(|p| p.0 == old_leaf) {
            Some(p) => new_leaves[p.1].id().to_string(),
            None => format!("{}(removed)", old_leaves[old_leaf].id()),
        }
    };
    // Knock-outs of the set: those that read no answer at set level, the others on their criteria.
    let is_common = |k: &Knockout, common: &[KnockoutKey]| {
        common.iter().any(|c| c.id == k.id() && c.norm == normalise(k.text_vi()))
    };
    let set_level = |f: &Form, common: &[KnockoutKey]| -> Vec<KnockoutKey> {
        f.knockouts()
            .iter()
            .filter(|k| !is_common(k, common) && reads(&k.when).is_empty())
            .map(knockout_key)
            .collect()
    };
    knockout_changes(&set_level(old, old_common), &set_level(new, new_common), &mut s.changes);

    for (j, n) in new_leaves.iter().enumerate() {
        let Some(&(i, _, m, sim)) = pairs.iter().find(|p| p.1 == j) else {
            s.added.push(criterion_ref(new, n));
            continue;
        };
        let o = old_leaves[i];
        let mut d = CriterionDiff {
            old: o.id().to_string(),
            new: n.id().to_string(),
            matched: m,
            similarity: sim,
            old_title: title_of(old, o),
            new_title: title_of(new, n),
            options: Vec::new(),
            changes: Vec::new(),
        };
        criterion_changes(old, o, i, new, n, j, &renamed, &mut d);
        s.criteria.push(d);
    }
    for (i, o) in old_leaves.iter().enumerate() {
        if !pairs.iter().any(|p| p.0 == i) {
            s.removed.push(criterion_ref(old, o));
        }
    }
    s
}

fn section_changes(old: &Form, new: &Form, out: &mut Vec<Change>) {
    let key = |f: &Form, s: &crate::form::Section| {
        format!("{}.{}", f.parts().get(s.part).map_or("?", |p| p.id()), s.id())
    };
    for ns in new.sections() {
        let nk = key(new, ns);
        match old.sections().iter().find(|os| key(old, os) == nk) {
            None => out.push(Change::new(
                ChangeKind::SectionAdded,
                format!("section {nk}"),
                None,
                Some(format!("{} (max {})", ns.title_vi(), ns.max())),
            )),
            Some(os) => {
                if normalise(os.title_vi()) != normalise(ns.title_vi()) {
                    out.push(Change::new(
                        ChangeKind::SectionRetitled,
                        format!("section {nk}"),
                        Some(os.title_vi().to_string()),
                        Some(ns.title_vi().to_string()),
                    ));
                }
                if os.max() != ns.max() {
                    out.push(Change::new(
                        ChangeKind::SectionMaxChanged,
                        format!("section {nk}"),
                        Some(os.max().to_string()),
                        Some(ns.max().to_string()),
                    ));
                }
            }
        }
    }
    for os in old.sections() {
        let ok = key(old, os);
        if !new.sections().iter().any(|ns| key(new, ns) == ok) {
            out.push(Change::new(
                ChangeKind::SectionRemoved,
                format!("section {ok}"),
                Some(format!("{} (max {})", os.title_vi(), os.max())),
                None,
            ));
        }
    }
}

/// The leaves a condition reads.
pub(crate) fn reads(cond: &Cond) -> Vec<usize> {
    let mut out = Vec::new();
    fn walk(c: &Cond, out: &mut Vec<usize>) {
        match c {
            Cond::Fact(_) => {}
            Cond::Answer { leaf, .. } => out.push(usize::from(*leaf)),
            Cond::All(items) | Cond::Any(items) => items.iter().for_each(|c| walk(c, out)),
            Cond::Not(inner) => walk(inner, out),
        }
    }
    walk(cond, &mut out);
    out
}

/// A condition as text, e.g. `5.1 not in [a, b, none]`, `fact unacceptable_impurities`; leaves
/// are named by `name`.
pub(crate) fn cond_text(form: &Form, cond: &Cond, name: &dyn Fn(usize) -> String) -> String {
    match cond {
        Cond::Fact(i) => format!("fact {}", form.facts().get(usize::from(*i)).map_or("?", |f| f.id())),
        Cond::Answer { leaf, mask, none, negate } => {
            let leaf = usize::from(*leaf);
            let mut keys: Vec<String> = form
                .leaves()
                .nth(leaf)
                .map(|c| {
                    form.options(c)
                        .iter()
                        .enumerate()
                        .filter(|(b, _)| mask >> b & 1 == 1)
                        .map(|(_, o)| o.key().to_string())
                        .collect()
                })
                .unwrap_or_default();
            if *none {
                keys.push("none".into());
            }
            format!("{} {} [{}]", name(leaf), if *negate { "not in" } else { "in" }, keys.join(", "))
        }
        Cond::All(items) => {
            let parts: Vec<String> = items.iter().map(|c| cond_text(form, c, name)).collect();
            format!("all({})", parts.join("; "))
        }
        Cond::Any(items) => {
            let parts: Vec<String> = items.iter().map(|c| cond_text(form, c, name)).collect();
            format!("any({})", parts.join("; "))
        }
        Cond::Not(inner) => format!("not({})", cond_text(form, inner, name)),
    }
}

/// What each class needs of a criterion (markers and minimum tables), e.g. `3★ ≥ 1 (a); 4★ ≥ 2 (b)`.
fn minimum_text(form: &Form, c: &Criterion) -> Option<String> {
    let mut per_class: BTreeMap<u8, (Points, String)> = BTreeMap::new();
    for m in form.minimums() {
        if form.minimum_criterion(m).id() != c.id() {
            continue;
        }
        let mut key = form.minimum_option(m).key().to_string();
        if let Some(from) = m.in_force_from() {
            let _ = write!(key, ", from {from}");
        }
        let slot = per_class.entry(m.stars()).or_insert((m.at_least(), key.clone()));
        if m.at_least() > slot.0 {
            *slot = (m.at_least(), key);
        }
    }
    if per_class.is_empty() {
        return None;
    }
    let parts: Vec<String> = per_class.iter().map(|(s, (p, k))| format!("{s}★ ≥ {p} ({k})")).collect();
    Some(parts.join("; "))
}

#[allow(clippy::too_many_arguments)]
fn criterion_changes(
    old: &Form,
    o: &Criterion,
    oi: usize,
    new: &Form,
    n: &Criterion,
    nj: usize,
    renamed: &dyn Fn(usize) -> String,
    d: &mut CriterionDiff,
) {
    heading_changes(old, o, new, n, &mut d.changes);
    option_changes(old, o, new, n, d);
    let (om, nm) = (minimum_text(old, o), minimum_text(new, n));
    if om != nm {
        d.changes.push(Change::new(ChangeKind::MinimumChanged, "", om, nm));
    }
    // Conditions, stops, requirements, knock-outs reading the answer: compared as text, the old
    // criteria named by their new ids.
    let new_name = |leaf: usize| new.leaves().nth(leaf).map_or_else(String::new, |c| c.id().to_string());
    let old_side = Side { form: old, criterion: o, leaf: oi, name: renamed };
    let new_side = Side { form: new, criterion: n, leaf: nj, name: &new_name };
    condition_changes(&old_side, &new_side, &mut d.changes);
}

/// A criterion's number (moved to another section, or renumbered in its own), title, max and
/// kind.
fn heading_changes(old: &Form, o: &Criterion, new: &Form, n: &Criterion, out: &mut Vec<Change>) {
    if o.id() != n.id() {
        let (os, ns) = (section_path(old, o), section_path(new, n));
        if os != ns {
            out.push(Change::new(
                ChangeKind::Moved,
                "",
                Some(format!("{} in {os}", o.id())),
                Some(format!("{} in {ns}", n.id())),
            ));
        } else {
            out.push(Change::new(
                ChangeKind::Renumbered,
                "",
                Some(o.id().to_string()),
                Some(n.id().to_string()),
            ));
        }
    }
    if normalise(&title_of(old, o)) != normalise(&title_of(new, n)) {
        out.push(Change::new(ChangeKind::Retitled, "", Some(title_of(old, o)), Some(title_of(new, n))));
    }
    if o.max() != n.max() {
        out.push(Change::new(
            ChangeKind::MaxChanged,
            "",
            Some(o.max().to_string()),
            Some(n.max().to_string()),
        ));
    }
    if o.kind() != n.kind() {
        out.push(Change::new(
            ChangeKind::KindChanged,
            "",
            Some(o.kind().name().to_string()),
            Some(n.kind().name().to_string()),
        ));
    }
}

/// The options matched, added (in the new order) and removed (in the old order).
fn option_changes(old: &Form, o: &Criterion, new: &Form, n: &Criterion, d: &mut CriterionDiff) {
    let (oo, no) = (old.options(o), new.options(n));
    let pairs = match_options(oo, no);
    for (j, nopt) in no.iter().enumerate() {
        match pairs.iter().find(|p| p.1 == j) {
            None => {
                d.options.push(OptionPair { old: None, new: Some(nopt.key().to_string()), matched: None });
                d.changes.push(Change::new(
                    ChangeKind::OptionAdded,
                    format!("option {}", nopt.key()),
                    None,
                    Some(option_text(nopt)),
                ));
            }
            Some(&(i, _, m)) => {
                let oopt = &oo[i];
                d.options.push(OptionPair {
                    old: Some(oopt.key().to_string()),
                    new: Some(nopt.key().to_string()),
                    matched: Some(m),
                });
                matched_option_changes(oopt, nopt, m, &mut d.changes);
            }
        }
    }
    for (i, oopt) in oo.iter().enumerate() {
        if !pairs.iter().any(|p| p.0 == i) {
            d.options.push(OptionPair { old: Some(oopt.key().to_string()), new: None, matched: None });
            d.changes.push(Change::new(
                ChangeKind::OptionRemoved,
                format!("option {}", oopt.key()),
                Some(option_text(oopt)),
                None,
            ));
        }
    }
}

/// What changed between an old option and the new one matched to it (`m`): key, text, points
/// and star marker.
fn matched_option_changes(oopt: &Choice, nopt: &Choice, m: Match, out: &mut Vec<Change>) {
    let what = format!("option {}", nopt.key());
    if oopt.key() != nopt.key() {
        out.push(Change::new(
            ChangeKind::OptionRekeyed,
            what.clone(),
            Some(oopt.key().to_string()),
            Some(nopt.key().to_string()),
        ));
    }
    if !m.is_identical() {
        out.push(Change::new(
            ChangeKind::OptionTextChanged,
            what.clone(),
            Some(oopt.text_vi().to_string()),
            Some(nopt.text_vi().to_string()),
        ));
    }
    if oopt.points() != nopt.points() {
        out.push(Change::new(
            ChangeKind::OptionPointsChanged,
            what.clone(),
            Some(oopt.points().to_string()),
            Some(nopt.points().to_string()),
        ));
    }
    if oopt.star() != nopt.star() {
        let star = |s: Option<u8>| s.map(|s| format!("{s}★"));
        out.push(Change::new(ChangeKind::MarkerChanged, what, star(oopt.star()), star(nopt.star())));
    }
}

/// One side of a criterion's comparison: its form, criterion and leaf, and how to name the
/// criteria its conditions read.
struct Side<'s> {
    form: &'s Form,
    criterion: &'s Criterion,
    leaf: usize,
    name: &'s dyn Fn(usize) -> String,
}

impl Side<'_> {
    /// A condition of this leaf (`None`: none) as text.
    fn gate(&self, cond: Option<&Option<Cond>>) -> Option<String> {
        cond.and_then(Option::as_ref).map(|c| cond_text(self.form, c, self.name))
    }

    /// The leaf's `applies_if` as text.
    fn applies_if(&self) -> Option<String> {
        self.gate(self.form.leaves.applies_if.get(self.leaf))
    }

    /// The leaf's stop as text: its condition, scope and note.
    fn stop(&self) -> Option<String> {
        let cond = self.form.leaves.stops.get(self.leaf);
        self.criterion.stop().map(|s| {
            format!(
                "when {} (scope {}): {}",
                self.gate(cond).unwrap_or_default(),
                s.scope().as_str(),
                s.note_vi()
            )
        })
    }

    /// The leaf's requirement as text, with when it is unmet.
    fn requirement(&self) -> Option<String> {
        let cond = self.form.leaves.requirement.get(self.leaf);
        self.criterion
            .requirement()
            .map(|r| format!("{} (unmet when {})", r.text_vi(), self.gate(cond).unwrap_or_default()))
    }

    /// The knock-outs whose condition reads this leaf's answer.
    fn knockouts_reading(&self) -> Vec<KnockoutKey> {
        let f = self.form;
        f.knockouts()
            .iter()
            .filter(|k| reads(&k.when).contains(&self.leaf))
            .map(|k| KnockoutKey {
                id: k.id().to_string(),
                norm: normalise(&format!("{} {}", k.text_vi(), cond_text(f, &k.when, self.name))),
                shown: format!("{} (when {})", k.text_vi(), cond_text(f, &k.when, self.name)),
            })
            .collect()
    }
}

/// The criterion's condition, stop, requirement and the knock-outs reading it, compared as
/// text.
fn condition_changes(old: &Side<'_>, new: &Side<'_>, out: &mut Vec<Change>) {
    let (og, ng) = (old.applies_if(), new.applies_if());
    if og != ng {
        out.push(Change::new(ChangeKind::ConditionChanged, "applies_if", og, ng));
    }
    let norm = |s: &Option<String>| s.as_deref().map(normalise);
    let (os, ns) = (old.stop(), new.stop());
    if norm(&os) != norm(&ns) {
        out.push(Change::new(ChangeKind::StopChanged, "stops", os, ns));
    }
    let (or, nr) = (old.requirement(), new.requirement());
    if norm(&or) != norm(&nr) {
        out.push(Change::new(ChangeKind::RequirementChanged, "requirement", or, nr));
    }
    knockout_changes(&old.knockouts_reading(), &new.knockouts_reading(), out);
}

fn option_text(o: &Choice) -> String {
    let star = o.star().map_or_else(String::new, |s| format!(" [{s}★]"));
    format!("{} ({} points{star}) {}", o.key(), o.points(), o.text_vi())
}

// ---------------------------------------------------------------------------------------------
// Narrowing and text output

impl Diff {
    /// The diff narrowed to one set: the sets whose old or new number is `set`; the counts are
    /// recomputed (the decisions' changes are kept).
    pub fn only_set(mut self, set: &str) -> Diff {
        self.sets.retain(|s| s.new_set.as_deref() == Some(set) || s.old_set.as_deref() == Some(set));
        let mut counts: BTreeMap<ChangeKind, usize> = BTreeMap::new();
        for c in &self.decision {
            *counts.entry(c.kind).or_default() += 1;
        }
        let mut matched = MatchCounts::default();
        for s in &self.sets {
            for (k, n) in &s.counts {
                *counts.entry(*k).or_default() += n;
            }
            for c in &s.criteria {
                matched.add(c.matched);
            }
        }
        self.counts = counts;
        self.criteria_matched = matched;
        self
    }

    /// The diff as text: the decisions' changes, then each set with its criteria added, removed
    /// and changed (unchanged criteria are counted, not listed), then the counts.
    pub fn text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "Diff {} → {}", self.old, self.new);
        for n in &self.notes {
            let _ = writeln!(out, "  note: {n}");
        }
        let _ = writeln!(out, "\nDecision");
        if self.decision.is_empty() {
            let _ = writeln!(out, "  (no change)");
        }
        for c in &self.decision {
            let _ = writeln!(out, "  {}", change_line(c));
        }
        for s in &self.sets {
            let _ = writeln!(out);
            self.set_heading(&mut out, s);
            set_text(&mut out, s);
        }
        let _ = writeln!(out, "\nCounts");
        let m = self.criteria_matched;
        let _ = writeln!(
            out,
            "  criteria matched: {} identical, {} same id, {} similar",
            m.identical, m.same_id, m.similar
        );
        for (k, n) in &self.counts {
            let _ = writeln!(out, "  {:<28} {n}", k.name());
        }
        out
    }

    /// A set's heading in [`Diff::text`]: matched (renumbered or not), added or removed.
    fn set_heading(&self, out: &mut String, s: &SetDiff) {
        match (&s.old_set, &s.new_set) {
            (Some(o), Some(n)) => {
                let m = s.matched.map_or_else(String::new, |m| m.to_string());
                let name = s.new_name.as_deref().unwrap_or("");
                if o == n {
                    let _ = writeln!(out, "Set {n} {name} [{m}]");
                } else {
                    let _ = writeln!(out, "Set {o} → {n} {name} [{m}]");
                }
            }
            (None, Some(n)) => {
                let _ = writeln!(
                    out,
                    "Set {n} {} — added (no set of {} matches)",
                    s.new_name.as_deref().unwrap_or(""),
                    self.old
                );
            }
            (Some(o), None) => {
                let closest = s
                    .closest
                    .as_ref()
                    .map(|(set, sim)| format!("; closest: set {set}, similarity {}", Match::Similar(*sim)))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "Set {o} {} — removed (no set of {} matches{closest})",
                    s.old_name.as_deref().unwrap_or(""),
                    self.new
                );
            }
            (None, None) => {}
        }
    }
}

/// A set's changes in [`Diff::text`]: its own, the criteria added and removed (counted for a
/// set added or removed), and each changed criterion (the unchanged ones counted).
fn set_text(out: &mut String, s: &SetDiff) {
    for c in &s.changes {
        let _ = writeln!(out, "  {}", change_line(c));
    }
    if s.old_set.is_some() && s.new_set.is_some() {
        for a in &s.added {
            let _ = writeln!(out, "  + {} {} (max {}, {})", a.id, a.title, a.max, a.section);
        }
        for r in &s.removed {
            let _ = writeln!(out, "  - {} {} (max {}, {})", r.id, r.title, r.max, r.section);
        }
    } else {
        let n = s.added.len() + s.removed.len();
        let _ = writeln!(out, "  ({n} criteria)");
    }
    let mut unchanged = 0;
    for c in &s.criteria {
        if c.changes.is_empty() {
            unchanged += 1;
            continue;
        }
        let ids = if c.old == c.new { c.new.clone() } else { format!("{} → {}", c.old, c.new) };
        let _ = writeln!(out, "  ~ {ids} {} [{}]", c.new_title, c.matched);
        for ch in &c.changes {
            let _ = writeln!(out, "      {}", change_line(ch));
        }
    }
    if unchanged > 0 {
        let _ = writeln!(out, "  = {unchanged} criteria unchanged");
    }
}

fn change_line(c: &Change) -> String {
    let what = if c.what.is_empty() { String::new() } else { format!(" {}", c.what) };
    let value = |v: &Option<String>| v.as_deref().map_or_else(|| "—".to_string(), short);
    match (&c.old, &c.new) {
        (Some(_), Some(_)) => format!("{}{what}: {} → {}", c.kind.name(), value(&c.old), value(&c.new)),
        (None, Some(_)) => format!("{}{what}: {}", c.kind.name(), value(&c.new)),
        (Some(_), None) => format!("{}{what}: was {}", c.kind.name(), value(&c.old)),
        (None, None) => format!("{}{what}", c.kind.name()),
    }
}

/// A value shown in one line: at most 160 characters.
fn short(text: &str) -> String {
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= 160 {
        format!("«{one_line}»")
    } else {
        let cut: String = one_line.chars().take(157).collect();
        format!("«{cut}…»")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_keeps_words_and_meaningful_signs() {
        assert_eq!(normalise("Có vốn góp  <51%;"), "có vốn góp < 51 %");
        assert_eq!(normalise("Mùi/vị"), "mùi vị");
        assert_ne!(normalise("≥ 51%"), normalise("< 51%"));
        assert_eq!(similarity("a b c", "a b c"), 100);
        assert_eq!(similarity("a b", "c d"), 0);
        assert_eq!(similarity("a b c d", "a b"), 66);
        assert_eq!(Match::Similar(83).to_string(), "similar(0.83)");
        assert_eq!(Match::Similar(5).to_string(), "similar(0.05)");
        assert_eq!(ChangeKind::OptionTextChanged.name(), "option_text_changed");
    }
}
