//! The result model: one owned, serialisable [`Report`] of a scored assessment.
//!
//! Scoring borrows the catalog ([`Scored`], [`Outcome`]); a
//! service wants a value it can return from a handler, store, and send. A `Report` owns every
//! figure and text it shows, names its rule file by SHA-256 (never by an absolute path), and
//! reads back from JSON equal to what was written. The text sheet, the JSON record and the bulk
//! rows are printers of it: a field shown in one exists here, and so in all of them.
//!
//! ```
//! use ocop_rating::{Assessment, Catalog, report::{Report, ReportOptions}};
//!
//! fn handle(catalog: &Catalog, body: &str) -> Result<Report, Box<dyn std::error::Error>> {
//!     let assessment = Assessment::from_text("request.yaml", body)?;
//!     // The report owns its data: it outlives the catalog snapshot it came from.
//!     Ok(catalog.report(&assessment, ReportOptions::default())?)
//! }
//!
//! let catalog = Catalog::embedded()?;
//! let body = std::fs::read_to_string("examples/26-2026-01-rau-cai.yaml")?;
//! let report = handle(&catalog, &body)?;
//! assert_eq!(report.total.value.to_string(), "61");
//! assert_eq!(report.stars, Some(3));
//! let json = serde_json::to_string(&report)?;
//! assert_eq!(serde_json::from_str::<Report>(&json)?, report);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::assessment::Scored;
use crate::date::Date;
use crate::form::{Form, MinimumOrigin};
use crate::points::{Mean, Points};
use crate::score::{Outcome, Status as CellStatus};
use crate::trace::Trace;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The version of the report's shape; it changes when a field changes meaning or goes away.
pub const REPORT_FORMAT: u32 = 1;

/// What to put in a [`Report`] besides the result.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReportOptions {
    /// Include the audit trace: every member's answer to every criterion, with the option
    /// texts, points, status and the reason for a 0.
    pub trace: bool,
}

/// One scored assessment, owned and serialisable. See the [module documentation](self).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Report {
    /// [`REPORT_FORMAT`] of the writer.
    pub format: u32,
    /// The assessment's file name as given by the caller.
    pub file: String,
    /// The product, as the assessment names it.
    pub product: Option<String>,
    /// The decision and form used.
    pub ruleset: Ruleset,
    /// The dates of the dossier, and why this decision and form were chosen.
    pub dates: Dates,
    /// Classified, held down, stopped or disqualified.
    pub status: Status,
    /// The total: the exact mean of the members' totals.
    pub total: Exact,
    /// The class from the score alone (1–5).
    pub band_stars: u8,
    /// The final class; `None` when a knock-out disqualified the product.
    pub stars: Option<u8>,
    /// Part totals, in the form's order.
    pub parts: Vec<Subtotal>,
    /// Section totals, in the form's order.
    pub sections: Vec<Subtotal>,
    /// Every answered criterion's points, in the form's order.
    pub criteria: Vec<CriterionPoints>,
    /// The minimums that blocked the class just above the final class, in form order.
    pub limited_by: Vec<Limit>,
    /// Minimums added by a later amendment that did not apply on the lodging date.
    pub minimums_not_applied: Vec<Limit>,
    /// The knock-out that disqualified the product.
    pub knockout: Option<Knockout>,
    /// Where the evaluation stopped (ruling 9).
    pub stopped: Option<Stopped>,
    /// The council's figures, for more than one sheet.
    pub council: Option<Council>,
    /// Who recognises the class, the certificate and its validity.
    pub award: Award,
    /// What a reader must not miss: a spread over the council's limit, a quorum problem, a
    /// stop that fired on only some sheets, printed anomalies the scoring touched.
    pub warnings: Vec<Warning>,
    /// The audit trace, when [`ReportOptions::trace`] asked for it.
    pub trace: Option<Vec<TraceEntry>>,
    /// The most points the form gives (the decision's total, e.g. 100).
    #[serde(default)]
    pub total_max: Decimal,
    /// The class after the minimums, before any knock-out: what a disqualified product would
    /// otherwise have reached (equal to `stars` when no knock-out fired).
    #[serde(default)]
    pub class_after_minimums: u8,
    /// The decision's score bands (ruling 1), lowest class first.
    #[serde(default)]
    pub bands: Vec<BandRange>,
    /// Every minimum in force on the lodging date, in form order (by class, then criterion),
    /// with the points the criterion got and whether it is met; empty when the trace could not
    /// be built. [`Report::limited_by`] is the part of it that held the class down.
    #[serde(default)]
    pub minimums: Vec<Limit>,
}

