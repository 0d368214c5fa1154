//! Random valid sheets, for benchmarks, property tests and bulk-input generation.
//!
//! Deterministic for a seed (xorshift64*), no dependency. Answers are drawn like real councils
//! fill them: mostly the middle options, sometimes the top, rarely `none`.
//!
//! ```
//! use ocop_rating::{Catalog, generate::SheetGenerator};
//! let catalog = Catalog::embedded()?;
//! let form = catalog.form("26-2026", "01", None)?;
//! let mut g = SheetGenerator::new(7);
//! let sheet = g.sheet(form);
//! assert!(form.score(&sheet).is_ok());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::date::Date;
use crate::doc::CriterionKind;
use crate::form::Form;
use crate::score::Sheet;

/// The days on which a dossier lodged is scored with `form`, first and last: the days its
/// decision is in force, narrowed to the form version's days for a set with several versions
/// (1048's set 26). A decision still in force has no last day; its window is then the year from
/// its first day (or the version's). `None` when the version lies outside the decision's days.
///
/// A bulk row with a `lodged_on` in this window is scored with this form.
pub fn lodging_window(form: &Form) -> Option<(Date, Date)> {
    let decision = form.decision();
    let first = form.in_force_from().map_or(decision.in_force_from(), |d| d.max(decision.in_force_from()));
    let last = match (decision.in_force_until(), form.in_force_until()) {
        (Some(a), Some(b)) => a.min(b),
        (Some(a), None) | (None, Some(a)) => a,
        (None, None) => first.add_days(365),
    };
    (first <= last).then_some((first, last))
}

/// A deterministic generator of valid answer sheets.
#[derive(Clone, Debug)]
pub struct SheetGenerator {
    state: u64,
}

impl SheetGenerator {
    /// A generator for `seed` (any value; 0 is replaced by a constant).
    pub fn new(seed: u64) -> SheetGenerator {
        SheetGenerator { state: if seed == 0 { 0x9E37_79B9_7F4A_7C15 } else { seed } }
    }

    /// The next pseudo-random number.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.state = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() >> 32) as usize * n) >> 32
    }

    /// A day in `first..=last` (`first` when `last` is earlier).
    pub fn day_between(&mut self, first: Date, last: Date) -> Date {
        let span = usize::try_from(first.days_until(last)).unwrap_or(0).saturating_add(1);
        first.add_days(i64::try_from(self.below(span)).unwrap_or(0))
    }

    /// The option index to answer for a criterion with `count` options, or `None` for `none`.
    pub fn pick(&mut self, count: usize) -> Option<usize> {
        let roll = self.below(100);
        if roll < 3 || count == 0 {
            None
        } else if roll < 20 {
            Some(count - 1)
        } else {
            Some(self.below(count))
        }
    }

    /// A new sheet of `form` with random valid answers and no facts.
    pub fn sheet<'f>(&mut self, form: &'f Form) -> Sheet<'f> {
        let mut sheet = form.sheet();
        self.fill(&mut sheet);
        sheet
    }

    /// Fills `sheet` with random valid answers (clearing it first).
    pub fn fill(&mut self, sheet: &mut Sheet<'_>) {
        sheet.clear();
        let form = sheet.form();
        for (leaf, criterion) in form.leaves().enumerate() {
            let count = form.options(criterion).len();
            if criterion.kind() == CriterionKind::Cumulative {
                let mut bits = 0u64;
                for i in 0..count {
                    if self.below(2) == 1 {
                        bits |= 1 << i;
                    }
                }
                sheet.answers[leaf] = bits;
                sheet.answered |= 1 << leaf;
            } else {
                let _ = sheet.set_leaf(leaf, self.pick(count));
            }
        }
    }

    /// The answer keys of a random sheet, in leaf order, as text (`c`, `yes`, `none`, `a+c`).
    pub fn keys(&mut self, form: &Form) -> Vec<String> {
        form.leaves()
            .map(|criterion| {
                let options = form.options(criterion);
                if criterion.kind() == CriterionKind::Cumulative {
                    let ticked: Vec<&str> =
                        options.iter().filter(|_| self.below(2) == 1).map(|o| o.key()).collect();
                    if ticked.is_empty() { "none".to_string() } else { ticked.join("+") }
                } else {
                    match self.pick(options.len()) {
                        Some(i) => options[i].key().to_string(),
                        None => "none".to_string(),
                    }
                }
            })
            .collect()
    }
}
