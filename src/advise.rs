//! The upgrade advisor: the fewest improvements that lift a product to a target class, found
//! exactly, with up to three alternatives, each checked by the ordinary scorer before it is
//! returned (issue 12).
//!
//! ```
//! use ocop_rating::{Assessment, Catalog, advise};
//!
//! let catalog = Catalog::embedded()?;
//! let text = std::fs::read_to_string("examples/26-2026-01-rau-cai.yaml")?;
//! let scored = catalog.score(&Assessment::from_text("rau-cai.yaml", &text)?)?;
//! let advice = advise::advise_scored(&scored, None)?;        // the next class above the current one
//! let plan = advice.plan.as_ref().expect("4 stars can be reached");
//! assert_eq!(plan.stars, 4);
//! println!("{}", advise::text(&advice));                   // a consultant's note, in Vietnamese
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # What a plan is
//!
//! A **change** sets one criterion to a better answer: an option worth at least as much as every
//! member's current answer and more than at least one's (for a cumulative criterion: more items
//! ticked, keeping every item any member ticked). On a criterion that a condition reads (5.1 for
//! the story criteria, a criterion whose answer stops the evaluation, a knock-out on an answer),
//! an option worth the same also counts when the condition reads it differently. A council plan
//! gives the new answer to every member. A **plan** is a set of changes after which the product
//! reaches the target class: the band of the exact mean total, every star marker and 781 minimum
//! of every class up to the target, no knock-out.
//!
//! Among all plans the advisor returns the one that (1) changes the fewest criteria, then (2)
//! adds the fewest points, then (3) whose changes, listed in form order as (criterion, option),
//! come first: the earliest criteria of the form, then the earliest options (for a cumulative
//! criterion, the fewest added items, then the earliest). Up to three alternatives follow,
//! ranked the same way, each changing a different set of criteria from the plans before it.
//!
//! # Facts
//!
//! Facts are outside the form: no change of answers clears them. A fact that triggers a
//! knock-out or a stop must be cleared: the advice names it and advises on the sheets as if it
//! were cleared. A fact that zeroes a criterion through a printed requirement (ruling 11) or makes
//! criteria not applicable is kept when the target can be reached with it, and otherwise named
//! and cleared too.
//!
//! # Why it is exact
//!
//! Only a few criteria are read by conditions (5.1, the stopping criteria, the criteria a
//! knock-out reads): the *controllers*. What a condition sees of a controller's answer is its
//! *signature*: which of the condition's keys it hits. The search enumerates every signature
//! each controller can be given (keeping it, or changing it to an answer of another signature);
//! in each such *branch* every condition, and so every criterion's status (scored, not
//! applicable, stopped, requirement unmet) and every knock-out, is fixed, and is taken from a run
//! of the ordinary scorer. What is left is additive: each criterion's mean points, the total,
//! and the per-criterion minimums. A criterion that misses a minimum must change (to an option
//! that meets it); the fewest further changes that close the points gap are found by taking the
//! largest gains first; and among plans with that many changes, a dynamic programme over exact
//! sums (integer hundredths) finds the smallest total, then the first plan in form order. The
//! best branch wins. Alternatives come from Lawler's partition of the plan space by which
//! criteria change. See `docs/advise.md`.

use crate::assessment::Scored;
use crate::date::Date;
use crate::error::AssessmentError;
use crate::form::{Cond, Form, LEAF_CUMULATIVE, MinimumOrigin};
use crate::points::{Mean, Points};
use crate::score::{AnswerError, Outcome, Recorder, Sheet, Status};
use crate::terminal::escape;
use rust_decimal::Decimal;
use serde::Serialize;
use std::cmp::Ordering;
use std::fmt::Write;

/// The most branches (combinations of controller signatures) searched; far above any shipped
/// form (at most a few dozen).
const MAX_BRANCHES: usize = 4096;
/// A cumulative criterion's untick items considered; the shipped forms have at most 5.
const MAX_SUBSET_ITEMS: u32 = 12;
/// Option texts are cut to this many characters in the text note.
const TEXT_WIDTH: usize = 90;

// ---------------------------------------------------------------------------------------------
// The owned result.

/// How to advise: see [`Form::advise_with`].
#[derive(Clone, Debug)]
pub struct AdviseOptions {
    /// The class to reach (1–5); `None`: the next class above the current one.
    pub target: Option<u8>,
    /// The lodging date: a minimum added by a later amendment applies only from its date
    /// ([`Minimum::in_force_from`](crate::Minimum::in_force_from)); `None` applies every minimum.
    pub lodged_on: Option<Date>,
    /// The date the award rules are read on (the evaluation date, else the lodging date).
    pub award_date: Option<Date>,
    /// The level evaluating (`district`, `province` or `central`); by default the lowest level
    /// that awards classes on the date.
    pub evaluating_level: Option<String>,
    /// How many alternative plans to offer (3 by default).
    pub alternatives: usize,
    /// The product's label, shown in the advice.
    pub product: Option<String>,
}

impl Default for AdviseOptions {
    fn default() -> AdviseOptions {
        AdviseOptions {
            target: None,
            lodged_on: None,
            award_date: None,
            evaluating_level: None,
            alternatives: 3,
            product: None,
        }
    }
}

/// The advice: where the product stands, the facts to clear, the best plan to the target class
/// and its alternatives, or why the target cannot be reached.
#[derive(Clone, Debug, Serialize)]
pub struct Advice {
    /// The decision's key, e.g. `1048-2019`.
    pub decision: String,
    /// The product set, e.g. `01`.
    pub set: String,
    /// The set's name, in Vietnamese.
    pub set_name_vi: String,
    /// The set's name, in English.
    pub set_name_en: String,
    /// The product's label, when known.
    pub product: Option<String>,
    /// How many sheets (council members) were averaged.
    pub members: u32,
    /// The lodging date minimums were judged on.
    pub lodged_on: Option<Date>,
    /// The product as scored.
    pub current: Standing,
    /// Facts outside the form that hold the product down, each saying whether the advice
    /// assumes it cleared.
    pub facts: Vec<FactNote>,
    /// The product as advised on: [`Advice::current`] with the facts marked `cleared` cleared.
    pub start: Standing,
    /// The class aimed at.
    pub target: u8,
    /// What the advice found.
    pub status: AdviceStatus,
    /// The best plan to [`Advice::target`]; when the target cannot be reached, the best plan to
    /// the highest class that can ([`Advice::reachable`]), if it is above the start.
    pub plan: Option<Plan>,
    /// Up to three more plans to the same class, each changing a different set of criteria,
    /// ranked like the plan.
    pub alternatives: Vec<Plan>,
    /// The highest class any plan reaches (the target when it is reached).
    pub reachable: Option<u8>,
    /// Why the target cannot be reached (empty when it can).
    pub unreachable: Vec<Reason>,
    /// Who recognises the class the plan reaches, when it is not the level evaluating (e.g. "5★
    /// is recognised only by the central council").
    pub recognition: Option<Reason>,
    /// Notes on the search (limits met, anything not checked).
    pub notes: Vec<String>,
}

/// What the advice found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AdviceStatus {
    /// The start already reaches the target: no change is needed (facts may still need
    /// clearing).
    Reached,
    /// A plan reaches the target.
    Plan,
    /// No plan reaches the target; see [`Advice::unreachable`] and [`Advice::reachable`].
    Unreachable,
}

/// A scored state of the product.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Standing {
    /// The exact total (the mean of the members' totals; a repeating mean is cut at 26 places).
    pub total: Decimal,
    /// The sum of the members' totals: the total is exactly `total_sum / members`.
    pub total_sum: Points,
    /// The class from the total alone.
    pub band_stars: u8,
    /// The class after minimums, before knock-outs.
    pub class_after_minimums: u8,
    /// The final class; `None` when a knock-out disqualifies the product.
    pub stars: Option<u8>,
    /// The knock-out that disqualifies the product, if any.
    pub disqualified: Option<String>,
    /// Where the evaluation stopped (ruling 9), if it did.
    pub stopped_at: Option<String>,
    /// The minimums that hold the class below the band.
    pub held_by: Vec<Held>,
}

/// A minimum that holds the class down.
#[derive(Clone, Debug, Serialize)]
pub struct Held {
    /// The criterion.
    pub criterion: String,
    /// The class it blocks.
    pub stars: u8,
    /// The points needed.
    pub needed: Points,
    /// The option that sets the requirement.
    pub option: String,
    /// The points it got (the council mean).
    pub got: Decimal,
}

/// A fact outside the form that holds the product down.
#[derive(Clone, Debug, Serialize)]
pub struct FactNote {
    /// The fact's id.
    pub id: String,
    /// Its printed text.
    pub text_vi: String,
    /// Its English name.
    pub name_en: String,
    /// What it does: `knockout`, `stop`, `requirement` or `condition`.
    pub kind: String,
    /// What it does, in words (the knock-out, stop, requirement or condition, with its text).
    pub effects: Vec<String>,
    /// Whether the advice assumes it cleared. Facts that knock out or stop always are; a
    /// requirement or condition only when the target cannot be reached otherwise.
    pub cleared: bool,
}

/// A plan: the changes and the verified result.
#[derive(Clone, Debug, Serialize)]
pub struct Plan {
    /// The class reached, as scored by the ordinary scorer.
    pub stars: u8,
    /// The band of the new total.
    pub band_stars: u8,
    /// The changes, in form order.
    pub changes: Vec<Change>,
    /// The points added to the total (the mean).
    pub points_added: Decimal,
    /// The points added to the sum of the members' totals (exact).
    pub points_added_sum: Points,
    /// The new total (exact mean).
    pub total: Decimal,
    /// The new sum of the members' totals.
    pub total_sum: Points,
}

/// One change of a plan (or of a what-if).
#[derive(Clone, Debug, Serialize)]
pub struct Change {
    /// The criterion's id, e.g. `1.5`.
    pub criterion: String,
    /// Its printed title.
    pub title_vi: String,
    /// Its English name.
    pub name_en: String,
    /// The current answers (one entry per distinct answer of the members).
    pub from: Vec<AnswerText>,
    /// The new answer, for every member.
    pub to: AnswerText,
    /// The criterion's own points gained (mean; negative in a what-if that lowers it).
    pub gained: Decimal,
    /// The same over the members (exact: `gained_sum / members`).
    pub gained_sum: Points,
    /// The star markers and minimums the new answer meets and the old one did not.
    pub meets: Vec<Met>,
    /// Other criteria whose treatment this change alters: a story criterion that applies again,
    /// criteria no longer stopped (or, in a what-if, newly stopped).
    pub affects: Vec<Affected>,
}

/// An answer, with its texts.
#[derive(Clone, Debug, Serialize)]
pub struct AnswerText {
    /// The option keys (none for `none`; several for a cumulative criterion).
    pub keys: Vec<String>,
    /// Their printed texts.
    pub texts: Vec<String>,
    /// The points of the answer on one sheet.
    pub points: Points,
    /// The alternative case of the option, if the criterion has cases.
    pub case: Option<String>,
    /// How many members gave this answer.
    pub members: u32,
}

/// A marker or minimum met by a change.
#[derive(Clone, Debug, Serialize)]
pub struct Met {
    /// The class that needs it.
    pub stars: u8,
    /// `marker` (a star printed on an option) or `minimum` (a 781 table row).
    pub kind: String,
    /// The points needed.
    pub needed: Points,
    /// The option that sets it.
    pub option: String,
}

/// A criterion whose treatment a change alters without changing its answer.
#[derive(Clone, Debug, Serialize)]
pub struct Affected {
    /// The criterion.
    pub criterion: String,
    /// How it was treated before (e.g. "not applicable: Chỉ áp dụng khi có câu chuyện").
    pub before: String,
    /// How it is treated after.
    pub after: String,
    /// The points it gains (mean; negative when it loses them).
    pub gained: Decimal,
    /// The same over the members.
    pub gained_sum: Points,
}

/// A reason, in Vietnamese and in English.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reason {
    /// In Vietnamese.
    pub vi: String,
    /// In English.
    pub en: String,
}

// ---------------------------------------------------------------------------------------------
// Entry points.

impl Form {
    /// Advises on `sheets` (one sheet, or a council's) lodged on `on`: the best plan to `target`
    /// (`None`: the next class above the current one) and up to three alternatives. See the
    /// [module documentation](crate::advise) for what a plan is and how it is ranked.
    ///
    /// ```
    /// let catalog = ocop_rating::Catalog::embedded()?;
    /// let form = catalog.form("26-2026", "01", None)?;
    /// let mut sheet = form.sheet();
    /// for criterion in form.leaves() {
    ///     let first = form.options(criterion)[0].key().to_string();
    ///     sheet.set(criterion.id(), &first)?;
    /// }
    /// let advice = form.advise(&[sheet], None, Some(3))?;
    /// let plan = advice.plan.unwrap();
    /// assert!(plan.stars >= 3);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn advise<'f>(
        &'f self,
        sheets: &[Sheet<'f>],
        on: Option<Date>,
        target: Option<u8>,
    ) -> Result<Advice, AssessmentError> {
        let options = AdviseOptions { target, lodged_on: on, award_date: on, ..AdviseOptions::default() };
        self.advise_with(sheets, &options)
    }

    /// [`Form::advise`] with every option.
    pub fn advise_with<'f>(
        &'f self,
        sheets: &[Sheet<'f>],
        options: &AdviseOptions,
    ) -> Result<Advice, AssessmentError> {
        self.check_sheets(sheets)?;
        Ok(advise_checked(self, sheets, options, Detail::Full))
    }
}