/// A score band: the class the total alone gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct BandRange {
    /// The class, 1–5.
    pub stars: u8,
    /// The lowest total in the band (inclusive).
    pub from: Decimal,
    /// The upper bound.
    pub upper: Decimal,
    /// Whether `upper` belongs to the band (`from ≤ total ≤ upper`) or not (`total < upper`).
    pub inclusive: bool,
}

/// An exact figure: the sum of `count` sheets' points, read as their mean.
///
/// A council's mean such as 269/3 is not a finite decimal; `sum` and `count` state it exactly,
/// `value` as a decimal (cut after 26 places when it repeats, `exact` then false), and `display`
/// rounded to the decision's places, for people. Comparisons never use `value` or `display`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Exact {
    /// The sum over the sheets.
    pub sum: Decimal,
    /// How many sheets.
    pub count: u32,
    /// The mean as a decimal.
    pub value: Decimal,
    /// Whether `value` is the mean exactly (false for a repeating decimal).
    pub exact: bool,
    /// The mean rounded to the decision's display places.
    pub display: Decimal,
}

impl Exact {
    fn new(mean: Mean, places: u32) -> Exact {
        let value = mean.to_decimal().normalize();
        let exact = value * Decimal::from(mean.count()) == mean.sum().to_decimal();
        Exact {
            sum: mean.sum().to_decimal().normalize(),
            count: mean.count(),
            value,
            exact,
            display: mean.display(places),
        }
    }

    /// The exact mean, for comparisons.
    pub fn mean(&self) -> Option<Mean> {
        Points::from_decimal(self.sum).map(|sum| Mean::new(sum, self.count))
    }
}

impl std::fmt::Display for Exact {
    /// The display value, marked `≈` when rounding changed it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.exact && self.display == self.value {
            write!(f, "{}", self.value)
        } else {
            write!(f, "≈{}", self.display)
        }
    }
}

/// The decision and form that scored the assessment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Ruleset {
    /// The decision key, e.g. `26-2026`.
    pub decision: String,
    /// Its official number, e.g. `26/2026/QĐ-TTg`.
    pub number: String,
    /// SHA-256 of the decision file.
    pub decision_sha256: String,
    /// The two-digit product set.
    pub set: String,
    /// The set's name in Vietnamese.
    pub set_name_vi: String,
    /// A short English name of the set.
    pub set_name_en: String,
    /// The rule file, as `<decision>/<file name>` (never an absolute path).
    pub file: String,
    /// SHA-256 of the rule file: with it the result can be reproduced.
    pub sha256: String,
    /// The form's legal source.
    pub source: String,
    /// The decision's printed title (what it enacts).
    #[serde(default)]
    pub decision_title_vi: String,
    /// A short English title of the decision.
    #[serde(default)]
    pub decision_title_en: String,
}

/// The dossier's dates and why the form applies.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Dates {
    /// The lodging date, which picks the decision and the minimums in force.
    pub lodged_on: Option<Date>,
    /// The evaluation date.
    pub evaluated_on: Option<Date>,
    /// The recognition date, from which a certificate runs.
    pub recognised_on: Option<Date>,
    /// Why this decision and form were used ("named in the assessment", "in force on …").
    pub chosen_by: String,
}

/// How the final class came about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The class is the band's.
    Classified,
    /// Minimums held the class below the band's.
    HeldDown,
    /// A stop ended the evaluation (on at least one sheet); the class rests on the points
    /// given before it. Takes precedence over `HeldDown`.
    Stopped,
    /// A knock-out: unclassified ("Không đạt").
    Disqualified,
}

/// A part's or a section's points.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Subtotal {
    /// The part (`A`) or section (`6`) id.
    pub id: String,
    /// For a section: its part.
    pub part: Option<String>,
    /// The printed title.
    pub title_vi: String,
    /// A short English name.
    pub name_en: String,
    /// The points (exact mean).
    pub points: Exact,
    /// The maximum applied.
    pub max: Decimal,
}

