//! The compiled scoring tree: an immutable, `Send + Sync` form, cheap to share across threads.
//!
//! A [`Form`] is built by the validate stage from a checked rule file. The tree keeps every
//! text of the law for the trace, and beside it flat arrays that the scoring loop walks
//! without allocating: leaf criteria in printed order, their options' points, and compiled
//! conditions that test answers as bit masks.

use crate::date::Date;
use crate::doc::CriterionKind;
use crate::points::Points;
use crate::score::Plan;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::{Arc, OnceLock};

/// The most leaf criteria a form may have (the largest shipped form has well under half).
pub const MAX_LEAVES: usize = 128;
/// The most options one criterion may have.
pub const MAX_OPTIONS: usize = 64;
/// The most parts a decision may have.
pub const MAX_PARTS: usize = 8;
/// The most facts (decision and form together) a form may test.
pub const MAX_FACTS: usize = 64;

/// A decision: its identity, dates, bands, shared facts and knock-outs, and award rules.
#[derive(Debug)]
pub struct Decision {
    pub(crate) key: String,
    pub(crate) number: String,
    pub(crate) title_vi: String,
    pub(crate) title_en: String,
    pub(crate) issued: Option<Date>,
    pub(crate) in_force_from: Date,
    pub(crate) in_force_until: Option<Date>,
    pub(crate) supersedes: Vec<String>,
    pub(crate) amended_by: Vec<String>,
    pub(crate) source: String,
    pub(crate) transition: Option<Transition>,
    pub(crate) total_max: Points,
    pub(crate) parts: Vec<(String, Points)>,
    pub(crate) bands: Vec<Band>,
    pub(crate) bands_note: Option<String>,
    pub(crate) awards: Vec<AwardLevel>,
    pub(crate) certificate_months: u32,
    pub(crate) lifecycle: Lifecycle,
    pub(crate) spread_limit: Points,
    pub(crate) display_places: u32,
    /// Quorum as a fraction of the council size, with its source.
    pub(crate) quorum: Option<(u32, u32, String)>,
    pub(crate) notes: Vec<String>,
    pub(crate) file: String,
    pub(crate) sha256: String,
}

/// What a decision says of a certificate after it is issued (ruling 13): each rule with the
/// article that states it, or why it is not stated. Data of the decision file
/// (`award.lifecycle`, docs/rule-dsl.md), never constants of the code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lifecycle {
    /// Where the validity ([`Decision::certificate_months`]) is stated.
    pub validity_source: Stated<()>,
    /// When a re-rating dossier is lodged, counted back from the certificate's expiry
    /// (26/2026 Điều 7.6.a: not earlier than 180 and not later than 120 days before).
    pub re_rating_window: Stated<ReRatingWindow>,
    /// A product that missed the re-rating window at the change of decision keeps its
    /// certificate until the new result, at most this long past expiry (26/2026 Điều 12.3).
    pub missed_window_grace: Stated<Grace>,
    /// A product the central council scores below the 5-star threshold may be recognised by
    /// the province on that result (26/2026 Điều 7.4.g).
    pub central_below_threshold: Stated<CentralBelow>,
}

/// A rule a decision states, with its source, or the reason it is not stated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stated<T> {
    /// The decision states it.
    Stated {
        /// The rule.
        rule: T,
        /// The article.
        source: String,
    },
    /// The decision does not state it: why the file says so (the text read, or that it is not
    /// available).
    NotStated(String),
}

impl<T> Stated<T> {
    /// The rule and its source, when stated.
    pub fn stated(&self) -> Option<(&T, &str)> {
        match self {
            Stated::Stated { rule, source } => Some((rule, source)),
            Stated::NotStated(_) => None,
        }
    }
}

/// The days before a certificate's expiry within which a re-rating dossier is lodged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReRatingWindow {
    /// Not earlier than this many days before expiry…
    pub earliest_days_before: u32,
    /// …and not later than this many.
    pub latest_days_before: u32,
}

/// How long past expiry a certificate may run on while its re-rating is pending.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Grace {
    /// At most this many days after expiry.
    pub days_after_expiry: u32,
}

