//! The rule-file documents as written: decision files and form files (see `docs/rule-dsl.md`).
//!
//! This is the parse stage for rule files. It checks shapes and types only (fields, ids,
//! numbers, dates) and keeps every node's document path, so that the validate stage can point
//! at the exact place of a semantic problem.

// Input paths: indexing that could panic on user data is not allowed here.
#![deny(clippy::indexing_slicing)]

use crate::date::Date;
use crate::diag::{Diagnostic, DiagnosticKind};
use crate::form::{CentralBelow, Grace, Lifecycle, ReRatingWindow, Stated};
use crate::locate::DocPath;
use crate::points::Points;
use crate::read::{Object, Reader, scalar_text};
use serde_yaml::Value;

/// A printed anomaly of the decision: what it prints, what the engine applies, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct AnomalyDoc {
    pub field: String,
    pub printed: String,
    pub applied: String,
    pub reason: String,
    pub path: DocPath,
}

/// A typed condition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum CondDoc {
    Fact { name: String, path: DocPath },
    Answer { criterion: String, keys: Vec<String>, negate: bool, path: DocPath },
    All(Vec<CondDoc>),
    Any(Vec<CondDoc>),
    Not(Box<CondDoc>),
}

/// `applies_if`: a condition with the printed note that states it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct GateDoc {
    pub when: CondDoc,
    pub note_vi: String,
    pub path: DocPath,
}

/// How far a printed stop reaches (ruling 9).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopScope {
    /// "Không đánh giá các bước tiếp theo": every later criterion, in every later section and
    /// part, is not evaluated.
    Evaluation,
    /// Only the rest of the stopping criterion's section (for a future decision that says so).
    Section,
}

impl StopScope {
    /// The DSL spelling: `evaluation` or `section`.
    pub fn as_str(self) -> &'static str {
        match self {
            StopScope::Evaluation => "evaluation",
            StopScope::Section => "section",
        }
    }
}

/// `stops`: when the condition holds, the evaluation stops after this criterion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct StopDoc {
    pub when: CondDoc,
    pub scope: StopScope,
    pub note_vi: String,
    pub path: DocPath,
}

