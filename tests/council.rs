//! Councils and the award, worked by hand on a variant of the fixture decision with the bands
//! of 26/2026 (30 / 50 / 70 / 90) and fractional points on criterion 1.1 (a 0, b 9.5, c 9.97,
//! d 10), so that means land next to every band boundary.

use ocop_rating::{Assessment, Catalog, CatalogBuilder};

mod common;

/// The made-up decision standing alone (the shipped 26-2026 it supersedes is not loaded here).
fn decision() -> &'static str {
    common::decision_alone()
}
const FORM: &str = include_str!("fixtures/future/99-2030/01-thu-nghiem.yaml");

fn catalog() -> Catalog {
    let decision = decision()
        .replace("{stars: 1, from: 0, below: 40}", "{stars: 1, from: 0, below: 30}")
        .replace("{stars: 2, from: 40, below: 55}", "{stars: 2, from: 30, below: 50}")
        .replace("{stars: 3, from: 55, below: 70}", "{stars: 3, from: 50, below: 70}")
        .replace("{stars: 5, from: 85, to: 100}", "{stars: 5, from: 90, to: 100}")
        .replace("{stars: 4, from: 70, below: 85}", "{stars: 4, from: 70, below: 90}")
        .replace(
            "    - {level: province, stars: [3, 4], source: \"Điều 4 (made up)\"}",
            "    - {level: district, stars: [3], until: 2030-06-30, source: \"Điều 4.1 (made up)\"}\n    - {level: province, stars: [4], until: 2030-06-30, source: \"Điều 4.2 (made up)\"}\n    - {level: province, stars: [3, 4], from: 2030-07-01, source: \"Điều 4.3 (made up)\"}",
        );
    let form = FORM.replace(
        "              a: {points: 0, text_vi: Không rõ}\n              b: {points: 5, text_vi: Trong tỉnh, star: 3}\n              c: {points: 10, text_vi: Trong xã, star: 5}",
        "              a: {points: 0, text_vi: Không rõ}\n              b: {points: 9.5, text_vi: Trong huyện, star: 3}\n              c: {points: 9.97, text_vi: Trong tỉnh}\n              d: {points: 10, text_vi: Trong xã, star: 5}",
    );
    assert_ne!(form, FORM);
    CatalogBuilder::new()
        .file("99-2030", "99-2030/decision.yaml", decision)
        .file("99-2030", "99-2030/01.yaml", form)
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Total 50: 1.1 d 10 + 1.2 b 5 + 1.3 yes 10 + 2 b 20 + 3.1 a 0 + 3.2 (n/a) 0 + 3.3.1 a 0
/// (stops 3.3.2) + 4 [a] 5 = 50.
const T50: &str =
    r#"{"1.1": d, "1.2": b, "1.3": "yes", "2": b, "3.1": a, "3.2": a, "3.3.1": a, "3.3.2": a, "4": [a]}"#;
/// Total 49.97: as T50 with 1.1 c (9.97).
const T49_97: &str =
    r#"{"1.1": c, "1.2": b, "1.3": "yes", "2": b, "3.1": a, "3.2": a, "3.3.1": a, "3.3.2": a, "4": [a]}"#;
/// Total 70: 1.1 d 10 + 1.2 b 5 + 1.3 no 0 + 2 b 20 + 3.1 b 10 + 3.2 b 10 + 3.3.1 b 5 + 3.3.2 b 5 + 4 [a] 5.
const T70: &str =
    r#"{"1.1": d, "1.2": b, "1.3": "no", "2": b, "3.1": b, "3.2": b, "3.3.1": b, "3.3.2": b, "4": [a]}"#;
/// Total 69.97: as T70 with 1.1 c (9.97).
const T69_97: &str =
    r#"{"1.1": c, "1.2": b, "1.3": "no", "2": b, "3.1": b, "3.2": b, "3.3.1": b, "3.3.2": b, "4": [a]}"#;
/// Total 69.5: as T69_97 with 1.1 b (9.5).
const T69_5: &str =
    r#"{"1.1": b, "1.2": b, "1.3": "no", "2": b, "3.1": b, "3.2": b, "3.3.1": b, "3.3.2": b, "4": [a]}"#;
/// Total 90: 1.1 d 10 + 1.2 b 5 + 1.3 yes 10 + 2 b 20 + 3.1 b 10 + 3.2 b 10 + 3.3.1 b 5 + 3.3.2 b 5 + 4 [a, c] 15.
const T90: &str =
    r#"{"1.1": d, "1.2": b, "1.3": "yes", "2": b, "3.1": b, "3.2": b, "3.3.1": b, "3.3.2": b, "4": [a, c]}"#;
/// Total 89.97: as T90 with 1.1 c (9.97); 1.1 c has no marker, 5★ needs d: the class is capped.
const T89_97: &str =
    r#"{"1.1": c, "1.2": b, "1.3": "yes", "2": b, "3.1": b, "3.2": b, "3.3.1": b, "3.3.2": b, "4": [a, c]}"#;
/// Total 60: 1.1 d 10 + 1.2 b 5 + 1.3 yes 10 + 2 b 20 + 3.1 a + 3.2 (n/a) + 3.3.1 a + 4 [a, c] 15 = 60.
const T60: &str =
    r#"{"1.1": d, "1.2": b, "1.3": "yes", "2": b, "3.1": a, "3.2": a, "3.3.1": a, "3.3.2": a, "4": [a, c]}"#;
/// Total 60.5: 1.1 b 9.5 + 1.2 b 5 + 1.3 yes 10 + 2 b 20 + 3.1 a 0 + 3.2 (n/a) 0 + 3.3.1 b 5 + 3.3.2 a 1 + 4 [a, b] 10.
const T60_5: &str =
    r#"{"1.1": b, "1.2": b, "1.3": "yes", "2": b, "3.1": a, "3.2": a, "3.3.1": b, "3.3.2": a, "4": [a, b]}"#;

fn council(members: &[&str], extra: &str) -> String {
    let mut text = format!("decision: 99-2030\nset: \"01\"\n{extra}members:\n");
    for (i, m) in members.iter().enumerate() {
        text.push_str(&format!("  - name: M{}\n    answers: {m}\n", i + 1));
    }
    text
}

fn mean_band_stars(c: &Catalog, members: &[&str]) -> (String, u8, Option<u8>) {
    let a = Assessment::from_text("c.yaml", &council(members, "")).unwrap_or_else(|e| panic!("{e}"));
    let s = c.score(&a).unwrap_or_else(|e| panic!("{e}"));
    let o = s.outcome();
    (o.total().to_string(), o.band_stars(), o.stars())
}

#[test]
fn each_sheet_totals_as_worked() {
    let c = catalog();
    for (sheet, total) in [
        (T50, "50"),
        (T49_97, "49.97"),
        (T70, "70"),
        (T69_97, "69.97"),
        (T69_5, "69.5"),
        (T90, "90"),
        (T89_97, "89.97"),
        (T60, "60"),
        (T60_5, "60.5"),
    ] {
        let (t, ..) = mean_band_stars(&c, &[sheet]);
        assert_eq!(t, total, "{sheet}");
    }
}

#[test]
fn means_next_to_every_band_boundary() {
    let c = catalog();
    // (50 + 50 + 49.97) / 3 = 149.97 / 3 = 49.99: below 50, 2 stars.
    assert_eq!(mean_band_stars(&c, &[T50, T50, T49_97]), ("49.99".into(), 2, Some(2)));
    // (50 + 50 + 50) / 3 = 50: 3 stars.
    assert_eq!(mean_band_stars(&c, &[T50, T50, T50]), ("50".into(), 3, Some(3)));
    // (69.5 + 69.5 + 69.5) / 3 = 69.5: 3 stars.
    assert_eq!(mean_band_stars(&c, &[T69_5, T69_5, T69_5]), ("69.5".into(), 3, Some(3)));
    // Five members: (70 + 70 + 70 + 69.97 + 69.5) / 5 = 349.47 / 5 = 69.894: 3 stars.
    assert_eq!(mean_band_stars(&c, &[T70, T70, T70, T69_97, T69_5]), ("69.894".into(), 3, Some(3)));
    // (90 + 90 + 89.97) / 3 = 269.97 / 3 = 89.99: 4 stars.
    assert_eq!(mean_band_stars(&c, &[T90, T90, T89_97]), ("89.99".into(), 4, Some(4)));
    // (90 + 90 + 90) / 3 = 90: 5 stars.
    assert_eq!(mean_band_stars(&c, &[T90, T90, T90]), ("90".into(), 5, Some(5)));
}

#[test]
fn seven_members_whose_mean_displays_as_50_but_is_below() {
    let c = catalog();
    // 6 × 50 + 49.97 = 349.97; / 7 = 49.99571…: shown 50.00 at two places, but 2 stars.
    let members = [T50, T50, T50, T50, T50, T50, T49_97];
    let a = Assessment::from_text("c.yaml", &council(&members, "")).unwrap();
    let s = c.score(&a).unwrap();
    let o = s.outcome();
    assert_eq!(o.total_mean().display(2).to_string(), "50");
    assert_eq!((o.band_stars(), o.stars()), (2, Some(2)));
    assert!(o.total().to_string().starts_with("49.9957142857"));
}

#[test]
fn minimums_are_judged_on_the_mean_of_each_criterion() {
    let c = catalog();
    // The 4-star marker on 3.3.2 b needs 5 points; members answer b, b, a: mean
    // (5 + 5 + 1) / 3 = 3.67 < 5, so the class stops at 3 although every other member's sheet
    // and the band (5) would allow more.
    let low_332 = T90.replace("\"3.3.2\": b", "\"3.3.2\": a").replace("\"4\": [a, c]", "\"4\": [a, b, c]");
    // That member: 10 + 5 + 10 + 20 + 10 + 10 + 5 + 1 + 20 = 91. Mean (90 + 90 + 91) / 3 = 90.33.
    let (t, band, stars) = mean_band_stars(&c, &[T90, T90, &low_332]);
    assert_eq!((t.starts_with("90.33"), band, stars), (true, 5, Some(3)));
}

#[test]
fn spread_of_exactly_ten_passes_and_ten_and_a_half_is_flagged() {
    let c = catalog();
    let a = Assessment::from_text("c.yaml", &council(&[T50, T60, T50], "")).unwrap();
    let s = c.score(&a).unwrap();
    // The fixture's own limit is 8: 10 exceeds it. With 26/2026's 10 it would not.
    let k = s.council();
    assert_eq!(k.spread.to_string(), "10");
    assert_eq!(k.spread_limit.to_string(), "8");
    assert!(k.spread_exceeded);
    let catalog10 = {
        let decision = decision().replace("spread_limit: 8", "spread_limit: 10");
        CatalogBuilder::new()
            .file("99-2030", "99-2030/decision.yaml", decision)
            .file("99-2030", "99-2030/01.yaml", FORM.replace("{points: 5, text_vi: Trong tỉnh, star: 3}", "{points: 9.5, text_vi: Trong huyện, star: 3}\n              c2: {points: 9.97, text_vi: Trong tỉnh}").replace("c: {points: 10, text_vi: Trong xã, star: 5}", "d: {points: 10, text_vi: Trong xã, star: 5}").replace("c2:", "c:"))
            .build()
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let s = catalog10.score(&a).unwrap();
    let k = s.council();
    assert_eq!((k.spread.to_string().as_str(), k.spread_exceeded), ("10", false));
    assert_eq!(
        (k.highest.clone(), k.lowest.clone()),
        (vec!["M2".to_string()], vec!["M1".to_string(), "M3".to_string()])
    );
    let a = Assessment::from_text("c.yaml", &council(&[T50, T60_5, T50, T50, T50], "")).unwrap();
    let s = catalog10.score(&a).unwrap();
    let k = s.council();
    assert_eq!((k.spread.to_string().as_str(), k.spread_exceeded), ("10.5", true));
    assert_eq!(k.highest, ["M2"]);
    let text = ocop_rating::render::text(&s, &s.trace().unwrap());
    assert!(text.contains("EXCEEDED"), "{text}");
}

#[test]
fn a_member_missing_an_answer_is_named() {
    let c = catalog();
    let partial = T50.replace("\"1.2\": b, ", "");
    let a = Assessment::from_text("c.yaml", &council(&[T50, &partial, T50], "")).unwrap();
    let e = c.score(&a).unwrap_err();
    let d = &e.diagnostics()[0];
    assert!(d.message.starts_with("member `M2`: 1 criterion not answered: 1.2"), "{d}");
    assert_eq!(d.path, "members[1].answers");
    assert_eq!(d.line, Some(7));
}

#[test]
fn quorum_against_the_council_size() {
    let c = catalog();
    let a = Assessment::from_text("c.yaml", &council(&[T50, T50, T50], "council_size: 2\n")).unwrap();
    let k = c.score(&a).unwrap().council();
    assert_eq!(k.quorum_problem.as_deref(), Some("3 sheets for a council of 2 members"));
}

fn award(c: &Catalog, sheet: &str, extra: &str) -> ocop_rating::Award {
    let text = format!("decision: 99-2030\nset: \"01\"\n{extra}answers: {sheet}\n");
    let a = Assessment::from_text("a.yaml", &text).unwrap_or_else(|e| panic!("{e}"));
    c.score(&a).unwrap_or_else(|e| panic!("{e}")).award()
}

#[test]
fn award_periods_at_their_boundary_dates() {
    let c = catalog();
    // 3 stars (T50): the district recognises it until 2030-06-30, the province from 2030-07-01.
    let on_30_june = award(&c, T50, "evaluated_on: 2030-06-30\n");
    assert_eq!((on_30_june.level.as_deref(), on_30_june.certificate), (Some("district"), true));
    let on_1_july = award(&c, T50, "evaluated_on: 2030-07-01\n");
    assert_eq!(on_1_july.level.as_deref(), Some("province"));
    // 4 stars at the district on 2030-06-30: potential, to be proposed to the province.
    let four = award(&c, T70, "evaluated_on: 2030-06-30\nevaluating_level: district\n");
    assert_eq!((four.level.as_deref(), four.potential, four.certificate), (Some("province"), Some(4), false));
    // 5 stars at the province: potential 5★, to the central level.
    let five = award(&c, T90, "evaluated_on: 2030-07-01\nevaluating_level: province\n");
    assert_eq!((five.level.as_deref(), five.potential), (Some("central"), Some(5)));
    assert!(five.note.contains("potential 5★"), "{}", five.note);
    // Without an evaluating level, the lowest level in force is assumed (the province from July).
    let five = award(&c, T90, "evaluated_on: 2030-07-01\n");
    assert_eq!(five.potential, Some(5));
    // 2 stars: no certificate.
    let two = award(&c, T49_97, "evaluated_on: 2030-07-01\n");
    assert_eq!((two.level, two.certificate), (None, false));
    // Validity: the fixture's certificate runs 24 months from recognition.
    let valid = award(&c, T50, "evaluated_on: 2030-07-01\nrecognised_on: 2030-08-31\n");
    assert_eq!(valid.valid_until.map(|d| d.to_string()).as_deref(), Some("2032-08-31"));
}
