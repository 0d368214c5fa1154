//! Independent transcription audit: every shipped form against the reference transcriptions.
//!
//! The rule files were first produced from the neutral-format reference transcriptions in
//! `reference/{26-2026,148-2023,1048-781}/` by converter scripts (since retired) and are now
//! maintained by hand. This test trusts neither: it reads the reference YAML itself, reads the
//! *compiled* forms through the public API of the library (`Catalog::embedded`), brings both into
//! one small neutral model and compares them field by field: parts and their maxima, sections,
//! criterion ids (the form's own numbering), placement (section, parent group), criterion maxima,
//! kinds (single, yes/no, cumulative, alternatives, group), option keys and points, star markers
//! and class minimums.
//!
//! A rule file may deliberately differ from the reference, but only on the record: each difference
//! must be explained by an anomaly recorded on that node (`anomalies:` in the rule file, printed and
//! applied value agreeing with the two sides), by a correction from the decision's own text recorded
//! in such an anomaly (1048: "the text wins" over the secondary reference copy), or, for the 781
//! minimums of 1048, by the structured transcription of the 781 table in `NOTES-1048-781.md`. A form
//! that has no reference YAML (the original 1048 tourism form) is audited against the decision text
//! in the reference folder's `source/*.txt`, parsed here independently.
//!
//! Where the reference lives: `reference/` in the repository (beside `rules/`; see
//! `reference/README.md`). It is part of the source: when it is missing the audit fails, there is
//! no way to skip it. Run with `-- --nocapture` to see the summary table.

use ocop_rating::{Anomaly, Catalog, CriterionKind, Form, MinimumOrigin};
use serde_yaml::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Rule decision key → reference folder. Every shipped decision must be listed: a decision the
/// audit does not know is a failure, not a silent skip.
const REFERENCE_FOLDERS: &[(&str, &str)] =
    &[("26-2026", "26-2026"), ("148-2023", "148-2023"), ("1048-2019", "1048-781")];

// =============================================================================================
// The neutral model both sides are read into
// =============================================================================================

/// How a criterion is answered. The reference's `yes_no_unprinted` (a maximum with no printed
/// options) is the DSL's `yes_no`; a `single` criterion with cases is "alternatives".
#[derive(Clone, Debug, PartialEq, Eq)]
enum Kind {
    Single,
    YesNo,
    Cumulative,
    Alternatives,
    Group,
    Other(String),
}

impl Kind {
    fn name(&self) -> String {
        match self {
            Kind::Single => "single".into(),
            Kind::YesNo => "yes-no".into(),
            Kind::Cumulative => "cumulative".into(),
            Kind::Alternatives => "alternatives".into(),
            Kind::Group => "group".into(),
            Kind::Other(s) => format!("unknown kind `{s}`"),
        }
    }
}

/// A printed number: its value in hundredths of a point (none when the cell is empty or
/// unreadable) and its printed form, kept to match an anomaly's `printed`.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Printed {
    value: Option<i64>,
    text: String,
}

impl Printed {
    fn number(hundredths: i64) -> Printed {
        Printed { value: Some(hundredths), text: show_hundredths(hundredths) }
    }

    fn shown(&self) -> String {
        if self.text.is_empty() { "(empty cell)".into() } else { self.text.clone() }
    }
}

#[derive(Clone, Debug)]
struct OptionM {
    key: String,
    points: Printed,
    star: Option<u8>,
    /// The alternative case, as the index of its first appearance among the criterion's options
    /// (labels differ between sources: `a`/`b`, `1`/`2`; the grouping is what matters).
    case: Option<usize>,
}

#[derive(Clone, Debug)]
struct CriterionM {
    id: String,
    /// The DSL path of the node, as in anomalies and diagnostics.
    path: String,
    part: String,
    section: String,
    parent: Option<String>,
    /// `None`: the source prints no maximum for it (only derived), so it is not compared.
    max: Option<Printed>,
    kind: Kind,
    /// A star marker printed on the criterion's title rather than on an option (148 copy).
    title_star: Option<u8>,
    options: Vec<OptionM>,
}

#[derive(Clone, Debug)]
struct SectionM {
    id: String,
    path: String,
    max: Option<Printed>,
}

#[derive(Clone, Debug)]
struct PartM {
    id: String,
    path: String,
    max: Option<Printed>,
    sections: Vec<SectionM>,
}

/// One class minimum: for class `stars`, criterion `criterion` needs at least option `option`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct MinimumM {
    stars: u8,
    criterion: String,
    option: String,
}

#[derive(Clone, Debug, Default)]
struct Model {
    parts: Vec<PartM>,
    criteria: Vec<CriterionM>,
    minimums: BTreeSet<MinimumM>,
}

impl Model {
    fn criterion(&self, id: &str) -> Option<&CriterionM> {
        self.criteria.iter().find(|c| c.id == id)
    }
}

// =============================================================================================
// Paths (the DSL's spelling, so that anomalies can be attributed by path)
// =============================================================================================

