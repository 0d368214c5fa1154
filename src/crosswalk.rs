//! Crosswalks: which answers under an old decision establish which options under a new one.
//!
//! A crosswalk is rule data, one file per pair of decisions, kept with the new decision:
//! `rules/26-2026/crosswalk/148-2023.yaml` maps 148-2023 to 26-2026. For each old set it names
//! the new set its products are rated under, and for each criterion of the new set either the
//! old criterion and the old answers that establish each new option, or that the criterion
//! **needs new evidence** (and why). Every mapping whose texts are not identical carries a
//! one-line `reason`. The format is in `docs/diff.md`.
//!
//! [`Crosswalk::from_text`] reads a file (its shape); [`Crosswalk::check`] checks it against a
//! catalog: every decision, set, criterion and option named exists (located errors with "did
//! you mean"), every criterion of the new set is mapped or marked, every non-identical mapping
//! has its reason, and the coverage is counted. [`Crosswalks`] loads the shipped crosswalks or a
//! folder's, checks them and finds one by its pair of decisions. [`draft`] proposes a crosswalk
//! from identical texts for a maintainer to finish.
//!
//! ```
//! let catalog = ocop_rating::Catalog::embedded()?;
//! let shipped = ocop_rating::crosswalk::Crosswalks::shipped(&catalog);
//! assert!(shipped.diagnostics().iter().all(|d| !d.is_error()));
//! let cw = shipped.find("148-2023", "26-2026").unwrap();
//! assert_eq!(cw.sets().len(), 26);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::catalog::Catalog;
use crate::diag::{Diagnostic, DiagnosticKind, did_you_mean, list_names};
use crate::diff::{self, normalise};
use crate::doc::CriterionKind;
use crate::form::{Choice, Criterion, Form};
use crate::locate::DocPath;
use crate::read::{Limits, Reader, parse, scalar_text};
use serde::Serialize;
use serde_yaml::Value;
use std::fmt::Write as _;
use std::path::Path;

/// The crosswalks shipped with the library: (path under `rules/`, text).
const SHIPPED: &[(&str, &str)] = &[
    ("148-2023/crosswalk/1048-2019.yaml", include_str!("../rules/148-2023/crosswalk/1048-2019.yaml")),
    ("26-2026/crosswalk/148-2023.yaml", include_str!("../rules/26-2026/crosswalk/148-2023.yaml")),
];

/// The reason a draft leaves for a maintainer to write; [`Crosswalk::check`] refuses it.
const TODO: &str = "TODO";

/// One crosswalk file, as read.
#[derive(Clone, Debug)]
pub struct Crosswalk {
    file: String,
    text: String,
    from: String,
    to: String,
    source: Option<String>,
    notes: Vec<String>,
    sets: Vec<SetMap>,
}

/// Where the products of one old set go.
#[derive(Clone, Debug)]
pub struct SetMap {
    /// The old set.
    pub from_set: String,
    /// The new set (`None`: no set of the new decision takes these products).
    pub to_set: Option<String>,
    /// Why, when the sets' names differ or there is no new set.
    pub reason: Option<String>,
    /// The new set's criteria, in the order written.
    pub criteria: Vec<CriterionMap>,
}

/// How one criterion of the new set is established.
#[derive(Clone, Debug)]
pub struct CriterionMap {
    /// The new criterion's id.
    pub id: String,
    /// Mapped from an old criterion, or needing new evidence.
    pub mapping: Mapping,
}

/// How a new criterion is established.
#[derive(Clone, Debug)]
pub enum Mapping {
    /// From the answers to an old criterion.
    From {
        /// The old criterion's id.
        criterion: String,
        /// Why, when the titles differ (it also covers options without a reason of their own).
        reason: Option<String>,
        /// The new criterion's options, each with the old answers that establish it.
        options: Vec<OptionMap>,
    },
    /// No old answer establishes it: the product must bring new evidence. The text says why.
    NeedsNewEvidence(String),
}

/// The old answers that establish one option of a new criterion.
#[derive(Clone, Debug)]
pub struct OptionMap {
    /// The new option's key; `none` for the old answers that meet no option of the new criterion.
    pub key: String,
    /// The old criterion read, when not the criterion's `from`.
    pub criterion: Option<String>,
    /// The old answer keys (option keys, `yes`/`no`, or `none`) that establish it.
    pub keys: Vec<String>,
    /// Why, when the texts differ.
    pub reason: Option<String>,
    /// Written as a bare list (`b: [b]`): its keys are located at the option itself.
    pub(crate) short: bool,
}

impl Crosswalk {
    /// Reads a crosswalk file: its shape only (fields, types, ids written as texts). `file` names
    /// it in messages. [`Crosswalk::check`] checks what it names against a catalog.
    pub fn from_text(file: &str, text: &str) -> Result<Crosswalk, Vec<Diagnostic>> {
        Crosswalk::from_bytes(file, text.as_bytes())
    }

    /// [`Crosswalk::from_text`] from bytes (UTF-8), under the default size limits.
    pub fn from_bytes(file: &str, bytes: &[u8]) -> Result<Crosswalk, Vec<Diagnostic>> {
        let (text, value) = parse(file, bytes, &Limits::default()).map_err(|d| vec![d])?;
        let mut r = Reader::new(file, &text);
        let read = read_crosswalk(&mut r, &value);
        if r.has_errors() {
            return Err(r.into_diagnostics());
        }
        match read {
            Some((from, to, source, notes, sets)) => {
                Ok(Crosswalk { file: file.to_string(), text, from, to, source, notes, sets })
            }
            None => Err(r.into_diagnostics()),
        }
    }

