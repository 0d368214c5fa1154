//! The batch API: sequential and parallel scoring give the same outcomes, in input order, with
//! an incomplete sheet reported at its own place; the reusing variants reuse their vector.
//!
//! These compare the engine with itself (one path against another), not with the law: they
//! catch a batch path that drifts from the single-sheet one, not a wrong score. Correctness is
//! tested by the hand-worked regression cases and the reference-scorer properties.

use ocop_rating::generate::SheetGenerator;
use ocop_rating::{Catalog, Sheet, batch};

/// (total, band class, final class) or the error text, per sheet.
type Summary = Result<(String, u8, Option<u8>), String>;

fn summaries(outcomes: &[Result<ocop_rating::Outcome<'_>, ocop_rating::AssessmentError>]) -> Vec<Summary> {
    outcomes
        .iter()
        .map(|o| match o {
            Ok(o) => Ok((o.total().to_string(), o.band_stars(), o.stars())),
            Err(e) => Err(e.to_string()),
        })
        .collect()
}

#[test]
fn parallel_batches_match_the_sequential_one_in_order() {
    let catalog = Catalog::embedded().unwrap();
    let forms: Vec<_> = catalog.forms_of("26-2026").iter().collect();
    let mut g = SheetGenerator::new(11);
    // 5,000 sheets of every 26-2026 form, interleaved, and one incomplete sheet at index 1234.
    let mut sheets: Vec<Sheet<'_>> = (0..5000).map(|i| g.sheet(forms[i % forms.len()])).collect();
    sheets[1234] = forms[0].sheet();
    let sequential = summaries(&batch::score_sheets(&sheets));
    assert_eq!(sequential.len(), 5000);
    assert!(sequential[1234].as_ref().is_err_and(|e| e.contains("not answered")), "{:?}", sequential[1234]);
    assert_eq!(sequential.iter().filter(|s| s.is_err()).count(), 1);
    // Each sheet alone gives the same result as its place in the batch.
    for i in [0, 1, 25, 26, 4999] {
        assert_eq!(summaries(&[sheets[i].form().score(&sheets[i])])[0], sequential[i]);
    }

    let mut out = Vec::new();
    batch::score_sheets_into(&sheets, &mut out);
    assert_eq!(summaries(&out), sequential);

    #[cfg(feature = "parallel")]
    {
        assert_eq!(summaries(&batch::score_sheets_par(&sheets)), sequential);
        let mut out = Vec::new();
        batch::score_sheets_par_into(&sheets, &mut out);
        assert_eq!(summaries(&out), sequential);
        // A second batch reuses the vector: same capacity, no reallocation.
        let capacity = out.capacity();
        batch::score_sheets_par_into(&sheets[..100], &mut out);
        assert_eq!(out.len(), 100);
        assert_eq!(out.capacity(), capacity);
        assert_eq!(summaries(&out), sequential[..100]);
    }
}

#[test]
fn assessments_from_an_iterator_come_out_in_order_like_the_slice_batch() {
    let catalog = Catalog::embedded().unwrap();
    let example = std::fs::read_to_string("examples/26-2026-01-rau-cai.yaml").unwrap();
    // Alternate the example with a copy that names an unknown set, so errors keep their place.
    let items: Vec<ocop_rating::Assessment> = (0..20)
        .map(|i| {
            let text =
                if i % 3 == 0 { example.replace("set: \"01\"", "set: \"77\"") } else { example.clone() };
            ocop_rating::Assessment::from_text(&format!("a{i}.yaml"), &text).unwrap()
        })
        .collect();
    let show = |r: &Result<ocop_rating::Scored<'_>, ocop_rating::AssessmentError>| match r {
        Ok(s) => format!("{} {}", s.assessment().file(), s.outcome().total()),
        Err(e) => format!("error {e}"),
    };
    let from_slice: Vec<String> = batch::score_assessments(&catalog, &items).iter().map(show).collect();
    let from_iter: Vec<String> = batch::score_iter(&catalog, items.clone()).map(|r| show(&r)).collect();
    assert_eq!(from_iter, from_slice);
    assert_eq!(from_iter.iter().filter(|s| s.starts_with("error")).count(), 7, "{from_iter:#?}");
    assert!(from_iter[1].starts_with("a1.yaml "), "{}", from_iter[1]);
    #[cfg(feature = "parallel")]
    {
        let parallel: Vec<String> = batch::score_assessments_par(&catalog, &items).iter().map(show).collect();
        assert_eq!(parallel, from_slice);
    }
}

/// `ocop bulk --format jsonl` writes records with `write_outcome_json_line`, without building a
/// `serde_json::Value`; its bytes must be exactly those of `outcome_json` with the id added.
#[test]
fn the_json_lines_writer_prints_the_json_value_byte_for_byte() {
    use ocop_rating::render;
    let catalog = Catalog::embedded().unwrap();
    let mut g = SheetGenerator::new(3);
    let mut held = 0;
    let mut knocked = 0;
    for form in catalog.forms() {
        for i in 0..40 {
            let mut sheet = g.sheet(form);
            // Every fourth sheet sets the form's first fact, to reach knock-outs too.
            if i % 4 == 0
                && let Some(fact) = form.facts().first()
            {
                sheet.set_fact(fact.id(), true).unwrap();
            }
            let outcome = form.score(&sheet).unwrap();
            held += usize::from(outcome.limited_by().next().is_some());
            knocked += usize::from(outcome.disqualified().is_some());
            let mut value = render::outcome_json(&outcome);
            value.as_object_mut().unwrap().insert("id".into(), serde_json::json!(format!("p\"{i}")));
            let mut line = Vec::new();
            render::write_outcome_json_line(&outcome, &format!("p\"{i}"), &mut line);
            assert_eq!(String::from_utf8(line).unwrap(), format!("{value}\n"));
        }
    }
    assert!(held > 100 && knocked > 100, "held {held}, knocked {knocked}");
}