/// Whether the DSL prints a key bare (`A`, `options`) or quoted (`"1.1"`); mirrors the library's
/// path display so that paths built here equal the ones recorded on anomalies.
fn is_plain(key: &str) -> bool {
    key.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn seg(key: &str) -> String {
    if is_plain(key) { key.to_string() } else { format!("{key:?}") }
}

fn part_path(part: &str) -> String {
    format!("parts.{}", seg(part))
}

fn section_path(part: &str, section: &str) -> String {
    format!("{}.sections.{}", part_path(part), seg(section))
}

/// The path of a criterion given its ancestors (outermost first).
fn criterion_path(part: &str, section: &str, lineage: &[&str]) -> String {
    let mut p = section_path(part, section);
    for id in lineage {
        let _ = write!(p, ".criteria.{}", seg(id));
    }
    p
}

fn option_path(criterion_path: &str, key: &str) -> String {
    format!("{criterion_path}.options.{}", seg(key))
}

// =============================================================================================
// Numbers
// =============================================================================================

/// `3`, `2.5`, `0.25` from hundredths.
fn show_hundredths(h: i64) -> String {
    let (whole, cents) = (h / 100, (h % 100).abs());
    match cents {
        0 => whole.to_string(),
        c if c % 10 == 0 => format!("{whole}.{}", c / 10),
        c => format!("{whole}.{c:02}"),
    }
}

/// A decimal with at most two places (`3`, `0.5`) as hundredths; anything else is not a number.
fn parse_hundredths(text: &str) -> Option<i64> {
    let t = text.trim();
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || frac.len() > 2 {
        return None;
    }
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let cents = format!("{frac:0<2}").parse::<i64>().ok()?;
    Some(whole.parse::<i64>().ok()? * 100 + cents)
}

/// A YAML number as hundredths (exact: a value with more than two decimals is not accepted).
fn yaml_hundredths(v: &Value) -> Option<i64> {
    if let Some(i) = v.as_i64() {
        return Some(i * 100);
    }
    let f = v.as_f64()?;
    let h = (f * 100.0).round();
    ((f * 100.0 - h).abs() < 1e-9).then_some(h as i64)
}

// =============================================================================================
// Reading the reference YAML (26-2026, 148-2023 and 1048-781 share one neutral format)
// =============================================================================================

fn text_of(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn seq(v: &Value, key: &str) -> Vec<Value> {
    v.get(key).and_then(Value::as_sequence).cloned().unwrap_or_default()
}

/// An option's points as the reference gives them: a number, or `null` with the unreadable cell
/// kept in `points_in_source_vi` (148 copy) or nothing at all (an empty cell).
fn reference_points(o: &Value) -> Printed {
    match o.get("points").and_then(yaml_hundredths) {
        Some(h) => Printed::number(h),
        None => Printed { value: None, text: text_of(o.get("points_in_source_vi")).unwrap_or_default() },
    }
}

/// The printed maximum of a node: `max_points` only. A `max_points_derived` (1048 sections and
/// groups) is the transcriber's sum, not a printed value, so it is not audited.
fn reference_max(v: &Value) -> Option<Printed> {
    v.get("max_points").map(|m| match yaml_hundredths(m) {
        Some(h) => Printed::number(h),
        None => Printed { value: None, text: text_of(Some(m)).unwrap_or_default() },
    })
}

/// The parent group of a reference criterion: `parent: '6.1'` (26/148) or
/// `parent_vi: "6.1. Ngoại hình"` (1048, where the group row itself is not a criterion).
fn reference_parent(c: &Value) -> Option<String> {
    if let Some(p) = text_of(c.get("parent")) {
        return Some(p);
    }
    let label = text_of(c.get("parent_vi"))?;
    let number = label.split_whitespace().next()?.trim_end_matches('.');
    Some(number.to_string())
}

/// The reference's kind, with cases making a single-choice criterion "alternatives".
fn reference_kind(c: &Value, options: &[OptionM]) -> Kind {
    let has_cases = c.get("cases").is_some_and(|v| !v.is_null())
        || c.get("alternative_cases").and_then(Value::as_bool) == Some(true)
        || options.iter().any(|o| o.case.is_some());
    match text_of(c.get("kind")).as_deref() {
        Some("single") if has_cases => Kind::Alternatives,
        Some("single") => Kind::Single,
        Some("yes_no_unprinted") => Kind::YesNo,
        Some("group") => Kind::Group,
        Some("cumulative" | "multi") => Kind::Cumulative,
        other => Kind::Other(other.unwrap_or("(none)").to_string()),
    }
}

/// Numbers cases by first appearance, whatever their labels.
fn case_indices<'a>(labels: impl Iterator<Item = Option<&'a str>>) -> Vec<Option<usize>> {
    let mut seen: Vec<&str> = Vec::new();
    labels
        .map(|l| {
            l.map(|l| {
                seen.iter().position(|s| *s == l).unwrap_or_else(|| {
                    seen.push(l);
                    seen.len() - 1
                })
            })
        })
        .collect()
}

fn reference_options(c: &Value) -> Vec<OptionM> {
    let raw = seq(c, "options");
    let labels: Vec<Option<String>> = raw.iter().map(|o| text_of(o.get("case"))).collect();
    let cases = case_indices(labels.iter().map(|l| l.as_deref()));
    raw.iter()
        .zip(cases)
        .map(|(o, case)| OptionM {
            key: text_of(o.get("key")).unwrap_or_default(),
            points: reference_points(o),
            star: o.get("star_marker").and_then(Value::as_u64).map(|s| s as u8),
            case,
        })
        .collect()
}

/// `min_option_for_stars: {4: c, 5: d}` of every criterion.
fn reference_minimums(id: &str, c: &Value) -> Vec<MinimumM> {
    let Some(map) = c.get("min_option_for_stars").and_then(Value::as_mapping) else { return Vec::new() };
    map.iter()
        .filter_map(|(stars, key)| {
            Some(MinimumM {
                stars: u8::try_from(stars.as_u64()?).ok()?,
                criterion: id.to_string(),
                option: text_of(Some(key))?,
            })
        })
        .collect()
}

/// Reads one reference form into the model. 1048 groups exist only as `parent_vi` labels of
/// their children; they are added as group criteria (maximum not printed in the copy).
fn reference_model(doc: &Value) -> Result<Model, String> {
    let mut model = Model::default();
    for p in seq(doc, "parts") {
        let pid = text_of(p.get("part")).ok_or("a part without `part`")?;
        let mut part =
            PartM { id: pid.clone(), path: part_path(&pid), max: reference_max(&p), sections: Vec::new() };
        for s in seq(&p, "sections") {
            let sid = text_of(s.get("id")).ok_or_else(|| format!("a section of part {pid} without `id`"))?;
            part.sections.push(SectionM {
                id: sid.clone(),
                path: section_path(&pid, &sid),
                max: reference_max(&s),
            });
            for c in seq(&s, "criteria") {
                read_reference_criterion(&mut model, &c, &pid, &sid)?;
            }
        }
        model.parts.push(part);
    }
    Ok(model)
}

fn read_reference_criterion(model: &mut Model, c: &Value, pid: &str, sid: &str) -> Result<(), String> {
    let id = text_of(c.get("id")).ok_or_else(|| format!("a criterion of section {sid} without `id`"))?;
    let parent = reference_parent(c);
    if let Some(group) = &parent
        && model.criterion(group).is_none()
    {
        model.criteria.push(CriterionM {
            id: group.clone(),
            path: criterion_path(pid, sid, &[group.as_str()]),
            part: pid.to_string(),
            section: sid.to_string(),
            parent: None,
            max: None,
            kind: Kind::Group,
            title_star: None,
            options: Vec::new(),
        });
    }
    let options = reference_options(c);
    let lineage: Vec<&str> = parent.iter().map(String::as_str).chain([id.as_str()]).collect();
    model.minimums.extend(reference_minimums(&id, c));
    model.criteria.push(CriterionM {
        path: criterion_path(pid, sid, &lineage),
        part: pid.to_string(),
        section: sid.to_string(),
        max: reference_max(c),
        kind: reference_kind(c, &options),
        title_star: c.get("star_marker_on_criterion").and_then(Value::as_u64).map(|s| s as u8),
        parent,
        options,
        id,
    });
    Ok(())
}

// =============================================================================================
// Reading a compiled form (public API only)
// =============================================================================================

/// Where an anomaly sits: which node of the form carries it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Node {
    Form,
    Part(String),
    Section(String),
    Criterion(String),
    Option(String, String),
}

/// The compiled form in the model, and its anomalies by the node that carries them.
struct RuleForm {
    model: Model,
    anomalies: HashMap<Node, Vec<Anomaly>>,
    /// Anomalies whose path names no node of the form (the audit could not place them).
    unplaced: Vec<Anomaly>,
    /// Table minimums (781) with their printed text and source, by (stars, criterion, option).
    table_minimums: BTreeMap<MinimumM, (String, String)>,
}

fn rule_kind(kind: CriterionKind, has_cases: bool) -> Kind {
    match kind {
        CriterionKind::Pick if has_cases => Kind::Alternatives,
        CriterionKind::Pick => Kind::Single,
        CriterionKind::YesNo => Kind::YesNo,
        CriterionKind::Cumulative => Kind::Cumulative,
        CriterionKind::Group => Kind::Group,
    }
}

fn rule_model(form: &Form) -> RuleForm {
    let mut model = Model::default();
    let mut paths: HashMap<String, Node> = HashMap::new();
    for part in form.parts() {
        let mut pm = PartM {
            id: part.id().to_string(),
            path: part_path(part.id()),
            max: Some(Printed::number(part.max().hundredths())),
            sections: Vec::new(),
        };
        paths.insert(pm.path.clone(), Node::Part(part.id().to_string()));
        for section in form.sections_of(part) {
            let path = section_path(part.id(), section.id());
            paths.insert(path.clone(), Node::Section(section.id().to_string()));
            pm.sections.push(SectionM {
                id: section.id().to_string(),
                path,
                max: Some(Printed::number(section.max().hundredths())),
            });
        }
        model.parts.push(pm);
    }
    read_rule_criteria(form, &mut model, &mut paths);
    let (anomalies, unplaced) = place_anomalies(form, &paths);
    let mut table_minimums = BTreeMap::new();
    for m in form.minimums() {
        let key = MinimumM {
            stars: m.stars(),
            criterion: form.minimum_criterion(m).id().to_string(),
            option: form.minimum_option(m).key().to_string(),
        };
        if let MinimumOrigin::Table { text_vi, source } = m.origin() {
            table_minimums.insert(key.clone(), (text_vi.clone(), source.clone()));
        }
        model.minimums.insert(key);
    }
    RuleForm { model, anomalies, unplaced, table_minimums }
}