    /// The file it was read from.
    pub fn file(&self) -> &str {
        &self.file
    }
    /// The old decision's key.
    pub fn from(&self) -> &str {
        &self.from
    }
    /// The new decision's key.
    pub fn to(&self) -> &str {
        &self.to
    }
    /// Where the mapping comes from (free text).
    pub fn source(&self) -> Option<&str> {
        self.source.as_deref()
    }
    /// Notes of the file.
    pub fn notes(&self) -> &[String] {
        &self.notes
    }
    /// Every old set mapped, in the order written.
    pub fn sets(&self) -> &[SetMap] {
        &self.sets
    }
    /// The mapping of an old set.
    pub fn set(&self, from_set: &str) -> Option<&SetMap> {
        self.sets.iter().find(|s| s.from_set == from_set)
    }

    /// Checks the crosswalk against `catalog`: located errors (with "did you mean") for every
    /// decision, set, criterion and option that does not exist, for every criterion of a new set
    /// that is neither mapped nor marked, for every non-identical mapping without its reason (and
    /// every `TODO` left by a draft); warnings for old sets not mapped. Counts the coverage.
    pub fn check(&self, catalog: &Catalog) -> Check {
        let mut r = Reader::new(&self.file, &self.text);
        let coverage = check_crosswalk(self, catalog, &mut r);
        Check {
            file: self.file.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
            diagnostics: r.into_diagnostics(),
            coverage,
        }
    }
}

/// What [`Crosswalk::check`] found.
#[derive(Clone, Debug, Serialize)]
pub struct Check {
    /// The file checked.
    pub file: String,
    /// The old decision.
    pub from: String,
    /// The new decision.
    pub to: String,
    /// Errors and warnings, located.
    pub diagnostics: Vec<Diagnostic>,
    /// Per old set: how much of the new set is established by old answers.
    pub coverage: Vec<SetCoverage>,
}

impl Check {
    /// Whether the crosswalk has no error.
    pub fn is_ok(&self) -> bool {
        !self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// The coverage over every set.
    pub fn total(&self) -> SetCoverage {
        let mut t = SetCoverage { from_set: "all".into(), ..SetCoverage::default() };
        for c in &self.coverage {
            t.criteria += c.criteria;
            t.mapped += c.mapped;
            t.identical += c.identical;
            t.needs_new_evidence += c.needs_new_evidence;
            t.options += c.options;
            t.options_established += c.options_established;
        }
        t
    }

    /// The coverage as text: one line per set, then the total.
    pub fn coverage_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "crosswalk {} → {} ({}):", self.from, self.to, self.file);
        let line = |c: &SetCoverage| {
            let to = match (&c.to_set, c.from_set.as_str()) {
                (_, "all") => String::new(),
                (Some(t), _) => format!(" → {t}"),
                (None, _) => " → (no set)".to_string(),
            };
            format!(
                "  set {}{to}: {}: {} mapped ({} identical text), {} need new evidence; options established {}/{}",
                c.from_set,
                crate::diag::plural(c.criteria, "criterion", "criteria"),
                c.mapped,
                c.identical,
                c.needs_new_evidence,
                c.options_established,
                c.options
            )
        };
        for c in &self.coverage {
            let _ = writeln!(out, "{}", line(c));
        }
        let _ = writeln!(out, "{}", line(&self.total()));
        out
    }
}

/// How much of one new set the old answers establish.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SetCoverage {
    /// The old set (`all` for a total).
    pub from_set: String,
    /// The new set.
    pub to_set: Option<String>,
    /// The new set's answered criteria.
    pub criteria: usize,
    /// Criteria mapped from an old criterion.
    pub mapped: usize,
    /// Of those, the ones whose title and every mapped option have identical text.
    pub identical: usize,
    /// Criteria marked as needing new evidence.
    pub needs_new_evidence: usize,
    /// Options of the mapped criteria.
    pub options: usize,
    /// Of those, the ones some old answer establishes.
    pub options_established: usize,
}

// ---------------------------------------------------------------------------------------------
// Reading

type Read = (String, String, Option<String>, Vec<String>, Vec<SetMap>);

fn read_crosswalk(r: &mut Reader, root: &Value) -> Option<Read> {
    let top = DocPath::root();
    let doc = r.object(root, &top, "a crosswalk file", &["crosswalk", "sets"], &[])?;
    let head = doc.get("crosswalk").and_then(|v| {
        r.object(v, &doc.at("crosswalk"), "the crosswalk header", &["from", "to"], &["source", "notes"])
    });
    let (mut from, mut to, mut source, mut notes) = (None, None, None, Vec::new());
    if let Some(h) = &head {
        from = h.get("from").and_then(|v| r.id(v, &h.at("from"), "decision key"));
        to = h.get("to").and_then(|v| r.id(v, &h.at("to"), "decision key"));
        source = h.opt_text(r, "source");
        notes = h.texts(r, "notes");
    }
    let mut sets = Vec::new();
    if let Some(v) = doc.get("sets") {
        let path = doc.at("sets");
        for (set, value) in r.id_map(v, &path, "set") {
            if let Some(s) = read_set(r, &set, value, &path.key(&set)) {
                sets.push(s);
            }
        }
    }
    Some((from?, to?, source, notes, sets))
}

fn read_set(r: &mut Reader, set: &str, value: &Value, path: &DocPath) -> Option<SetMap> {
    let o = r.object(value, path, "a set mapping", &["to"], &["reason", "criteria"])?;
    let to_set = match o.get("to") {
        None | Some(Value::Null) => None,
        Some(v) => Some(r.id(v, &o.at("to"), "set")?),
    };
    let reason = o.opt_text(r, "reason");
    let mut criteria = Vec::new();
    if let Some(v) = o.get("criteria").filter(|v| !v.is_null()) {
        let cpath = o.at("criteria");
        for (id, value) in r.id_map(v, &cpath, "criterion") {
            if let Some(mapping) = read_criterion(r, value, &cpath.key(&id)) {
                criteria.push(CriterionMap { id, mapping });
            }
        }
    }
    Some(SetMap { from_set: set.to_string(), to_set, reason, criteria })
}