/// Advises on a scored assessment: its lodging date, evaluation date, evaluating level and
/// product label are used.
pub fn advise_scored(scored: &Scored<'_>, target: Option<u8>) -> Result<Advice, AssessmentError> {
    let a = scored.assessment();
    let options = AdviseOptions {
        target,
        lodged_on: a.lodged_on(),
        award_date: a.evaluated_on().or(a.lodged_on()),
        evaluating_level: a.evaluating_level().map(str::to_string),
        alternatives: 3,
        product: a.product().map(str::to_string),
    };
    scored.form().advise_with(scored.sheets(), &options)
}

// ---------------------------------------------------------------------------------------------
// Evaluation with the ordinary scoring loop, recording every cell.

/// Every member's status and points per criterion, from the scorer's own loop.
struct Cells {
    leaves: usize,
    status: Vec<Status>,
    points: Vec<i64>,
}

impl Recorder for Cells {
    const ON: bool = true;
    fn leaf(&mut self, member: usize, leaf: usize, _answer: u64, status: Status, points: i64) {
        let i = member * self.leaves + leaf;
        if let (Some(s), Some(p)) = (self.status.get_mut(i), self.points.get_mut(i)) {
            *s = status;
            *p = points;
        }
    }
}

/// A run of the scorer, kept per criterion.
#[derive(Clone, Debug, Default)]
struct Eval {
    /// Per leaf: the sum of its points over the members.
    sums: Vec<i64>,
    /// Per member and leaf (member-major): the status.
    status: Vec<Status>,
    /// The number of leaves.
    leaves: usize,
    /// The sum of the members' totals.
    total: i64,
    /// Whether a knock-out fired.
    knocked: bool,
}

fn evaluate<'f>(form: &'f Form, sheets: &[Sheet<'f>], on: Option<Date>) -> (Eval, Outcome<'f>) {
    let leaves = form.leaf_count();
    let cells = sheets.len() * leaves;
    let mut rec = Cells { leaves, status: vec![Status::Scored; cells], points: vec![0; cells] };
    let outcome = form.run(sheets, &mut rec, on);
    // The members' points, added up per leaf into the first member's row.
    let mut sums = rec.points;
    for m in 1..sheets.len() {
        for leaf in 0..leaves {
            sums[leaf] += sums[m * leaves + leaf];
        }
    }
    sums.truncate(leaves);
    let eval = Eval {
        sums,
        status: rec.status,
        leaves,
        total: outcome.total_sum().hundredths(),
        knocked: outcome.disqualified().is_some(),
    };
    (eval, outcome)
}

impl Eval {
    /// How many members scored `leaf` from their answer.
    fn live(&self, leaf: usize) -> i64 {
        if self.status.len() == self.leaves {
            return i64::from(self.status.get(leaf) == Some(&Status::Scored));
        }
        let statuses = self.status.iter().skip(leaf).step_by(self.leaves.max(1));
        statuses.filter(|s| **s == Status::Scored).count() as i64
    }
}

fn skipped(status: Status) -> bool {
    matches!(status, Status::NotApplicable | Status::Stopped { .. })
}

// ---------------------------------------------------------------------------------------------
// The model: candidates per criterion, controllers, branches.

/// A candidate answer of one criterion.
#[derive(Clone, Copy, Debug)]
struct Cand {
    bits: u64,
    /// Points on one sheet, in hundredths.
    points: i64,
    /// What the conditions reading this criterion see of it.
    sig: u64,
}

#[derive(Clone, Debug, Default)]
struct LeafModel<'f> {
    /// The condition atoms reading this leaf: (mask, whether `none` hits).
    atoms: &'f [(u64, bool)],
    /// For a controller: the signature every member's current answer has, when they agree.
    uniform: Option<u64>,
}

impl LeafModel<'_> {
    fn controller(&self) -> bool {
        !self.atoms.is_empty()
    }
    fn sig(&self, bits: u64) -> u64 {
        signature(self.atoms, bits)
    }
}

/// Which of the condition atoms `atoms` the answer `bits` hits, as bits.
fn signature(atoms: &[(u64, bool)], bits: u64) -> u64 {
    let mut sig = 0;
    for (j, (mask, none)) in atoms.iter().enumerate() {
        if bits & mask != 0 || (bits == 0 && *none) {
            sig |= 1 << j;
        }
    }
    sig
}

/// One way to set a controller: keep it (`None`), or change it to a signature, with the
/// candidate that represents the signature.
type Choice = Option<(usize, u64)>;

/// A combination of controller signatures, evaluated once.
#[derive(Clone, Debug)]
struct Branch {
    /// Controllers changed: (leaf, representative candidate, signature).
    changes: Vec<(usize, usize, u64)>,
    eval: Eval,
}

struct Model<'f> {
    form: &'f Form,
    sheets: Vec<Sheet<'f>>,
    on: Option<Date>,
    n: i64,
    leaves: Vec<LeafModel<'f>>,
    /// Per leaf: its candidate answers, built when first asked for (see [`Model::cands`]).
    cands: Vec<std::cell::OnceCell<Vec<Cand>>>,
    branches: Vec<Branch>,
    /// The run of the sheets as they are; moved to the first branch (which keeps every
    /// controller) when there is one: see [`Model::start`].
    start: Eval,
    /// The scorer's outcome of the sheets as they are.
    outcome: Outcome<'f>,
    notes: Vec<String>,
    too_large: Option<usize>,
}

fn points_of(form: &Form, leaf: usize, bits: u64) -> i64 {
    let lv = &form.leaves;
    let (Some(info), Some(&count)) = (lv.info.get(leaf), lv.option_count.get(leaf)) else { return 0 };
    let start = info.start as usize;
    let bits = if info.flags & LEAF_CUMULATIVE == 0 { bits & bits.wrapping_neg() } else { bits };
    let mut points = 0;
    let mut rest = bits;
    while rest != 0 {
        let b = rest.trailing_zeros() as usize;
        if b < usize::from(count) {
            points += lv.option_points.get(start + b).copied().unwrap_or(0);
        }
        rest &= rest - 1;
    }
    points
}

fn collect_atoms(cond: &Cond, atoms: &mut [Vec<(u64, bool)>], facts: &mut u64) {
    match cond {
        Cond::Fact(bit) => *facts |= 1u64.checked_shl(u32::from(*bit)).unwrap_or(0),
        Cond::Answer { leaf, mask, none, .. } => {
            if let Some(list) = atoms.get_mut(usize::from(*leaf))
                && !list.contains(&(*mask, *none))
            {
                list.push((*mask, *none));
            }
        }
        Cond::All(items) | Cond::Any(items) => items.iter().for_each(|c| collect_atoms(c, atoms, facts)),
        Cond::Not(inner) => collect_atoms(inner, atoms, facts),
    }
}

/// The facts each kind of condition reads: knock-outs, stops, requirements, applies_if.
#[derive(Clone, Copy, Debug)]
struct FactUse {
    knockout: u64,
    stop: u64,
    requirement: u64,
    gate: u64,
}

fn fact_use(form: &Form) -> (FactUse, Vec<Vec<(u64, bool)>>) {
    let mut atoms = vec![Vec::new(); form.leaf_count()];
    let mut u = FactUse { knockout: 0, stop: 0, requirement: 0, gate: 0 };
    for k in &form.knockouts {
        collect_atoms(&k.when, &mut atoms, &mut u.knockout);
    }
    let lv = &form.leaves;
    for c in lv.stops.iter().flatten() {
        collect_atoms(c, &mut atoms, &mut u.stop);
    }
    for c in lv.requirement.iter().flatten() {
        collect_atoms(c, &mut atoms, &mut u.requirement);
    }
    for c in lv.applies_if.iter().flatten() {
        collect_atoms(c, &mut atoms, &mut u.gate);
    }
    (u, atoms)
}

/// What the advisor reads of a form that no sheet changes, built on the form's first advice
/// ([`Form::advisor`]) and shared by every advice on it after.
#[derive(Debug)]
pub(crate) struct Prepared {
    uses: FactUse,
    /// Per leaf: the condition atoms reading it.
    atoms: Vec<Vec<(u64, bool)>>,
    /// Per leaf with one answer: the first option of each (points, signature), in printed order.
    /// The candidates of a sheet are those of these that are better than its answer: two options
    /// worth the same to every condition and to the total are better or not together, and the
    /// first of them is the one a plan names.
    firsts: Vec<Vec<Cand>>,
}

impl Prepared {
    fn new(form: &Form) -> Prepared {
        let (uses, atoms) = fact_use(form);
        let lv = &form.leaves;
        let firsts = atoms
            .iter()
            .enumerate()
            .map(|(leaf, atoms)| {
                let (Some(info), Some(&count)) = (lv.info.get(leaf), lv.option_count.get(leaf)) else {
                    return Vec::new();
                };
                let mut out: Vec<Cand> = Vec::new();
                if info.flags & LEAF_CUMULATIVE != 0 {
                    return out;
                }
                for i in 0..u32::from(count).min(64) {
                    let bits = 1u64 << i;
                    let (points, sig) = (points_of(form, leaf, bits), signature(atoms, bits));
                    if !out.iter().any(|c| c.points == points && c.sig == sig) {
                        out.push(Cand { bits, points, sig });
                    }
                }
                out
            })
            .collect();
        Prepared { uses, atoms, firsts }
    }
}

impl Form {
    /// The advisor's view of this form, built once.
    fn advisor(&self) -> &Prepared {
        self.advisor.get_or_init(|| Prepared::new(self))
    }
}

impl<'f> Model<'f> {
    fn new(form: &'f Form, sheets: Vec<Sheet<'f>>, on: Option<Date>) -> Model<'f> {
        let prepared = form.advisor();
        let mut notes = Vec::new();
        let mut cands = Vec::with_capacity(prepared.atoms.len());
        let leaves: Vec<LeafModel<'f>> = prepared
            .atoms
            .iter()
            .enumerate()
            .map(|(leaf, atoms)| {
                let mut lm = LeafModel { atoms, uniform: None };
                // Most criteria are never looked at by a search for one plan: their candidates
                // are built when asked for. A cumulative criterion's are built now, for the note
                // they may add.
                let cell = std::cell::OnceCell::new();
                if prepared.firsts.get(leaf).is_none_or(Vec::is_empty) {
                    let _ = cell.set(candidates(form, &sheets, leaf, &lm, &mut notes));
                }
                cands.push(cell);
                if lm.controller() {
                    let mut sigs = sheets.iter().map(|s| lm.sig(s.answers.get(leaf).copied().unwrap_or(0)));
                    let first = sigs.next();
                    if let Some(first) = first
                        && sigs.all(|s| s == first)
                    {
                        lm.uniform = Some(first);
                    }
                }
                lm
            })
            .collect();
        let n = sheets.len().max(1) as i64;
        let (start, outcome) = evaluate(form, &sheets, on);
        let mut model = Model {
            form,
            sheets,
            on,
            n,
            leaves,
            cands,
            branches: Vec::new(),
            start,
            outcome,
            notes,
            too_large: None,
        };
        model.enumerate_branches();
        model
    }

    /// The run of the sheets as they are.
    fn start(&self) -> &Eval {
        match self.branches.first() {
            Some(b) if b.changes.is_empty() => &b.eval,
            _ => &self.start,
        }
    }

    /// The sheets with the plan `raw` applied (every member gets each new answer) and their
    /// outcome, when the ordinary scorer gives `target` or above with the total the search
    /// predicted; `None` when it does not.
    fn check(&self, raw: &Raw, target: u8) -> Option<(Vec<Sheet<'f>>, Outcome<'f>)> {
        let mut sheets = self.sheets.clone();
        for &(leaf, ci) in &raw.seq {
            let bits = self.cands(leaf).get(ci)?.bits;
            for s in &mut sheets {
                if let Some(slot) = s.answers.get_mut(leaf) {
                    *slot = bits;
                }
            }
        }
        let outcome = self.form.score_council_on(&sheets, self.on).ok()?;
        let reached = outcome.stars().is_some_and(|s| s >= target);
        (reached && outcome.total_sum().hundredths() == raw.total).then_some((sheets, outcome))
    }

    /// The candidate answers of `leaf`, in tie-break order.
    fn cands(&self, leaf: usize) -> &[Cand] {
        let (Some(cell), Some(lm)) = (self.cands.get(leaf), self.leaves.get(leaf)) else { return &[] };
        // A criterion with one answer adds no note.
        cell.get_or_init(|| candidates(self.form, &self.sheets, leaf, lm, &mut Vec::new()))
    }

    /// Per controller that can change signature: the ways to set it (keep, or each signature
    /// with its cheapest candidate).
    fn axes(&self) -> Vec<(usize, Vec<Choice>)> {
        let mut axes: Vec<(usize, Vec<Choice>)> = Vec::new();
        for (leaf, lm) in self.leaves.iter().enumerate() {
            if !lm.controller() {
                continue;
            }
            let mut choices: Vec<Choice> = vec![None];
            for (ci, c) in self.cands(leaf).iter().enumerate() {
                if lm.uniform == Some(c.sig) {
                    continue;
                }
                match choices.iter().position(|x| x.is_some_and(|(_, s)| s == c.sig)) {
                    // The representative is the cheapest candidate of the signature.
                    Some(p) => {
                        if let Some(Some((rep, _))) = choices.get(p)
                            && self.cands(leaf).get(*rep).is_some_and(|r| c.points < r.points)
                        {
                            choices[p] = Some((ci, c.sig));
                        }
                    }
                    None => choices.push(Some((ci, c.sig))),
                }
            }
            if choices.len() > 1 {
                axes.push((leaf, choices));
            }
        }
        axes
    }

    /// Every combination of controller signatures: keep, or change to each signature a
    /// candidate has (other than the members' common one, which keeping covers).
    fn enumerate_branches(&mut self) {
        let axes = self.axes();
        let count = axes.iter().try_fold(1usize, |acc, (_, c)| acc.checked_mul(c.len()));
        match count {
            Some(c) if c <= MAX_BRANCHES => {}
            other => {
                self.too_large = Some(other.unwrap_or(usize::MAX));
                return;
            }
        }
        self.branches.reserve(count.unwrap_or(1));
        if axes.is_empty() {
            // No controller can change signature: the one branch keeps them all.
            let eval = std::mem::take(&mut self.start);
            self.branches.push(Branch { changes: Vec::new(), eval });
            return;
        }
        let mut digits = vec![0usize; axes.len()];
        let mut sheets = self.sheets.clone();
        loop {
            let mut changes = Vec::new();
            for ((leaf, choices), &d) in axes.iter().zip(&digits) {
                let choice = choices.get(d).copied().flatten();
                if let Some((rep, sig)) = choice {
                    changes.push((*leaf, rep, sig));
                }
                // Every member gets the representative, or keeps the answer.
                for (s, own) in sheets.iter_mut().zip(&self.sheets) {
                    let bits = match choice {
                        Some((rep, _)) => self.cands(*leaf)[rep].bits,
                        None => own.answers.get(*leaf).copied().unwrap_or(0),
                    };
                    if let Some(slot) = s.answers.get_mut(*leaf) {
                        *slot = bits;
                    }
                }
            }
            // Keeping every controller is the sheets as they are, already evaluated.
            let eval = if changes.is_empty() {
                std::mem::take(&mut self.start)
            } else {
                evaluate(self.form, &sheets, self.on).0
            };
            let leaves = self.form.leaf_count();
            // A change to a controller that is not evaluated on any sheet changes nothing: the
            // branch is the same as keeping it, with one change more.
            let redundant = changes.iter().any(|(leaf, ..)| {
                (0..self.sheets.len())
                    .all(|m| eval.status.get(m * leaves + leaf).is_some_and(|s| skipped(*s)))
            });
            if !redundant {
                self.branches.push(Branch { changes, eval });
            }
            // The next combination (odometer).
            let mut i = 0;
            loop {
                if i == digits.len() {
                    return;
                }
                digits[i] += 1;
                if digits[i] < axes[i].1.len() {
                    break;
                }
                digits[i] = 0;
                i += 1;
            }
        }
    }
}