/// One answered criterion's points.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CriterionPoints {
    /// The form's numbering, e.g. `6.1.2`.
    pub id: String,
    /// Its section.
    pub section: String,
    /// The points (exact mean).
    pub points: Exact,
    /// The maximum applied.
    pub max: Decimal,
}

/// A minimum (a star marker or a 781 table row): what it needs and what it got.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Limit {
    /// The criterion.
    pub criterion: String,
    /// Its printed title.
    pub title_vi: String,
    /// The class it conditions.
    pub stars: u8,
    /// The option whose points it needs.
    pub option: String,
    /// The points needed.
    pub needed: Decimal,
    /// The points the criterion got (exact mean); absent for a minimum not applied.
    pub got: Option<Exact>,
    /// `marker` (a star printed on the option) or the table row's text.
    pub origin: String,
    /// Where it comes from.
    pub source: Option<String>,
    /// For a dated minimum: the day it applies from.
    pub in_force_from: Option<Date>,
    /// Whether the criterion's points (the exact mean) reach `needed`: `false` in
    /// [`Report::limited_by`], `None` for a minimum not applied.
    #[serde(default)]
    pub met: Option<bool>,
}

/// A knock-out that disqualified the product.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Knockout {
    /// Its id, e.g. `falsified_dossier`.
    pub id: String,
    /// The printed text.
    pub text_vi: String,
    /// A short English name.
    pub name_en: String,
    /// Where it is printed.
    pub source: String,
}

/// Where the evaluation stopped.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Stopped {
    /// The criterion whose stop fired (the earliest, in a council).
    pub criterion: String,
    /// Its printed title.
    pub title_vi: String,
    /// The printed stop.
    pub note_vi: String,
    /// `evaluation` or `section`.
    pub scope: String,
    /// On how many sheets a stop fired.
    pub sheets: u32,
    /// How many sheets there are.
    pub of: u32,
}

/// A council's figures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Council {
    /// Each member's name and total.
    pub members: Vec<Member>,
    /// Highest total minus lowest.
    pub spread: Decimal,
    /// The decision's limit on the spread.
    pub spread_limit: Decimal,
    /// Whether the spread exceeds the limit: the council discusses and re-scores (ruling 6).
    pub spread_exceeded: bool,
    /// The council's full size, when the assessment gives it.
    pub council_size: Option<u32>,
    /// A quorum problem, in words.
    pub quorum_problem: Option<String>,
}

/// A council member's total.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Member {
    /// The member's name.
    pub name: String,
    /// The member's total.
    pub total: Decimal,
    /// The member's part totals, in the order of [`Report::parts`] (empty without a trace).
    #[serde(default)]
    pub parts: Vec<Decimal>,
    /// The member's section totals, in the order of [`Report::sections`] (empty without a trace).
    #[serde(default)]
    pub sections: Vec<Decimal>,
}

/// Who recognises the class, and the certificate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Award {
    /// The level that may recognise the class reached (`district`, `province`, `central`).
    pub level: Option<String>,
    /// Whether a certificate is issued (never for 1 or 2 stars).
    pub certificate: bool,
    /// A class the evaluating level cannot recognise, to be proposed to `level`.
    pub potential: Option<u8>,
    /// The certificate's last day, when a recognition date is given.
    pub valid_until: Option<Date>,
    /// The rule applied, in words, with its source.
    pub note: String,
    /// The certificate's dates after issue (ruling 13), when a recognition date is given.
    #[serde(default)]
    pub lifecycle: Option<Lifecycle>,
    /// For a class only proposed to a higher level: what the decision says when that council
    /// scores it below its threshold.
    #[serde(default)]
    pub if_scored_below: Option<String>,
}

/// A certificate's dates after issue (ruling 13); see [`crate::award::CertificateLife`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Lifecycle {
    /// The recognition date.
    pub recognised_on: Date,
    /// The expiry.
    pub valid_until: Date,
    /// The key of the decision whose rules govern the re-rating.
    pub renewal_decision: String,
    /// The first day to lodge the re-rating dossier, when stated.
    pub re_rating_from: Option<Date>,
    /// The last day to lodge it, when stated.
    pub re_rating_until: Option<Date>,
    /// The latest day the certificate may run on when a change of decision made the window
    /// impossible to meet, when granted.
    pub extended_at_most_until: Option<Date>,
    /// Each rule in words, with its source or why it is not stated.
    pub lines: Vec<String>,
}

