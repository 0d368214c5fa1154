//! Bulk scoring: many sheets or assessments, in input order, sequentially or in parallel.
//!
//! Scoring a sheet allocates nothing; a batch allocates its output vector once. Sheets of
//! different forms may be mixed: each sheet knows its form. With the `parallel` feature the
//! `*_par` functions use every core (rayon) and still return outcomes in input order.
//!
//! ```
//! use ocop_rating::{Catalog, batch, generate::SheetGenerator};
//! let catalog = Catalog::embedded()?;
//! let form = catalog.form("26-2026", "01", None)?;
//! let mut generator = SheetGenerator::new(42);
//! let sheets: Vec<_> = (0..1000).map(|_| generator.sheet(form)).collect();
//! let outcomes = batch::score_sheets(&sheets);
//! assert_eq!(outcomes.len(), 1000);
//! assert!(outcomes.iter().all(|o| o.is_ok()));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::assessment::{Assessment, Scored};
use crate::catalog::Catalog;
use crate::error::AssessmentError;
use crate::score::{Outcome, Sheet};

/// Scores each sheet with its own form, in order.
pub fn score_sheets<'f>(sheets: &[Sheet<'f>]) -> Vec<Result<Outcome<'f>, AssessmentError>> {
    sheets.iter().map(|s| s.form.score(s)).collect()
}

/// Scores each sheet into `out` (cleared first), reusing its allocation: no allocation at all
/// once `out` has grown to the batch size and every sheet is complete.
pub fn score_sheets_into<'f>(sheets: &[Sheet<'f>], out: &mut Vec<Result<Outcome<'f>, AssessmentError>>) {
    out.clear();
    out.extend(sheets.iter().map(|s| s.form.score(s)));
}

/// [`score_sheets_into`] on every core: outcomes in input order, written into `out` (cleared
/// first), reusing its allocation. A fresh vector per batch costs more than the scoring: an
/// outcome is about 600 bytes, and 100,000 of them are 60 MB of new pages to fault in.
#[cfg(feature = "parallel")]
pub fn score_sheets_par_into<'f>(sheets: &[Sheet<'f>], out: &mut Vec<Result<Outcome<'f>, AssessmentError>>) {
    use rayon::prelude::*;
    out.clear();
    out.par_extend(sheets.par_iter().map(|s| s.form.score(s)));
}

/// Scores assessments against the catalog, in order.
pub fn score_assessments<'c>(
    catalog: &'c Catalog,
    items: &[Assessment],
) -> Vec<Result<Scored<'c>, AssessmentError>> {
    items.iter().map(|a| catalog.score(a)).collect()
}

/// Scores assessments from any iterator, lazily and in order: for a stream too large to hold
/// (a file read line by line, a database cursor). Each item is scored when the returned
/// iterator reaches it; for parallel scoring, collect chunks into slices and use
/// `score_assessments_par` (feature `parallel`).
///
/// ```
/// use ocop_rating::{Assessment, Catalog, batch};
/// let catalog = Catalog::embedded()?;
/// let text = std::fs::read_to_string("examples/26-2026-01-rau-cai.yaml")?;
/// let stream = (0..3).map(|i| Assessment::from_text(&format!("sheet-{i}.yaml"), &text).unwrap());
/// let stars: Vec<Option<u8>> =
///     batch::score_iter(&catalog, stream).map(|r| r.map(|s| s.outcome().stars())).collect::<Result<_, _>>()?;
/// assert_eq!(stars, [Some(3), Some(3), Some(3)]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn score_iter<'c, I>(
    catalog: &'c Catalog,
    items: I,
) -> impl Iterator<Item = Result<Scored<'c>, AssessmentError>> + use<'c, I>
where
    I: IntoIterator<Item = Assessment>,
{
    items.into_iter().map(move |a| catalog.score(&a))
}

/// [`score_sheets`] on every core; outcomes in input order.
#[cfg(feature = "parallel")]
pub fn score_sheets_par<'f>(sheets: &[Sheet<'f>]) -> Vec<Result<Outcome<'f>, AssessmentError>> {
    use rayon::prelude::*;
    sheets.par_iter().map(|s| s.form.score(s)).collect()
}

/// [`score_assessments`] on every core; results in input order.
#[cfg(feature = "parallel")]
pub fn score_assessments_par<'c>(
    catalog: &'c Catalog,
    items: &[Assessment],
) -> Vec<Result<Scored<'c>, AssessmentError>> {
    use rayon::prelude::*;
    items.par_iter().map(|a| catalog.score(a)).collect()
}