/// The better answers of a criterion, in tie-break order (see the module documentation).
fn candidates(
    form: &Form,
    sheets: &[Sheet<'_>],
    leaf: usize,
    lm: &LeafModel<'_>,
    notes: &mut Vec<String>,
) -> Vec<Cand> {
    let mut all = Vec::new();
    let firsts = form.advisor().firsts.get(leaf).map_or(&[][..], Vec::as_slice);
    if let [sheet] = sheets
        && !firsts.is_empty()
    {
        // One sheet and one answer (only such a leaf has `firsts`): `better` below, written out.
        let b = sheet.answers.get(leaf).copied().unwrap_or(0);
        let (p, s, controller) = (points_of(form, leaf, b), lm.sig(b), lm.controller());
        // Without branches (`&`, `|`): which options are better is data, and mispredicted.
        all.reserve(firsts.len());
        for c in firsts {
            let better = (c.points >= p) & (c.bits != b) & ((c.points > p) | (controller & (c.sig != s)));
            all.push(*c);
            all.truncate(all.len() - usize::from(!better));
        }
        return all;
    }
    let lv = &form.leaves;
    let (Some(info), Some(&count)) = (lv.info.get(leaf), lv.option_count.get(leaf)) else {
        return all;
    };
    let current: Vec<(u64, i64, u64)> = sheets
        .iter()
        .map(|s| {
            let bits = s.answers.get(leaf).copied().unwrap_or(0);
            (bits, points_of(form, leaf, bits), lm.sig(bits))
        })
        .collect();
    let best_now = current.iter().map(|c| c.1).max().unwrap_or(0);
    let better = |bits: u64, points: i64, sig: u64| {
        points >= best_now
            && current.iter().any(|&(b, p, s)| b != bits && (points > p || (lm.controller() && sig != s)))
    };
    if info.flags & LEAF_CUMULATIVE == 0 {
        all.extend(firsts.iter().filter(|c| better(c.bits, c.points, c.sig)));
        return all;
    }
    let push = |bits: u64, all: &mut Vec<Cand>| {
        let points = points_of(form, leaf, bits);
        let sig = lm.sig(bits);
        // Candidates worth the same to every condition and the total are one candidate: the first.
        if better(bits, points, sig) && !all.iter().any(|c| c.points == points && c.sig == sig) {
            all.push(Cand { bits, points, sig });
        }
    };
    let full = if count >= 64 { u64::MAX } else { (1u64 << count) - 1 };
    let ticked = current.iter().fold(0u64, |a, c| a | c.0) & full;
    let mut free: Vec<u64> =
        (0..u32::from(count).min(64)).map(|i| 1u64 << i).filter(|b| ticked & b == 0).collect();
    if free.len() > MAX_SUBSET_ITEMS as usize {
        let id = leaf_criterion(form, leaf).map_or("?", |c| c.id());
        notes.push(format!(
            "criterion {id}: only the first {MAX_SUBSET_ITEMS} of its {} unticked items are considered",
            free.len()
        ));
        free.truncate(MAX_SUBSET_ITEMS as usize);
    }
    // Subsets of the unticked items: fewest items first, then printed order.
    let mut subsets: Vec<u64> = (0u64..1 << free.len())
        .map(|mask| free.iter().enumerate().filter(|(i, _)| mask >> i & 1 == 1).fold(0u64, |a, (_, b)| a | b))
        .collect();
    subsets.sort_by_key(|s| (s.count_ones(), std::cmp::Reverse(s.reverse_bits())));
    for s in subsets {
        push(ticked | s, &mut all);
    }
    all
}

// ---------------------------------------------------------------------------------------------
// The search for one target class.

/// One criterion that a plan of a branch may (or must) change.
#[derive(Clone, Debug)]
struct Item {
    leaf: usize,
    forced: bool,
    /// Where its menu is in the search's menus: (value in hundredths over the members, candidate
    /// index), distinct values, in candidate order.
    menu: (usize, usize),
}

/// A menu entry: (value in hundredths over the members, candidate index).
type Entry = (i64, usize);

/// The largest step of a menu (0 for none).
fn largest(menu: &[Entry]) -> i64 {
    menu.iter().map(|m| m.0).max().unwrap_or(0)
}

impl Item {
    fn menu<'a>(&self, menus: &'a [Entry]) -> &'a [Entry] {
        menus.get(self.menu.0..self.menu.1).unwrap_or(&[])
    }
}

/// A plan found by the search, before verification.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Raw {
    count: usize,
    total: i64,
    /// (leaf, candidate index) in leaf order.
    seq: Vec<(usize, usize)>,
    branch: usize,
}

impl Raw {
    fn leaves(&self) -> u128 {
        self.seq.iter().fold(0u128, |a, (l, _)| a | 1u128.checked_shl(*l as u32).unwrap_or(0))
    }
    fn cmp_key(&self, other: &Raw) -> Ordering {
        (self.count, self.total, &self.seq).cmp(&(other.count, other.total, &other.seq))
    }
}

struct Search<'m, 'f> {
    model: &'m Model<'f>,
    need_total: i64,
    /// Per branch: where its items are in `list`, or `None` when it cannot reach the target (a
    /// knock-out, or a minimum no candidate meets).
    items: Vec<Option<(usize, usize)>>,
    /// The items of every branch, one branch after another.
    list: Vec<Item>,
    /// The items' menus, one after another.
    menus: Vec<Entry>,
    /// Leaves some feasible branch lets change.
    changeable: u128,
    /// Per branch with items: what [`Search::bound`] reads (empty when it is not asked).
    pre: Vec<Option<Pre>>,
}

/// A branch's items summarised for bounds: per item its largest and smallest step, the items
/// by largest step (largest first) and by smallest step (smallest first), and masks.
struct Pre {
    base: i64,
    max: Vec<i64>,
    min: Vec<i64>,
    by_max: Vec<usize>,
    by_min: Vec<usize>,
    forced: u128,
    all: u128,
}

impl Pre {
    fn new(items: &[Item], menus: &[Entry], base: i64) -> Pre {
        let max: Vec<i64> = items.iter().map(|it| largest(it.menu(menus))).collect();
        let min: Vec<i64> =
            items.iter().map(|it| it.menu(menus).iter().map(|m| m.0).min().unwrap_or(0)).collect();
        let mut by_max: Vec<usize> = (0..items.len()).collect();
        by_max.sort_by(|a, b| max[*b].cmp(&max[*a]));
        let mut by_min: Vec<usize> = (0..items.len()).collect();
        by_min.sort_by_key(|i| min[*i]);
        let forced = items.iter().filter(|it| it.forced).fold(0u128, |a, it| a | bit(it.leaf));
        let all = items.iter().fold(0u128, |a, it| a | bit(it.leaf));
        Pre { base, max, min, by_max, by_min, forced, all }
    }

    /// A lower bound on the (count, total) of every plan of the branch under constraints: the
    /// fewest changes (the largest steps first), and a total at least the band's threshold and
    /// the base plus the smallest step of each forced item and the `k` smallest optional steps.
    fn bound(&self, items: &[Item], need: i64, inm: u128, outm: u128) -> Option<(usize, i64)> {
        if outm & self.forced != 0 || inm & !self.all != 0 {
            return None;
        }
        let forced = self.forced | inm;
        let (mut count, mut reach, mut low) = (0usize, 0i64, 0i64);
        for (i, it) in items.iter().enumerate() {
            if forced & bit(it.leaf) != 0 {
                count += 1;
                reach += self.max[i];
                low += self.min[i];
            }
        }
        let free = |i: &&usize| items.get(**i).is_some_and(|it| (forced | outm) & bit(it.leaf) == 0);
        let gap = need - self.base;
        let mut k = 0;
        let mut optional = self.by_max.iter().filter(free);
        while reach < gap {
            reach += self.max[*optional.next()?];
            k += 1;
        }
        low += self.by_min.iter().filter(free).take(k).map(|i| self.min[*i]).sum::<i64>();
        Some((count + k, (self.base + low).max(need)))
    }
}

fn bit(leaf: usize) -> u128 {
    1u128.checked_shl(leaf as u32).unwrap_or(0)
}

/// The sum over the members a leaf needs for class `target` (the largest minimum of every class up
/// to it that applies on the date), and the class that first needs it.
fn needs(form: &Form, on: Option<Date>, target: u8, n: i64) -> Vec<(i64, u8)> {
    let mut need = vec![(0i64, 0u8); form.leaf_count()];
    for m in &form.minimums {
        if m.stars <= target && m.applies_on(on) {
            let sum = m.at_least.hundredths() * n;
            if let Some(slot) = need.get_mut(m.leaf)
                && sum > slot.0
            {
                *slot = (sum, m.stars);
            }
        }
    }
    need
}

/// The lowest total (sum over the members) in a band of class `target` or above.
fn need_total(form: &Form, target: u8, n: i64) -> Option<i64> {
    form.decision.bands.iter().filter(|b| b.stars >= target).map(|b| b.from.hundredths() * n).min()
}

impl<'m, 'f> Search<'m, 'f> {
    /// The search for `target`; `bounds`: whether [`Search::bound`] will be asked (for
    /// alternatives), which needs each branch summarised.
    fn new(model: &'m Model<'f>, target: u8, bounds: bool) -> Option<Search<'m, 'f>> {
        let need_total = need_total(model.form, target, model.n)?;
        let need = needs(model.form, model.on, target, model.n);
        let mut changeable = 0u128;
        let branches = model.branches.len();
        let mut list = Vec::with_capacity(model.leaves.len() * branches);
        let mut menus = Vec::with_capacity(model.leaves.len() * 4 * branches);
        let items: Vec<Option<(usize, usize)>> = model
            .branches
            .iter()
            .map(|b| {
                let (first, first_entry) = (list.len(), menus.len());
                // Without alternatives, a branch whose forced changes can close the points gap
                // has its best plan among them alone (it changes no other criterion): the other
                // criteria are looked at only when they cannot.
                let mut feasible = branch_items(model, b, &need, !bounds, &mut list, &mut menus);
                if feasible && !bounds {
                    let reach: i64 = list[first..].iter().map(|it| largest(it.menu(&menus))).sum();
                    if reach < need_total - b.eval.total {
                        list.truncate(first);
                        menus.truncate(first_entry);
                        feasible = branch_items(model, b, &need, false, &mut list, &mut menus);
                    }
                }
                if !feasible {
                    list.truncate(first);
                    menus.truncate(first_entry);
                    return None;
                }
                changeable |= list[first..].iter().fold(0u128, |a, it| a | bit(it.leaf));
                Some((first, list.len()))
            })
            .collect();
        let pre = match bounds {
            true => items
                .iter()
                .zip(&model.branches)
                .map(|(span, b)| span.map(|span| Pre::new(&list[span.0..span.1], &menus, b.eval.total)))
                .collect(),
            false => Vec::new(),
        };
        Some(Search { model, need_total, items, list, menus, changeable, pre })
    }

    /// The items of a branch (see `items`).
    fn items_of(&self, span: (usize, usize)) -> &[Item] {
        self.list.get(span.0..span.1).unwrap_or(&[])
    }

