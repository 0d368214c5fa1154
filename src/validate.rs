//! The validate stage: semantic checks on rule documents, and compilation into [`Form`]s.
//!
//! Every check reports through the file's [`Reader`], so problems carry file, line, column and
//! document path. A form is compiled only when its file and its decision file have no errors.

use crate::diag::{Diagnostic, DiagnosticKind, did_you_mean, list_names};
use crate::doc::{
    AnomalyDoc, BandDoc, CondDoc, CriterionDoc, CriterionKind, DecisionDoc, FactDoc, FormDoc, KnockoutDoc,
    MinimumDoc, OptionDoc, PartDoc, SectionDoc, StopScope,
};
use crate::form::{
    Anomaly, AwardLevel, Band, Choice, Cond, Criterion, Decision, Fact, Form, Gate, Knockout,
    LEAF_APPLIES_IF, LEAF_CUMULATIVE, LEAF_REQUIREMENT, LEAF_STOPS, Leaves, MAX_FACTS, MAX_LEAVES,
    MAX_OPTIONS, MAX_PARTS, Minimum, MinimumOrigin, Part, Requirement, Section, Stop, Transition,
};
use crate::locate::DocPath;
use crate::points::Points;
use crate::read::Reader;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

fn err(r: &mut Reader, kind: DiagnosticKind, path: &DocPath, message: String) -> Diagnostic {
    let _ = r;
    Diagnostic::error(kind, path.to_string(), message)
}

/// Checks a decision document and builds the decision, or reports why not.
pub(crate) fn decision(
    r: &mut Reader,
    doc: &DecisionDoc,
    folder: Option<&str>,
    sha256: String,
) -> Option<(Arc<Decision>, Vec<FactDoc>, Vec<KnockoutDoc>)> {
    check_decision_identity(r, doc, folder);
    check_decision_quorum(r, doc);
    check_decision_ids(r, doc);
    check_decision_points(r, doc);
    check_decision_facts_and_awards(r, doc);
    if r.has_errors() {
        return None;
    }
    let decision = build_decision(r, doc, sha256);
    Some((Arc::new(decision), doc.facts.clone(), doc.knockouts.clone()))
}

/// The decision's key (against its folder and as an id), its period and what it supersedes.
fn check_decision_identity(r: &mut Reader, doc: &DecisionDoc, folder: Option<&str>) {
    let dpath = DocPath::root().key("decision");
    if let Some(folder) = folder
        && folder != doc.key
    {
        let d = err(
            r,
            DiagnosticKind::InvalidValue,
            &dpath.key("key"),
            format!("the decision key `{}` differs from its folder `{folder}`", doc.key),
        )
        .expected(format!("key: {folder}"))
        .suggest("rename the folder or the key so that they match");
        r.push(&dpath.key("key"), d);
    }
    if let Some(until) = doc.in_force_until
        && until < doc.in_force_from
    {
        let d = err(
            r,
            DiagnosticKind::InvalidValue,
            &dpath.key("in_force_until"),
            format!("in force until {until}, before it comes into force on {}", doc.in_force_from),
        )
        .expected(format!("a date on or after {}", doc.in_force_from));
        r.push(&dpath.key("in_force_until"), d);
    }
    check_id(r, &doc.key, &dpath.key("key"), "the decision key");
    for (i, s) in doc.supersedes.iter().enumerate() {
        if s.eq_ignore_ascii_case(&doc.key) || s.eq_ignore_ascii_case(&doc.number) {
            let path = dpath.key("supersedes").index(i);
            let d = err(
                r,
                DiagnosticKind::InvalidValue,
                &path,
                format!("decision `{}` supersedes itself", doc.key),
            )
            .expected("the keys of earlier decisions that this one replaces")
            .suggest(format!("remove `{s}` from `supersedes`"));
            r.push(&path, d);
        }
    }
}

/// A quorum may not ask for more members than the council has.
fn check_decision_quorum(r: &mut Reader, doc: &DecisionDoc) {
    if let Some((num, den, _)) = &doc.quorum
        && num > den
    {
        let path = DocPath::root().key("council").key("quorum").key("numerator");
        let d = err(
            r,
            DiagnosticKind::InvalidValue,
            &path,
            format!("the quorum {num}/{den} asks for more members than the council has"),
        )
        .expected(format!("a fraction of the council: a numerator of at most {den}"))
        .suggest("write the quorum as printed, e.g. {numerator: 2, denominator: 3}");
        r.push(&path, d);
    }
}

/// The ids of the decision's parts, facts and knock-outs.
fn check_decision_ids(r: &mut Reader, doc: &DecisionDoc) {
    for (id, _, path) in &doc.parts {
        check_id(r, id, path, "part id");
    }
    for f in &doc.facts {
        check_id(r, &f.id, &f.path, "fact id");
    }
    for k in &doc.knockouts {
        check_id(r, &k.id, &k.path, "knock-out id");
    }
}

/// The parts (how many, and that they add up to the total) and the bands.
fn check_decision_points(r: &mut Reader, doc: &DecisionDoc) {
    let root = DocPath::root();
    if doc.parts.is_empty() || doc.parts.len() > MAX_PARTS {
        let d = err(
            r,
            DiagnosticKind::InvalidValue,
            &root.key("parts"),
            format!("{} parts declared", doc.parts.len()),
        )
        .expected(format!("from 1 to {MAX_PARTS} parts"));
        r.push(&root.key("parts"), d);
    }
    let parts_sum: Points = doc.parts.iter().map(|p| p.1).sum();
    if parts_sum != doc.total_max {
        let d = err(
            r,
            DiagnosticKind::PointsMismatch,
            &root.key("parts"),
            format!("the parts add up to {parts_sum}, not total_max {}", doc.total_max),
        )
        .expected(format!("part maxima adding up to {}", doc.total_max));
        r.push(&root.key("parts"), d);
    }
    check_bands(r, &doc.bands, doc.total_max, &root.key("bands"));
}

/// The facts (their count), the knock-outs (which test facts only) and the award levels.
fn check_decision_facts_and_awards(r: &mut Reader, doc: &DecisionDoc) {
    if doc.facts.len() > MAX_FACTS {
        r.error(DiagnosticKind::Limit, &DocPath::root().key("facts"), format!("more than {MAX_FACTS} facts"));
    }
    let fact_ids: Vec<&str> = doc.facts.iter().map(|f| f.id.as_str()).collect();
    for k in &doc.knockouts {
        check_fact_only(r, &k.when, &fact_ids);
    }
    for a in &doc.awards {
        if a.stars.is_empty() {
            let d = err(r, DiagnosticKind::InvalidValue, &a.path.key("stars"), "no classes listed".into())
                .expected("a list of classes, e.g. [3, 4]");
            r.push(&a.path.key("stars"), d);
        }
    }
}

/// The checked decision document as a [`Decision`].
fn build_decision(r: &Reader, doc: &DecisionDoc, sha256: String) -> Decision {
    Decision {
        key: doc.key.clone(),
        number: doc.number.clone(),
        title_vi: doc.title_vi.clone(),
        title_en: doc.title_en.clone(),
        issued: doc.issued,
        in_force_from: doc.in_force_from,
        in_force_until: doc.in_force_until,
        supersedes: doc.supersedes.clone(),
        amended_by: doc.amended_by.clone(),
        source: doc.source.clone(),
        transition: doc.transition.as_ref().map(|t| Transition {
            lodged_before: t.lodged_before,
            first_rating_days: t.first_rating_days,
            re_evaluation_days: t.re_evaluation_days,
            source: t.source.clone(),
        }),
        total_max: doc.total_max,
        parts: doc.parts.iter().map(|(id, max, _)| (id.clone(), *max)).collect(),
        bands: doc
            .bands
            .iter()
            .map(|b| Band { stars: b.stars, from: b.from, upper: b.upper, inclusive: b.inclusive })
            .collect(),
        bands_note: doc.bands_note.clone(),
        awards: doc
            .awards
            .iter()
            .map(|a| AwardLevel {
                level: a.level.clone(),
                stars: a.stars.clone(),
                from: a.from,
                until: a.until,
                source: a.source.clone(),
            })
            .collect(),
        certificate_months: doc.certificate_months,
        lifecycle: doc.lifecycle.clone(),
        spread_limit: doc.spread_limit,
        display_places: doc.display_places,
        quorum: doc.quorum.clone(),
        notes: doc.notes.clone(),
        file: r.file().to_string(),
        sha256,
    }
}