/// `requirement`: a condition printed on a criterion ("Yêu cầu: …", ruling 11); when
/// `unmet_when` holds the criterion scores 0 and the trace names the requirement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RequirementDoc {
    pub text_vi: String,
    pub unmet_when: CondDoc,
    pub source: Option<String>,
    pub path: DocPath,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FactDoc {
    pub id: String,
    pub text_vi: String,
    pub name_en: String,
    pub path: DocPath,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct KnockoutDoc {
    pub id: String,
    pub when: CondDoc,
    pub text_vi: String,
    pub name_en: String,
    pub source: String,
    pub path: DocPath,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct BandDoc {
    pub stars: u8,
    pub from: Points,
    /// The upper bound and whether it is inclusive (`to`) or exclusive (`below`).
    pub upper: Points,
    pub inclusive: bool,
    pub path: DocPath,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TransitionDoc {
    pub lodged_before: Date,
    pub first_rating_days: u32,
    pub re_evaluation_days: u32,
    pub source: String,
}

/// Who may award a class in a period (ruling 7).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct AwardLevelDoc {
    pub level: String,
    pub stars: Vec<u8>,
    pub from: Option<Date>,
    pub until: Option<Date>,
    pub source: String,
    pub path: DocPath,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DecisionDoc {
    pub key: String,
    pub number: String,
    pub title_vi: String,
    pub title_en: String,
    pub issued: Option<Date>,
    pub in_force_from: Date,
    pub in_force_until: Option<Date>,
    pub supersedes: Vec<String>,
    pub amended_by: Vec<String>,
    pub source: String,
    pub transition: Option<TransitionDoc>,
    pub total_max: Points,
    pub parts: Vec<(String, Points, DocPath)>,
    pub bands: Vec<BandDoc>,
    pub bands_note: Option<String>,
    pub facts: Vec<FactDoc>,
    pub knockouts: Vec<KnockoutDoc>,
    pub awards: Vec<AwardLevelDoc>,
    pub certificate_months: u32,
    pub lifecycle: crate::form::Lifecycle,
    pub spread_limit: Points,
    pub display_places: u32,
    pub quorum: Option<(u32, u32, String)>,
    pub notes: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct OptionDoc {
    pub key: String,
    pub points: Points,
    pub text_vi: String,
    pub star: Option<u8>,
    pub case: Option<String>,
    pub anomalies: Vec<AnomalyDoc>,
    pub path: DocPath,
}

/// How a criterion is answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CriterionKind {
    /// Choose one option.
    Pick,
    /// Yes (the maximum) or no (0); no options are printed.
    YesNo,
    /// Every ticked option adds its points.
    Cumulative,
    /// A parent of nested criteria; not answered itself.
    Group,
}

impl CriterionKind {
    /// The DSL name: `pick`, `yes_no`, `cumulative` or `group`.
    pub fn name(self) -> &'static str {
        match self {
            CriterionKind::Pick => "pick",
            CriterionKind::YesNo => "yes_no",
            CriterionKind::Cumulative => "cumulative",
            CriterionKind::Group => "group",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CriterionDoc {
    pub id: String,
    pub title_vi: String,
    pub name_en: String,
    pub description_vi: Option<String>,
    pub notes_vi: Vec<String>,
    pub max: Points,
    pub kind: CriterionKind,
    pub options: Vec<OptionDoc>,
    pub criteria: Vec<CriterionDoc>,
    pub cases: Vec<(String, String)>,
    pub applies_if: Option<GateDoc>,
    pub stops: Option<StopDoc>,
    pub requirement: Option<RequirementDoc>,
    pub source: Option<String>,
    pub anomalies: Vec<AnomalyDoc>,
    pub path: DocPath,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SectionDoc {
    pub id: String,
    pub title_vi: String,
    pub name_en: String,
    pub max: Points,
    pub description_vi: Option<String>,
    pub notes_vi: Vec<String>,
    pub anomalies: Vec<AnomalyDoc>,
    pub criteria: Vec<CriterionDoc>,
    pub path: DocPath,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PartDoc {
    pub id: String,
    pub title_vi: String,
    pub name_en: String,
    pub max: Points,
    pub anomalies: Vec<AnomalyDoc>,
    pub sections: Vec<SectionDoc>,
    pub path: DocPath,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct MinimumDoc {
    pub stars: u8,
    pub criterion: String,
    pub at_least: String,
    pub text_vi: String,
    pub source: String,
    /// The first day the minimum applies (a later amendment added it), if not the form's.
    pub in_force_from: Option<crate::date::Date>,
    pub path: DocPath,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FormDoc {
    pub decision: String,
    pub set: String,
    pub name_vi: String,
    pub name_en: String,
    pub source: String,
    pub in_force_from: Option<Date>,
    pub in_force_until: Option<Date>,
    pub version_note: Option<String>,
    pub facts: Vec<FactDoc>,
    pub knockouts: Vec<KnockoutDoc>,
    pub minimums: Vec<MinimumDoc>,
    pub notes: Vec<String>,
    pub parts: Vec<PartDoc>,
}

/// Reads a decision file. `None` when a required piece is unusable (already reported).
pub(crate) fn read_decision(r: &mut Reader, root: &Value) -> Option<DecisionDoc> {
    let path = DocPath::root();
    let top = r.object(
        root,
        &path,
        "a decision file",
        &["decision", "total_max", "parts", "bands"],
        &["transition", "bands_note", "facts", "knockouts", "award", "council", "notes"],
    )?;
    let d = top.get("decision").and_then(|v| {
        r.object(
            v,
            &top.at("decision"),
            "the decision",
            &["key", "number", "title_vi", "title_en", "in_force_from", "source"],
            &["issued", "in_force_until", "supersedes", "amended_by"],
        )
    });
    let transition = top.get("transition").and_then(|v| read_transition(r, v, &top.at("transition")));
    let total_max = top.points(r, "total_max", "the total maximum");
    let parts = match top.get("parts") {
        Some(v) => r
            .id_map(v, &top.at("parts"), "part")
            .into_iter()
            .filter_map(|(id, v)| {
                let p = top.at("parts").key(&id);
                r.points(v, &p, "a part maximum").map(|max| (id, max, p))
            })
            .collect(),
        None => Vec::new(),
    };
    let bands = top.get("bands").map(|v| read_bands(r, v, &top.at("bands"))).unwrap_or_default();
    let facts = read_facts(r, top.get("facts"), &top.at("facts"));
    let knockouts = read_knockouts(r, top.get("knockouts"), &top.at("knockouts"));
    let (awards, certificate_months, lifecycle) = read_award(r, top.get("award"), &top.at("award"));
    let (spread_limit, display_places, quorum) = read_council(r, top.get("council"), &top.at("council"));
    let bands_note = top.opt_text(r, "bands_note");
    let notes = top.texts(r, "notes");

    let d = d?;
    let key = d.get("key").and_then(|v| r.id(v, &d.at("key"), "the decision key"));
    let number = d.text(r, "number");
    let title_vi = d.text(r, "title_vi");
    let title_en = d.text(r, "title_en");
    let issued = r.opt_date(d.get("issued"), &d.at("issued"));
    let in_force_from = d.get("in_force_from").and_then(|v| r.date(v, &d.at("in_force_from")));
    let in_force_until = r.opt_date(d.get("in_force_until"), &d.at("in_force_until"));
    let supersedes = match d.get("supersedes") {
        None | Some(Value::Null) => Vec::new(),
        Some(v) => r.ids(v, &d.at("supersedes"), "decision key").unwrap_or_default(),
    };
    let amended_by = d.texts(r, "amended_by");
    let source = d.text(r, "source");
    Some(DecisionDoc {
        key: key?,
        number: number?,
        title_vi: title_vi?,
        title_en: title_en?,
        issued,
        in_force_from: in_force_from?,
        in_force_until,
        supersedes,
        amended_by,
        source: source?,
        transition,
        total_max: total_max?,
        parts,
        bands,
        bands_note,
        facts,
        knockouts,
        awards,
        certificate_months,
        lifecycle,
        spread_limit,
        display_places,
        quorum,
        notes,
    })
}

fn read_transition(r: &mut Reader, v: &Value, path: &DocPath) -> Option<TransitionDoc> {
    let o = r.object(v, path, "the transition", &["lodged_before", "old_rules_days", "source"], &[])?;
    let lodged_before = o.get("lodged_before").and_then(|v| r.date(v, &o.at("lodged_before")));
    let days = o.get("old_rules_days").and_then(|v| {
        r.object(
            v,
            &o.at("old_rules_days"),
            "the transition periods",
            &["first_rating", "re_evaluation"],
            &[],
        )
    });
    let (first, re) = match days {
        Some(days) => (
            days.get("first_rating").and_then(|v| r.integer(v, &days.at("first_rating"), "days", 0, 3650)),
            days.get("re_evaluation").and_then(|v| r.integer(v, &days.at("re_evaluation"), "days", 0, 3650)),
        ),
        None => (None, None),
    };
    let source = o.text(r, "source");
    Some(TransitionDoc {
        lodged_before: lodged_before?,
        first_rating_days: first? as u32,
        re_evaluation_days: re? as u32,
        source: source?,
    })
}

fn read_bands(r: &mut Reader, v: &Value, path: &DocPath) -> Vec<BandDoc> {
    let Some(items) = r.list(v, path, "bands") else { return Vec::new() };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let p = path.index(i);
        let Some(o) = r.object(item, &p, "a band", &["stars", "from"], &["below", "to"]) else { continue };
        let stars = o.get("stars").and_then(|v| r.integer(v, &o.at("stars"), "stars", 1, 5));
        let from = o.points(r, "from", "the lower bound");
        let upper = match (o.get("below"), o.get("to")) {
            (Some(b), None) => r.points(b, &o.at("below"), "the upper bound").map(|p| (p, false)),
            (None, Some(t)) => r.points(t, &o.at("to"), "the upper bound").map(|p| (p, true)),
            _ => {
                let d = Diagnostic::error(
                    DiagnosticKind::Bands,
                    p.to_string(),
                    "a band needs exactly one upper bound",
                )
                .expected("`below: N` (exclusive) or `to: N` (inclusive, for the last band)");
                r.push(&p, d);
                None
            }
        };
        if let (Some(stars), Some(from), Some((upper, inclusive))) = (stars, from, upper) {
            out.push(BandDoc { stars: stars as u8, from, upper, inclusive, path: p });
        }
    }
    out
}

fn read_award(r: &mut Reader, v: Option<&Value>, path: &DocPath) -> (Vec<AwardLevelDoc>, u32, Lifecycle) {
    let unread = || Lifecycle {
        validity_source: Stated::NotStated("the decision file records no certificate lifecycle".into()),
        re_rating_window: Stated::NotStated("the decision file records no certificate lifecycle".into()),
        missed_window_grace: Stated::NotStated("the decision file records no certificate lifecycle".into()),
        central_below_threshold: Stated::NotStated(
            "the decision file records no certificate lifecycle".into(),
        ),
    };
    let Some(v) = v else { return (Vec::new(), 36, unread()) };
    let Some(o) = r.object(v, path, "the award rules", &["levels"], &["certificate_months", "lifecycle"])
    else {
        return (Vec::new(), 36, unread());
    };
    let lifecycle = match o.get("lifecycle") {
        None | Some(Value::Null) => unread(),
        Some(v) => read_lifecycle(r, v, &o.at("lifecycle")).unwrap_or_else(unread),
    };
    let months = o
        .get("certificate_months")
        .and_then(|v| r.integer(v, &o.at("certificate_months"), "months", 1, 600))
        .unwrap_or(36) as u32;
    let mut levels = Vec::new();
    if let Some(items) = o.get("levels").and_then(|v| r.list(v, &o.at("levels"), "award levels")) {
        for (i, item) in items.iter().enumerate() {
            let p = o.at("levels").index(i);
            let Some(l) =
                r.object(item, &p, "an award level", &["level", "stars", "source"], &["from", "until"])
            else {
                continue;
            };
            let level = l.text(r, "level");
            let stars = match l.get("stars") {
                Some(Value::Sequence(items)) => items
                    .iter()
                    .enumerate()
                    .filter_map(|(j, s)| {
                        r.integer(s, &l.at("stars").index(j), "stars", 1, 5).map(|s| s as u8)
                    })
                    .collect(),
                Some(other) => {
                    r.integer(other, &l.at("stars"), "a list of stars", 1, 0);
                    Vec::new()
                }
                None => Vec::new(),
            };
            let from = r.opt_date(l.get("from"), &l.at("from"));
            let until = r.opt_date(l.get("until"), &l.at("until"));
            let source = l.text(r, "source");
            if let (Some(level), Some(source)) = (level, source) {
                levels.push(AwardLevelDoc { level, stars, from, until, source, path: p });
            }
        }
    }
    (levels, months, lifecycle)
}

/// `award.lifecycle`: four rules, each either `{…, source}` or `{not_stated: why}`.
fn read_lifecycle(r: &mut Reader, v: &Value, path: &DocPath) -> Option<Lifecycle> {
    const RULES: [&str; 4] =
        ["validity", "re_rating_window", "missed_window_grace", "central_below_threshold"];
    let o = r.object(v, path, "the certificate lifecycle", &RULES, &[])?;
    let validity = stated(r, &o, "validity", &[], |_, _| Some(()));
    let window = stated(
        r,
        &o,
        "re_rating_window",
        &["earliest_days_before", "latest_days_before"],
        |r, w| {
            let earliest = w
                .get("earliest_days_before")
                .and_then(|v| r.integer(v, &w.at("earliest_days_before"), "days", 1, 3650));
            let latest = w
                .get("latest_days_before")
                .and_then(|v| r.integer(v, &w.at("latest_days_before"), "days", 0, 3650));
            let (earliest, latest) = (earliest? as u32, latest? as u32);
            if latest > earliest {
                let d = Diagnostic::error(
                DiagnosticKind::InvalidValue,
                w.at("latest_days_before").to_string(),
                format!("the window closes {latest} days before expiry, before it opens ({earliest} days before)"),
            )
            .expected(format!("at most {earliest}"));
                r.push(&w.at("latest_days_before"), d);
                return None;
            }
            Some(ReRatingWindow { earliest_days_before: earliest, latest_days_before: latest })
        },
    );
    let grace = stated(r, &o, "missed_window_grace", &["days_after_expiry"], |r, g| {
        let days = g
            .get("days_after_expiry")
            .and_then(|v| r.integer(v, &g.at("days_after_expiry"), "days", 1, 3650))?;
        Some(Grace { days_after_expiry: days as u32 })
    });
    let central = stated(r, &o, "central_below_threshold", &["below", "stars"], |r, c| {
        let below = c.get("below").and_then(|v| r.integer(v, &c.at("below"), "points", 1, 10_000))?;
        let stars = match c.get("stars") {
            Some(Value::Sequence(items)) => items
                .iter()
                .enumerate()
                .filter_map(|(j, s)| r.integer(s, &c.at("stars").index(j), "stars", 1, 5).map(|s| s as u8))
                .collect(),
            Some(other) => {
                r.wrong_type(&c.at("stars"), other, "a list of stars");
                return None;
            }
            None => return None,
        };
        Some(CentralBelow { below: below as u32, stars })
    });
    Some(Lifecycle {
        validity_source: validity?,
        re_rating_window: window?,
        missed_window_grace: grace?,
        central_below_threshold: central?,
    })
}

/// One lifecycle rule: `{not_stated: why}`, or its `fields` plus `source`, read by `read`.
fn stated<T>(
    r: &mut Reader,
    o: &Object<'_>,
    name: &str,
    fields: &[&str],
    read: impl FnOnce(&mut Reader, &Object<'_>) -> Option<T>,
) -> Option<Stated<T>> {
    let v = o.get(name)?;
    let path = o.at(name);
    if let Value::Mapping(map) = v
        && map.get("not_stated").is_some()
    {
        let n = r.object(v, &path, "a rule the decision does not state", &["not_stated"], &[])?;
        return n.text(r, "not_stated").map(Stated::NotStated);
    }
    let mut required = fields.to_vec();
    required.push("source");
    let rule = r.object(v, &path, "a lifecycle rule (or `{not_stated: why}`)", &required, &[])?;
    let source = rule.text(r, "source");
    let value = read(r, &rule);
    Some(Stated::Stated { rule: value?, source: source? })
}

type CouncilRules = (Points, u32, Option<(u32, u32, String)>);

fn read_council(r: &mut Reader, v: Option<&Value>, path: &DocPath) -> CouncilRules {
    let default = (Points::whole(10), 2, None);
    let Some(v) = v else { return default };
    let Some(o) = r.object(
        v,
        path,
        "the council rules",
        &[],
        &["spread_limit", "display_places", "quorum", "spread_source"],
    ) else {
        return default;
    };
    let spread = o.get("spread_limit").and_then(|v| r.points(v, &o.at("spread_limit"), "the spread limit"));
    let places = o.get("display_places").and_then(|v| r.integer(v, &o.at("display_places"), "places", 0, 6));
    let _ = o.opt_text(r, "spread_source");
    let quorum = o.get("quorum").and_then(|v| {
        let q = r.object(v, &o.at("quorum"), "the quorum", &["numerator", "denominator", "source"], &[])?;
        let num =
            q.get("numerator").and_then(|v| r.integer(v, &q.at("numerator"), "the numerator", 1, 100))?;
        let den = q
            .get("denominator")
            .and_then(|v| r.integer(v, &q.at("denominator"), "the denominator", 1, 100))?;
        Some((num as u32, den as u32, q.text(r, "source")?))
    });
    (spread.unwrap_or(default.0), places.map(|p| p as u32).unwrap_or(default.1), quorum)
}

pub(crate) fn read_facts(r: &mut Reader, v: Option<&Value>, path: &DocPath) -> Vec<FactDoc> {
    let Some(v) = v.filter(|v| !v.is_null()) else { return Vec::new() };
    let mut out = Vec::new();
    for (id, v) in r.id_map(v, path, "fact") {
        let p = path.key(&id);
        let Some(o) = r.object(v, &p, "a fact", &["text_vi", "name_en"], &[]) else { continue };
        if let (Some(text_vi), Some(name_en)) = (o.text(r, "text_vi"), o.text(r, "name_en")) {
            out.push(FactDoc { id, text_vi, name_en, path: p });
        }
    }
    out
}

pub(crate) fn read_knockouts(r: &mut Reader, v: Option<&Value>, path: &DocPath) -> Vec<KnockoutDoc> {
    let Some(v) = v.filter(|v| !v.is_null()) else { return Vec::new() };
    let mut out = Vec::new();
    for (id, v) in r.id_map(v, path, "knock-out") {
        let p = path.key(&id);
        let Some(o) = r.object(v, &p, "a knock-out", &["when", "text_vi", "name_en", "source"], &[]) else {
            continue;
        };
        let when = o.get("when").and_then(|v| read_condition(r, v, &o.at("when")));
        let (text_vi, name_en, source) = (o.text(r, "text_vi"), o.text(r, "name_en"), o.text(r, "source"));
        if let (Some(when), Some(text_vi), Some(name_en), Some(source)) = (when, text_vi, name_en, source) {
            out.push(KnockoutDoc { id, when, text_vi, name_en, source, path: p });
        }
    }
    out
}

/// Reads a condition: `{fact}`, `{answer, in|not_in}`, `{all}`, `{any}`, `{not}`.
pub(crate) fn read_condition(r: &mut Reader, v: &Value, path: &DocPath) -> Option<CondDoc> {
    const FORMS: &str = "{fact: F}, {answer: \"x.y\", in: [keys]}, {answer: \"x.y\", not_in: [keys]}, \
                         {all: [..]}, {any: [..]} or {not: COND}";
    let Value::Mapping(map) = v else {
        let d =
            Diagnostic::error(DiagnosticKind::WrongType, path.to_string(), "a condition must be a mapping")
                .expected(FORMS);
        r.push(path, d);
        return None;
    };
    let head = ["fact", "answer", "all", "any", "not"].into_iter().find(|k| map.contains_key(*k));
    match head {
        Some("fact") => {
            let o = r.object(v, path, "a fact condition", &["fact"], &[])?;
            let name = o.get("fact").and_then(|v| r.id(v, &o.at("fact"), "fact"))?;
            Some(CondDoc::Fact { name, path: o.at("fact") })
        }
        Some("answer") => {
            let o = r.object(v, path, "an answer condition", &["answer"], &["in", "not_in"])?;
            let criterion = o.get("answer").and_then(|v| r.id(v, &o.at("answer"), "criterion id"));
            let (field, negate) = match (o.get("in"), o.get("not_in")) {
                (Some(_), None) => ("in", false),
                (None, Some(_)) => ("not_in", true),
                _ => {
                    let d = Diagnostic::error(
                        DiagnosticKind::Condition,
                        path.to_string(),
                        "an answer condition needs exactly one of `in` and `not_in`",
                    )
                    .expected(FORMS);
                    r.push(path, d);
                    return None;
                }
            };
            let keys = o.get(field).and_then(|v| r.ids(v, &o.at(field), "option key"));
            Some(CondDoc::Answer { criterion: criterion?, keys: keys?, negate, path: o.at(field) })
        }
        Some(name @ ("all" | "any")) => {
            let o = r.object(v, path, "a compound condition", &[name], &[])?;
            let items = o.get(name).and_then(|v| r.list(v, &o.at(name), "conditions"))?;
            if items.is_empty() {
                let d = Diagnostic::error(
                    DiagnosticKind::Condition,
                    o.at(name).to_string(),
                    format!("`{name}` has no conditions"),
                )
                .expected("at least one condition");
                r.push(&o.at(name), d);
                return None;
            }
            let mut out = Vec::new();
            for (i, item) in items.iter().enumerate() {
                out.push(read_condition(r, item, &o.at(name).index(i)));
            }
            let out: Option<Vec<CondDoc>> = out.into_iter().collect();
            Some(if name == "all" { CondDoc::All(out?) } else { CondDoc::Any(out?) })
        }
        Some(_) => {
            let o = r.object(v, path, "a negated condition", &["not"], &[])?;
            let inner = o.get("not").and_then(|v| read_condition(r, v, &o.at("not")))?;
            Some(CondDoc::Not(Box::new(inner)))
        }
        None => {
            let found: Vec<String> = map.keys().filter_map(scalar_text).collect();
            let first = found.first().cloned().unwrap_or_default();
            let d = Diagnostic::error(
                DiagnosticKind::Condition,
                path.to_string(),
                format!("not a condition (fields: {})", found.join(", ")),
            )
            .expected(FORMS)
            .suggest_opt(crate::diag::did_you_mean(&first, ["fact", "answer", "all", "any", "not"]));
            r.push(path, d);
            None
        }
    }
}

fn read_gate(r: &mut Reader, v: &Value, path: &DocPath) -> Option<GateDoc> {
    let o = r.object(v, path, "a condition gate", &["when", "note_vi"], &[])?;
    let when = o.get("when").and_then(|v| read_condition(r, v, &o.at("when")));
    let note_vi = o.text(r, "note_vi");
    Some(GateDoc { when: when?, note_vi: note_vi?, path: path.clone() })
}

fn read_stop(r: &mut Reader, v: &Value, path: &DocPath) -> Option<StopDoc> {
    let o = r.object(v, path, "a stop", &["when", "scope", "note_vi"], &[])?;
    let when = o.get("when").and_then(|v| read_condition(r, v, &o.at("when")));
    let note_vi = o.text(r, "note_vi");
    let scope = match o.text(r, "scope").as_deref() {
        Some("evaluation") => Some(StopScope::Evaluation),
        Some("section") => Some(StopScope::Section),
        Some(other) => {
            let d = Diagnostic::error(
                DiagnosticKind::InvalidValue,
                o.at("scope").to_string(),
                format!("unknown stop scope `{other}`"),
            )
            .expected(
                "`evaluation` (the rest of the evaluation, ruling 9) or `section` (the rest of the section)",
            )
            .suggest_opt(crate::diag::did_you_mean(other, ["evaluation", "section"]));
            r.push(&o.at("scope"), d);
            None
        }
        None => None,
    };
    Some(StopDoc { when: when?, scope: scope?, note_vi: note_vi?, path: path.clone() })
}

fn read_requirement(r: &mut Reader, v: &Value, path: &DocPath) -> Option<RequirementDoc> {
    let o = r.object(v, path, "a requirement", &["text_vi", "unmet_when"], &["source"])?;
    let text_vi = o.text(r, "text_vi");
    let unmet_when = o.get("unmet_when").and_then(|v| read_condition(r, v, &o.at("unmet_when")));
    let source = o.opt_text(r, "source");
    Some(RequirementDoc { text_vi: text_vi?, unmet_when: unmet_when?, source, path: path.clone() })
}

fn read_anomalies(r: &mut Reader, o: &Object<'_>) -> Vec<AnomalyDoc> {
    let Some(v) = o.get("anomalies") else { return Vec::new() };
    let Some(items) = r.list(v, &o.at("anomalies"), "anomalies") else { return Vec::new() };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let p = o.at("anomalies").index(i);
        let Some(a) = r.object(item, &p, "an anomaly", &["field", "printed", "applied", "reason"], &[])
        else {
            continue;
        };
        let field = a.text(r, "field");
        let printed = a.get("printed").map(|v| match v {
            Value::Null => String::new(),
            other => scalar_text(other).unwrap_or_default(),
        });
        let applied = a.get("applied").map(|v| scalar_text(v).unwrap_or_default());
        let reason = a.text(r, "reason");
        if let Some(reason) = &reason
            && reason.trim().is_empty()
        {
            let d = Diagnostic::error(
                DiagnosticKind::MissingField,
                a.at("reason").to_string(),
                "the reason is empty",
            )
            .expected("why the applied value was chosen");
            r.push(&a.at("reason"), d);
            continue;
        }
        if let (Some(field), Some(printed), Some(applied), Some(reason)) = (field, printed, applied, reason) {
            out.push(AnomalyDoc { field, printed, applied, reason, path: p });
        }
    }
    out
}

/// Reads a form file.
pub(crate) fn read_form(r: &mut Reader, root: &Value) -> Option<FormDoc> {
    let path = DocPath::root();
    let top = r.object(
        root,
        &path,
        "a form file",
        &["form", "parts"],
        &["facts", "knockouts", "minimums", "notes"],
    )?;
    let head = top.get("form").and_then(|v| {
        r.object(
            v,
            &top.at("form"),
            "the form header",
            &["decision", "set", "name_vi", "name_en", "source"],
            &["in_force_from", "in_force_until", "version_note"],
        )
    });
    let facts = read_facts(r, top.get("facts"), &top.at("facts"));
    let knockouts = read_knockouts(r, top.get("knockouts"), &top.at("knockouts"));
    let minimums = read_minimums(r, top.get("minimums"), &top.at("minimums"));
    let notes = top.texts(r, "notes");
    let mut parts = Vec::new();
    if let Some(v) = top.get("parts") {
        for (id, v) in r.id_map(v, &top.at("parts"), "part") {
            if let Some(p) = read_part(r, id, v, &top.at("parts")) {
                parts.push(p);
            }
        }
    }
    let head = head?;
    let decision = head.get("decision").and_then(|v| r.id(v, &head.at("decision"), "the decision key"));
    let set = head.get("set").and_then(|v| r.id(v, &head.at("set"), "the set number"));
    let (name_vi, name_en, source) =
        (head.text(r, "name_vi"), head.text(r, "name_en"), head.text(r, "source"));
    let in_force_from = r.opt_date(head.get("in_force_from"), &head.at("in_force_from"));
    let in_force_until = r.opt_date(head.get("in_force_until"), &head.at("in_force_until"));
    let version_note = head.opt_text(r, "version_note");
    Some(FormDoc {
        decision: decision?,
        set: set?,
        name_vi: name_vi?,
        name_en: name_en?,
        source: source?,
        in_force_from,
        in_force_until,
        version_note,
        facts,
        knockouts,
        minimums,
        notes,
        parts,
    })
}

fn read_minimums(r: &mut Reader, v: Option<&Value>, path: &DocPath) -> Vec<MinimumDoc> {
    let Some(v) = v.filter(|v| !v.is_null()) else { return Vec::new() };
    let Some(items) = r.list(v, path, "minimums") else { return Vec::new() };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let p = path.index(i);
        let Some(o) = r.object(
            item,
            &p,
            "a minimum",
            &["stars", "criterion", "at_least", "text_vi", "source"],
            &["in_force_from"],
        ) else {
            continue;
        };
        let in_force_from = o.get("in_force_from").and_then(|v| r.date(v, &o.at("in_force_from")));
        let stars = o.get("stars").and_then(|v| r.integer(v, &o.at("stars"), "stars", 2, 5));
        let criterion = o.get("criterion").and_then(|v| r.id(v, &o.at("criterion"), "criterion id"));
        let at_least = o.get("at_least").and_then(|v| r.id(v, &o.at("at_least"), "option key"));
        let (text_vi, source) = (o.text(r, "text_vi"), o.text(r, "source"));
        if let (Some(stars), Some(criterion), Some(at_least), Some(text_vi), Some(source)) =
            (stars, criterion, at_least, text_vi, source)
        {
            out.push(MinimumDoc {
                stars: stars as u8,
                criterion,
                at_least,
                text_vi,
                source,
                in_force_from,
                path: p,
            });
        }
    }
    out
}

fn read_part(r: &mut Reader, id: String, v: &Value, parent: &DocPath) -> Option<PartDoc> {
    let path = parent.key(&id);
    let o = r.object(v, &path, "a part", &["title_vi", "name_en", "max", "sections"], &["anomalies"])?;
    let (title_vi, name_en, max) = (o.text(r, "title_vi"), o.text(r, "name_en"), o.points(r, "max", "max"));
    let anomalies = read_anomalies(r, &o);
    let mut sections = Vec::new();
    if let Some(v) = o.get("sections") {
        for (sid, v) in r.id_map(v, &o.at("sections"), "section") {
            if let Some(s) = read_section(r, sid, v, &o.at("sections")) {
                sections.push(s);
            }
        }
    }
    Some(PartDoc { id, title_vi: title_vi?, name_en: name_en?, max: max?, anomalies, sections, path })
}

fn read_section(r: &mut Reader, id: String, v: &Value, parent: &DocPath) -> Option<SectionDoc> {
    let path = parent.key(&id);
    let o = r.object(
        v,
        &path,
        "a section",
        &["title_vi", "name_en", "max", "criteria"],
        &["description_vi", "notes_vi", "anomalies"],
    )?;
    let (title_vi, name_en, max) = (o.text(r, "title_vi"), o.text(r, "name_en"), o.points(r, "max", "max"));
    let description_vi = o.opt_text(r, "description_vi");
    let notes_vi = o.texts(r, "notes_vi");
    let anomalies = read_anomalies(r, &o);
    let criteria = o.get("criteria").map(|v| read_criteria(r, v, &o.at("criteria"))).unwrap_or_default();
    Some(SectionDoc {
        id,
        title_vi: title_vi?,
        name_en: name_en?,
        max: max?,
        description_vi,
        notes_vi,
        anomalies,
        criteria,
        path,
    })
}

fn read_criteria(r: &mut Reader, v: &Value, path: &DocPath) -> Vec<CriterionDoc> {
    let mut out = Vec::new();
    for (id, v) in r.id_map(v, path, "criterion") {
        if let Some(c) = read_criterion(r, id, v, path) {
            out.push(c);
        }
    }
    out
}

fn read_criterion(r: &mut Reader, id: String, v: &Value, parent: &DocPath) -> Option<CriterionDoc> {
    let path = parent.key(&id);
    let o = r.object(
        v,
        &path,
        "a criterion",
        &["title_vi", "name_en", "max"],
        &[
            "kind",
            "options",
            "criteria",
            "cases",
            "applies_if",
            "stops",
            "stops_section",
            "requirement",
            "source",
            "description_vi",
            "notes_vi",
            "anomalies",
        ],
    )?;
    let (title_vi, name_en, max) = (o.text(r, "title_vi"), o.text(r, "name_en"), o.points(r, "max", "max"));
    let kind = match o.get("kind") {
        None => Some(CriterionKind::Pick),
        Some(v) => {
            let text = r.text(v, &o.at("kind"));
            match text.as_deref() {
                Some("pick") => Some(CriterionKind::Pick),
                Some("yes_no") => Some(CriterionKind::YesNo),
                Some("cumulative") => Some(CriterionKind::Cumulative),
                Some("group") => Some(CriterionKind::Group),
                Some(other) => {
                    let names = ["pick", "yes_no", "cumulative", "group"];
                    let d = Diagnostic::error(
                        DiagnosticKind::InvalidValue,
                        o.at("kind").to_string(),
                        format!("unknown kind `{other}`"),
                    )
                    .expected("pick, yes_no, cumulative or group")
                    .suggest_opt(crate::diag::did_you_mean(other, names));
                    r.push(&o.at("kind"), d);
                    None
                }
                None => None,
            }
        }
    };
    let mut options = Vec::new();
    if let Some(v) = o.get("options") {
        for (key, v) in r.id_map(v, &o.at("options"), "option") {
            let p = o.at("options").key(&key);
            let Some(opt) =
                r.object(v, &p, "an option", &["points", "text_vi"], &["star", "case", "anomalies"])
            else {
                continue;
            };
            let points = opt.points(r, "points", "points");
            let text_vi = opt.text(r, "text_vi");
            let star = opt.get("star").and_then(|v| r.integer(v, &opt.at("star"), "a star marker", 3, 5));
            let case = opt.get("case").and_then(|v| r.id(v, &opt.at("case"), "case id"));
            let anomalies = read_anomalies(r, &opt);
            if let (Some(points), Some(text_vi)) = (points, text_vi) {
                options.push(OptionDoc {
                    key,
                    points,
                    text_vi,
                    star: star.map(|s| s as u8),
                    case,
                    anomalies,
                    path: p,
                });
            }
        }
    }
    let criteria = o.get("criteria").map(|v| read_criteria(r, v, &o.at("criteria"))).unwrap_or_default();
    let mut cases = Vec::new();
    if let Some(v) = o.get("cases") {
        for (cid, v) in r.id_map(v, &o.at("cases"), "case") {
            let p = o.at("cases").key(&cid);
            if let Some(c) = r.object(v, &p, "a case", &["title_vi"], &[])
                && let Some(t) = c.text(r, "title_vi")
            {
                cases.push((cid, t));
            }
        }
    }
    let applies_if = o.get("applies_if").and_then(|v| read_gate(r, v, &o.at("applies_if")));
    let stops = o.get("stops").and_then(|v| read_stop(r, v, &o.at("stops")));
    if o.get("stops_section").is_some() {
        let d = Diagnostic::error(
            DiagnosticKind::UnknownField,
            o.at("stops_section").to_string(),
            "`stops_section` was renamed: a stop states its scope",
        )
        .expected("stops: {when: …, scope: evaluation, note_vi: …}")
        .suggest(
            "write `stops:` with `scope: evaluation` (the printed stops end the evaluation, ruling 9) \
             or `scope: section` where a decision stops only the rest of the section",
        );
        r.push(&o.at("stops_section"), d);
    }
    let requirement = o.get("requirement").and_then(|v| read_requirement(r, v, &o.at("requirement")));
    let source = o.opt_text(r, "source");
    let description_vi = o.opt_text(r, "description_vi");
    let notes_vi = o.texts(r, "notes_vi");
    let anomalies = read_anomalies(r, &o);
    Some(CriterionDoc {
        id,
        title_vi: title_vi?,
        name_en: name_en?,
        description_vi,
        notes_vi,
        max: max?,
        kind: kind?,
        options,
        criteria,
        cases,
        applies_if,
        stops,
        requirement,
        source,
        anomalies,
        path,
    })
}
