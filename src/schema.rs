//! JSON Schemas of the input and output formats (feature `schema`).
//!
//! Rule files, decision files, assessments and regression cases are read by hand (the crate's
//! reader reports every problem at once, with "did you mean"), not through
//! `#[derive(Deserialize)]`.
//! The types here mirror those formats for one purpose: generating schemas that editors use to
//! complete and check files (`# yaml-language-server: $schema=…`). Tests validate every shipped
//! rule file, decision file, example and regression case against them, so a mirror that drifts
//! from the reader fails there. The [`Report`](crate::report::Report)'s schema comes from the
//! real type.
//!
//! ```
//! let schemas = ocop_rating::schema::all();
//! let names: Vec<&str> = schemas.iter().map(|(name, _)| *name).collect();
//! assert_eq!(names, ["assessment", "decision", "rule-file", "case", "report"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use schemars::JsonSchema;
use std::collections::BTreeMap;

/// Every schema, as (name, JSON Schema): the files `schema/<name>.schema.json`.
pub fn all() -> Vec<(&'static str, serde_json::Value)> {
    vec![
        ("assessment", to_value(schemars::schema_for!(Assessment))),
        ("decision", to_value(schemars::schema_for!(DecisionFile))),
        ("rule-file", to_value(schemars::schema_for!(RuleFile))),
        ("case", to_value(schemars::schema_for!(Case))),
        ("report", to_value(schemars::schema_for!(crate::report::Report))),
    ]
}

fn to_value(schema: schemars::Schema) -> serde_json::Value {
    schema.to_value()
}

/// A non-negative number (points are decimals with at most two places; the reader checks the
/// places). Described by hand: the mirror types hold no floating-point field.
fn number(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({"type": "number", "minimum": 0})
}

/// A class, 0–5, or null: a field that must be written even when it has no value.
fn stars_or_null(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({"type": ["integer", "null"], "minimum": 0, "maximum": 5})
}

/// A number of any sign, as anomalies print it.
fn any_number(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({"type": "number"})
}

/// An assessment: one product, one form, one sheet of answers or a council's sheets
/// (docs/assessment.md).
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Assessment {
    /// The decision key (`26-2026`) or official number (`26/2026/QĐ-TTg`); omit it and give
    /// `lodged_on` instead.
    decision: Option<String>,
    /// The two-digit product set, e.g. "01".
    set: SetNumber,
    /// A label for the product, shown on the sheet.
    product: Option<String>,
    /// An id for the row (bulk input); the product label when `product` is absent.
    id: Option<String>,
    /// The day the dossier was lodged (YYYY-MM-DD).
    lodged_on: Option<IsoDate>,
    /// The evaluation date (YYYY-MM-DD).
    evaluated_on: Option<IsoDate>,
    /// The recognition date (YYYY-MM-DD); certificates run from it.
    recognised_on: Option<IsoDate>,
    /// A re-evaluation (shorter transition window).
    re_evaluation: Option<bool>,
    /// `district`, `province` or `central`.
    evaluating_level: Option<Level>,
    /// One sheet: criterion id → answer.
    answers: Option<BTreeMap<String, Answer>>,
    /// A council: each member's sheet.
    members: Option<Vec<CouncilMember>>,
    /// The council's full size, for the quorum check.
    council_size: Option<u32>,
    /// Facts outside the form (knock-outs, stops, requirements): absent means not triggered.
    facts: Option<BTreeMap<String, bool>>,
}

/// A regression case, `rules/<decision>/cases/*.yaml` (docs/cases.md).
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Case {
    /// What the case checks, shown by `ocop test`.
    name: String,
    /// The assessment, exactly as docs/assessment.md describes it.
    assessment: Assessment,
    /// The result worked out by hand from the legal text.
    expect: Expect,
    /// Free notes; not read.
    notes: Option<serde_json::Value>,
}