/// Names that assessments and bulk CSV headers use for themselves (docs/assessment.md): a
/// criterion may not be called so, or its CSV column would be read as the field.
use crate::assessment::FIELDS as RESERVED_COLUMNS;

/// The longest id accepted.
const MAX_ID_CHARS: usize = 64;

/// Ids (keys, criteria, options, sections, parts, cases, facts, knock-outs) are ASCII letters,
/// digits, `.`, `_` and `-`, starting with a letter or a digit, at most 64 characters: what the
/// forms print (`1.1`, `6.1.2`, `a`, `falsified_dossier`). Anything else is an error that names
/// the character: an invisible one (zero-width space, byte-order mark, soft hyphen, bidi
/// control…) or a letter of another script that looks Latin (Cyrillic `а`, Greek `Ο`) would make
/// two ids that read alike differ, and an assessment that types the plain one would not match.
fn check_id(r: &mut Reader, id: &str, path: &DocPath, what: &str) {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    let problem = if let Some(c) = id.chars().find(|c| !allowed(*c)) {
        let code = format!("U+{:04X}", c as u32);
        if let Some(name) = invisible_name(c) {
            format!("contains an invisible character, {code} {name}")
        } else if let Some((script, latin)) = look_alike(c) {
            format!("contains the {script} letter `{c}` ({code}), which looks like the Latin `{latin}`")
        } else if c.is_control() || c.is_whitespace() {
            format!("contains the character {code}, which ids may not contain")
        } else {
            format!("contains `{c}` ({code}), which ids may not contain")
        }
    } else if id.starts_with(['.', '_', '-']) {
        "starts with a punctuation mark".to_string()
    } else if id.chars().count() > MAX_ID_CHARS {
        format!("is {} characters long", id.chars().count())
    } else {
        return;
    };
    let shown: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || look_alike(c).is_some() {
                c.to_string()
            } else {
                format!("\\u{{{:x}}}", c as u32)
            }
        })
        .collect();
    let plain: String = id
        .chars()
        .filter(|c| invisible_name(*c).is_none())
        .map(|c| look_alike(c).map_or(c, |(_, latin)| latin))
        .collect();
    let d = Diagnostic::error(
        DiagnosticKind::InvalidValue,
        path.to_string(),
        format!("{what} `{shown}` {problem}"),
    )
    .expected(format!(
        "{what}: ASCII letters, digits, `.`, `_` and `-`, starting with a letter or a digit, \
             at most {MAX_ID_CHARS} characters"
    ))
    .suggest(
        if plain != id
            && !plain.starts_with(['.', '_', '-'])
            && !plain.is_empty()
            && plain.chars().all(allowed)
        {
            format!("write `{plain}`")
        } else {
            "keep to these characters, as the form prints the id".to_string()
        },
    );
    r.push(path, d);
}

/// The name of an invisible (format, zero-width or bidi) character.
fn invisible_name(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{00a0}' => "NO-BREAK SPACE",
        '\u{00ad}' => "SOFT HYPHEN",
        '\u{034f}' => "COMBINING GRAPHEME JOINER",
        '\u{061c}' => "ARABIC LETTER MARK",
        '\u{115f}' | '\u{1160}' | '\u{3164}' | '\u{ffa0}' => "HANGUL FILLER",
        '\u{180e}' => "MONGOLIAN VOWEL SEPARATOR",
        '\u{200b}' => "ZERO WIDTH SPACE",
        '\u{200c}' => "ZERO WIDTH NON-JOINER",
        '\u{200d}' => "ZERO WIDTH JOINER",
        '\u{200e}' => "LEFT-TO-RIGHT MARK",
        '\u{200f}' => "RIGHT-TO-LEFT MARK",
        '\u{202a}' => "LEFT-TO-RIGHT EMBEDDING",
        '\u{202b}' => "RIGHT-TO-LEFT EMBEDDING",
        '\u{202c}' => "POP DIRECTIONAL FORMATTING",
        '\u{202d}' => "LEFT-TO-RIGHT OVERRIDE",
        '\u{202e}' => "RIGHT-TO-LEFT OVERRIDE",
        '\u{2060}' => "WORD JOINER",
        '\u{2061}'..='\u{2064}' => "INVISIBLE OPERATOR",
        '\u{2066}' => "LEFT-TO-RIGHT ISOLATE",
        '\u{2067}' => "RIGHT-TO-LEFT ISOLATE",
        '\u{2068}' => "FIRST STRONG ISOLATE",
        '\u{2069}' => "POP DIRECTIONAL ISOLATE",
        '\u{206a}'..='\u{206f}' => "DEPRECATED FORMAT CHARACTER",
        '\u{feff}' => "ZERO WIDTH NO-BREAK SPACE (byte-order mark)",
        '\u{fe00}'..='\u{fe0f}' => "VARIATION SELECTOR",
        '\u{e0000}'..='\u{e007f}' => "TAG CHARACTER",
        _ => return None,
    })
}

/// A Cyrillic or Greek letter that looks like a Latin one: (its script, the Latin letter).
fn look_alike(c: char) -> Option<(&'static str, char)> {
    const CYRILLIC: &[(char, char)] = &[
        ('а', 'a'),
        ('в', 'b'),
        ('е', 'e'),
        ('о', 'o'),
        ('р', 'p'),
        ('с', 'c'),
        ('у', 'y'),
        ('х', 'x'),
        ('і', 'i'),
        ('ј', 'j'),
        ('ѕ', 's'),
        ('ԁ', 'd'),
        ('һ', 'h'),
        ('ԛ', 'q'),
        ('ԝ', 'w'),
        ('к', 'k'),
        ('м', 'm'),
        ('н', 'h'),
        ('т', 't'),
        ('А', 'A'),
        ('В', 'B'),
        ('Е', 'E'),
        ('К', 'K'),
        ('М', 'M'),
        ('Н', 'H'),
        ('О', 'O'),
        ('Р', 'P'),
        ('С', 'C'),
        ('Т', 'T'),
        ('Х', 'X'),
        ('У', 'Y'),
        ('І', 'I'),
        ('Ј', 'J'),
        ('Ѕ', 'S'),
    ];
    const GREEK: &[(char, char)] = &[
        ('Α', 'A'),
        ('Β', 'B'),
        ('Ε', 'E'),
        ('Ζ', 'Z'),
        ('Η', 'H'),
        ('Ι', 'I'),
        ('Κ', 'K'),
        ('Μ', 'M'),
        ('Ν', 'N'),
        ('Ο', 'O'),
        ('Ρ', 'P'),
        ('Τ', 'T'),
        ('Υ', 'Y'),
        ('Χ', 'X'),
        ('ο', 'o'),
        ('ν', 'v'),
        ('ι', 'i'),
        ('α', 'a'),
        ('κ', 'k'),
        ('ρ', 'p'),
        ('τ', 't'),
        ('υ', 'u'),
        ('χ', 'x'),
    ];
    if let Some((_, l)) = CYRILLIC.iter().find(|(x, _)| *x == c) {
        return Some(("Cyrillic", *l));
    }
    GREEK.iter().find(|(x, _)| *x == c).map(|(_, l)| ("Greek", *l))
}