fn read_criterion(r: &mut Reader, value: &Value, path: &DocPath) -> Option<Mapping> {
    let o = r.object(
        value,
        path,
        "a criterion mapping",
        &[],
        &["from", "reason", "options", "needs_new_evidence"],
    )?;
    if let Some(v) = o.get("needs_new_evidence") {
        if o.get("from").is_some() || o.get("options").is_some() {
            r.push(
                &o.at("needs_new_evidence"),
                Diagnostic::error(
                    DiagnosticKind::InvalidValue,
                    o.at("needs_new_evidence").to_string(),
                    "a criterion is either mapped (`from`, `options`) or needs new evidence, not both",
                )
                .suggest("remove `needs_new_evidence`, or `from` and `options`"),
            );
            return None;
        }
        let text = r.text(v, &o.at("needs_new_evidence"))?;
        return Some(Mapping::NeedsNewEvidence(text));
    }
    let Some(from) = o.get("from") else {
        r.push(
            path,
            Diagnostic::error(
                DiagnosticKind::MissingField,
                path.to_string(),
                "a criterion mapping has no `from`",
            )
            .expected("`from: \"<old criterion id>\"` with `options`, or `needs_new_evidence: \"<why>\"`"),
        );
        return None;
    };
    let criterion = r.id(from, &o.at("from"), "criterion id")?;
    let reason = o.opt_text(r, "reason");
    let mut options = Vec::new();
    match o.get("options") {
        None | Some(Value::Null) => {}
        Some(v) => {
            let opath = o.at("options");
            let Value::Mapping(map) = v else {
                r.push(
                    &opath,
                    Diagnostic::error(DiagnosticKind::WrongType, opath.to_string(), "found a non-mapping")
                        .expected(
                            "a mapping from the new option keys to the old answers that establish them",
                        ),
                );
                return None;
            };
            for (k, v) in map {
                let key = answer_key(k).unwrap_or_else(|| scalar_text(k).unwrap_or_default());
                let at = opath.key(&key);
                if let Some(m) = read_option(r, &key, v, &at) {
                    options.push(m);
                }
            }
        }
    }
    Some(Mapping::From { criterion, reason, options })
}

/// An answer key as written: a text, or a YAML boolean read as `yes`/`no`.
fn answer_key(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(true) => Some("yes".into()),
        Value::Bool(false) => Some("no".into()),
        _ => None,
    }
}

fn read_keys(r: &mut Reader, v: &Value, path: &DocPath) -> Option<Vec<String>> {
    let Value::Sequence(items) = v else {
        r.push(
            path,
            Diagnostic::error(DiagnosticKind::WrongType, path.to_string(), "found a non-list")
                .expected("a list of old answer keys, e.g. [b, c] ([] when no old answer establishes it)"),
        );
        return None;
    };
    let mut keys = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match answer_key(item) {
            Some(k) => keys.push(k),
            None => r.push(
                &path.index(i),
                Diagnostic::error(DiagnosticKind::WrongType, path.index(i).to_string(), "found a non-text")
                    .expected("an old answer key: an option key, yes/no, or none"),
            ),
        }
    }
    Some(keys)
}

fn read_option(r: &mut Reader, key: &str, v: &Value, path: &DocPath) -> Option<OptionMap> {
    if let Value::Sequence(_) = v {
        let keys = read_keys(r, v, path)?;
        return Some(OptionMap { key: key.to_string(), criterion: None, keys, reason: None, short: true });
    }
    let o = r.object(v, path, "an option mapping", &["keys"], &["criterion", "reason"])?;
    let keys = read_keys(r, o.get("keys")?, &o.at("keys"))?;
    let criterion = match o.get("criterion") {
        None | Some(Value::Null) => None,
        Some(c) => Some(r.id(c, &o.at("criterion"), "criterion id")?),
    };
    let reason = o.opt_text(r, "reason");
    Some(OptionMap { key: key.to_string(), criterion, keys, reason, short: false })
}

// ---------------------------------------------------------------------------------------------
// Checking

fn sets_path(set: &str) -> DocPath {
    DocPath::root().key("sets").key(set)
}

fn unknown(r: &mut Reader, path: &DocPath, message: String, what: &str, valid: &[String], found: &str) {
    let d = Diagnostic::error(DiagnosticKind::UnknownReference, path.to_string(), message)
        .expected(format!("{what}: {}", list_names(valid, 30)))
        .suggest_opt(did_you_mean(found, valid.iter().map(String::as_str)));
    r.push(path, d);
}

/// The form of a set a crosswalk maps from or to: the version in force last.
pub(crate) fn latest_form<'c>(catalog: &'c Catalog, decision: &str, set: &str) -> Option<&'c Form> {
    catalog.forms_of(decision).iter().filter(|f| f.set() == set).max_by_key(|f| f.in_force_from())
}

fn sets_of(catalog: &Catalog, decision: &str) -> Vec<String> {
    let mut s: Vec<String> = catalog.forms_of(decision).iter().map(|f| f.set().to_string()).collect();
    s.dedup();
    s
}

/// A reason that a maintainer has written: present, not empty, not a draft's `TODO`.
fn written(reason: Option<&String>) -> bool {
    reason.is_some_and(|r| !r.trim().is_empty() && !r.trim_start().starts_with(TODO))
}

