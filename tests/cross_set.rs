//! Cross-set consistency of the forms of each decision (issue 17, with issue 10 §4).
//!
//! Most criteria (2.3 labelling, 3.5 intellectual property, 4.1 distribution, 5.1 story, 6.x
//! sensory…) are printed in every set of a decision. Where one set differs from all the others it
//! is either the decision's own misprint (recorded in the rule file as an anomaly, ruling 5) or a
//! transcription slip (fixed in the rule file). This test compares the sets with each other.
//!
//! It reads the rule files under `rules/<decision>/` directly with `serde_yaml`, not through the
//! engine, so that it is independent of it. For each decision it groups the nodes of its forms:
//!
//! - parts by id (`A`, `B`, `C`);
//! - sections and criteria (at every depth) by id **and** normalised title. A node whose title is
//!   within a small edit distance of a larger group's title with the same id (a typo such as
//!   "CHẤT SẢN PHẨM" for "CHẤT LƯỢNG SẢN PHẨM") joins that group, and then shows up as a `title`
//!   outlier instead of hiding in a group of its own.
//!
//! Texts are normalised before comparison: lowercase, each run of punctuation together with the
//! spaces around it becomes one space, whitespace is collapsed (`<`, `>`, `=`, `%`, `+`, `≥`, `≤`
//! are kept: they carry meaning). The files are NFC (checked here), so no Unicode normalisation
//! is needed.
//!
//! For each group of at least [`MIN_GROUP`] forms it compares, per form: the title; for criteria
//! the option count and keys (`options`), each option's text, points, star marker and alternative
//! case, the 781 minimums (the form's `minimums:` entries on that criterion), `max`, `kind`,
//! `applies_if` (its condition), `stops` (condition and scope) and `requirement` (text and
//! condition). An option's aspects are compared among the forms that have that option key. For
//! each aspect the majority value is the one held by more than half of the forms compared; every
//! form that differs is an **outlier**. An aspect with no majority is listed as heterogeneous
//! (printed, not failing).
//!
//! Every outlier must be explained, else the test fails and lists all unexplained outliers at once:
//!
//! - by an anomaly recorded on that node in the rule file (on the option for option aspects, on
//!   the criterion, section or part otherwise) whose `field` fits the aspect (see
//!   [`fitting_fields`]); or
//! - by an entry of `tests/cross_set_allow.yaml` (decision, set, criterion, aspect, optional
//!   option, reason; set, criterion and aspect may be lists): a difference that is intended. An
//!   entry, or a set, criterion or aspect it lists, that matches no outlier fails too, so the list
//!   cannot go stale.
//!
//! Run with `cargo test --test cross_set -- --nocapture` to see the table of every outlier with
//! its verdict.

use serde_yaml::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The smallest group of forms that is compared.
const MIN_GROUP: usize = 3;

/// The longest value shown in the table.
const SHOW_CHARS: usize = 70;

// =============================================================================================
// The model: what is compared, per form
// =============================================================================================

/// The level of a node of a form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Level {
    Part,
    Section,
    Criterion,
}

/// One compared value of a node.
#[derive(Clone, Debug)]
struct Facet {
    /// `title`, `options`, `max`, `kind`, `applies_if`, `stops`, `requirement`, `minimums`,
    /// `text`, `points`, `star`, `case`.
    aspect: &'static str,
    /// The option key, for the aspects of an option.
    option: Option<String>,
    /// The value compared (normalised).
    value: String,
    /// The value as written, for the table.
    shown: String,
    /// The `field` of every anomaly recorded on the node holding the value (the option for the
    /// aspects of an option).
    anomaly_fields: BTreeSet<String>,
}

/// A part, section or criterion of one form.
#[derive(Clone, Debug)]
struct Node {
    level: Level,
    id: String,
    title: String,
    facets: Vec<Facet>,
}

impl Node {
    /// The node as named in the table and the allow-list: `part A`, `section 6`, `6.1`.
    fn label(&self) -> String {
        match self.level {
            Level::Part => format!("part {}", self.id),
            Level::Section => format!("section {}", self.id),
            Level::Criterion => self.id.clone(),
        }
    }
}

/// One form file, read into nodes.
#[derive(Clone, Debug)]
struct FormModel {
    decision: String,
    /// The two-digit set number.
    set: String,
    /// The file name without `.yaml` (a decision may have two versions of one set).
    file: String,
    nodes: Vec<Node>,
}

impl FormModel {
    /// The set, with the file when the decision has several files for it.
    fn shown_set(&self, ambiguous: &BTreeSet<String>) -> String {
        if ambiguous.contains(&self.set) { format!("{} ({})", self.set, self.file) } else { self.set.clone() }
    }
}

// =============================================================================================
// Normalisation
// =============================================================================================

/// Punctuation for the comparison: dropped with the spaces around it. Symbols that carry meaning
/// ([`is_kept_symbol`]) are not punctuation here.
fn is_punctuation(c: char) -> bool {
    (c.is_ascii_punctuation() && !is_kept_symbol(c))
        || matches!(c, '“' | '”' | '‘' | '’' | '–' | '—' | '…' | '«' | '»' | '•' | '·' | '□')
}

