//! Replays the fuzzing corpus (fuzz/corpus/) on stable, in every `cargo test`: the inputs the
//! fuzzers found interesting must load or fail with diagnostics, never panic. The fuzz targets
//! themselves (fuzz/fuzz_targets/) need cargo-fuzz; see fuzz/README.md.

use ocop_rating::{Assessment, Catalog, CatalogBuilder, render};
use std::path::Path;

const DECISION: &str = include_str!("fixtures/future/99-2030/decision.yaml");
const FORM: &str = include_str!("fixtures/future/99-2030/01-thu-nghiem.yaml");

fn files(dir: &str) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(Path::new("fuzz/corpus").join(dir)) {
        for e in entries.flatten() {
            if let Ok(bytes) = std::fs::read(e.path()) {
                out.push(bytes);
            }
        }
    }
    out
}

#[test]
fn rule_file_corpus_never_panics() {
    let corpus = files("rule_file");
    assert!(!corpus.is_empty());
    for data in corpus {
        let (decision, form) = if data.first().is_some_and(|b| b % 2 == 1) {
            (data.as_slice(), FORM.as_bytes())
        } else {
            (DECISION.as_bytes(), data.as_slice())
        };
        let result = CatalogBuilder::new()
            .file("99-2030", "99-2030/decision.yaml", decision)
            .file("99-2030", "99-2030/01.yaml", form)
            .build();
        if let Err(e) = result {
            assert!(e.errors().next().is_some());
        }
    }
}

#[test]
fn assessment_corpus_never_panics() {
    let catalog: Catalog = CatalogBuilder::new()
        .embedded()
        .file("99-2030", "99-2030/decision.yaml", DECISION)
        .file("99-2030", "99-2030/01.yaml", FORM)
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let corpus = files("assessment");
    assert!(!corpus.is_empty());
    for data in corpus {
        match Assessment::from_bytes("fuzz.yaml", &data, &Default::default()) {
            Ok(a) => {
                if let Ok(scored) = catalog.score(&a) {
                    let trace = scored.trace().unwrap_or_else(|e| panic!("{e}"));
                    let _ = render::text(&scored, &trace);
                    let _ = render::json(&scored, Some(&trace));
                }
            }
            Err(e) => assert!(e.errors().next().is_some()),
        }
    }
}
