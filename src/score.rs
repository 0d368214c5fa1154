//! The evaluate stage: sheets of answers in, an exact [`Outcome`] out.
//!
//! The scoring loop walks the compiled form's flat leaf arrays with integer points (hundredths),
//! a bit set of scored leaves, and stack arrays for the sums: no heap allocation, whatever the
//! number of criteria. The same loop, with a recorder plugged in, builds the audit trace.
//!
//! One sheet (the common case: a single evaluator, the trace, bulk) takes a path specialised
//! per form when the form is first scored (a [`Plan`]): each option's points come with the bit
//! set of the class minimums that those points fail, runs of plain criteria are summed without
//! a branch per criterion, and each criterion with conditions has its conditions compiled. A
//! council sums each criterion over its members and judges the minimums on the sums (ruling 6).
//! Both give the same outcome for one sheet; a test checks it on every shipped form.

use crate::date::Date;
use crate::diag::{Diagnostic, DiagnosticKind, did_you_mean, list_names};
use crate::doc::CriterionKind;
use crate::error::AssessmentError;
use crate::form::{
    Cond, Criterion, Form, Knockout, LEAF_APPLIES_IF, LEAF_CUMULATIVE, LEAF_REQUIREMENT, LEAF_STOPS,
    MAX_LEAVES, MAX_PARTS,
};
use crate::points::{Mean, Points};
use rust_decimal::Decimal;

/// The most minimums that [`Outcome::limited_by`] lists for the class that held the product
/// down (the largest shipped form has 14 in one class); the class itself is exact whatever
/// their number.
pub(crate) const MAX_MINIMUMS_PER_CLASS: usize = 32;

/// One council member's (or a single evaluator's) answers to one form.
///
/// Made by [`Form::sheet`], filled with [`Sheet::set`] (or [`Sheet::set_leaf`] in bulk code),
/// scored with [`Form::score`]. A sheet can be cleared and reused, so bulk scoring allocates
/// once per thread, not once per sheet.
#[derive(Clone, Debug)]
pub struct Sheet<'f> {
    pub(crate) form: &'f Form,
    /// Per leaf: the bit set of chosen options (one bit for a pick, none for `none`).
    pub(crate) answers: Vec<u64>,
    /// Leaves that were answered (an answer of `none` counts as answered).
    pub(crate) answered: u128,
    /// Facts set to true.
    pub(crate) facts: u64,
}

/// An answer to one criterion, resolved to the compiled form: see [`Form::answer`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Answer {
    pub(crate) leaf: u16,
    pub(crate) bits: u64,
}