/// The expected result of a regression case: every field but `total` and `stars` is optional,
/// and an absent field is not checked.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Expect {
    /// The exact total (decimals allowed).
    total: PointsValue,
    /// The final class, 1–5; null when disqualified.
    #[schemars(required, schema_with = "stars_or_null")]
    stars: Option<u8>,
    /// Part id → the part's points.
    parts: Option<BTreeMap<String, PointsValue>>,
    /// The class from the score alone.
    #[schemars(range(max = 5))]
    band_stars: Option<u8>,
    /// The knock-out id, or null when none fired.
    disqualified: Option<String>,
    /// The criteria whose minimum blocked the class above the final class, in form order.
    limited_by: Option<Vec<String>>,
    /// Where the evaluation stopped (ruling 9), or null.
    stopped_at: Option<String>,
    /// Criteria scored 0 for a printed requirement stated unmet (ruling 11).
    requirements_unmet: Option<Vec<String>>,
    /// The upgrade advice expected (docs/cases.md, "Expected advice").
    advice: Option<ExpectAdvice>,
}

/// The upgrade advice a regression case expects: every field but `status` is optional, and an
/// absent field is not checked.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct ExpectAdvice {
    /// The target class, 1–5; absent: the next class above the current one.
    #[schemars(range(min = 1, max = 5))]
    to: Option<u8>,
    /// What the advice finds.
    status: AdviceStatus,
    /// The best plan's changes in form order, `id from→to` (`->` also): `1.2 a→b`, a council's
    /// differing answers `1.2 a/b→c`, a cumulative criterion `4 a→a+c`; [] for none.
    #[serde(default)]
    #[schemars(schema_with = "changes")]
    changes: Option<Vec<String>>,
    /// The plan's new total (exact); with no plan, the total as it stands.
    total: Option<PointsValue>,
    /// The class the plan reaches; with no plan, the class as it stands.
    #[schemars(range(max = 5))]
    stars: Option<u8>,
}

/// What the advice finds.
#[derive(JsonSchema)]
#[allow(dead_code)]
#[serde(rename_all = "lowercase")]
enum AdviceStatus {
    /// The target is already reached: no change.
    Reached,
    /// A plan reaches the target.
    Plan,
    /// No plan reaches the target.
    Unreachable,
}

/// A list of changes, each `id from→to` (`->` also).
fn changes(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": "array",
        "items": {"type": "string", "pattern": "^\\s*\\S+\\s+\\S+\\s*(→|->)\\s*\\S+\\s*$"}
    })
}

/// A set number: "01" to "99" (a bare number is read as two digits).
#[derive(JsonSchema)]
#[allow(dead_code)]
#[serde(untagged)]
enum SetNumber {
    /// "01"
    Text(String),
    /// 1
    Number(u8),
}

/// A date, YYYY-MM-DD.
#[derive(JsonSchema)]
#[allow(dead_code)]
#[schemars(extend("format" = "date"))]
struct IsoDate(String);

/// Who evaluates.
#[derive(JsonSchema)]
#[allow(dead_code)]
#[serde(rename_all = "lowercase")]
enum Level {
    /// Cấp huyện (148 until 2025-07-05).
    District,
    /// Cấp tỉnh.
    Province,
    /// Cấp trung ương.
    Central,
}

/// An answer: an option key (`a`, `b`…), `yes`/`no` (or true/false) for a yes/no criterion,
/// `none` when no printed option is met, or a list of ticked keys for a cumulative criterion.
#[derive(JsonSchema)]
#[allow(dead_code)]
#[serde(untagged)]
enum Answer {
    /// `c`, `yes`, `none`
    Key(String),
    /// true / false for yes/no
    YesNo(bool),
    /// ticked keys of a cumulative criterion
    Ticked(Vec<String>),
}

/// A council member's sheet.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct CouncilMember {
    /// The member's name.
    name: String,
    /// Criterion id → answer.
    answers: BTreeMap<String, Answer>,
}

/// Points: a number with at most two decimals, or the same as text.
#[derive(JsonSchema)]
#[allow(dead_code)]
#[serde(untagged)]
enum PointsValue {
    /// 3, 0.5
    #[schemars(schema_with = "number")]
    Number(()),
    /// "3"
    Text(String),
}

