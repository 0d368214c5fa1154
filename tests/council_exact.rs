//! Councils are judged on exact fractions, never on rounded means (rulings 1 and 6).
//!
//! With whole-point options, a council's mean can come within 0.005 of a boundary only with more
//! than 200 members: 250 sheets whose totals add up to 250·B − 1 have the mean B − 0.004, which
//! shows as B.00 at two places. Such councils are built here for every shipped form, at every
//! band boundary and at a star marker, and the class must be the one of the exact fraction.
//! Banding or judging markers on a mean rounded to hundredths fails these tests (regression
//! cases cannot: their councils are capped at 100 members, see `Limits`).

use ocop_rating::{Catalog, Form, Points, Sheet};

const MEMBERS: u32 = 250;

fn catalog() -> Catalog {
    Catalog::embedded().unwrap_or_else(|e| panic!("{e}"))
}

fn total(form: &Form, sheet: &Sheet<'_>) -> i64 {
    form.score(sheet).unwrap_or_else(|e| panic!("{e}")).total_mean().sum().hundredths()
}

/// Every criterion at its highest option.
fn top_sheet(form: &Form) -> Sheet<'_> {
    let mut sheet = form.sheet();
    for (leaf, c) in form.leaves().enumerate() {
        let options = form.options(c);
        let best = (0..options.len()).max_by_key(|&i| (options[i].points(), i));
        sheet.set_leaf(leaf, best).unwrap_or_else(|e| panic!("{e}"));
    }
    sheet
}

/// A sheet of `form` totalling exactly `target` hundredths, lowered from `from` one criterion at a
/// time (from the last), each to the option that keeps the total closest above the target. The
/// engine's own single-sheet totals are used only to steer; the test's subject is the council.
fn sheet_totalling<'f>(form: &'f Form, from: &Sheet<'f>, target: i64) -> Option<Sheet<'f>> {
    let mut sheet = from.clone();
    for pass in 0..2 {
        for (leaf, c) in form.leaves().enumerate().collect::<Vec<_>>().into_iter().rev() {
            if total(form, &sheet) == target {
                return Some(sheet);
            }
            let mut best: Option<(i64, Option<usize>)> = None;
            let choices: Vec<Option<usize>> =
                std::iter::once(None).chain((0..form.options(c).len()).map(Some)).collect();
            for choice in choices {
                let mut trial = sheet.clone();
                trial.set_leaf(leaf, choice).ok()?;
                let t = total(form, &trial);
                if t >= target && best.is_none_or(|(b, _)| t < b) {
                    best = Some((t, choice));
                }
            }
            if let Some((_, choice)) = best {
                sheet.set_leaf(leaf, choice).ok()?;
            }
        }
        let _ = pass;
    }
    (total(form, &sheet) == target).then_some(sheet)
}

#[test]
fn a_council_mean_just_below_a_band_boundary_is_in_the_lower_band() {
    let catalog = catalog();
    let mut checked = 0;
    for form in catalog.forms() {
        let top = top_sheet(form);
        for band in form.decision().bands().iter().skip(1) {
            let boundary = band.from.hundredths();
            let (Some(on), Some(below)) =
                (sheet_totalling(form, &top, boundary), sheet_totalling(form, &top, boundary - 100))
            else {
                continue;
            };
            // (249 · B + (B − 1)) / 250 = B − 1/250 = B − 0.004: below B, shown as B.00.
            let mut sheets = vec![on; MEMBERS as usize - 1];
            sheets.push(below);
            let outcome = form.score_council(&sheets).unwrap_or_else(|e| panic!("{e}"));
            let mean = outcome.total_mean();
            assert_eq!(mean.sum().hundredths(), boundary * i64::from(MEMBERS) - 100);
            assert_eq!(mean.display(2), Points::from_hundredths(boundary).to_decimal().round_dp(2));
            assert_eq!(
                outcome.band_stars(),
                band.stars - 1,
                "set {} of {}: the mean {} is below {} but banded {}",
                form.set(),
                form.decision().key(),
                mean.to_decimal(),
                band.from,
                outcome.band_stars()
            );
            checked += 1;
        }
    }
    // Four boundaries (30, 50, 70, 90) on each of the 79 forms, where whole points reach them.
    assert!(checked >= 79 * 4 * 9 / 10, "only {checked} boundaries could be built");
}

#[test]
fn a_council_mean_just_below_a_star_marker_does_not_meet_it() {
    let catalog = catalog();
    let mut checked = 0;
    for form in catalog.forms() {
        let top = top_sheet(form);
        if form.score(&top).map(|o| o.stars()).ok().flatten() != Some(5) {
            continue;
        }
        for (leaf, c) in form.leaves().enumerate() {
            let options = form.options(c);
            for (i, marked) in options.iter().enumerate() {
                let Some(stars) = marked.star() else { continue };
                // An option exactly one point below the marked one.
                let Some(lower) = options
                    .iter()
                    .position(|o| o.points().hundredths() == marked.points().hundredths() - 100)
                else {
                    continue;
                };
                let mut on = top.clone();
                on.set_leaf(leaf, Some(i)).unwrap_or_else(|e| panic!("{e}"));
                let mut below = top.clone();
                below.set_leaf(leaf, Some(lower)).unwrap_or_else(|e| panic!("{e}"));
                let mut sheets = vec![on.clone(); MEMBERS as usize - 1];
                sheets.push(below);
                let council = form.score_council(&sheets).unwrap_or_else(|e| panic!("{e}"));
                let alone = form.score(&on).unwrap_or_else(|e| panic!("{e}"));
                // Only the marker can hold the class: the others are met on every sheet.
                if alone.stars() != Some(alone.band_stars()) || council.band_stars() < stars {
                    continue;
                }
                assert!(
                    council.stars().is_some_and(|s| s < stars),
                    "set {} of {}: {}'s mean is {} points below its {}-star marker, yet class {:?}",
                    form.set(),
                    form.decision().key(),
                    c.id(),
                    Points::from_hundredths(100).to_decimal() / rust_decimal::Decimal::from(MEMBERS),
                    stars,
                    council.stars()
                );
                assert!(council.limited_by().any(|l| l.criterion.id() == c.id()));
                checked += 1;
            }
        }
    }
    assert!(checked >= 100, "only {checked} markers could be checked");
}