/// A central council's result below the 5-star threshold, recognised by the province.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CentralBelow {
    /// The threshold (points of the mean total).
    pub below: u32,
    /// The classes the province may recognise on the central result.
    pub stars: Vec<u8>,
}

/// How dossiers lodged under the superseded decision are finished (e.g. 26/2026 Điều 12.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transition {
    /// Dossiers lodged before this date…
    pub lodged_before: Date,
    /// …are finished under the old decision within this many days (first rating or upgrade)…
    pub first_rating_days: u32,
    /// …or this many days (re-evaluation), counted from `lodged_before`.
    pub re_evaluation_days: u32,
    /// Where the decision says so.
    pub source: String,
}

/// A score band: the class given by the total alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Band {
    /// The class, 1–5.
    pub stars: u8,
    /// The lowest total in the band (inclusive).
    pub from: Points,
    /// The upper bound.
    pub upper: Points,
    /// Whether `upper` is inclusive (`to`) or exclusive (`below`).
    pub inclusive: bool,
}

/// Which level of government may award which classes, and when (ruling 7).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwardLevel {
    /// `district`, `province` or `central`.
    pub level: String,
    /// The classes this level recognises.
    pub stars: Vec<u8>,
    /// First day of the period (inclusive), if bounded.
    pub from: Option<Date>,
    /// Last day of the period (inclusive), if bounded.
    pub until: Option<Date>,
    /// Where the decision says so.
    pub source: String,
}

impl Decision {
    /// The key used in assessments and folder names, e.g. `26-2026`.
    pub fn key(&self) -> &str {
        &self.key
    }
    /// The official number, e.g. `26/2026/QĐ-TTg`.
    pub fn number(&self) -> &str {
        &self.number
    }
    /// The title, in Vietnamese.
    pub fn title_vi(&self) -> &str {
        &self.title_vi
    }
    /// A short English title.
    pub fn title_en(&self) -> &str {
        &self.title_en
    }
    /// The day it was signed.
    pub fn issued(&self) -> Option<Date> {
        self.issued
    }
    /// The first day it applies.
    pub fn in_force_from(&self) -> Date {
        self.in_force_from
    }
    /// The last day it applies, if it has been superseded.
    pub fn in_force_until(&self) -> Option<Date> {
        self.in_force_until
    }
    /// The keys of the decisions it replaces.
    pub fn supersedes(&self) -> &[String] {
        &self.supersedes
    }
    /// The official numbers of decisions amending it.
    pub fn amended_by(&self) -> &[String] {
        &self.amended_by
    }
    /// Its source reference.
    pub fn source(&self) -> &str {
        &self.source
    }
    /// The transition for dossiers lodged under the decision it supersedes.
    pub fn transition(&self) -> Option<&Transition> {
        self.transition.as_ref()
    }
    /// The maximum total (100).
    pub fn total_max(&self) -> Points {
        self.total_max
    }
    /// Part ids and maxima, e.g. `[("A", 40), ("B", 25), ("C", 35)]`.
    pub fn parts(&self) -> &[(String, Points)] {
        &self.parts
    }
    /// The score bands, lowest first.
    pub fn bands(&self) -> &[Band] {
        &self.bands
    }
    /// How the printed bands are read.
    pub fn bands_note(&self) -> Option<&str> {
        self.bands_note.as_deref()
    }
    /// Who may award which class, by period.
    pub fn award_levels(&self) -> &[AwardLevel] {
        &self.awards
    }
    /// How long a certificate is valid, in months.
    pub fn certificate_months(&self) -> u32 {
        self.certificate_months
    }
    /// What the decision says of a certificate after it is issued (ruling 13).
    pub fn lifecycle(&self) -> &Lifecycle {
        &self.lifecycle
    }
    /// The largest allowed spread between council members' totals.
    pub fn spread_limit(&self) -> Points {
        self.spread_limit
    }
    /// Decimal places used to display means (never used for comparison).
    pub fn display_places(&self) -> u32 {
        self.display_places
    }
    /// Notes: interpretations and what is unknown.
    pub fn notes(&self) -> &[String] {
        &self.notes
    }
    /// The decision file's name.
    pub fn file(&self) -> &str {
        &self.file
    }
    /// SHA-256 of the decision file, hex.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }
    /// Whether `date` falls in the decision's own period of force.
    pub fn in_force_on(&self, date: Date) -> bool {
        self.in_force_from <= date && self.in_force_until.is_none_or(|until| date <= until)
    }
    /// The band class of the mean `sum / members`, compared exactly as `sum` against each bound
    /// times `members` (bounds are at most 10,000 points, so the products fit in an i64). Bands
    /// do not overlap (checked when loaded), so the first that holds the mean is the one.
    #[inline]
    pub(crate) fn band_of(&self, sum: Points, members: u32) -> u8 {
        let n = i64::from(members.max(1));
        let sum = sum.hundredths();
        for band in &self.bands {
            let upper = band.upper.hundredths() * n;
            let upper_ok = if band.inclusive { sum <= upper } else { sum < upper };
            if upper_ok && sum >= band.from.hundredths() * n {
                return band.stars;
            }
        }
        0
    }
}