fn check_crosswalk(cw: &Crosswalk, catalog: &Catalog, r: &mut Reader) -> Vec<SetCoverage> {
    let known = check_decisions(cw, catalog, r);
    check_filed(cw, r);
    if !known {
        return Vec::new();
    }
    let old_sets = sets_of(catalog, &cw.from);
    let new_sets = sets_of(catalog, &cw.to);
    let mut coverage = Vec::new();
    for s in &cw.sets {
        if let Some(c) = check_set_map(cw, catalog, r, s, &old_sets, &new_sets) {
            coverage.push(c);
        }
    }
    warn_unmapped_sets(cw, &old_sets, r);
    coverage
}

/// `from` and `to` name two different loaded decisions; false when either is unknown.
fn check_decisions(cw: &Crosswalk, catalog: &Catalog, r: &mut Reader) -> bool {
    let head = DocPath::root().key("crosswalk");
    let keys: Vec<String> = catalog.decisions().map(|d| d.key().to_string()).collect();
    let mut known = true;
    for (field, name) in [("from", &cw.from), ("to", &cw.to)] {
        if catalog.decision(name).is_none_or(|d| d.key() != name.as_str()) {
            known = false;
            unknown(
                r,
                &head.key(field),
                format!("unknown decision `{name}`"),
                "a loaded decision key",
                &keys,
                name,
            );
        }
    }
    if cw.from == cw.to {
        r.push(
            &head.key("to"),
            Diagnostic::error(
                DiagnosticKind::InvalidValue,
                head.key("to").to_string(),
                "a crosswalk maps a decision to itself",
            )
            .expected("two different decisions"),
        );
    }
    known
}

/// A crosswalk in a `crosswalk` folder is filed as rules/<to>/crosswalk/<from>.yaml.
fn check_filed(cw: &Crosswalk, r: &mut Reader) {
    let head = DocPath::root().key("crosswalk");
    let path = Path::new(&cw.file);
    let in_folder = path.parent().and_then(|p| p.file_name()).is_some_and(|f| f == "crosswalk");
    if in_folder {
        let folder =
            path.parent().and_then(Path::parent).and_then(Path::file_name).map(|f| f.to_string_lossy());
        let stem = path.file_stem().map(|f| f.to_string_lossy());
        let expected = format!("{}/crosswalk/{}.yaml", cw.to, cw.from);
        if folder.as_deref() != Some(cw.to.as_str()) || stem.as_deref() != Some(cw.from.as_str()) {
            r.push(
                &head,
                Diagnostic::error(
                    DiagnosticKind::InvalidValue,
                    head.to_string(),
                    format!("the crosswalk from {} to {} is filed as {}", cw.from, cw.to, cw.file),
                )
                .expected(format!("the file rules/{expected}: a crosswalk is kept with its new decision, named after the old"))
                .suggest(format!("move it to rules/{expected}, or fix `from`/`to`")),
            );
        }
    }
}

/// One old set's mapping: both sets exist, a change of name or a set mapped to none says why,
/// then its criteria. `None` when a set does not exist (reported).
fn check_set_map(
    cw: &Crosswalk,
    catalog: &Catalog,
    r: &mut Reader,
    s: &SetMap,
    old_sets: &[String],
    new_sets: &[String],
) -> Option<SetCoverage> {
    let sp = sets_path(&s.from_set);
    let Some(old_form) = latest_form(catalog, &cw.from, &s.from_set) else {
        unknown(
            r,
            &sp,
            format!("{} has no set `{}`", cw.from, s.from_set),
            "a set of the old decision",
            old_sets,
            &s.from_set,
        );
        return None;
    };
    let Some(to_set) = &s.to_set else {
        check_no_set(cw, r, &sp, s);
        return Some(SetCoverage { from_set: s.from_set.clone(), ..SetCoverage::default() });
    };
    let Some(new_form) = latest_form(catalog, &cw.to, to_set) else {
        unknown(
            r,
            &sp.key("to"),
            format!("{} has no set `{to_set}`", cw.to),
            "a set of the new decision",
            new_sets,
            to_set,
        );
        return None;
    };
    if normalise(old_form.name_vi()) != normalise(new_form.name_vi()) && !written(s.reason.as_ref()) {
        r.push(
            &sp.key("to"),
            Diagnostic::error(
                DiagnosticKind::MissingField,
                sp.key("to").to_string(),
                format!(
                    "set {} «{}» maps to set {to_set} «{}» with another name, and no reason",
                    s.from_set,
                    old_form.name_vi(),
                    new_form.name_vi()
                ),
            )
            .expected("a one-line `reason` (a draft's TODO counts as none)"),
        );
    }
    Some(check_set(r, &sp, s, old_form, new_form))
}

/// An old set that goes to no new set: it says why, and maps no criteria.
fn check_no_set(cw: &Crosswalk, r: &mut Reader, sp: &DocPath, s: &SetMap) {
    if !written(s.reason.as_ref()) {
        r.push(
            &sp.key("to"),
            Diagnostic::error(
                DiagnosticKind::MissingField,
                sp.key("to").to_string(),
                format!("set {} goes to no set of {} but says not why", s.from_set, cw.to),
            )
            .expected("a one-line `reason`"),
        );
    }
    if !s.criteria.is_empty() {
        r.push(
            &sp.key("criteria"),
            Diagnostic::error(
                DiagnosticKind::InvalidValue,
                sp.key("criteria").to_string(),
                "criteria mapped to no set",
            )
            .suggest("name the new set in `to`, or remove `criteria`"),
        );
    }
}