/// A decision file, `rules/<decision>/decision.yaml` (docs/rule-dsl.md).
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct DecisionFile {
    /// The decision itself.
    decision: DecisionHead,
    /// How dossiers lodged under the superseded decision finish.
    transition: Option<Transition>,
    /// The total maximum (100).
    total_max: PointsValue,
    /// Part id → maximum shared by every form.
    parts: BTreeMap<String, PointsValue>,
    /// Score bands: contiguous, covering 0..total_max.
    bands: Vec<Band>,
    /// How the printed bands are read.
    bands_note: Option<String>,
    /// Facts shared by every form.
    facts: Option<BTreeMap<String, Fact>>,
    /// Knock-outs shared by every form.
    knockouts: Option<BTreeMap<String, Knockout>>,
    /// Who recognises which classes, by period.
    award: Option<AwardRules>,
    /// Council rules.
    council: Option<CouncilRules>,
    /// Interpretations and what is unknown.
    notes: Option<Vec<String>>,
}

/// The `decision:` block.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct DecisionHead {
    /// The folder name, used in assessments: `26-2026`.
    key: String,
    /// The official number: `26/2026/QĐ-TTg`.
    number: String,
    /// The title, verbatim.
    title_vi: String,
    /// An English title.
    title_en: String,
    /// Signing date.
    issued: Option<IsoDate>,
    /// First day in force.
    in_force_from: IsoDate,
    /// Last day in force (null: still in force).
    in_force_until: Option<IsoDate>,
    /// Keys of the decisions it supersedes.
    supersedes: Option<Vec<String>>,
    /// Official numbers of amending decisions.
    amended_by: Option<Vec<String>>,
    /// Where it is published.
    source: String,
}

/// The transition of a superseding decision.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Transition {
    /// Dossiers lodged before this day…
    lodged_before: IsoDate,
    /// …finish under the old decision within these many days.
    old_rules_days: OldRulesDays,
    /// Where it is printed.
    source: String,
}

/// Transition windows in days.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct OldRulesDays {
    /// First rating or upgrade.
    first_rating: u32,
    /// Re-evaluation.
    re_evaluation: u32,
}

/// A score band: `from` inclusive, `below` exclusive (or `to` inclusive for the last).
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Band {
    /// The class, 1–5.
    stars: u8,
    /// Lower bound, inclusive.
    from: PointsValue,
    /// Upper bound, exclusive.
    below: Option<PointsValue>,
    /// Upper bound, inclusive (the last band).
    to: Option<PointsValue>,
}

/// A fact outside the form.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Fact {
    /// The printed text.
    text_vi: String,
    /// A short English name.
    name_en: String,
}

/// A knock-out: the product is unclassified when its condition holds.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Knockout {
    /// When it is triggered.
    when: Condition,
    /// The printed text.
    text_vi: String,
    /// A short English name.
    name_en: String,
    /// Where it is printed.
    source: String,
}

/// Award levels.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct AwardRules {
    /// Certificate validity from recognition (default 36).
    certificate_months: Option<u32>,
    /// Who recognises which classes, by period.
    levels: Vec<AwardLevel>,
    /// What the decision says of a certificate after it is issued (ruling 13).
    lifecycle: Option<LifecycleRules>,
}

/// The certificate lifecycle: each rule stated with its source, or `{not_stated: why}`.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct LifecycleRules {
    /// Where the validity (`certificate_months`) is stated.
    validity: StatedOr<Validity>,
    /// When a re-rating dossier is lodged, in days before expiry (26/2026 Điều 7.6.a).
    re_rating_window: StatedOr<ReRatingWindow>,
    /// How long past expiry a certificate may run when a change of decision made the window
    /// impossible (26/2026 Điều 12.3).
    missed_window_grace: StatedOr<Grace>,
    /// A proposed 5★ scored below the threshold by the central council (26/2026 Điều 7.4.g).
    central_below_threshold: StatedOr<CentralBelow>,
}

/// A rule as stated, or why the decision does not state it.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum StatedOr<T> {
    /// The rule, with its `source`.
    Stated(T),
    /// Why it is not stated.
    NotStated(NotStated),
}

/// `{not_stated: why}`.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct NotStated {
    /// Why the decision does not state the rule (the text read, or that it is unavailable).
    not_stated: String,
}

/// The validity's source.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Validity {
    /// Where it is printed.
    source: String,
}