/// Symbols kept by the comparison: they carry meaning (`< 51%` is not `≥ 51%`).
fn is_kept_symbol(c: char) -> bool {
    matches!(c, '<' | '>' | '=' | '%' | '+' | '≥' | '≤')
}

/// Lowercase; each run of punctuation and the whitespace around it becomes one space; no space
/// next to a kept symbol (`<51 %` is `< 51%`); whitespace collapsed; trimmed.
fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars() {
        if c.is_whitespace() || is_punctuation(c) {
            pending_space = true;
            continue;
        }
        let glued = is_kept_symbol(c) || out.chars().last().is_some_and(is_kept_symbol);
        if pending_space && !out.is_empty() && !glued {
            out.push(' ');
        }
        pending_space = false;
        out.extend(c.to_lowercase());
    }
    out
}

/// Edit distance between two strings, in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = prev[j] + usize::from(ca != cb);
            cur[j + 1] = substitution.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// Two normalised titles close enough to be one title misprinted: at most two characters differ
/// ("KHẢ NĂNC" for "KHẢ NĂNG"), or one word is missing or added ("ĐẢM BẢO CHẤT SẢN PHẨM" for
/// "ĐẢM BẢO CHẤT LƯỢNG SẢN PHẨM"). A word replaced by another is a different title ("CÔNG BỐ
/// CHẤT LƯỢNG" is not "ĐẢM BẢO CHẤT LƯỢNG").
fn near_titles(a: &str, b: &str) -> bool {
    if a == b {
        return false;
    }
    if edit_distance(a, b) <= 2 {
        return true;
    }
    let wa: Vec<&str> = a.split(' ').collect();
    let wb: Vec<&str> = b.split(' ').collect();
    let (short, long) = if wa.len() < wb.len() { (&wa, &wb) } else { (&wb, &wa) };
    if long.len() != short.len() + 1 || short.len() < 2 {
        return false;
    }
    (0..long.len())
        .any(|skip| long.iter().enumerate().filter(|(i, _)| *i != skip).map(|(_, w)| w).eq(short.iter()))
}

/// A number as written, without trailing zeros after the decimal point (`1.0` → `1`).
fn number_text(v: &Value) -> String {
    let raw = match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().to_string(),
        Value::Null => return "(none)".into(),
        other => return format!("{other:?}"),
    };
    if raw.contains('.') && raw.chars().all(|c| c.is_ascii_digit() || c == '.') {
        raw.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        raw
    }
}

/// A scalar as text.
fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A condition (or any YAML value) in a canonical one-line form: mapping keys and list items
/// sorted (`in: [a, b]` is `in: [b, a]`; `all`/`any` are commutative).
fn canonical(v: &Value) -> String {
    match v {
        Value::Mapping(m) => {
            let mut items: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{}: {}", scalar(k).unwrap_or_else(|| canonical(k)), canonical(v)))
                .collect();
            items.sort();
            format!("{{{}}}", items.join(", "))
        }
        Value::Sequence(s) => {
            let mut items: Vec<String> = s.iter().map(canonical).collect();
            items.sort();
            format!("[{}]", items.join(", "))
        }
        Value::Tagged(t) => canonical(&t.value),
        Value::Null => "null".into(),
        other => scalar(other).unwrap_or_default(),
    }
}

/// Cuts a value for the table.
fn cut(text: &str) -> String {
    let count = text.chars().count();
    if count <= SHOW_CHARS {
        text.to_string()
    } else {
        let head: String = text.chars().take(SHOW_CHARS - 1).collect();
        format!("{head}…")
    }
}

// =============================================================================================
// Reading a rule file
// =============================================================================================

fn get<'v>(v: &'v Value, key: &str) -> Option<&'v Value> {
    v.as_mapping().and_then(|m| m.get(key))
}

fn text(v: &Value, key: &str) -> String {
    get(v, key).and_then(scalar).unwrap_or_default()
}

/// The map entries of `key` in `v`, in written order, with their keys as text.
fn entries<'v>(v: &'v Value, key: &str) -> Vec<(String, &'v Value)> {
    get(v, key)
        .and_then(Value::as_mapping)
        .map(|m| m.iter().filter_map(|(k, v)| scalar(k).map(|k| (k, v))).collect())
        .unwrap_or_default()
}

/// The `field` of every anomaly recorded on a node.
fn anomaly_fields(v: &Value) -> BTreeSet<String> {
    get(v, "anomalies")
        .and_then(Value::as_sequence)
        .map(|s| s.iter().map(|a| text(a, "field")).collect())
        .unwrap_or_default()
}

fn facet(
    aspect: &'static str,
    option: Option<&str>,
    value: String,
    shown: String,
    fields: &BTreeSet<String>,
) -> Facet {
    Facet { aspect, option: option.map(str::to_string), value, shown, anomaly_fields: fields.clone() }
}