/// A printed anomaly of the decision, as recorded in a rule file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Anomaly {
    /// What is anomalous: `points`, `max`, `options`, `title`, `text`, `heading`, `case`.
    pub field: String,
    /// What the decision prints.
    pub printed: String,
    /// What the engine applies.
    pub applied: String,
    /// Why.
    pub reason: String,
    /// Where in the rule file (`parts.A.sections."1".criteria."1.1"`).
    pub path: String,
}

/// A part of a form (A, B, C).
#[derive(Debug)]
pub struct Part {
    pub(crate) id: String,
    pub(crate) title_vi: String,
    pub(crate) name_en: String,
    pub(crate) max: Points,
    pub(crate) sections: Range<usize>,
}

impl Part {
    /// `A`, `B` or `C`.
    pub fn id(&self) -> &str {
        &self.id
    }
    /// The printed title.
    pub fn title_vi(&self) -> &str {
        &self.title_vi
    }
    /// A short English name.
    pub fn name_en(&self) -> &str {
        &self.name_en
    }
    /// The maximum applied.
    pub fn max(&self) -> Points {
        self.max
    }
}

impl Form {
    /// The sections of a part, in printed order.
    pub fn sections_of(&self, part: &Part) -> &[Section] {
        &self.sections[part.sections.clone()]
    }
}

/// A numbered section of a part.
#[derive(Debug)]
pub struct Section {
    pub(crate) id: String,
    pub(crate) title_vi: String,
    pub(crate) name_en: String,
    pub(crate) max: Points,
    pub(crate) part: usize,
    pub(crate) nodes: Range<usize>,
}

impl Section {
    /// The printed number, e.g. `6`.
    pub fn id(&self) -> &str {
        &self.id
    }
    /// The printed title.
    pub fn title_vi(&self) -> &str {
        &self.title_vi
    }
    /// A short English name.
    pub fn name_en(&self) -> &str {
        &self.name_en
    }
    /// The maximum applied.
    pub fn max(&self) -> Points {
        self.max
    }
}

/// A criterion: a leaf that is answered, or a group of nested criteria.
#[derive(Debug)]
pub struct Criterion {
    pub(crate) id: String,
    pub(crate) title_vi: String,
    pub(crate) name_en: String,
    pub(crate) description_vi: Option<String>,
    pub(crate) notes_vi: Vec<String>,
    pub(crate) max: Points,
    pub(crate) kind: CriterionKind,
    pub(crate) depth: u8,
    pub(crate) section: usize,
    pub(crate) source: String,
    /// For leaves: the index into the leaf arrays.
    pub(crate) leaf: Option<usize>,
    pub(crate) options: Range<usize>,
    pub(crate) cases: Vec<(String, String)>,
    pub(crate) applies_if: Option<Gate>,
    pub(crate) stops: Option<Stop>,
    pub(crate) requirement: Option<Requirement>,
    pub(crate) anomalies: Vec<Anomaly>,
}