/// The re-rating lodging window.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct ReRatingWindow {
    /// Not earlier than this many days before expiry.
    earliest_days_before: u32,
    /// Not later than this many days before expiry.
    latest_days_before: u32,
    /// Where it is printed.
    source: String,
}

/// The extension past expiry.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Grace {
    /// At most this many days after expiry.
    days_after_expiry: u32,
    /// Where it is printed.
    source: String,
}

/// The central council's result below the threshold.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct CentralBelow {
    /// The threshold, in points.
    below: u32,
    /// The classes the province may recognise on that result.
    stars: Vec<u8>,
    /// Where it is printed.
    source: String,
}

/// One level's classes over a period.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct AwardLevel {
    /// district, province or central.
    level: Level,
    /// The classes it recognises.
    stars: Vec<u8>,
    /// From this day.
    from: Option<IsoDate>,
    /// Until this day, inclusive.
    until: Option<IsoDate>,
    /// Where it is printed.
    source: String,
}

/// Council rules.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct CouncilRules {
    /// Members' totals may not differ by more than this.
    spread_limit: Option<PointsValue>,
    /// Where the limit comes from.
    spread_source: Option<String>,
    /// Decimals shown for means (never used in comparisons).
    display_places: Option<u32>,
    /// The quorum, when the decision prints one.
    quorum: Option<Quorum>,
}

/// A quorum as a fraction of the council.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Quorum {
    /// Numerator.
    numerator: u32,
    /// Denominator.
    denominator: u32,
    /// Where it is printed.
    source: String,
}

/// A condition over answers and facts.
#[derive(JsonSchema)]
#[allow(dead_code)]
#[serde(untagged)]
enum Condition {
    /// `{fact: falsified_dossier}`
    Fact {
        /// The fact's id.
        fact: String,
    },
    /// `{answer: "5.1", in: [c, d]}`
    AnswerIn {
        /// The criterion.
        answer: String,
        /// The keys that satisfy it.
        #[serde(rename = "in")]
        keys: Vec<String>,
    },
    /// `{answer: "5.1", not_in: [a, none]}`
    AnswerNotIn {
        /// The criterion.
        answer: String,
        /// The keys that do not satisfy it.
        not_in: Vec<String>,
    },
    /// `{all: [...]}`
    All {
        /// Every one holds.
        all: Vec<Condition>,
    },
    /// `{any: [...]}`
    Any {
        /// At least one holds.
        any: Vec<Condition>,
    },
    /// `{not: ...}`
    Not {
        /// It does not hold.
        not: Box<Condition>,
    },
}

/// A form file, `rules/<decision>/<set>-<name>.yaml` (docs/rule-dsl.md).
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct RuleFile {
    /// The form's head.
    form: FormHead,
    /// Facts only this form uses.
    facts: Option<BTreeMap<String, Fact>>,
    /// Knock-outs only this form has.
    knockouts: Option<BTreeMap<String, Knockout>>,
    /// Class minimums (781 style).
    minimums: Option<Vec<MinimumRow>>,
    /// Interpretations and what is unknown.
    notes: Option<Vec<String>>,
    /// Part id (A, B, C) → part, in printed order.
    parts: BTreeMap<String, PartDoc>,
}

/// The `form:` block.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct FormHead {
    /// The decision key; must match the folder.
    decision: String,
    /// The two-digit set number.
    set: String,
    /// The set's name, verbatim.
    name_vi: String,
    /// A short English name.
    name_en: String,
    /// Where the form is printed.
    source: String,
    /// For a decision with several versions of one set.
    in_force_from: Option<IsoDate>,
    /// Last day, inclusive.
    in_force_until: Option<IsoDate>,
    /// Why this version exists.
    version_note: Option<String>,
}

/// A 781-style minimum: for class `stars`, `criterion` needs at least option `at_least`.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct MinimumRow {
    /// The class.
    stars: u8,
    /// The criterion id.
    criterion: String,
    /// An option key, or `yes`.
    at_least: String,
    /// The printed row.
    text_vi: String,
    /// Where it is printed.
    source: String,
    /// Added by an amendment from this day.
    in_force_from: Option<IsoDate>,
}

