//! Crosswalks and re-scoring: the shipped crosswalks check without error; every kind of mistake
//! in a crosswalk file is a located error; old sheets re-scored under the new decision give the
//! bounds worked out by hand; an archive of generated 148 sheets re-scores with no bad row.

use ocop_rating::crosswalk::{Crosswalk, Crosswalks};
use ocop_rating::rescore::{self, Rescorer};
use ocop_rating::{Assessment, Catalog, DiagnosticKind, Severity};

fn catalog() -> Catalog {
    Catalog::embedded().expect("the shipped rules load")
}

#[test]
fn shipped_crosswalks_check_without_errors() {
    let catalog = catalog();
    let all = Crosswalks::shipped(&catalog);
    let diagnostics = all.diagnostics();
    let errors: Vec<String> = diagnostics.iter().filter(|d| d.is_error()).map(|d| d.to_string()).collect();
    assert!(
        errors.is_empty(),
        "{} errors:\n{}",
        errors.len(),
        errors.iter().take(40).cloned().collect::<Vec<_>>().join("\n")
    );
    let mut totals = Vec::new();
    for (cw, check) in all.checks() {
        println!("{}", check.coverage_text());
        let t = check.total();
        totals.push((cw.from().to_string(), cw.to().to_string(), t.criteria, t.mapped, t.needs_new_evidence));
        // Every old set of the old decision is mapped (to a set, or to none with a reason).
        let old_sets: Vec<&str> = {
            let mut v: Vec<&str> = catalog.forms_of(cw.from()).iter().map(|f| f.set()).collect();
            v.dedup();
            v
        };
        assert!(
            old_sets.iter().all(|s| cw.set(s).is_some()),
            "{} → {}: an old set is not mapped",
            cw.from(),
            cw.to()
        );
    }
    totals.sort();
    // (criteria of the new sets reached, mapped from an old criterion, needing new evidence)
    assert_eq!(
        totals,
        vec![
            ("1048-2019".to_string(), "148-2023".to_string(), 775, 566, 209),
            ("148-2023".to_string(), "26-2026".to_string(), 787, 707, 80),
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Validation: each kind of mistake

const NAME: &str = "rules/26-2026/crosswalk/148-2023.yaml";

/// A crosswalk 148-2023 → 26-2026 mapping set 01's criterion 1.1 only, with `extra` appended
/// under its `criteria:`.
fn one_set(extra: &str) -> String {
    format!(
        "crosswalk:\n  from: 148-2023\n  to: 26-2026\nsets:\n  \"01\":\n    to: \"01\"\n    criteria:\n      \"1.1\":\n        from: \"1.1\"\n        options:\n          a: {{keys: [a], reason: \"wording only\"}}\n          b: [b]\n          c: [c]\n{extra}"
    )
}

fn check(name: &str, text: &str) -> Vec<ocop_rating::Diagnostic> {
    let cw = Crosswalk::from_text(name, text).unwrap_or_else(|d| panic!("shape errors: {d:?}"));
    cw.check(&catalog()).diagnostics
}

fn shape(text: &str) -> Vec<ocop_rating::Diagnostic> {
    Crosswalk::from_text(NAME, text).expect_err("a shape error")
}

/// The one error whose message contains `needle`; it is located (a line) and of `kind`.
fn error(all: &[ocop_rating::Diagnostic], kind: DiagnosticKind, needle: &str) -> ocop_rating::Diagnostic {
    let found: Vec<&ocop_rating::Diagnostic> =
        all.iter().filter(|d| d.is_error() && d.kind == kind && d.message.contains(needle)).collect();
    assert_eq!(found.len(), 1, "one {kind:?} error with «{needle}» in:\n{}", ocop_rating::render_all(all));
    assert!(found[0].line.is_some(), "located: {}", found[0]);
    assert_eq!(found[0].file, NAME);
    found[0].clone()
}

#[test]
fn a_partial_crosswalk_lists_what_is_missing() {
    let all = check(NAME, &one_set(""));
    let d = error(
        &all,
        DiagnosticKind::MissingField,
        "criteria of set 01 of 26-2026 are neither mapped nor marked",
    );
    assert!(d.message.starts_with("31 criteria"), "{}", d.message);
    assert_eq!(d.line, Some(7), "at `criteria:` of set 01");
    // Sets 02–26 are not mapped: warnings, not errors.
    let warnings = all.iter().filter(|d| d.severity == Severity::Warning).count();
    assert_eq!(warnings, 25);
}

#[test]
fn unknown_decisions_sets_criteria_and_options_are_located_errors_with_suggestions() {
    let text = one_set("").replace("from: 148-2023", "from: 148-2032");
    let d = error(&check(NAME, &text), DiagnosticKind::UnknownReference, "unknown decision `148-2032`");
    assert_eq!((d.line, d.suggestion.as_deref()), (Some(2), Some("did you mean `148-2023`?")));

    let text = one_set("").replace("  \"01\":\n    to: \"01\"", "  \"01\":\n    to: \"27\"");
    let d = error(&check(NAME, &text), DiagnosticKind::UnknownReference, "26-2026 has no set `27`");
    assert_eq!(d.line, Some(6));

    let text = format!("{}  \"72\":\n    to: \"01\"\n", one_set(""));
    let d = error(&check(NAME, &text), DiagnosticKind::UnknownReference, "148-2023 has no set `72`");
    assert_eq!(d.line, Some(14));

    let all = check(NAME, &one_set("      \"1.10\":\n        needs_new_evidence: \"new\"\n"));
    let d =
        error(&all, DiagnosticKind::UnknownReference, "criterion `1.10` of set 01 of 26-2026 does not exist");
    assert_eq!((d.line, d.suggestion.as_deref()), (Some(14), Some("did you mean `1.1`?")));

    let all = check(NAME, &one_set("      \"1.2\":\n        from: \"1.9\"\n"));
    let d =
        error(&all, DiagnosticKind::UnknownReference, "criterion `1.9` of set 01 of 148-2023 does not exist");
    assert_eq!(d.line, Some(15));

    let all = check(NAME, &one_set("").replace("          c: [c]\n", "          c: [c]\n          d: [c]\n"));
    let d = error(&all, DiagnosticKind::UnknownReference, "has no option `d`");
    assert_eq!(d.line, Some(14));

    let all = check(NAME, &one_set("").replace("          c: [c]\n", "          c: [c, non]\n"));
    let d = error(&all, DiagnosticKind::UnknownReference, "criterion 1.1 of the old set has no option `non`");
    assert_eq!((d.line, d.suggestion.as_deref()), (Some(13), Some("did you mean `none`?")));
}

#[test]
fn a_group_is_not_a_criterion_to_map() {
    let text = "crosswalk:\n  from: 148-2023\n  to: 26-2026\nsets:\n  \"11\":\n    to: \"11\"\n    criteria:\n      \"6.1\":\n        needs_new_evidence: \"a group\"\n";
    let d = error(&check(NAME, text), DiagnosticKind::UnknownReference, "is a group");
    assert_eq!(d.line, Some(8));
}

#[test]
fn a_mapping_of_other_text_needs_a_reason() {
    // 1.1 a: «… cấp xã dưới 50%» (148) against «… cấp xã, nhưng có tỷ lệ dưới 50%» (26/2026).
    let all = check(NAME, &one_set("").replace("a: {keys: [a], reason: \"wording only\"}", "a: [a]"));
    let d = error(&all, DiagnosticKind::MissingField, "option a of 1.1");
    assert_eq!(d.line, Some(11));
    // 3.2: another title (26/2026 adds persons with disabilities).
    let all =
        check(NAME, &one_set("      \"3.2\":\n        from: \"3.2\"\n        options: {a: [a], b: [b]}\n"));
    let d = error(&all, DiagnosticKind::MissingField, "another title, with no reason");
    assert_eq!(d.line, Some(15));
    // A set whose name changed (148's 16 «… tinh khiết đóng chai», 26/2026's «… đóng chai»).
    let text = "crosswalk:\n  from: 148-2023\n  to: 26-2026\nsets:\n  \"16\":\n    to: \"16\"\n";
    let d = error(&check(NAME, text), DiagnosticKind::MissingField, "with another name, and no reason");
    assert_eq!(d.line, Some(6));
    // Products that go to no set.
    let text = "crosswalk:\n  from: 148-2023\n  to: 26-2026\nsets:\n  \"16\":\n    to: null\n";
    let d =
        error(&check(NAME, text), DiagnosticKind::MissingField, "goes to no set of 26-2026 but says not why");
    assert_eq!(d.line, Some(6));
    // Needing new evidence, without saying why.
    let all =
        check(NAME, &one_set("      \"2.4\":\n        needs_new_evidence: \"TODO: no criterion matches\"\n"));
    let d = error(&all, DiagnosticKind::MissingField, "needs new evidence, but the text does not say why");
    assert_eq!(d.line, Some(15));
}

#[test]
fn a_drafts_todo_is_an_error() {
    let all = check(NAME, &one_set("").replace("reason: \"wording only\"", "reason: \"TODO same_id: …\""));
    let d = error(&all, DiagnosticKind::InvalidValue, "the draft's TODO is still there");
    assert_eq!(d.line, Some(11));
}

#[test]
fn a_crosswalk_is_filed_with_its_new_decision_under_the_old_ones_name() {
    let d = error(
        &check("rules/26-2026/crosswalk/1048-2019.yaml", &one_set(""))
            .into_iter()
            .map(|mut d| {
                d.file = NAME.into();
                d
            })
            .collect::<Vec<_>>(),
        DiagnosticKind::InvalidValue,
        "is filed as rules/26-2026/crosswalk/1048-2019.yaml",
    );
    assert_eq!(
        d.suggestion.as_deref(),
        Some("move it to rules/26-2026/crosswalk/148-2023.yaml, or fix `from`/`to`")
    );
}

#[test]
fn shape_errors_are_located_with_suggestions() {
    let all = shape(&one_set("").replace("        options:\n", "        option:\n"));
    let d = all.iter().find(|d| d.kind == DiagnosticKind::UnknownField).expect("unknown field");
    assert_eq!((d.line, d.suggestion.as_deref()), (Some(10), Some("did you mean `options`?")));

    let all = shape(&one_set("").replace("      \"1.1\":\n", "      1.10:\n"));
    let d = all.iter().find(|d| d.kind == DiagnosticKind::WrongType).expect("numeric id");
    assert_eq!(d.line, Some(8));
    assert!(d.suggestion.as_deref().unwrap_or("").contains("\"1.10\""), "{d}");

    let all =
        shape(&one_set("      \"1.2\":\n        from: \"1.2\"\n        needs_new_evidence: \"both\"\n"));
    let d = all.iter().find(|d| d.kind == DiagnosticKind::InvalidValue).expect("both");
    assert!(d.message.contains("not both"), "{d}");

    let all = shape(&one_set("").replace("b: [b]", "b: b"));
    let d = all.iter().find(|d| d.kind == DiagnosticKind::WrongType).expect("not a list");
    assert_eq!(d.line, Some(12));
}

// ---------------------------------------------------------------------------------------------
// Re-scoring: sheets worked by hand

/// A 148-2023 set 01 sheet with these answers, in the order of the form.
fn sheet_148_01(answers: &[&str]) -> Assessment {
    let ids = [
        "1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "2.1", "2.2", "2.3", "3.1", "3.2", "3.3", "3.4", "3.5",
        "3.6", "4.1", "4.2", "4.3", "5.1", "5.2", "5.3", "6.1", "6.2", "6.3", "6.4", "7.1", "8.1", "9.1",
        "9.2", "10", "11", "12",
    ];
    assert_eq!(ids.len(), answers.len());
    let body: String = ids.iter().zip(answers).map(|(id, a)| format!("  \"{id}\": {a}\n")).collect();
    Assessment::from_text(
        "old.yaml",
        &format!("decision: 148-2023\nset: \"01\"\nproduct: p\nanswers:\n{body}"),
    )
    .expect("a valid 148 sheet")
}

fn rescore_to_26(a: &Assessment) -> rescore::Rescored {
    let catalog = catalog();
    let shipped = Crosswalks::shipped(&catalog);
    let cw = shipped.find("148-2023", "26-2026").expect("the shipped crosswalk");
    rescore::rescore(&catalog, cw, a).expect("re-scored")
}

fn open(r: &rescore::Rescored) -> Vec<&str> {
    r.open.iter().map(|o| o.criterion.as_str()).collect()
}

/// Sheet 1: a 3-star 148 product whose old answers settle all but four 26/2026 criteria.
///
/// Old (148-2023 set 01, rules/148-2023/01-*.yaml):
/// A = 1.1 c 5 + 1.2 c 3 + 1.3 b 2 + 1.4 c 2 + 1.5 a 1 + 1.6 b 1 + 2.1 b 1 + 2.2 c 2 + 2.3 a 1 +
///   3.1 c 3 + 3.2 b 1 + 3.3 b 3 + 3.4 b 2 + 3.5 b 1 + 3.6 a 1 = 29;
/// B = 4.1 c 3 + 4.2 c 3 + 4.3 c 2 + 5.1 d 3 + 5.2 c 3 (applies: 5.1 d) + 5.3 a 0 = 14;
/// C = 6.1 c 2 + 6.2 d 3 + 6.3 c 2 + 6.4 c 2 + 7.1 b 1 + 8.1 c 3 + 9.1 c 2 + 9.2 c 2 + 10 d 3 +
///   11 a 1 + 12 b 2 = 23; total 29 + 14 + 23 = 66: 3★ (the 3★ markers 5.2 c, 9.1 c, 10 c met).
///
/// New (26-2026 set 01 through rules/26-2026/crosswalk/148-2023.yaml): carried 1.1 c 3, 1.3 c 3,
/// 1.4 b 2, 1.5 c 2, 1.6 a 1, 1.7 b 1, 2.1 b 1, 2.2 c 2, 2.3 a 1, 3.1 c 3, 3.2 b 1, 3.4 b 2, 3.5 a 1
/// (A 23); 4.1 c 3, 4.2 c 2, 4.3 c 2, 5.1 c 2 (old d), 5.2 a 0 (old 5.3 a), 5.3 b 1 (old 5.2 c)
/// (B 10); 6.1 c 2, 6.2 d 3, 6.3 c 2, 6.4 c 2, 7 b 1, 8 c 3, 10 b 3 (old d), 11 a 1, 12 b 2 (C 19):
/// 52 carried. Open: 1.2 (0–2), 2.4 (0–1), 3.3 (1–3) need new evidence; 9 (2–5: old c declared,
/// standards not asked). None of them is read by a condition.
/// Low: A 23 + 0 + 0 + 1 = 24, B 10, C 19 + 2 = 21, total 55: 3★ (3★ markers 2.2 c, 2.3 a, 3.5 a,
/// 4.1 b, 5.3 b, 9 a, 10 a met). High: A 23 + 2 + 1 + 3 = 29, B 10, C 19 + 5 = 24, total 63: 3★.
#[test]
fn sheet_one_stays_three_stars() {
    let a = sheet_148_01(&[
        "c", "c", "b", "c", "a", "b", "b", "c", "a", "c", "b", "b", "b", "b", "a", "c", "c", "c", "d", "c",
        "a", "c", "d", "c", "c", "b", "c", "c", "c", "d", "a", "b",
    ]);
    let r = rescore_to_26(&a);
    assert_eq!((r.old.stars, r.old.total.as_str()), (Some(3), "66"));
    assert_eq!(r.new_set.as_deref(), Some("01"));
    assert_eq!(open(&r), vec!["1.2", "2.4", "3.3", "9"]);
    assert_eq!(r.carried, 28);
    let (low, high) = (r.low.as_ref().expect("low"), r.high.as_ref().expect("high"));
    assert_eq!((low.stars, low.total.as_str()), (Some(3), "55"));
    assert_eq!((high.stars, high.total.as_str()), (Some(3), "63"));
    assert!(r.deciding.is_empty(), "{:?}", r.deciding);
    assert!(r.exact);
    assert_eq!(r.range(), (3, 3, 3));
}

/// Sheet 2: a 5-star 148 product that may keep 5 stars or fall to 3, decided by 5.1 (a story in
/// the electronic traceability content, 26/2026's 5.1 e, marked ****).
///
/// Old: A = 1.1 c 5 + 1.2 c 3 + 1.3 c 3 + 1.4 d 3 + 1.5 c 3 + 1.6 b 1 + 2.1 d 4 + 2.2 d 3 + 2.3 c 3 +
///   3.1 c 3 + 3.2 b 1 + 3.3 b 3 + 3.4 b 2 + 3.5 b 1 + 3.6 b 2 = 40;
/// B = 4.1 d 5 + 4.2 d 4 + 4.3 e 4 + 5.1 e 4 + 5.2 d 5 + 5.3 c 2 = 24;
/// C = 6.1 c 2 + 6.2 e 5 + 6.3 d 3 + 6.4 d 3 + 7.1 c 2 + 8.1 d 5 + 9.1 c 2 + 9.2 d 3 + 10 e 5 +
///   11 b 2 + 12 c 3 = 35; total 99: 5★ (every marker met).
///
/// New: carried A 1.1 c 3, 1.3 c 3, 1.4 c 3, 1.5 d 3, 1.6 c 3, 1.7 b 1, 2.1 c 3 (old d), 2.2 d 3,
/// 2.3 c 3, 3.1 c 3, 3.2 b 1, 3.4 b 2 = 31; B 4.1 d 5, 4.2 d 3, 4.3 e 5 = 13; C 6.1 c 2, 6.2 e 4,
/// 6.3 d 3, 6.4 d 3, 7 c 3, 8 d 5, 10 c 5, 11 b 2, 12 c 3 = 30. Open: 1.2 (0–2), 2.4 (0–1), 3.3
/// (1–3), 3.5 b–c (2–3: old b, other IP titles not asked), 5.1 d–e (3–5), 5.2 b–c (1–2), 5.3 c–d
/// (3–5), 9 a–c (2–5). 5.1 is read by the story gates of 5.2 and 5.3 (both apply for d and e), so
/// it is tried with both options.
/// Low: A 31 + 0 + 0 + 1 + 2 = 34, B 13 + 3 + 1 + 3 = 20, C 30 + 2 = 32, total 86: band 4★, held at
/// 3★ by 5.1's **** marker on e (5 needed, d gives 3); with 5.1 e it is 88 and 4★, so the lowest
/// class is 3★ at 86. High: A 31 + 2 + 1 + 3 + 3 = 40, B 13 + 5 + 2 + 5 = 25, C 30 + 5 = 35, total
/// 100: 5★ (the ***** markers 1.3 c, 1.5 d, 4.1 d met).
/// Deciding: 5.1 alone. At the high answers, 5.1 d loses 4★ and 5★ (98, held at 3★); every other
/// open criterion lowered alone leaves 97–99, still 5★. At the low answers, 5.1 e lifts to 4★
/// (88); any other raised alone stays held by 5.1.
#[test]
fn sheet_two_is_decided_by_the_story() {
    let a = sheet_148_01(&[
        "c", "c", "c", "d", "c", "b", "d", "d", "c", "c", "b", "b", "b", "b", "b", "d", "d", "e", "e", "d",
        "c", "c", "e", "d", "d", "c", "d", "c", "d", "e", "b", "c",
    ]);
    let r = rescore_to_26(&a);
    assert_eq!((r.old.stars, r.old.total.as_str()), (Some(5), "99"));
    assert_eq!(open(&r), vec!["1.2", "2.4", "3.3", "3.5", "5.1", "5.2", "5.3", "9"]);
    assert_eq!(r.carried, 24);
    let (low, high) = (r.low.as_ref().expect("low"), r.high.as_ref().expect("high"));
    assert_eq!((low.stars, low.band_stars, low.total.as_str()), (Some(3), 4, "86"));
    assert_eq!(low.limited_by, vec!["5.1"]);
    assert!(low.open_answers.contains(&"5.1=d".to_string()), "{:?}", low.open_answers);
    assert_eq!((high.stars, high.total.as_str()), (Some(5), "100"));
    assert_eq!(r.deciding.len(), 1, "{:?}", r.deciding);
    assert_eq!(
        (r.deciding[0].criterion.as_str(), r.deciding[0].needed, r.deciding[0].lifts),
        ("5.1", true, true)
    );
    let five_one = r.open.iter().find(|o| o.criterion == "5.1").expect("5.1 open");
    assert_eq!(five_one.candidates, vec!["d", "e"]);
    assert!(r.exact);
}

/// 1048's set 21 (medical equipment) has no 148 set: the product is listed, with no bounds.
#[test]
fn a_set_with_no_successor_has_no_bounds() {
    let catalog = catalog();
    let shipped = Crosswalks::shipped(&catalog);
    let cw = shipped.find("1048-2019", "148-2023").expect("the shipped crosswalk");
    let form = catalog.form("1048-2019", "21", None).expect("set 21");
    let answers: String = form.leaves().map(|c| format!("  \"{}\": none\n", c.id())).collect();
    let a =
        Assessment::from_text("o.yaml", &format!("decision: 1048-2019\nset: \"21\"\nanswers:\n{answers}"))
            .expect("valid");
    let r = rescore::rescore(&catalog, cw, &a).expect("re-scored");
    assert_eq!((&r.new_set, &r.low, &r.high), (&None, &None, &None));
    assert_eq!(r.range(), (1, 0, 0));
}

/// A council's sheets are carried member by member; the bounds are the council's means.
#[test]
fn councils_are_carried_member_by_member() {
    let catalog = catalog();
    let shipped = Crosswalks::shipped(&catalog);
    let one = sheet_148_01(&[
        "c", "c", "b", "c", "a", "b", "b", "c", "a", "c", "b", "b", "b", "b", "a", "c", "c", "c", "d", "c",
        "a", "c", "d", "c", "c", "b", "c", "c", "c", "d", "a", "b",
    ]);
    let single = rescore_to_26(&one);
    // The same sheet twice: the same means, the same bounds.
    let form = catalog.form("148-2023", "01", None).expect("form");
    let answers: Vec<String> = [
        "c", "c", "b", "c", "a", "b", "b", "c", "a", "c", "b", "b", "b", "b", "a", "c", "c", "c", "d", "c",
        "a", "c", "d", "c", "c", "b", "c", "c", "c", "d", "a", "b",
    ]
    .iter()
    .zip(form.leaves())
    .map(|(a, c)| format!("\"{}\": {a}", c.id()))
    .collect();
    let member = |name: &str| format!("{{name: {name}, answers: {{{}}}}}", answers.join(", "));
    let a = Assessment::from_text(
        "c.yaml",
        &format!("decision: 148-2023\nset: \"01\"\nmembers:\n  - {}\n  - {}\n", member("An"), member("Bình")),
    )
    .expect("a council");
    let mut r = Rescorer::new(&catalog, &shipped, "26-2026").expect("a rescorer");
    let council = r.rescore(&a).expect("re-scored");
    assert_eq!(council.range(), single.range());
    assert_eq!(council.low.as_ref().map(|b| b.total.clone()), Some("55".to_string()));
    assert_eq!(open(&council), open(&single));
}

// ---------------------------------------------------------------------------------------------
// Archives

/// 10,000 generated 148 sheets (as `ocop generate --decision 148-2023` writes them) re-scored
/// under 26-2026: no bad row, and every product's low class is at most its high class.
#[test]
fn generated_148_archive_rescores_without_bad_rows() {
    use ocop_rating::generate::SheetGenerator;
    let catalog = catalog();
    let shipped = Crosswalks::shipped(&catalog);
    let forms: Vec<&ocop_rating::Form> = catalog.forms_of("148-2023").iter().collect();
    let mut ids: Vec<&str> = Vec::new();
    for f in &forms {
        for c in f.leaves() {
            if !ids.contains(&c.id()) {
                ids.push(c.id());
            }
        }
    }
    let mut csv = format!("id,decision,set,{}\n", ids.join(","));
    let mut g = SheetGenerator::new(1);
    for row in 0..10_000 {
        let form = forms[g.below(forms.len())];
        let mut cells = vec![String::new(); ids.len()];
        for (c, key) in form.leaves().zip(g.keys(form)) {
            let i = ids.iter().position(|id| *id == c.id()).expect("a column");
            cells[i] = key;
        }
        csv.push_str(&format!("p{row},148-2023,{},{}\n", form.set(), cells.join(",")));
    }
    let mut r = Rescorer::new(&catalog, &shipped, "26-2026").expect("a rescorer");
    let mut bad = Vec::new();
    let mut out = Vec::new();
    let start = std::time::Instant::now();
    let summary = rescore::run(
        &mut r,
        csv.as_bytes(),
        false,
        Some((&mut out, rescore::RowFormat::Jsonl)),
        &mut |row, m| bad.push((row, m.to_string())),
    )
    .expect("the archive is read");
    let secs = start.elapsed().as_secs_f64();
    println!("{}", summary.text());
    println!("{} rows in {secs:.2}s ({:.0} rows/s, test profile)", summary.rows, summary.rows as f64 / secs);
    assert!(bad.is_empty(), "{:?}", &bad[..bad.len().min(5)]);
    assert_eq!((summary.rows, summary.rescored, summary.rejected), (10_000, 10_000, 0));
    assert_eq!(summary.sets.len(), 26);
    assert_eq!(summary.all.ranges.values().sum::<u64>(), 10_000);
    let text = String::from_utf8(out).expect("UTF-8");
    assert_eq!(text.lines().count(), 10_000);
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("JSON");
        let class = |b: &serde_json::Value| b["stars"].as_u64().unwrap_or(0);
        assert!(class(&v["low"]) <= class(&v["high"]), "{line}");
    }
}

#[test]
fn bad_rows_are_reported_and_counted() {
    let catalog = catalog();
    let shipped = Crosswalks::shipped(&catalog);
    let mut r = Rescorer::new(&catalog, &shipped, "26-2026").expect("a rescorer");
    let input = concat!(
        "id,decision,set,1.1\n",
        "p1,148-2023,01,c\n", // 31 answers missing
        "p2,148-2023,99,c\n", // no set 99
    );
    let mut bad = Vec::new();
    let summary =
        rescore::run(&mut r, input.as_bytes(), false, None, &mut |row, m| bad.push((row, m.to_string())))
            .expect("read");
    assert_eq!((summary.rows, summary.rejected), (2, 2));
    assert_eq!(bad.iter().map(|b| b.0).collect::<Vec<_>>(), vec![2, 3]);
    assert!(bad[0].1.contains("31 criteria not answered"), "{}", bad[0].1);
    assert!(bad[1].1.contains("no form for set `99`"), "{}", bad[1].1);
    // A sheet of a decision with no crosswalk to the target.
    let form = catalog.form("26-2026", "01", None).expect("form");
    let answers: String = form.leaves().map(|c| format!("  \"{}\": none\n", c.id())).collect();
    let a = Assessment::from_text("n.yaml", &format!("decision: 26-2026\nset: \"01\"\nanswers:\n{answers}"))
        .expect("valid");
    let e = r.rescore(&a).expect_err("no crosswalk from 26-2026");
    assert!(e.0.contains("no crosswalk from 26-2026 to 26-2026"), "{}", e.0);
}