impl Form {
    /// An empty sheet for this form: nothing answered, no facts.
    pub fn sheet(&self) -> Sheet<'_> {
        Sheet { form: self, answers: vec![0; self.leaf_count()], answered: 0, facts: 0 }
    }

    /// Resolves a text answer (`"c"`, `"yes"`, `"no"`, `"none"`) to criterion `id`.
    ///
    /// Cumulative criteria take their ticked keys with [`Form::answer_many`].
    pub fn answer(&self, id: &str, key: &str) -> Result<Answer, AnswerError> {
        let (leaf, criterion) = self.leaf_by_id(id)?;
        if key == "none" {
            return Ok(Answer { leaf: leaf as u16, bits: 0 });
        }
        let options = self.options(criterion);
        match option_index(options, key) {
            Some(i) => Ok(Answer { leaf: leaf as u16, bits: 1 << i }),
            None => Err(self.bad_key(criterion, key)),
        }
    }

    /// Resolves the ticked keys of a cumulative criterion (an empty list ticks nothing).
    pub fn answer_many<'k>(
        &self,
        id: &str,
        keys: impl IntoIterator<Item = &'k str>,
    ) -> Result<Answer, AnswerError> {
        let (leaf, criterion) = self.leaf_by_id(id)?;
        if criterion.kind != CriterionKind::Cumulative {
            return Err(AnswerError {
                criterion: id.to_string(),
                message: format!("criterion {id} takes one answer, not a list"),
                valid: self.valid_keys(criterion),
                suggestion: None,
            });
        }
        let options = self.options(criterion);
        let mut bits = 0u64;
        for key in keys {
            match option_index(options, key) {
                Some(i) => bits |= 1 << i,
                None => return Err(self.bad_key(criterion, key)),
            }
        }
        Ok(Answer { leaf: leaf as u16, bits })
    }

    fn leaf_by_id(&self, id: &str) -> Result<(usize, &Criterion), AnswerError> {
        match self.criterion(id) {
            Some(c) => match c.leaf {
                Some(leaf) => Ok((leaf, c)),
                None => Err(AnswerError {
                    criterion: id.to_string(),
                    message: format!("criterion {id} is a group; answer its nested criteria"),
                    valid: self.leaves().filter(|l| l.id.starts_with(id)).map(|l| l.id.clone()).collect(),
                    suggestion: None,
                }),
            },
            None => {
                let ids: Vec<String> = self.leaves().map(|l| l.id.clone()).collect();
                Err(AnswerError {
                    criterion: id.to_string(),
                    message: format!("set {} of {} has no criterion `{id}`", self.set, self.decision.key),
                    suggestion: did_you_mean(id, ids.iter().map(String::as_str)),
                    valid: ids,
                })
            }
        }
    }

    pub(crate) fn valid_keys(&self, criterion: &Criterion) -> Vec<String> {
        let mut keys: Vec<String> = self.options(criterion).iter().map(|o| o.key.clone()).collect();
        keys.push("none".into());
        keys
    }

    fn bad_key(&self, criterion: &Criterion, key: &str) -> AnswerError {
        let valid = self.valid_keys(criterion);
        AnswerError {
            criterion: criterion.id.clone(),
            message: format!("criterion {} has no option `{key}`", criterion.id),
            suggestion: did_you_mean(key, valid.iter().map(String::as_str)),
            valid,
        }
    }

    /// The index of a fact, for [`Sheet::set_fact`].
    pub(crate) fn fact_index(&self, id: &str) -> Option<usize> {
        self.facts.iter().position(|f| f.id == id)
    }

    /// Scores one sheet. Every criterion must have been answered.
    ///
    /// ```
    /// let catalog = ocop_rating::Catalog::embedded()?;
    /// let form = catalog.form("26-2026", "01", None)?;
    /// let mut sheet = form.sheet();
    /// for criterion in form.leaves() {
    ///     sheet.set(criterion.id(), "none")?;   // nothing met: 0 points everywhere
    /// }
    /// let outcome = form.score(&sheet)?;
    /// assert_eq!(outcome.total().to_string(), "0");
    /// assert_eq!(outcome.stars(), Some(1));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn score<'f>(&'f self, sheet: &Sheet<'f>) -> Result<Outcome<'f>, AssessmentError> {
        self.score_council(std::slice::from_ref(sheet))
    }

    /// Scores a council: the exact mean of the members' sheets (ruling 6). Minimums are judged
    /// on each criterion's mean points; a fact set on any sheet counts; a knock-out that tests
    /// answers is triggered when it holds on any member's sheet.
    pub fn score_council<'f>(&'f self, sheets: &[Sheet<'f>]) -> Result<Outcome<'f>, AssessmentError> {
        self.score_council_on(sheets, None)
    }

    /// [`Form::score_council`] for a dossier lodged on `on`: a minimum added by a later
    /// amendment ([`Minimum::in_force_from`](crate::Minimum::in_force_from)) applies only from its
    /// date. Without a date every minimum applies. [`Catalog::score`](crate::Catalog::score)
    /// passes the assessment's `lodged_on`.
    #[inline]
    pub fn score_council_on<'f>(
        &'f self,
        sheets: &[Sheet<'f>],
        on: Option<Date>,
    ) -> Result<Outcome<'f>, AssessmentError> {
        if let [sheet] = sheets {
            // One sheet of this form, complete: the specialised path, checked in three compares.
            let plan = self.plan();
            if plan.fast
                && std::ptr::eq(sheet.form, self)
                && sheet.answered == plan.full
                && sheet.answers.len() == plan.leaves.len()
            {
                return Ok(self.run_one(plan, sheet, &mut NoTrace, on));
            }
        }
        self.check_sheets(sheets)?;
        Ok(self.run(sheets, &mut NoTrace, on))
    }

    /// Checks that every sheet is of this form and complete. The common case, all good, is a
    /// compare per sheet; the diagnostics are built only when something is wrong.
    #[inline]
    pub(crate) fn check_sheets(&self, sheets: &[Sheet<'_>]) -> Result<(), AssessmentError> {
        let full = self.full_mask();
        if !sheets.is_empty() && sheets.iter().all(|s| std::ptr::eq(s.form, self) && s.answered == full) {
            return Ok(());
        }
        Err(self.sheet_errors(sheets))
    }

    /// Every leaf answered.
    #[inline]
    fn full_mask(&self) -> u128 {
        let n = self.leaf_count();
        if n >= 128 { u128::MAX } else { (1u128 << n) - 1 }
    }

    #[cold]
    #[inline(never)]
    fn sheet_errors(&self, sheets: &[Sheet<'_>]) -> AssessmentError {
        let mut diagnostics = Vec::new();
        if sheets.is_empty() {
            diagnostics.push(
                Diagnostic::error(DiagnosticKind::MissingAnswer, "members", "a council with no members")
                    .expected("at least one sheet"),
            );
        }
        let full = self.full_mask();
        for (m, sheet) in sheets.iter().enumerate() {
            if !std::ptr::eq(sheet.form, self) {
                diagnostics.push(Diagnostic::error(
                    DiagnosticKind::NoApplicableForm,
                    format!("members[{m}]"),
                    format!(
                        "the sheet belongs to set {} of {}, not set {} of {}",
                        sheet.form.set, sheet.form.decision.key, self.set, self.decision.key
                    ),
                ));
                continue;
            }
            if sheet.answered != full {
                let missing: Vec<&str> = self
                    .leaves()
                    .enumerate()
                    .filter(|(i, _)| sheet.answered >> i & 1 == 0)
                    .map(|(_, c)| c.id.as_str())
                    .collect();
                let path =
                    if sheets.len() == 1 { "answers".to_string() } else { format!("members[{m}].answers") };
                diagnostics.push(
                    Diagnostic::error(
                        DiagnosticKind::MissingAnswer,
                        path,
                        format!(
                            "{} not answered: {}",
                            crate::diag::plural(missing.len(), "criterion", "criteria"),
                            list_names(&missing, 40)
                        ),
                    )
                    .expected("an answer to every criterion (`none` when no option is met)"),
                );
            }
        }
        AssessmentError::new(diagnostics)
    }

    /// The form specialised for one sheet and for JSON, built on first use (a few hundred
    /// bytes per form; the catalog's forms share nothing mutable, and building it twice on two
    /// threads at once is harmless: one result is kept).
    #[inline]
    pub(crate) fn plan(&self) -> &Plan {
        self.leaves.plan.get_or_init(|| Plan::build(self))
    }

    /// The scoring loop. `sheets` are checked (same form, complete). One sheet takes the
    /// specialised path ([`Form::run_one`]); a council sums each criterion over its members.
    #[inline]
    pub(crate) fn run<'f, R: Recorder>(
        &'f self,
        sheets: &[Sheet<'f>],
        rec: &mut R,
        on: Option<Date>,
    ) -> Outcome<'f> {
        if let [sheet] = sheets {
            let plan = self.plan();
            if plan.fast && sheet.answers.len() == plan.leaves.len() {
                return self.run_one(plan, sheet, rec, on);
            }
        }
        self.run_council(sheets, rec, on)
    }

    /// One sheet. Each option's points come with the bit set of the minimums (star markers and
    /// tables) that those points fail, worked out when the plan was built, so the class follows
    /// from one OR per criterion and the lowest bit left: no per-criterion sums, no pass over
    /// the minimums. The result is the council path's for a council of one (tested on every
    /// shipped form).
    ///
    /// The segment loop stays whole (issue 13): it is the benchmarked hot path, and its
    /// accumulators (part sums, failed minimums, skipped and zeroed leaves, the next leaf) live
    /// in registers across it; steps of their own would pass them through memory on every
    /// segment. What follows the loop is in named steps.
    #[inline]
    fn run_one<'f, R: Recorder>(
        &'f self,
        plan: &Plan,
        sheet: &Sheet<'f>,
        rec: &mut R,
        on: Option<Date>,
    ) -> Outcome<'f> {
        let answers = sheet.answers.as_slice();
        let facts = sheet.facts;
        let leaves = plan.leaves.as_slice();
        let entries = plan.entries.as_slice();
        let count = leaves.len().min(answers.len());
        let mut part_sum = [0i64; MAX_PARTS];
        // The minimums failed; the leaves not evaluated (read as none by later conditions); the
        // leaves scored 0 whatever their answer (those, and requirements stated unmet).
        let mut fail = 0u64;
        let mut skipped: u128 = 0;
        let mut zeroed: u128 = 0;
        let mut stopped_at: Option<u16> = None;
        // `next` is the next leaf to evaluate: a stop moves it past the leaves it reaches.
        let mut next = 0;
        let segs = if facts == 0 { &plan.segs_no_facts } else { &plan.segs };
        for seg in segs {
            let (from, to) = (usize::from(seg.from).max(next), usize::from(seg.to).min(count));
            if from >= to {
                continue;
            }
            let part = usize::from(seg.part) & (MAX_PARTS - 1);
            let Some(flag) = plan.flagged.get(usize::from(seg.flagged)) else {
                // A run of leaves with one pick and no condition, in one part: the option's
                // entry, or for none (no bit) the leaf's entry for 0 points after its options.
                // Points are bounded when the plan is built, so the sum cannot overflow.
                let (Some(answers), Some(leaves)) = (answers.get(from..to), leaves.get(from..to)) else {
                    break;
                };
                let mut sum = 0i64;
                if R::ON {
                    for (j, (&answer, leaf)) in answers.iter().zip(leaves).enumerate() {
                        let k = (answer | leaf.none_bit).trailing_zeros() as usize;
                        let e = entries.get(leaf.start as usize + k).copied().unwrap_or_default();
                        sum = sum.wrapping_add(e.points);
                        fail |= e.fail;
                        rec.leaf(0, from + j, answer, Status::Scored, e.points);
                    }
                } else {
                    // (No enumerate here: its checked counter costs more than the rest.)
                    for (&answer, leaf) in answers.iter().zip(leaves) {
                        let k = (answer | leaf.none_bit).trailing_zeros() as usize;
                        if let Some(e) = entries.get(leaf.start as usize + k) {
                            sum = sum.wrapping_add(e.points);
                            fail |= e.fail;
                        }
                    }
                }
                part_sum[part] = part_sum[part].wrapping_add(sum);
                next = to;
                continue;
            };
            // One leaf with conditions (or ticked options).
            let i = from;
            let answer = answers[i];
            let lv = &self.leaves;
            let mut status = Status::Scored;
            if !flag.applies_if.holds(|| lv.applies_if.get(i), answers, skipped, facts, true) {
                status = Status::NotApplicable;
                skipped |= flag.bit;
            } else if flag.requirement.holds(|| lv.requirement.get(i), answers, skipped, facts, false) {
                // Ruling 11: a requirement printed on the criterion is stated unmet.
                status = Status::RequirementUnmet;
            }
            let e = if status == Status::Scored { plan.scored(self, i, answer) } else { plan.zero(i) };
            if status != Status::Scored {
                zeroed |= flag.bit;
            }
            part_sum[part] = part_sum[part].wrapping_add(e.points);
            fail |= e.fail;
            if R::ON {
                rec.leaf(0, i, answer, status, e.points);
            }
            next = i + 1;
            if status != Status::NotApplicable
                && flag.stops.holds(|| lv.stops.get(i), answers, skipped, facts, false)
            {
                // Ruling 9: the leaves the stop reaches are not evaluated: 0 points, read as
                // none, and still held to their minimums.
                stopped_at = Some(stopped_at.unwrap_or(i as u16));
                skipped |= flag.stop_mask;
                zeroed |= flag.stop_mask;
                fail |= flag.stop_fail;
                next = flag.stop_end.into();
                if R::ON {
                    for (j, &stopped) in answers.iter().enumerate().take(next).skip(i + 1) {
                        rec.leaf(0, j, stopped, Status::Stopped { by: i }, 0);
                    }
                }
            }
        }
        let knocked = self.knocked_out(answers, skipped, facts);
        if on.is_some() && plan.dated != 0 {
            fail = self.drop_undated(plan.dated, fail, on);
        }
        let total: i64 = part_sum.iter().sum();
        let band_stars = self.decision.band_of(Points(total), 1);
        let mut out = Outcome {
            form: self,
            members: 1,
            total: Points(total),
            parts: part_sum.map(Points),
            band_stars,
            class: band_stars,
            disqualified: knocked,
            stopped_at,
            stopped_sheets: u32::from(stopped_at.is_some()),
            limits: 0,
            limit_base: 0,
            got: [0; MAX_MINIMUMS_PER_CLASS],
            on,
        };
        if fail != 0 {
            self.cap_one(plan, answers, fail, zeroed, &mut out);
        }
        out
    }

    /// A council (or a form the single-sheet plan cannot take): each criterion's points are
    /// summed over the members, and minimums are judged on those sums (ruling 6).
    ///
    /// The per-sheet loop stays whole (issue 13), as in `run_one`: it is benchmarked,
    /// and its per-leaf sums and stop state stay local to it. The class is a step of its own.
    fn run_council<'f, R: Recorder>(
        &'f self,
        sheets: &[Sheet<'f>],
        rec: &mut R,
        on: Option<Date>,
    ) -> Outcome<'f> {
        let lv = &self.leaves;
        let count = lv.node.len();
        let mut leaf_sum = [0i64; MAX_LEAVES];
        let mut part_sum = [0i64; MAX_PARTS];
        let mut knocked: Option<u16> = None;
        let mut stopped_at: Option<u16> = None;
        let mut stopped_sheets = 0u32;
        let mut facts = 0u64;
        for sheet in sheets {
            facts |= sheet.facts;
        }
        for (m, sheet) in sheets.iter().enumerate() {
            let answers = sheet.answers.as_slice();
            let mut skipped: u128 = 0;
            let mut sheet_stopped = false;
            let count = count.min(answers.len()).min(lv.info.len()).min(MAX_LEAVES);
            let mut i = 0;
            while i < count {
                let (answer, info) = (answers[i], lv.info[i]);
                let part = usize::from(info.part) & (MAX_PARTS - 1);
                if info.flags == 0 {
                    // The common leaf: one pick, no condition. The bit's index is the option's
                    // (64 for none, whose lookup is never used).
                    let picked =
                        lv.option_points.get(info.start as usize + answer.trailing_zeros() as usize).copied();
                    let points = if answer != 0 { picked.unwrap_or(0) } else { 0 };
                    leaf_sum[i] += points;
                    // MAX_PARTS is a power of two: the mask lets the compiler drop the bounds
                    // check (a form has at most MAX_PARTS parts, so it never changes the index).
                    part_sum[part] += points;
                    if R::ON {
                        rec.leaf(m, i, answer, Status::Scored, points);
                    }
                    i += 1;
                    continue;
                }
                let mut status = Status::Scored;
                if info.flags & LEAF_APPLIES_IF != 0
                    && let Some(Some(cond)) = lv.applies_if.get(i)
                    && !cond.eval(answers, skipped, facts)
                {
                    status = Status::NotApplicable;
                    skipped |= 1 << i;
                }
                if status == Status::Scored
                    && info.flags & LEAF_REQUIREMENT != 0
                    && let Some(Some(cond)) = lv.requirement.get(i)
                    && cond.eval(answers, skipped, facts)
                {
                    // Ruling 11: a requirement printed on the criterion is stated unmet.
                    status = Status::RequirementUnmet;
                }
                let mut points = 0i64;
                let mut stop_until = i + 1;
                if status != Status::NotApplicable {
                    if status == Status::Scored {
                        let mut bits = if info.flags & LEAF_CUMULATIVE == 0 {
                            answer & answer.wrapping_neg()
                        } else {
                            answer
                        };
                        while bits != 0 {
                            let b = bits.trailing_zeros() as usize;
                            points += lv.option_points.get(info.start as usize + b).copied().unwrap_or(0);
                            bits &= bits - 1;
                        }
                    }
                    if info.flags & LEAF_STOPS != 0
                        && let Some(Some(cond)) = lv.stops.get(i)
                        && cond.eval(answers, skipped, facts)
                    {
                        stop_until = usize::from(info.stop_end).min(count);
                        sheet_stopped = true;
                        let leaf = i as u16;
                        stopped_at = Some(stopped_at.map_or(leaf, |s| s.min(leaf)));
                    }
                }
                leaf_sum[i] += points;
                part_sum[part] += points;
                if R::ON {
                    rec.leaf(m, i, answer, status, points);
                }
                // Ruling 9: the leaves a stop reaches are not evaluated: 0 points, read as none.
                for (j, &stopped) in answers.iter().enumerate().take(stop_until).skip(i + 1) {
                    skipped |= 1 << j;
                    if R::ON {
                        rec.leaf(m, j, stopped, Status::Stopped { by: i }, 0);
                    }
                }
                i = stop_until;
            }
            stopped_sheets += u32::from(sheet_stopped);
            if knocked.is_none() {
                knocked = self.knocked_out(answers, skipped, facts);
            }
        }

        let members = sheets.len().max(1) as u32;
        let n = i64::from(members);
        let total: i64 = part_sum.iter().sum();
        let band_stars = self.decision.band_of(Points(total), members);
        let (class, limits, limit_base, got) = self.cap_council(&leaf_sum, band_stars, n, on);
        Outcome {
            form: self,
            members,
            total: Points(total),
            parts: part_sum.map(Points),
            band_stars,
            class,
            disqualified: knocked,
            stopped_at,
            stopped_sheets,
            limits,
            limit_base: limit_base as u16,
            got,
            on,
        }
    }

    /// The first knock-out whose condition holds on one sheet. None can hold on a sheet without
    /// facts when every knock-out tests facts only.
    #[inline]
    fn knocked_out(&self, answers: &[u64], skipped: u128, facts: u64) -> Option<u16> {
        if facts == 0 && self.knockouts_on_facts_only {
            None
        } else {
            self.knockouts.iter().position(|k| k.when.eval(answers, skipped, facts)).map(|k| k as u16)
        }
    }

    /// `fail` without the dated minimums (bits of `dated`) that do not apply to a dossier
    /// lodged `on`.
    #[inline]
    fn drop_undated(&self, mut dated: u64, mut fail: u64, on: Option<Date>) -> u64 {
        while dated != 0 {
            let m = dated.trailing_zeros() as usize;
            if self.minimums.get(m).is_some_and(|m| !m.applies_on(on)) {
                fail &= !(1 << m);
            }
            dated &= dated - 1;
        }
        fail
    }

    /// Ruling 2 for one sheet: the lowest class with a failed minimum (`fail`, not 0) caps the
    /// class just below it, when it is not above the band; minimums are sorted by class, so that
    /// is the lowest bit. Records the minimums that hold it and the points each got (0 for a
    /// leaf in `zeroed`).
    #[inline]
    fn cap_one(&self, plan: &Plan, answers: &[u64], fail: u64, zeroed: u128, out: &mut Outcome<'_>) {
        let first = fail.trailing_zeros() as usize;
        let k = self.minimums.get(first).map_or(u8::MAX, |m| m.stars);
        if k <= out.band_stars {
            out.class = k - 1;
            let mut limits = fail & plan.class_mask.get(usize::from(k)).copied().unwrap_or(0);
            let mut bits = limits;
            let mut j = 0;
            while bits != 0 {
                let m = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                if j == MAX_MINIMUMS_PER_CLASS {
                    limits &= !(u64::MAX << m);
                    break;
                }
                if let Some(leaf) = self.minimums.get(m).map(|m| m.leaf)
                    && zeroed >> leaf & 1 == 0
                {
                    out.got[j] = answers.get(leaf).map_or(0, |&a| plan.points(leaf, a));
                }
                j += 1;
            }
            out.limits = limits;
        }
    }

    /// Ruling 2 for a council of `n` members, judged on the sums of each criterion's points: the
    /// highest class k not above the band whose minimums, and those of every class below, are
    /// all met. Returns (class, the failed minimums as bits from `limit_base`, `limit_base`,
    /// the sum each got).
    #[inline]
    fn cap_council(
        &self,
        leaf_sum: &[i64; MAX_LEAVES],
        band_stars: u8,
        n: i64,
        on: Option<Date>,
    ) -> (u8, u64, usize, [i64; MAX_MINIMUMS_PER_CLASS]) {
        let mut class = band_stars;
        let mut limits = 0u64;
        let mut limit_base = 0usize;
        let mut got = [0i64; MAX_MINIMUMS_PER_CLASS];
        let mut limit_count = 0usize;
        let mut k = 0u8;
        let mut failed = false;
        for (mi, m) in self.minimums.iter().enumerate() {
            if m.stars > band_stars {
                break;
            }
            if m.stars != k {
                if failed {
                    break;
                }
                k = m.stars;
                limit_base = mi;
            }
            if !m.applies_on(on) {
                continue;
            }
            let sum = leaf_sum.get(m.leaf).copied().unwrap_or(0);
            if sum < m.at_least.hundredths() * n {
                failed = true;
                class = class.min(m.stars - 1);
                if limit_count < MAX_MINIMUMS_PER_CLASS && mi - limit_base < 64 {
                    limits |= 1 << (mi - limit_base);
                    got[limit_count] = sum;
                    limit_count += 1;
                }
            }
        }
        (class, limits, limit_base, got)
    }
}