    /// The best plan whose changed criteria include `inm` and exclude `outm`.
    fn solve(&self, inm: u128, outm: u128) -> Option<Raw> {
        let mut best: Option<Raw> = None;
        for (b, span) in self.items.iter().enumerate() {
            let Some(span) = span else { continue };
            let items = (self.items_of(*span), &self.menus[..]);
            let base = self.model.branches[b].eval.total;
            let bound = best.as_ref().map_or(usize::MAX, |r| r.count);
            if let Some(mut r) = solve_branch(items, base, self.need_total, inm, outm, bound) {
                r.branch = b;
                if best.as_ref().is_none_or(|x| r.cmp_key(x) == Ordering::Less) {
                    best = Some(r);
                }
            }
        }
        best
    }

    /// A lower bound on the best plan whose changed criteria include `inm` and exclude `outm`
    /// (no dynamic programme), or `None` when there is no such plan.
    fn bound(&self, inm: u128, outm: u128) -> Option<(usize, i64)> {
        let mut best: Option<(usize, i64)> = None;
        for (span, pre) in self.items.iter().zip(&self.pre) {
            let (Some(span), Some(pre)) = (span, pre) else { continue };
            if let Some(lb) = pre.bound(self.items_of(*span), self.need_total, inm, outm)
                && best.is_none_or(|x| lb < x)
            {
                best = Some(lb);
            }
        }
        best
    }

    /// The best plan and up to `alternatives` more, each with a different set of changed
    /// criteria, by Lawler's partition of the plan space.
    fn ranked(&self, alternatives: usize) -> Vec<Raw> {
        let Some(first) = self.solve(0, 0) else { return Vec::new() };
        let mut results = vec![first.clone()];
        struct Node {
            inm: u128,
            outm: u128,
            lb: (usize, i64),
            plan: Option<Raw>,
        }
        let mut queue: Vec<Node> = Vec::new();
        let leaves = self.model.form.leaf_count();
        let children = |inm: u128, outm: u128, plan: &Raw, queue: &mut Vec<Node>| {
            let s = plan.leaves();
            let all = if leaves >= 128 { u128::MAX } else { (1u128 << leaves) - 1 };
            let free = all & !(inm | outm);
            let (mut fin, mut fout) = (inm, outm);
            // A child's best plan ranks no better than the parent's, nor than its own bound;
            // a child with no plan at all is dropped here.
            let push = |inm: u128, outm: u128, queue: &mut Vec<Node>| {
                if let Some(lb) = self.bound(inm, outm) {
                    queue.push(Node { inm, outm, lb: lb.max((plan.count, plan.total)), plan: None });
                }
            };
            for leaf in 0..leaves {
                if free & s & bit(leaf) != 0 {
                    push(fin, fout | bit(leaf), queue);
                    fin |= bit(leaf);
                }
            }
            for leaf in 0..leaves {
                if free & !s & bit(leaf) != 0 {
                    if self.changeable & bit(leaf) != 0 {
                        push(fin | bit(leaf), fout, queue);
                    }
                    fout |= bit(leaf);
                }
            }
        };
        if alternatives > 0 {
            children(0, 0, &first, &mut queue);
        }
        while results.len() <= alternatives && !queue.is_empty() {
            // The node with the smallest key; an unsolved node's bound sorts before a solved plan
            // with the same count and total.
            let mut at = 0;
            for (i, node) in queue.iter().enumerate() {
                let better = match (&node.plan, &queue[at].plan) {
                    (Some(a), Some(b)) => a.cmp_key(b) == Ordering::Less,
                    (None, Some(b)) => node.lb <= (b.count, b.total),
                    (Some(a), None) => (a.count, a.total) < queue[at].lb,
                    (None, None) => node.lb < queue[at].lb,
                };
                if better {
                    at = i;
                }
            }
            let mut node = queue.swap_remove(at);
            match node.plan.take() {
                None => {
                    if let Some(plan) = self.solve(node.inm, node.outm) {
                        node.lb = (plan.count, plan.total);
                        node.plan = Some(plan);
                        queue.push(node);
                    }
                }
                Some(plan) => {
                    children(node.inm, node.outm, &plan, &mut queue);
                    results.push(plan);
                }
            }
        }
        results
    }
}

/// Adds the items of a branch for a target to `items` (their menus to `menus`), or only the
/// forced ones; false when the branch cannot reach the target.
fn branch_items(
    model: &Model<'_>,
    b: &Branch,
    need: &[(i64, u8)],
    forced_only: bool,
    items: &mut Vec<Item>,
    menus: &mut Vec<Entry>,
) -> bool {
    if b.eval.knocked {
        return false;
    }
    for (leaf, lm) in model.leaves.iter().enumerate() {
        let live = b.eval.live(leaf);
        let sum = b.eval.sums[leaf];
        let need = need.get(leaf).map_or(0, |n| n.0);
        let start = menus.len();
        let mut push = |value: i64, ci: usize| {
            if !menus[start..].iter().any(|(v, _)| *v == value) {
                menus.push((value, ci));
            }
        };
        if let Some(&(_, rep, sig)) = b.changes.iter().find(|c| c.0 == leaf) {
            let cands = model.cands(leaf);
            let rep_points = cands[rep].points;
            for (ci, c) in cands.iter().enumerate() {
                if c.sig == sig && live * c.points >= need {
                    push(live * (c.points - rep_points), ci);
                }
            }
            if menus.len() == start {
                return false;
            }
            items.push(Item { leaf, forced: true, menu: (start, menus.len()) });
            continue;
        }
        if forced_only && sum >= need {
            continue;
        }
        let cands = model.cands(leaf);
        if lm.controller() {
            for (ci, c) in cands.iter().enumerate() {
                let value = live * c.points - sum;
                if lm.uniform == Some(c.sig) && value > 0 && live * c.points >= need {
                    push(value, ci);
                }
            }
        } else {
            // A criterion no condition reads has candidates of distinct points, so distinct
            // values: no duplicate to skip. Without branches: which steps count is data.
            menus.reserve(cands.len());
            for (ci, c) in cands.iter().enumerate() {
                let value = live * c.points - sum;
                let counts = (value > 0) & (live * c.points >= need);
                menus.push((value, ci));
                menus.truncate(menus.len() - usize::from(!counts));
            }
        }
        let menu = (start, menus.len());
        if sum < need {
            if menu.0 == menu.1 {
                return false;
            }
            items.push(Item { leaf, forced: true, menu });
        } else if menu.0 < menu.1 {
            items.push(Item { leaf, forced: false, menu });
        }
    }
    true
}

fn gcd(a: i64, b: i64) -> i64 {
    if b == 0 { a.abs() } else { gcd(b, a % b) }
}

fn test_bit(row: &[u64], s: usize) -> bool {
    row.get(s / 64).is_some_and(|w| w >> (s % 64) & 1 == 1)
}

/// `dst |= src << shift`, over bit sets of the same length.
fn or_shifted(dst: &mut [u64], src: &[u64], shift: usize) {
    let (words, bits) = (shift / 64, shift % 64);
    for i in (words..dst.len()).rev() {
        let j = i - words;
        let mut v = src.get(j).copied().unwrap_or(0) << bits;
        if bits > 0 && j > 0 {
            v |= src.get(j - 1).copied().unwrap_or(0) >> (64 - bits);
        }
        dst[i] |= v;
    }
}

/// The items of a branch a plan may change under constraints (forced or not), and the fewest
/// optional changes that can close the points gap.
struct Selection<'i> {
    /// (leaf, menu, whether the plan must change it).
    sel: Vec<(usize, &'i [Entry], bool)>,
    /// The fewest optional changes: the largest gains first.
    k: usize,
    forced_count: usize,
    forced_max: i64,
    /// The optional items' largest gains, largest first.
    optional_max: Vec<i64>,
}

/// The selection of a branch with the changed criteria including `inm` and excluding `outm`,
/// or `None` when no plan of the branch meets the constraints.
fn select<'i>(items: (&[Item], &'i [Entry]), gap: i64, inm: u128, outm: u128) -> Option<Selection<'i>> {
    let (items, menus) = items;
    let mut sel: Vec<(usize, &[Entry], bool)> = Vec::with_capacity(items.len());
    let mut covered = 0u128;
    for it in items {
        let b = bit(it.leaf);
        if outm & b != 0 {
            if it.forced {
                return None;
            }
            continue;
        }
        covered |= b;
        sel.push((it.leaf, it.menu(menus), it.forced || inm & b != 0));
    }
    if inm & !covered != 0 {
        return None;
    }
    let forced_count = sel.iter().filter(|s| s.2).count();
    let forced_max: i64 = sel.iter().filter(|s| s.2).map(|s| largest(s.1)).sum();
    // Optional changes are needed only when the forced ones cannot close the gap.
    let mut optional_max: Vec<i64> = match forced_max < gap {
        true => sel.iter().filter(|s| !s.2).map(|s| largest(s.1)).collect(),
        false => Vec::new(),
    };
    optional_max.sort_unstable_by(|a, b| b.cmp(a));
    let mut reach = forced_max;
    let mut k = 0usize;
    while reach < gap {
        let &next = optional_max.get(k)?;
        reach += next;
        k += 1;
    }
    Some(Selection { sel, k, forced_count, forced_max, optional_max })
}

/// [`solve_branch`] when the plan is one optional change: the smallest step that closes the gap,
/// on the first criterion in form order that has it (each menu has distinct values).
fn one_change(sel: &[(usize, &[Entry], bool)], base: i64, gap: i64) -> Option<Raw> {
    let mut best: Option<(i64, usize, usize)> = None;
    for &(leaf, menu, _) in sel {
        for &(v, ci) in menu {
            if v >= gap && best.is_none_or(|b| v < b.0) {
                best = Some((v, leaf, ci));
            }
        }
    }
    let (v, leaf, ci) = best?;
    Some(Raw { count: 1, total: base + v, seq: vec![(leaf, ci)], branch: 0 })
}

/// [`solve_branch`] when the plan changes only the forced criteria and their smallest steps
/// close the gap: each at its smallest step (each menu has distinct values, so the plan is the
/// only one with that total). `None` when the smallest steps fall short.
fn forced_only(sel: &[(usize, &[Entry], bool)], base: i64, gap: i64) -> Option<Raw> {
    let mut seq = Vec::new();
    let mut total = 0;
    for &(leaf, menu, forced) in sel {
        if forced {
            let &(v, ci) = menu.iter().min_by_key(|e| e.0)?;
            total += v;
            seq.push((leaf, ci));
        }
    }
    (total >= gap).then(|| Raw { count: seq.len(), total: base + total, seq, branch: 0 })
}

/// The best plan of one branch with the changed criteria including `inm` and excluding `outm`,
/// when it changes at most `bound` criteria.
fn solve_branch(
    items: (&[Item], &[Entry]),
    base: i64,
    need: i64,
    inm: u128,
    outm: u128,
    bound: usize,
) -> Option<Raw> {
    let gap = need - base;
    let Selection { sel, k, forced_count, forced_max, optional_max } = select(items, gap, inm, outm)?;
    if forced_count + k > bound {
        return None;
    }
    if forced_count == 0 && k == 1 {
        return one_change(&sel, base, gap);
    }
    if k == 0
        && let Some(raw) = forced_only(&sel, base, gap)
    {
        return Some(raw);
    }
    // Exact sums in units of the greatest common divisor of the values.
    let g = sel.iter().flat_map(|s| s.1.iter().map(|m| m.0)).fold(0, gcd).max(1);
    let gap_units = if gap <= 0 { 0 } else { ((gap + g - 1) / g) as usize };
    let width = ((forced_max + optional_max.iter().take(k).sum::<i64>()) / g) as usize + 1;
    let words = width.div_ceil(64);
    let n = sel.len();
    let row = |i: usize, kk: usize| (i * (k + 1) + kk) * words;
    // reach[i][kk]: the sums the items i.. can add with exactly kk optional changes.
    let mut dp = vec![0u64; (n + 1) * (k + 1) * words];
    dp[row(n, 0)] = 1;
    for i in (0..n).rev() {
        let (head, tail) = dp.split_at_mut(row(i + 1, 0));
        let (_, menu, forced) = sel[i];
        for kk in 0..=k {
            let dst = &mut head[row(i, kk)..row(i, kk) + words];
            if forced {
                let src = &tail[kk * words..(kk + 1) * words];
                for (v, _) in menu {
                    or_shifted(dst, src, (*v / g) as usize);
                }
            } else {
                let src = &tail[kk * words..(kk + 1) * words];
                for (d, s) in dst.iter_mut().zip(src) {
                    *d |= *s;
                }
                if kk > 0 {
                    let src = &tail[(kk - 1) * words..kk * words];
                    for (v, _) in menu {
                        or_shifted(dst, src, (*v / g) as usize);
                    }
                }
            }
        }
    }
    let first = &dp[row(0, k)..row(0, k) + words];
    let target = (gap_units..width).find(|&s| test_bit(first, s))?;
    // The first plan in form order with that sum.
    let mut seq = Vec::with_capacity(forced_count + k);
    let (mut t, mut kk, mut total) = (target, k, base);
    for (i, &(leaf, menu, forced)) in sel.iter().enumerate() {
        let next = |kk: usize| &dp[row(i + 1, kk)..row(i + 1, kk) + words];
        let take = |kk: usize| {
            menu.iter().find(|(v, _)| {
                let u = (*v / g) as usize;
                t >= u && test_bit(next(kk), t - u)
            })
        };
        if forced {
            let &(v, ci) = take(kk)?;
            t -= (v / g) as usize;
            total += v;
            seq.push((leaf, ci));
        } else if let Some(&(v, ci)) = if kk > 0 { take(kk - 1) } else { None } {
            t -= (v / g) as usize;
            kk -= 1;
            total += v;
            seq.push((leaf, ci));
        }
    }
    Some(Raw { count: seq.len(), total, seq, branch: 0 })
}