/// A title facet: compared normalised, shown as written.
fn title_facet(title: &str, fields: &BTreeSet<String>) -> Facet {
    facet("title", None, normalise(title), title.to_string(), fields)
}

/// Reads a form document into the model. `Err` names what is missing.
fn read_form(decision: &str, file: &str, doc: &Value) -> Result<FormModel, String> {
    let form = get(doc, "form").ok_or_else(|| format!("{file}: no `form:` block"))?;
    let set = get(form, "set").and_then(scalar).ok_or_else(|| format!("{file}: no `form.set`"))?;
    let mut minimums: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for m in get(doc, "minimums").and_then(Value::as_sequence).map(Vec::as_slice).unwrap_or_default() {
        let mut entry = format!("{}★ ≥ {}", text(m, "stars"), text(m, "at_least"));
        if let Some(from) = get(m, "in_force_from").and_then(scalar) {
            let _ = write!(entry, " from {from}");
        }
        minimums.entry(text(m, "criterion")).or_default().push(entry);
    }
    let parts = entries(doc, "parts");
    if parts.is_empty() {
        return Err(format!("{file}: no parts"));
    }
    let mut nodes = Vec::new();
    for (pid, part) in parts {
        let fields = anomaly_fields(part);
        let title = text(part, "title_vi");
        nodes.push(Node {
            level: Level::Part,
            id: pid.clone(),
            facets: vec![title_facet(&title, &fields)],
            title,
        });
        for (sid, section) in entries(part, "sections") {
            let fields = anomaly_fields(section);
            let title = text(section, "title_vi");
            nodes.push(Node {
                level: Level::Section,
                id: sid.clone(),
                facets: vec![title_facet(&title, &fields)],
                title,
            });
            for (cid, c) in entries(section, "criteria") {
                read_criterion(&cid, c, &minimums, &mut nodes);
            }
        }
    }
    Ok(FormModel { decision: decision.to_string(), set, file: file.to_string(), nodes })
}

/// Reads a criterion and its nested criteria.
fn read_criterion(id: &str, c: &Value, minimums: &BTreeMap<String, Vec<String>>, nodes: &mut Vec<Node>) {
    let fields = anomaly_fields(c);
    let title = text(c, "title_vi");
    let options = entries(c, "options");
    let mut facets = vec![title_facet(&title, &fields)];
    let keys: Vec<&str> = options.iter().map(|(k, _)| k.as_str()).collect();
    let keys = if keys.is_empty() { "(none)".to_string() } else { keys.join(",") };
    facets.push(facet("options", None, keys.clone(), keys, &fields));
    let max = get(c, "max").map(number_text).unwrap_or_else(|| "(none)".into());
    facets.push(facet("max", None, max.clone(), max, &fields));
    let kind = get(c, "kind").and_then(scalar).unwrap_or_else(|| "pick".into());
    facets.push(facet("kind", None, kind.clone(), kind, &fields));
    let applies_if = get(c, "applies_if").map(|a| get(a, "when").map(canonical).unwrap_or_default());
    let applies_if = applies_if.unwrap_or_else(|| "(none)".into());
    facets.push(facet("applies_if", None, applies_if.clone(), applies_if, &fields));
    let stops = get(c, "stops").map(|s| {
        let when = get(s, "when").map(canonical).unwrap_or_default();
        format!("{when}, scope: {}", text(s, "scope"))
    });
    let stops = stops.unwrap_or_else(|| "(none)".into());
    facets.push(facet("stops", None, stops.clone(), stops, &fields));
    let (requirement, requirement_shown) = match get(c, "requirement") {
        Some(r) => {
            let when = get(r, "unmet_when").map(canonical).unwrap_or_default();
            let text_vi = text(r, "text_vi");
            (format!("{} unmet when {when}", normalise(&text_vi)), format!("{text_vi} unmet when {when}"))
        }
        None => ("(none)".to_string(), "(none)".to_string()),
    };
    facets.push(facet("requirement", None, requirement, requirement_shown, &fields));
    let mins = minimums.get(id).map(|m| m.join("; ")).unwrap_or_else(|| "(none)".into());
    facets.push(facet("minimums", None, mins.clone(), mins, &fields));
    for (key, o) in &options {
        let of = anomaly_fields(o);
        let k = Some(key.as_str());
        let text_vi = text(o, "text_vi");
        facets.push(facet("text", k, normalise(&text_vi), text_vi, &of));
        let points = get(o, "points").map(number_text).unwrap_or_else(|| "(none)".into());
        facets.push(facet("points", k, points.clone(), points, &of));
        let star =
            get(o, "star").and_then(scalar).map(|s| format!("{s}★")).unwrap_or_else(|| "no marker".into());
        facets.push(facet("star", k, star.clone(), star, &of));
        let case = get(o, "case").and_then(scalar).unwrap_or_else(|| "(none)".into());
        facets.push(facet("case", k, case.clone(), case, &of));
    }
    nodes.push(Node { level: Level::Criterion, id: id.to_string(), title, facets });
    for (child_id, child) in entries(c, "criteria") {
        read_criterion(&child_id, child, minimums, nodes);
    }
}