/// Walks the criteria in printed order; a criterion's parent is the nearest preceding criterion
/// one level up in the same section (the compiled tree keeps depth, not parent links).
fn read_rule_criteria(form: &Form, model: &mut Model, paths: &mut HashMap<String, Node>) {
    let mut lineage: Vec<String> = Vec::new();
    let mut current_section = String::new();
    for c in form.criteria() {
        let section = form.section_of(c);
        let part = model.parts.iter().find(|p| p.sections.iter().any(|s| s.id == section.id()));
        let part_id = part.map(|p| p.id.clone()).unwrap_or_default();
        if section.id() != current_section {
            current_section = section.id().to_string();
            lineage.clear();
        }
        lineage.truncate(usize::from(c.depth()));
        let parent = lineage.last().cloned();
        lineage.push(c.id().to_string());
        let ids: Vec<&str> = lineage.iter().map(String::as_str).collect();
        let path = criterion_path(&part_id, section.id(), &ids);
        paths.insert(path.clone(), Node::Criterion(c.id().to_string()));
        let choices = if c.kind() == CriterionKind::YesNo { &[][..] } else { form.options(c) };
        let cases = case_indices(choices.iter().map(|o| o.case()));
        let options = choices
            .iter()
            .zip(cases)
            .map(|(o, case)| {
                paths.insert(
                    option_path(&path, o.key()),
                    Node::Option(c.id().to_string(), o.key().to_string()),
                );
                OptionM {
                    key: o.key().to_string(),
                    points: Printed::number(o.points().hundredths()),
                    star: o.star(),
                    case,
                }
            })
            .collect();
        model.criteria.push(CriterionM {
            id: c.id().to_string(),
            path,
            part: part_id,
            section: section.id().to_string(),
            parent,
            max: Some(Printed::number(c.max().hundredths())),
            kind: rule_kind(c.kind(), !c.cases().is_empty()),
            title_star: None,
            options,
        });
    }
}

/// Attributes every anomaly to the node whose path carries it (`<node>.anomalies[i]`).
fn place_anomalies(
    form: &Form,
    paths: &HashMap<String, Node>,
) -> (HashMap<Node, Vec<Anomaly>>, Vec<Anomaly>) {
    let mut placed: HashMap<Node, Vec<Anomaly>> = HashMap::new();
    let mut unplaced = Vec::new();
    for a in form.anomalies() {
        let node_path = a.path.rsplit_once(".anomalies[").map_or(a.path.as_str(), |(p, _)| p);
        let node = if node_path.is_empty() { Some(Node::Form) } else { paths.get(node_path).cloned() };
        match node {
            Some(n) => placed.entry(n).or_default().push(a.clone()),
            None => unplaced.push(a.clone()),
        }
    }
    (placed, unplaced)
}

// =============================================================================================
// Reading a form from the decision text (for a form with no reference YAML)
// =============================================================================================

/// Strips the table layout of the text dump: leading blanks and `|` cell separators.
fn clean(line: &str) -> &str {
    line.trim_start_matches(|c: char| c.is_whitespace() || c == '|').trim_end()
}

/// `… | 6 Điểm` → (`…`, 600).
fn points_cell(line: &str) -> Option<(&str, i64)> {
    let (body, cell) = line.rsplit_once('|')?;
    let cell = cell.trim();
    let digits: String = cell.chars().take_while(char::is_ascii_digit).collect();
    let rest = cell[digits.len()..].trim_start();
    if digits.is_empty() || !rest.starts_with(['Đ', 'đ', 'D']) {
        return None;
    }
    Some((body.trim(), digits.parse::<i64>().ok()? * 100))
}

/// `… (35 Điểm)` → 3500.
fn parenthesised_points(line: &str) -> Option<i64> {
    let (_, after) = line.rsplit_once('(')?;
    let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
    (!digits.is_empty() && after[digits.len()..].trim_start().starts_with('Đ'))
        .then(|| digits.parse::<i64>().ok().map(|n| n * 100))
        .flatten()
}

/// `1.1. Title` → (`1.1`, `Title`); `6. Vị trí` → (`6`, `Vị trí`).
fn numbered(line: &str) -> Option<(String, &str)> {
    let run: String = line.chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
    let rest = &line[run.len()..];
    if !run.starts_with(|c: char| c.is_ascii_digit()) || !rest.starts_with(char::is_whitespace) {
        return None;
    }
    Some((run.trim_end_matches('.').to_string(), rest.trim()))
}

/// The lines of one form in the decision text: from its heading `NN. Bộ sản phẩm: <name>` to
/// the form's closing `Kết quả`.
fn form_lines<'t>(text: &'t str, set: &str, name_vi: &str) -> Option<Vec<&'t str>> {
    let heading = format!("{}. Bộ sản phẩm: {}", set.trim_start_matches('0'), name_vi);
    let mut lines = text.lines().skip_while(|l| l.trim() != heading);
    lines.next()?;
    Some(lines.take_while(|l| !l.trim_start().starts_with("Kết quả")).collect())
}

/// Parses a form printed as in the 1048 text dump: part headings `Phần A … (35 Điểm)`, numbered
/// section and criterion rows (`1.1. … | 6 Điểm`), options `□ … | 1 Điểm`, the case lines of
/// "Lựa chọn một trong hai trường hợp" and the cumulative note of a part.
fn text_model(lines: &[&str]) -> Model {
    let mut model = Model::default();
    let mut cumulative = false;
    let mut case: Option<usize> = None;
    let mut alternatives: BTreeSet<String> = BTreeSet::new();
    for (i, raw) in lines.iter().enumerate() {
        let line = clean(raw);
        if let Some(rest) = line.strip_prefix("Phần ") {
            let id: String = rest.chars().take(1).collect();
            let next = lines[i + 1..].iter().map(|l| clean(l)).find(|l| !l.is_empty()).unwrap_or("");
            let max = parenthesised_points(line).or_else(|| parenthesised_points(next));
            model.parts.push(PartM {
                path: part_path(&id),
                max: max.map(Printed::number),
                id,
                sections: Vec::new(),
            });
            cumulative = false;
        } else if line.contains("Được cộng tổng điểm") {
            cumulative = true;
        } else if line.starts_with('□') {
            let points = points_cell(line).map(|(_, p)| Printed::number(p));
            if let Some(c) = model.criteria.last_mut() {
                let key = char::from(b'a' + c.options.len() as u8).to_string();
                c.options.push(OptionM {
                    key,
                    points: points.unwrap_or(Printed { value: None, text: String::new() }),
                    star: None,
                    case,
                });
            }
        } else if line.starts_with("a. Trường hợp") || line.starts_with("b. Trường hợp") {
            case = Some(usize::from(line.starts_with('b')));
            alternatives.extend(model.criteria.last().map(|c| c.id.clone()));
        } else if line.starts_with("Lựa chọn một trong hai trường hợp") {
            alternatives.extend(model.criteria.last().map(|c| c.id.clone()));
        } else if let Some((id, rest)) = numbered(line) {
            case = None;
            text_heading(&mut model, &id, rest, cumulative);
        }
    }
    for c in &mut model.criteria {
        if alternatives.contains(&c.id) {
            c.kind = Kind::Alternatives;
        }
    }
    model
}

/// A numbered row: a section heading (`1. Tổ chức dịch vụ`), a criterion (`1.1. … | 6 Điểm`), or
/// both at once (`6. Vị trí | 5 Điểm`, a section that carries its options directly).
fn text_heading(model: &mut Model, id: &str, rest: &str, cumulative: bool) {
    let Some(part) = model.parts.last_mut() else { return };
    let points = points_cell(rest).map(|(_, p)| p);
    let top_level = !id.contains('.');
    if top_level {
        part.sections.push(SectionM {
            id: id.to_string(),
            path: section_path(&part.id, id),
            max: points.map(Printed::number),
        });
    }
    let (Some(points), Some(section)) = (points, part.sections.last().map(|s| s.id.clone())) else { return };
    let part_id = part.id.clone();
    let parent = id.rsplit_once('.').map(|(p, _)| p.to_string()).filter(|p| model.criterion(p).is_some());
    let lineage: Vec<&str> = parent.iter().map(String::as_str).chain([id]).collect();
    model.criteria.push(CriterionM {
        id: id.to_string(),
        path: criterion_path(&part_id, &section, &lineage),
        part: part_id,
        section,
        parent,
        max: Some(Printed::number(points)),
        kind: if cumulative { Kind::Cumulative } else { Kind::Single },
        title_star: None,
        options: Vec::new(),
    });
}