// ---------------------------------------------------------------------------------------------
// Putting it together.

fn standing(o: &Outcome<'_>) -> Standing {
    Standing {
        total: o.total(),
        total_sum: o.total_sum(),
        band_stars: o.band_stars(),
        class_after_minimums: o.class_after_minimums(),
        stars: o.stars(),
        disqualified: o.disqualified().map(|k| k.id().to_string()),
        stopped_at: o.stopped().map(|s| s.criterion.id().to_string()),
        held_by: o
            .limited_by()
            .map(|l| Held {
                criterion: l.criterion.id().to_string(),
                stars: l.stars,
                needed: l.needed,
                option: l.option_key.to_string(),
                got: l.got.to_decimal().normalize(),
            })
            .collect(),
    }
}

fn mean(sum: i64, n: i64) -> Decimal {
    Mean::new(Points::from_hundredths(sum), n as u32).to_decimal().normalize()
}

fn fact_notes(form: &Form, facts: u64, cleared: u64) -> Vec<FactNote> {
    let u = form.advisor().uses;
    let mut out = Vec::new();
    for (i, fact) in form.facts.iter().enumerate() {
        let b = 1u64.checked_shl(i as u32).unwrap_or(0);
        if facts & b == 0 || (u.knockout | u.stop | u.requirement | u.gate) & b == 0 {
            continue;
        }
        let reads = |c: &Cond| {
            let mut f = 0u64;
            let mut atoms = vec![Vec::new(); form.leaf_count()];
            collect_atoms(c, &mut atoms, &mut f);
            f & b != 0
        };
        let mut effects = Vec::new();
        for k in form.knockouts.iter().filter(|k| reads(&k.when)) {
            effects.push(format!("knock-out `{}`: {} [{}]", k.id(), k.text_vi(), k.source()));
        }
        let leaves: Vec<&crate::form::Criterion> = form.leaves().collect();
        let lv = &form.leaves;
        for (leaf, c) in leaves.iter().enumerate() {
            if lv.stops.get(leaf).and_then(Option::as_ref).is_some_and(reads) {
                let note = c.stop().map_or("", |s| s.note_vi());
                effects.push(format!("stops the evaluation at {}: {note}", c.id()));
            }
            if lv.requirement.get(leaf).and_then(Option::as_ref).is_some_and(reads) {
                let text = c.requirement().map_or("", |r| r.text_vi());
                effects.push(format!("{} scores 0: requirement not met: {text}", c.id()));
            }
            if lv.applies_if.get(leaf).and_then(Option::as_ref).is_some_and(reads) {
                effects.push(format!("{} not applicable: {}", c.id(), c.applies_if_note().unwrap_or("")));
            }
        }
        let kind = if u.knockout & b != 0 {
            "knockout"
        } else if u.stop & b != 0 {
            "stop"
        } else if u.requirement & b != 0 {
            "requirement"
        } else {
            "condition"
        };
        out.push(FactNote {
            id: fact.id.clone(),
            text_vi: fact.text_vi.clone(),
            name_en: fact.name_en.clone(),
            kind: kind.to_string(),
            effects,
            cleared: cleared & b != 0,
        });
    }
    out
}

fn clear_facts<'f>(sheets: &[Sheet<'f>], mask: u64) -> Vec<Sheet<'f>> {
    sheets
        .iter()
        .map(|s| {
            let mut s = s.clone();
            s.facts &= !mask;
            s
        })
        .collect()
}

fn max_stars(form: &Form) -> u8 {
    form.decision.bands.iter().map(|b| b.stars).max().unwrap_or(0)
}

/// How much of a plan to build: everything, or only what [`summary`] prints (the criteria and the
/// answers' keys, the class and the total), for a bulk row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Detail {
    Full,
    Summary,
}

/// The advice in one line ([`summary`]), built without the texts the line does not print.
pub(crate) fn summary_of<'f>(
    form: &'f Form,
    sheets: &[Sheet<'f>],
    options: &AdviseOptions,
) -> Result<String, AssessmentError> {
    form.check_sheets(sheets)?;
    if let Some(line) = plain_summary(form, sheets, options) {
        return Ok(line);
    }
    Ok(summary(&advise_checked(form, sheets, options, Detail::Summary)))
}

/// The class to advise for: the one asked, else the next class above `first`; for a product
/// knocked out by an answer, the class it has once the knock-out is lifted.
fn target_class(form: &Form, first: &Outcome<'_>, asked: Option<u8>) -> u8 {
    let top = max_stars(form).max(1);
    asked.unwrap_or_else(|| match first.disqualified() {
        Some(_) => first.class_after_minimums().max(1),
        None => first.class_after_minimums().saturating_add(1).min(top),
    })
}

/// [`summary`] of the advice in its most common case, written straight from the search: no fact
/// set, the target not reached, and a plan to it. `None` in every other case, which the full
/// advice handles; a unit test checks both give the same line.
fn plain_summary<'f>(form: &'f Form, sheets: &[Sheet<'f>], options: &AdviseOptions) -> Option<String> {
    if sheets.iter().any(|s| s.facts != 0) {
        return None;
    }
    let model = Model::new(form, sheets.to_vec(), options.lodged_on);
    let target = target_class(form, &model.outcome, options.target);
    if model.outcome.stars().is_some_and(|s| s >= target) || model.too_large.is_some() {
        return None;
    }
    let raw = Search::new(&model, target, false)?.solve(0, 0)?;
    let (_, outcome) = model.check(&raw, target)?;
    let mut out = String::new();
    push_head(&mut out, &AdviceStatus::Plan, target, outcome.stars()?);
    for (i, &(leaf, ci)) in raw.seq.iter().enumerate() {
        let c = leaf_criterion(form, leaf)?;
        out.push_str(if i == 0 { "" } else { ", " });
        out.push_str(&escape(c.id()));
        out.push(' ');
        // The members' answers, each once, in member order.
        for (m, s) in model.sheets.iter().enumerate() {
            let bits = s.answers.get(leaf).copied().unwrap_or(0);
            let earlier = model.sheets.get(..m).unwrap_or(&[]);
            if !earlier.iter().any(|e| e.answers.get(leaf).copied().unwrap_or(0) == bits) {
                out.push_str(if m == 0 { "" } else { "/" });
                push_keys(&mut out, option_keys(form, leaf, bits));
            }
        }
        out.push('→');
        push_keys(&mut out, option_keys(form, leaf, model.cands(leaf).get(ci)?.bits));
    }
    // One sheet's total is exact in hundredths: its shortest form is what `shown` gives.
    let _ = match model.sheets.len() {
        1 => write!(out, " → {}", outcome.total_sum()),
        _ => write!(out, " → {}", shown(outcome.total())),
    };
    Some(out)
}