fn check_fact_only(r: &mut Reader, cond: &CondDoc, facts: &[&str]) {
    match cond {
        CondDoc::Fact { name, path } => {
            if !facts.contains(&name.as_str()) {
                let d = err(r, DiagnosticKind::UnknownReference, path, format!("unknown fact `{name}`"))
                    .expected(format!("one of {}", list_names(facts, 12)))
                    .suggest_opt(did_you_mean(name, facts.iter().copied()));
                r.push(path, d);
            }
        }
        CondDoc::Answer { path, .. } => {
            let d = err(
                r,
                DiagnosticKind::Condition,
                path,
                "a decision-level knock-out can only test facts".into(),
            )
            .suggest("move a knock-out that tests answers into the form files");
            r.push(path, d);
        }
        CondDoc::All(items) | CondDoc::Any(items) => items.iter().for_each(|c| check_fact_only(r, c, facts)),
        CondDoc::Not(inner) => check_fact_only(r, inner, facts),
    }
}

fn check_bands(r: &mut Reader, bands: &[BandDoc], total_max: Points, path: &DocPath) {
    if bands.is_empty() {
        let d =
            err(r, DiagnosticKind::Bands, path, "no bands".into()).expected("bands covering 0..total_max");
        r.push(path, d);
        return;
    }
    let mut sorted: Vec<&BandDoc> = bands.iter().collect();
    sorted.sort_by_key(|b| b.from);
    if sorted[0].from != Points::ZERO {
        let d = err(
            r,
            DiagnosticKind::Bands,
            &sorted[0].path,
            format!("the lowest band starts at {}, so totals below it have no class", sorted[0].from),
        )
        .expected("the lowest band to start at 0");
        r.push(&sorted[0].path, d);
    }
    for pair in sorted.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        if a.inclusive && b.from <= a.upper || !a.inclusive && b.from < a.upper {
            let d = err(
                r,
                DiagnosticKind::Bands,
                &b.path,
                format!("the {}-star band overlaps the {}-star band", b.stars, a.stars),
            )
            .expected(format!("`from: {}` with the band below ending `below: {}`", a.upper, a.upper));
            r.push(&b.path, d);
        } else if b.from > a.upper || a.inclusive {
            let d = err(
                r,
                DiagnosticKind::Bands,
                &b.path,
                format!("a gap between the {}-star band and the {}-star band", a.stars, b.stars),
            )
            .expected(format!("`from: {}` and `below:` (not `to:`) on the band below", a.upper));
            r.push(&b.path, d);
        }
        if b.stars != a.stars + 1 {
            let d = err(
                r,
                DiagnosticKind::Bands,
                &b.path.key("stars"),
                format!("the band above the {}-star band gives {} stars", a.stars, b.stars),
            )
            .expected(format!("stars: {}", a.stars + 1));
            r.push(&b.path.key("stars"), d);
        }
    }
    for b in &sorted {
        if b.upper < b.from || (b.upper == b.from && !b.inclusive) {
            let d = err(r, DiagnosticKind::Bands, &b.path, format!("the {}-star band is empty", b.stars))
                .expected("an upper bound above `from`");
            r.push(&b.path, d);
        }
    }
    if let Some(last) = sorted.last()
        && (!last.inclusive || last.upper != total_max)
    {
        let d = err(
            r,
            DiagnosticKind::Bands,
            &last.path,
            format!("the top band does not end at the maximum {total_max} inclusive"),
        )
        .expected(format!("`to: {total_max}` on the top band"));
        r.push(&last.path, d);
    }
}

/// A leaf in the making: what the compile pass needs to resolve conditions.
struct LeafInfo {
    id: String,
    node: usize,
    kind: CriterionKind,
    keys: Vec<String>,
}

