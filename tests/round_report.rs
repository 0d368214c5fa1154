//! The round report (issue 15, section 2): the counts on the page equal those computed from the
//! run's own output records, and every text from the input is escaped.
#![cfg(all(feature = "bulk", feature = "html"))]

mod common;
use ocop_rating::Catalog;
use ocop_rating::bulk::{self, InputFormat, Options, OutFormat};
use ocop_rating::generate::{SheetGenerator, lodging_window};
use ocop_rating::round::{self, Caps, RunInfo, Tally};

fn catalog() -> Catalog {
    Catalog::embedded().expect("the shipped rules load")
}

/// `n` random valid CSV rows over the sets of 26-2026, then the bad rows given.
fn csv_input(catalog: &Catalog, n: usize, bad: &[&str]) -> String {
    let forms: Vec<_> = catalog.forms_of("26-2026").iter().filter(|f| lodging_window(f).is_some()).collect();
    let ids = common::criterion_columns(&forms);
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["id", "decision", "set"].iter().copied().chain(ids.iter().copied())).unwrap();
    let mut g = SheetGenerator::new(3);
    for i in 0..n {
        let form = forms[i % forms.len()];
        let mut row = vec![String::new(); ids.len() + 3];
        row[0] = format!("p{i}");
        row[1] = "26-2026".into();
        row[2] = form.set().into();
        for (c, key) in form.leaves().zip(g.keys(form)) {
            row[3 + ids.iter().position(|i| *i == c.id()).unwrap()] = key;
        }
        w.write_record(&row).unwrap();
    }
    let mut text = String::from_utf8(w.into_inner().unwrap()).unwrap();
    for line in bad {
        text.push_str(line);
        text.push('\n');
    }
    text
}

/// A YAML fixture as one JSON line, its product renamed.
fn json_line(path: &str, product: &str) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let mut value: serde_json::Value = serde_yaml::from_str(&text).unwrap();
    value["product"] = serde_json::json!(product);
    serde_json::to_string(&value).unwrap()
}

/// The numbers the page shows in `data-NAME="KEY" data-NAME-count="N"` pairs, or in
/// `id="ID" data-count="N"`.
fn attr_counts(page: &str, pattern: &str) -> Vec<u64> {
    page.match_indices(pattern)
        .map(|(at, _)| {
            let rest = &page[at + pattern.len()..];
            rest[..rest.find('"').unwrap()].parse().unwrap()
        })
        .collect()
}

fn class_count(page: &str, class: usize) -> u64 {
    let key = format!("data-class=\"{class}\" data-class-count=\"");
    attr_counts(page, &key)[0]
}

