//! The decision timeline at every boundary date: which decision and form version an assessment
//! gets from its dates alone, and where the 26/2026 transition (Điều 12.2) ends the old rules.
//!
//! Dates, from the decision files:
//! - 1048/QĐ-TTg in force 2019-08-21 .. 2023-02-23; its set 26 is the original tourism form
//!   until 2020-06-07 and the 781/QĐ-TTg form from 2020-06-08;
//! - 148/QĐ-TTg in force 2023-02-24 .. 2026-07-21 (ceases 60 days after 2026-05-22, 26/2026 Điều 11.2);
//! - 26/2026/QĐ-TTg in force from 2026-05-22; a dossier lodged before that day is finished under
//!   148 within 60 days (by 2026-07-21) or 30 days for a re-evaluation (by 2026-06-21).

use ocop_rating::{Assessment, Catalog};
use std::sync::OnceLock;

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| Catalog::embedded().unwrap_or_else(|e| panic!("{e}")))
}

/// Resolves an assessment of `set` given only by its dates; returns the decision key and the
/// form's file name, or the error text.
fn resolve(set: &str, dates: &str) -> Result<(String, String), String> {
    let text = format!("set: \"{set}\"\n{dates}\nanswers: {{}}\n");
    let a = Assessment::from_text("timeline.yaml", &text).map_err(|e| e.to_string())?;
    let (form, _) = catalog().resolve(&a).map_err(|e| e.to_string())?;
    Ok((form.decision().key().to_string(), form.file().rsplit('/').next().unwrap_or("").to_string()))
}

fn decision_of(set: &str, dates: &str) -> String {
    match resolve(set, dates) {
        Ok((key, _)) => key,
        Err(e) => panic!("{dates}: {e}"),
    }
}

fn error_of(set: &str, dates: &str) -> String {
    match resolve(set, dates) {
        Ok(found) => panic!("{dates}: expected an error, got {found:?}"),
        Err(e) => e,
    }
}

#[test]
fn nothing_before_1048() {
    let e = error_of("01", "lodged_on: 2019-08-20");
    assert!(e.contains("no decision is in force on 2019-08-20"), "{e}");
    assert_eq!(decision_of("01", "lodged_on: 2019-08-21"), "1048-2019");
}

#[test]
fn the_1048_tourism_form_changes_on_2020_06_08() {
    let (_, before) = resolve("26", "lodged_on: 2020-06-07").unwrap();
    let (_, after) = resolve("26", "lodged_on: 2020-06-08").unwrap();
    assert_eq!(before, "26-dich-vu-du-lich-truyen-thong-le-hoi.yaml");
    assert_ne!(after, before);
    assert!(after.starts_with("26-"), "{after}");
    // The first day of 1048 has the original form too; other sets have one version throughout.
    assert_eq!(resolve("26", "lodged_on: 2019-08-21").unwrap().1, before);
    assert_eq!(
        resolve("25", "lodged_on: 2020-06-07").unwrap(),
        resolve("25", "lodged_on: 2020-06-08").unwrap()
    );
}

#[test]
fn decision_148_takes_over_on_2023_02_24() {
    assert_eq!(decision_of("01", "lodged_on: 2023-02-23"), "1048-2019");
    assert_eq!(decision_of("01", "lodged_on: 2023-02-24"), "148-2023");
    // 1048 has no transition block: a 1048 dossier evaluated later is still scored under 1048.
    assert_eq!(decision_of("01", "lodged_on: 2023-02-23\nevaluated_on: 2023-06-01"), "1048-2019");
}

#[test]
fn decision_26_2026_takes_over_on_2026_05_22() {
    assert_eq!(decision_of("01", "lodged_on: 2026-05-21"), "148-2023");
    assert_eq!(decision_of("01", "lodged_on: 2026-05-22"), "26-2026");
    // 148 is still in force until 2026-07-21, but the latest decision wins for a new dossier.
    assert_eq!(decision_of("01", "lodged_on: 2026-07-21"), "26-2026");
    assert_eq!(decision_of("26", "lodged_on: 2026-11-29"), "26-2026");
}

#[test]
fn first_rating_under_148_ends_on_2026_07_21() {
    // 60 days from 2026-05-22, Điều 12.2.a.
    assert_eq!(decision_of("01", "lodged_on: 2026-05-21\nevaluated_on: 2026-07-21"), "148-2023");
    let e = error_of("01", "lodged_on: 2026-05-21\nevaluated_on: 2026-07-22");
    assert!(e.contains("had to be rated by 2026-07-21"), "{e}");
    assert!(e.contains("re-lodge the dossier under 26-2026"), "{e}");
}

#[test]
fn re_evaluation_under_148_ends_on_2026_06_21() {
    // 30 days from 2026-05-22, Điều 12.2.b.
    let re = "re_evaluation: true\nlodged_on: 2026-05-21";
    assert_eq!(decision_of("01", &format!("{re}\nevaluated_on: 2026-06-21")), "148-2023");
    let e = error_of("01", &format!("{re}\nevaluated_on: 2026-06-22"));
    assert!(e.contains("had to be re-evaluated by 2026-06-21"), "{e}");
}

