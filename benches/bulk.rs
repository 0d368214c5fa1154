//! `ocop_rating::bulk` against the speed of the text it reads and writes. Run with
//! `cargo bench --bench bulk`; figures in BENCHMARKS.md.
//!
//! The input is 100,000 rows of every 26/2026 set, mixed, with the 51 criterion columns of
//! `ocop generate --decision 26-2026` (about 10 MB), held in memory; the output goes to a vector.
//! Before timing, the bench checks that the engine scores every row, that its output has one
//! line per row, and that the first 2,000 rows are those the ordinary reader
//! (`Assessment::from_text` + `Catalog::score`) gives.
//!
//! - **read and write back, `csv` crate**: every record parsed by the `csv` crate
//!   (`ByteRecord`) and written back by its writer, on one thread: what reading and writing the
//!   text costs with a general CSV library.
//! - **read and write back, lines and commas**: every line found with `memchr` and split at its
//!   commas, and each cell copied out with its comma, on one thread: the least a pass that
//!   looks at every cell can do, the physical limit of the issue.
//! - **bulk::run, CSV → CSV**: the engine, on every core (rayon), scores each row and writes
//!   `id,total,A,B,C,band_stars,stars,limited_by,disqualified`.
//! - **bulk::run, CSV → JSON Lines**: the same rows written as JSON records.

use criterion::{Criterion, Throughput, black_box, criterion_group, criterion_main};
use ocop_rating::bulk::{self, InputFormat, OutFormat};
use ocop_rating::generate::SheetGenerator;
use ocop_rating::{Assessment, Catalog, CriterionKind, Form};

const ROWS: usize = 100_000;

/// `ROWS` random rows of every 26/2026 form, mixed, as CSV text, and the first `CHECKED` rows'
/// results as the ordinary reader gives them (`Assessment::from_text` + `Catalog::score`):
/// `id,total,A,B,C,band_stars,stars`.
fn input(catalog: &Catalog) -> (Vec<u8>, Vec<String>) {
    let forms: Vec<&Form> = catalog.forms_of("26-2026").iter().collect();
    let mut columns: Vec<&str> = Vec::new();
    for form in &forms {
        for c in form.leaves() {
            if !columns.contains(&c.id()) {
                columns.push(c.id());
            }
        }
    }
    let mut text = format!("id,decision,set,{}\n", columns.join(","));
    let mut g = SheetGenerator::new(5);
    let mut expected = Vec::new();
    for n in 0..ROWS {
        let form = forms[g.below(forms.len())];
        let keys = g.keys(form);
        let ids: Vec<&str> = form.leaves().map(|c| c.id()).collect();
        if n < CHECKED {
            expected.push(ordinary(catalog, form, n, &keys));
        }
        text.push_str(&format!("p{n},26-2026,{}", form.set()));
        for column in &columns {
            text.push(',');
            if let Some(leaf) = ids.iter().position(|id| id == column) {
                text.push_str(&keys[leaf]);
            }
        }
        text.push('\n');
    }
    (text.into_bytes(), expected)
}

/// Rows checked against the ordinary reader before timing.
const CHECKED: usize = 2_000;

/// Row `n` scored by the ordinary reader, as the bulk CSV output's first seven cells.
fn ordinary(catalog: &Catalog, form: &Form, n: usize, keys: &[String]) -> String {
    let answers: serde_json::Map<String, serde_json::Value> = form
        .leaves()
        .zip(keys)
        .map(|(c, k)| {
            let value = if c.kind() == CriterionKind::Cumulative && k != "none" {
                k.split('+').map(serde_json::Value::from).collect()
            } else {
                serde_json::Value::from(k.as_str())
            };
            (c.id().to_string(), value)
        })
        .collect();
    let json = serde_json::json!({"decision": "26-2026", "set": form.set(), "answers": answers});
    let a = Assessment::from_text("row.json", &json.to_string()).unwrap_or_else(|e| panic!("{e}"));
    let scored = catalog.score(&a).unwrap_or_else(|e| panic!("{e}"));
    let o = scored.outcome();
    let parts: Vec<String> = o.parts().map(|(_, m)| m.to_string()).collect();
    let stars = o.stars().map_or(String::new(), |s| s.to_string());
    format!("p{n},{},{},{},{stars}", o.total(), parts.join(","), o.band_stars())
}

