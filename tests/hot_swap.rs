//! Hot swap under load: scoring threads run while the catalog is reloaded again and again,
//! with good and broken rule sets. No torn reads (every score matches its catalog's answer),
//! no lost work (every job finishes), failed reloads keep the old catalog.

use ocop_rating::{Assessment, CatalogBuilder, SharedCatalog};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

const FORM: &str = include_str!("fixtures/future/99-2030/01-thu-nghiem.yaml");
const DECISION: &str = include_str!("fixtures/future/99-2030/decision.yaml");

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
    let decision = DECISION
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

#[test]
fn scorers_keep_their_catalog_while_reloads_come_and_go() {
    let shared = Arc::new(SharedCatalog::new(builder(10).build().unwrap_or_else(|e| panic!("{e}"))));
    let assessment = Arc::new(Assessment::from_text("s.yaml", SHEET).unwrap_or_else(|e| panic!("{e}")));
    let stop = Arc::new(AtomicBool::new(false));
    let scored = Arc::new(AtomicU64::new(0));
    let mut workers = Vec::new();
    for _ in 0..4 {
        let (shared, assessment, stop, scored) =
            (shared.clone(), assessment.clone(), stop.clone(), scored.clone());
        workers.push(std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                let catalog = shared.current();
                let form = catalog.form("99-2030", "01", None).unwrap_or_else(|e| panic!("{e}"));
                let c = form.criterion("1.1").map(|c| c.max().hundredths() / 100).unwrap_or(0);
                let total =
                    catalog.score(&assessment).unwrap_or_else(|e| panic!("{e}")).outcome().total_mean().sum();
                // Under the catalog where 1.1 c is worth c, the total is 90 + c: never a mix.
                assert_eq!(total.hundredths(), (90 + c) * 100);
                scored.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    let mut good = 0;
    for round in 0..60u32 {
        if round % 3 == 2 {
            let broken = builder(10).file("99-2030", "99-2030/02.yaml", "form: {decision: 99-2030}\n");
            let before = shared.current();
            assert!(shared.reload(broken).is_err());
            assert!(Arc::ptr_eq(&before, &shared.current()), "a failed reload must keep the old catalog");
        } else {
            shared.reload(builder(5 + round % 6)).unwrap_or_else(|e| panic!("{e}"));
            good += 1;
        }
    }
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.join().unwrap_or_else(|_| panic!("a scoring thread panicked"));
    }
    assert_eq!(shared.generation(), good);
    assert!(scored.load(Ordering::Relaxed) > 0);
}
