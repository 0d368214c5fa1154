//! A made-up decision (tests/fixtures/future/99-2030), loaded beside the shipped ones from YAML
//! alone and scored: a superseding decision needs no Rust change. Its small form uses every
//! kind of node of the DSL, so these hand-worked results exercise the whole engine.

use ocop_rating::{Assessment, Catalog, CatalogBuilder, Date};

fn catalog() -> Catalog {
    match CatalogBuilder::new().embedded().dir("tests/fixtures/future").build() {
        Ok(c) => c,
        Err(e) => panic!("{e}"),
    }
}

const HIGH: &str = r#"
decision: 99-2030
set: "01"
answers:
  "1.1": c       # 10
  "1.2": c       # 10
  "1.3": "yes"   # 10
  "2": b         # 20
  "3.1": b       # 10
  "3.2": b       # 10
  "3.3.1": b     # 5
  "3.3.2": b     # 5
  "4": [a, b, c] # 5 + 5 + 10
"#;

fn score(
    catalog: &Catalog,
    text: &str,
) -> (String, Vec<String>, u8, Option<u8>, Option<String>, Vec<String>) {
    let a = Assessment::from_text("t.yaml", text).unwrap_or_else(|e| panic!("{e}"));
    let s = catalog.score(&a).unwrap_or_else(|e| panic!("{e}"));
    let o = s.outcome();
    (
        o.total().to_string(),
        o.parts().map(|(id, m)| format!("{id}={}", m.to_decimal().normalize())).collect(),
        o.band_stars(),
        o.stars(),
        o.disqualified().map(|k| k.id().to_string()),
        o.limited_by().map(|l| l.criterion.id().to_string()).collect(),
    )
}

#[test]
fn full_marks_give_five_stars() {
    // A = 10 + 10 + 10 + 20 = 50; B = 10 + 10 + 5 + 5 = 30; C = 5 + 5 + 10 = 20; total 100.
    let (total, parts, band, stars, out, limited) = score(&catalog(), HIGH);
    assert_eq!(total, "100");
    assert_eq!(parts, ["A=50", "B=30", "C=20"]);
    assert_eq!((band, stars, out), (5, Some(5), None));
    assert!(limited.is_empty());
}

#[test]
fn conditions_zero_criteria_and_a_stopped_marker_holds_the_class() {
    // 3.1 = a (0): 3.2 is not applicable (0 despite b). 3.3.1 = a (0) stops section 3, so
    // 3.3.2 = b scores 0. A = 50, B = 0, C = 20: total 70, band 4. The 4-star minimums: 1.2
    // needs b (5), got 10; 3.3.2 needs b (5, marked ****), got 0 -> class 3.
    let text = HIGH.replace("\"3.1\": b", "\"3.1\": a").replace("\"3.3.1\": b", "\"3.3.1\": a");
    let (total, parts, band, stars, out, limited) = score(&catalog(), &text);
    assert_eq!(total, "70");
    assert_eq!(parts, ["A=50", "B=0", "C=20"]);
    assert_eq!((band, stars, out), (4, Some(3), None));
    assert_eq!(limited, ["3.3.2"]);
}

#[test]
fn a_table_minimum_holds_the_class() {
    // 1.2 = a (0): A = 40, total 90, band 5. 4-star table minimum: 1.2 needs b (5), got 0 -> 3.
    let text = HIGH.replace("\"1.2\": c", "\"1.2\": a");
    let (total, _, band, stars, _, limited) = score(&catalog(), &text);
    assert_eq!((total.as_str(), band, stars), ("90", 5, Some(3)));
    assert_eq!(limited, ["1.2"]);
}

#[test]
fn knock_outs_on_answers_and_on_facts() {
    // 2 = a: A = 30, total 80, band 4, but the form's knock-out on 2 = a disqualifies.
    let text = HIGH.replace("\"2\": b", "\"2\": a");
    let (total, _, band, stars, out, _) = score(&catalog(), &text);
    assert_eq!((total.as_str(), band, stars, out.as_deref()), ("80", 4, None, Some("no_safety_plan")));
    let text = format!("{HIGH}facts: {{imported_materials: true, falsified_dossier: false}}\n");
    let (_, _, _, stars, out, _) = score(&catalog(), &text);
    assert_eq!((stars, out.as_deref()), (None, Some("imported_materials")));
}

#[test]
fn the_decision_in_force_is_found_by_date() {
    let text = HIGH.replace("decision: 99-2030", "lodged_on: 2030-02-01");
    let (total, ..) = score(&catalog(), &text);
    assert_eq!(total, "100");
    let c = catalog();
    let d = |s: &str| s.parse::<Date>().unwrap();
    assert_eq!(c.decision_on(d("2030-01-15"), None, false).unwrap().key(), "99-2030");
    assert_eq!(c.decision_on(d("2030-01-14"), None, false).unwrap().key(), "26-2026");
    // Lodged under 26-2026 before 2030-01-15: finished within 45 days (re-evaluation 15).
    assert!(c.decision_on(d("2030-01-14"), Some(d("2030-03-01")), false).is_ok());
    let late = c.decision_on(d("2030-01-14"), Some(d("2030-03-02")), false).unwrap_err();
    assert!(late.message.contains("2030-03-01"), "{}", late.message);
    assert!(c.decision_on(d("2030-01-14"), Some(d("2030-01-30")), true).is_ok());
    assert!(c.decision_on(d("2030-01-14"), Some(d("2030-01-31")), true).is_err());
}

#[test]
fn a_council_is_the_exact_mean() {
    // Member 1: 100 (HIGH). Member 2: 1.1 = b -> 95. Member 3: 3.1 = a, 3.3.1 = a -> 70.
    // Mean (100 + 95 + 70) / 3 = 265 / 3 = 88.333…: band 5 (>= 85). 3.3.2 mean (5 + 5 + 0) / 3
    // = 3.33 < 5 -> the 4-star minimum fails -> class 3.
    let answers = |t: &str| {
        let start = t.find("answers:").unwrap() + "answers:".len();
        t[start..].lines().map(|l| format!("    {l}")).collect::<Vec<_>>().join("\n")
    };
    let m2 = HIGH.replace("\"1.1\": c", "\"1.1\": b");
    let m3 = HIGH.replace("\"3.1\": b", "\"3.1\": a").replace("\"3.3.1\": b", "\"3.3.1\": a");
    let text = format!(
        "decision: 99-2030\nset: \"01\"\nmembers:\n  - name: An\n    answers:{}\n  - name: Bình\n    answers:{}\n  - name: Chi\n    answers:{}\n",
        answers(HIGH),
        answers(&m2),
        answers(&m3)
    );
    let c = catalog();
    let a = Assessment::from_text("council.yaml", &text).unwrap_or_else(|e| panic!("{e}"));
    let s = c.score(&a).unwrap_or_else(|e| panic!("{e}"));
    let o = s.outcome();
    assert_eq!(o.total_mean().display(2).to_string(), "88.33");
    assert_eq!((o.band_stars(), o.stars()), (5, Some(3)));
    assert_eq!(o.limited_by().map(|l| l.criterion.id().to_string()).collect::<Vec<_>>(), ["3.3.2"]);
    let trace = s.trace().unwrap();
    assert_eq!(trace.member_totals().iter().map(|p| p.to_string()).collect::<Vec<_>>(), ["100", "95", "70"]);
}