/// Warns of each old set the crosswalk does not map: its products cannot be re-scored.
fn warn_unmapped_sets(cw: &Crosswalk, old_sets: &[String], r: &mut Reader) {
    for set in old_sets {
        if cw.set(set).is_none() {
            r.push(
                &DocPath::root().key("sets"),
                Diagnostic::warning(
                    DiagnosticKind::MissingField,
                    "sets",
                    format!(
                        "set {set} of {} is not mapped: its products cannot be re-scored under {}",
                        cw.from, cw.to
                    ),
                )
                .suggest(format!(
                    "map it (`\"{set}\": {{to: …}}`), or say that no set takes it (`to: null` with a reason)"
                )),
            );
        }
    }
}

fn leaf_ids(form: &Form) -> Vec<String> {
    form.leaves().map(|c| c.id().to_string()).collect()
}

fn check_set(r: &mut Reader, sp: &DocPath, s: &SetMap, old: &Form, new: &Form) -> SetCoverage {
    let mut cov = SetCoverage {
        from_set: s.from_set.clone(),
        to_set: Some(new.set().to_string()),
        criteria: new.leaf_count(),
        ..SetCoverage::default()
    };
    let cp = sp.key("criteria");
    let (old_ids, new_ids) = (leaf_ids(old), leaf_ids(new));
    for m in &s.criteria {
        let at = cp.key(&m.id);
        let Some(nc) = new.criterion(&m.id).filter(|c| c.kind() != CriterionKind::Group) else {
            let what = if new.criterion(&m.id).is_some() {
                "is a group: map its nested criteria"
            } else {
                "does not exist"
            };
            unknown(
                r,
                &at,
                format!("criterion `{}` of set {} of {} {what}", m.id, new.set(), new.decision().key()),
                "an answered criterion of the new set",
                &new_ids,
                &m.id,
            );
            continue;
        };
        match &m.mapping {
            Mapping::NeedsNewEvidence(why) => {
                cov.needs_new_evidence += 1;
                check_evidence_reason(r, &at, &m.id, why);
            }
            Mapping::From { criterion, reason, options } => {
                cov.mapped += 1;
                let Some(oc) = old_leaf(r, &at.key("from"), old, criterion, &old_ids) else { continue };
                let from = MappedFrom { old, oc, new, nc, reason: reason.as_ref(), old_ids: &old_ids };
                check_mapped(r, &at, &m.id, &from, options, &mut cov);
            }
        }
    }
    let missing: Vec<&str> =
        new.leaves().map(Criterion::id).filter(|id| !s.criteria.iter().any(|m| m.id == *id)).collect();
    if !missing.is_empty() {
        r.push(
            &cp,
            Diagnostic::error(
                DiagnosticKind::MissingField,
                cp.to_string(),
                format!(
                    "{} criteria of set {} of {} are neither mapped nor marked: {}",
                    missing.len(),
                    new.set(),
                    new.decision().key(),
                    list_names(&missing, 40)
                ),
            )
            .expected(
                "every answered criterion of the new set: `from` an old criterion, or `needs_new_evidence`",
            ),
        );
    }
    cov
}

/// A criterion that needs new evidence says why.
fn check_evidence_reason(r: &mut Reader, at: &DocPath, id: &str, why: &String) {
    if !written(Some(why)) {
        r.push(
            &at.key("needs_new_evidence"),
            Diagnostic::error(
                DiagnosticKind::MissingField,
                at.key("needs_new_evidence").to_string(),
                format!("criterion {id} needs new evidence, but the text does not say why"),
            )
            .expected("a one-line reason (a draft's TODO counts as none)"),
        );
    }
}

/// A new criterion mapped from an old one: the forms, the two criteria, the criterion's reason
/// and the old set's answered criteria (for suggestions).
struct MappedFrom<'a> {
    old: &'a Form,
    oc: &'a Criterion,
    new: &'a Form,
    nc: &'a Criterion,
    reason: Option<&'a String>,
    old_ids: &'a [String],
}

/// A criterion mapped from an old one: another title needs a reason; then its options. Counts
/// it as identical when the titles and every option are.
fn check_mapped(
    r: &mut Reader,
    at: &DocPath,
    id: &str,
    from: &MappedFrom<'_>,
    options: &[OptionMap],
    cov: &mut SetCoverage,
) {
    let (oc, nc) = (from.oc, from.nc);
    let titles_same = normalise(oc.title_vi()) == normalise(nc.title_vi());
    if !titles_same && !written(from.reason) {
        r.push(
            &at.key("from"),
            Diagnostic::error(
                DiagnosticKind::MissingField,
                at.key("from").to_string(),
                format!(
                    "criterion {} «{}» is mapped from {} «{}», another title, with no reason",
                    id,
                    nc.title_vi(),
                    oc.id(),
                    oc.title_vi()
                ),
            )
            .expected("a one-line `reason` (a draft's TODO counts as none)"),
        );
    }
    let identical = check_options(
        r,
        &at.key("options"),
        from.old,
        oc,
        from.new,
        nc,
        options,
        from.reason,
        from.old_ids,
        cov,
    );
    if titles_same && identical {
        cov.identical += 1;
    }
}

fn old_leaf<'f>(
    r: &mut Reader,
    at: &DocPath,
    old: &'f Form,
    id: &str,
    old_ids: &[String],
) -> Option<&'f Criterion> {
    match old.criterion(id).filter(|c| c.kind() != CriterionKind::Group) {
        Some(c) => Some(c),
        None => {
            let what = if old.criterion(id).is_some() {
                "is a group: name one of its nested criteria"
            } else {
                "does not exist"
            };
            unknown(
                r,
                at,
                format!("criterion `{id}` of set {} of {} {what}", old.set(), old.decision().key()),
                "an answered criterion of the old set",
                old_ids,
                id,
            );
            None
        }
    }
}