// =============================================================================================
// Grouping and comparing
// =============================================================================================

/// A form and one of its nodes.
type Member<'f> = (&'f FormModel, &'f Node);

/// A form and one of its compared values.
type Held<'f> = (&'f FormModel, &'f Facet);

/// The nodes of one kind printed in several forms of a decision.
struct Group<'f> {
    level: Level,
    id: String,
    /// The normalised title the group was formed on.
    title: String,
    /// (form, node) per form, one node per form.
    members: Vec<Member<'f>>,
}

/// Groups the nodes of the forms of one decision (see the module documentation).
fn group<'f>(forms: &'f [FormModel]) -> Vec<Group<'f>> {
    let mut by_key: BTreeMap<(Level, String, String), Vec<Member<'f>>> = BTreeMap::new();
    for form in forms {
        let mut seen = BTreeSet::new();
        for node in &form.nodes {
            let title = if node.level == Level::Part { String::new() } else { normalise(&node.title) };
            let key = (node.level, node.id.clone(), title);
            if seen.insert(key.clone()) {
                by_key.entry(key).or_default().push((form, node));
            }
        }
    }
    // Fold a small title group into a larger group of the same id whose title is near.
    let mut groups: Vec<Group<'f>> =
        by_key.into_iter().map(|((level, id, title), members)| Group { level, id, title, members }).collect();
    groups
        .sort_by(|a, b| (a.level, &a.id).cmp(&(b.level, &b.id)).then(b.members.len().cmp(&a.members.len())));
    let mut merged: Vec<Group<'f>> = Vec::new();
    for g in groups {
        let target = merged.iter_mut().find(|t| {
            t.level == g.level
                && t.id == g.id
                && t.members.len() > g.members.len()
                && t.members.len() + g.members.len() >= MIN_GROUP
                && near_titles(&t.title, &g.title)
                && g.members.iter().all(|(f, _)| t.members.iter().all(|(tf, _)| tf.file != f.file))
        });
        match target {
            Some(t) => t.members.extend(g.members),
            None => merged.push(g),
        }
    }
    merged
}

/// One form that differs from the majority of its group on one aspect.
#[derive(Clone, Debug)]
struct Outlier {
    decision: String,
    set: String,
    file: String,
    node: String,
    option: Option<String>,
    aspect: &'static str,
    value: String,
    majority: String,
    /// How many forms hold this outlier's value, of how many compared.
    share: (usize, usize),
    /// The anomaly fields recorded on the node holding the value.
    anomaly_fields: BTreeSet<String>,
}

/// An aspect of a group with no majority value.
#[derive(Clone, Debug)]
struct Heterogeneous {
    node: String,
    option: Option<String>,
    aspect: &'static str,
    /// value → sets holding it.
    spread: Vec<(String, Vec<String>)>,
}

/// The result of comparing the forms of one decision.
#[derive(Default, Debug)]
struct Comparison {
    groups: usize,
    outliers: Vec<Outlier>,
    heterogeneous: Vec<Heterogeneous>,
}

