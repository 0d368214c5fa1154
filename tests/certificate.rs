//! The certificate's life after issue (ruling 13), from the decision files' `award.lifecycle`:
//! the expiry, the re-rating lodging window (26/2026 Điều 7.6.a), the extension when a change of
//! decision made that window impossible (Điều 12.3), and what happens to a proposed 5★ the
//! central council scores below 90 (Điều 7.4.g). Every date below is counted by hand.

use ocop_rating::{Assessment, Catalog, Date, Stated};

fn catalog() -> &'static Catalog {
    static CATALOG: std::sync::LazyLock<Catalog> =
        std::sync::LazyLock::new(|| Catalog::embedded().unwrap_or_else(|e| panic!("{e}")));
    &CATALOG
}

fn date(text: &str) -> Date {
    text.parse().unwrap_or_else(|e| panic!("{text}: {e:?}"))
}

/// The `assessment:` block of a shipped case, dedented, with `extra` lines added to it.
fn case_assessment(path: &str, extra: &str) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut out = String::new();
    let mut inside = false;
    for line in text.lines() {
        if line == "assessment:" {
            inside = true;
            continue;
        }
        if inside && !line.starts_with(' ') && !line.is_empty() {
            break;
        }
        if inside {
            out.push_str(line.strip_prefix("  ").unwrap_or(line));
            out.push('\n');
        }
    }
    out + extra
}

fn award_of(text: &str) -> ocop_rating::Award {
    let a = Assessment::from_text("a.yaml", text).unwrap_or_else(|e| panic!("{e}"));
    let scored = catalog().score(&a).unwrap_or_else(|e| panic!("{e}"));
    scored.award()
}

#[test]
fn a_26_2026_certificate_runs_36_months_and_is_re_rated_180_to_120_days_before() {
    // The README's example: 61 points, 3★, recognised by the province.
    let example =
        std::fs::read_to_string("examples/26-2026-01-rau-cai.yaml").unwrap_or_else(|e| panic!("{e}"));
    let text =
        format!("{example}\nlodged_on: 2026-06-01\nevaluated_on: 2026-07-15\nrecognised_on: 2026-09-01\n");
    let award = award_of(&text);
    assert_eq!(award.stars, Some(3));
    let life =
        award.lifecycle.unwrap_or_else(|| panic!("a certificate with a recognition date has a lifecycle"));
    // 2026-09-01 + 36 months = 2029-09-01 (Điều 4.3).
    assert_eq!(life.valid_until, date("2029-09-01"));
    assert_eq!(award.valid_until, Some(date("2029-09-01")));
    assert_eq!(life.renewal_decision, "26-2026");
    // 180 days before 2029-09-01: from 2029-03-05, 26 days of March + 30 + 31 + 30 + 31 + 31
    // (April to August) + 1 = 180. 120 days before: from 2029-05-04, 27 + 30 + 31 + 31 + 1 = 120.
    assert_eq!(life.re_rating_window, Some((date("2029-03-05"), date("2029-05-04"))));
    // Rated and re-rated under the same decision: Điều 12.3 (a transitional rule) does not apply.
    assert_eq!(life.extended_at_most_until, None);
    assert!(life.lines.iter().any(|l| l.contains("[26/2026/QĐ-TTg, Điều 7.6.a]")), "{:#?}", life.lines);
    assert!(life.lines.iter().any(|l| l.contains("[26/2026/QĐ-TTg, Điều 4.3]")), "{:#?}", life.lines);
}

#[test]
fn a_148_certificate_expiring_after_the_change_is_re_rated_under_26_2026_with_the_extension() {
    // 5★ under 148, recognised by the central level on 2023-09-01.
    let text = case_assessment(
        "rules/148-2023/cases/01-high.yaml",
        "lodged_on: 2023-06-01\nevaluated_on: 2023-08-15\nevaluating_level: central\nrecognised_on: 2023-09-01\n",
    );
    let award = award_of(&text);
    assert_eq!((award.stars, award.certificate), (Some(5), true));
    let life = award.lifecycle.unwrap_or_else(|| panic!("lifecycle"));
    assert_eq!(life.valid_until, date("2026-09-01"));
    // Expiring on 2026-09-01, after 26/2026 took effect (2026-05-22): its rules govern re-rating.
    assert_eq!(life.renewal_decision, "26-2026");
    // The same counts as above, in 2026: 2026-03-05 to 2026-05-04, which closes before
    // 2026-05-22, so the window could not be met under the new decision (Điều 12.3).
    assert_eq!(life.re_rating_window, Some((date("2026-03-05"), date("2026-05-04"))));
    assert!(
        life.lines.iter().any(|l| l.contains("opens before 26/2026/QĐ-TTg takes effect")),
        "{:#?}",
        life.lines
    );
    // 180 days after 2026-09-01: 29 (rest of September) + 31 + 30 + 31 + 31 + 28 (October to
    // February 2027) = 180, so 2027-02-28.
    assert_eq!(life.extended_at_most_until, Some(date("2027-02-28")));
    assert!(life.lines.iter().any(|l| l.contains("[26/2026/QĐ-TTg, Điều 12.3]")), "{:#?}", life.lines);
    // 148's own text is not available: its validity is applied but said to be uncited.
    assert!(life.lines[0].contains("not available"), "{:#?}", life.lines);
}

