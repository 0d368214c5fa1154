//! The error catalog for assessments: every offender listed at once, with its place and what
//! is valid.

use ocop_rating::{Assessment, AssessmentError, Catalog, CatalogBuilder, DiagnosticKind};

fn catalog() -> Catalog {
    CatalogBuilder::new().embedded().dir("tests/fixtures/future").build().unwrap_or_else(|e| panic!("{e}"))
}

const GOOD: &str = r#"decision: 99-2030
set: "01"
answers:
  "1.1": c
  "1.2": c
  "1.3": "yes"
  "2": b
  "3.1": b
  "3.2": b
  "3.3.1": b
  "3.3.2": b
  "4": [a, b, c]
"#;

fn errors(text: &str) -> AssessmentError {
    let c = catalog();
    match Assessment::from_text("a.yaml", text) {
        Err(e) => e,
        Ok(a) => match c.score(&a) {
            Err(e) => e,
            Ok(_) => panic!("expected an error for:\n{text}"),
        },
    }
}

fn kinds(e: &AssessmentError) -> Vec<DiagnosticKind> {
    e.diagnostics().iter().map(|d| d.kind).collect()
}

#[test]
fn the_good_assessment_scores() {
    let a = Assessment::from_text("a.yaml", GOOD).unwrap();
    assert_eq!(catalog().score(&a).unwrap().outcome().total().to_string(), "100");
}

#[test]
fn every_offender_at_once() {
    let text = GOOD
        .replace("  \"1.2\": c\n", "")
        .replace("  \"2\": b\n", "")
        .replace("\"1.1\": c", "\"1.1\": z")
        .replace("\"3.1\": b", "\"3.9\": b")
        .replace("\"4\": [a, b, c]", "\"4\": [a, q]")
        .replace("\"3.2\": b", "\"3.2\": [a, b]");
    let e = errors(&text);
    let k = kinds(&e);
    assert!(k.contains(&DiagnosticKind::InvalidAnswer), "{e}");
    assert!(k.contains(&DiagnosticKind::UnknownReference), "{e}");
    assert!(k.contains(&DiagnosticKind::MissingAnswer), "{e}");
    let bad_key = e.diagnostics().iter().find(|d| d.path == "answers.\"1.1\"").expect("1.1 named");
    assert_eq!(bad_key.line, Some(4));
    assert_eq!(bad_key.expected.as_deref(), Some("one of a, b, c, none"));
    let unknown = e.diagnostics().iter().find(|d| d.path == "answers.\"3.9\"").expect("3.9 named");
    assert!(
        // 3.9 is one digit from both 3.1 and 3.2: a guess between siblings would mislead, so no
        // suggestion (diag::did_you_mean).
        unknown.message.contains("no criterion `3.9`") && !unknown.message.contains("did you mean"),
        "{unknown}"
    );
    let missing = e.diagnostics().iter().find(|d| d.kind == DiagnosticKind::MissingAnswer).unwrap();
    assert!(missing.message.contains("1.2, 2, 3.1"), "{missing}");
    assert!(e.diagnostics().iter().any(|d| d.path == "answers.\"3.2\"" && d.message.contains("not a list")));
    assert!(e.diagnostics().iter().any(|d| d.path == "answers.\"4\"" && d.message.contains("`q`")));
}

#[test]
fn wrong_types_of_answers() {
    let e = errors(&GOOD.replace("\"1.1\": c", "\"1.1\": 3"));
    assert!(e.diagnostics()[0].message.contains("a number"), "{e}");
    let e = errors(&GOOD.replace("\"1.1\": c", "\"1.1\":"));
    assert!(e.diagnostics()[0].message.contains("write `none`"), "{e}");
    let e = errors(&GOOD.replace("\"1.1\": c", "\"1.1\": \"yes\""));
    assert_eq!(kinds(&e), [DiagnosticKind::InvalidAnswer]);
    let e = errors(&GOOD.replace("\"1.1\": c", "\"1.1\": none").replace("\"1.3\": \"yes\"", "\"1.3\": c"));
    assert!(e.diagnostics()[0].expected.as_deref() == Some("one of no, yes, none"), "{e}");
    let e = errors(&GOOD.replace("answers:\n  \"1.1\"", "answers:\n  1.1"));
    assert_eq!(kinds(&e), [DiagnosticKind::WrongType]);
}

#[test]
fn wrong_decision_set_or_dates() {
    let e = errors(&GOOD.replace("decision: 99-2030", "decision: 99-2031"));
    assert_eq!(kinds(&e), [DiagnosticKind::NoApplicableForm]);
    assert!(e.diagnostics()[0].suggestion.as_deref().unwrap_or("").contains("99-2030"), "{e}");
    let e = errors(&GOOD.replace("set: \"01\"", "set: \"03\""));
    assert_eq!(e.diagnostics()[0].path, "set");
    assert_eq!(e.diagnostics()[0].line, Some(2));
    let e = errors(&GOOD.replace("decision: 99-2030", "lodged_on: 2019-01-01"));
    assert!(e.diagnostics()[0].message.contains("no decision is in force on 2019-01-01"), "{e}");
    let e = errors(&GOOD.replace("decision: 99-2030", "decision: 99-2030\nlodged_on: 2029-12-01"));
    assert!(e.diagnostics()[0].message.contains("does not apply to a dossier lodged on 2029-12-01"), "{e}");
    let e = errors(&GOOD.replace("decision: 99-2030", "decision: 99-2030\nlodged_on: 2030-02-31"));
    assert_eq!(kinds(&e), [DiagnosticKind::InvalidValue]);
    let e = errors(&GOOD.replace("decision: 99-2030\n", ""));
    assert_eq!(kinds(&e), [DiagnosticKind::MissingField]);
}

#[test]
fn councils_without_members_or_answers() {
    let e = errors("decision: 99-2030\nset: \"01\"\nmembers: []\n");
    assert_eq!(kinds(&e), [DiagnosticKind::MissingAnswer]);
    let e = errors("decision: 99-2030\nset: \"01\"\nmembers:\n  - name: An\n    answers: {}\n");
    let d = &e.diagnostics()[0];
    assert!(d.message.starts_with("member `An`: 9 criteria not answered"), "{d}");
    let e = errors("decision: 99-2030\nset: \"01\"\nmembers:\n  - name: An\n");
    assert_eq!(kinds(&e), [DiagnosticKind::MissingField]);
}

#[test]
fn facts_must_be_known_booleans() {
    let e = errors(&format!("{GOOD}facts: {{falsified_dossier: yes}}\n"));
    assert_eq!(kinds(&e), [DiagnosticKind::WrongType]);
    let e = errors(&format!("{GOOD}facts: {{falsified_dosier: true}}\n"));
    assert_eq!(e.diagnostics()[0].suggestion.as_deref(), Some("did you mean `falsified_dossier`?"));
}

#[test]
fn unknown_top_level_fields() {
    let e = errors(&GOOD.replace("set:", "sett: \"01\"\nset:"));
    assert_eq!(e.diagnostics()[0].suggestion.as_deref(), Some("did you mean `set`?"));
}