impl Criterion {
    /// The form's numbering, e.g. `6.1.2`.
    pub fn id(&self) -> &str {
        &self.id
    }
    /// The printed title.
    pub fn title_vi(&self) -> &str {
        &self.title_vi
    }
    /// A short English name.
    pub fn name_en(&self) -> &str {
        &self.name_en
    }
    /// The printed description, if any.
    pub fn description_vi(&self) -> Option<&str> {
        self.description_vi.as_deref()
    }
    /// Printed notes.
    pub fn notes_vi(&self) -> &[String] {
        &self.notes_vi
    }
    /// The maximum applied.
    pub fn max(&self) -> Points {
        self.max
    }
    /// How it is answered.
    pub fn kind(&self) -> CriterionKind {
        self.kind
    }
    /// Nesting depth: 0 for a criterion directly under its section.
    pub fn depth(&self) -> u8 {
        self.depth
    }
    /// The source reference (decision, annex, set, part, numbering).
    pub fn source(&self) -> &str {
        &self.source
    }
    /// Alternative cases ("Lựa chọn một trong hai trường hợp"), id and printed title.
    pub fn cases(&self) -> &[(String, String)] {
        &self.cases
    }
    /// Printed anomalies of this criterion and its options.
    pub fn anomalies(&self) -> &[Anomaly] {
        &self.anomalies
    }
    /// The "only applies if" note, if the criterion is conditional.
    pub fn applies_if_note(&self) -> Option<&str> {
        self.applies_if.as_ref().map(|g| g.note_vi.as_str())
    }
    /// The printed stop ("Không đánh giá các bước tiếp theo nếu…"), if any (ruling 9).
    pub fn stop(&self) -> Option<&Stop> {
        self.stops.as_ref()
    }
    /// The requirement printed on this criterion ("Yêu cầu: …"), if any (ruling 11).
    pub fn requirement(&self) -> Option<&Requirement> {
        self.requirement.as_ref()
    }
}

/// A printed stop: when its condition holds (the criterion's own answer, or a fact), the
/// evaluation stops after the criterion (ruling 9). The criteria it reaches score 0 and are
/// shown "not evaluated"; points given before the stop stand. A stop is not a knock-out.
#[derive(Clone, Debug)]
pub struct Stop {
    pub(crate) note_vi: String,
    pub(crate) scope: crate::doc::StopScope,
}

impl Stop {
    /// The printed note, e.g. "Không đánh giá các bước tiếp theo nếu có tạp chất".
    pub fn note_vi(&self) -> &str {
        &self.note_vi
    }
    /// How far it reaches: the rest of the evaluation, or of the section.
    pub fn scope(&self) -> crate::doc::StopScope {
        self.scope
    }
}

/// A requirement printed on a criterion, e.g. "Yêu cầu: 100% sản phẩm được trồng trên địa bàn
/// cấp tỉnh" under 1.1 (ruling 11). An assessment states it unmet with a fact; the criterion then
/// scores 0 and the trace names the requirement. It is not a knock-out, and without the fact the
/// requirement is taken as met.
#[derive(Clone, Debug)]
pub struct Requirement {
    pub(crate) text_vi: String,
    pub(crate) source: String,
}

impl Requirement {
    /// The printed requirement, verbatim.
    pub fn text_vi(&self) -> &str {
        &self.text_vi
    }
    /// Where it is printed.
    pub fn source(&self) -> &str {
        &self.source
    }
}

/// An option of a criterion.
#[derive(Debug)]
pub struct Choice {
    pub(crate) key: String,
    pub(crate) points: Points,
    pub(crate) text_vi: String,
    pub(crate) star: Option<u8>,
    pub(crate) case: Option<String>,
}

impl Choice {
    /// The option key, `a`, `b`… (`yes`/`no` for yes/no criteria).
    pub fn key(&self) -> &str {
        &self.key
    }
    /// Points applied.
    pub fn points(&self) -> Points {
        self.points
    }
    /// The printed text.
    pub fn text_vi(&self) -> &str {
        &self.text_vi
    }
    /// The star marker (3, 4 or 5), if printed.
    pub fn star(&self) -> Option<u8> {
        self.star
    }
    /// The alternative case it belongs to, if any.
    pub fn case(&self) -> Option<&str> {
        self.case.as_deref()
    }
}