fn run(catalog: &Catalog, input: &[u8], format: OutFormat, out: &mut Vec<u8>) -> bulk::Summary {
    let mut options = bulk::Options::new("bench.csv", InputFormat::Csv);
    options.format = format;
    out.clear();
    let mut bad = Vec::new();
    let summary = bulk::run(catalog, input, out, &options, &mut bad).unwrap_or_else(|e| panic!("{e}"));
    assert!(bad.is_empty(), "{:?}", bad.first());
    summary
}

/// Every record through the `csv` crate's reader and writer.
fn csv_crate_pass(input: &[u8], out: &mut Vec<u8>) -> usize {
    out.clear();
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(input);
    let mut writer = csv::Writer::from_writer(out);
    let mut record = csv::ByteRecord::new();
    let mut rows = 0;
    while reader.read_byte_record(&mut record).unwrap_or(false) {
        writer.write_byte_record(&record).unwrap_or_else(|e| panic!("{e}"));
        rows += 1;
    }
    writer.flush().unwrap_or_else(|e| panic!("{e}"));
    rows
}

/// Every line found and split at its commas, each cell copied out with its separator.
fn lines_pass(input: &[u8], out: &mut Vec<u8>) -> usize {
    out.clear();
    let mut rows = 0;
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', input) {
        let line = &input[start..end];
        for (i, cell) in line.split(|&b| b == b',').enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(cell);
        }
        out.push(b'\n');
        start = end + 1;
        rows += 1;
    }
    rows
}

fn bench(c: &mut Criterion) {
    let catalog = Catalog::embedded().unwrap_or_else(|e| panic!("{e}"));
    let (text, expected) = input(&catalog);
    let mut out = Vec::with_capacity(text.len());
    // The checks before timing: every row scored, one output line per row, the first rows as
    // the ordinary reader scores them; the passes see every row (and the header).
    let summary = run(&catalog, &text, OutFormat::Csv, &mut out);
    assert_eq!(summary.scored, ROWS as u64);
    assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), ROWS + 1);
    let rows = std::str::from_utf8(&out).unwrap_or_else(|e| panic!("{e}"));
    for (row, want) in rows.lines().skip(1).zip(&expected) {
        let got: Vec<&str> = row.split(',').take(7).collect();
        assert_eq!(&got.join(","), want, "bulk and the ordinary reader disagree");
    }
    assert_eq!(csv_crate_pass(&text, &mut out), ROWS + 1);
    assert_eq!(out, text, "the csv crate writes the plain input back as it was");
    assert_eq!(lines_pass(&text, &mut out), ROWS + 1);
    assert_eq!(out, text);

    let mut group = c.benchmark_group(format!("bulk, {ROWS} rows of 26-2026 ({} MB)", text.len() >> 20));
    group.throughput(Throughput::Elements(ROWS as u64));
    group.sample_size(20);
    group.bench_function("read and write back, csv crate (one thread)", |b| {
        b.iter(|| black_box(csv_crate_pass(black_box(&text), &mut out)))
    });
    group.bench_function("read and write back, lines and commas (one thread)", |b| {
        b.iter(|| black_box(lines_pass(black_box(&text), &mut out)))
    });
    group.bench_function("bulk::run, CSV to CSV (every core)", |b| {
        b.iter(|| black_box(run(&catalog, black_box(&text), OutFormat::Csv, &mut out)))
    });
    group.bench_function("bulk::run, CSV to JSON Lines (every core)", |b| {
        b.iter(|| black_box(run(&catalog, black_box(&text), OutFormat::Jsonl, &mut out)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
