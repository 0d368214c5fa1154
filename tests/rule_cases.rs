//! Runs every regression case under `rules/` against the shipped catalog, and the made-up
//! decision's cases (`tests/fixtures/future/99-2030/cases/`) against the shipped catalog plus
//! that decision: the rule files score as the law says, worked out by hand.

use ocop_rating::{CatalogBuilder, cases};

/// The hand-worked cases per decision folder. Counted exactly, so that a case that silently
/// stops loading (a renamed folder, a file the walk skips) fails here.
const SHIPPED: [(&str, usize); 3] = [("1048-2019", N1048), ("148-2023", N148), ("26-2026", N26)];
const N1048: usize = 179;
const N148: usize = 131;
const N26: usize = 159;

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

/// The made-up decision's set 01 at 80 points (class 4): every criterion but the cumulative 4,
/// which has nothing ticked, is at its best answer.
const AT_80: &str = r#"
assessment:
  decision: 99-2030
  set: "01"
  answers: {"1.1": c, "1.2": c, "1.3": "yes", "2": b, "3.1": b, "3.2": b, "3.3.1": b, "3.3.2": b, "4": none}
"#;

fn future_catalog() -> ocop_rating::Catalog {
    CatalogBuilder::new().embedded().dir("tests/fixtures/future").build().unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn a_wrong_advice_expectation_fails_with_a_diff() {
    let catalog = future_catalog();
    // A = 10 + 10 + 10 + 20 = 50, B = 10 + 10 + 5 + 5 = 30, C = 0: total 80, band 4 (70 to below
    // 85 in 99-2030), 1.2 ≥ b and 3.3.2 ≥ b met: class 4. To 5★ (from 85; 1.1 ≥ c met): +5 at
    // least, and only 4 can change: one item ticked, a or b (+5, total 85), a first (the earlier
    // item). Expected wrongly here as `none→b` (written with `->`) and 90; the class, 5, is right.
    let case = format!(
        "name: deliberately wrong advice\n{AT_80}expect:\n  total: 80\n  stars: 4\n  advice:\n    \
         status: plan\n    changes: [\"4 none -> b\"]\n    total: 90\n    stars: 5\n"
    );
    let r = cases::run_bytes(&catalog, "wrong-advice.yaml", case.as_bytes());
    assert!(!r.passed());
    let diff: Vec<(&str, &str, &str)> =
        r.mismatches.iter().map(|m| (m.field.as_str(), m.expected.as_str(), m.actual.as_str())).collect();
    assert_eq!(
        diff,
        [("advice.changes", "[4 none→b]", "[4 none→a]"), ("advice.total", "90", "85")],
        "{}",
        cases::report(std::slice::from_ref(&r))
    );
    let report = cases::report(&[r]);
    assert!(
        report.contains("advice.changes: expected [4 none→b], got [4 none→a]")
            && report.contains("advice.total: expected 90, got 85")
            && report.contains("advice: 5★: 4 none→a → 85"),
        "{report}"
    );

    // The right expectation passes; a target already reached is `reached`, with no change and
    // the total and class as they are.
    let right = format!(
        "name: right advice\n{AT_80}expect:\n  total: 80\n  stars: 4\n  advice:\n    status: plan\n    \
         changes: [\"4 none→a\"]\n    total: 85\n    stars: 5\n"
    );
    let r = cases::run_bytes(&catalog, "right-advice.yaml", right.as_bytes());
    assert!(r.passed(), "{}", cases::report(&[r]));
    let reached = format!(
        "name: reached\n{AT_80}expect:\n  total: 80\n  stars: 4\n  advice: {{to: 4, status: reached, \
         changes: [], total: 80, stars: 4}}\n"
    );
    let r = cases::run_bytes(&catalog, "reached.yaml", reached.as_bytes());
    assert!(r.passed(), "{}", cases::report(&[r]));

    // A council of two, 80 and 85 (4 none, 4 a): mean 82.5, class 4. Every member gets the new
    // answer, keeping what any member ticked: 4 → a gives 85 and 85, mean 85, 5★; the members'
    // differing answers are written `none/a`, in the order of the first member giving each.
    let sheet = r#"{"1.1": c, "1.2": c, "1.3": "yes", "2": b, "3.1": b, "3.2": b, "3.3.1": b, "3.3.2": b"#;
    let council = format!(
        "name: council\nassessment:\n  decision: 99-2030\n  set: \"01\"\n  members:\n    \
         - {{name: An, answers: {sheet}, \"4\": none}}}}\n    - {{name: Bình, answers: {sheet}, \"4\": [a]}}}}\n\
         expect:\n  total: 82.5\n  stars: 4\n  advice: {{status: plan, changes: [\"4 none/a→a\"], total: 85, stars: 5}}\n"
    );
    let r = cases::run_bytes(&catalog, "council.yaml", council.as_bytes());
    assert!(r.passed(), "{}", cases::report(&[r]));
}

#[test]
fn a_malformed_advice_expectation_is_a_located_error() {
    let catalog = future_catalog();
    let case = format!(
        "name: malformed advice\n{AT_80}expect:\n  total: 80\n  stars: 4\n  advice:\n    to: 6\n    \
         status: planned\n    chnages: []\n    total: 85\n"
    );
    let r = cases::run_bytes(&catalog, "malformed.yaml", case.as_bytes());
    assert!(!r.passed());
    let report = cases::report(std::slice::from_ref(&r));
    let lines: Vec<(Option<u32>, &str)> = r.problems.iter().map(|d| (d.line, d.message.as_str())).collect();
    assert_eq!(lines.len(), 3, "{report}");
    assert!(report.contains("the target class 6 is not a whole number from 1 to 5"), "{report}");
    assert!(report.contains("unknown advice status `planned`") && report.contains("plan"), "{report}");
    assert!(report.contains("unknown field `chnages`") && report.contains("changes"), "{report}");
    assert!(lines.iter().all(|(line, _)| line.is_some()), "every problem is located: {report}");

    let no_arrow = format!(
        "name: no arrow\n{AT_80}expect:\n  total: 80\n  stars: 4\n  advice: {{status: plan, changes: [\"4 none a\"]}}\n"
    );
    let r = cases::run_bytes(&catalog, "no-arrow.yaml", no_arrow.as_bytes());
    let report = cases::report(&[r]);
    assert!(report.contains("`4 none a` is not a change"), "{report}");
}