/// A form specialised for scoring one sheet and reading JSON: see [`Form::plan`].
#[derive(Debug, Default)]
pub(crate) struct Plan {
    /// The form's `ruleset` object of a JSON record, serialised once (the same for every row).
    pub(crate) ruleset_json: Option<Box<serde_json::value::RawValue>>,
    /// Whether [`Form::run_one`] can take the form: at most 64 minimums (one bit each), and
    /// points small enough that no sum of them can overflow.
    pub(crate) fast: bool,
    /// Per leaf, in printed order.
    leaves: Vec<PlanLeaf>,
    /// Per leaf, one entry per option and then one for 0 points (none, not applicable, not
    /// evaluated, requirement unmet).
    entries: Vec<Entry>,
    /// The leaves cut into runs, in printed order: each run of plain leaves (one pick, no
    /// condition) of one part, and each other leaf on its own.
    segs: Vec<Seg>,
    /// The same for a sheet with no fact set, where a leaf whose requirement and stop test
    /// facts alone is plain.
    segs_no_facts: Vec<Seg>,
    /// Every leaf answered.
    full: u128,
    /// The leaves with conditions (or ticked options), in printed order.
    flagged: Vec<Flagged>,
    /// Per class (by its number of stars): the bits of its minimums.
    class_mask: [u64; 8],
    /// The bits of the minimums added by an amendment, which depend on the lodging date.
    dated: u64,
    /// Criterion ids to leaves, for reading JSON.
    pub(crate) ids: crate::json_sheet::IdTable,
    /// Per leaf, for reading keys: bit `i` set when option `i` is keyed by the `i`-th letter.
    pub(crate) letters: Vec<u64>,
}