/// Compares every group of at least [`MIN_GROUP`] forms.
fn compare(forms: &[FormModel]) -> Comparison {
    let ambiguous: BTreeSet<String> = {
        let mut count: BTreeMap<&str, usize> = BTreeMap::new();
        for f in forms {
            *count.entry(f.set.as_str()).or_default() += 1;
        }
        count.into_iter().filter(|(_, n)| *n > 1).map(|(s, _)| s.to_string()).collect()
    };
    let mut out = Comparison::default();
    for g in group(forms) {
        if g.members.len() < MIN_GROUP {
            continue;
        }
        out.groups += 1;
        // (aspect, option) → [(form, facet)], in the order the aspects are first met.
        let mut order: Vec<(&'static str, Option<String>)> = Vec::new();
        let mut values: BTreeMap<(&'static str, Option<String>), Vec<Held<'_>>> = BTreeMap::new();
        for (form, node) in &g.members {
            for f in &node.facets {
                let key = (f.aspect, f.option.clone());
                if !values.contains_key(&key) {
                    order.push(key.clone());
                }
                values.entry(key).or_default().push((*form, f));
            }
        }
        let label = g.members[0].1.label();
        for key in order {
            let held = &values[&key];
            if held.len() < MIN_GROUP {
                continue;
            }
            let mut count: BTreeMap<&str, usize> = BTreeMap::new();
            for (_, f) in held {
                *count.entry(f.value.as_str()).or_default() += 1;
            }
            let majority = count.iter().find(|(_, n)| **n * 2 > held.len()).map(|(v, _)| *v);
            let Some(majority) = majority else {
                let mut spread: BTreeMap<&str, Vec<String>> = BTreeMap::new();
                for (form, f) in held {
                    spread.entry(f.shown.as_str()).or_default().push(form.shown_set(&ambiguous));
                }
                out.heterogeneous.push(Heterogeneous {
                    node: label.clone(),
                    option: key.1.clone(),
                    aspect: key.0,
                    spread: spread.into_iter().map(|(v, s)| (v.to_string(), s)).collect(),
                });
                continue;
            };
            let majority_shown = held
                .iter()
                .find(|(_, f)| f.value == majority)
                .map(|(_, f)| f.shown.clone())
                .unwrap_or_default();
            for (form, f) in held.iter().filter(|(_, f)| f.value != majority) {
                out.outliers.push(Outlier {
                    decision: form.decision.clone(),
                    set: form.shown_set(&ambiguous),
                    file: form.file.clone(),
                    node: label.clone(),
                    option: key.1.clone(),
                    aspect: key.0,
                    value: f.shown.clone(),
                    majority: majority_shown.clone(),
                    share: (count.get(f.value.as_str()).copied().unwrap_or(0), held.len()),
                    anomaly_fields: f.anomaly_fields.clone(),
                });
            }
        }
    }
    out
}

// =============================================================================================
// Explaining outliers
// =============================================================================================

/// The anomaly fields that explain a difference on an aspect.
fn fitting_fields(aspect: &str) -> &'static [&'static str] {
    match aspect {
        "title" => &["title", "heading"],
        "options" => &["options"],
        "kind" => &["kind", "options"],
        "text" => &["text"],
        "star" => &["star"],
        "points" => &["points"],
        "max" => &["max"],
        "case" => &["case"],
        "applies_if" => &["applies_if"],
        "stops" => &["stops"],
        "requirement" => &["requirement"],
        "minimums" => &["minimums"],
        _ => &[],
    }
}

/// An entry of `tests/cross_set_allow.yaml`: a difference between sets that is intended.
#[derive(Clone, Debug)]
struct Allow {
    decision: String,
    /// The sets: set numbers, or file names (without `.yaml`) when a decision has two files for a
    /// set. One entry may name several sets that differ from the majority in the same way.
    sets: Vec<String>,
    /// The nodes: criterion ids, `section N` or `part X` (one, or several with the same reason).
    criteria: Vec<String>,
    /// The aspects; `all` when the set prints a criterion of its own under that number and title.
    aspects: Vec<String>,
    /// The option key, for an option's aspect; absent: every option of the criterion.
    option: Option<String>,
    reason: String,
}

impl Allow {
    /// The listed set, node and aspect that match the outlier, if the entry covers it.
    fn matches(&self, o: &Outlier) -> Option<[String; 3]> {
        if self.decision != o.decision || !self.criteria.contains(&o.node) {
            return None;
        }
        if self.option.is_some() && self.option != o.option {
            return None;
        }
        let set = self.sets.iter().find(|s| {
            **s == o.set
                || **s == o.file
                || o.set.strip_prefix(s.as_str()).is_some_and(|r| r.starts_with(" ("))
        })?;
        let aspect = self.aspects.iter().find(|a| *a == "all" || *a == o.aspect)?;
        Some([set.clone(), o.node.clone(), aspect.clone()])
    }

    fn shown(&self) -> String {
        format!(
            "{} set {} {} {} {}: {}",
            self.decision,
            self.sets.join(","),
            self.criteria.join(","),
            self.option.as_deref().unwrap_or("-"),
            self.aspects.join(","),
            self.reason
        )
    }
}

/// A field holding one text or a list of texts.
fn texts(item: &Value, key: &str) -> Option<Vec<String>> {
    match get(item, key)? {
        Value::Sequence(s) => {
            let v: Vec<String> = s.iter().filter_map(scalar).map(|t| t.trim().to_string()).collect();
            (v.len() == s.len() && !v.is_empty()).then_some(v)
        }
        other => scalar(other).map(|t| vec![t.trim().to_string()]),
    }
}

/// Reads the allow-list. `Err` lists every malformed entry.
fn read_allow(doc: &Value) -> Result<Vec<Allow>, String> {
    let Some(items) = get(doc, "allow").and_then(Value::as_sequence) else {
        return Err("the allow-list has no `allow:` list".into());
    };
    let known = ["decision", "set", "criterion", "aspect", "option", "reason"];
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let one = |k: &str| get(item, k).and_then(scalar).map(|s| s.trim().to_string());
        if let Some(m) = item.as_mapping() {
            for k in m.keys().filter_map(scalar) {
                if !known.contains(&k.as_str()) {
                    errors.push(format!("entry {i}: unknown field `{k}` (valid: {})", known.join(", ")));
                }
            }
        }
        match (
            one("decision"),
            texts(item, "set"),
            texts(item, "criterion"),
            texts(item, "aspect"),
            one("reason"),
        ) {
            (Some(decision), Some(sets), Some(criteria), Some(aspects), Some(reason))
                if !reason.is_empty() =>
            {
                for a in aspects.iter().filter(|a| *a != "all" && fitting_fields(a).is_empty()) {
                    errors.push(format!("entry {i}: unknown aspect `{a}`"));
                }
                out.push(Allow { decision, sets, criteria, aspects, option: one("option"), reason });
            }
            _ => errors
                .push(format!("entry {i}: needs decision, set, criterion, aspect and a non-empty reason")),
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(errors.join("\n")) }
}

/// How an outlier is explained.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Verdict {
    /// An anomaly on the node, with this field.
    Anomaly(String),
    /// An allow-list entry (its index), with the set, node and aspect it listed.
    Allowed(usize, [String; 3]),
    Unexplained,
}