/// Something a reader of the result must not miss.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Warning {
    /// A stable kebab-case kind: `spread-exceeded`, `quorum`, `partial-stop`, `anomaly`.
    pub kind: String,
    /// What it is, in words.
    pub message: String,
}

/// One criterion of the audit trace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TraceEntry {
    /// The criterion.
    pub criterion: String,
    /// Its part and section.
    pub part: String,
    /// Its section.
    pub section: String,
    /// The printed title.
    pub title_vi: String,
    /// A short English name.
    pub name_en: String,
    /// The points (exact mean).
    pub points: Exact,
    /// The maximum applied.
    pub max: Decimal,
    /// The legal source.
    pub source: String,
    /// `pick`, `yes_no` or `cumulative`.
    pub kind: String,
    /// Nesting depth: 0 directly under the section, 1 under a group such as 6.1.
    pub depth: u8,
    /// The group it is printed under (e.g. 6.1 for 6.1.2), if any.
    pub group: Option<Heading>,
    /// Every printed option, in printed order, with its points and star marker.
    pub options: Vec<OptionLine>,
    /// The printed "only applies if" note, if the criterion is conditional.
    pub applies_if_vi: Option<String>,
    /// The requirement printed on the criterion ("Yêu cầu: …"), if any.
    pub requirement_vi: Option<String>,
    /// The printed stop under the criterion, if any.
    pub stop_vi: Option<String>,
    /// Printed anomalies of the criterion and its options.
    pub anomalies: Vec<Anomaly>,
    /// Each member's answer, in member order (one for a single sheet).
    pub members: Vec<Cell>,
    /// The printed description under the title, if any.
    #[serde(default)]
    pub description_vi: Option<String>,
    /// The notes printed with the criterion ("Yêu cầu: …", "Ghi chú: …"), as printed.
    #[serde(default)]
    pub notes_vi: Vec<String>,
    /// The alternative cases the options are grouped in ("Trường hợp 1: …"), in printed order.
    #[serde(default)]
    pub cases: Vec<CaseTitle>,
}

/// An alternative case of a criterion ("Lựa chọn một trong hai trường hợp").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CaseTitle {
    /// The case key that [`OptionLine::case`] names.
    pub key: String,
    /// The printed title.
    pub title_vi: String,
}

/// A group heading (a criterion with nested criteria, such as 6.1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Heading {
    /// Its number.
    pub id: String,
    /// The printed title.
    pub title_vi: String,
    /// A short English name.
    pub name_en: String,
    /// The maximum applied.
    pub max: Decimal,
}

/// A printed option of a criterion.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OptionLine {
    /// `a`, `b`…
    pub key: String,
    /// The printed text.
    pub text_vi: String,
    /// Points applied.
    pub points: Decimal,
    /// The star marker (3, 4 or 5), if printed: the minimum for that class.
    pub star: Option<u8>,
    /// The alternative case it belongs to, if any.
    pub case: Option<String>,
}

/// A printed anomaly: what the decision prints and what is applied.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Anomaly {
    /// `points`, `max`, `text`, `star`, …
    pub field: String,
    /// As printed.
    pub printed: String,
    /// As applied.
    pub applied: String,
    /// Why.
    pub reason: String,
}

/// One member's answer to one criterion.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Cell {
    /// The member's name (`member 1` when unnamed).
    pub member: String,
    /// The answer as keys: `c`, `yes`, `a+c`, `none`.
    pub answer: String,
    /// The chosen options' printed texts.
    pub options_vi: Vec<String>,
    /// The points given.
    pub points: Decimal,
    /// `scored`, `not_applicable`, `not_evaluated` or `requirement_unmet`.
    pub status: String,
    /// Why it scored 0 regardless of its answer.
    pub reason_zero: Option<String>,
    /// For a criterion not evaluated: the criterion whose printed stop ended the evaluation.
    #[serde(default)]
    pub stopped_by: Option<String>,
}