// =============================================================================================
// Comparison
// =============================================================================================

/// What differs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Aspect {
    PartMissing,
    PartExtra,
    PartMax,
    SectionMissing,
    SectionExtra,
    SectionMax,
    CriterionMissing,
    CriterionExtra,
    CriterionId,
    Placement,
    CriterionMax,
    Kind,
    OptionMissing,
    OptionExtra,
    Points,
    Star,
    Case,
    MinimumMissing,
    MinimumExtra,
    AnomalyUnplaced,
}

impl Aspect {
    fn name(self) -> &'static str {
        match self {
            Aspect::PartMissing => "part missing in the rule file",
            Aspect::PartExtra => "part not in the reference",
            Aspect::PartMax => "part maximum",
            Aspect::SectionMissing => "section missing in the rule file",
            Aspect::SectionExtra => "section not in the reference",
            Aspect::SectionMax => "section maximum",
            Aspect::CriterionMissing => "criterion missing in the rule file",
            Aspect::CriterionExtra => "criterion not in the reference",
            Aspect::CriterionId => "criterion id",
            Aspect::Placement => "criterion placement (section/parent)",
            Aspect::CriterionMax => "criterion maximum",
            Aspect::Kind => "kind",
            Aspect::OptionMissing => "option missing in the rule file",
            Aspect::OptionExtra => "option not in the reference",
            Aspect::Points => "option points",
            Aspect::Star => "star marker",
            Aspect::Case => "alternative case",
            Aspect::MinimumMissing => "class minimum missing in the rule file",
            Aspect::MinimumExtra => "class minimum not in the reference",
            Aspect::AnomalyUnplaced => "anomaly recorded on no node the audit knows",
        }
    }
}

/// One difference between the reference and the compiled form.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Difference {
    /// The node whose anomalies may explain it (rule-side ids).
    node: Node,
    path: String,
    aspect: Aspect,
    reference: String,
    rule: String,
}

fn diff(
    node: Node,
    path: &str,
    aspect: Aspect,
    reference: impl Into<String>,
    rule: impl Into<String>,
) -> Difference {
    Difference { node, path: path.to_string(), aspect, reference: reference.into(), rule: rule.into() }
}

fn show_max(m: &Option<Printed>) -> String {
    m.as_ref().map_or("(not printed)".into(), Printed::shown)
}

fn show_star(s: Option<u8>) -> String {
    s.map_or("none".into(), |s| "*".repeat(usize::from(s)))
}

/// Compares a printed number with the applied one; `None` on the reference side means the source
/// prints none, which is not a difference.
fn max_differs(reference: &Option<Printed>, rule: &Option<Printed>) -> bool {
    match (reference, rule) {
        (None, _) => false,
        (Some(r), Some(x)) => r.value != x.value,
        (Some(_), None) => true,
    }
}

/// Compares two models. `renames` maps reference criterion ids to rule ids where the rule file
/// renamed a criterion (see [`find_renames`]); everything else is matched by identical id.
fn compare(reference: &Model, rule: &Model, renames: &HashMap<String, String>) -> Vec<Difference> {
    let mut out = Vec::new();
    compare_parts(reference, rule, &mut out);
    for rc in &reference.criteria {
        let rule_id = renames.get(&rc.id).unwrap_or(&rc.id);
        match rule.criterion(rule_id) {
            None => out.push(diff(
                Node::Criterion(rc.id.clone()),
                &rc.path,
                Aspect::CriterionMissing,
                format!("{} (max {}, {} options)", rc.id, show_max(&rc.max), rc.options.len()),
                "(none)",
            )),
            Some(xc) => {
                if xc.id != rc.id {
                    out.push(diff(
                        Node::Criterion(xc.id.clone()),
                        &xc.path,
                        Aspect::CriterionId,
                        &rc.id,
                        &xc.id,
                    ));
                }
                compare_criterion(rc, xc, renames, &mut out);
            }
        }
    }
    let renamed: BTreeSet<&String> = renames.values().collect();
    for xc in &rule.criteria {
        if reference.criterion(&xc.id).is_none() && !renamed.contains(&xc.id) {
            out.push(diff(
                Node::Criterion(xc.id.clone()),
                &xc.path,
                Aspect::CriterionExtra,
                "(none)",
                format!("{} (max {}, {} options)", xc.id, show_max(&xc.max), xc.options.len()),
            ));
        }
    }
    compare_minimums(reference, rule, renames, &mut out);
    out
}

fn compare_parts(reference: &Model, rule: &Model, out: &mut Vec<Difference>) {
    for rp in &reference.parts {
        let Some(xp) = rule.parts.iter().find(|p| p.id == rp.id) else {
            out.push(diff(Node::Part(rp.id.clone()), &rp.path, Aspect::PartMissing, &rp.id, "(none)"));
            continue;
        };
        if max_differs(&rp.max, &xp.max) {
            out.push(diff(
                Node::Part(xp.id.clone()),
                &xp.path,
                Aspect::PartMax,
                show_max(&rp.max),
                show_max(&xp.max),
            ));
        }
        for rs in &rp.sections {
            match xp.sections.iter().find(|s| s.id == rs.id) {
                None => out.push(diff(
                    Node::Section(rs.id.clone()),
                    &rs.path,
                    Aspect::SectionMissing,
                    &rs.id,
                    "(none)",
                )),
                Some(xs) if max_differs(&rs.max, &xs.max) => out.push(diff(
                    Node::Section(xs.id.clone()),
                    &xs.path,
                    Aspect::SectionMax,
                    show_max(&rs.max),
                    show_max(&xs.max),
                )),
                Some(_) => {}
            }
        }
        for xs in xp.sections.iter().filter(|x| !rp.sections.iter().any(|s| s.id == x.id)) {
            out.push(diff(Node::Section(xs.id.clone()), &xs.path, Aspect::SectionExtra, "(none)", &xs.id));
        }
    }
    for xp in rule.parts.iter().filter(|x| !reference.parts.iter().any(|p| p.id == x.id)) {
        out.push(diff(Node::Part(xp.id.clone()), &xp.path, Aspect::PartExtra, "(none)", &xp.id));
    }
}

fn compare_criterion(
    rc: &CriterionM,
    xc: &CriterionM,
    renames: &HashMap<String, String>,
    out: &mut Vec<Difference>,
) {
    let node = Node::Criterion(xc.id.clone());
    let ref_parent = rc.parent.as_ref().map(|p| renames.get(p).unwrap_or(p).clone());
    if (rc.part.as_str(), rc.section.as_str(), &ref_parent)
        != (xc.part.as_str(), xc.section.as_str(), &xc.parent)
    {
        let place = |c: &CriterionM, parent: &Option<String>| {
            format!("part {} section {} parent {}", c.part, c.section, parent.as_deref().unwrap_or("-"))
        };
        out.push(diff(
            node.clone(),
            &xc.path,
            Aspect::Placement,
            place(rc, &ref_parent),
            place(xc, &xc.parent),
        ));
    }
    if max_differs(&rc.max, &xc.max) {
        out.push(diff(node.clone(), &xc.path, Aspect::CriterionMax, show_max(&rc.max), show_max(&xc.max)));
    }
    if rc.kind != xc.kind {
        out.push(diff(node.clone(), &xc.path, Aspect::Kind, rc.kind.name(), xc.kind.name()));
    }
    compare_options(rc, xc, out);
}