impl Verdict {
    fn shown(&self) -> String {
        match self {
            Verdict::Anomaly(field) => format!("anomaly ({field})"),
            Verdict::Allowed(..) => "allowed".into(),
            Verdict::Unexplained => "UNEXPLAINED".into(),
        }
    }
}

fn verdict(o: &Outlier, allow: &[Allow]) -> Verdict {
    if let Some(field) = fitting_fields(o.aspect).iter().find(|f| o.anomaly_fields.contains(**f)) {
        return Verdict::Anomaly((*field).to_string());
    }
    allow
        .iter()
        .enumerate()
        .find_map(|(i, a)| a.matches(o).map(|listed| Verdict::Allowed(i, listed)))
        .unwrap_or(Verdict::Unexplained)
}

/// What each allow-list entry matched: its index → the sets, nodes and aspects it listed that
/// matched an outlier.
type Used = BTreeMap<usize, [BTreeSet<String>; 3]>;

/// The entries, or the sets, nodes and aspects of an entry, that matched no outlier.
fn stale(allow: &[Allow], used: &Used) -> Vec<String> {
    let mut out = Vec::new();
    for (i, a) in allow.iter().enumerate() {
        let Some([sets, nodes, aspects]) = used.get(&i) else {
            out.push(a.shown());
            continue;
        };
        let idle = |listed: &[String], seen: &BTreeSet<String>| -> String {
            listed.iter().filter(|x| !seen.contains(*x)).map(String::as_str).collect::<Vec<_>>().join(",")
        };
        let (idle_sets, idle_nodes, idle_aspects) =
            (idle(&a.sets, sets), idle(&a.criteria, nodes), idle(&a.aspects, aspects));
        if !idle_sets.is_empty() || !idle_nodes.is_empty() || !idle_aspects.is_empty() {
            out.push(format!(
                "{} (no outlier for set(s) [{idle_sets}] criteria [{idle_nodes}] aspect(s) [{idle_aspects}])",
                a.shown()
            ));
        }
    }
    out
}

/// The table of a decision's outliers with their verdicts, and the unexplained ones.
fn report(decision: &str, c: &Comparison, allow: &[Allow], used: &mut Used) -> (String, Vec<String>) {
    let mut table = String::new();
    let mut unexplained = Vec::new();
    let mut anomalies = 0;
    let _ = writeln!(
        table,
        "\n== {decision}: {} groups of ≥ {MIN_GROUP} forms, {} outliers, {} heterogeneous aspects",
        c.groups,
        c.outliers.len(),
        c.heterogeneous.len()
    );
    let _ = writeln!(
        table,
        "{:<14} | {:<12} | {:<4} | {:<11} | {:<5} | verdict | value  ⟂  majority",
        "set", "node", "opt", "aspect", "held"
    );
    for o in &c.outliers {
        let v = verdict(o, allow);
        if let Verdict::Allowed(i, listed) = &v {
            let entry = used.entry(*i).or_default();
            for (seen, value) in entry.iter_mut().zip(listed) {
                seen.insert(value.clone());
            }
        }
        let line = format!(
            "{:<14} | {:<12} | {:<4} | {:<11} | {:<5} | {} | {}  ⟂  {}",
            o.set,
            o.node,
            o.option.as_deref().unwrap_or("-"),
            o.aspect,
            format!("{}/{}", o.share.0, o.share.1),
            v.shown(),
            cut(&o.value),
            cut(&o.majority)
        );
        match v {
            Verdict::Unexplained => unexplained.push(format!("{decision}: {line}")),
            Verdict::Anomaly(_) => anomalies += 1,
            Verdict::Allowed(..) => {}
        }
        let _ = writeln!(table, "{line}");
    }
    for h in &c.heterogeneous {
        let spread: Vec<String> =
            h.spread.iter().map(|(v, sets)| format!("{} [{}]", cut(v), sets.join(" "))).collect();
        let _ = writeln!(
            table,
            "heterogeneous: {} {} {}: {}",
            h.node,
            h.option.as_deref().unwrap_or("-"),
            h.aspect,
            spread.join(" | ")
        );
    }
    let _ = writeln!(
        table,
        "{decision}: {} outliers: {anomalies} recorded as anomalies, {} allowed, {} unexplained",
        c.outliers.len(),
        c.outliers.len() - anomalies - unexplained.len(),
        unexplained.len()
    );
    (table, unexplained)
}