/// Checks a `none` mapping: old answers (of `oc`, or of the criterion it names) that establish
/// that no option of the new criterion is met. It always needs a reason.
#[allow(clippy::too_many_arguments)]
fn check_none(
    r: &mut Reader,
    at: &DocPath,
    old: &Form,
    oc: &Criterion,
    nc: &Criterion,
    m: &OptionMap,
    criterion_reason: Option<&String>,
    old_ids: &[String],
) {
    let source = match &m.criterion {
        Some(id) => match old_leaf(r, &at.key("criterion"), old, id, old_ids) {
            Some(c) => c,
            None => return,
        },
        None => oc,
    };
    let old_options = old.options(source);
    let mut valid: Vec<String> = old_options.iter().map(|o| o.key().to_string()).collect();
    valid.push("none".into());
    let keys_at = if m.short { at.clone() } else { at.key("keys") };
    for (i, k) in m.keys.iter().enumerate() {
        if k != "none" && !old_options.iter().any(|o| o.key() == k) {
            unknown(
                r,
                &keys_at.index(i),
                format!("criterion {} of the old set has no option `{k}`", source.id()),
                "its answers",
                &valid,
                k,
            );
        }
    }
    if !m.keys.is_empty() && !written(m.reason.as_ref()) && !written(criterion_reason) {
        r.push(
            at,
            Diagnostic::error(
                DiagnosticKind::MissingField,
                at.to_string(),
                format!(
                    "old answers [{}] are said to meet no option of {}, with no reason",
                    m.keys.join(", "),
                    nc.id()
                ),
            )
            .expected("a one-line `reason`"),
        );
    }
}

/// Checks the option mappings of one criterion; whether every mapping is of identical text.
#[allow(clippy::too_many_arguments)]
fn check_options(
    r: &mut Reader,
    op: &DocPath,
    old: &Form,
    oc: &Criterion,
    new: &Form,
    nc: &Criterion,
    options: &[OptionMap],
    criterion_reason: Option<&String>,
    old_ids: &[String],
    cov: &mut SetCoverage,
) -> bool {
    let new_options = new.options(nc);
    cov.options += new_options.len();
    let new_keys: Vec<String> = new_options.iter().map(|o| o.key().to_string()).collect();
    let mut identical = true;
    for m in options {
        let at = op.key(&m.key);
        if m.key == "none" {
            // Old answers that meet no option of the new criterion.
            check_none(r, &at, old, oc, nc, m, criterion_reason, old_ids);
            continue;
        }
        let Some(nopt) = new_options.iter().find(|o| o.key() == m.key) else {
            unknown(
                r,
                &at,
                format!("criterion {} of the new set has no option `{}`", nc.id(), m.key),
                "its options",
                &new_keys,
                &m.key,
            );
            identical = false;
            continue;
        };
        let source = match &m.criterion {
            Some(id) => match old_leaf(r, &at.key("criterion"), old, id, old_ids) {
                Some(c) => c,
                None => continue,
            },
            None => oc,
        };
        identical &= check_option_keys(r, &at, old, source, nc, nopt, m, criterion_reason, cov);
    }
    // Each new option at most once is guaranteed by YAML (duplicate keys are refused).
    if criterion_reason.is_some_and(|t| t.trim_start().starts_with(TODO)) {
        r.push(
            op,
            Diagnostic::error(
                DiagnosticKind::InvalidValue,
                op.to_string(),
                format!("criterion {}: the draft's TODO reason is still there", nc.id()),
            )
            .expected("the reason, written by a maintainer"),
        );
    }
    identical && options.iter().filter(|m| m.key != "none").count() == new_options.len()
}

/// Whether the old answers `m.keys` (options of `source`, every one existing: else reported)
/// are all of the same text as the new option `nopt`; `none`, or another old criterion than the
/// mapped one, is not.
fn old_keys_same_text(
    r: &mut Reader,
    at: &DocPath,
    old: &Form,
    source: &Criterion,
    nopt: &Choice,
    m: &OptionMap,
) -> bool {
    let old_options = old.options(source);
    let mut valid: Vec<String> = old_options.iter().map(|o| o.key().to_string()).collect();
    valid.push("none".into());
    let keys_at = if m.short { at.clone() } else { at.key("keys") };
    let mut same_text = !m.keys.is_empty() && m.criterion.is_none();
    for (i, k) in m.keys.iter().enumerate() {
        if k == "none" {
            same_text = false;
            continue;
        }
        match old_options.iter().find(|o| o.key() == k) {
            Some(o) => same_text &= normalise(o.text_vi()) == normalise(nopt.text_vi()),
            None => {
                same_text = false;
                unknown(
                    r,
                    &keys_at.index(i),
                    format!("criterion {} of the old set has no option `{k}`", source.id()),
                    "its answers",
                    &valid,
                    k,
                );
            }
        }
    }
    same_text
}

/// The old answers that establish one new option `nopt` (of old criterion `source`): each
/// exists; not of identical text, they need a reason; a draft's TODO reason is an error. False
/// when the mapping is not of identical text.
#[allow(clippy::too_many_arguments)]
fn check_option_keys(
    r: &mut Reader,
    at: &DocPath,
    old: &Form,
    source: &Criterion,
    nc: &Criterion,
    nopt: &Choice,
    m: &OptionMap,
    criterion_reason: Option<&String>,
    cov: &mut SetCoverage,
) -> bool {
    let mut ok = true;
    let same_text = old_keys_same_text(r, at, old, source, nopt, m);
    if !m.keys.is_empty() {
        cov.options_established += 1;
    }
    if !same_text && !m.keys.is_empty() {
        ok = false;
        if !written(m.reason.as_ref()) && !written(criterion_reason) {
            r.push(
                at,
                Diagnostic::error(
                    DiagnosticKind::MissingField,
                    at.to_string(),
                    format!(
                        "option {} of {} «{}» is established by {} [{}], not of identical text, with no reason",
                        m.key,
                        nc.id(),
                        short(nopt.text_vi()),
                        source.id(),
                        m.keys.join(", ")
                    ),
                )
                .expected("a one-line `reason` on the option or the criterion (a draft's TODO counts as none)"),
            );
        }
    }
    if m.reason.as_deref().is_some_and(|t| t.trim_start().starts_with(TODO)) {
        r.push(
            &at.key("reason"),
            Diagnostic::error(
                DiagnosticKind::InvalidValue,
                at.key("reason").to_string(),
                format!("option {} of {}: the draft's TODO is still there", m.key, nc.id()),
            )
            .expected("the reason, written by a maintainer"),
        );
    }
    ok
}