impl crate::Catalog {
    /// Scores an assessment and returns its owned [`Report`]. See also the [module](self)
    /// example (a service handler, and the JSON round trip).
    ///
    /// ```
    /// use ocop_rating::{Assessment, Catalog, report::ReportOptions};
    ///
    /// let catalog = Catalog::embedded()?;
    /// let assessment = Assessment::from_file("examples/26-2026-01-rau-cai.yaml", &Default::default())?;
    /// let report = catalog.report(&assessment, ReportOptions { trace: true })?;
    /// // Section 1 of the 26/2026 form for set 01, by hand from the form's points:
    /// // 1.1 c = 3, 1.2 a = 0, 1.3 b = 2, 1.4 b = 2, 1.5 b = 1, 1.6 a = 1, 1.7 a = 0; 9 of 18.
    /// let section_1 = &report.sections[0];
    /// assert_eq!((section_1.id.as_str(), section_1.points.value.to_string()), ("1", "9".to_string()));
    /// assert_eq!(section_1.max.to_string(), "18");
    /// // The trace shows the option ticked on the sheet, its printed text and its points.
    /// let trace = report.trace.as_deref().unwrap_or_default();
    /// let first = &trace[0];
    /// assert_eq!((first.criterion.as_str(), first.members[0].answer.as_str()), ("1.1", "c"));
    /// let printed = "Sản phẩm được trồng trên địa bàn cấp xã từ 75% đến 100%";
    /// assert_eq!(first.members[0].options_vi, [printed]);
    /// assert_eq!(first.members[0].points.to_string(), "3");
    /// // Without the trace option, the report carries the figures only.
    /// assert!(catalog.report(&assessment, ReportOptions::default())?.trace.is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn report(
        &self,
        assessment: &crate::Assessment,
        options: ReportOptions,
    ) -> Result<Report, crate::AssessmentError> {
        Ok(Report::new(&self.score(assessment)?, options))
    }
}

impl Report {
    /// Builds the report of a scored assessment.
    pub fn new(scored: &Scored<'_>, options: ReportOptions) -> Report {
        let form = scored.form();
        let outcome = scored.outcome();
        let places = form.decision().display_places();
        let trace = scored.trace().ok();
        let mut report = Report {
            format: REPORT_FORMAT,
            file: scored.assessment().file().to_string(),
            product: scored.assessment().product().map(str::to_string),
            ruleset: ruleset(form),
            dates: dates(scored),
            status: status(outcome),
            total: Exact::new(outcome.total_mean(), places),
            band_stars: outcome.band_stars(),
            stars: outcome.stars(),
            parts: parts(form, outcome, places),
            sections: Vec::new(),
            criteria: Vec::new(),
            limited_by: limits(outcome, places),
            minimums_not_applied: minimums_not_applied(form, outcome),
            knockout: outcome.disqualified().map(|k| Knockout {
                id: k.id().to_string(),
                text_vi: k.text_vi().to_string(),
                name_en: k.name_en().to_string(),
                source: k.source().to_string(),
            }),
            stopped: outcome.stopped().map(|s| Stopped {
                criterion: s.criterion.id().to_string(),
                title_vi: s.criterion.title_vi().to_string(),
                note_vi: s.stop.note_vi().to_string(),
                scope: s.stop.scope().as_str().to_string(),
                sheets: s.sheets,
                of: outcome.members(),
            }),
            council: council(scored),
            award: award(scored),
            warnings: Vec::new(),
            trace: None,
            total_max: form.decision().total_max().to_decimal(),
            class_after_minimums: outcome.class_after_minimums(),
            bands: bands(form),
            minimums: Vec::new(),
        };
        if let Some(trace) = &trace {
            report.sections = sections(form, trace, places);
            report.criteria = criteria(trace, places);
            report.minimums = minimums_in_force(form, outcome, trace, places);
            if let Some(council) = &mut report.council {
                member_subtotals(council, form, trace);
            }
            if options.trace {
                report.trace = Some(trace_entries(trace, places));
            }
        }
        report.warnings = warnings(&report, trace.as_ref());
        report
    }
}

