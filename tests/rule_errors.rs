//! The error catalog for rule files: for each kind of bad input, the exact diagnostic kind, and
//! a message that names the place (file, line, column, document path) and the fix.
//!
//! Each test breaks one thing in the small fixture decision (tests/fixtures/future/99-2030).

use ocop_rating::{CatalogBuilder, Diagnostic, DiagnosticKind, Limits, Severity};

mod common;

/// The made-up decision standing alone (the shipped 26-2026 it supersedes is not loaded here).
fn decision() -> &'static str {
    common::decision_alone()
}
const FORM: &str = include_str!("fixtures/future/99-2030/01-thu-nghiem.yaml");

fn load(decision: &str, form: &str) -> Vec<Diagnostic> {
    load_bytes(decision.as_bytes(), form.as_bytes(), Limits::default())
}

fn load_bytes(decision: &[u8], form: &[u8], limits: Limits) -> Vec<Diagnostic> {
    let built = CatalogBuilder::new()
        .limits(limits)
        .file("99-2030", "99-2030/decision.yaml", decision)
        .file("99-2030", "99-2030/01.yaml", form)
        .build();
    match built {
        Ok(catalog) => catalog.warnings().to_vec(),
        Err(e) => e.diagnostics().to_vec(),
    }
}

/// The one error of `kind` (panics listing all diagnostics when there is not exactly one).
fn only(diags: &[Diagnostic], kind: DiagnosticKind) -> Diagnostic {
    let found: Vec<&Diagnostic> =
        diags.iter().filter(|d| d.kind == kind && d.severity == Severity::Error).collect();
    assert_eq!(found.len(), 1, "expected one {kind:?} error, got:\n{}", ocop_rating::render_all(diags));
    found[0].clone()
}

fn form_with(from: &str, to: &str) -> String {
    assert!(FORM.contains(from), "fixture lacks {from:?}");
    FORM.replacen(from, to, 1)
}

fn line_of(text: &str, needle: &str) -> u32 {
    text.lines().position(|l| l.contains(needle)).map(|i| i as u32 + 1).expect("needle in text")
}

#[test]
fn the_fixture_itself_is_valid_with_one_anomaly_warning() {
    let diags = load(decision(), FORM);
    assert_eq!(diags.len(), 1, "{}", ocop_rating::render_all(&diags));
    assert!(diags.iter().all(|d| d.severity == Severity::Warning));
    assert!(diags.iter().any(|d| d.kind == DiagnosticKind::Anomaly));
}