fn short(text: &str) -> String {
    let t: String = text.chars().take(80).collect();
    if t.len() < text.len() { format!("{t}…") } else { t }
}

// ---------------------------------------------------------------------------------------------
// Loading several

/// Crosswalk files loaded and checked against one catalog.
#[derive(Clone, Debug, Default)]
pub struct Crosswalks {
    loaded: Vec<(Crosswalk, Check)>,
    problems: Vec<Diagnostic>,
}

impl Crosswalks {
    /// The crosswalks shipped with the library (`rules/<new>/crosswalk/<old>.yaml`), checked
    /// against `catalog`. Those whose decisions `catalog` does not hold are skipped.
    pub fn shipped(catalog: &Catalog) -> Crosswalks {
        let mut all = Crosswalks::default();
        for (path, text) in SHIPPED {
            let name = format!("rules/{path}");
            let both =
                path.split_once('/').zip(Path::new(path).file_stem().and_then(|s| s.to_str())).is_some_and(
                    |((to, _), from)| catalog.decision(to).is_some() && catalog.decision(from).is_some(),
                );
            if both {
                all.add(catalog, &name, text.as_bytes());
            }
        }
        all
    }

    /// Finds the crosswalks under a rules folder: `<dir>/crosswalk/*.yaml` when `dir` is a
    /// decision folder, `<dir>/*/crosswalk/*.yaml` when it holds decision folders. A file that
    /// cannot be read is reported.
    pub fn from_dir(catalog: &Catalog, dir: impl AsRef<Path>) -> Crosswalks {
        let mut all = Crosswalks::default();
        all.add_dir(catalog, dir);
        all
    }

    /// Adds the crosswalks under a rules folder (see [`Crosswalks::from_dir`]).
    pub fn add_dir(&mut self, catalog: &Catalog, dir: impl AsRef<Path>) {
        for path in find_files(dir.as_ref()) {
            let name = path.display().to_string();
            match crate::read::read_file(&path, Limits::default().max_bytes) {
                Ok(bytes) => self.add(catalog, &name, &bytes),
                Err(d) => self.problems.push(d),
            }
        }
    }

    /// Reads and checks one crosswalk from memory; `name` is shown in messages (and, when it
    /// reads `…/<new>/crosswalk/<old>.yaml`, checked against the decisions named inside).
    ///
    /// A crosswalk between decisions that `catalog` does not hold (checking one decision folder
    /// alone) is not checked, with a warning; one that names a decision close to a loaded one is
    /// checked, so that the error says "did you mean".
    pub fn add(&mut self, catalog: &Catalog, name: &str, bytes: &[u8]) {
        match Crosswalk::from_bytes(name, bytes) {
            Ok(cw) => {
                let keys: Vec<&str> = catalog.decisions().map(crate::form::Decision::key).collect();
                let absent: Vec<&str> = [cw.from(), cw.to()]
                    .into_iter()
                    .filter(|d| {
                        catalog.decision(d).is_none() && did_you_mean(d, keys.iter().copied()).is_none()
                    })
                    .collect();
                if !absent.is_empty() {
                    let mut d = Diagnostic::warning(
                        DiagnosticKind::UnknownReference,
                        "crosswalk",
                        format!(
                            "crosswalk {} → {} not checked: decision {} not loaded",
                            cw.from(),
                            cw.to(),
                            absent.join(", ")
                        ),
                    )
                    .suggest("check the folder that holds both decisions (e.g. rules/)");
                    d.file = name.to_string();
                    self.problems.push(d);
                    return;
                }
                let check = cw.check(catalog);
                self.loaded.push((cw, check));
            }
            Err(d) => self.problems.extend(d),
        }
    }

    /// Every diagnostic: files that could not be read, then each crosswalk's check.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        let mut out = self.problems.clone();
        for (_, c) in &self.loaded {
            out.extend(c.diagnostics.iter().cloned());
        }
        out
    }

    /// Each crosswalk read, with its check.
    pub fn checks(&self) -> impl Iterator<Item = (&Crosswalk, &Check)> {
        self.loaded.iter().map(|(c, k)| (c, k))
    }

    /// The crosswalk from `from` to `to` (decision keys) that checked without error; the last
    /// added wins, so a folder's crosswalk replaces a shipped one.
    pub fn find(&self, from: &str, to: &str) -> Option<&Crosswalk> {
        self.loaded.iter().rev().find(|(c, k)| c.from == from && c.to == to && k.is_ok()).map(|(c, _)| c)
    }

    /// Whether nothing was found.
    pub fn is_empty(&self) -> bool {
        self.loaded.is_empty() && self.problems.is_empty()
    }
}