/// A compiled condition over answers and facts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Cond {
    Fact(u8),
    /// The effective answer of a leaf meets `mask` (or is none, when `none`).
    Answer {
        leaf: u16,
        mask: u64,
        none: bool,
        negate: bool,
    },
    All(Vec<Cond>),
    Any(Vec<Cond>),
    Not(Box<Cond>),
}

impl Cond {
    /// Evaluates against one sheet: `answers` are the raw answers, `skipped` the leaves not
    /// scored (not applicable or stopped), which read as none. A condition reads only earlier
    /// leaves (checked when the form is loaded), so leaves not yet reached are never read; the
    /// scoring loop thus marks only the rare skipped leaf, not every scored one.
    #[inline]
    pub(crate) fn eval(&self, answers: &[u64], skipped: u128, facts: u64) -> bool {
        match self {
            Cond::Fact(bit) => facts >> bit & 1 == 1,
            Cond::Answer { leaf, mask, none, negate } => {
                let i = *leaf as usize;
                let answer = if skipped >> i & 1 == 0 { answers.get(i).copied().unwrap_or(0) } else { 0 };
                let hit = answer & mask != 0 || (answer == 0 && *none);
                hit != *negate
            }
            Cond::All(items) => items.iter().all(|c| c.eval(answers, skipped, facts)),
            Cond::Any(items) => items.iter().any(|c| c.eval(answers, skipped, facts)),
            Cond::Not(inner) => !inner.eval(answers, skipped, facts),
        }
    }
}

/// `applies_if`: its printed note.
#[derive(Clone, Debug)]
pub(crate) struct Gate {
    pub(crate) note_vi: String,
}

/// A fact outside the form that knock-outs test.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fact {
    pub(crate) id: String,
    pub(crate) text_vi: String,
    pub(crate) name_en: String,
}

impl Fact {
    /// The id used in assessments.
    pub fn id(&self) -> &str {
        &self.id
    }
    /// The printed text.
    pub fn text_vi(&self) -> &str {
        &self.text_vi
    }
    /// A short English name.
    pub fn name_en(&self) -> &str {
        &self.name_en
    }
}

/// A knock-out rule ("Hồ sơ bị loại khi…").
#[derive(Debug)]
pub struct Knockout {
    pub(crate) id: String,
    pub(crate) when: Cond,
    pub(crate) text_vi: String,
    pub(crate) name_en: String,
    pub(crate) source: String,
}

impl Knockout {
    /// Its id, e.g. `falsified_dossier`.
    pub fn id(&self) -> &str {
        &self.id
    }
    /// The printed text.
    pub fn text_vi(&self) -> &str {
        &self.text_vi
    }
    /// A short English name.
    pub fn name_en(&self) -> &str {
        &self.name_en
    }
    /// Its source reference.
    pub fn source(&self) -> &str {
        &self.source
    }
}

/// Where a class minimum comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MinimumOrigin {
    /// A star marker printed on an option (26/2026, 148/2023).
    Marker,
    /// A row of a minimum table (781/QĐ-TTg), with its text and source.
    Table {
        /// The printed requirement.
        text_vi: String,
        /// Its source reference.
        source: String,
    },
}

/// For class `stars`, criterion `leaf` needs at least `at_least` points.
#[derive(Clone, Debug)]
pub struct Minimum {
    pub(crate) stars: u8,
    pub(crate) leaf: usize,
    pub(crate) option: usize,
    pub(crate) at_least: Points,
    pub(crate) origin: MinimumOrigin,
    pub(crate) in_force_from: Option<Date>,
}

impl Minimum {
    /// The first day the minimum applies, when a later amendment added it (781/QĐ-TTg's table
    /// from 2020-06-08); `None` when it applies with the form.
    pub fn in_force_from(&self) -> Option<Date> {
        self.in_force_from
    }
    /// Whether it applies to a dossier lodged on `on`. Without a date, every minimum applies:
    /// the rules as they stand since the last amendment.
    pub fn applies_on(&self, on: Option<Date>) -> bool {
        match (self.in_force_from, on) {
            (Some(from), Some(on)) => on >= from,
            _ => true,
        }
    }
    /// The class that needs it.
    pub fn stars(&self) -> u8 {
        self.stars
    }
    /// The points needed.
    pub fn at_least(&self) -> Points {
        self.at_least
    }
    /// Where it comes from.
    pub fn origin(&self) -> &MinimumOrigin {
        &self.origin
    }
}