fn compare_options(rc: &CriterionM, xc: &CriterionM, out: &mut Vec<Difference>) {
    for ro in &rc.options {
        let path = option_path(&xc.path, &ro.key);
        let onode = Node::Option(xc.id.clone(), ro.key.clone());
        let Some(xo) = xc.options.iter().find(|o| o.key == ro.key) else {
            out.push(diff(onode, &path, Aspect::OptionMissing, ro.points.shown(), "(none)"));
            continue;
        };
        if ro.points.value != xo.points.value {
            out.push(diff(onode.clone(), &path, Aspect::Points, ro.points.shown(), xo.points.shown()));
        }
        if ro.star != xo.star {
            let reference = match (ro.star, rc.title_star) {
                (None, Some(t)) => format!("none (title marked {})", show_star(Some(t))),
                (s, _) => show_star(s),
            };
            out.push(diff(onode.clone(), &path, Aspect::Star, reference, show_star(xo.star)));
        }
        if ro.case != xo.case {
            let show = |c: Option<usize>| c.map_or("none".into(), |c| format!("case #{}", c + 1));
            out.push(diff(onode, &path, Aspect::Case, show(ro.case), show(xo.case)));
        }
    }
    for xo in xc.options.iter().filter(|x| !rc.options.iter().any(|o| o.key == x.key)) {
        let onode = Node::Option(xc.id.clone(), xo.key.clone());
        out.push(diff(
            onode,
            &option_path(&xc.path, &xo.key),
            Aspect::OptionExtra,
            "(none)",
            xo.points.shown(),
        ));
    }
}

fn compare_minimums(
    reference: &Model,
    rule: &Model,
    renames: &HashMap<String, String>,
    out: &mut Vec<Difference>,
) {
    let renamed: BTreeSet<MinimumM> = reference
        .minimums
        .iter()
        .map(|m| MinimumM {
            criterion: renames.get(&m.criterion).unwrap_or(&m.criterion).clone(),
            ..m.clone()
        })
        .collect();
    let show = |m: &MinimumM| format!("{}★ needs at least option {}", m.stars, m.option);
    let path_of = |m: &MinimumM| {
        rule.criterion(&m.criterion)
            .or_else(|| reference.criterion(&m.criterion))
            .map_or(m.criterion.clone(), |c| c.path.clone())
    };
    for m in renamed.difference(&rule.minimums) {
        let node = Node::Option(m.criterion.clone(), m.option.clone());
        out.push(diff(node, &path_of(m), Aspect::MinimumMissing, show(m), "(none)"));
    }
    for m in rule.minimums.difference(&renamed) {
        let node = Node::Option(m.criterion.clone(), m.option.clone());
        out.push(diff(node, &path_of(m), Aspect::MinimumExtra, "(none)", show(m)));
    }
}

/// Pairs criteria the rule file renamed on the record: an anomaly on `heading` whose `applied`
/// names the rule id (`id 6.1.3b`) and whose `printed` shows the reference's printed number
/// (`6.1.3. Mùi` for the reference's `6.1.3#2`). Only criteria left unmatched by id are paired.
fn find_renames(reference: &Model, rule: &RuleForm) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for xc in rule.model.criteria.iter().filter(|x| reference.criterion(&x.id).is_none()) {
        let records = rule.anomalies.get(&Node::Criterion(xc.id.clone())).into_iter().flatten();
        for a in records.filter(|a| a.field == "heading" && a.applied.contains(&xc.id)) {
            let candidates: Vec<&CriterionM> = reference
                .criteria
                .iter()
                .filter(|rc| rule.model.criterion(&rc.id).is_none())
                .filter(|rc| {
                    let printed = rc.id.split('#').next().unwrap_or(&rc.id);
                    a.printed.split_whitespace().next().map(|w| w.trim_end_matches('.')) == Some(printed)
                })
                .collect();
            if let [only] = candidates[..] {
                out.insert(only.id.clone(), xc.id.clone());
            }
        }
    }
    out
}

// =============================================================================================
// Explanations: which record justifies a difference
// =============================================================================================

/// The 781 minimum table (Mục 6, Phụ lục II) as transcribed in `NOTES-1048-781.md`: class → rows.
type MinimumTable = BTreeMap<u8, Vec<String>>;

/// What the audit may use to explain differences, besides the rule file's own anomalies.
struct Records<'a> {
    rule: &'a RuleForm,
    minimum_table: Option<&'a MinimumTable>,
}

/// Whether an anomaly's `printed` is the value the reference gives (numerically or verbatim,
/// an empty cell reading as empty).
fn printed_matches(printed: &str, reference: &str) -> bool {
    let reference = if reference == "(empty cell)" { "" } else { reference };
    printed.trim() == reference.trim()
        || matches!((parse_hundredths(printed), parse_hundredths(reference)), (Some(a), Some(b)) if a == b)
}

/// Whether an anomaly's `applied` is the value the rule file applies.
fn applied_matches(applied: &str, rule: &str) -> bool {
    matches!((parse_hundredths(applied), parse_hundredths(rule)), (Some(a), Some(b)) if a == b)
}

/// A correction from the decision's own text: the anomaly cites the decision text (1048: "D
/// prints …", "D line …", "Corrected from the decision text") and says the reference copy
/// differs. Where the reference copy and the decision text differ, the text wins.
fn is_text_correction(a: &Anomaly) -> bool {
    let r = &a.reason;
    let cites_text = r.contains("decision text") || r.contains("D line") || r.contains("D prints");
    let names_copy = r.contains("reference copy") || r.contains("reference file");
    cites_text && names_copy
}

/// Whether `text` contains `value` as a number of its own (`took 3,` names 3; `13` does not).
fn mentions_number(text: &str, value: &str) -> bool {
    let Some(want) = parse_hundredths(value) else { return false };
    text.split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .map(|t| t.trim_matches('.'))
        .any(|t| parse_hundredths(t) == Some(want))
}

/// The longest run of `*` in a text: the star marker it shows.
fn star_run(text: &str) -> usize {
    text.split(|c| c != '*').map(str::len).max().unwrap_or(0)
}

/// The class a rule-side value applies: `****` (a star marker) or `4★ needs …` (a minimum).
fn applied_stars(rule: &str) -> Option<usize> {
    if let Some((n, _)) = rule.split_once('★') {
        return n.parse().ok();
    }
    let run = star_run(rule);
    (run > 0).then_some(run)
}

/// What kind of record explains a difference.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Basis {
    /// A printed anomaly of the decision or copy, recorded on the node.
    Anomaly,
    /// A correction from the decision's own text over the reference copy, recorded on the node.
    TextCorrection,
    /// A row of the 781 minimum table (1048).
    MinimumTable,
}

/// The record that explains a difference.
#[derive(Clone, Debug)]
struct Explanation {
    basis: Basis,
    /// The record's identity (an anomaly's path, a table row), to count distinct records used.
    record: String,
    text: String,
}

fn describe(a: &Anomaly, basis: Basis, how: &str) -> Explanation {
    Explanation {
        basis,
        record: a.path.clone(),
        text: format!(
            "{how}: anomaly `{}` at {} (printed `{}`, applied `{}`)",
            a.field, a.path, a.printed, a.applied
        ),
    }
}