#[test]
fn a_proposed_5_star_scored_below_90_centrally_may_be_recognised_by_the_province() {
    let text = case_assessment("rules/1048-2019/cases/01-high.yaml", "");
    let award = award_of(&text);
    assert_eq!(award.potential, Some(5));
    assert_eq!(award.lifecycle, None, "no certificate yet: the class is only proposed");
    let below = award.if_scored_below.unwrap_or_default();
    assert!(below.contains("below 90") && below.contains("3★ or 4★"), "{below}");
    assert!(below.contains("1048/QĐ-TTg, Phụ lục II, mục 4"), "{below}");
    // 148's text is not available: said so, never borrowed from another decision.
    let text = case_assessment("rules/148-2023/cases/01-high.yaml", "lodged_on: 2024-03-01\n");
    let below = award_of(&text).if_scored_below.unwrap_or_default();
    assert!(below.contains("not available") && !below.contains("[26/2026"), "{below}");
}

#[test]
fn every_shipped_decision_states_each_rule_or_says_why_not() {
    for d in catalog().decisions() {
        let l = d.lifecycle();
        let whys = [
            matches!(&l.validity_source, Stated::NotStated(w) if w.contains("records no")),
            matches!(&l.re_rating_window, Stated::NotStated(w) if w.contains("records no")),
            matches!(&l.missed_window_grace, Stated::NotStated(w) if w.contains("records no")),
            matches!(&l.central_below_threshold, Stated::NotStated(w) if w.contains("records no")),
        ];
        assert!(whys.iter().all(|w| !w), "{}: every rule is recorded in the decision file", d.key());
    }
    let d26 = catalog().decision("26-2026").unwrap_or_else(|| panic!("26-2026"));
    let (window, source) = d26.lifecycle().re_rating_window.stated().unwrap_or_else(|| panic!("7.6.a"));
    assert_eq!((window.earliest_days_before, window.latest_days_before), (180, 120));
    assert_eq!(source, "26/2026/QĐ-TTg, Điều 7.6.a");
}

#[test]
fn ocop_award_prints_the_lifecycle_with_its_sources() {
    let dir = std::env::temp_dir().join(format!("ocop-award-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let file = dir.join("a.yaml");
    let text = case_assessment(
        "rules/148-2023/cases/01-high.yaml",
        "lodged_on: 2023-06-01\nevaluated_on: 2023-08-15\nevaluating_level: central\nrecognised_on: 2023-09-01\n",
    );
    std::fs::write(&file, text).unwrap_or_else(|e| panic!("{e}"));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ocop"))
        .args(["award", &file.to_string_lossy()])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("5★ under 148/QĐ-TTg"), "{stdout}");
    assert!(
        stdout.contains("re-rating under 26/2026/QĐ-TTg: lodge the dossier from 2026-03-05 to 2026-05-04"),
        "{stdout}"
    );
    assert!(stdout.contains("at most until 2027-02-28"), "{stdout}");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ocop"))
        .args(["award", "--json", &file.to_string_lossy()])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(json["lifecycle"]["extended_at_most_until"], "2027-02-28");
    assert_eq!(json["lifecycle"]["renewal_decision"], "26-2026");
    // The score sheet says the same under its award line, and the JSON record carries it.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ocop"))
        .args(["score", &file.to_string_lossy()])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let sheet = String::from_utf8_lossy(&out.stdout);
    assert!(sheet.contains("  if that window could not be met") && sheet.contains("2027-02-28"), "{sheet}");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ocop"))
        .args(["score", "--format", "json", &file.to_string_lossy()])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let record: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(record["award"]["lifecycle"]["re_rating_until"], "2026-05-04");
    let _ = std::fs::remove_dir_all(&dir);
}