#[test]
fn the_counts_on_the_page_are_the_records_counts() {
    let catalog = catalog();
    let mut tally = Tally::new(Caps { councils: 1, rejected: 2, ..Caps::default() });
    // CSV: 400 random sheets of 26-2026, and three bad rows.
    let bad = ["bad1,26-2026,99", "bad2,27-2030,01", "bad3,26-2026,01"];
    let input = csv_input(&catalog, 400, &bad);
    let mut csv_out = Vec::new();
    let opts = Options::new("round.csv", InputFormat::Csv);
    bulk::run(&catalog, input.as_bytes(), &mut csv_out, &opts, &mut tally).unwrap();
    // JSON Lines: two knocked-out products, three councils of 7 whose spread exceeds 10.
    let mut lines = Vec::new();
    for i in 0..2 {
        lines.push(json_line("tests/browser/fixtures/26-2026-01-knocked-out.yaml", &format!("ko-{i}")));
    }
    for i in 0..3 {
        lines.push(json_line("tests/browser/fixtures/26-2026-01-council-7.yaml", &format!("council-{i}")));
    }
    let mut json_out = Vec::new();
    let opts = Options { format: OutFormat::Jsonl, ..Options::new("round.jsonl", InputFormat::Jsonl) };
    bulk::run(&catalog, lines.join("\n").as_bytes(), &mut json_out, &opts, &mut tally).unwrap();

    // The classes from the records themselves: CSV `stars` (empty: knocked out), JSON `stars`.
    let mut expected = [0u64; 6];
    let mut held = 0u64;
    let mut reader = csv::Reader::from_reader(csv_out.as_slice());
    for record in reader.records() {
        let record = record.unwrap();
        let stars: usize = record[6].parse().unwrap_or(0);
        expected[stars] += 1;
        let band: usize = record[5].parse().unwrap();
        if !record[6].is_empty() && stars < band {
            held += 1;
        }
    }
    for line in String::from_utf8(json_out).unwrap().lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        expected[v["stars"].as_u64().unwrap_or(0) as usize] += 1;
    }
    assert_eq!(expected[0], 2);
    assert_eq!(tally.classes(), expected);
    assert_eq!(tally.held_rows(), held);

    let page = round::page(&tally, &RunInfo::new("round.csv + round.jsonl"));
    for (class, n) in expected.iter().enumerate() {
        assert_eq!(class_count(&page, class), *n, "class {class}");
    }
    let total: u64 = expected.iter().sum();
    assert_eq!(attr_counts(&page, "id=\"scored\" data-count=\""), [total]);
    assert_eq!(attr_counts(&page, "id=\"rejected\" data-count=\""), [3]);
    assert_eq!(attr_counts(&page, "id=\"held\" data-count=\""), [held]);
    assert_eq!(attr_counts(&page, "data-knockout-count=\""), [2]);
    // The per-set rows add up to the total.
    let per_set: u64 = tally.by_set().map(|(_, _, n)| n.iter().sum::<u64>()).sum();
    assert_eq!(per_set, total);
    // The capped lists say how many more there are.
    assert!(page.contains("3 councils&#39;") || page.contains("3 councils'"), "the flagged count");
    assert!(page.contains("… and 2 more (the first 1 are listed)"), "the councils cap");
    assert!(page.contains("… and 1 more rejected rows (the first 2 are listed)"), "the rejected cap");
    // The held-down minimums are listed with what they need.
    assert!(held > 0 && page.contains(" points (option "), "the minimums behind the held products");
}

#[test]
fn hostile_ids_and_names_are_escaped() {
    let catalog = catalog();
    let mut tally = Tally::new(Caps::default());
    let hostile = "<script>alert(1)</script>\"><img src=x onerror=alert(2)>";
    let bad = [format!("\"{}\",26-2026,\"<b onmouseover=alert(3)>\"", hostile.replace('"', "\"\""))];
    let input = csv_input(&catalog, 3, &[bad[0].as_str()]);
    bulk::run(
        &catalog,
        input.as_bytes(),
        &mut std::io::sink(),
        &Options::new("x.csv", InputFormat::Csv),
        &mut tally,
    )
    .unwrap();
    let line = json_line("tests/browser/fixtures/26-2026-01-council-7.yaml", hostile);
    let opts = Options { format: OutFormat::Jsonl, ..Options::new("x.jsonl", InputFormat::Jsonl) };
    bulk::run(&catalog, line.as_bytes(), &mut std::io::sink(), &opts, &mut tally).unwrap();
    assert_eq!(tally.rejected(), 1);
    assert_eq!(tally.councils().1, 1);
    let page = round::page(&tally, &RunInfo::new("<i>in.csv</i>"));
    for needle in ["<script>alert", "<img", "<b onmouseover", "<i>in.csv"] {
        assert!(!page.contains(needle), "{needle} must be escaped");
    }
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "the council's id is shown as text");
    assert!(page.contains("&lt;b onmouseover=alert(3)&gt;"), "the rejected row's set is shown as text");
    assert!(page.contains("&lt;i&gt;in.csv&lt;/i&gt;"));
    assert_eq!(page.matches("<script").count(), 0);
}