impl Records<'_> {
    fn on(&self, node: &Node) -> impl Iterator<Item = &Anomaly> {
        self.rule.anomalies.get(node).into_iter().flatten()
    }

    /// The criterion a node belongs to (for anomalies recorded on the criterion as a whole).
    fn criterion_of(node: &Node) -> Option<Node> {
        match node {
            Node::Criterion(c) | Node::Option(c, _) => Some(Node::Criterion(c.clone())),
            _ => None,
        }
    }

    fn explain(&self, d: &Difference) -> Option<Explanation> {
        match d.aspect {
            Aspect::PartMax | Aspect::SectionMax | Aspect::CriterionMax => self.number(d, "max"),
            Aspect::Points => self.number(d, "points").or_else(|| self.corrected_option_list(d)),
            Aspect::OptionMissing | Aspect::OptionExtra => self.option_named(d),
            Aspect::Kind => self.kind(d),
            Aspect::Case => self
                .on(&d.node)
                .find(|a| a.field == "case")
                .map(|a| describe(a, Basis::Anomaly, "recorded case")),
            Aspect::CriterionId | Aspect::Placement => self.heading(d),
            Aspect::Star => self.star(d),
            Aspect::MinimumExtra => self.table_minimum(d).or_else(|| self.star(d)),
            Aspect::MinimumMissing => self.star(d),
            Aspect::PartMissing
            | Aspect::PartExtra
            | Aspect::SectionMissing
            | Aspect::SectionExtra
            | Aspect::CriterionMissing
            | Aspect::CriterionExtra
            | Aspect::AnomalyUnplaced => None,
        }
    }

    /// A `max` or `points` anomaly on the node itself: `applied` must be the rule's value, and
    /// `printed` the reference's; or, for a correction from the decision text, the record must
    /// name the reference's value it overrides.
    fn number(&self, d: &Difference, field: &str) -> Option<Explanation> {
        self.on(&d.node).filter(|a| a.field == field && applied_matches(&a.applied, &d.rule)).find_map(|a| {
            if printed_matches(&a.printed, &d.reference) {
                Some(describe(a, Basis::Anomaly, "printed anomaly"))
            } else if is_text_correction(a) && mentions_number(&a.reason, &d.reference) {
                Some(describe(a, Basis::TextCorrection, "correction from the decision text"))
            } else {
                None
            }
        })
    }

    /// A criterion whose whole option list was corrected from the decision text (`options`
    /// anomaly citing the text and the reference copy) explains a points difference when it
    /// prints the applied value.
    fn corrected_option_list(&self, d: &Difference) -> Option<Explanation> {
        let crit = Self::criterion_of(&d.node)?;
        self.on(&crit)
            .find(|a| a.field == "options" && is_text_correction(a) && mentions_number(&a.printed, &d.rule))
            .map(|a| describe(a, Basis::TextCorrection, "option list corrected from the decision text"))
    }

    /// An option added or dropped on the record: an `options` anomaly on the criterion that names
    /// the option (`option c …`).
    fn option_named(&self, d: &Difference) -> Option<Explanation> {
        let Node::Option(crit, key) = &d.node else { return None };
        let named = format!("option {key}");
        self.on(&Node::Criterion(crit.clone()))
            .find(|a| a.field == "options" && (a.applied.contains(&named) || a.printed.contains(&named)))
            .map(|a| describe(a, Basis::Anomaly, "recorded option list"))
    }

    /// A kind read on the record: yes/no from an `options` anomaly applying `yes`/`no` (a maximum
    /// printed without options), alternatives from a `case` anomaly (option sets read as cases).
    fn kind(&self, d: &Difference) -> Option<Explanation> {
        let crit = Self::criterion_of(&d.node)?;
        let field = match d.rule.as_str() {
            "yes-no" => "options",
            "alternatives" => "case",
            _ => return None,
        };
        self.on(&crit)
            .find(|a| a.field == field && (field != "options" || a.applied.contains("yes")))
            .map(|a| describe(a, Basis::Anomaly, "recorded reading of the criterion"))
    }

    /// A renumbered or moved criterion: a `heading` anomaly on it whose `applied` names its id.
    fn heading(&self, d: &Difference) -> Option<Explanation> {
        let crit = Self::criterion_of(&d.node)?;
        let Node::Criterion(id) = &crit else { return None };
        self.on(&crit)
            .find(|a| a.field == "heading" && a.applied.contains(id.as_str()))
            .map(|a| describe(a, Basis::Anomaly, "recorded heading"))
    }

    /// A star marker moved or read on the record: an anomaly on the option or its criterion
    /// (field `title` or `text`) whose `printed` shows the reference's marker and whose `applied`
    /// names the rule's (`star: 4`, and `option a` when recorded on the criterion).
    fn star(&self, d: &Difference) -> Option<Explanation> {
        let Node::Option(crit, key) = &d.node else { return None };
        let stars = applied_stars(&d.rule)?;
        let criterion = Node::Criterion(crit.clone());
        let on_option = self.on(&d.node).map(|a| (a, false));
        let on_criterion = self.on(&criterion).map(|a| (a, true));
        on_option.chain(on_criterion).find_map(|(a, criterion_level)| {
            let fits = (a.field == "title" || a.field == "text")
                && star_run(&a.printed) == stars
                && a.applied.contains(&format!("star: {stars}"))
                && (!criterion_level || a.applied.contains(&format!("option {key}")));
            fits.then(|| describe(a, Basis::Anomaly, "recorded star marker"))
        })
    }

    /// A 781-style minimum: its recorded text must be a row of the 781 table for that class, and
    /// its source must cite 781.
    fn table_minimum(&self, d: &Difference) -> Option<Explanation> {
        let Node::Option(crit, key) = &d.node else { return None };
        let table = self.minimum_table?;
        self.rule.table_minimums.iter().find_map(|(m, (text, source))| {
            let hit = &m.criterion == crit
                && &m.option == key
                && d.rule.starts_with(&format!("{}★", m.stars))
                && source.contains("781")
                && table.get(&m.stars).is_some_and(|rows| rows.iter().any(|r| r == text));
            hit.then(|| Explanation {
                basis: Basis::MinimumTable,
                record: text.clone(),
                text: format!("781 Mục 6 row for {}★ «{text}» (source: {source})", m.stars),
            })
        })
    }
}

// =============================================================================================
// The reference on disk
// =============================================================================================

/// The repository's `reference/` folder. A missing folder fails the test: the audit never skips.
fn reference_root() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("reference");
    assert!(
        root.is_dir(),
        "the reference transcriptions are missing: {} must hold the decisions' texts and the \
         transcriptions the rule files are audited against (see reference/README.md); restore it \
         from git rather than skipping the audit",
        root.display()
    );
    root
}