fn find_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let list = |d: &Path| -> Vec<std::path::PathBuf> {
        let mut v: Vec<_> = std::fs::read_dir(d)
            .map(|e| e.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        v.sort();
        v
    };
    let yaml =
        |p: &Path| matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")) && p.is_file();
    let mut out = Vec::new();
    let folders: Vec<std::path::PathBuf> = if dir.join("decision.yaml").exists() {
        vec![dir.to_path_buf()]
    } else {
        list(dir).into_iter().filter(|p| p.is_dir() && p.join("decision.yaml").exists()).collect()
    };
    for f in folders {
        out.extend(list(&f.join("crosswalk")).into_iter().filter(|p| yaml(p)));
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Drafts

/// Proposes a crosswalk from `old` to `new` (decision keys), as YAML text for a maintainer to
/// finish: sets matched as [`diff::diff`] matches them (an old set left unmatched goes to the
/// new set whose name contains most of its words); criteria matched as in the diff; an option
/// is established by the old options of identical text. Everything else is proposed with a
/// `TODO` reason (a similar option, a criterion with another title, a criterion with no match:
/// `needs_new_evidence: "TODO …"`), which [`Crosswalk::check`] refuses until it is written.
/// With `set`, only that old set is drafted.
pub fn draft(catalog: &Catalog, old: &str, new: &str, set: Option<&str>) -> Result<String, Diagnostic> {
    let d = diff::diff(catalog, old, new)?;
    let (old, new) = (d.old.clone(), d.new.clone());
    let mut out = String::new();
    let q = |s: &str| serde_json::to_string(s).unwrap_or_default();
    let _ = writeln!(out, "# Crosswalk {old} → {new}: DRAFT from `ocop diff {old} {new} --crosswalk-draft`.");
    let _ = writeln!(
        out,
        "# Options of identical text are mapped; every TODO needs a maintainer (docs/diff.md)."
    );
    let _ = writeln!(out, "crosswalk:\n  from: {old}\n  to: {new}\nsets:");
    for s in &d.sets {
        let Some(from_set) = &s.old_set else { continue };
        if set.is_some_and(|x| x != from_set) {
            continue;
        }
        let to = s.new_set.clone().or_else(|| {
            let of = latest_form(catalog, &old, from_set)?;
            let words = diff::words(of.name_vi());
            catalog
                .forms_of(&new)
                .iter()
                .map(|f| (diff::containment(&words, &diff::words(f.name_vi())), f.set().to_string()))
                .filter(|(c, _)| *c >= 50)
                .max_by_key(|(c, set)| (*c, std::cmp::Reverse(set.clone())))
                .map(|(_, set)| set)
        });
        let _ = writeln!(out, "  {}:", q(from_set));
        let Some(to) = to else {
            let _ =
                writeln!(out, "    to: null\n    reason: {}", q(&format!("{TODO}: no set of {new} matches")));
            continue;
        };
        let _ = writeln!(out, "    to: {}", q(&to));
        let (Some(of), Some(nf)) = (latest_form(catalog, &old, from_set), latest_form(catalog, &new, &to))
        else {
            continue;
        };
        if normalise(of.name_vi()) != normalise(nf.name_vi()) {
            let _ = writeln!(
                out,
                "    reason: {}",
                q(&format!("{TODO}: «{}» → «{}»", of.name_vi(), nf.name_vi()))
            );
        }
        let _ = writeln!(out, "    criteria:");
        draft_set(&mut out, of, nf);
    }
    Ok(out)
}

fn draft_set(out: &mut String, of: &Form, nf: &Form) {
    let q = |s: &str| serde_json::to_string(s).unwrap_or_default();
    let pairs = diff::match_criteria(of, nf);
    let old_leaves: Vec<&Criterion> = of.leaves().collect();
    for (j, nc) in nf.leaves().enumerate() {
        let _ = writeln!(out, "      {}:", q(nc.id()));
        let Some(&(i, _, m, _)) = pairs.iter().find(|p| p.1 == j) else {
            let _ = writeln!(
                out,
                "        needs_new_evidence: {}",
                q(&format!(
                    "{TODO}: no criterion of set {} of {} matches «{}»",
                    of.set(),
                    of.decision().key(),
                    nc.title_vi()
                ))
            );
            continue;
        };
        let oc = old_leaves[i];
        let _ = writeln!(out, "        from: {}   # {m}", q(oc.id()));
        if normalise(oc.title_vi()) != normalise(nc.title_vi()) {
            let _ = writeln!(
                out,
                "        reason: {}",
                q(&format!("{TODO}: «{}» → «{}»", oc.title_vi(), nc.title_vi()))
            );
        }
        let _ = writeln!(out, "        options:");
        let (oo, no) = (of.options(oc), nf.options(nc));
        let opairs = diff::match_options(oo, no);
        for (k, nopt) in no.iter().enumerate() {
            let same: Vec<&str> = oo
                .iter()
                .filter(|o| normalise(o.text_vi()) == normalise(nopt.text_vi()))
                .map(|o| o.key())
                .collect();
            if !same.is_empty() {
                let _ = writeln!(out, "          {}: [{}]", q(nopt.key()), same.join(", "));
                continue;
            }
            match opairs.iter().find(|p| p.1 == k) {
                Some(&(oi, _, om)) => {
                    let oopt = &oo[oi];
                    let _ = writeln!(
                        out,
                        "          {}: {{keys: [{}], reason: {}}}",
                        q(nopt.key()),
                        oopt.key(),
                        q(&format!("{TODO} {om}: «{}» → «{}»", oopt.text_vi(), nopt.text_vi()))
                    );
                }
                None => {
                    let _ = writeln!(
                        out,
                        "          {}: {{keys: [], reason: {}}}",
                        q(nopt.key()),
                        q(&format!("{TODO}: no old option matches «{}»", nopt.text_vi()))
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn containment_counts_words_once() {
        let w = |s: &str| diff::words(s);
        assert_eq!(diff::containment(&w("chế biến từ thủy hải sản"), &w("chế biến từ thịt thủy sản")), 83);
        assert_eq!(diff::containment(&w("a a"), &w("a")), 50);
    }
}