fn advise_checked<'f>(
    form: &'f Form,
    sheets: &[Sheet<'f>],
    options: &AdviseOptions,
    detail: Detail,
) -> Advice {
    let on = options.lodged_on;
    let run = |s: &[Sheet<'f>]| form.run(s, &mut crate::score::NoTrace, on);
    let current = run(sheets);
    let facts = sheets.iter().fold(0u64, |a, s| a | s.facts);
    let u = form.advisor().uses;
    // Facts that knock out or stop are always cleared; those of requirements and conditions only
    // when the target cannot be reached with them.
    let must = facts & (u.knockout | u.stop);
    let may = facts & (u.requirement | u.gate) & !must;
    let both = [must, must | may];
    let levels = if may != 0 { &both[..] } else { &both[..1] };
    let first = if must == 0 { current } else { run(&clear_facts(sheets, must)) };
    // A summary reads no standing.
    let full = detail == Detail::Full;
    let standing = |o: &Outcome<'_>| if full { standing(o) } else { Standing::default() };
    let target = target_class(form, &first, options.target);
    let members = sheets.len().max(1) as u32;
    let mut advice = unreachable_advice(form, options, detail, (members, &current, &first), target);
    let mut chosen = must;
    let mut models: Vec<Model<'f>> = Vec::new();
    let mut done = false;
    for &clear in levels {
        let start_sheets = clear_facts(sheets, clear);
        let start = run(&start_sheets);
        if start.stars().is_some_and(|s| s >= target) {
            advice.start = standing(&start);
            advice.status = AdviceStatus::Reached;
            advice.reachable = start.stars();
            advice.recognition = recognition(&start, options);
            chosen = clear;
            done = true;
            break;
        }
        let model = Model::new(form, start_sheets, on);
        let mut plans = plans_for(&model, target, options, detail, &mut advice.notes).into_iter();
        advice.notes.extend(model.notes.iter().cloned());
        if let Some((plan, recognised)) = plans.next() {
            advice.start = standing(&start);
            advice.status = AdviceStatus::Plan;
            advice.reachable = Some(target.max(plan.stars));
            advice.plan = Some(plan);
            advice.recognition = recognised;
            advice.alternatives = plans.map(|p| p.0).collect();
            chosen = clear;
            done = true;
            break;
        }
        models.push(model);
    }
    if !done {
        if let Some(model) = models.last().filter(|_| full) {
            advice.unreachable = explain(model, target);
        }
        advice.reachable = first.stars();
        if let Some(clear) = best_below_target(&mut advice, &models, levels, first.stars(), options, detail) {
            chosen = clear;
        }
    }
    advice.facts = fact_notes(form, facts, chosen);
    advice.notes.dedup();
    advice
}

/// The advice before any search: the product as it is (`current`) and once the facts that
/// must be cleared are (`first`), and the target not yet reached.
fn unreachable_advice(
    form: &Form,
    options: &AdviseOptions,
    detail: Detail,
    (members, current, first): (u32, &Outcome<'_>, &Outcome<'_>),
    target: u8,
) -> Advice {
    // A summary reads neither the standings nor the names.
    let full = detail == Detail::Full;
    let standing = |o: &Outcome<'_>| if full { standing(o) } else { Standing::default() };
    let text = |t: &String| if full { t.clone() } else { String::new() };
    Advice {
        decision: text(&form.decision.key),
        set: text(&form.set),
        set_name_vi: text(&form.name_vi),
        set_name_en: text(&form.name_en),
        product: options.product.clone(),
        members,
        lodged_on: options.lodged_on,
        current: standing(current),
        facts: Vec::new(),
        start: standing(first),
        target,
        status: AdviceStatus::Unreachable,
        plan: None,
        alternatives: Vec::new(),
        reachable: None,
        unreachable: Vec::new(),
        recognition: None,
        notes: Vec::new(),
    }
}

/// When the target cannot be reached: the highest class below it that a plan reaches, with the
/// fewest facts cleared, set on `advice`; returns the facts cleared for it.
fn best_below_target(
    advice: &mut Advice,
    models: &[Model<'_>],
    levels: &[u64],
    stars: Option<u8>,
    options: &AdviseOptions,
    detail: Detail,
) -> Option<u64> {
    let floor = stars.unwrap_or(0);
    for k in (floor.saturating_add(1).max(1)..advice.target).rev() {
        for (model, &clear) in models.iter().zip(levels) {
            let mut plans = plans_for(model, k, options, detail, &mut advice.notes).into_iter();
            if let Some((plan, recognised)) = plans.next() {
                let start = model.form.run(&model.sheets, &mut crate::score::NoTrace, options.lodged_on);
                advice.start = standing(&start);
                advice.reachable = Some(k);
                advice.plan = Some(plan);
                advice.recognition = recognised;
                advice.alternatives = plans.map(|p| p.0).collect();
                return Some(clear);
            }
        }
    }
    None
}

/// The verified plans to `target` on the model's sheets: the best first.
fn plans_for(
    model: &Model<'_>,
    target: u8,
    options: &AdviseOptions,
    detail: Detail,
    notes: &mut Vec<String>,
) -> Vec<(Plan, Option<Reason>)> {
    if let Some(count) = model.too_large {
        notes.push(format!(
            "the conditions of this form combine into {count} cases, more than the {MAX_BRANCHES} searched: no exact advice"
        ));
        return Vec::new();
    }
    let alternatives = options.alternatives;
    let plans =
        Search::new(model, target, alternatives > 0).map(|s| s.ranked(alternatives)).unwrap_or_default();
    verify_all(model, plans, target, options, detail, notes)
}

fn level_vi(level: &str) -> &str {
    match level {
        "district" => "cấp huyện",
        "province" => "cấp tỉnh",
        "central" => "cấp trung ương",
        other => other,
    }
}

fn recognition(outcome: &Outcome<'_>, options: &AdviseOptions) -> Option<Reason> {
    let stars = outcome.stars()?;
    if stars < 3 {
        return None;
    }
    let award =
        crate::award::award(outcome, options.award_date, options.evaluating_level.as_deref(), None, None);
    match (&award.level, award.potential) {
        (Some(level), Some(_)) => Some(Reason {
            vi: format!(
                "{stars} sao chỉ do {} công nhận: hội đồng đánh giá đề xuất lên {}",
                level_vi(level),
                level_vi(level)
            ),
            en: format!("{stars}★ is recognised only by the {level} council: {}", award.note),
        }),
        (None, _) => Some(Reason {
            vi: format!("không cấp nào công nhận {stars} sao vào ngày này"),
            en: award.note.clone(),
        }),
        _ => None,
    }
}

/// Scores each plan with the ordinary scorer and keeps those that reach the target with the
/// predicted total.
fn verify_all(
    model: &Model<'_>,
    plans: Vec<Raw>,
    target: u8,
    options: &AdviseOptions,
    detail: Detail,
    notes: &mut Vec<String>,
) -> Vec<(Plan, Option<Reason>)> {
    let mut out = Vec::new();
    for raw in plans {
        let Some((sheets, outcome)) = model.check(&raw, target) else {
            notes.push(format!(
                "a plan to {target}★ failed its check by the scorer and was dropped (please report: the search and the scorer disagree)"
            ));
            continue;
        };
        let leaves: Vec<usize> = raw.seq.iter().map(|s| s.0).collect();
        out.push(match detail {
            Detail::Full => (
                describe(model.form, &model.sheets, &sheets, &leaves, model.on, target),
                recognition(&outcome, options),
            ),
            Detail::Summary => (brief(model.form, &model.sheets, &sheets, &leaves, &outcome), None),
        });
    }
    out
}

/// The plan or what-if from `before` to `after`, which differ in the answers of `changed`.
fn describe<'f>(
    form: &'f Form,
    before: &[Sheet<'f>],
    after: &[Sheet<'f>],
    changed: &[usize],
    on: Option<Date>,
    target: u8,
) -> Plan {
    let n = before.len().max(1) as i64;
    let (e0, _) = evaluate(form, before, on);
    let (e1, o1) = evaluate(form, after, on);
    let leaves: Vec<&crate::form::Criterion> = form.leaves().collect();
    let affected = affected_by(form, &leaves, (&e0, &e1), before.len(), changed);
    let mut changes = Vec::new();
    for (slot, &leaf) in changed.iter().enumerate() {
        let Some(c) = leaves.get(leaf) else { continue };
        let mut from: Vec<AnswerText> = Vec::new();
        for s in before {
            let bits = s.answers.get(leaf).copied().unwrap_or(0);
            let keys = keys_of(form, leaf, bits);
            match from.iter_mut().find(|a| a.keys == keys) {
                Some(a) => a.members += 1,
                None => from.push(answer_text(form, leaf, bits)),
            }
        }
        let to_bits = after.first().and_then(|s| s.answers.get(leaf)).copied().unwrap_or(0);
        let mut to = answer_text(form, leaf, to_bits);
        to.members = after.len() as u32;
        let gained_sum = e1.sums[leaf] - e0.sums[leaf];
        changes.push(Change {
            criterion: c.id().to_string(),
            title_vi: c.title_vi().to_string(),
            name_en: c.name_en().to_string(),
            from,
            to,
            gained: mean(gained_sum, n),
            gained_sum: Points::from_hundredths(gained_sum),
            meets: minimums_met(form, leaf, (&e0, &e1), n, on, target),
            affects: affected.get(slot).cloned().unwrap_or_default(),
        });
    }
    let added = e1.total - e0.total;
    Plan {
        stars: o1.stars().unwrap_or(0),
        band_stars: o1.band_stars(),
        changes,
        points_added: mean(added, n),
        points_added_sum: Points::from_hundredths(added),
        total: o1.total(),
        total_sum: o1.total_sum(),
    }
}

/// The plan from `before` to `after` (scored: `outcome`) as far as [`summary`] reads it: the
/// criteria with the answers' keys, the class and the total. The texts, points gained and
/// markers met are left empty; such a plan never leaves this module.
fn brief<'f>(
    form: &'f Form,
    before: &[Sheet<'f>],
    after: &[Sheet<'f>],
    changed: &[usize],
    outcome: &Outcome<'f>,
) -> Plan {
    let bare = |keys: Vec<String>, members: u32| AnswerText {
        keys,
        texts: Vec::new(),
        points: Points::ZERO,
        case: None,
        members,
    };
    let changes = changed
        .iter()
        .filter_map(|&leaf| {
            let c = leaf_criterion(form, leaf)?;
            let mut from: Vec<AnswerText> = Vec::new();
            for s in before {
                let keys = keys_of(form, leaf, s.answers.get(leaf).copied().unwrap_or(0));
                match from.iter_mut().find(|a| a.keys == keys) {
                    Some(a) => a.members += 1,
                    None => from.push(bare(keys, 1)),
                }
            }
            let to_bits = after.first().and_then(|s| s.answers.get(leaf)).copied().unwrap_or(0);
            Some(Change {
                criterion: c.id().to_string(),
                title_vi: String::new(),
                name_en: String::new(),
                from,
                to: bare(keys_of(form, leaf, to_bits), after.len() as u32),
                gained: Decimal::ZERO,
                gained_sum: Points::ZERO,
                meets: Vec::new(),
                affects: Vec::new(),
            })
        })
        .collect();
    Plan {
        stars: outcome.stars().unwrap_or(0),
        band_stars: outcome.band_stars(),
        changes,
        points_added: Decimal::ZERO,
        points_added_sum: Points::ZERO,
        total: outcome.total(),
        total_sum: outcome.total_sum(),
    }
}

/// Leaf `leaf` of the form (in printed order).
fn leaf_criterion(form: &Form, leaf: usize) -> Option<&crate::form::Criterion> {
    form.nodes.get(*form.leaves.node.get(leaf)?)
}

/// The minimums (up to class `target`, applying `on`) that `leaf` meets after the change
/// (`e.1`) and not before (`e.0`), judged on the sum over `n` sheets.
fn minimums_met(
    form: &Form,
    leaf: usize,
    e: (&Eval, &Eval),
    n: i64,
    on: Option<Date>,
    target: u8,
) -> Vec<Met> {
    let (e0, e1) = e;
    form.minimums
        .iter()
        .filter(|m| m.leaf == leaf && m.stars <= target && m.applies_on(on))
        .filter(|m| {
            let need = m.at_least.hundredths() * n;
            e0.sums[leaf] < need && e1.sums[leaf] >= need
        })
        .map(|m| Met {
            stars: m.stars,
            kind: match m.origin {
                MinimumOrigin::Marker => "marker".to_string(),
                MinimumOrigin::Table { .. } => "minimum".to_string(),
            },
            needed: m.at_least,
            option: form.minimum_option(m).key.clone(),
        })
        .collect()
}

/// Criteria whose treatment changed without a change of answer (before `e.0`, after `e.1`),
/// attributed to the change whose criterion their condition (or the stop that reached them)
/// reads: one list per changed criterion.
fn affected_by(
    form: &Form,
    leaves: &[&crate::form::Criterion],
    e: (&Eval, &Eval),
    members: usize,
    changed: &[usize],
) -> Vec<Vec<Affected>> {
    let (e0, e1) = e;
    let n = members.max(1) as i64;
    let count = leaves.len();
    let status_differs = |leaf: usize| {
        (0..members).any(|m| e0.status.get(m * count + leaf) != e1.status.get(m * count + leaf))
    };
    let mut affected: Vec<Vec<Affected>> = vec![Vec::new(); changed.len()];
    for leaf in 0..count {
        if changed.contains(&leaf) || !status_differs(leaf) {
            continue;
        }
        let lv = &form.leaves;
        let mut reads = reads_of(lv.applies_if.get(leaf).and_then(Option::as_ref), count)
            | reads_of(lv.requirement.get(leaf).and_then(Option::as_ref), count);
        for m in 0..members {
            for e in [e0, e1] {
                if let Some(Status::Stopped { by }) = e.status.get(m * count + leaf) {
                    reads |= bit(*by) | reads_of(lv.stops.get(*by).and_then(Option::as_ref), count);
                }
            }
        }
        let slot = changed.iter().position(|c| reads & bit(*c) != 0).unwrap_or(0);
        let gained_sum = e1.sums[leaf] - e0.sums[leaf];
        if let Some(list) = affected.get_mut(slot) {
            list.push(Affected {
                criterion: leaves.get(leaf).map_or(String::new(), |c| c.id().to_string()),
                before: status_text(leaves, e0, leaf, members),
                after: status_text(leaves, e1, leaf, members),
                gained: mean(gained_sum, n),
                gained_sum: Points::from_hundredths(gained_sum),
            });
        }
    }
    affected
}

/// The leaves (of `count`) that a condition reads, as bits.
fn reads_of(cond: Option<&Cond>, count: usize) -> u128 {
    let mut a = vec![Vec::new(); count];
    let mut f = 0;
    if let Some(c) = cond {
        collect_atoms(c, &mut a, &mut f);
    }
    a.iter().enumerate().filter(|(_, l)| !l.is_empty()).fold(0u128, |acc, (i, _)| acc | bit(i))
}

/// How `leaf` was treated on the sheets of `e`: scored, not applicable, not evaluated or with
/// its requirement unmet, and why; when the sheets differ, each treatment with its count.
fn status_text(leaves: &[&crate::form::Criterion], e: &Eval, leaf: usize, members: usize) -> String {
    let count = leaves.len();
    let mut groups: Vec<(String, usize)> = Vec::new();
    for m in 0..members {
        let t = match e.status.get(m * count + leaf) {
            Some(Status::Scored) | None => "scored".to_string(),
            Some(Status::NotApplicable) => format!(
                "not applicable: {}",
                leaves.get(leaf).and_then(|c| c.applies_if_note()).unwrap_or("its condition does not hold")
            ),
            Some(Status::Stopped { by }) => {
                let stopper = leaves.get(*by);
                format!(
                    "not evaluated: stopped at {} — {}",
                    stopper.map_or("?", |c| c.id()),
                    stopper.and_then(|c| c.stop()).map_or("", |s| s.note_vi())
                )
            }
            Some(Status::RequirementUnmet) => format!(
                "requirement not met: {}",
                leaves.get(leaf).and_then(|c| c.requirement()).map_or("", |r| r.text_vi())
            ),
        };
        match groups.iter_mut().find(|g| g.0 == t) {
            Some(g) => g.1 += 1,
            None => groups.push((t, 1)),
        }
    }
    if groups.len() == 1 {
        groups.pop().map(|g| g.0).unwrap_or_default()
    } else {
        groups.iter().map(|(t, c)| format!("{t} ({c} of {members} sheets)")).collect::<Vec<_>>().join("; ")
    }
}

fn keys_of(form: &Form, leaf: usize, bits: u64) -> Vec<String> {
    option_keys(form, leaf, bits).map(str::to_string).collect()
}

fn answer_text(form: &Form, leaf: usize, bits: u64) -> AnswerText {
    let chosen: Vec<&crate::form::Choice> = form
        .leaves()
        .nth(leaf)
        .map(|c| {
            form.options(c).iter().enumerate().filter(|(i, _)| bits >> i & 1 == 1).map(|(_, o)| o).collect()
        })
        .unwrap_or_default();
    AnswerText {
        keys: chosen.iter().map(|o| o.key.clone()).collect(),
        texts: chosen.iter().map(|o| o.text_vi.clone()).collect(),
        points: Points::from_hundredths(points_of(form, leaf, bits)),
        case: chosen.first().and_then(|o| o.case.clone()),
        members: 1,
    }
}

/// Whether criterion `leaf` can get `sum_needed` points (over the members) in branch `b`.
fn meetable(model: &Model<'_>, b: &Branch, leaf: usize, sum_needed: i64) -> bool {
    let lm = &model.leaves[leaf];
    let live = b.eval.live(leaf);
    let sig = b.changes.iter().find(|c| c.0 == leaf).map(|c| c.2);
    if sig.is_none() && b.eval.sums[leaf] >= sum_needed {
        return true;
    }
    model.cands(leaf).iter().any(|c| {
        let allowed = match sig {
            Some(s) => c.sig == s,
            None => !lm.controller() || lm.uniform == Some(c.sig),
        };
        allowed && live * c.points >= sum_needed
    })
}

/// The best total branch `b` allows: every criterion at its best allowed answer.
fn best_total(model: &Model<'_>, b: &Branch) -> i64 {
    let mut total = b.eval.total;
    for (leaf, lm) in model.leaves.iter().enumerate() {
        let live = b.eval.live(leaf);
        let sig = b.changes.iter().find(|c| c.0 == leaf).map(|c| c.2);
        let best = model
            .cands(leaf)
            .iter()
            .filter(|c| match sig {
                Some(s) => c.sig == s,
                None => !lm.controller() || lm.uniform == Some(c.sig),
            })
            .map(|c| live * c.points - b.eval.sums[leaf])
            .max()
            .unwrap_or(0);
        total += best.max(0);
    }
    total
}

/// Why criterion `leaf` cannot meet its class-`k` minimum, from the statuses of `eval`.
fn minimum_reason(model: &Model<'_>, eval: &Eval, leaf: usize, k: u8) -> Reason {
    let form = model.form;
    let leaves: Vec<&crate::form::Criterion> = form.leaves().collect();
    let count = leaves.len();
    let Some(c) = leaves.get(leaf) else { return Reason { vi: String::new(), en: String::new() } };
    let m = form
        .minimums
        .iter()
        .filter(|m| m.leaf == leaf && m.stars == k && m.applies_on(model.on))
        .max_by_key(|m| m.at_least);
    let (what_vi, what_en) = match m.map(|m| &m.origin) {
        Some(MinimumOrigin::Table { .. }) => ("yêu cầu tối thiểu", "minimum"),
        _ => ("dấu sao", "marker"),
    };
    let option = m.map_or(String::new(), |m| form.minimum_option(m).key.clone());
    let needed = m.map_or(Points::ZERO, |m| m.at_least);
    let status = (0..model.sheets.len())
        .filter_map(|mi| eval.status.get(mi * count + leaf))
        .find(|s| **s != Status::Scored);
    let (why_vi, why_en) = match status {
        Some(Status::Stopped { by }) => {
            let stopper = leaves.get(*by);
            let id = stopper.map_or("?", |c| c.id());
            let note = stopper.and_then(|c| c.stop()).map_or("", |s| s.note_vi());
            (
                format!("{} không được đánh giá: dừng tại {id} — {note}", c.id()),
                format!("{} is not evaluated: stopped at {id} — {note}", c.id()),
            )
        }
        Some(Status::NotApplicable) => {
            let note = c.applies_if_note().unwrap_or("");
            (format!("{} không áp dụng: {note}", c.id()), format!("{} does not apply: {note}", c.id()))
        }
        Some(Status::RequirementUnmet) => {
            let text = c.requirement().map_or("", |r| r.text_vi());
            (
                format!("{} được 0 điểm vì không đạt yêu cầu: {text}", c.id()),
                format!("{} scores 0: its requirement is not met: {text}", c.id()),
            )
        }
        _ if form.options(c).iter().all(|o| o.points < needed) => (
            format!("không phương án nào của {} được {needed} điểm", c.id()),
            format!("no option of {} is worth {needed} points", c.id()),
        ),
        _ => (
            format!("đổi {} sẽ làm thay đổi điều kiện của tiêu chí khác", c.id()),
            format!("changing {} changes a condition other criteria depend on", c.id()),
        ),
    };
    Reason {
        vi: format!(
            "không phương án nào của {} ({}) đạt {what_vi} {k} sao (cần ≥ {needed}, phương án {option}): {why_vi}",
            c.id(),
            c.name_en()
        ),
        en: format!(
            "no option of {} ({}) meets the {k}★ {what_en} (needs ≥ {needed}, option {option}): {why_en}",
            c.id(),
            c.name_en()
        ),
    }
}

/// The first minimum of class ≤ `target` that branch `b` cannot meet: (leaf, class).
fn branch_blocker(model: &Model<'_>, b: &Branch, target: u8) -> Option<(usize, u8)> {
    for k in 1..=target {
        let need = needs(model.form, model.on, k, model.n);
        for (leaf, &(sum_needed, class)) in need.iter().enumerate() {
            if sum_needed > 0 && class == k && !meetable(model, b, leaf, sum_needed) {
                return Some((leaf, k));
            }
        }
    }
    None
}

/// Why no plan reaches `target` on the model's sheets.
fn explain(model: &Model<'_>, target: u8) -> Vec<Reason> {
    let form = model.form;
    let mut out = Vec::new();
    if let Some(count) = model.too_large {
        out.push(Reason {
            vi: format!("biểu mẫu có quá nhiều điều kiện kết hợp ({count} trường hợp) để tìm kiếm chính xác"),
            en: format!("the form's conditions combine into {count} cases, too many to search exactly"),
        });
        return out;
    }
    let Some(need_total) = need_total(form, target, model.n) else {
        out.push(Reason {
            vi: format!("quyết định {} không có hạng {target} sao", form.decision.key),
            en: format!("decision {} has no {target}-star band", form.decision.key),
        });
        return out;
    };
    let branches: Vec<&Branch> = model.branches.iter().filter(|b| !b.eval.knocked).collect();
    if branches.is_empty() {
        let knocked = form.run(&model.sheets, &mut crate::score::NoTrace, model.on);
        let id = knocked.disqualified().map_or("?", |k| k.id());
        out.push(Reason {
            vi: format!("sản phẩm bị loại (`{id}`) dù thay đổi câu trả lời thế nào"),
            en: format!("the product is knocked out (`{id}`) whatever the answers"),
        });
        return out;
    }
    // Minimums that no way of answering the conditions lets be met, the lowest class first.
    let mut blocked = 0u128;
    for k in 1..=target {
        let need = needs(form, model.on, k, model.n);
        for (leaf, &(sum_needed, class)) in need.iter().enumerate() {
            if sum_needed == 0 || class != k || blocked & bit(leaf) != 0 {
                continue;
            }
            if branches.iter().any(|b| meetable(model, b, leaf, sum_needed)) {
                continue;
            }
            blocked |= bit(leaf);
            out.push(minimum_reason(model, model.start(), leaf, k));
        }
    }
    // The band: the best total any branch allows.
    let best = branches.iter().map(|b| best_total(model, b)).max().unwrap_or(0);
    if best < need_total {
        let (best, from) = (shown(mean(best, model.n)), mean(need_total, model.n));
        out.push(Reason {
            vi: format!(
                "kể cả khi mọi tiêu chí đạt phương án cao nhất, tổng điểm chỉ đạt {best}, dưới {from} điểm của hạng {target} sao"
            ),
            en: format!(
                "even with every criterion at its best option the total is at most {best}, below the {from} of the {target}★ band"
            ),
        });
    }
    if out.is_empty() {
        // Each requirement can be met on its own, but not together.
        out = branch_reasons(model, &branches, target, need_total);
    }
    out
}

/// Each requirement can be met on its own, but not together: for each way of answering the
/// criteria that conditions read (each branch), what blocks it.
fn branch_reasons(model: &Model<'_>, branches: &[&Branch], target: u8, need_total: i64) -> Vec<Reason> {
    let form = model.form;
    let mut out = Vec::new();
    let leaves: Vec<&crate::form::Criterion> = form.leaves().collect();
    let id = |leaf: usize| leaves.get(leaf).map_or("?", |c| c.id());
    let mut controllers: Vec<usize> = branches.iter().flat_map(|b| b.changes.iter().map(|c| c.0)).collect();
    controllers.sort_unstable();
    controllers.dedup();
    for b in branches {
        let (way_vi, way_en) = if b.changes.is_empty() {
            let ids: Vec<&str> = controllers.iter().map(|l| id(*l)).collect();
            (format!("giữ nguyên {}", ids.join(", ")), format!("keeping {}", ids.join(", ")))
        } else {
            let ways: Vec<String> = b
                .changes
                .iter()
                .map(|&(leaf, _, sig)| {
                    let keys: Vec<String> = model
                        .cands(leaf)
                        .iter()
                        .filter(|c| c.sig == sig)
                        .map(|c| keys_of(form, leaf, c.bits).join("+"))
                        .collect();
                    format!("{} → {}", id(leaf), keys.join("/"))
                })
                .collect();
            (format!("đổi {}", ways.join(", ")), format!("changing {}", ways.join(", ")))
        };
        let why = match branch_blocker(model, b, target) {
            Some((leaf, k)) => minimum_reason(model, &b.eval, leaf, k),
            None => {
                let best = shown(mean(best_total(model, b), model.n));
                Reason {
                    vi: format!("tổng điểm tối đa {best}, dưới {} điểm", mean(need_total, model.n)),
                    en: format!("the total is at most {best}, below {}", mean(need_total, model.n)),
                }
            }
        };
        out.push(Reason { vi: format!("nếu {way_vi}: {}", why.vi), en: format!("{way_en}: {}", why.en) });
    }
    out
}

// ---------------------------------------------------------------------------------------------
// What-if.

/// Parses `1.5=c,2.1=c` (a cumulative criterion takes `a+c`; `none` answers none).
///
/// ```
/// let changes = ocop_rating::advise::parse_changes("1.5=c, 6=a+b")?;
/// assert_eq!(changes, [("1.5".to_string(), "c".to_string()), ("6".to_string(), "a+b".to_string())]);
/// # Ok::<(), String>(())
/// ```
pub fn parse_changes(spec: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match part.split_once('=') {
            Some((id, key)) if !id.trim().is_empty() && !key.trim().is_empty() => {
                out.push((id.trim().to_string(), key.trim().to_string()))
            }
            _ => return Err(format!("`{part}` is not CRITERION=OPTION (e.g. 1.5=c)")),
        }
    }
    if out.is_empty() {
        return Err("no change given (e.g. 1.5=c,2.1=c)".to_string());
    }
    Ok(out)
}

/// The sheets with some answers replaced on every member's sheet: `("1.5", "c")`, `("6",
/// "a+b")` for a cumulative criterion, `("3.3", "none")`.
pub fn what_if<'f>(
    form: &'f Form,
    sheets: &[Sheet<'f>],
    changes: &[(&str, &str)],
) -> Result<Vec<Sheet<'f>>, AnswerError> {
    let mut out = sheets.to_vec();
    for (id, key) in changes {
        let answer = match form.criterion(id) {
            Some(c) if c.kind() == crate::CriterionKind::Cumulative => {
                if *key == "none" {
                    form.answer_many(id, std::iter::empty::<&str>())?
                } else {
                    form.answer_many(id, key.split('+').map(str::trim))?
                }
            }
            _ => form.answer(id, key)?,
        };
        for s in &mut out {
            s.set_answer(answer);
        }
    }
    Ok(out)
}

/// A what-if: the product before and after some answers are replaced.
#[derive(Clone, Debug, Serialize)]
pub struct WhatIf {
    /// The decision's key.
    pub decision: String,
    /// The product set.
    pub set: String,
    /// The product's label, when known.
    pub product: Option<String>,
    /// How many sheets were averaged.
    pub members: u32,
    /// Before.
    pub before: Standing,
    /// After.
    pub after: Standing,
    /// The changes, in form order, with their points and effects.
    pub changes: Vec<Change>,
    /// The points the total gains (negative when it loses).
    pub points_added: Decimal,
}

/// Scores `sheets` with some answers replaced ([`what_if`]) and says what changed.
pub fn what_if_report<'f>(
    form: &'f Form,
    sheets: &[Sheet<'f>],
    on: Option<Date>,
    changes: &[(&str, &str)],
    product: Option<&str>,
) -> Result<WhatIf, crate::Error> {
    form.check_sheets(sheets)?;
    let after = what_if(form, sheets, changes).map_err(|e| {
        let d = crate::Diagnostic::error(crate::DiagnosticKind::InvalidValue, "what-if", e.to_string());
        crate::Error::Assessment(AssessmentError::new(vec![d]))
    })?;
    let before_o = form.score_council_on(sheets, on)?;
    let after_o = form.score_council_on(&after, on)?;
    let mut changed: Vec<usize> = changes
        .iter()
        .filter_map(|(id, _)| form.criterion(id).and_then(|c| c.leaf))
        .filter(|leaf| sheets.iter().zip(&after).any(|(a, b)| a.answers.get(*leaf) != b.answers.get(*leaf)))
        .collect();
    changed.sort_unstable();
    changed.dedup();
    let plan = describe(form, sheets, &after, &changed, on, max_stars(form));
    Ok(WhatIf {
        decision: form.decision.key.clone(),
        set: form.set.clone(),
        product: product.map(str::to_string),
        members: sheets.len() as u32,
        before: standing(&before_o),
        after: standing(&after_o),
        changes: plan.changes,
        points_added: plan.points_added,
    })
}

// ---------------------------------------------------------------------------------------------
// Text.

fn cut(text: &str) -> String {
    if text.chars().count() <= TEXT_WIDTH {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(TEXT_WIDTH - 1).collect();
        s.push('…');
        s
    }
}

fn keys_text(a: &AnswerText) -> String {
    if a.keys.is_empty() { "none".to_string() } else { a.keys.join("+") }
}

fn signed(d: Decimal) -> String {
    let d = shown(d);
    if d.starts_with('-') || d.starts_with("≈-") { d } else { format!("+{d}") }
}

/// A mean as shown: exact, or rounded to two places and marked `≈`.
fn shown(d: Decimal) -> String {
    let r = d.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero).normalize();
    if r == d.normalize() { r.to_string() } else { format!("≈{r}") }
}

fn stars_vi(stars: Option<u8>) -> String {
    match stars {
        Some(s) => format!("{s} sao"),
        None => "không đạt (bị loại)".to_string(),
    }
}

/// The criteria a change affects, grouped by how their treatment changed.
fn affects_lines(affects: &[Affected]) -> Vec<String> {
    let mut groups: Vec<(&str, &str, Vec<&str>, Decimal)> = Vec::new();
    for a in affects {
        match groups.iter_mut().find(|g| g.0 == a.before && g.1 == a.after) {
            Some(g) => {
                g.2.push(&a.criterion);
                g.3 += a.gained;
            }
            None => groups.push((&a.before, &a.after, vec![&a.criterion], a.gained)),
        }
    }
    groups
        .into_iter()
        .map(|(before, after, ids, gained)| {
            format!("      ↳ {}: {before} ⇒ {after} ({} điểm)", ids.join(", "), signed(gained))
        })
        .collect()
}

/// One change, short: `1.5 b→c (+1, đạt yêu cầu 4 sao)`.
fn change_short(c: &Change) -> String {
    let from: Vec<String> = c.from.iter().map(keys_text).collect();
    let mut notes = vec![signed(c.gained)];
    let mut met: Vec<u8> = c.meets.iter().map(|m| m.stars).collect();
    met.dedup();
    for s in met {
        notes.push(format!("đạt yêu cầu {s} sao"));
    }
    if !c.affects.is_empty() {
        let ids: Vec<&str> = c.affects.iter().map(|a| a.criterion.as_str()).collect();
        let sum: Decimal = c.affects.iter().map(|a| a.gained).sum();
        let how = if sum < Decimal::ZERO { "không còn được tính" } else { "được tính lại" };
        notes.push(format!("{} {how} {}", ids.join(", "), signed(sum)));
    }
    format!(
        "{} {}→{} ({})",
        escape(&c.criterion),
        escape(&from.join("/")),
        escape(&keys_text(&c.to)),
        notes.join(", ")
    )
}

/// A plan on one line: `1.2 b→d (+2), 4.1 b→d (+3) → 70 điểm, 4 sao`.
pub fn plan_line(plan: &Plan) -> String {
    let changes: Vec<String> = plan.changes.iter().map(change_short).collect();
    format!("{} → {} điểm, {} sao", changes.join(", "), shown(plan.total), plan.stars)
}

/// The advice in one line, for a table cell: `4★: 1.2 b→d (+2), … → 70` (empty when nothing
/// is advised).
pub fn summary(advice: &Advice) -> String {
    let mut out = String::new();
    for (i, fact) in advice.facts.iter().filter(|f| f.cleared).enumerate() {
        out.push_str(if i == 0 { "clear " } else { ", " });
        out.push_str(&escape(&fact.id));
    }
    if !out.is_empty() {
        out.push_str("; ");
    }
    let _ = match (&advice.status, &advice.plan) {
        (AdviceStatus::Reached, _) => write!(out, "{}★ reached", advice.target),
        (status, Some(plan)) => {
            push_head(&mut out, status, advice.target, plan.stars);
            for (i, c) in plan.changes.iter().enumerate() {
                out.push_str(if i == 0 { "" } else { ", " });
                out.push_str(&escape(&c.criterion));
                out.push(' ');
                for (j, from) in c.from.iter().enumerate() {
                    out.push_str(if j == 0 { "" } else { "/" });
                    push_keys(&mut out, from.keys.iter().map(String::as_str));
                }
                out.push('→');
                push_keys(&mut out, c.to.keys.iter().map(String::as_str));
            }
            write!(out, " → {}", shown(plan.total))
        }
        (_, None) => write!(out, "{}★ unreachable", advice.target),
    };
    out
}

/// The head of a plan's line, up to the first change: `4★: `, `4★ (reaches 5★): ` or
/// `5★ unreachable; 4★: `.
fn push_head(out: &mut String, status: &AdviceStatus, target: u8, stars: u8) {
    let _ = match status {
        AdviceStatus::Unreachable => write!(out, "{target}★ unreachable; {stars}★: "),
        _ if stars > target => write!(out, "{target}★ (reaches {stars}★): "),
        _ => write!(out, "{stars}★: "),
    };
}

/// An answer's keys, escaped and joined with `+` (`none` when there is none), added to `out`.
fn push_keys<'k>(out: &mut String, keys: impl Iterator<Item = &'k str>) {
    let mut empty = true;
    for key in keys {
        out.push_str(if empty { "" } else { "+" });
        out.push_str(&escape(key));
        empty = false;
    }
    if empty {
        out.push_str("none");
    }
}