fn read_yaml(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_yaml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// One reference file and the set it transcribes.
struct ReferenceFile {
    set: String,
    path: PathBuf,
}

fn two_digits(set: &str) -> String {
    format!("{:0>2}", set.trim())
}

/// The folder's files by set: from `index.yaml` (`sets: [{set, file}]`) when the folder has one,
/// else from the `NN-` prefix of each file name. Returns how the mapping was made.
fn reference_files(folder: &Path) -> Result<(Vec<ReferenceFile>, &'static str), String> {
    let index = folder.join("index.yaml");
    if index.is_file() {
        let doc = read_yaml(&index)?;
        let files = seq(&doc, "sets")
            .iter()
            .map(|s| {
                let set = text_of(s.get("set")).ok_or("index.yaml: a set without `set`")?;
                let file = text_of(s.get("file")).ok_or("index.yaml: a set without `file`")?;
                Ok(ReferenceFile { set: two_digits(&set), path: folder.join(file) })
            })
            .collect::<Result<Vec<_>, String>>()?;
        return Ok((files, "index.yaml"));
    }
    let mut files: Vec<ReferenceFile> = std::fs::read_dir(folder)
        .map_err(|e| format!("{}: {e}", folder.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter_map(|path| {
            let name = path.file_name()?.to_str()?.to_string();
            let numbered =
                name.len() > 3 && name[..2].bytes().all(|b| b.is_ascii_digit()) && &name[2..3] == "-";
            (numbered && name.ends_with(".yaml")).then(|| ReferenceFile { set: name[..2].to_string(), path })
        })
        .collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok((files, "file names (no index.yaml)"))
}

/// The text of the decision kept beside the reference (`source/*.txt`), if any.
fn decision_texts(folder: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(folder.join("source")) else { return Vec::new() };
    let mut paths: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    paths.sort();
    paths
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect()
}

/// The 781 minimum table transcribed in `NOTES-1048-781.md`: the YAML block with `2_sao:`,
/// `3_sao:` … (rows of a class; `unknown` where the rows were not found).
fn minimum_table(root: &Path) -> Option<MinimumTable> {
    let notes = std::fs::read_to_string(root.join("NOTES-1048-781.md")).ok()?;
    let start = notes.find("```yaml")?;
    let body = &notes[start..];
    let body = &body[body.find('\n')? + 1..];
    let block: String = body[..body.find("```")?].lines().map(|l| format!("{}\n", l.trim())).collect();
    let doc: Value = serde_yaml::from_str(&block).ok()?;
    let mut table = MinimumTable::new();
    for (k, v) in doc.as_mapping()? {
        let Some(stars) = k.as_str().and_then(|k| k.strip_suffix("_sao")).and_then(|s| s.parse().ok()) else {
            continue;
        };
        let rows = v.as_sequence().map(|s| s.iter().filter_map(|r| r.as_str().map(String::from)).collect());
        table.insert(stars, rows.unwrap_or_default());
    }
    Some(table)
}

// =============================================================================================
// The audit of one decision, and the report
// =============================================================================================

/// One difference with the record that explains it, if any.
struct Finding {
    decision: String,
    set: String,
    file: String,
    difference: Difference,
    explanation: Option<Explanation>,
}

#[derive(Default)]
struct Tally {
    forms: usize,
    against_reference: usize,
    against_text: usize,
    against_nothing: Vec<String>,
    criteria: usize,
    options: usize,
    stars: usize,
    minimums: usize,
    anomalies: usize,
    /// Distinct anomaly records that explain at least one difference (file, path).
    anomalies_used: BTreeSet<(String, String)>,
    by_anomaly: usize,
    by_text_correction: usize,
    by_minimum_table: usize,
    mapping: &'static str,
}

/// Audits one compiled form against a model of its source; returns the findings.
fn audit_form(decision: &str, form: &Form, source: &Model, table: Option<&MinimumTable>) -> Vec<Finding> {
    let rule = rule_model(form);
    let renames = find_renames(source, &rule);
    let records = Records { rule: &rule, minimum_table: table };
    let mut findings: Vec<Finding> = compare(source, &rule.model, &renames)
        .into_iter()
        .map(|d| Finding {
            decision: decision.to_string(),
            set: form.set().to_string(),
            file: form.file().to_string(),
            explanation: records.explain(&d),
            difference: d,
        })
        .collect();
    for a in &rule.unplaced {
        findings.push(Finding {
            decision: decision.to_string(),
            set: form.set().to_string(),
            file: form.file().to_string(),
            difference: diff(Node::Form, &a.path, Aspect::AnomalyUnplaced, "(no such node)", a.field.clone()),
            explanation: None,
        });
    }
    findings
}

fn count_form(t: &mut Tally, form: &Form) {
    t.forms += 1;
    t.criteria += form.criteria().len();
    let printed = form.criteria().iter().filter(|c| c.kind() != CriterionKind::YesNo);
    t.options += printed.map(|c| form.options(c).len()).sum::<usize>();
    t.stars += form.criteria().iter().flat_map(|c| form.options(c)).filter(|o| o.star().is_some()).count();
    t.minimums += form.minimums().len();
    t.anomalies += form.anomalies().count();
}

/// Picks the compiled version of a set that a reference file transcribes: the only one, or the
/// one whose rule file has the reference's file name (1048 set 26 has two versions).
fn form_for<'c>(forms: &[&'c Form], reference: &ReferenceFile) -> Option<&'c Form> {
    let candidates: Vec<&Form> = forms.iter().copied().filter(|f| f.set() == reference.set).collect();
    if let [only] = candidates[..] {
        return Some(only);
    }
    let name = reference.path.file_name()?.to_str()?;
    candidates.into_iter().find(|f| Path::new(f.file()).file_name().and_then(|n| n.to_str()) == Some(name))
}

fn audit_decision(
    catalog: &Catalog,
    decision: &str,
    folder: &Path,
    table: Option<&MinimumTable>,
) -> Result<(Tally, Vec<Finding>), String> {
    let (files, mapping) = reference_files(folder)?;
    let forms: Vec<&Form> = catalog.forms_of(decision).iter().collect();
    let mut tally = Tally { mapping, ..Tally::default() };
    let mut findings = Vec::new();
    let mut audited: BTreeSet<String> = BTreeSet::new();
    for file in &files {
        let Some(form) = form_for(&forms, file) else {
            return Err(format!(
                "{decision}: no rule form for reference set {} ({})",
                file.set,
                file.path.display()
            ));
        };
        let source =
            reference_model(&read_yaml(&file.path)?).map_err(|e| format!("{}: {e}", file.path.display()))?;
        findings.extend(audit_form(decision, form, &source, table));
        count_form(&mut tally, form);
        tally.against_reference += 1;
        audited.insert(form.file().to_string());
    }
    let texts = decision_texts(folder);
    for form in forms.iter().filter(|f| !audited.contains(f.file())) {
        count_form(&mut tally, form);
        match texts.iter().find_map(|t| form_lines(t, form.set(), form.name_vi())) {
            Some(lines) => {
                findings.extend(audit_form(decision, form, &text_model(&lines), table));
                tally.against_text += 1;
            }
            None => tally.against_nothing.push(form.file().to_string()),
        }
    }
    for f in &findings {
        let Some(e) = &f.explanation else { continue };
        match e.basis {
            Basis::Anomaly => tally.by_anomaly += 1,
            Basis::TextCorrection => tally.by_text_correction += 1,
            Basis::MinimumTable => tally.by_minimum_table += 1,
        }
        if e.basis != Basis::MinimumTable {
            tally.anomalies_used.insert((f.file.clone(), e.record.clone()));
        }
    }
    Ok((tally, findings))
}

/// The per-decision summary: what was audited, what the rule files hold, and how the
/// differences found were explained.
fn summary_table(rows: &[(String, Tally, usize, usize)]) -> String {
    let header = [
        "decision",
        "forms",
        "vs ref",
        "vs text",
        "criteria",
        "options",
        "stars",
        "minimums",
        "anomalies",
        "used",
        "diffs",
        "explained",
        "unexplained",
    ];
    let mut table: Vec<Vec<String>> = vec![header.iter().map(|h| h.to_string()).collect()];
    for (decision, t, explained, unexplained) in rows {
        let cells =
            [t.forms, t.against_reference, t.against_text, t.criteria, t.options, t.stars, t.minimums]
                .into_iter()
                .chain([
                    t.anomalies,
                    t.anomalies_used.len(),
                    explained + unexplained,
                    *explained,
                    *unexplained,
                ]);
        table.push([decision.clone()].into_iter().chain(cells.map(|n| n.to_string())).collect());
    }
    let widths: Vec<usize> =
        (0..header.len()).map(|i| table.iter().map(|r| r[i].chars().count()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for row in &table {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (c, w))| if i == 0 { format!("{c:<w$}") } else { format!("{c:>w$}") })
            .collect();
        let _ = writeln!(out, "{}", cells.join("  "));
    }
    for (decision, t, _, _) in rows {
        let _ = writeln!(out, "{decision}: reference files mapped to sets by {}", t.mapping);
    }
    out
}

fn line_of(f: &Finding) -> String {
    let file = Path::new(&f.file).file_name().map_or(f.file.clone(), |n| n.to_string_lossy().into_owned());
    format!(
        "{} set {} ({file}) {} [{}]: reference {} | rule {}",
        f.decision,
        f.set,
        f.difference.path,
        f.difference.aspect.name(),
        f.difference.reference,
        f.difference.rule
    )
}