// =============================================================================================
// The shipped rule files
// =============================================================================================

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn load_yaml(path: &Path) -> Result<Value, String> {
    let bytes = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_yaml::from_str(&bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// Every form of every decision folder under `rules/`, by decision key.
fn shipped_forms() -> Result<BTreeMap<String, Vec<FormModel>>, String> {
    let mut out = BTreeMap::new();
    let rules = root().join("rules");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&rules)
        .map_err(|e| format!("{}: {e}", rules.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let mut errors = Vec::new();
    for dir in dirs {
        let decision = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "yaml"))
            .filter(|p| p.file_name().is_some_and(|n| n != "decision.yaml"))
            .collect();
        files.sort();
        let mut forms = Vec::new();
        for path in files {
            let raw = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            if raw.chars().any(|c| ('\u{0300}'..='\u{036F}').contains(&c)) {
                errors.push(format!(
                    "{}: combining marks found: the comparison assumes precomposed (NFC) text",
                    path.display()
                ));
            }
            let stem = path.file_stem().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            match load_yaml(&path).and_then(|doc| read_form(&decision, &stem, &doc)) {
                Ok(f) => forms.push(f),
                Err(e) => errors.push(e),
            }
        }
        out.insert(decision, forms);
    }
    if errors.is_empty() { Ok(out) } else { Err(errors.join("\n")) }
}

#[test]
fn every_cross_set_difference_is_explained() {
    let forms = shipped_forms().unwrap_or_else(|e| panic!("{e}"));
    assert!(forms.len() >= 3, "expected the shipped decisions, found {:?}", forms.keys().collect::<Vec<_>>());
    let allow_doc = load_yaml(&root().join("tests/cross_set_allow.yaml")).unwrap_or_else(|e| panic!("{e}"));
    let allow = read_allow(&allow_doc).unwrap_or_else(|e| panic!("tests/cross_set_allow.yaml:\n{e}"));
    let mut used = Used::new();
    let mut unexplained = Vec::new();
    let mut summary = String::from("\n== summary");
    for (decision, forms) in &forms {
        assert!(forms.len() >= MIN_GROUP, "{decision}: only {} forms", forms.len());
        let c = compare(forms);
        let (table, missing) = report(decision, &c, &allow, &mut used);
        println!("{table}");
        let _ = write!(
            summary,
            "\n{decision}: {} forms, {} groups, {} outliers ({} unexplained), {} heterogeneous aspects",
            forms.len(),
            c.groups,
            c.outliers.len(),
            missing.len(),
            c.heterogeneous.len()
        );
        unexplained.extend(missing);
    }
    println!("{summary}");
    let stale = stale(&allow, &used);
    assert!(
        unexplained.is_empty() && stale.is_empty(),
        "{} unexplained outlier(s) (record an anomaly on the node in the rule file, fix the transcription, or \
         allow an intended difference in tests/cross_set_allow.yaml):\n{}\n{} allow-list entr(ies) matching no outlier:\n{}",
        unexplained.len(),
        unexplained.join("\n"),
        stale.len(),
        stale.join("\n")
    );
}

// =============================================================================================
// The check itself, on small in-memory forms
// =============================================================================================

/// A three-part form with one criterion 2.3 whose option a reads `text_a` and whose option b is
/// marked `star_b`, and a part B titled `part_b`.
fn tiny_form(set: &str, text_a: &str, star_b: &str, part_b: &str, anomaly: &str) -> FormModel {
    let yaml = format!(
        r#"
form: {{decision: test, set: "{set}"}}
parts:
  A:
    title_vi: SẢN PHẨM
    sections:
      "2":
        title_vi: PHÁT TRIỂN SẢN PHẨM
        criteria:
          "2.3":
            title_vi: Phong cách, ghi nhãn hàng hóa
            max: 2
            options:
              a: {{points: 1, text_vi: "{text_a}"{anomaly}}}
              b: {{points: 2, text_vi: "Ghi nhãn đầy đủ"{star_b}}}
  B:
    title_vi: {part_b}
    sections: {{}}
"#
    );
    let doc: Value = serde_yaml::from_str(&yaml).unwrap_or_else(|e| panic!("{e}\n{yaml}"));
    read_form("test", &format!("{set}-tiny"), &doc).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn an_unexplained_outlier_is_caught_and_an_anomaly_or_allow_entry_explains_it() {
    let label = "Có nhãn, ghi nhãn hàng hóa đầy đủ";
    let forms = vec![
        tiny_form("01", label, ", star: 4", "KHẢ NĂNG TIẾP THỊ", ""),
        // Spacing and punctuation do not count as a difference.
        tiny_form("02", "Có  nhãn , ghi nhãn hàng hóa đầy đủ.", ", star: 4", "KHẢ NĂNG TIẾP THỊ", ""),
        tiny_form("03", "Nhãn hiệu được bảo hộ", "", "KHẢ NĂNC TIẾP THỊ", ""),
    ];
    let c = compare(&forms);
    let found: Vec<(String, String, Option<String>, &str)> =
        c.outliers.iter().map(|o| (o.set.clone(), o.node.clone(), o.option.clone(), o.aspect)).collect();
    assert_eq!(
        found,
        [
            ("03".to_string(), "part B".to_string(), None, "title"),
            ("03".to_string(), "2.3".to_string(), Some("a".to_string()), "text"),
            ("03".to_string(), "2.3".to_string(), Some("b".to_string()), "star"),
        ],
        "{:#?}",
        c.outliers
    );
    let mut used = Used::new();
    let (table, unexplained) = report("test", &c, &[], &mut used);
    assert_eq!(unexplained.len(), 3, "{table}");
    assert!(table.contains("UNEXPLAINED") && table.contains("no marker  ⟂  4★"), "{table}");

    // An anomaly of a fitting field on the option explains its text; an allow-list entry the
    // marker; the title stays unexplained. An anomaly of another field explains nothing.
    let recorded = ", anomalies: [{field: text, printed: x, applied: x, reason: r}]";
    let mut forms = forms;
    forms[2] = tiny_form("03", "Nhãn hiệu được bảo hộ", "", "KHẢ NĂNC TIẾP THỊ", recorded);
    let allow = read_allow(
        &serde_yaml::from_str(
            "allow: [{decision: test, set: \"03\", criterion: \"2.3\", option: b, aspect: star, reason: intended}]",
        )
        .unwrap_or_else(|e| panic!("{e}")),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let c = compare(&forms);
    let verdicts: Vec<Verdict> = c.outliers.iter().map(|o| verdict(o, &allow)).collect();
    assert_eq!(
        verdicts,
        [
            Verdict::Unexplained,
            Verdict::Anomaly("text".into()),
            Verdict::Allowed(0, ["03".into(), "2.3".into(), "star".into()])
        ]
    );
    let mut used = Used::new();
    let _ = report("test", &c, &allow, &mut used);
    assert!(stale(&allow, &used).is_empty());
    // An entry listing a set or an aspect with no outlier is stale.
    let wide = read_allow(
        &serde_yaml::from_str(
            "allow: [{decision: test, set: [\"03\", \"02\"], criterion: \"2.3\", aspect: [star, max], reason: r}]",
        )
        .unwrap_or_else(|e| panic!("{e}")),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut used = Used::new();
    let _ = report("test", &c, &wide, &mut used);
    let idle = stale(&wide, &used);
    assert!(idle.len() == 1 && idle[0].contains("set(s) [02] criteria [] aspect(s) [max]"), "{idle:?}");
    let wrong = ", anomalies: [{field: points, printed: x, applied: x, reason: r}]";
    forms[2] = tiny_form("03", "Nhãn hiệu được bảo hộ", "", "KHẢ NĂNG TIẾP THỊ", wrong);
    let c = compare(&forms);
    let verdicts: Vec<Verdict> = c.outliers.iter().map(|o| verdict(o, &[])).collect();
    assert_eq!(verdicts, [Verdict::Unexplained, Verdict::Unexplained]);
}

#[test]
fn no_majority_is_heterogeneous_not_an_outlier() {
    let forms = vec![
        tiny_form("01", "Một", "", "B", ""),
        tiny_form("02", "Hai", "", "B", ""),
        tiny_form("03", "Ba", "", "B", ""),
        tiny_form("04", "Ba", "", "B", ""),
    ];
    let c = compare(&forms);
    assert!(c.outliers.is_empty(), "{:#?}", c.outliers);
    assert_eq!(c.heterogeneous.len(), 1);
    assert_eq!((c.heterogeneous[0].node.as_str(), c.heterogeneous[0].aspect), ("2.3", "text"));
}

#[test]
fn normalisation_and_near_titles() {
    assert_eq!(normalise("  Có rất ít tạp chất,  chấp nhận được. "), "có rất ít tạp chất chấp nhận được");
    assert_eq!(normalise("hữu cơ- Organic"), normalise("hữu cơ - Organic"));
    assert_eq!(normalise("(GlobalGAP, hữu cơ,...)"), "globalgap hữu cơ");
    assert_ne!(normalise("≥ 51%"), normalise("< 51%"));
    assert_eq!(normalise("vốn góp <51 %"), normalise("vốn góp < 51%"));
    assert!(near_titles(&normalise("ĐẢM BẢO CHẤT SẢN PHẨM"), &normalise("ĐẢM BẢO CHẤT LƯỢNG SẢN PHẨM")));
    assert!(!near_titles(&normalise("Màu sắc"), &normalise("Mùi")));
    assert!(!near_titles(&normalise("Vị"), &normalise("Vị")));
    assert!(near_titles(&normalise("KHẢ NĂNC TIẾP THỊ"), &normalise("KHẢ NĂNG TIẾP THỊ")));
    assert!(!near_titles(
        &normalise("CÔNG BỐ CHẤT LƯỢNG SẢN PHẨM"),
        &normalise("ĐẢM BẢO CHẤT LƯỢNG SẢN PHẨM")
    ));
    assert_eq!(number_text(&serde_yaml::from_str::<Value>("2.50").unwrap_or(Value::Null)), "2.5");
    let a: Value = serde_yaml::from_str("{answer: \"5.1\", not_in: [a, none]}").unwrap_or(Value::Null);
    let b: Value = serde_yaml::from_str("{not_in: [none, a], answer: \"5.1\"}").unwrap_or(Value::Null);
    assert_eq!(canonical(&a), canonical(&b));
}