/// What [`Form::run_one`] reads of one leaf.
#[derive(Clone, Copy, Debug, Default)]
struct PlanLeaf {
    /// `1 << count`: OR'd into an answer, its lowest bit is the chosen option's index, or
    /// `count` for none (0 for 64 options, when none finds no bit and gives 64 = `count`).
    none_bit: u64,
    /// Its first entry in [`Plan::entries`].
    start: u32,
    /// As [`LeafInfo::flags`](crate::form::LeafInfo).
    flags: u8,
    /// Its number of options: the entry for 0 points is at `start + count`.
    count: u8,
}

/// A run of leaves `from..to` of one part: plain leaves, or one leaf with conditions.
#[derive(Clone, Copy, Debug, Default)]
struct Seg {
    from: u16,
    to: u16,
    part: u8,
    /// The leaf's index in [`Plan::flagged`], or `u16::MAX` for a run of plain leaves.
    flagged: u16,
}

/// A leaf with conditions, compiled for [`Form::run_one`].
#[derive(Clone, Copy, Debug, Default)]
struct Flagged {
    /// `1 << leaf`.
    bit: u128,
    applies_if: Test,
    requirement: Test,
    stops: Test,
    /// What its stop reaches: one past the last leaf, the leaves' bits, and the minimums that
    /// 0 points on those leaves fail.
    stop_end: u16,
    stop_mask: u128,
    stop_fail: u64,
}