/// The keys of the options `bits` sets on `leaf`, in printed order.
fn option_keys(form: &Form, leaf: usize, bits: u64) -> impl Iterator<Item = &str> {
    let options = leaf_criterion(form, leaf).map_or(&[][..], |c| form.options(c));
    options.iter().enumerate().filter(move |(i, _)| bits >> i & 1 == 1).map(|(_, o)| o.key.as_str())
}

/// The advice as a consultant's note, in Vietnamese with English names. Every text from input
/// (product, titles, option texts, keys) is escaped for a terminal.
pub fn text(advice: &Advice) -> String {
    let mut out = String::new();
    text_standing(&mut out, advice);
    text_facts(&mut out, advice);
    match advice.status {
        AdviceStatus::Reached => {
            let _ = writeln!(out, "Đã đạt {} sao: không cần thay đổi tiêu chí nào.", advice.target);
        }
        AdviceStatus::Plan | AdviceStatus::Unreachable => {
            if advice.status == AdviceStatus::Unreachable {
                text_unreachable(&mut out, advice);
            }
            if let Some(plan) = &advice.plan {
                text_plan(&mut out, advice, plan);
            } else if advice.status == AdviceStatus::Unreachable {
                let _ = writeln!(out, "Không có phương án nâng hạng nào.");
            }
            if !advice.alternatives.is_empty() {
                let _ =
                    writeln!(out, "Phương án khác (cùng cách xếp hạng: ít tiêu chí nhất, rồi ít điểm nhất):");
                for (i, alt) in advice.alternatives.iter().enumerate() {
                    let _ =
                        writeln!(out, "  {}. {} ({} điểm)", i + 2, plan_line(alt), signed(alt.points_added));
                }
            }
        }
    }
    if let Some(r) = &advice.recognition {
        let _ = writeln!(out, "Lưu ý: {} ({})", escape(&r.vi), escape(&r.en));
    }
    for n in &advice.notes {
        let _ = writeln!(out, "Ghi chú: {}", escape(n));
    }
    out
}