#[test]
fn unknown_field_names_place_and_suggests() {
    let form = form_with("title_vi: Nguồn gốc", "titel_vi: Nguồn gốc");
    let diags = load(decision(), &form);
    let d = only(&diags, DiagnosticKind::UnknownField);
    assert_eq!(d.file, "99-2030/01.yaml");
    assert_eq!(d.line, Some(line_of(&form, "titel_vi")));
    assert_eq!(d.path, r#"parts.A.sections."1".criteria."1.1".titel_vi"#);
    assert_eq!(d.suggestion.as_deref(), Some("did you mean `title_vi`?"));
    // The missing title_vi is reported too: every problem at once.
    assert!(diags.iter().any(|d| d.kind == DiagnosticKind::MissingField));
    let text = d.to_string();
    assert!(text.starts_with("error[unknown-field]: 99-2030/01.yaml:"), "{text}");
}

#[test]
fn numeric_ids_must_be_quoted() {
    let form = form_with("\"1.1\":\n", "1.1:\n");
    let d = only(&load(decision(), &form), DiagnosticKind::WrongType);
    assert!(d.suggestion.unwrap().contains("\"1.1\""));
}

#[test]
fn option_above_the_maximum() {
    let form = form_with(
        "c: {points: 10, text_vi: Trong xã, star: 5}",
        "c: {points: 13, text_vi: Trong xã, star: 5}",
    );
    let diags = load(decision(), &form);
    let d = diags
        .iter()
        .find(|d| d.path == r#"parts.A.sections."1".criteria."1.1".options.c.points"#)
        .unwrap_or_else(|| panic!("{}", ocop_rating::render_all(&diags)));
    assert_eq!(d.kind, DiagnosticKind::PointsMismatch);
    assert!(d.suggestion.as_deref().unwrap().contains("anomaly"));
    assert_eq!(d.line, Some(line_of(&form, "points: 13")));
}

#[test]
fn an_anomaly_turns_a_mismatch_into_a_warning() {
    let form = form_with(
        "c: {points: 10, text_vi: Trong xã, star: 5}",
        "c: {points: 10, text_vi: Trong xã, star: 5, anomalies: [{field: points, printed: \"13\", applied: 10, reason: the max is 10}]}",
    );
    let diags = load(decision(), &form);
    assert!(diags.iter().all(|d| d.severity == Severity::Warning), "{}", ocop_rating::render_all(&diags));
    assert_eq!(diags.iter().filter(|d| d.kind == DiagnosticKind::Anomaly).count(), 2);
}

#[test]
fn anomalies_need_a_reason_and_an_honest_applied_value() {
    let form = form_with("reason: \"a typo in the made-up text\"", "reason: \"\"");
    only(&load(decision(), &form), DiagnosticKind::MissingField);
    let form = form_with(
        "c: {points: 10, text_vi: Trong xã, star: 5}",
        "c: {points: 10, text_vi: Trong xã, star: 5, anomalies: [{field: points, printed: \"13\", applied: 3, reason: typo}]}",
    );
    let d = only(&load(decision(), &form), DiagnosticKind::Anomaly);
    assert_eq!(d.expected.as_deref(), Some("applied: 10"));
}

#[test]
fn sections_and_parts_must_add_up() {
    let form = form_with(
        "        max: 30\n        criteria:\n          \"1.1\"",
        "        max: 31\n        criteria:\n          \"1.1\"",
    );
    let diags = load(decision(), &form);
    assert!(
        diags
            .iter()
            .any(|d| d.kind == DiagnosticKind::PointsMismatch && d.path == r#"parts.A.sections."1".max"#)
    );
    assert!(diags.iter().any(|d| d.kind == DiagnosticKind::PointsMismatch && d.path == "parts.A.max"));
}

#[test]
fn dangling_references_suggest_the_nearest() {
    // `3,1` is how 3.1 gets mistyped; 3.9 would be one digit from 3.1 and 3.2 alike, and gets no
    // guess (diag::did_you_mean).
    let form = form_with("when: {answer: \"3.1\", not_in: [a]}", "when: {answer: \"3,1\", not_in: [a]}");
    let d = only(&load(decision(), &form), DiagnosticKind::UnknownReference);
    assert_eq!(d.suggestion.as_deref(), Some("did you mean `3.1`?"));
    let form = form_with("when: {answer: \"3.1\", not_in: [a]}", "when: {answer: \"3.9\", not_in: [a]}");
    let d = only(&load(decision(), &form), DiagnosticKind::UnknownReference);
    assert_eq!(d.suggestion, None);
    let form = form_with("when: {answer: \"3.1\", not_in: [a]}", "when: {answer: \"3.1\", not_in: [x]}");
    let d = only(&load(decision(), &form), DiagnosticKind::UnknownReference);
    assert!(d.expected.unwrap().contains("a, b, none"));
    let form = form_with("when: {fact: imported_materials}", "when: {fact: imported_material}");
    let d = only(&load(decision(), &form), DiagnosticKind::UnknownReference);
    assert_eq!(d.suggestion.as_deref(), Some("did you mean `imported_materials`?"));
}

#[test]
fn cyclic_later_and_contradictory_conditions() {
    let own = form_with("when: {answer: \"3.1\", not_in: [a]}", "when: {answer: \"3.2\", not_in: [a]}");
    assert!(only(&load(decision(), &own), DiagnosticKind::Condition).message.contains("cycle"));
    let later = form_with("when: {answer: \"3.1\", not_in: [a]}", "when: {answer: \"3.3.1\", not_in: [a]}");
    assert!(only(&load(decision(), &later), DiagnosticKind::Condition).message.contains("later"));
    let never = form_with(
        "when: {answer: \"3.1\", not_in: [a]}",
        "when: {all: [{answer: \"3.1\", in: [a]}, {answer: \"3.1\", in: [b]}]}",
    );
    assert!(only(&load(decision(), &never), DiagnosticKind::Condition).message.contains("never"));
    let always_out =
        form_with("when: {answer: \"2\", in: [a]}", "when: {not: {answer: \"2\", in: [x_missing_never]}}");
    assert!(load(decision(), &always_out).iter().any(|d| d.kind == DiagnosticKind::UnknownReference));
}

#[test]
fn bands_with_gaps_overlaps_or_short_cover() {
    let gap = decision().replace("{stars: 3, from: 55, below: 70}", "{stars: 3, from: 56, below: 70}");
    let d = only(&load(&gap, FORM), DiagnosticKind::Bands);
    assert!(d.message.contains("gap"));
    assert_eq!(d.path, "bands[2]");
    let overlap = decision().replace("{stars: 3, from: 55, below: 70}", "{stars: 3, from: 50, below: 70}");
    assert!(only(&load(&overlap, FORM), DiagnosticKind::Bands).message.contains("overlaps"));
    let short = decision().replace("{stars: 5, from: 85, to: 100}", "{stars: 5, from: 85, to: 99}");
    assert!(only(&load(&short, FORM), DiagnosticKind::Bands).message.contains("maximum"));
}

#[test]
fn unreachable_classes() {
    // 3-star minimums adding up to 10 + 10 + 20 + 10 + 10 + 5 + 10 = 75: no total below 70 can
    // meet them, so the 3-star band (55..70) is unreachable.
    let extra = ["1.1: c", "1.2: c", "\"2\": b", "3.1: b", "3.2: b", "3.3.1: b", "\"4\": c"]
        .iter()
        .map(|m| {
            let (c, k) = m.split_once(": ").unwrap();
            let c = c.trim_matches('"');
            format!("  - {{stars: 3, criterion: \"{c}\", at_least: {k}, text_vi: t, source: s}}\n")
        })
        .collect::<String>();
    let form = form_with("minimums:\n", &format!("minimums:\n{extra}"));
    let d = only(&load(decision(), &form), DiagnosticKind::UnreachableClass);
    assert!(d.message.contains("3 stars"), "{}", d.message);
}

#[test]
fn a_higher_class_never_needs_less() {
    let form = form_with(
        "b: {points: 5, text_vi: Trong tỉnh, star: 3}",
        "b: {points: 5, text_vi: Trong tỉnh, star: 5}",
    )
    .replacen(
        "c: {points: 10, text_vi: Trong xã, star: 5}",
        "c: {points: 10, text_vi: Trong xã, star: 3}",
        1,
    );
    only(&load(decision(), &form), DiagnosticKind::InconsistentMinimum);
}

#[test]
fn duplicate_ids_across_sections() {
    let form = form_with(
        "          \"2\":\n            title_vi: Kế hoạch an toàn",
        "          \"1.1\":\n            title_vi: Kế hoạch an toàn",
    );
    let diags = load(decision(), &form);
    assert!(
        diags.iter().any(|d| d.kind == DiagnosticKind::DuplicateId),
        "{}",
        ocop_rating::render_all(&diags)
    );
}

#[test]
fn wrong_types_and_bad_numbers() {
    for (bad, kind) in [
        ("max: \"ten\"", DiagnosticKind::InvalidValue),
        ("max: -10", DiagnosticKind::InvalidValue),
        ("max: 10.125", DiagnosticKind::InvalidValue),
        ("max: 1e400", DiagnosticKind::InvalidValue),
        ("max: .nan", DiagnosticKind::InvalidValue),
        ("max: [10]", DiagnosticKind::WrongType),
    ] {
        let form = form_with(
            "            name_en: Origin\n            max: 10",
            &format!("            name_en: Origin\n            {bad}"),
        );
        let diags = load(decision(), &form);
        assert!(
            diags.iter().any(|d| d.kind == kind && d.path == r#"parts.A.sections."1".criteria."1.1".max"#),
            "{bad}: {}",
            ocop_rating::render_all(&diags)
        );
    }
    let form = form_with("title_vi: Nguồn gốc", "title_vi: 5");
    only(&load(decision(), &form), DiagnosticKind::WrongType);
}

#[test]
fn syntax_errors_truncation_tabs_duplicates_empty_and_encoding() {
    let truncated =
        &FORM[..FORM.find("options:\n              a: {points: 0, text_vi: Không rõ}").unwrap() + 30];
    let d = only(&load(decision(), truncated), DiagnosticKind::Syntax);
    assert!(d.line.is_some(), "{d}");
    let tabs = form_with("            name_en: Origin", "\t    name_en: Origin");
    let d = only(&load(decision(), &tabs), DiagnosticKind::Syntax);
    assert!(d.line.is_some());
    let dup = form_with(
        "            name_en: Origin\n",
        "            name_en: Origin\n            name_en: Origin\n",
    );
    assert!(only(&load(decision(), &dup), DiagnosticKind::Syntax).message.contains("duplicate"));
    only(&load(decision(), ""), DiagnosticKind::Syntax);
    let mut bytes = FORM.as_bytes().to_vec();
    let at = FORM.find("Bộ thử").unwrap();
    bytes[at] = 0xff;
    let d = load_bytes(decision().as_bytes(), &bytes, Limits::default());
    let d = only(&d, DiagnosticKind::Io);
    assert_eq!(d.line, Some(line_of(FORM, "Bộ thử")));
}

#[test]
fn every_error_of_a_file_at_once() {
    let form = form_with("title_vi: Nguồn gốc", "titel_vi: Nguồn gốc")
        .replacen("name_en: Certification", "name_en: [Certification]", 1)
        .replacen("kind: yes_no", "kind: yesno", 1);
    let diags = load(decision(), &form);
    let errors = diags.iter().filter(|d| d.severity == Severity::Error).count();
    assert!(errors >= 4, "{}", ocop_rating::render_all(&diags));
    let kind = diags.iter().find(|d| d.message.contains("yesno")).unwrap();
    assert_eq!(kind.suggestion.as_deref(), Some("did you mean `yes_no`?"));
}

#[test]
fn resource_attacks_are_refused_quickly() {
    let start = std::time::Instant::now();
    // "Billion laughs": nine levels of nine aliases.
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let prev = format!("*a{}", i - 1);
        bomb.push_str(&format!("a{i}: &a{i} [{}]\n", vec![prev; 9].join(", ")));
    }
    let d = load(decision(), &bomb);
    assert!(d.iter().any(|d| d.kind == DiagnosticKind::Limit), "{}", ocop_rating::render_all(&d));
    let deep = format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000));
    let d = load(decision(), &deep);
    assert!(d.iter().any(|d| d.kind == DiagnosticKind::Limit), "{}", ocop_rating::render_all(&d));
    let huge = format!("form: {{}}\nnotes: [\"{}\"]\n", "x".repeat(100_000));
    let d = load(decision(), &huge);
    assert!(d.iter().any(|d| d.kind == DiagnosticKind::Limit));
    let big = "# padding\n".repeat(500_000);
    let d = load(decision(), &big);
    assert!(d.iter().any(|d| d.kind == DiagnosticKind::Limit));
    // Generous: the point is "not a hang", not a speed assertion.
    assert!(start.elapsed().as_secs() < 30);
}

#[test]
fn a_dated_minimum_must_fall_in_its_decisions_period() {
    // A minimum added by an amendment carries the amendment's date; one dated before the
    // decision itself took effect (2030-01-15) is a mistake in the file.
    let form = form_with(
        "    source: \"Bộ 01, Mục 6\"",
        "    source: \"Bộ 01, Mục 6\"\n    in_force_from: 2029-12-31",
    );
    let diags = load(decision(), &form);
    let d = only(&diags, DiagnosticKind::InvalidValue);
    assert_eq!(d.path, "minimums[0].in_force_from");
    assert_eq!(d.line, Some(line_of(&form, "in_force_from: 2029-12-31")));
    assert!(d.message.contains("outside decision 99-2030's period"), "{}", d.message);
    // Inside the period it loads, and is only a date.
    let ok = form_with(
        "    source: \"Bộ 01, Mục 6\"",
        "    source: \"Bộ 01, Mục 6\"\n    in_force_from: 2030-03-01",
    );
    assert!(load(decision(), &ok).iter().all(|d| d.severity == Severity::Warning));
}