/// A criterion's condition, compiled once every leaf is known.
#[derive(Clone, Copy)]
enum PendingGate<'a> {
    AppliesIf(&'a crate::doc::GateDoc),
    Stop(&'a crate::doc::StopDoc),
    Requirement(&'a crate::doc::RequirementDoc),
}

struct Builder<'a> {
    form_doc: &'a FormDoc,
    decision: &'a Decision,
    parts: Vec<Part>,
    sections: Vec<Section>,
    nodes: Vec<Criterion>,
    options: Vec<Choice>,
    anomalies: Vec<Anomaly>,
    leaves: Vec<LeafInfo>,
    leaf_part: Vec<u8>,
    leaf_section: Vec<u16>,
    /// Conditions to compile once every leaf is known, with their leaf.
    gates: Vec<(usize, PendingGate<'a>)>,
    index: HashMap<String, usize>,
    markers: Vec<(usize, usize, u8, DocPath)>,
}

/// Checks a form document against its decision and compiles it.
pub(crate) fn form(
    r: &mut Reader,
    doc: &FormDoc,
    decision: &Arc<Decision>,
    decision_facts: &[FactDoc],
    decision_knockouts: &[KnockoutDoc],
    sha256: String,
) -> Option<Form> {
    check_form_head(r, doc, decision);
    let mut b = Builder::new(doc, decision);
    b.parts(r);
    if b.leaves.len() > MAX_LEAVES {
        r.error(
            DiagnosticKind::Limit,
            &DocPath::root().key("parts"),
            format!("{} answered criteria, more than the limit of {MAX_LEAVES}", b.leaves.len()),
        );
        return None;
    }
    let facts = form_facts(r, decision_facts, &doc.facts)?;
    let fact_ids: Vec<String> = facts.iter().map(|f| f.id.clone()).collect();
    let knockouts = b.knockouts(r, decision_knockouts, &doc.knockouts, &fact_ids, facts.len());
    let gates = b.gates(r, &fact_ids, facts.len());
    let minimums = b.minimums(r);
    if r.has_errors() {
        return None;
    }
    let leaves = b.compiled_leaves(gates);
    Some(Form {
        decision: Arc::clone(decision),
        set: doc.set.clone(),
        name_vi: doc.name_vi.clone(),
        name_en: doc.name_en.clone(),
        source: doc.source.clone(),
        in_force_from: doc.in_force_from,
        in_force_until: doc.in_force_until,
        version_note: doc.version_note.clone(),
        notes: doc.notes.clone(),
        file: r.file().to_string(),
        sha256,
        parts: b.parts,
        sections: b.sections,
        nodes: b.nodes,
        options: b.options,
        facts,
        knockouts_on_facts_only: knockouts.iter().all(|k| matches!(k.when, Cond::Fact(_))),
        knockouts,
        minimums,
        anomalies: b.anomalies,
        leaves,
        index: b.index,
        advisor: std::sync::OnceLock::new(),
    })
}

/// The form's head: its decision and set, its period (within the decision's), and the ids of
/// its own facts and knock-outs.
fn check_form_head(r: &mut Reader, doc: &FormDoc, decision: &Decision) {
    let head = DocPath::root().key("form");
    if doc.decision != decision.key {
        let d = err(
            r,
            DiagnosticKind::InvalidValue,
            &head.key("decision"),
            format!("the form says decision `{}` but lies in the folder of `{}`", doc.decision, decision.key),
        )
        .expected(format!("decision: {}", decision.key));
        r.push(&head.key("decision"), d);
    }
    if !(doc.set.len() == 2 && doc.set.bytes().all(|b| b.is_ascii_digit())) {
        let d = err(r, DiagnosticKind::InvalidValue, &head.key("set"), format!("set `{}`", doc.set))
            .expected("a two-digit set number such as \"01\"");
        r.push(&head.key("set"), d);
    }
    if let (Some(from), Some(until)) = (doc.in_force_from, doc.in_force_until)
        && until < from
    {
        r.error(
            DiagnosticKind::InvalidValue,
            &head.key("in_force_until"),
            format!("in force until {until}, before {from}"),
        );
    }
    for (field, date) in [("in_force_from", doc.in_force_from), ("in_force_until", doc.in_force_until)] {
        let Some(date) = date else { continue };
        if decision.in_force_on(date) {
            continue;
        }
        let period = match decision.in_force_until {
            Some(until) => format!("from {} to {until}", decision.in_force_from),
            None => format!("from {}", decision.in_force_from),
        };
        let d = err(
            r,
            DiagnosticKind::InvalidValue,
            &head.key(field),
            format!("the form's {field} {date} falls outside decision {}'s period ({period})", decision.key),
        )
        .expected(format!("a date {period}"))
        .suggest("a form version applies only while its decision is in force: check the date here and in decision.yaml");
        r.push(&head.key(field), d);
    }
    for f in &doc.facts {
        check_id(r, &f.id, &f.path, "fact id");
    }
    for k in &doc.knockouts {
        check_id(r, &k.id, &k.path, "knock-out id");
    }
}

/// A part's id, anomalies and max: the decision's max for the part, and the sum of its sections
/// (unless an anomaly on `max` records the printed value).
fn check_part(r: &mut Reader, decision: &Decision, part: &PartDoc, anomalies: &mut Vec<Anomaly>) {
    check_id(r, &part.id, &part.path, "part id");
    warn_anomalies(r, &part.anomalies, anomalies);
    let has_max_anomaly = part.anomalies.iter().any(|a| a.field == "max");
    check_applied_max(r, &part.anomalies, part.max);
    if let Some((_, max)) = decision.parts.iter().find(|p| p.0 == part.id)
        && *max != part.max
        && !has_max_anomaly
    {
        let d = err(
            r,
            DiagnosticKind::PointsMismatch,
            &part.path.key("max"),
            format!("part {} has max {} but the decision gives {}", part.id, part.max, max),
        )
        .expected(format!("max: {max}"));
        r.push(&part.path.key("max"), d);
    }
    let sum: Points = part.sections.iter().map(|s| s.max).sum();
    if sum != part.max && !has_max_anomaly {
        let d = err(
            r,
            DiagnosticKind::PointsMismatch,
            &part.path.key("max"),
            format!("the sections of part {} add up to {sum}, not its max {}", part.id, part.max),
        )
        .expected(format!("max: {sum}, or an anomaly on `max` recording the printed value"));
        r.push(&part.path.key("max"), d);
    }
}

/// A section's id (unique in the form), anomalies and max (the sum of its criteria, unless an
/// anomaly on `max` records the printed value).
fn check_section(
    r: &mut Reader,
    section: &SectionDoc,
    section_ids: &mut HashSet<String>,
    anomalies: &mut Vec<Anomaly>,
) {
    check_id(r, &section.id, &section.path, "section id");
    if !section_ids.insert(section.id.clone()) {
        let d = err(
            r,
            DiagnosticKind::DuplicateId,
            &section.path,
            format!("section `{}` appears twice in the form", section.id),
        )
        .expected("unique section numbers");
        r.push(&section.path, d);
    }
    warn_anomalies(r, &section.anomalies, anomalies);
    check_applied_max(r, &section.anomalies, section.max);
    let sum: Points = section.criteria.iter().map(|c| c.max).sum();
    if sum != section.max && !section.anomalies.iter().any(|a| a.field == "max") {
        let d = err(
            r,
            DiagnosticKind::PointsMismatch,
            &section.path.key("max"),
            format!("the criteria of section {} add up to {sum}, not its max {}", section.id, section.max),
        )
        .expected(format!("max: {sum}, or an anomaly on `max` recording the printed value"));
        r.push(&section.path.key("max"), d);
    }
}

/// The form's facts: the decision's, then the form's own; `None` (reported) beyond
/// [`MAX_FACTS`].
fn form_facts(r: &mut Reader, decision_facts: &[FactDoc], own: &[FactDoc]) -> Option<Vec<Fact>> {
    let mut facts: Vec<Fact> = Vec::new();
    for f in decision_facts.iter().chain(own.iter()) {
        if facts.iter().any(|x| x.id == f.id) {
            let d = err(
                r,
                DiagnosticKind::DuplicateId,
                &f.path,
                format!("fact `{}` is already declared by the decision", f.id),
            )
            .suggest("use the decision's fact, or give this one another id");
            r.push(&f.path, d);
            continue;
        }
        facts.push(Fact { id: f.id.clone(), text_vi: f.text_vi.clone(), name_en: f.name_en.clone() });
    }
    if facts.len() > MAX_FACTS {
        r.error(DiagnosticKind::Limit, &DocPath::root().key("facts"), format!("more than {MAX_FACTS} facts"));
        return None;
    }
    Some(facts)
}

/// The compiled conditions of every leaf, indexed by leaf.
struct Gates {
    applies_if: Vec<Option<Cond>>,
    stops: Vec<Option<Cond>>,
    stop_scopes: Vec<Option<StopScope>>,
    requirement: Vec<Option<Cond>>,
}

impl<'a> Builder<'a> {
    fn new(form_doc: &'a FormDoc, decision: &'a Decision) -> Self {
        Builder {
            form_doc,
            decision,
            parts: Vec::new(),
            sections: Vec::new(),
            nodes: Vec::new(),
            options: Vec::new(),
            anomalies: Vec::new(),
            leaves: Vec::new(),
            leaf_part: Vec::new(),
            leaf_section: Vec::new(),
            gates: Vec::new(),
            index: HashMap::new(),
            markers: Vec::new(),
        }
    }

    /// Checks and builds the parts, their sections and criteria, in printed order. The parts
    /// must be the decision's, in its order.
    fn parts(&mut self, r: &mut Reader) {
        let doc = self.form_doc;
        let want: Vec<&str> = self.decision.parts.iter().map(|p| p.0.as_str()).collect();
        let got: Vec<&str> = doc.parts.iter().map(|p| p.id.as_str()).collect();
        if want != got {
            let path = DocPath::root().key("parts");
            let d = err(
                r,
                DiagnosticKind::InvalidValue,
                &path,
                format!("the form has parts {}", list_names(&got, 8)),
            )
            .expected(format!("the decision's parts {}, in that order", list_names(&want, 8)));
            r.push(&path, d);
        }
        let mut section_ids = HashSet::new();
        for (pi, part) in doc.parts.iter().enumerate() {
            check_part(r, self.decision, part, &mut self.anomalies);
            let first_section = self.sections.len();
            for section in &part.sections {
                self.section(r, section, pi, &mut section_ids);
            }
            self.parts.push(Part {
                id: part.id.clone(),
                title_vi: part.title_vi.clone(),
                name_en: part.name_en.clone(),
                max: part.max,
                sections: first_section..self.sections.len(),
            });
        }
    }

    /// Checks and builds one section of part `pi` and its criteria.
    fn section(
        &mut self,
        r: &mut Reader,
        section: &'a SectionDoc,
        pi: usize,
        section_ids: &mut HashSet<String>,
    ) {
        check_section(r, section, section_ids, &mut self.anomalies);
        let si = self.sections.len();
        let first_node = self.nodes.len();
        self.sections.push(Section {
            id: section.id.clone(),
            title_vi: section.title_vi.clone(),
            name_en: section.name_en.clone(),
            max: section.max,
            part: pi,
            nodes: 0..0,
        });
        if section.criteria.is_empty() {
            let d = err(r, DiagnosticKind::MissingField, &section.path.key("criteria"), "no criteria".into())
                .expected("at least one criterion");
            r.push(&section.path.key("criteria"), d);
        }
        for c in &section.criteria {
            self.criterion(r, c, pi, si, 0);
        }
        self.sections[si].nodes = first_node..self.nodes.len();
    }

    /// The form's knock-outs: the decision's, then the form's own, each with its condition
    /// compiled.
    fn knockouts(
        &self,
        r: &mut Reader,
        decision_knockouts: &[KnockoutDoc],
        own_knockouts: &[KnockoutDoc],
        fact_ids: &[String],
        fact_count: usize,
    ) -> Vec<Knockout> {
        let mut knockouts: Vec<Knockout> = Vec::new();
        for (k, own) in
            decision_knockouts.iter().map(|k| (k, false)).chain(own_knockouts.iter().map(|k| (k, true)))
        {
            if knockouts.iter().any(|x| x.id == k.id) {
                let d = err(
                    r,
                    DiagnosticKind::DuplicateId,
                    &k.path,
                    format!("knock-out `{}` is already declared by the decision", k.id),
                );
                r.push(&k.path, d);
                continue;
            }
            // Decision-level knock-outs were checked in the decision file; their paths point there.
            let when = if own {
                self.condition(r, &k.when, fact_ids, usize::MAX)
            } else {
                let mut scratch = Reader::new(r.file(), "");
                self.condition(&mut scratch, &k.when, fact_ids, usize::MAX)
            };
            if own && let Some(when) = &when {
                self.check_satisfiable(r, when, &k.path.key("when"), "knock-out", fact_count);
            }
            if let Some(when) = when {
                knockouts.push(Knockout {
                    id: k.id.clone(),
                    when,
                    text_vi: k.text_vi.clone(),
                    name_en: k.name_en.clone(),
                    source: k.source.clone(),
                });
            }
        }
        knockouts
    }

    /// Compiles the conditions that the criteria declared, now that every leaf is known.
    fn gates(&mut self, r: &mut Reader, fact_ids: &[String], fact_count: usize) -> Gates {
        let n = self.leaves.len();
        let mut g = Gates {
            applies_if: vec![None; n],
            stops: vec![None; n],
            stop_scopes: vec![None; n],
            requirement: vec![None; n],
        };
        let gates = std::mem::take(&mut self.gates);
        for (leaf, gate) in gates {
            self.gate(
                r,
                leaf,
                gate,
                fact_ids,
                fact_count,
                &mut g.applies_if,
                &mut g.stops,
                &mut g.stop_scopes,
                &mut g.requirement,
            );
        }
        g
    }

    /// The form's minimums: the star markers, then the form's table, sorted by class and leaf;
    /// then the markers' and the minimums' own checks.
    fn minimums(&mut self, r: &mut Reader) -> Vec<Minimum> {
        let mut minimums = Vec::new();
        let markers = std::mem::take(&mut self.markers);
        for (leaf, option, stars, _) in &markers {
            minimums.push(Minimum {
                stars: *stars,
                leaf: *leaf,
                option: *option,
                at_least: self.options[*option].points,
                origin: MinimumOrigin::Marker,
                in_force_from: None,
            });
        }
        for m in &self.form_doc.minimums {
            if let Some(minimum) = self.table_minimum(r, m) {
                minimums.push(minimum);
            }
        }
        minimums.sort_by_key(|m| (m.stars, m.leaf));
        self.check_markers(r, &markers);
        self.check_reachable(r, &minimums);
        minimums
    }

    /// One row of the form's table of minimums: its criterion and option resolved, its start
    /// date within the decision's period (reported, but the row is kept).
    fn table_minimum(&self, r: &mut Reader, m: &MinimumDoc) -> Option<Minimum> {
        let decision = self.decision;
        let leaf = self.leaf_ref(r, &m.criterion, &m.path.key("criterion"), usize::MAX)?;
        let info = &self.leaves[leaf];
        let Some(pos) = info.keys.iter().position(|k| *k == m.at_least) else {
            let keys = info.keys.clone();
            let d = err(
                r,
                DiagnosticKind::UnknownReference,
                &m.path.key("at_least"),
                format!("criterion {} has no option `{}`", m.criterion, m.at_least),
            )
            .expected(format!("one of {}", list_names(&keys, 12)))
            .suggest_opt(did_you_mean(&m.at_least, keys.iter().map(String::as_str)));
            r.push(&m.path.key("at_least"), d);
            return None;
        };
        let option = self.nodes[info.node].options.start + pos;
        if let Some(from) = m.in_force_from
            && !decision.in_force_on(from)
        {
            let d = err(
                r,
                DiagnosticKind::InvalidValue,
                &m.path.key("in_force_from"),
                format!("the minimum starts on {from}, outside decision {}'s period", decision.key),
            )
            .expected(format!(
                "a date from {} to {}",
                decision.in_force_from,
                decision.in_force_until.map_or("today".to_string(), |u| u.to_string())
            ));
            r.push(&m.path.key("in_force_from"), d);
        }
        Some(Minimum {
            stars: m.stars,
            leaf,
            option,
            at_least: self.options[option].points,
            origin: MinimumOrigin::Table { text_vi: m.text_vi.clone(), source: m.source.clone() },
            in_force_from: m.in_force_from,
        })
    }

    /// The scoring tables of the leaves (struct of arrays, in leaf order), with their gates.
    fn compiled_leaves(&self, gates: Gates) -> Leaves {
        let Gates { applies_if, stops, stop_scopes, requirement } = gates;
        let mut leaves = Leaves::default();
        for (i, info) in self.leaves.iter().enumerate() {
            let node = &self.nodes[info.node];
            leaves.node.push(info.node);
            leaves.part.push(self.leaf_part[i]);
            leaves.section.push(self.leaf_section[i]);
            leaves.option_start.push(leaves.option_points.len() as u32);
            leaves.option_count.push(node.options.len() as u8);
            let options = &self.options[node.options.clone()];
            leaves.option_points.extend(options.iter().map(|o| o.points.hundredths()));
            leaves.option_letter.extend(options.iter().map(|o| match o.key.as_bytes() {
                &[letter] => letter,
                _ => 0,
            }));
            let mut flags = 0;
            if node.kind == CriterionKind::Cumulative {
                flags |= LEAF_CUMULATIVE;
            }
            if applies_if.get(i).is_some_and(Option::is_some) {
                flags |= LEAF_APPLIES_IF;
            }
            if stops.get(i).is_some_and(Option::is_some) {
                flags |= LEAF_STOPS;
            }
            if requirement.get(i).is_some_and(Option::is_some) {
                flags |= LEAF_REQUIREMENT;
            }
            let start = leaves.option_start[i];
            leaves.info.push(crate::form::LeafInfo { start, stop_end: 0, flags, part: self.leaf_part[i] });
        }
        set_stop_ends(&mut leaves, &stop_scopes);
        leaves.applies_if = applies_if;
        leaves.stops = stops;
        leaves.requirement = requirement;
        leaves
    }
}

/// Where each leaf's stop ends: the leaf count for a stop of the evaluation (ruling 9), the end
/// of its section for a stop of the section. Leaves are in printed order, so each section's
/// leaves are one run.
fn set_stop_ends(leaves: &mut Leaves, scopes: &[Option<StopScope>]) {
    let count = leaves.info.len() as u16;
    let mut section_end = count;
    for i in (0..leaves.info.len()).rev() {
        if i + 1 < leaves.section.len() && leaves.section[i] != leaves.section[i + 1] {
            section_end = i as u16 + 1;
        }
        leaves.info[i].stop_end = match scopes.get(i).copied().flatten() {
            Some(StopScope::Section) => section_end,
            _ => count,
        };
    }
}

/// Records every anomaly as a warning and keeps it for the trace.
fn warn_anomalies(r: &mut Reader, anomalies: &[AnomalyDoc], out: &mut Vec<Anomaly>) {
    for a in anomalies {
        let d = Diagnostic::warning(
            DiagnosticKind::Anomaly,
            a.path.to_string(),
            format!(
                "printed anomaly ({}): printed `{}`, applied `{}`: {}",
                a.field, a.printed, a.applied, a.reason
            ),
        );
        r.push(&a.path, d);
        out.push(Anomaly {
            field: a.field.clone(),
            printed: a.printed.clone(),
            applied: a.applied.clone(),
            reason: a.reason.clone(),
            path: a.path.to_string(),
        });
    }
}

/// An anomaly on `field` must state the value the node applies.
fn check_applied(r: &mut Reader, anomalies: &[AnomalyDoc], field: &str, value: Points) {
    for a in anomalies.iter().filter(|a| a.field == field) {
        let applied = a.applied.trim().parse::<rust_decimal::Decimal>().ok().and_then(Points::from_decimal);
        if applied != Some(value) {
            let d = Diagnostic::error(
                DiagnosticKind::Anomaly,
                a.path.key("applied").to_string(),
                format!("the anomaly says `{}` is applied, but the {field} applied is {value}", a.applied),
            )
            .expected(format!("applied: {value}"))
            .suggest(format!("make `applied` and the node's `{field}` agree"));
            r.push(&a.path.key("applied"), d);
        }
    }
}

fn check_applied_max(r: &mut Reader, anomalies: &[AnomalyDoc], max: Points) {
    check_applied(r, anomalies, "max", max);
}

/// A criterion's id (well-formed, not an assessment field's name) and its case ids.
fn check_criterion_ids(r: &mut Reader, c: &CriterionDoc) {
    check_id(r, &c.id, &c.path, "criterion id");
    if let Some(column) = RESERVED_COLUMNS.iter().find(|n| n.eq_ignore_ascii_case(&c.id)) {
        let d = Diagnostic::error(
            DiagnosticKind::InvalidValue,
            c.path.to_string(),
            format!(
                "criterion id `{}` is also the name of an assessment field and bulk CSV column (`{column}`)",
                c.id
            ),
        )
        .expected(format!("a criterion id other than {}", list_names(RESERVED_COLUMNS, 20)))
        .suggest("use the form's own numbering (`1.1`, `6.2`, `7`)");
        r.push(&c.path, d);
    }
    for (case, _) in &c.cases {
        check_id(r, case, &c.path.key("cases").key(case), "case id");
    }
}

/// Reports a criterion of the wrong shape for its kind.
fn shape_error(r: &mut Reader, c: &CriterionDoc, message: String, expected: &str) {
    let d = Diagnostic::error(DiagnosticKind::InvalidValue, c.path.to_string(), message)
        .expected(expected.to_string());
    r.push(&c.path, d);
}

/// A group holds nested criteria that add up to its max, no options and no condition.
fn check_group_shape(r: &mut Reader, c: &CriterionDoc, max_anomaly: bool) {
    if !c.options.is_empty() {
        shape_error(r, c, format!("group {} has options", c.id), "a group holds `criteria`, not `options`");
    }
    if c.criteria.is_empty() {
        shape_error(
            r,
            c,
            format!("group {} has no nested criteria", c.id),
            "`criteria` with at least one child",
        );
    }
    let sum: Points = c.criteria.iter().map(|x| x.max).sum();
    if sum != c.max && !max_anomaly {
        let d = Diagnostic::error(
            DiagnosticKind::PointsMismatch,
            c.path.key("max").to_string(),
            format!("the criteria of group {} add up to {sum}, not its max {}", c.id, c.max),
        )
        .expected(format!("max: {sum}, or an anomaly on `max`"));
        r.push(&c.path.key("max"), d);
    }
    if c.applies_if.is_some() || c.stops.is_some() || c.requirement.is_some() {
        shape_error(r, c, format!("group {} has a condition", c.id), "conditions on answered criteria");
    }
}

/// An answered criterion: a yes/no one has no options, the others from 1 to [`MAX_OPTIONS`];
/// none has nested criteria.
fn check_answered_shape(r: &mut Reader, c: &CriterionDoc) {
    match c.kind {
        CriterionKind::YesNo => {
            if !c.options.is_empty() {
                shape_error(
                    r,
                    c,
                    format!("yes/no criterion {} has options", c.id),
                    "no options (yes scores max, no 0)",
                );
            }
        }
        CriterionKind::Pick | CriterionKind::Cumulative => {
            if c.options.is_empty() {
                shape_error(
                    r,
                    c,
                    format!("criterion {} has no options", c.id),
                    "`options`, or `kind: yes_no`",
                );
            }
            if c.options.len() > MAX_OPTIONS {
                shape_error(
                    r,
                    c,
                    format!("criterion {} has {} options", c.id, c.options.len()),
                    "at most 64 options",
                );
            }
        }
        CriterionKind::Group => {}
    }
    if !c.criteria.is_empty() {
        shape_error(
            r,
            c,
            format!("criterion {} has nested criteria", c.id),
            "`kind: group` for a criterion with children",
        );
    }
}

/// One printed option: its key, anomalies and points (at most the criterion's max unless an
/// anomaly records them), and its case.
fn check_option(
    r: &mut Reader,
    c: &CriterionDoc,
    o: &OptionDoc,
    case_ids: &[&str],
    anomalies: &mut Vec<Anomaly>,
) {
    check_id(r, &o.key, &o.path, "option key");
    warn_anomalies(r, &o.anomalies, anomalies);
    check_applied(r, &o.anomalies, "points", o.points);
    if o.points > c.max && !o.anomalies.iter().any(|a| a.field == "points") {
        let d = Diagnostic::error(
            DiagnosticKind::PointsMismatch,
            o.path.key("points").to_string(),
            format!("option {} gives {} points, more than the criterion's max {}", o.key, o.points, c.max),
        )
        .expected(format!("at most {}", c.max))
        .suggest("if the decision prints this, record it as an anomaly on `points` and apply a value");
        r.push(&o.path.key("points"), d);
    }
    if ["yes", "no", "none"].contains(&o.key.as_str()) {
        let d = Diagnostic::error(
            DiagnosticKind::InvalidValue,
            o.path.to_string(),
            format!("option key `{}` is reserved for answers", o.key),
        )
        .expected("option keys a, b, c…");
        r.push(&o.path, d);
    }
    check_option_case(r, c, o, case_ids);
}

/// An option names one of its criterion's alternative cases exactly when the criterion has
/// them.
fn check_option_case(r: &mut Reader, c: &CriterionDoc, o: &OptionDoc, case_ids: &[&str]) {
    match (&o.case, case_ids.is_empty()) {
        (Some(case), false) if !case_ids.contains(&case.as_str()) => {
            let d = Diagnostic::error(
                DiagnosticKind::UnknownReference,
                o.path.key("case").to_string(),
                format!("unknown case `{case}`"),
            )
            .expected(format!("one of {}", list_names(case_ids, 8)))
            .suggest_opt(did_you_mean(case, case_ids.iter().copied()));
            r.push(&o.path.key("case"), d);
        }
        (None, false) => {
            let d = Diagnostic::error(
                DiagnosticKind::MissingField,
                o.path.to_string(),
                format!("criterion {} has alternative cases but option {} names none", c.id, o.key),
            )
            .expected(format!("case: one of {}", list_names(case_ids, 8)));
            r.push(&o.path, d);
        }
        (Some(_), true) => {
            let d = Diagnostic::error(
                DiagnosticKind::UnknownReference,
                o.path.key("case").to_string(),
                format!("criterion {} declares no `cases`", c.id),
            )
            .suggest("declare the cases under the criterion's `cases`");
            r.push(&o.path.key("case"), d);
        }
        _ => {}
    }
}

/// A criterion's max is what its best answer gives: the highest option, or for a cumulative
/// criterion the sum of its options (unless an anomaly on `max` records the printed value).
fn check_max_against_options(
    r: &mut Reader,
    c: &CriterionDoc,
    highest: Points,
    sum: Points,
    max_anomaly: bool,
) {
    let (expected_max, rule) = match c.kind {
        CriterionKind::Cumulative => (sum, "the options of a cumulative criterion add up to"),
        _ => (highest, "the highest option gives"),
    };
    if c.kind != CriterionKind::YesNo && !c.options.is_empty() && expected_max != c.max && !max_anomaly {
        let d = Diagnostic::error(
            DiagnosticKind::PointsMismatch,
            c.path.key("max").to_string(),
            format!("criterion {}: {rule} {expected_max}, but its max is {}", c.id, c.max),
        )
        .expected(format!("max: {expected_max}, or an anomaly on `max` recording the printed value"));
        r.push(&c.path.key("max"), d);
    }
}

impl<'a> Builder<'a> {
    /// Checks one criterion and builds its node; a group's children follow it, an answered
    /// criterion becomes a leaf with its options.
    fn criterion(&mut self, r: &mut Reader, c: &'a CriterionDoc, part: usize, section: usize, depth: u8) {
        if self.report_duplicate(r, c) {
            return;
        }
        check_criterion_ids(r, c);
        let mut anomalies = Vec::new();
        warn_anomalies(r, &c.anomalies, &mut anomalies);
        check_applied_max(r, &c.anomalies, c.max);
        let max_anomaly = c.anomalies.iter().any(|a| a.field == "max");
        let node = self.push_node(c, part, section, depth);
        if c.kind == CriterionKind::Group {
            check_group_shape(r, c, max_anomaly);
            self.nodes[node].anomalies = anomalies;
            for child in &c.criteria {
                self.criterion(r, child, part, section, depth + 1);
            }
            return;
        }
        check_answered_shape(r, c);
        let start = self.options.len();
        let leaf = self.leaves.len();
        let keys = self.options(r, c, leaf, max_anomaly, &mut anomalies);
        self.nodes[node].options = start..self.options.len();
        self.nodes[node].leaf = Some(leaf);
        self.nodes[node].anomalies = anomalies;
        self.leaves.push(LeafInfo { id: c.id.clone(), node, kind: c.kind, keys });
        self.leaf_part.push(part as u8);
        self.leaf_section.push(section as u16);
        if let Some(g) = &c.applies_if {
            self.gates.push((leaf, PendingGate::AppliesIf(g)));
        }
        if let Some(g) = &c.stops {
            self.gates.push((leaf, PendingGate::Stop(g)));
        }
        if let Some(g) = &c.requirement {
            self.gates.push((leaf, PendingGate::Requirement(g)));
        }
    }

    /// Reports a criterion id already used in the form; true if so (the criterion is skipped).
    fn report_duplicate(&self, r: &mut Reader, c: &CriterionDoc) -> bool {
        let Some(&prev) = self.index.get(&c.id) else { return false };
        let d = Diagnostic::error(
            DiagnosticKind::DuplicateId,
            c.path.to_string(),
            format!(
                "criterion `{}` appears twice (first in section {})",
                c.id, self.sections[self.nodes[prev].section].id
            ),
        )
        .expected("criterion ids unique in the form");
        r.push(&c.path, d);
        true
    }

    /// Adds the criterion's node (options, leaf and anomalies are filled in later) and indexes
    /// it by id; returns its index.
    fn push_node(&mut self, c: &CriterionDoc, part: usize, section: usize, depth: u8) -> usize {
        let source = c.source.clone().unwrap_or_else(|| {
            format!("{}, Phần {}, mục {}", self.form_doc.source, self.form_doc.parts[part].id, c.id)
        });
        let node = self.nodes.len();
        self.index.insert(c.id.clone(), node);
        self.nodes.push(Criterion {
            id: c.id.clone(),
            title_vi: c.title_vi.clone(),
            name_en: c.name_en.clone(),
            description_vi: c.description_vi.clone(),
            notes_vi: c.notes_vi.clone(),
            max: c.max,
            kind: c.kind,
            depth,
            section,
            source,
            leaf: None,
            options: 0..0,
            cases: c.cases.clone(),
            applies_if: None,
            stops: None,
            requirement: None,
            anomalies: Vec::new(),
        });
        node
    }

    /// Checks and adds an answered criterion's options (`no` and `yes` for a yes/no criterion,
    /// then the printed ones), and checks its max against them; returns the option keys.
    fn options(
        &mut self,
        r: &mut Reader,
        c: &CriterionDoc,
        leaf: usize,
        max_anomaly: bool,
        anomalies: &mut Vec<Anomaly>,
    ) -> Vec<String> {
        let mut keys = Vec::new();
        if c.kind == CriterionKind::YesNo {
            for (key, points, text) in [("no", Points::ZERO, "Không"), ("yes", c.max, "Có")] {
                keys.push(key.to_string());
                self.options.push(Choice {
                    key: key.into(),
                    points,
                    text_vi: text.into(),
                    star: None,
                    case: None,
                });
            }
        }
        let case_ids: Vec<&str> = c.cases.iter().map(|x| x.0.as_str()).collect();
        let mut highest = Points::ZERO;
        let mut sum = Points::ZERO;
        for o in &c.options {
            check_option(r, c, o, &case_ids, anomalies);
            if let Some(star) = o.star {
                self.markers.push((leaf, self.options.len(), star, o.path.key("star")));
            }
            highest = highest.max(o.points);
            sum = sum + o.points;
            keys.push(o.key.clone());
            self.options.push(Choice {
                key: o.key.clone(),
                points: o.points,
                text_vi: o.text_vi.clone(),
                star: o.star,
                case: o.case.clone(),
            });
        }
        check_max_against_options(r, c, highest, sum, max_anomaly);
        keys
    }

    /// Compiles one criterion's condition. `applies_if` and `requirement` read earlier criteria
    /// and facts only; a stop may also read the criterion's own answer.
    #[allow(clippy::too_many_arguments)]
    fn gate(
        &mut self,
        r: &mut Reader,
        leaf: usize,
        gate: PendingGate<'a>,
        fact_ids: &[String],
        fact_count: usize,
        applies_if: &mut [Option<Cond>],
        stops: &mut [Option<Cond>],
        stop_scopes: &mut [Option<StopScope>],
        requirement: &mut [Option<Cond>],
    ) {
        let (when, path, what, limit) = match gate {
            PendingGate::AppliesIf(g) => (&g.when, g.path.key("when"), "applies_if condition", leaf),
            PendingGate::Stop(g) => (&g.when, g.path.key("when"), "stop condition", leaf + 1),
            PendingGate::Requirement(g) => {
                (&g.unmet_when, g.path.key("unmet_when"), "requirement's unmet_when condition", leaf)
            }
        };
        let Some(cond) = self.condition(r, when, fact_ids, limit) else { return };
        self.check_satisfiable(r, &cond, &path, what, fact_count);
        let node = self.leaves[leaf].node;
        match gate {
            PendingGate::AppliesIf(g) => {
                self.nodes[node].applies_if = Some(Gate { note_vi: g.note_vi.clone() });
                applies_if[leaf] = Some(cond);
            }
            PendingGate::Stop(g) => {
                self.nodes[node].stops = Some(Stop { note_vi: g.note_vi.clone(), scope: g.scope });
                stops[leaf] = Some(cond);
                stop_scopes[leaf] = Some(g.scope);
            }
            PendingGate::Requirement(g) => {
                let source = g.source.clone().unwrap_or_else(|| self.nodes[node].source.clone());
                self.nodes[node].requirement = Some(Requirement { text_vi: g.text_vi.clone(), source });
                requirement[leaf] = Some(cond);
            }
        }
    }

    /// Resolves a criterion reference to a leaf before `limit`.
    fn leaf_ref(&self, r: &mut Reader, id: &str, path: &DocPath, limit: usize) -> Option<usize> {
        let found = self.leaves.iter().position(|l| l.id == id);
        match found {
            Some(leaf) if leaf < limit => Some(leaf),
            Some(_) => {
                let d = Diagnostic::error(
                    DiagnosticKind::Condition,
                    path.to_string(),
                    if self.leaves.get(limit).is_some_and(|l| l.id == id) {
                        format!("the condition of criterion {id} reads its own answer (a cycle)")
                    } else {
                        format!("criterion {id} comes later in the form than the criterion it gates")
                    },
                )
                .expected("a condition on criteria printed before this one");
                r.push(path, d);
                None
            }
            None => {
                let is_group = self.index.contains_key(id);
                let ids: Vec<&str> = self.leaves.iter().map(|l| l.id.as_str()).collect();
                let d = Diagnostic::error(
                    DiagnosticKind::UnknownReference,
                    path.to_string(),
                    if is_group {
                        format!("criterion {id} is a group; groups have no answer")
                    } else {
                        format!("unknown criterion `{id}`")
                    },
                )
                .expected(format!("an answered criterion: {}", list_names(&ids, 12)))
                .suggest_opt(did_you_mean(id, ids.iter().copied()));
                r.push(path, d);
                None
            }
        }
    }

    /// Compiles a condition; answers may be read from leaves before `limit`.
    fn condition(&self, r: &mut Reader, c: &CondDoc, facts: &[String], limit: usize) -> Option<Cond> {
        match c {
            CondDoc::Fact { name, path } => match facts.iter().position(|f| f == name) {
                Some(i) => Some(Cond::Fact(i as u8)),
                None => {
                    let d = Diagnostic::error(
                        DiagnosticKind::UnknownReference,
                        path.to_string(),
                        format!("unknown fact `{name}`"),
                    )
                    .expected(format!(
                        "a fact declared by the decision or the form: {}",
                        list_names(facts, 12)
                    ))
                    .suggest_opt(did_you_mean(name, facts.iter().map(String::as_str)));
                    r.push(path, d);
                    None
                }
            },
            CondDoc::Answer { criterion, keys, negate, path } => {
                let leaf = self.leaf_ref(r, criterion, path, limit)?;
                let info = &self.leaves[leaf];
                let mut mask = 0u64;
                let mut none = false;
                let mut ok = true;
                for (i, key) in keys.iter().enumerate() {
                    if key == "none" {
                        none = true;
                    } else if let Some(bit) = info.keys.iter().position(|k| k == key) {
                        mask |= 1 << bit;
                    } else {
                        ok = false;
                        let mut valid = info.keys.clone();
                        valid.push("none".into());
                        let d = Diagnostic::error(
                            DiagnosticKind::UnknownReference,
                            path.index(i).to_string(),
                            format!("criterion {criterion} has no option `{key}`"),
                        )
                        .expected(format!("one of {}", list_names(&valid, 12)))
                        .suggest_opt(did_you_mean(key, valid.iter().map(String::as_str)));
                        r.push(&path.index(i), d);
                    }
                }
                let _ = info.kind;
                ok.then_some(Cond::Answer { leaf: leaf as u16, mask, none, negate: *negate })
            }
            CondDoc::All(items) | CondDoc::Any(items) => {
                let compiled: Vec<Option<Cond>> =
                    items.iter().map(|i| self.condition(r, i, facts, limit)).collect();
                let compiled: Option<Vec<Cond>> = compiled.into_iter().collect();
                let compiled = compiled?;
                Some(if matches!(c, CondDoc::All(_)) { Cond::All(compiled) } else { Cond::Any(compiled) })
            }
            CondDoc::Not(inner) => Some(Cond::Not(Box::new(self.condition(r, inner, facts, limit)?))),
        }
    }

    /// Enumerates the answers and facts a condition reads; reports one that never (or always) holds.
    fn check_satisfiable(&self, r: &mut Reader, cond: &Cond, path: &DocPath, what: &str, fact_count: usize) {
        let mut leaves = Vec::new();
        let mut facts = Vec::new();
        collect(cond, &mut leaves, &mut facts);
        leaves.sort_unstable();
        leaves.dedup();
        facts.sort_unstable();
        facts.dedup();
        let _ = fact_count;
        // The values each read leaf can take: none, each single option, and for cumulative
        // criteria every option ticked.
        let domains: Vec<Vec<u64>> = leaves
            .iter()
            .map(|&l| {
                let n = self.nodes[self.leaves[l].node].options.len();
                let mut values: Vec<u64> = (0..n).map(|i| 1u64 << i).collect();
                values.push(0);
                if self.leaves[l].kind == CriterionKind::Cumulative && n > 1 {
                    values.push(if n == 64 { u64::MAX } else { (1u64 << n) - 1 });
                }
                values
            })
            .collect();
        let combos: usize = domains.iter().map(Vec::len).product::<usize>() << facts.len();
        if combos > 1 << 16 {
            return;
        }
        let (mut seen_true, mut seen_false) = (false, false);
        let mut answers = vec![0u64; self.leaves.len()];
        for n in 0..combos {
            let mut rest = n;
            let mut fact_bits = 0u64;
            for f in &facts {
                if rest & 1 == 1 {
                    fact_bits |= 1 << f;
                }
                rest >>= 1;
            }
            for (d, &l) in domains.iter().zip(&leaves) {
                answers[l] = d[rest % d.len()];
                rest /= d.len();
            }
            if cond.eval(&answers, 0, fact_bits) {
                seen_true = true;
            } else {
                seen_false = true;
            }
        }
        let (message, fatal) = if !seen_true {
            (format!("this {what} can never hold (it contradicts itself)"), true)
        } else if !seen_false {
            (format!("this {what} always holds"), what != "applies_if condition")
        } else {
            return;
        };
        let d = if fatal {
            Diagnostic::error(DiagnosticKind::Condition, path.to_string(), message)
        } else {
            Diagnostic::warning(DiagnosticKind::Condition, path.to_string(), message)
        }
        .suggest("check the option keys and the `in`/`not_in` lists");
        r.push(path, d);
    }

    /// A higher class never needs less on the same criterion; one marker per class.
    fn check_markers(&self, r: &mut Reader, markers: &[(usize, usize, u8, DocPath)]) {
        for (i, (leaf, option, stars, path)) in markers.iter().enumerate() {
            for (leaf2, option2, stars2, _) in &markers[..i] {
                if leaf2 != leaf {
                    continue;
                }
                let (p, p2) = (self.options[*option].points, self.options[*option2].points);
                let problem = if stars == stars2 {
                    Some(format!("a second option marked for {stars} stars"))
                } else if (stars > stars2 && p < p2) || (stars < stars2 && p > p2) {
                    Some(format!(
                        "the {stars}-star marker ({p} points) and the {stars2}-star marker ({p2} points) \
                         make a higher class need less"
                    ))
                } else {
                    None
                };
                if let Some(message) = problem {
                    let d = Diagnostic::error(DiagnosticKind::InconsistentMinimum, path.to_string(), message)
                        .expected("markers on options whose points rise with the class");
                    r.push(path, d);
                }
            }
        }
    }

    /// Every class of the decision's bands must be reachable by some answer set.
    fn check_reachable(&self, r: &mut Reader, minimums: &[Minimum]) {
        let mut best = Points::ZERO;
        let mut least = Vec::new();
        for info in &self.leaves {
            let node = &self.nodes[info.node];
            let opts = &self.options[node.options.clone()];
            let top = match info.kind {
                CriterionKind::Cumulative => opts.iter().map(|o| o.points).sum(),
                _ => opts.iter().map(|o| o.points).max().unwrap_or(Points::ZERO),
            };
            best = best + top;
            least.push(Points::ZERO);
        }
        for band in &self.decision.bands {
            let mut floor = least.clone();
            for m in minimums.iter().filter(|m| m.stars <= band.stars) {
                floor[m.leaf] = floor[m.leaf].max(m.at_least);
            }
            let low: Points = floor.iter().copied().sum();
            let below_top = if band.inclusive { low <= band.upper } else { low < band.upper };
            if best < band.from || !below_top {
                let d = Diagnostic::error(
                    DiagnosticKind::UnreachableClass,
                    "parts".to_string(),
                    format!(
                        "no answers reach {} stars: totals run from {low} (with the minimums for {} stars) to {best}",
                        band.stars, band.stars
                    ),
                )
                .expected(format!("some answer set totalling from {} in that band", band.from));
                r.push(&DocPath::root().key("parts"), d);
            }
        }
    }
}

fn collect(cond: &Cond, leaves: &mut Vec<usize>, facts: &mut Vec<u8>) {
    match cond {
        Cond::Fact(f) => facts.push(*f),
        Cond::Answer { leaf, .. } => leaves.push(*leaf as usize),
        Cond::All(items) | Cond::Any(items) => items.iter().for_each(|c| collect(c, leaves, facts)),
        Cond::Not(inner) => collect(inner, leaves, facts),
    }
}
