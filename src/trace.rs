//! The audit trace: for every criterion, every member's answer, the option text, the points, the
//! maximum, the source reference, and why it scored 0 when it was not applicable.
//!
//! A trace is opt-in: [`Form::trace`] runs the same loop as [`Form::score`] with a recorder
//! plugged in. Its lines borrow their texts from the compiled form.

use crate::error::AssessmentError;
use crate::form::{Choice, Criterion, Form, Part, Section};
use crate::points::{Mean, Points};
use crate::score::{Outcome, Recorder, Sheet, Status};

/// One member's answer to one criterion, as scored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cell {
    answer: u64,
    /// How the criterion was treated.
    pub status: Status,
    /// Points given.
    pub points: Points,
}

/// The scored result with every line that explains it.
#[derive(Clone, Debug)]
pub struct Trace<'f> {
    outcome: Outcome<'f>,
    members: Vec<String>,
    cells: Vec<Cell>,
}

/// Cells are stored criterion-major (all members of criterion 1, then of criterion 2…), so
/// that each trace line's cells are one slice.
struct Recording {
    members: usize,
    cells: Vec<Cell>,
}

impl Recorder for Recording {
    const ON: bool = true;
    fn leaf(&mut self, member: usize, leaf: usize, answer: u64, status: Status, points: i64) {
        if let Some(cell) = self.cells.get_mut(leaf * self.members + member) {
            *cell = Cell { answer, status, points: Points::from_hundredths(points) };
        }
    }
}

impl Form {
    /// Scores like [`Form::score_council`] and keeps every line for the audit trace.
    /// `names` label the members (missing names are numbered).
    ///
    /// ```
    /// let catalog = ocop_rating::Catalog::embedded()?;
    /// let form = catalog.form("26-2026", "01", None)?;
    /// let mut sheet = form.sheet();
    /// for criterion in form.leaves() {
    ///     let top = form.options(criterion).last().unwrap().key().to_string();
    ///     sheet.set(criterion.id(), &top)?;
    /// }
    /// let trace = form.trace(&[sheet], &[])?;
    /// assert_eq!(trace.outcome().stars(), Some(5));
    /// let first = trace.lines().next().unwrap();
    /// assert_eq!(first.criterion.id(), "1.1");
    /// assert_eq!(first.mean.to_string(), "3");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn trace<'f>(&'f self, sheets: &[Sheet<'f>], names: &[String]) -> Result<Trace<'f>, AssessmentError> {
        self.trace_on(sheets, names, None)
    }

    /// [`Form::trace`] for a dossier lodged on `on` (see [`Form::score_council_on`]).
    pub fn trace_on<'f>(
        &'f self,
        sheets: &[Sheet<'f>],
        names: &[String],
        on: Option<crate::date::Date>,
    ) -> Result<Trace<'f>, AssessmentError> {
        self.check_sheets(sheets)?;
        let leaves = self.leaf_count();
        let empty = Cell { answer: 0, status: Status::Scored, points: Points::ZERO };
        let mut rec = Recording { members: sheets.len(), cells: vec![empty; leaves * sheets.len()] };
        let outcome = self.run(sheets, &mut rec, on);
        let members = (0..sheets.len())
            .map(|i| names.get(i).cloned().unwrap_or_else(|| format!("member {}", i + 1)))
            .collect();
        Ok(Trace { outcome, members, cells: rec.cells })
    }
}

/// One criterion of the trace.
#[derive(Clone, Copy, Debug)]
pub struct TraceLine<'t, 'f> {
    /// The criterion.
    pub criterion: &'f Criterion,
    /// Its section.
    pub section: &'f Section,
    /// Its part.
    pub part: &'f Part,
    /// Each member's cell, in member order.
    pub cells: &'t [Cell],
    /// The mean points.
    pub mean: Mean,
    form: &'f Form,
}

impl<'t, 'f> TraceLine<'t, 'f> {
    /// The options a member chose (one for a pick, any number for a cumulative criterion,
    /// none for `none`).
    pub fn chosen(&self, member: usize) -> Vec<&'f Choice> {
        let bits = self.cells.get(member).map_or(0, |c| c.answer);
        self.form
            .options(self.criterion)
            .iter()
            .enumerate()
            .filter(|(i, _)| bits >> i & 1 == 1)
            .map(|(_, o)| o)
            .collect()
    }

    /// The answer as keys, e.g. `c`, `yes`, `a+c`, or `none`.
    pub fn answer_text(&self, member: usize) -> String {
        let chosen = self.chosen(member);
        if chosen.is_empty() {
            "none".into()
        } else {
            chosen.iter().map(|o| o.key()).collect::<Vec<_>>().join("+")
        }
    }

    /// Why the criterion scored 0 without regard to its answer, if it did (member `member`).
    pub fn reason_zero(&self, member: usize) -> Option<String> {
        match self.cells.get(member)?.status {
            Status::Scored => None,
            Status::NotApplicable => Some(format!(
                "not applicable: {}",
                self.criterion.applies_if_note().unwrap_or("its condition does not hold")
            )),
            Status::Stopped { by } => {
                let stopper = self.form.leaves().nth(by);
                Some(format!(
                    "not evaluated: stopped at {} — {}",
                    stopper.map_or("an earlier criterion", |c| c.id()),
                    stopper.and_then(|c| c.stop()).map_or("the evaluation was stopped", |s| s.note_vi())
                ))
            }
            Status::RequirementUnmet => Some(format!(
                "requirement not met: {}",
                self.criterion.requirement().map_or("its printed requirement", |q| q.text_vi())
            )),
        }
    }
}

impl<'f> Trace<'f> {
    /// The outcome.
    pub fn outcome(&self) -> &Outcome<'f> {
        &self.outcome
    }
    /// Member names, in order.
    pub fn members(&self) -> &[String] {
        &self.members
    }
    /// The form.
    pub fn form(&self) -> &'f Form {
        self.outcome.form()
    }
    /// Each member's total, in member order.
    pub fn member_totals(&self) -> Vec<Points> {
        let members = self.members.len();
        (0..members).map(|m| self.cells.iter().skip(m).step_by(members).map(|c| c.points).sum()).collect()
    }
    /// Each member's part totals, in member order.
    pub fn member_parts(&self) -> Vec<Vec<Points>> {
        let form = self.form();
        let members = self.members.len();
        (0..members)
            .map(|m| {
                let mut parts = vec![Points::ZERO; form.parts.len()];
                for (i, cell) in self.cells.iter().skip(m).step_by(members).enumerate() {
                    let p = form.leaves.part[i] as usize;
                    parts[p] = parts[p] + cell.points;
                }
                parts
            })
            .collect()
    }
    /// One line per answered criterion, in printed order.
    pub fn lines(&self) -> impl Iterator<Item = TraceLine<'_, 'f>> + '_ {
        let form = self.form();
        let leaves = form.leaf_count();
        let members = self.members.len();
        (0..leaves).map(move |i| {
            let node = form.leaves.node[i];
            let criterion = &form.nodes[node];
            let section = &form.sections[criterion.section];
            let part = &form.parts[section.part];
            let cells: &[Cell] = &self.cells[i * members..(i + 1) * members];
            let sum: Points = cells.iter().map(|c| c.points).sum();
            TraceLine { criterion, section, part, cells, mean: Mean::new(sum, members as u32), form }
        })
    }
}