/// The note's heading: the form, the product, the council, and where the product stands now
/// (its points, class, stop and the minimums that hold it).
fn text_standing(out: &mut String, advice: &Advice) {
    let _ = writeln!(
        out,
        "TƯ VẤN NÂNG HẠNG — {} bộ {} «{}» ({})",
        escape(&advice.decision),
        escape(&advice.set),
        escape(&advice.set_name_vi),
        escape(&advice.set_name_en)
    );
    if let Some(p) = &advice.product {
        let _ = writeln!(out, "Sản phẩm: {}", escape(p));
    }
    if advice.members > 1 {
        let _ = writeln!(
            out,
            "Hội đồng {} thành viên: mỗi thay đổi áp dụng cho mọi phiếu, điểm là trung bình.",
            advice.members
        );
    }
    let cur = &advice.current;
    let _ = write!(out, "Hiện tại: {} điểm, {}", shown(cur.total), stars_vi(cur.stars));
    if let Some(stop) = &cur.stopped_at {
        let _ = write!(out, "; dừng đánh giá tại {}", escape(stop));
    }
    if !cur.held_by.is_empty() {
        let held: Vec<String> = cur
            .held_by
            .iter()
            .map(|h| format!("{} cần ≥ {} ({}), được {}", h.criterion, h.needed, h.option, shown(h.got)))
            .collect();
        let _ =
            write!(out, "; bị giữ dưới hạng {} sao theo điểm: {}", cur.band_stars, escape(&held.join("; ")));
    }
    out.push_str(".\n");
}

/// The facts that matter (to clear first, or kept as they are), and the standing once cleared.
fn text_facts(out: &mut String, advice: &Advice) {
    for f in &advice.facts {
        let head = if f.cleared {
            if f.kind == "knockout" || f.kind == "stop" {
                "Phải khắc phục trước (không bù được bằng điểm)"
            } else {
                "Cần khắc phục để đạt mục tiêu"
            }
        } else {
            "Lưu ý (giữ nguyên trong tư vấn)"
        };
        let _ = writeln!(
            out,
            "{head}: {} ({}) — {}.",
            escape(&f.text_vi),
            escape(&f.name_en),
            escape(&f.effects.join("; "))
        );
    }
    let cleared = advice.facts.iter().any(|f| f.cleared);
    if cleared
        && (advice.start.total_sum != advice.current.total_sum || advice.start.stars != advice.current.stars)
    {
        let _ = writeln!(
            out,
            "Khi đã khắc phục: {} điểm, {}.",
            shown(advice.start.total),
            stars_vi(advice.start.stars)
        );
    }
}

/// Why the target cannot be reached, and the highest class that can.
fn text_unreachable(out: &mut String, advice: &Advice) {
    let _ = writeln!(out, "Không thể đạt {} sao:", advice.target);
    for r in &advice.unreachable {
        let _ = writeln!(out, "  - {} ({})", escape(&r.vi), escape(&r.en));
    }
    match (&advice.plan, advice.reachable) {
        (Some(plan), _) => {
            let _ = writeln!(out, "Mức cao nhất có thể đạt: {} sao.", plan.stars);
        }
        (None, Some(k)) => {
            let _ = writeln!(out, "Mức cao nhất có thể đạt: {k} sao (như hiện tại).");
        }
        (None, None) => {}
    }
}

/// The plan: its summary line, then each change.
fn text_plan(out: &mut String, advice: &Advice, plan: &Plan) {
    let aim = match advice.status {
        AdviceStatus::Plan => advice.target,
        _ => advice.reachable.unwrap_or(plan.stars),
    };
    let _ = writeln!(
        out,
        "Để đạt {aim} sao: {} ({} tiêu chí, {} điểm).",
        plan_line(plan),
        plan.changes.len(),
        signed(plan.points_added)
    );
    for c in &plan.changes {
        text_change(out, advice, c);
    }
}

/// One change of the plan: from which answers (and on how many sheets) to which option, the
/// points gained, the minimums it meets and what else it affects.
fn text_change(out: &mut String, advice: &Advice, c: &Change) {
    let from: Vec<String> = c
        .from
        .iter()
        .map(|a| {
            let text = a.texts.iter().map(|t| cut(t)).collect::<Vec<_>>().join(" + ");
            let who = if advice.members > 1 { format!(" [{} phiếu]", a.members) } else { String::new() };
            format!("{} «{}»{who}", keys_text(a), text)
        })
        .collect();
    let to_text = c.to.texts.iter().map(|t| cut(t)).collect::<Vec<_>>().join(" + ");
    let case = c.to.case.as_ref().map(|k| format!(" (trường hợp {k})")).unwrap_or_default();
    let line = format!(
        "  • {} {} ({}): {} → {} «{}»{case}, {} điểm",
        c.criterion,
        c.title_vi,
        c.name_en,
        from.join(", "),
        keys_text(&c.to),
        to_text,
        signed(c.gained)
    );
    let _ = writeln!(out, "{}", escape(&line));
    for m in &c.meets {
        let what = if m.kind == "marker" { "dấu sao" } else { "yêu cầu tối thiểu 781" };
        let _ = writeln!(
            out,
            "      đạt {what} {} sao (cần ≥ {}, phương án {})",
            m.stars,
            m.needed,
            escape(&m.option)
        );
    }
    for line in affects_lines(&c.affects) {
        let _ = writeln!(out, "{}", escape(&line));
    }
}

/// A what-if as text, in Vietnamese with English names, escaped like [`text`].
pub fn what_if_text(w: &WhatIf) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "GIẢ ĐỊNH (what-if) — {} bộ {}", escape(&w.decision), escape(&w.set));
    if let Some(p) = &w.product {
        let _ = writeln!(out, "Sản phẩm: {}", escape(p));
    }
    let _ = writeln!(
        out,
        "Trước: {} điểm, {}. Sau: {} điểm, {} ({} điểm).",
        shown(w.before.total),
        stars_vi(w.before.stars),
        shown(w.after.total),
        stars_vi(w.after.stars),
        signed(w.points_added)
    );
    for c in &w.changes {
        let _ = writeln!(out, "  • {} — {} ({})", change_short(c), escape(&c.title_vi), escape(&c.name_en));
        for line in affects_lines(&c.affects) {
            let _ = writeln!(out, "{}", escape(&line));
        }
    }
    if !w.after.held_by.is_empty() {
        let held: Vec<String> = w
            .after
            .held_by
            .iter()
            .map(|h| {
                format!(
                    "{} cần ≥ {} ({}) cho {} sao, được {}",
                    h.criterion,
                    h.needed,
                    h.option,
                    h.stars,
                    shown(h.got)
                )
            })
            .collect();
        let _ = writeln!(out, "Bị giữ hạng: {}", escape(&held.join("; ")));
    }
    if let Some(stop) = &w.after.stopped_at {
        let _ = writeln!(out, "Dừng đánh giá tại {}.", escape(stop));
    }
    if let Some(k) = &w.after.disqualified {
        let _ = writeln!(out, "Bị loại: {}.", escape(k));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::SheetGenerator;

    /// Random sheets of `form`: one sheet, or a council of two or three whose members differ on
    /// some criteria; now and then a fact set.
    fn sheets<'f>(form: &'f Form, g: &mut SheetGenerator) -> Vec<Sheet<'f>> {
        let members = 1 + usize::from(g.below(4) == 0) + usize::from(g.below(8) == 0);
        let mut out: Vec<Sheet<'f>> = Vec::new();
        for m in 0..members {
            let mut s = match out.first() {
                Some(first) => first.clone(),
                None => g.sheet(form),
            };
            if m > 0 {
                let other = g.sheet(form);
                for (leaf, slot) in s.answers.iter_mut().enumerate() {
                    if g.below(4) == 0 {
                        *slot = other.answers[leaf];
                    }
                }
            }
            for bit in 0..form.facts.len() {
                if g.below(25) == 0 {
                    s.facts |= 1 << bit;
                }
            }
            out.push(s);
        }
        out
    }

    /// The one-line advice of a bulk row is built without texts and alternatives; it must be
    /// the line of the full advice, on every shipped form, for single sheets and councils, with
    /// and without facts, with and without a lodging date, and with a target above the next
    /// class.
    #[test]
    fn summary_detail_gives_the_full_advice_line() {
        let catalog = crate::Catalog::embedded().unwrap_or_else(|e| panic!("{e}"));
        let mut g = SheetGenerator::new(12);
        let (mut plans, mut councils) = (0, 0);
        for form in catalog.forms() {
            for round in 0..12 {
                let sheets = sheets(form, &mut g);
                let target = if round % 4 == 3 { Some(5) } else { None };
                // Now and then lodged before 781's minimums applied (1048 forms), as bulk rows are.
                let lodged_on = (round % 3 == 1).then(|| "2020-01-15".parse().ok()).flatten();
                let options =
                    AdviseOptions { target, lodged_on, alternatives: 0, ..AdviseOptions::default() };
                // The full advice with alternatives builds every item of every branch (no
                // shortcut for the plan alone); its line shows the same best plan.
                let with_alternatives = AdviseOptions { alternatives: 3, ..options.clone() };
                let full = advise_checked(form, &sheets, &with_alternatives, Detail::Full);
                let line = summary_of(form, &sheets, &options).unwrap_or_else(|e| panic!("{e}"));
                assert_eq!(line, summary(&full), "{} {}: {sheets:?}", form.decision.key, form.set);
                plans += usize::from(full.plan.is_some());
                councils += usize::from(sheets.len() > 1);
            }
        }
        assert!(plans > 500 && councils > 100, "{plans} plans, {councils} councils");
    }
}