fn ruleset(form: &Form) -> Ruleset {
    let d = form.decision();
    let name = form.file().rsplit(['/', '\\']).next().unwrap_or_default();
    Ruleset {
        decision: d.key().to_string(),
        number: d.number().to_string(),
        decision_sha256: d.sha256().to_string(),
        set: form.set().to_string(),
        set_name_vi: form.name_vi().to_string(),
        set_name_en: form.name_en().to_string(),
        file: format!("{}/{name}", d.key()),
        sha256: form.sha256().to_string(),
        source: form.source().to_string(),
        decision_title_vi: d.title_vi().to_string(),
        decision_title_en: d.title_en().to_string(),
    }
}

fn bands(form: &Form) -> Vec<BandRange> {
    form.decision()
        .bands()
        .iter()
        .map(|b| BandRange {
            stars: b.stars,
            from: b.from.to_decimal(),
            upper: b.upper.to_decimal(),
            inclusive: b.inclusive,
        })
        .collect()
}

/// Every minimum in force on the lodging date, judged on its criterion's exact mean (ruling 2,
/// ruling 6: minimums are judged on the mean points of each criterion).
fn minimums_in_force(form: &Form, outcome: &Outcome<'_>, trace: &Trace<'_>, places: u32) -> Vec<Limit> {
    form.minimums()
        .iter()
        .filter(|m| m.applies_on(outcome.judged_on()))
        .filter_map(|m| {
            let criterion = form.minimum_criterion(m);
            let line = trace.lines().find(|l| std::ptr::eq(l.criterion, criterion))?;
            let (origin, source) = origin(m.origin());
            Some(Limit {
                criterion: criterion.id().to_string(),
                title_vi: criterion.title_vi().to_string(),
                stars: m.stars(),
                option: form.minimum_option(m).key().to_string(),
                needed: m.at_least().to_decimal(),
                got: Some(Exact::new(line.mean, places)),
                origin,
                source,
                in_force_from: m.in_force_from(),
                met: Some(line.mean.at_least(m.at_least())),
            })
        })
        .collect()
}

/// Each member's part and section totals, from the trace's cells.
fn member_subtotals(council: &mut Council, form: &Form, trace: &Trace<'_>) {
    let lines: Vec<_> = trace.lines().collect();
    for (m, member) in council.members.iter_mut().enumerate() {
        let sum = |keep: &dyn Fn(&crate::trace::TraceLine<'_, '_>) -> bool| -> Decimal {
            let points: Points =
                lines.iter().filter(|l| keep(l)).filter_map(|l| l.cells.get(m)).map(|c| c.points).sum();
            points.to_decimal()
        };
        member.parts = form.parts().iter().map(|p| sum(&|l| std::ptr::eq(l.part, p))).collect();
        member.sections = form.sections().iter().map(|s| sum(&|l| std::ptr::eq(l.section, s))).collect();
    }
}

fn dates(scored: &Scored<'_>) -> Dates {
    let a = scored.assessment();
    Dates {
        lodged_on: a.lodged_on(),
        evaluated_on: a.evaluated_on(),
        recognised_on: a.recognised_on(),
        chosen_by: scored.chosen_by().to_string(),
    }
}

fn status(outcome: &Outcome<'_>) -> Status {
    if outcome.disqualified().is_some() {
        Status::Disqualified
    } else if outcome.stopped().is_some() {
        Status::Stopped
    } else if outcome.class_after_minimums() < outcome.band_stars() {
        Status::HeldDown
    } else {
        Status::Classified
    }
}

fn parts(form: &Form, outcome: &Outcome<'_>, places: u32) -> Vec<Subtotal> {
    form.parts()
        .iter()
        .zip(outcome.parts())
        .map(|(p, (_, mean))| Subtotal {
            id: p.id().to_string(),
            part: None,
            title_vi: p.title_vi().to_string(),
            name_en: p.name_en().to_string(),
            points: Exact::new(mean, places),
            max: p.max().to_decimal(),
        })
        .collect()
}

fn sections(form: &Form, trace: &Trace<'_>, places: u32) -> Vec<Subtotal> {
    let members = trace.members().len() as u32;
    form.sections()
        .iter()
        .map(|s| {
            let sum: Points =
                trace.lines().filter(|l| std::ptr::eq(l.section, s)).map(|l| l.mean.sum()).sum();
            Subtotal {
                id: s.id().to_string(),
                part: form.parts().get(s.part).map(|p| p.id().to_string()),
                title_vi: s.title_vi().to_string(),
                name_en: s.name_en().to_string(),
                points: Exact::new(Mean::new(sum, members), places),
                max: s.max().to_decimal(),
            }
        })
        .collect()
}