/// One compiled form: the scoring tree of one product set under one decision.
///
/// Immutable and `Send + Sync`; share it by reference or `Arc`.
#[derive(Debug)]
pub struct Form {
    pub(crate) decision: Arc<Decision>,
    pub(crate) set: String,
    pub(crate) name_vi: String,
    pub(crate) name_en: String,
    pub(crate) source: String,
    pub(crate) in_force_from: Option<Date>,
    pub(crate) in_force_until: Option<Date>,
    pub(crate) version_note: Option<String>,
    pub(crate) notes: Vec<String>,
    pub(crate) file: String,
    pub(crate) sha256: String,
    pub(crate) parts: Vec<Part>,
    pub(crate) sections: Vec<Section>,
    /// Every criterion (groups and leaves) in printed order.
    pub(crate) nodes: Vec<Criterion>,
    pub(crate) options: Vec<Choice>,
    pub(crate) facts: Vec<Fact>,
    pub(crate) knockouts: Vec<Knockout>,
    /// Every knock-out tests a fact alone: with no fact set, none can fire, and the scoring
    /// loop skips them.
    pub(crate) knockouts_on_facts_only: bool,
    /// Sorted by class.
    pub(crate) minimums: Vec<Minimum>,
    /// Anomalies of parts and sections (criteria keep their own).
    pub(crate) anomalies: Vec<Anomaly>,
    pub(crate) leaves: Leaves,
    pub(crate) index: HashMap<String, usize>,
    /// The upgrade advisor's view of the form, built on its first advice.
    pub(crate) advisor: std::sync::OnceLock<crate::advise::Prepared>,
}

/// The hot-path view of the leaves, struct of arrays in printed order.
#[derive(Debug, Default)]
pub(crate) struct Leaves {
    pub(crate) node: Vec<usize>,
    pub(crate) part: Vec<u8>,
    pub(crate) section: Vec<u16>,
    /// Start of each leaf's options in `option_points`; the leaf's count is `option_count`.
    pub(crate) option_start: Vec<u32>,
    pub(crate) option_count: Vec<u8>,
    pub(crate) option_points: Vec<i64>,
    /// Per option (parallel to `option_points`): its key when it is one byte (`a`…), else 0,
    /// so resolving a bulk cell reads this flat array, not the option's heap string.
    pub(crate) option_letter: Vec<u8>,
    pub(crate) applies_if: Vec<Option<Cond>>,
    pub(crate) stops: Vec<Option<Cond>>,
    pub(crate) requirement: Vec<Option<Cond>>,
    /// Per leaf, what the scoring loop reads, packed in 8 bytes so that one zipped iterator
    /// feeds the loop without bounds checks.
    pub(crate) info: Vec<LeafInfo>,
    /// The form specialised for scoring one sheet and for reading JSON: per-option points with
    /// the minimums each option fails, and a perfect hash of the criterion ids. Built from the
    /// arrays above and the form's minimums on first use (see [`Form::plan`]).
    pub(crate) plan: OnceLock<Plan>,
}

/// What the scoring loop needs of one leaf.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct LeafInfo {
    /// Start of the leaf's options in `option_points`.
    pub(crate) start: u32,
    /// One past the last leaf that a stop on this leaf reaches: the leaf count for a stop of
    /// the evaluation, the end of its section (sections are contiguous in leaf order) for a
    /// stop of the section; the leaves it stops are `i + 1 .. stop_end`.
    pub(crate) stop_end: u16,
    /// [`LEAF_CUMULATIVE`], [`LEAF_APPLIES_IF`], [`LEAF_STOPS`], [`LEAF_REQUIREMENT`]; 0 for the
    /// common case (one pick, no condition).
    pub(crate) flags: u8,
    /// Index of its part.
    pub(crate) part: u8,
}

