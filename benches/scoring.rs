//! Scoring benchmarks. Run with `cargo bench --bench scoring`; figures and ratios are in
//! BENCHMARKS.md. The engine is compared with `baseline.rs`, a hand-written scorer of
//! 26/2026 set 01, in the same run.

use criterion::{BatchSize, Criterion, Throughput, black_box, criterion_group, criterion_main};
use ocop_rating::generate::SheetGenerator;
use ocop_rating::{Catalog, CatalogBuilder, Form, Sheet, batch};

#[path = "baseline.rs"]
mod baseline;

const SHEETS: usize = 1024;

fn catalog() -> Catalog {
    Catalog::embedded().unwrap_or_else(|e| panic!("{e}"))
}

/// Random sheets of 26-2026 set 01, with the same answers as baseline arrays.
fn sheets(form: &Form) -> (Vec<Sheet<'_>>, Vec<baseline::Answers>) {
    let mut g = SheetGenerator::new(2026);
    let mut engine = Vec::new();
    let mut plain = Vec::new();
    for _ in 0..SHEETS {
        let mut sheet = form.sheet();
        let mut answers = [baseline::NONE; 32];
        for (leaf, criterion) in form.leaves().enumerate() {
            let pick = g.pick(form.options(criterion).len());
            sheet.set_leaf(leaf, pick).unwrap_or_else(|e| panic!("{e}"));
            answers[leaf] = pick.map_or(baseline::NONE, |p| p as u8);
        }
        engine.push(sheet);
        plain.push(answers);
    }
    (engine, plain)
}

fn load(c: &mut Criterion) {
    c.bench_function("load: parse + validate + compile every shipped rule file", |b| {
        b.iter(|| black_box(CatalogBuilder::new().embedded().build().map(|c| c.forms().count())))
    });
}

fn one_sheet(c: &mut Criterion) {
    let catalog = catalog();
    let form = catalog.form("26-2026", "01", None).unwrap_or_else(|e| panic!("{e}"));
    let (engine, plain) = sheets(form);
    for (s, p) in engine.iter().zip(&plain) {
        let o = form.score(s).unwrap_or_else(|e| panic!("{e}"));
        let (total, _, band, class) = baseline::score(p);
        assert_eq!(
            (o.total_mean().sum().hundredths(), o.band_stars(), o.stars()),
            (i64::from(total) * 100, band, Some(class))
        );
    }
    let mut group = c.benchmark_group("one sheet, 26-2026 set 01");
    group.throughput(Throughput::Elements(1));
    let mut i = 0;
    group.bench_function("baseline (hand-written, no engine)", |b| {
        b.iter(|| {
            i = (i + 1) % SHEETS;
            black_box(baseline::score(black_box(&plain[i])))
        })
    });
    group.bench_function("engine, no trace", |b| {
        b.iter(|| {
            i = (i + 1) % SHEETS;
            black_box(form.score(black_box(&engine[i])).map(|o| o.band_stars()))
        })
    });
    group.bench_function("engine, with trace", |b| {
        b.iter(|| {
            i = (i + 1) % SHEETS;
            black_box(
                form.trace(std::slice::from_ref(black_box(&engine[i])), &[])
                    .map(|t| t.outcome().band_stars()),
            )
        })
    });
    let keys: Vec<Vec<(String, String)>> = engine
        .iter()
        .map(|s| {
            form.leaves()
                .map(|c| {
                    let k = s.keys(c.id());
                    (c.id().to_string(), k.first().copied().unwrap_or("none").to_string())
                })
                .collect()
        })
        .collect();
    group.bench_function("resolve text keys (\"1.1\": c …) into a sheet", |b| {
        let mut sheet = form.sheet();
        b.iter(|| {
            i = (i + 1) % SHEETS;
            sheet.clear();
            for (id, key) in &keys[i] {
                let _ = sheet.set(id, key);
            }
            black_box(&sheet);
        })
    });
    group.finish();
}

fn batches(c: &mut Criterion) {
    let catalog = catalog();
    let form = catalog.form("26-2026", "01", None).unwrap_or_else(|e| panic!("{e}"));
    let mut g = SheetGenerator::new(7);
    let sheets: Vec<Sheet<'_>> = (0..100_000).map(|_| g.sheet(form)).collect();
    let mut group = c.benchmark_group("batch of 100k sheets");
    group.sample_size(20);
    group.throughput(Throughput::Elements(sheets.len() as u64));
    let mut out = Vec::with_capacity(sheets.len());
    group.bench_function("one thread", |b| {
        b.iter(|| {
            batch::score_sheets_into(&sheets, &mut out);
            black_box(out.len())
        })
    });
    group.bench_function("all threads (rayon)", |b| {
        b.iter(|| {
            batch::score_sheets_par_into(&sheets, &mut out);
            black_box(out.len())
        })
    });
    group.bench_function("all threads, a new output vector each time", |b| {
        b.iter(|| black_box(batch::score_sheets_par(&sheets).len()))
    });
    group.finish();
}

fn bulk(c: &mut Criterion) {
    let exe = env!("CARGO_BIN_EXE_ocop");
    let dir = std::env::temp_dir().join("ocop-bench");
    let _ = std::fs::create_dir_all(&dir);
    let input = dir.join("bulk-1m.csv");
    if !input.exists() {
        let out = std::process::Command::new(exe)
            .args(["generate", "--decision", "26-2026", "--rows", "1000000", "--seed", "5"])
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(&input, out.stdout).unwrap_or_else(|e| panic!("{e}"));
    }
    let output = dir.join("bulk-1m.out.csv");
    let mut group = c.benchmark_group("ocop bulk, 1M rows of the 26 sets of 26-2026, CSV to CSV");
    group.sample_size(10);
    group.throughput(Throughput::Elements(1_000_000));
    group.bench_function("end to end (process)", |b| {
        b.iter_batched(
            || (),
            |_| {
                let status = std::process::Command::new(exe)
                    .args(["bulk", &input.to_string_lossy(), "--out", &output.to_string_lossy()])
                    .stderr(std::process::Stdio::null())
                    .status()
                    .unwrap_or_else(|e| panic!("{e}"));
                assert!(status.success());
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, load, one_sheet, batches, bulk);
criterion_main!(benches);