fn criteria(trace: &Trace<'_>, places: u32) -> Vec<CriterionPoints> {
    trace
        .lines()
        .map(|l| CriterionPoints {
            id: l.criterion.id().to_string(),
            section: l.section.id().to_string(),
            points: Exact::new(l.mean, places),
            max: l.criterion.max().to_decimal(),
        })
        .collect()
}

fn limits(outcome: &Outcome<'_>, places: u32) -> Vec<Limit> {
    outcome
        .limited_by()
        .map(|l| {
            let (origin, source) = origin(&l.minimum.origin);
            Limit {
                criterion: l.criterion.id().to_string(),
                title_vi: l.criterion.title_vi().to_string(),
                stars: l.stars,
                option: l.option_key.to_string(),
                needed: l.needed.to_decimal(),
                got: Some(Exact::new(l.got, places)),
                origin,
                source,
                in_force_from: l.minimum.in_force_from(),
                met: Some(false),
            }
        })
        .collect()
}

fn origin(origin: &MinimumOrigin) -> (String, Option<String>) {
    match origin {
        MinimumOrigin::Marker => ("marker".to_string(), None),
        MinimumOrigin::Table { text_vi, source } => (text_vi.clone(), Some(source.clone())),
    }
}

fn minimums_not_applied(form: &Form, outcome: &Outcome<'_>) -> Vec<Limit> {
    form.minimums()
        .iter()
        .filter(|m| !m.applies_on(outcome.judged_on()))
        .map(|m| {
            let criterion = form.minimum_criterion(m);
            let (origin, source) = origin(m.origin());
            Limit {
                criterion: criterion.id().to_string(),
                title_vi: criterion.title_vi().to_string(),
                stars: m.stars(),
                option: form.minimum_option(m).key().to_string(),
                needed: m.at_least().to_decimal(),
                got: None,
                origin,
                source,
                in_force_from: m.in_force_from(),
                met: None,
            }
        })
        .collect()
}

fn council(scored: &Scored<'_>) -> Option<Council> {
    if scored.sheets().len() < 2 {
        return None;
    }
    let c = scored.council();
    Some(Council {
        members: c
            .members
            .iter()
            .map(|(name, total)| Member {
                name: name.clone(),
                total: total.to_decimal(),
                parts: Vec::new(),
                sections: Vec::new(),
            })
            .collect(),
        spread: c.spread.to_decimal(),
        spread_limit: c.spread_limit.to_decimal(),
        spread_exceeded: c.spread_exceeded,
        council_size: c.council_size,
        quorum_problem: c.quorum_problem,
    })
}

fn award(scored: &Scored<'_>) -> Award {
    let a = scored.award();
    Award {
        level: a.level,
        certificate: a.certificate,
        potential: a.potential,
        valid_until: a.valid_until,
        note: a.note,
        lifecycle: a.lifecycle.map(|l| Lifecycle {
            recognised_on: l.recognised_on,
            valid_until: l.valid_until,
            renewal_decision: l.renewal_decision,
            re_rating_from: l.re_rating_window.map(|w| w.0),
            re_rating_until: l.re_rating_window.map(|w| w.1),
            extended_at_most_until: l.extended_at_most_until,
            lines: l.lines,
        }),
        if_scored_below: a.if_scored_below,
    }
}

fn warnings(report: &Report, trace: Option<&Trace<'_>>) -> Vec<Warning> {
    let mut out = Vec::new();
    if let Some(c) = &report.council {
        if c.spread_exceeded {
            out.push(Warning {
                kind: "spread-exceeded".into(),
                message: format!(
                    "the members' totals differ by {}, more than the limit of {}: the council discusses and re-scores",
                    c.spread, c.spread_limit
                ),
            });
        }
        if let Some(q) = &c.quorum_problem {
            out.push(Warning { kind: "quorum".into(), message: q.clone() });
        }
    }
    if let Some(s) = &report.stopped
        && s.sheets < s.of
    {
        out.push(Warning {
            kind: "partial-stop".into(),
            message: format!(
                "the evaluation stopped at {} on {} of {} sheets; the others were evaluated in full, and the means count the stopped criteria at 0 on the stopped sheets",
                s.criterion, s.sheets, s.of
            ),
        });
    }
    if let Some(trace) = trace {
        let touched = trace.lines().filter(|l| !l.criterion.anomalies().is_empty()).count();
        if touched > 0 {
            out.push(Warning {
                kind: "anomaly".into(),
                message: format!(
                    "{touched} criteria of this form carry a printed anomaly of the decision (printed and applied values in the trace)"
                ),
            });
        }
    }
    out
}