#[test]
fn every_form_matches_its_transcription_or_records_why_not() {
    let root = reference_root();
    let catalog = Catalog::embedded().unwrap_or_else(|e| panic!("{e}"));
    let table = minimum_table(&root);
    let mut rows = Vec::new();
    let mut all: Vec<Finding> = Vec::new();
    let mut problems: Vec<String> = Vec::new();
    for decision in catalog.decisions() {
        let Some((_, folder)) = REFERENCE_FOLDERS.iter().find(|(k, _)| *k == decision.key()) else {
            problems.push(format!("decision {} has no reference folder known to the audit", decision.key()));
            continue;
        };
        match audit_decision(&catalog, decision.key(), &root.join(folder), table.as_ref()) {
            Ok((tally, findings)) => {
                let explained = findings.iter().filter(|f| f.explanation.is_some()).count();
                let unexplained = findings.len() - explained;
                for file in &tally.against_nothing {
                    problems.push(format!(
                        "{}: {file} has neither a reference file nor a text form",
                        decision.key()
                    ));
                }
                rows.push((decision.key().to_string(), tally, explained, unexplained));
                all.extend(findings);
            }
            Err(e) => problems.push(e),
        }
    }
    println!("\nTranscription audit against {}\n", root.display());
    print!("{}", summary_table(&rows));
    for (decision, t, _, _) in &rows {
        if t.against_text > 0 {
            println!(
                "{decision}: {} form(s) have no reference YAML and were audited against the decision text \
                 (source/*.txt of the reference folder, parsed by this test)",
                t.against_text
            );
        }
        println!(
            "{decision}: explained by a printed anomaly {}, by a correction from the decision text {}, by the 781 \
             table {}; {} of {} recorded anomalies used",
            t.by_anomaly,
            t.by_text_correction,
            t.by_minimum_table,
            t.anomalies_used.len(),
            t.anomalies
        );
    }
    if table.is_none() {
        println!("note: no 781 minimum table found in NOTES-1048-781.md; 781 minimums cannot be explained");
    }
    println!("\nExplained differences:");
    for f in all.iter().filter(|f| f.explanation.is_some()) {
        let how = f.explanation.as_ref().map_or("", |e| e.text.as_str());
        println!("  {}\n      explained by {how}", line_of(f));
    }
    let unexplained: Vec<String> = all.iter().filter(|f| f.explanation.is_none()).map(line_of).collect();
    println!("\nUnexplained differences: {}", unexplained.len());
    for u in &unexplained {
        println!("  {u}");
    }
    problems.extend(unexplained);
    assert!(
        problems.is_empty(),
        "{} unexplained difference(s) or problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

// =============================================================================================
// The audit catches real errors
// =============================================================================================

/// One reference file of a folder (the first of the set, or the one with this file name prefix)
/// and its parsed document.
fn reference_of(root: &Path, folder: &str, set: &str, name_prefix: &str) -> (ReferenceFile, Value) {
    let (files, _) = reference_files(&root.join(folder)).unwrap_or_else(|e| panic!("{e}"));
    let file = files
        .into_iter()
        .find(|f| {
            f.set == set && f.path.file_name().is_some_and(|n| n.to_string_lossy().starts_with(name_prefix))
        })
        .unwrap_or_else(|| panic!("{folder}: no set {set}"));
    let doc = read_yaml(&file.path).unwrap_or_else(|e| panic!("{e}"));
    (file, doc)
}

/// Option `key` of criterion `id` in a reference document, to alter it.
fn option_mut<'d>(doc: &'d mut Value, id: &str, key: &str) -> &'d mut Value {
    let parts = doc.get_mut("parts").and_then(Value::as_sequence_mut).expect("parts");
    let sections = parts
        .iter_mut()
        .flat_map(|p| p.get_mut("sections").and_then(Value::as_sequence_mut).expect("sections"));
    let criteria =
        sections.flat_map(|s| s.get_mut("criteria").and_then(Value::as_sequence_mut).expect("criteria"));
    let criterion =
        criteria.into_iter().find(|c| text_of(c.get("id")).as_deref() == Some(id)).expect("criterion");
    let options = criterion.get_mut("options").and_then(Value::as_sequence_mut).expect("options");
    options.iter_mut().find(|o| text_of(o.get("key")).as_deref() == Some(key)).expect("option")
}

/// Unexplained findings of the form a reference file transcribes, against a (possibly altered)
/// copy of that file's document.
fn unexplained_of(decision: &str, file: &ReferenceFile, doc: &Value) -> Vec<Difference> {
    let catalog = Catalog::embedded().unwrap_or_else(|e| panic!("{e}"));
    let forms: Vec<&Form> = catalog.forms_of(decision).iter().collect();
    let form = form_for(&forms, file).expect("the form of the reference file");
    let model = reference_model(doc).unwrap_or_else(|e| panic!("{e}"));
    audit_form(decision, form, &model, None)
        .into_iter()
        .filter(|f| f.explanation.is_none())
        .map(|f| f.difference)
        .collect()
}

#[test]
fn a_changed_option_point_in_the_reference_is_reported_exactly() {
    let root = reference_root();
    let (file, mut doc) = reference_of(&root, "26-2026", "01", "");
    let clean = unexplained_of("26-2026", &file, &doc);
    assert!(clean.is_empty(), "the untouched form must audit clean: {clean:?}");
    option_mut(&mut doc, "1.1", "b")["points"] = Value::from(7);
    let found = unexplained_of("26-2026", &file, &doc);
    let expected = diff(
        Node::Option("1.1".into(), "b".into()),
        r#"parts.A.sections."1".criteria."1.1".options.b"#,
        Aspect::Points,
        "7",
        "2",
    );
    assert_eq!(found, [expected]);
}

#[test]
fn an_anomaly_explains_only_the_value_it_records() {
    // 26-2026 set 04, criterion 7, option c prints 13 where 3 is applied, on the record. If the
    // reference said 12 instead, the anomaly (printed 13) would no longer explain it.
    let root = reference_root();
    let (file, mut doc) = reference_of(&root, "26-2026", "04", "");
    let clean = unexplained_of("26-2026", &file, &doc);
    assert!(clean.is_empty(), "the untouched form must audit clean: {clean:?}");
    option_mut(&mut doc, "7", "c")["points"] = Value::from(12);
    let found = unexplained_of("26-2026", &file, &doc);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].aspect, found[0].reference.as_str(), found[0].rule.as_str()),
        (Aspect::Points, "12", "3")
    );
}

#[test]
fn a_case_label_anomaly_does_not_excuse_moving_an_option_between_cases() {
    // The 781 tourism form (1048 set 26) records on 3.2 that the copy prints no case labels. That
    // record says nothing about which options form a case: moving option b to the other case in
    // the reference must be reported.
    let root = reference_root();
    let (file, mut doc) = reference_of(&root, "1048-781", "26", "26-dich-vu-du-lich-cong-dong");
    let clean = unexplained_of("1048-2019", &file, &doc);
    assert!(clean.is_empty(), "the untouched form must audit clean: {clean:?}");
    option_mut(&mut doc, "3.2", "b")["case"] = Value::from(2);
    let found = unexplained_of("1048-2019", &file, &doc);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].aspect, found[0].path.as_str()),
        (Aspect::Case, r#"parts.A.sections."3".criteria."3.2".options.b"#)
    );
}

#[test]
fn the_comparison_reports_each_kind_of_change_without_a_reference() {
    // Independent of the reference on disk: a form compared with its own model is clean, and one
    // altered point, maximum and star each show up once.
    let catalog = Catalog::embedded().unwrap_or_else(|e| panic!("{e}"));
    let form = catalog.form("26-2026", "01", None).unwrap_or_else(|e| panic!("{e}"));
    let rule = rule_model(form);
    let same = compare(&rule.model, &rule.model, &HashMap::new());
    assert!(same.is_empty(), "{same:?}");
    let mut altered = rule.model.clone();
    let c = altered.criteria.iter_mut().find(|c| c.id == "1.3").expect("1.3");
    c.options[0].points = Printed::number(900);
    c.max = Some(Printed::number(800));
    c.options[2].star = None;
    let aspects: Vec<(Aspect, String, String)> = compare(&altered, &rule.model, &HashMap::new())
        .into_iter()
        .map(|d| (d.aspect, d.reference, d.rule))
        .collect();
    let expected =
        [(Aspect::CriterionMax, "8", "3"), (Aspect::Points, "9", "1"), (Aspect::Star, "none", "*****")]
            .map(|(a, r, x)| (a, r.to_string(), x.to_string()));
    assert_eq!(aspects, expected);
}
