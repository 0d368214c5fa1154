//! Fuzzes the assessment parser and scorer against the fixture decision and the shipped rules.
//! Must never panic or hang; every failure is an AssessmentError with diagnostics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

const DECISION: &str = include_str!("../../tests/fixtures/future/99-2030/decision.yaml");
const FORM: &str = include_str!("../../tests/fixtures/future/99-2030/01-thu-nghiem.yaml");

fn catalog() -> &'static ocop_rating::Catalog {
    static CATALOG: OnceLock<ocop_rating::Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        ocop_rating::CatalogBuilder::new()
            .embedded()
            .file("99-2030", "99-2030/decision.yaml", DECISION)
            .file("99-2030", "99-2030/01.yaml", FORM)
            .build()
            .expect("the fixture and shipped rules load")
    })
}

fuzz_target!(|data: &[u8]| {
    match ocop_rating::Assessment::from_bytes("fuzz.yaml", data, &Default::default()) {
        Ok(a) => {
            if let Ok(scored) = catalog().score(&a) {
                let trace = scored.trace().expect("a scored assessment traces");
                let _ = ocop_rating::render::text(&scored, &trace);
                let _ = ocop_rating::render::json(&scored, Some(&trace));
            }
        }
        Err(e) => assert!(e.errors().next().is_some()),
    }
});