fn cell_status(status: CellStatus) -> &'static str {
    match status {
        CellStatus::Scored => "scored",
        CellStatus::NotApplicable => "not_applicable",
        CellStatus::Stopped { .. } => "not_evaluated",
        CellStatus::RequirementUnmet => "requirement_unmet",
    }
}

/// The group a nested criterion is printed under: the nearest earlier criterion of its section
/// one level up (criteria are stored in printed order).
fn group_of(form: &Form, c: &crate::Criterion) -> Option<Heading> {
    if c.depth() == 0 {
        return None;
    }
    let section = form.sections().get(c.section)?;
    let nodes = form.criteria().get(section.nodes.clone())?;
    let at = nodes.iter().position(|n| std::ptr::eq(n, c))?;
    nodes[..at].iter().rev().find(|n| n.depth() + 1 == c.depth()).map(|g| Heading {
        id: g.id().to_string(),
        title_vi: g.title_vi().to_string(),
        name_en: g.name_en().to_string(),
        max: g.max().to_decimal(),
    })
}

fn trace_entries(trace: &Trace<'_>, places: u32) -> Vec<TraceEntry> {
    let form = trace.form();
    trace
        .lines()
        .map(|line| {
            let c = line.criterion;
            TraceEntry {
                kind: c.kind().name().to_string(),
                depth: c.depth(),
                group: group_of(form, c),
                options: form
                    .options(c)
                    .iter()
                    .map(|o| OptionLine {
                        key: o.key().to_string(),
                        text_vi: o.text_vi().to_string(),
                        points: o.points().to_decimal(),
                        star: o.star(),
                        case: o.case().map(str::to_string),
                    })
                    .collect(),
                applies_if_vi: c.applies_if_note().map(str::to_string),
                requirement_vi: c.requirement().map(|r| r.text_vi().to_string()),
                stop_vi: c.stop().map(|s| s.note_vi().to_string()),
                criterion: c.id().to_string(),
                part: line.part.id().to_string(),
                section: line.section.id().to_string(),
                title_vi: c.title_vi().to_string(),
                name_en: c.name_en().to_string(),
                points: Exact::new(line.mean, places),
                max: c.max().to_decimal(),
                source: c.source().to_string(),
                anomalies: c
                    .anomalies()
                    .iter()
                    .map(|a| Anomaly {
                        field: a.field.clone(),
                        printed: a.printed.clone(),
                        applied: a.applied.clone(),
                        reason: a.reason.clone(),
                    })
                    .collect(),
                members: trace
                    .members()
                    .iter()
                    .enumerate()
                    .map(|(m, name)| Cell {
                        member: name.clone(),
                        answer: line.answer_text(m),
                        options_vi: line.chosen(m).iter().map(|o| o.text_vi().to_string()).collect(),
                        points: line.cells.get(m).map_or(Decimal::ZERO, |c| c.points.to_decimal()),
                        status: line.cells.get(m).map_or("scored", |c| cell_status(c.status)).to_string(),
                        reason_zero: line.reason_zero(m),
                        stopped_by: line.cells.get(m).and_then(|c| match c.status {
                            CellStatus::Stopped { by } => form.leaves().nth(by).map(|s| s.id().to_string()),
                            _ => None,
                        }),
                    })
                    .collect(),
                description_vi: c.description_vi().map(str::to_string),
                notes_vi: c.notes_vi().to_vec(),
                cases: c
                    .cases()
                    .iter()
                    .map(|(key, title)| CaseTitle { key: key.clone(), title_vi: title.clone() })
                    .collect(),
            }
        })
        .collect()
}
