//! The evaluate stage: sheets of answers in, an exact [`Outcome`] out.
//!
//! The scoring loop walks the compiled form's flat leaf arrays with integer points (hundredths),
//! a bit set of scored leaves, and stack arrays for the sums: no heap allocation, whatever the
//! number of criteria. The same loop, with a recorder plugged in, builds the audit trace.

use crate::date::Date;
use crate::diag::{Diagnostic, DiagnosticKind, did_you_mean, list_names};
use crate::doc::CriterionKind;
use crate::error::AssessmentError;
use crate::form::{
    Criterion, Form, Knockout, LEAF_APPLIES_IF, LEAF_CUMULATIVE, LEAF_REQUIREMENT, LEAF_STOPS, MAX_LEAVES,
    MAX_PARTS,
};
use crate::points::{Mean, Points};
use rust_decimal::Decimal;

/// The most minimums one class may have (checked when a form is loaded).
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
    pub fn score_council_on<'f>(
        &'f self,
        sheets: &[Sheet<'f>],
        on: Option<Date>,
    ) -> Result<Outcome<'f>, AssessmentError> {
        self.check_sheets(sheets)?;
        Ok(self.run(sheets, &mut NoTrace, on))
    }

    pub(crate) fn check_sheets(&self, sheets: &[Sheet<'_>]) -> Result<(), AssessmentError> {
        let mut diagnostics = Vec::new();
        if sheets.is_empty() {
            diagnostics.push(
                Diagnostic::error(DiagnosticKind::MissingAnswer, "members", "a council with no members")
                    .expected("at least one sheet"),
            );
        }
        let full = if self.leaf_count() == 128 { u128::MAX } else { (1u128 << self.leaf_count()) - 1 };
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
                        format!("{} criteria not answered: {}", missing.len(), list_names(&missing, 40)),
                    )
                    .expected("an answer to every criterion (`none` when no option is met)"),
                );
            }
        }
        if diagnostics.is_empty() { Ok(()) } else { Err(AssessmentError::new(diagnostics)) }
    }

    /// The scoring loop. `sheets` are checked (same form, complete).
    pub(crate) fn run<'f, R: Recorder>(
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
            if knocked.is_none() && !(facts == 0 && self.knockouts_on_facts_only) {
                knocked = self
                    .knockouts
                    .iter()
                    .position(|k| k.when.eval(answers, skipped, facts))
                    .map(|k| k as u16);
            }
        }

        let members = sheets.len().max(1) as u32;
        let n = i64::from(members);
        let total: i64 = part_sum.iter().sum();
        let band_stars = self.decision.band_of(Points(total), members);
        // Ruling 2: the highest class k not above the band whose minimums, and those of every
        // class below, are all met.
        let mut class = band_stars;
        let mut limits = [Limit0::default(); MAX_MINIMUMS_PER_CLASS];
        let mut limit_count = 0usize;
        let mut k = 0u8;
        let mut failed = false;
        for (mi, m) in self.minimums.iter().enumerate() {
            if m.stars > band_stars {
                break;
            }
            if !m.applies_on(on) {
                continue;
            }
            if failed && m.stars != k {
                break;
            }
            k = m.stars;
            let got = leaf_sum[m.leaf];
            if got < m.at_least.hundredths() * n {
                failed = true;
                class = class.min(m.stars - 1);
                if limit_count < MAX_MINIMUMS_PER_CLASS {
                    limits[limit_count] = Limit0 { minimum: mi as u16, got };
                    limit_count += 1;
                }
            }
        }
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
            limit_count: limit_count as u8,
            on,
        }
    }
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
            if i < usize::from(count) && lv.option_letter.get(start as usize + i) == Some(&letter) {
                if let Some(slot) = self.answers.get_mut(leaf) {
                    *slot = 1 << i;
                    self.answered |= 1 << leaf;
                    return Ok(());
                }
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
fn option_index(options: &[crate::form::Choice], key: &str) -> Option<usize> {
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

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Limit0 {
    minimum: u16,
    got: i64,
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
    limits: [Limit0; MAX_MINIMUMS_PER_CLASS],
    limit_count: u8,
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
        self.limits[..self.limit_count as usize].iter().map(move |l| {
            let m = &form.minimums[l.minimum as usize];
            Limit {
                criterion: form.minimum_criterion(m),
                stars: m.stars,
                needed: m.at_least,
                option_key: &form.minimum_option(m).key,
                got: Mean::new(Points(l.got), members),
                minimum: m,
            }
        })
    }
}