/// A leaf's condition, compiled for one sheet: the two common shapes in place, anything else
/// by [`Cond::eval`].
#[derive(Clone, Copy, Debug, Default)]
enum Test {
    /// The leaf has no such condition.
    #[default]
    Absent,
    /// A fact is true (its bit in the sheet's facts).
    Fact(u64),
    /// One criterion's effective answer (none when it was not evaluated) meets `mask`, or is
    /// none when `none`; the whole negated when `negate`.
    Answer { leaf: u8, mask: u64, none: bool, negate: bool },
    /// Any other condition: [`Cond::eval`].
    General,
}

impl Test {
    fn compile(cond: Option<&Cond>) -> Test {
        match cond {
            None => Test::Absent,
            Some(Cond::Fact(bit)) if *bit < 64 => Test::Fact(1 << bit),
            Some(&Cond::Answer { leaf, mask, none, negate }) if leaf < 128 => {
                Test::Answer { leaf: leaf as u8, mask, none, negate }
            }
            Some(_) => Test::General,
        }
    }

    /// Whether the condition holds (`absent` when the leaf has none).
    #[inline(always)]
    fn holds<'c>(
        self,
        cond: impl FnOnce() -> Option<&'c Option<Cond>>,
        answers: &[u64],
        skipped: u128,
        facts: u64,
        absent: bool,
    ) -> bool {
        match self {
            Test::Absent => absent,
            Test::Fact(bit) => facts & bit != 0,
            Test::Answer { leaf, mask, none, negate } => {
                let i = usize::from(leaf);
                let answer = if skipped >> i & 1 == 0 { answers.get(i).copied().unwrap_or(0) } else { 0 };
                let hit = answer & mask != 0 || (answer == 0 && none);
                hit != negate
            }
            Test::General => match cond() {
                Some(Some(cond)) => cond.eval(answers, skipped, facts),
                _ => absent,
            },
        }
    }
}

/// The points of one option, and the minimums that those points fail.
#[derive(Clone, Copy, Debug, Default)]
struct Entry {
    points: i64,
    fail: u64,
}

/// Above this (in hundredths), an option's points send the form to the general path, where
/// every sum is checked: 128 leaves of 64 options each stay far below `i64::MAX`.
const PLAN_MAX_POINTS: i64 = 1 << 40;

impl Plan {
    fn build(form: &Form) -> Plan {
        let lv = &form.leaves;
        let count = lv.info.len();
        let mut plan = Plan {
            full: form.full_mask(),
            fast: form.minimums.len() <= 64 && count == lv.node.len() && count <= MAX_LEAVES,
            ids: crate::json_sheet::IdTable::build(form),
            ruleset_json: crate::render::ruleset_json(form),
            ..Plan::default()
        };
        for (i, info) in lv.info.iter().enumerate() {
            let n = lv.option_count.get(i).copied().unwrap_or(0);
            let start = info.start as usize;
            plan.leaves.push(PlanLeaf {
                none_bit: 1u64.checked_shl(u32::from(n)).unwrap_or(0),
                start: plan.entries.len() as u32,
                flags: info.flags,
                count: n,
            });
            let letters = lv.option_letter.get(start..start + usize::from(n)).unwrap_or_default();
            plan.letters.push(
                letters
                    .iter()
                    .enumerate()
                    .filter(|&(k, &l)| usize::from(l.wrapping_sub(b'a')) == k && k < 26)
                    .fold(0, |bits, (k, _)| bits | 1 << k),
            );
            let points = lv.option_points.get(start..start + usize::from(n)).unwrap_or_default();
            for &p in points.iter().chain(std::iter::once(&0)) {
                if !(0..=PLAN_MAX_POINTS).contains(&p) {
                    plan.fast = false;
                }
                plan.entries.push(Entry { points: p, fail: plan_fails(form, i, p) });
            }
            if info.flags == 0 {
                push_seg(&mut plan.segs, i, info.part, None);
                push_seg(&mut plan.segs_no_facts, i, info.part, None);
            } else {
                let flagged = plan.flagged.len() as u16;
                push_seg(&mut plan.segs, i, info.part, Some(flagged));
                let stop_end = usize::from(info.stop_end).clamp(i + 1, count);
                let mut stop_mask = 0u128;
                let mut stop_fail = 0u64;
                for j in i + 1..stop_end.min(MAX_LEAVES) {
                    stop_mask |= 1 << j;
                    stop_fail |= plan_fails(form, j, 0);
                }
                let cond = |c: &Vec<Option<Cond>>| Test::compile(c.get(i).and_then(Option::as_ref));
                let flag = Flagged {
                    bit: 1u128.checked_shl(i as u32).unwrap_or(0),
                    applies_if: cond(&lv.applies_if),
                    requirement: cond(&lv.requirement),
                    stops: cond(&lv.stops),
                    stop_end: stop_end as u16,
                    stop_mask,
                    stop_fail,
                };
                // With no fact set, a requirement or a stop that tests a fact alone cannot
                // hold: the leaf is then a plain one (1.1 of most 26/2026 forms).
                let facts_only = |t: Test| matches!(t, Test::Absent | Test::Fact(_));
                let plain_without_facts = info.flags & (LEAF_CUMULATIVE | LEAF_APPLIES_IF) == 0
                    && facts_only(flag.requirement)
                    && facts_only(flag.stops);
                let no_facts = if plain_without_facts { None } else { Some(flagged) };
                push_seg(&mut plan.segs_no_facts, i, info.part, no_facts);
                plan.flagged.push(flag);
            }
        }
        for (b, m) in form.minimums.iter().enumerate().take(64) {
            if let Some(mask) = plan.class_mask.get_mut(usize::from(m.stars)) {
                *mask |= 1 << b;
            } else {
                plan.fast = false;
            }
            if m.in_force_from.is_some() {
                plan.dated |= 1 << b;
            }
        }
        plan
    }

