//! Hot swap under load: scoring threads run while the catalog is reloaded again and again,
//! with good and broken rule sets. No torn reads (every score matches its catalog's answer),
//! no lost work (every job finishes), failed reloads keep the old catalog.

use ocop_rating::{Assessment, CatalogBuilder, SharedCatalog};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

const FORM: &str = include_str!("fixtures/future/99-2030/01-thu-nghiem.yaml");
mod common;

/// The made-up decision standing alone (the shipped 26-2026 it supersedes is not loaded here).
fn decision() -> &'static str {
    common::decision_alone()
}

/// The fixture, with option 1.1 c worth `points` (and the criterion max with it).
fn builder(points: u32) -> CatalogBuilder {
    let form = FORM
        .replacen(
            "c: {points: 10, text_vi: Trong xã, star: 5}",
            &format!("c: {{points: {points}, text_vi: Trong xã, star: 5}}"),
            1,
        )
        .replacen(
            "            name_en: Origin\n            max: 10",
            &format!("            name_en: Origin\n            max: {points}"),
            1,
        )
        .replacen(
            "        name_en: Production\n        max: 30",
            &format!("        name_en: Production\n        max: {}", 20 + points),
            1,
        )
        .replacen(
            "    name_en: Product\n    max: 50",
            &format!("    name_en: Product\n    max: {}", 40 + points),
            1,
        );
    let decision = decision()
        .replace("parts: {A: 50, B: 30, C: 20}", &format!("parts: {{A: {}, B: 30, C: 20}}", 40 + points))
        .replace("total_max: 100", &format!("total_max: {}", 90 + points))
        .replace("{stars: 5, from: 85, to: 100}", &format!("{{stars: 5, from: 85, to: {}}}", 90 + points));
    CatalogBuilder::new().file("99-2030", "99-2030/decision.yaml", decision).file(
        "99-2030",
        "99-2030/01.yaml",
        form,
    )
}

const SHEET: &str = r#"decision: 99-2030
set: "01"
answers: {"1.1": c, "1.2": c, "1.3": "yes", "2": b, "3.1": b, "3.2": b, "3.3.1": b, "3.3.2": b, "4": [a, b, c]}
"#;

/// Scores the sheet against whatever catalog is current, as a service handler would, and
/// returns only owned values: the rule file's SHA-256, the total in hundredths and the class.
fn score_now(shared: &SharedCatalog, assessment: &Assessment) -> (String, i64, Option<u8>) {
    let catalog = shared.current();
    let scored = catalog.score(assessment).unwrap_or_else(|e| panic!("{e}"));
    let outcome = scored.outcome();
    (outcome.form().sha256().to_string(), outcome.total_mean().sum().hundredths(), outcome.stars())
}

#[test]
fn scorers_keep_their_catalog_while_reloads_come_and_go() {
    // Two versions of the same form whose results differ: 1.1 c is worth 10 in one and 5 in the
    // other, so the sheet totals 100 (5 stars) or 95 (5 stars, with 1.1 at 5 of 5). A result that
    // mixed the two (the form of one, the points of the other) matches neither pair exactly.
    let ten = builder(10).build().unwrap_or_else(|e| panic!("{e}"));
    let five = builder(5).build().unwrap_or_else(|e| panic!("{e}"));
    let sha = |c: &ocop_rating::Catalog| {
        c.form("99-2030", "01", None).unwrap_or_else(|e| panic!("{e}")).sha256().to_string()
    };
    let expected: [(String, i64, Option<u8>); 2] =
        [(sha(&ten), 10_000, Some(5)), (sha(&five), 9_500, Some(5))];
    assert_ne!(expected[0].0, expected[1].0);
    let shared = Arc::new(SharedCatalog::new(ten));
    let assessment = Arc::new(Assessment::from_text("s.yaml", SHEET).unwrap_or_else(|e| panic!("{e}")));
    let stop = Arc::new(AtomicBool::new(false));
    let scored = Arc::new(AtomicU64::new(0));
    let seen = Arc::new([AtomicU64::new(0), AtomicU64::new(0)]);
    let mut workers = Vec::new();
    for _ in 0..4 {
        let (shared, assessment, stop, scored, seen, expected) = (
            shared.clone(),
            assessment.clone(),
            stop.clone(),
            scored.clone(),
            seen.clone(),
            expected.clone(),
        );
        workers.push(std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                let got = score_now(&shared, &assessment);
                let version = expected.iter().position(|e| *e == got);
                assert!(
                    version.is_some(),
                    "a result of neither catalog: {got:?}, expected one of {expected:?}"
                );
                seen[version.unwrap_or_default()].fetch_add(1, Ordering::Relaxed);
                scored.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    let mut good = 0;
    let rounds = 120u32;
    for round in 0..rounds {
        if round % 3 == 2 {
            let broken = builder(10).file("99-2030", "99-2030/02.yaml", "form: {decision: 99-2030}\n");
            let before = shared.current();
            assert!(shared.reload(broken).is_err());
            assert!(Arc::ptr_eq(&before, &shared.current()), "a failed reload must keep the old catalog");
        } else {
            shared.reload(builder(if round % 2 == 0 { 5 } else { 10 })).unwrap_or_else(|e| panic!("{e}"));
            good += 1;
        }
    }
    // Let the scorers run against the last catalog too, then stop them.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while scored.load(Ordering::Relaxed) < 2_000 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.join().unwrap_or_else(|_| panic!("a scoring thread panicked"));
    }
    assert_eq!(shared.generation(), good);
    assert_eq!(good, 80, "two good reloads in every three rounds");
    assert!(
        scored.load(Ordering::Relaxed) >= 2_000,
        "the scorers ran {} times",
        scored.load(Ordering::Relaxed)
    );
    // Both versions were served while the reloads came and went.
    let (tens, fives) = (seen[0].load(Ordering::Relaxed), seen[1].load(Ordering::Relaxed));
    assert!(
        tens > 0 && fives > 0,
        "served the 10-point version {tens} times and the 5-point one {fives} times"
    );
}