#[test]
fn a_named_decision_must_match_the_dates() {
    let named = |d: &str, lodged: &str| resolve("01", &format!("decision: {d}\nlodged_on: {lodged}"));
    assert!(named("148-2023", "2026-05-21").is_ok());
    assert!(named("26-2026", "2026-05-22").is_ok());
    let e = named("26-2026", "2026-05-21").unwrap_err();
    assert!(e.contains("decision 26-2026 does not apply to a dossier lodged on 2026-05-21"), "{e}");
    let e = named("1048-2019", "2023-02-24").unwrap_err();
    assert!(e.contains("decision 1048-2019 does not apply to a dossier lodged on 2023-02-24"), "{e}");
}

#[test]
fn evaluation_before_lodging_is_an_error() {
    let e = error_of("01", "lodged_on: 2026-06-02\nevaluated_on: 2026-06-01");
    assert!(e.contains("before the dossier was lodged"), "{e}");
}

/// 781/QĐ-TTg added its minimums on 2020-06-08: a 1048 dossier lodged before is judged without
/// them, by the score and by the trace alike; with no date, the rules since 781 apply.
#[test]
fn the_781_minimums_apply_from_2020_06_08() {
    let case: serde_yaml::Value = serde_yaml::from_str(
        &std::fs::read_to_string("rules/1048-2019/cases/17-held-by-minimum.yaml").unwrap(),
    )
    .unwrap();
    let assessment = serde_yaml::to_string(&case["assessment"]).unwrap();
    let judged = |extra: &str| {
        let a = Assessment::from_text("17.yaml", &format!("{assessment}{extra}")).unwrap();
        let scored = catalog().score(&a).unwrap();
        let traced = scored.trace().unwrap().outcome().stars();
        assert_eq!(scored.outcome().stars(), traced, "score and trace disagree for {extra:?}");
        (scored.outcome().band_stars(), traced, scored.outcome().limited_by().count())
    };
    assert_eq!(judged(""), (4, Some(2), 1), "no date: the rules since 781");
    assert_eq!(judged("lodged_on: 2020-06-08\n"), (4, Some(2), 1));
    assert_eq!(judged("lodged_on: 2020-06-07\n"), (4, Some(4), 0));
    assert_eq!(judged("lodged_on: 2019-08-21\n"), (4, Some(4), 0));
}

/// Ruling 12: a named decision gets the same date checks as an unnamed one.
#[test]
fn a_named_decision_is_the_one_the_lodging_date_gives() {
    // 148 is still used until 2026-07-21, but only for dossiers lodged before 2026-05-22.
    let e = error_of("01", "decision: 148-2023\nlodged_on: 2026-06-01");
    assert!(e.contains("does not apply to a dossier lodged on 2026-06-01") && e.contains("26-2026"), "{e}");
    assert_eq!(
        decision_of("01", "decision: 148-2023\nlodged_on: 2026-05-21\nevaluated_on: 2026-07-21"),
        "148-2023"
    );
    // …and 26/2026 is not named for a dossier lodged under 148.
    let e = error_of("01", "decision: 26-2026\nlodged_on: 2026-05-21");
    assert!(e.contains("148-2023"), "{e}");
    assert_eq!(decision_of("01", "decision: 26-2026\nlodged_on: 2026-05-22"), "26-2026");
    // A named decision lodged in 1900, or evaluated before it was lodged, is refused.
    assert!(error_of("01", "decision: 1048-2019\nlodged_on: 1900-01-01").contains("no decision is in force"));
    let e = error_of("01", "decision: 26-2026\nlodged_on: 2026-06-10\nevaluated_on: 2026-06-01");
    assert!(e.contains("before the dossier was lodged"), "{e}");
    // Without a lodging date, the evaluation date must fall in the named decision's period.
    let e = error_of("01", "decision: 26-2026\nevaluated_on: 1900-01-01");
    assert!(e.contains("outside the period of decision 26-2026"), "{e}");
}

#[test]
fn a_recognition_follows_the_evaluation_and_has_room_for_its_certificate() {
    let e = error_of("01", "decision: 26-2026\nlodged_on: 2026-06-10\nrecognised_on: 2026-06-01");
    assert!(e.contains("recognised on 2026-06-01, before the dossier was lodged on 2026-06-10"), "{e}");
    let e = error_of(
        "01",
        "decision: 26-2026\nlodged_on: 2026-06-10\nevaluated_on: 2026-07-01\nrecognised_on: 2026-06-20",
    );
    assert!(e.contains("before the dossier was evaluated"), "{e}");
    let e = error_of("01", "decision: 26-2026\nlodged_on: 2026-06-10\nrecognised_on: 9999-12-31");
    assert!(e.contains("would end after 9999-12-31"), "{e}");
    assert_eq!(
        decision_of("01", "decision: 26-2026\nlodged_on: 2026-06-10\nrecognised_on: 2026-07-01"),
        "26-2026"
    );
}