    /// The points of leaf `i` scored from `answer`: its lowest option for a pick, the sum of
    /// the ticked ones for a cumulative criterion (bits past the options count for nothing).
    #[inline]
    fn points(&self, i: usize, answer: u64) -> i64 {
        let Some(leaf) = self.leaves.get(i) else { return 0 };
        let start = leaf.start as usize;
        if leaf.flags & LEAF_CUMULATIVE == 0 {
            let k = (answer | leaf.none_bit).trailing_zeros() as usize;
            return self.entries.get(start + k).map_or(0, |e| e.points);
        }
        let mut bits = answer;
        let mut points = 0;
        while bits != 0 {
            let b = bits.trailing_zeros() as usize;
            if b < usize::from(leaf.count) {
                points += self.entries.get(start + b).map_or(0, |e| e.points);
            }
            bits &= bits - 1;
        }
        points
    }

    /// Leaf `i` scored from `answer`: the option's entry for a pick; for a cumulative
    /// criterion, the sum of the ticked options and the minimums that sum fails.
    #[inline]
    fn scored(&self, form: &Form, i: usize, answer: u64) -> Entry {
        let Some(leaf) = self.leaves.get(i) else { return Entry::default() };
        if leaf.flags & LEAF_CUMULATIVE == 0 {
            let k = (answer | leaf.none_bit).trailing_zeros() as usize;
            return self.entries.get(leaf.start as usize + k).copied().unwrap_or_default();
        }
        let points = self.points(i, answer);
        Entry { points, fail: plan_fails(form, i, points) }
    }

    /// Leaf `i` scored 0 (none, not applicable, not evaluated, requirement unmet).
    #[inline]
    fn zero(&self, i: usize) -> Entry {
        self.leaves
            .get(i)
            .and_then(|l| self.entries.get(l.start as usize + usize::from(l.count)))
            .copied()
            .unwrap_or_default()
    }
}

/// Appends leaf `i` to `segs`: to the last run when both are plain and of one part, else as
/// a run of its own (`flagged`: its index in [`Plan::flagged`]).
fn push_seg(segs: &mut Vec<Seg>, i: usize, part: u8, flagged: Option<u16>) {
    let to = i as u16 + 1;
    match (segs.last_mut(), flagged) {
        (Some(seg), None) if seg.flagged == u16::MAX && seg.part == part && seg.to == i as u16 => seg.to = to,
        _ => segs.push(Seg { from: i as u16, to, part, flagged: flagged.unwrap_or(u16::MAX) }),
    }
}

/// The bits of the minimums on leaf `leaf` that `points` (one sheet's) fail.
fn plan_fails(form: &Form, leaf: usize, points: i64) -> u64 {
    let mut fail = 0;
    for (b, m) in form.minimums.iter().enumerate().take(64) {
        if m.leaf == leaf && points < m.at_least.hundredths() {
            fail |= 1 << b;
        }
    }
    fail
}

/// Why a text answer could not be resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnswerError {
    /// The criterion id as given.
    pub criterion: String,
    /// What is wrong.
    pub message: String,
    /// The valid criterion ids or option keys.
    pub valid: Vec<String>,
    /// "did you mean", when one is close.
    pub suggestion: Option<String>,
}

impl std::fmt::Display for AnswerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (valid: {})", self.message, list_names(&self.valid, 40))?;
        if let Some(s) = &self.suggestion {
            write!(f, "; {s}")?;
        }
        Ok(())
    }
}

impl std::error::Error for AnswerError {}