/// Leaf flag: several options may be ticked (points add up).
pub(crate) const LEAF_CUMULATIVE: u8 = 1;
/// Leaf flag: the leaf has an `applies_if` condition.
pub(crate) const LEAF_APPLIES_IF: u8 = 2;
/// Leaf flag: the leaf has a `stops` condition.
pub(crate) const LEAF_STOPS: u8 = 4;
/// Leaf flag: the leaf has a printed `requirement`.
pub(crate) const LEAF_REQUIREMENT: u8 = 8;

impl Form {
    /// The decision this form belongs to.
    pub fn decision(&self) -> &Decision {
        &self.decision
    }
    /// The two-digit product set, e.g. `01`.
    pub fn set(&self) -> &str {
        &self.set
    }
    /// The product set's name, in Vietnamese.
    pub fn name_vi(&self) -> &str {
        &self.name_vi
    }
    /// A short English name.
    pub fn name_en(&self) -> &str {
        &self.name_en
    }
    /// Its source reference.
    pub fn source(&self) -> &str {
        &self.source
    }
    /// For a set with several versions under one decision: the first day of this version.
    pub fn in_force_from(&self) -> Option<Date> {
        self.in_force_from
    }
    /// For a set with several versions under one decision: the last day of this version.
    pub fn in_force_until(&self) -> Option<Date> {
        self.in_force_until
    }
    /// Why this version exists.
    pub fn version_note(&self) -> Option<&str> {
        self.version_note.as_deref()
    }
    /// Notes of the rule file.
    pub fn notes(&self) -> &[String] {
        &self.notes
    }
    /// The rule file's name.
    pub fn file(&self) -> &str {
        &self.file
    }
    /// SHA-256 of the rule file, hex: the identity of the rule set for audits.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }
    /// Parts in printed order.
    pub fn parts(&self) -> &[Part] {
        &self.parts
    }
    /// Sections in printed order.
    pub fn sections(&self) -> &[Section] {
        &self.sections
    }
    /// Every criterion, groups included, in printed order.
    pub fn criteria(&self) -> &[Criterion] {
        &self.nodes
    }
    /// The criteria that are answered (not groups), in printed order.
    pub fn leaves(&self) -> impl ExactSizeIterator<Item = &Criterion> + '_ {
        self.leaves.node.iter().map(|n| &self.nodes[*n])
    }
    /// The number of answered criteria.
    pub fn leaf_count(&self) -> usize {
        self.leaves.node.len()
    }
    /// A criterion by id.
    pub fn criterion(&self, id: &str) -> Option<&Criterion> {
        self.index.get(id).map(|i| &self.nodes[*i])
    }
    /// The options of a criterion (for yes/no: `no`, `yes`).
    pub fn options(&self, criterion: &Criterion) -> &[Choice] {
        &self.options[criterion.options.clone()]
    }
    /// Facts the knock-outs of this form test (decision and form facts).
    pub fn facts(&self) -> &[Fact] {
        &self.facts
    }
    /// Knock-outs (decision and form).
    pub fn knockouts(&self) -> &[Knockout] {
        &self.knockouts
    }
    /// Class minimums, by class.
    pub fn minimums(&self) -> &[Minimum] {
        &self.minimums
    }
    /// The criterion a minimum applies to.
    pub fn minimum_criterion(&self, minimum: &Minimum) -> &Criterion {
        &self.nodes[self.leaves.node[minimum.leaf]]
    }
    /// The option whose points a minimum requires.
    pub fn minimum_option(&self, minimum: &Minimum) -> &Choice {
        &self.options[minimum.option]
    }
    /// Every printed anomaly: parts and sections, then criteria and options.
    pub fn anomalies(&self) -> impl Iterator<Item = &Anomaly> + '_ {
        self.anomalies.iter().chain(self.nodes.iter().flat_map(|n| n.anomalies.iter()))
    }
    /// The section a criterion belongs to.
    pub fn section_of(&self, criterion: &Criterion) -> &Section {
        &self.sections[criterion.section]
    }
    /// Whether this version of the form applies on `date`.
    pub fn in_force_on(&self, date: Date) -> bool {
        self.in_force_from.is_none_or(|from| from <= date) && self.in_force_until.is_none_or(|u| date <= u)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn forms_are_send_and_sync() {
        fn shareable<T: Send + Sync>() {}
        shareable::<super::Form>();
        shareable::<super::Decision>();
    }
}
