//! Fuzzes the bulk engine (`ocop_rating::bulk`) with CSV and JSON Lines bytes. The first byte
//! picks the mode (bit 0: JSON Lines input, bit 1: CSV output, bit 2: --trace, bit 3: --strict);
//! the rest is the input. Small limits make every cap reachable in a short input. Must never
//! panic or hang, and its memory stays bounded (run with `-rss_limit_mb`, see fuzz/README.md);
//! the counts must agree with what was written and reported. `tests/hostile_cli.rs` replays the
//! corpus (`bulk_fuzz_corpus_never_panics`) the same way.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ocop_rating::bulk::{self, InputFormat, Limits, Options, OutFormat};
use std::sync::OnceLock;

const DECISION: &str = include_str!("../../tests/fixtures/future/99-2030/decision.yaml");
const FORM_01: &str = include_str!("../../tests/fixtures/future/99-2030/01-thu-nghiem.yaml");
const FORM_02: &str = include_str!("../../tests/fixtures/future/99-2030/02-nho.yaml");

fn catalog() -> &'static ocop_rating::Catalog {
    static CATALOG: OnceLock<ocop_rating::Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        ocop_rating::CatalogBuilder::new()
            .embedded()
            .file("99-2030", "99-2030/decision.yaml", DECISION)
            .file("99-2030", "99-2030/01.yaml", FORM_01)
            .file("99-2030", "99-2030/02.yaml", FORM_02)
            .build()
            .expect("the fixture and shipped rules load")
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, input)) = data.split_first() else { return };
    let opts = Options {
        format: if mode & 2 == 0 { OutFormat::Jsonl } else { OutFormat::Csv },
        trace: mode & 4 != 0,
        strict: mode & 8 != 0,
        limits: Limits {
            line_bytes: 4096,
            field_bytes: 256,
            record_bytes: 4096,
            chunk_rows: 7,
            chunk_bytes: 2048,
            plan_keys: 4,
            skip_bytes: 1 << 16,
            ..Limits::default()
        },
        ..Options::new("fuzz", if mode & 1 == 0 { InputFormat::Csv } else { InputFormat::Jsonl })
    };
    let mut out = Vec::new();
    let mut bad: Vec<(u64, String)> = Vec::new();
    if let Ok(summary) = bulk::run(catalog(), input, &mut out, &opts, &mut bad) {
        assert_eq!(summary.rejected, bad.len() as u64);
        if opts.format == OutFormat::Jsonl {
            assert_eq!(summary.scored, out.iter().filter(|b| **b == b'\n').count() as u64);
        }
        assert!(bad.iter().all(|(_, m)| !m.contains('\n') && !m.contains('\u{1b}')));
    }
});
