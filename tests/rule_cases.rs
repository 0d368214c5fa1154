//! Runs every regression case under `rules/` against the shipped catalog, and the made-up
//! decision's cases (`tests/fixtures/future/99-2030/cases/`) against the shipped catalog plus
//! that decision: the rule files score as the law says, worked out by hand.

use ocop_rating::{CatalogBuilder, cases};

/// The hand-worked cases per decision folder. Counted exactly, so that a case that silently
/// stops loading (a renamed folder, a file the walk skips) fails here.
const SHIPPED: [(&str, usize); 3] = [("1048-2019", N1048), ("148-2023", N148), ("26-2026", N26)];
const N1048: usize = 177;
const N148: usize = 130;
const N26: usize = 158;

#[test]
fn every_shipped_case_passes() {
    let catalog = CatalogBuilder::new().embedded().build().unwrap_or_else(|e| panic!("{e}"));
    let mut all = Vec::new();
    for (decision, expected) in SHIPPED {
        let results = cases::run_path(&catalog, format!("rules/{decision}/cases"));
        assert_eq!(results.len(), expected, "cases of {decision}");
        all.extend(results);
    }
    assert_eq!(all.len(), cases::find("rules").len(), "every case under rules/ belongs to a decision folder");
    let report = cases::report(&all);
    assert!(all.iter().all(|r| r.passed()), "{report}");
}

#[test]
fn the_made_up_decisions_cases_pass() {
    let catalog = CatalogBuilder::new()
        .embedded()
        .dir("tests/fixtures/future")
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let results = cases::run_path(&catalog, "tests/fixtures/future/99-2030/cases");
    assert_eq!(results.len(), 3);
    let report = cases::report(&results);
    assert!(results.iter().all(|r| r.passed()), "{report}");
}
#[test]
fn a_wrong_expectation_fails_with_a_diff() {
    let catalog = CatalogBuilder::new()
        .embedded()
        .dir("tests/fixtures/future")
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let case = r#"
name: deliberately wrong
assessment:
  decision: 99-2030
  set: "01"
  answers: {"1.1": c, "1.2": c, "1.3": "yes", "2": b, "3.1": b, "3.2": b, "3.3.1": b, "3.3.2": b, "4": [a]}
# A = 50, B = 30, C = 5: total 85 (band 5).
expect:
  total: 86
  parts: {A: 50, B: 30, C: 5}
  band_stars: 5
  stars: 4
  limited_by: []
"#;
    let r = cases::run_bytes(&catalog, "wrong.yaml", case.as_bytes());
    assert!(!r.passed());
    let fields: Vec<&str> = r.mismatches.iter().map(|m| m.field.as_str()).collect();
    assert_eq!(fields, ["total", "stars"]);
    assert_eq!((r.mismatches[0].expected.as_str(), r.mismatches[0].actual.as_str()), ("86", "85"));
    let report = cases::report(&[r]);
    assert!(report.contains("total: expected 86, got 85") && report.contains("3.3.2 b = 5/5"), "{report}");
}