/// A part.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct PartDoc {
    /// The printed title.
    title_vi: String,
    /// A short English name.
    name_en: String,
    /// The maximum.
    max: PointsValue,
    /// Printed anomalies.
    anomalies: Option<Vec<AnomalyDoc>>,
    /// Section number → section, in printed order.
    sections: BTreeMap<String, SectionDoc>,
}

/// A section.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct SectionDoc {
    /// The printed title.
    title_vi: String,
    /// A short English name.
    name_en: String,
    /// The maximum.
    max: PointsValue,
    /// A printed description.
    description_vi: Option<String>,
    /// Printed notes.
    notes_vi: Option<Vec<String>>,
    /// Printed anomalies.
    anomalies: Option<Vec<AnomalyDoc>>,
    /// Criterion number → criterion, in printed order.
    criteria: BTreeMap<String, CriterionDoc>,
}

/// How a criterion is answered.
#[derive(JsonSchema)]
#[allow(dead_code)]
#[serde(rename_all = "snake_case")]
enum Kind {
    /// Choose one option.
    Pick,
    /// No options: yes scores the maximum.
    YesNo,
    /// Every ticked option adds its points.
    Cumulative,
    /// A parent of nested criteria.
    Group,
}

/// A criterion.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct CriterionDoc {
    /// The printed title.
    title_vi: String,
    /// A short English name.
    name_en: String,
    /// The printed maximum.
    max: PointsValue,
    /// pick (default), yes_no, cumulative or group.
    kind: Option<Kind>,
    /// Option key → option, in printed order.
    options: Option<BTreeMap<String, OptionDoc>>,
    /// For a group: the nested criteria.
    criteria: Option<BTreeMap<String, CriterionDoc>>,
    /// Alternative cases: case id → title.
    cases: Option<BTreeMap<String, CaseDoc>>,
    /// Only applies when the condition holds (ruling 4, 10).
    applies_if: Option<Gate>,
    /// A printed stop (ruling 9).
    stops: Option<StopDoc>,
    /// A printed requirement (ruling 11).
    requirement: Option<RequirementDoc>,
    /// The source reference.
    source: Option<String>,
    /// A printed description.
    description_vi: Option<String>,
    /// Printed notes.
    notes_vi: Option<Vec<String>>,
    /// Printed anomalies.
    anomalies: Option<Vec<AnomalyDoc>>,
}

/// An option.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct OptionDoc {
    /// Points applied.
    points: PointsValue,
    /// The printed text.
    text_vi: String,
    /// The star marker: the minimum for that class.
    star: Option<u8>,
    /// The alternative case it belongs to.
    case: Option<String>,
    /// Printed anomalies.
    anomalies: Option<Vec<AnomalyDoc>>,
}

/// An alternative case's title.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct CaseDoc {
    /// The printed title.
    title_vi: String,
}

/// `applies_if`.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Gate {
    /// The condition.
    when: Condition,
    /// The printed note.
    note_vi: String,
}

/// How far a stop reaches.
#[derive(JsonSchema)]
#[allow(dead_code)]
#[serde(rename_all = "snake_case")]
enum Scope {
    /// Every later criterion (ruling 9).
    Evaluation,
    /// The rest of the section.
    Section,
}

/// `stops`.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct StopDoc {
    /// When it fires.
    when: Condition,
    /// How far it reaches.
    scope: Scope,
    /// The printed note.
    note_vi: String,
}

/// `requirement`.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct RequirementDoc {
    /// The printed requirement.
    text_vi: String,
    /// When it is unmet.
    unmet_when: Condition,
    /// Where it is printed.
    source: Option<String>,
}

/// A printed anomaly.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct AnomalyDoc {
    /// points, max, options, title, text, heading, case, star.
    field: String,
    /// What the decision prints.
    printed: Option<ScalarText>,
    /// What is applied.
    applied: ScalarText,
    /// Why.
    reason: String,
}

/// A scalar written as text, number or boolean.
#[derive(JsonSchema)]
#[allow(dead_code)]
#[serde(untagged)]
enum ScalarText {
    /// Text.
    Text(String),
    /// A number.
    #[schemars(schema_with = "any_number")]
    Number(()),
    /// A boolean.
    Bool(bool),
}