impl<'f> Sheet<'f> {
    /// The form this sheet answers.
    pub fn form(&self) -> &'f Form {
        self.form
    }

    /// Answers criterion `id` with option `key` (`yes`/`no` for yes/no criteria, `none` when no
    /// printed option is met). For a cumulative criterion, `key` ticks one more option.
    pub fn set(&mut self, id: &str, key: &str) -> Result<(), AnswerError> {
        let form = self.form;
        // One look-up of the id; the key is then resolved against that criterion's options.
        let (leaf, criterion) = form.leaf_by_id(id)?;
        let bits = if key == "none" {
            0
        } else {
            let i = option_index(form.options(criterion), key).ok_or_else(|| form.bad_key(criterion, key))?;
            let mut bits = 1u64 << i;
            if criterion.kind == CriterionKind::Cumulative && self.answered >> leaf & 1 == 1 {
                bits |= self.answers.get(leaf).copied().unwrap_or(0);
            }
            bits
        };
        self.set_answer(Answer { leaf: leaf as u16, bits });
        Ok(())
    }

    /// Sets a resolved answer (from [`Form::answer`] of the same form).
    ///
    /// # Panics
    /// Never; an answer of another form is ignored when its criterion index is out of range.
    pub fn set_answer(&mut self, answer: Answer) {
        if let Some(slot) = self.answers.get_mut(answer.leaf as usize) {
            *slot = answer.bits;
            self.answered |= 1 << answer.leaf;
        }
    }

    /// Sets the answer of the `leaf`-th answered criterion (printed order) to its `option`-th
    /// option (`None` for `none`). For bulk code that maps columns to leaves once.
    pub fn set_leaf(&mut self, leaf: usize, option: Option<usize>) -> Result<(), AnswerError> {
        let count = self.form.leaves.option_count.get(leaf).copied();
        match (count, option) {
            (Some(_), None) => {
                self.answers[leaf] = 0;
            }
            (Some(n), Some(o)) if o < n as usize => {
                self.answers[leaf] = 1 << o;
            }
            _ => {
                return Err(AnswerError {
                    criterion: format!("#{leaf}"),
                    message: format!("no option #{option:?} for answered criterion #{leaf}"),
                    valid: Vec::new(),
                    suggestion: None,
                });
            }
        }
        self.answered |= 1 << leaf;
        Ok(())
    }

    /// Answers the `leaf`-th answered criterion with a key as written in a spreadsheet cell:
    /// an option key, `yes`/`no`, `none`, or ticked keys joined by `+` for a cumulative
    /// criterion (`a+c`). Allocates only to report an error.
    pub fn set_leaf_key(&mut self, leaf: usize, key: &str) -> Result<(), AnswerError> {
        let form = self.form;
        let lv = &form.leaves;
        // The common cell, one letter for a one-pick criterion, is resolved from the flat leaf
        // arrays alone; everything else takes the general path below.
        if let (&[letter], Some(0), Some(&count), Some(&start)) = (
            key.as_bytes(),
            lv.info.get(leaf).map(|f| f.flags & LEAF_CUMULATIVE),
            lv.option_count.get(leaf),
            lv.option_start.get(leaf),
        ) {
            let i = usize::from(letter.wrapping_sub(b'a'));
            if i < usize::from(count)
                && lv.option_letter.get(start as usize + i) == Some(&letter)
                && let Some(slot) = self.answers.get_mut(leaf)
            {
                *slot = 1 << i;
                self.answered |= 1 << leaf;
                return Ok(());
            }
        }
        let Some(&node) = form.leaves.node.get(leaf) else {
            return Err(AnswerError {
                criterion: format!("#{leaf}"),
                message: format!("the form has no answered criterion #{leaf}"),
                valid: Vec::new(),
                suggestion: None,
            });
        };
        let criterion = &form.nodes[node];
        let options = form.options(criterion);
        let key = key.trim();
        let bits = if key == "none" {
            0
        } else if criterion.kind == CriterionKind::Cumulative {
            let mut bits = 0u64;
            for part in key.split('+') {
                match option_index(options, part.trim()) {
                    Some(i) => bits |= 1 << i,
                    None => return Err(form.bad_key(criterion, part.trim())),
                }
            }
            bits
        } else {
            match option_index(options, key) {
                Some(i) => 1 << i,
                None => return Err(form.bad_key(criterion, key)),
            }
        };
        self.answers[leaf] = bits;
        self.answered |= 1 << leaf;
        Ok(())
    }

    /// Answers the `leaf`-th answered criterion with the bit set of its options (already
    /// checked by the caller: the bulk reader's one-letter keys).
    #[inline]
    #[cfg_attr(not(feature = "bulk"), allow(dead_code))]
    pub(crate) fn set_leaf_bits(&mut self, leaf: usize, bits: u64) {
        if let Some(slot) = self.answers.get_mut(leaf) {
            *slot = bits;
            self.answered |= 1 << leaf;
        }
    }

    /// Sets a fact (`falsified_dossier`, …) to true or false.
    pub fn set_fact(&mut self, id: &str, value: bool) -> Result<(), AnswerError> {
        match self.form.fact_index(id) {
            Some(i) => {
                if value {
                    self.facts |= 1 << i;
                } else {
                    self.facts &= !(1 << i);
                }
                Ok(())
            }
            None => {
                let valid: Vec<String> = self.form.facts.iter().map(|f| f.id.clone()).collect();
                Err(AnswerError {
                    criterion: id.to_string(),
                    message: format!("unknown fact `{id}`"),
                    suggestion: did_you_mean(id, valid.iter().map(String::as_str)),
                    valid,
                })
            }
        }
    }

    /// Forgets every answer and fact, keeping the allocation.
    pub fn clear(&mut self) {
        self.answers.iter_mut().for_each(|a| *a = 0);
        self.answered = 0;
        self.facts = 0;
    }

    /// The keys chosen for criterion `id` (empty for `none` or unanswered).
    pub fn keys(&self, id: &str) -> Vec<&'f str> {
        let form = self.form;
        let Some(c) = form.criterion(id) else { return Vec::new() };
        let Some(leaf) = c.leaf else { return Vec::new() };
        let bits = self.answers[leaf];
        form.options(c)
            .iter()
            .enumerate()
            .filter(|(i, _)| bits >> i & 1 == 1)
            .map(|(_, o)| o.key.as_str())
            .collect()
    }
}

/// The index of the option keyed `key`. Options are keyed `a`, `b`, `c`… in printed order, so a
/// one-letter key is first tried at its place in the alphabet: bulk input resolves tens of
/// millions of cells, and a scan of string comparisons was a third of `ocop bulk`'s time.
#[inline]
pub(crate) fn option_index(options: &[crate::form::Choice], key: &str) -> Option<usize> {
    if let &[letter] = key.as_bytes()
        && let Some(i) = letter.checked_sub(b'a').map(usize::from)
        && options.get(i).is_some_and(|o| o.key.as_bytes() == [letter])
    {
        return Some(i);
    }
    options.iter().position(|o| o.key == key)
}

/// How a criterion was treated on one sheet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Scored from its answer.
    Scored,
    /// Its `applies_if` condition did not hold: 0 points (ruling 4).
    NotApplicable,
    /// Not evaluated: an earlier criterion's stop ended the evaluation (or, for a stop of
    /// `scope: section`, its section) before it (ruling 9): 0 points.
    Stopped {
        /// The leaf index of the criterion whose stop fired.
        by: usize,
    },
    /// The requirement printed on the criterion is stated unmet (ruling 11): 0 points.
    RequirementUnmet,
}

/// Receives every scored leaf; the trace plugs in here, the plain score does not.
pub(crate) trait Recorder {
    const ON: bool;
    fn leaf(&mut self, member: usize, leaf: usize, answer: u64, status: Status, points: i64);
}

pub(crate) struct NoTrace;

impl Recorder for NoTrace {
    const ON: bool = false;
    #[inline(always)]
    fn leaf(&mut self, _: usize, _: usize, _: u64, _: Status, _: i64) {}
}

/// The result of scoring: exact totals, the band, the final class and why.
///
/// Plain data that borrows the form for its names; no heap allocation.
#[derive(Clone, Copy, Debug)]
pub struct Outcome<'f> {
    form: &'f Form,
    members: u32,
    total: Points,
    parts: [Points; MAX_PARTS],
    band_stars: u8,
    class: u8,
    disqualified: Option<u16>,
    stopped_at: Option<u16>,
    stopped_sheets: u32,
    /// The minimums that held the class down: bit `b` is minimum `limit_base + b`.
    limits: u64,
    limit_base: u16,
    /// What each of them got (the sum over the members), in the order of the bits.
    got: [i64; MAX_MINIMUMS_PER_CLASS],
    on: Option<Date>,
}

