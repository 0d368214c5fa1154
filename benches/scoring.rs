//! Scoring benchmarks. Run with `cargo bench --bench scoring`; figures and ratios are in
//! BENCHMARKS.md. The engine is compared with `baseline.rs`, a hand-written scorer of
//! 26/2026 set 01 (and a hand-written serde reader of its JSON), in the same run. Every fast
//! path is checked against the ordinary one on random sheets before it is timed.

use criterion::{BatchSize, Criterion, Throughput, black_box, criterion_group, criterion_main};
use ocop_rating::generate::SheetGenerator;
use ocop_rating::{Assessment, Catalog, CatalogBuilder, CriterionKind, Form, Outcome, Sheet, batch};

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

/// What a process that scores one product pays before its first result: `Catalog::embedded()`
/// (decision files only; forms compile on first use), then that plus compiling one form, plus
/// reading and scoring one assessment. `ocop score` of one file is timed as a process too.
fn start(c: &mut Criterion) {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/26-2026-01-rau-cai.yaml"))
            .unwrap_or_else(|e| panic!("{e}"));
    let mut group = c.benchmark_group("start");
    group.bench_function("Catalog::embedded()", |b| b.iter(|| black_box(Catalog::embedded().is_ok())));
    group.bench_function("Catalog::embedded() + compile set 01 of 26-2026", |b| {
        b.iter(|| {
            let catalog = catalog();
            black_box(catalog.form("26-2026", "01", None).map(|f| f.set().len()).ok())
        })
    });
    group.bench_function("Catalog::embedded() + read and score the README's example", |b| {
        b.iter(|| {
            let catalog = catalog();
            let assessment = Assessment::from_text("rau-cai.yaml", &text).unwrap_or_else(|e| panic!("{e}"));
            black_box(catalog.score(&assessment).map(|s| s.outcome().stars()).ok())
        })
    });
    let exe = env!("CARGO_BIN_EXE_ocop");
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/26-2026-01-rau-cai.yaml");
    group.bench_function("`ocop score` of the README's example (process)", |b| {
        b.iter(|| {
            let out = std::process::Command::new(exe)
                .args(["score", example])
                .output()
                .unwrap_or_else(|e| panic!("{e}"));
            assert!(out.status.success());
        })
    });
    group.finish();
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

/// A one-sheet assessment of `sheet` as compact JSON, as a service would receive it.
fn json_text(sheet: &Sheet<'_>, lodged_on: Option<&str>) -> String {
    let form = sheet.form();
    let answers: Vec<String> = form
        .leaves()
        .map(|c| {
            let keys = sheet.keys(c.id());
            let value = if c.kind() == CriterionKind::Cumulative {
                let items: Vec<String> = keys.iter().map(|k| format!("\"{k}\"")).collect();
                format!("[{}]", items.join(","))
            } else {
                format!("\"{}\"", keys.first().copied().unwrap_or("none"))
            };
            format!("\"{}\":{value}", c.id())
        })
        .collect();
    let date = lodged_on.map(|d| format!(",\"lodged_on\":\"{d}\"")).unwrap_or_default();
    format!(
        "{{\"decision\":\"{}\",\"set\":\"{}\"{date},\"answers\":{{{}}}}}",
        form.decision().key(),
        form.set(),
        answers.join(",")
    )
}

/// Everything an outcome says, to compare two paths.
fn summary(o: &Outcome<'_>) -> String {
    let limits: Vec<String> = o.limited_by().map(|l| format!("{}:{}", l.criterion.id(), l.got)).collect();
    format!(
        "{} {} {} {:?} {:?} {:?} {limits:?}",
        o.total(),
        o.band_stars(),
        o.class_after_minimums(),
        o.stars(),
        o.disqualified().map(|k| k.id()),
        o.stopped().map(|s| s.criterion.id())
    )
}

fn json(c: &mut Criterion) {
    let catalog = catalog();
    // The fast path against the ordinary one, on every shipped form. 1048's set 26 has two
    // versions and 781's minimums are dated: those sheets carry a lodging date.
    let mut g = SheetGenerator::new(99);
    let mut checked = 0;
    for form in catalog.forms() {
        let lodged_on = (form.decision().key() == "1048-2019")
            .then(|| if form.in_force_until().is_some() { "2020-01-15" } else { "2021-03-01" });
        for _ in 0..32 {
            let text = json_text(&g.sheet(form), lodged_on);
            let ordinary = Assessment::from_text("bench.json", &text)
                .and_then(|a| catalog.score(&a).map(|s| summary(s.outcome())))
                .unwrap_or_else(|e| panic!("{e}"));
            let fast =
                form.score_json(text.as_bytes()).map(|o| summary(&o)).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(fast, ordinary, "{text}");
            checked += 1;
        }
    }
    assert!(checked > 2500);
    // The timed texts (26-2026 set 01), and the hand-written serde path against the engine.
    let form = catalog.form("26-2026", "01", None).unwrap_or_else(|e| panic!("{e}"));
    let (engine, _) = sheets(form);
    let texts: Vec<String> = engine.iter().map(|s| json_text(s, None)).collect();
    for text in &texts {
        // The timed texts are the scanner's plain shape: it, not serde_json, reads them.
        assert!(form.sheet_from_json_fast(text.as_bytes()).is_some(), "{text}");
        let o = form.score_json(text.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        let (total, _, band, class) = baseline::score_json(text.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (o.total_mean().sum().hundredths(), o.band_stars(), o.stars()),
            (i64::from(total) * 100, band, Some(class))
        );
    }
    let mut group = c.benchmark_group("JSON text to result, 26-2026 set 01");
    group.throughput(Throughput::Elements(1));
    let mut i = 0;
    group.bench_function("hand-written serde (derived struct, baseline)", |b| {
        b.iter(|| {
            i = (i + 1) % SHEETS;
            black_box(baseline::score_json(black_box(texts[i].as_bytes())).map(|r| r.2))
        })
    });
    group.bench_function("engine (Form::score_json)", |b| {
        b.iter(|| {
            i = (i + 1) % SHEETS;
            black_box(form.score_json(black_box(texts[i].as_bytes())).map(|o| o.band_stars()))
        })
    });
    // The same engine without its scanner: the serde reader alone, as before the scanner.
    group.bench_function("engine, serde reader only (Form::score_json_serde)", |b| {
        b.iter(|| {
            i = (i + 1) % SHEETS;
            black_box(form.score_json_serde(black_box(texts[i].as_bytes())).map(|o| o.band_stars()))
        })
    });
    group.bench_function("ordinary path (Assessment::from_text + Catalog::score)", |b| {
        b.iter(|| {
            i = (i + 1) % SHEETS;
            black_box(
                Assessment::from_text("bench.json", black_box(&texts[i]))
                    .and_then(|a| catalog.score(&a).map(|s| s.outcome().band_stars())),
            )
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

criterion_group!(benches, load, start, one_sheet, json, batches, bulk);
criterion_main!(benches);
