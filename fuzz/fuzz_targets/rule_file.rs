//! Fuzzes the rule-file loader: any bytes as a form file (beside a valid decision file), or,
//! when the first byte is odd, as the decision file (beside a valid form). Must never panic or
//! hang; every failure is a LoadError with diagnostics.
#![no_main]

use libfuzzer_sys::fuzz_target;

const DECISION: &str = include_str!("../../tests/fixtures/future/99-2030/decision.yaml");
const FORM: &str = include_str!("../../tests/fixtures/future/99-2030/01-thu-nghiem.yaml");

fuzz_target!(|data: &[u8]| {
    let (decision, form) = if data.first().is_some_and(|b| b % 2 == 1) {
        (data, FORM.as_bytes())
    } else {
        (DECISION.as_bytes(), data)
    };
    let result = ocop_rating::CatalogBuilder::new()
        .file("99-2030", "99-2030/decision.yaml", decision)
        .file("99-2030", "99-2030/01.yaml", form)
        .build();
    if let Err(e) = result {
        assert!(e.errors().next().is_some());
    }
});