/// Where an evaluation stopped: see [`Outcome::stopped`].
#[derive(Clone, Copy, Debug)]
pub struct Stopped<'f> {
    /// The criterion whose stop fired (the earliest, in a council).
    pub criterion: &'f Criterion,
    /// Its printed stop: the note and the scope.
    pub stop: &'f crate::form::Stop,
    /// On how many sheets a stop fired (1 for a single sheet).
    pub sheets: u32,
}

/// A minimum that held the class down: criterion, the class it blocked, what it needed, what it got.
#[derive(Clone, Copy, Debug)]
pub struct Limit<'f> {
    /// The criterion.
    pub criterion: &'f Criterion,
    /// The class it blocked.
    pub stars: u8,
    /// The points needed (the marked option's or the table's).
    pub needed: Points,
    /// The option that sets the requirement.
    pub option_key: &'f str,
    /// The points it got (the council mean).
    pub got: Mean,
    /// Where the requirement comes from.
    pub minimum: &'f crate::form::Minimum,
}

impl<'f> Outcome<'f> {
    /// The form scored.
    pub fn form(&self) -> &'f Form {
        self.form
    }
    /// How many sheets were averaged (1 for a single sheet).
    pub fn members(&self) -> u32 {
        self.members
    }
    /// The exact total (the mean of the members' totals).
    pub fn total(&self) -> Decimal {
        self.total_mean().to_decimal().normalize()
    }
    /// The sum of the members' totals.
    pub(crate) fn total_sum(&self) -> Points {
        self.total
    }
    /// The total as an exact mean, for exact comparisons.
    pub fn total_mean(&self) -> Mean {
        Mean::new(self.total, self.members)
    }
    /// Part totals in the form's order, e.g. `[("A", 24), ("B", 10), ("C", 21)]`.
    pub fn parts(&self) -> impl Iterator<Item = (&'f str, Mean)> + '_ {
        let form = self.form;
        form.parts.iter().zip(self.parts).map(move |(p, sum)| (p.id.as_str(), Mean::new(sum, self.members)))
    }
    /// The class from the score alone (1–5).
    pub fn band_stars(&self) -> u8 {
        self.band_stars
    }
    /// The class after minimums, before knock-outs.
    pub fn class_after_minimums(&self) -> u8 {
        self.class
    }
    /// The final class, or `None` when a knock-out disqualified the product.
    pub fn stars(&self) -> Option<u8> {
        if self.disqualified.is_some() { None } else { Some(self.class) }
    }
    /// The lodging date the minimums were judged on (`None`: every minimum applied).
    pub fn judged_on(&self) -> Option<Date> {
        self.on
    }
    /// The knock-out that disqualified the product, if any.
    pub fn disqualified(&self) -> Option<&'f Knockout> {
        self.disqualified.and_then(|k| self.form.knockouts.get(k as usize))
    }
    /// Where the evaluation stopped (ruling 9), if a stop fired on any sheet: the earliest
    /// stopping criterion, and on how many sheets a stop fired. The product keeps the points
    /// given before the stop and is classed on them; a stop is not a knock-out.
    pub fn stopped(&self) -> Option<Stopped<'f>> {
        let form = self.form;
        let criterion = form.leaves().nth(usize::from(self.stopped_at?))?;
        let stop = criterion.stop()?;
        Some(Stopped { criterion, stop, sheets: self.stopped_sheets })
    }
    /// The minimums that blocked the class just above [`Outcome::class_after_minimums`], in form order.
    pub fn limited_by(&self) -> impl Iterator<Item = Limit<'f>> + '_ {
        let form = self.form;
        let members = self.members;
        let base = usize::from(self.limit_base);
        let mut bits = self.limits;
        self.got.iter().map_while(move |&got| {
            if bits == 0 {
                return None;
            }
            let b = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            let m = form.minimums.get(base + b)?;
            Some(Limit {
                criterion: form.minimum_criterion(m),
                stars: m.stars,
                needed: m.at_least,
                option_key: &form.minimum_option(m).key,
                got: Mean::new(Points(got), members),
                minimum: m,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::SheetGenerator;

    /// Everything an outcome says, for comparing two paths.
    fn summary(o: &Outcome<'_>) -> String {
        let limits: Vec<String> = o
            .limited_by()
            .map(|l| format!("{}@{}:{}/{}", l.criterion.id(), l.stars, l.got, l.needed))
            .collect();
        let parts: Vec<String> = o.parts().map(|(id, m)| format!("{id}={m}")).collect();
        format!(
            "total={} parts={parts:?} band={} class={} stars={:?} ko={:?} stopped={:?} limits={limits:?} on={:?}",
            o.total_mean(),
            o.band_stars(),
            o.class_after_minimums(),
            o.stars(),
            o.disqualified().map(|k| k.id()),
            o.stopped().map(|s| (s.criterion.id(), s.sheets)),
            o.judged_on(),
        )
    }

    /// The single-sheet plan and the council path agree on every shipped form (and the made-up
    /// future decision), with facts and lodging dates drawn at random: the plan is an
    /// optimisation, never a second reading of the rules.
    #[test]
    fn the_single_sheet_plan_agrees_with_the_council_path() {
        let catalog = crate::CatalogBuilder::new()
            .embedded()
            .dir(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/future"))
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        let dates = [None, Date::new(2020, 6, 7), Date::new(2020, 6, 8), Date::new(2030, 1, 1)];
        let mut g = SheetGenerator::new(11);
        let mut forms = 0;
        let mut held = 0;
        let mut stopped = 0;
        for form in catalog.forms() {
            assert!(
                form.plan().fast,
                "set {} of {} takes the general path",
                form.set(),
                form.decision().key()
            );
            forms += 1;
            for n in 0..400 {
                let mut sheet = g.sheet(form);
                if n % 3 == 0 {
                    for (f, _) in form.facts().iter().enumerate() {
                        if g.below(4) == 0 {
                            sheet.facts |= 1 << f;
                        }
                    }
                }
                let on = dates[n % dates.len()];
                let fast = form.run(std::slice::from_ref(&sheet), &mut NoTrace, on);
                let general = form.run_council(std::slice::from_ref(&sheet), &mut NoTrace, on);
                assert_eq!(
                    summary(&fast),
                    summary(&general),
                    "set {} of {}",
                    form.set(),
                    form.decision().key()
                );
                held += usize::from(fast.limited_by().next().is_some());
                stopped += usize::from(fast.stopped().is_some());
            }
        }
        assert!(forms > 70 && held > 1000 && stopped > 1000, "{forms} forms, {held} held, {stopped} stopped");
    }
}
