//! The browser test's fixtures, and the HTML rendering time (`cargo run --release --example
//! browser_sheets`).
//!
//! `browser_sheets OUT_DIR` writes, for each sheet the browser test checks, `NAME.yaml` (the
//! assessment), `NAME.report.json` (the [`Report`] the sheet is printed from) and `NAME.html`
//! (the sheet), plus `index.json` listing them. The sheets: a single sheet (the README's
//! example), a council of 7, a knocked-out product, a stopped evaluation, the longest form of
//! the catalog (most criteria, then most options), the single sheet in both languages, and a
//! product and member named with markup (which must come out inert).
//!
//! With the `bulk` feature it also writes the round report of a bulk run (`round.html`) and the
//! run's class counts computed from its output records (`round.counts.json`):
//! `--round-time N` renders that report N times and prints the time.
//!
//! `browser_sheets --time N` renders N sheets to HTML and prints the time: 100 reports of
//! random sheets over every current form, each rendered N/100 times, on one thread (the
//! rendering alone; building the reports is timed apart).

use ocop_rating::html::{self, Lang};
use ocop_rating::report::{Report, ReportOptions};
use ocop_rating::{Assessment, Catalog, Form};
use std::path::{Path, PathBuf};
use std::time::Instant;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

struct Fixture {
    name: &'static str,
    lang: Lang,
    yaml: String,
    /// Whether the browser test prints it to PDF and takes a screenshot (else: DOM checks only).
    print: bool,
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let catalog = Catalog::embedded()?;
    match args.as_slice() {
        [flag, n] if flag == "--time" => time(&catalog, n.parse()?),
        #[cfg(feature = "bulk")]
        [flag, n] if flag == "--round-time" => round_time(&catalog, n.parse()?),
        [out] => write_fixtures(&catalog, Path::new(out)),
        _ => Err("usage: browser_sheets OUT_DIR | --time N".into()),
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &str) -> Result<String> {
    Ok(std::fs::read_to_string(root().join(path))?)
}

/// The `assessment:` of a regression case, as an assessment document.
fn case_assessment(path: &str) -> Result<String> {
    let case: serde_yaml::Value = serde_yaml::from_str(&read(path)?)?;
    let assessment = case.get("assessment").ok_or("the case has no assessment")?;
    Ok(serde_yaml::to_string(assessment)?)
}

fn fixtures(catalog: &Catalog) -> Result<Vec<Fixture>> {
    let single = read("examples/26-2026-01-rau-cai.yaml")?;
    let hostile = single
        .replace(
            "product: \"Rau cải ngọt — HTX Nông nghiệp Tân Lập\"",
            "product: \"<script>alert(1)</script>\\\"><img src=x onerror=alert(2)> & Co\"\nlodged_on: 2026-06-02",
        )
        .replace("answers:", "members:\n  - name: \"\\\"><img src=x onerror=alert(3)>\"\n    answers:")
        .lines()
        .map(|l| if l.starts_with("  \"") { format!("    {l}") } else { l.to_string() })
        .collect::<Vec<_>>()
        .join("\n");
    let fixture = |name, lang, yaml, print| Fixture { name, lang, yaml, print };
    Ok(vec![
        fixture("single", Lang::Vi, single.clone(), true),
        fixture("council-7", Lang::Vi, read("tests/browser/fixtures/26-2026-01-council-7.yaml")?, true),
        fixture("knocked-out", Lang::Vi, read("tests/browser/fixtures/26-2026-01-knocked-out.yaml")?, true),
        fixture("stopped", Lang::Vi, case_assessment("rules/26-2026/cases/01-impurities-stop.yaml")?, true),
        fixture("longest", Lang::Vi, longest_form_sheet(catalog)?, true),
        fixture("single-both", Lang::Both, single.clone(), true),
        fixture("single-en", Lang::En, single, false),
        fixture("hostile", Lang::Vi, hostile, false),
    ])
}

/// The form with the most criteria (then the most options, then the latest decision), answered
/// with a spread of options: every printed option of it appears on the sheet anyway.
fn longest_form_sheet(catalog: &Catalog) -> Result<String> {
    let options = |f: &Form| f.leaves().map(|c| f.options(c).len()).sum::<usize>();
    let form = catalog
        .forms()
        .filter(|f| f.in_force_until().is_none())
        .max_by_key(|f| (f.leaf_count(), options(f), f.decision().in_force_from()))
        .ok_or("no form")?;
    let mut yaml = format!(
        "# The longest form: {} criteria, {} options.\ndecision: {}\nset: \"{}\"\nproduct: \"Cà phê rang xay Arabica Cầu Đất\"\nanswers:\n",
        form.leaf_count(),
        options(form),
        form.decision().key(),
        form.set()
    );
    for (i, c) in form.leaves().enumerate() {
        let opts = form.options(c);
        let answer = match c.kind() {
            ocop_rating::CriterionKind::YesNo => "\"yes\"".to_string(),
            ocop_rating::CriterionKind::Cumulative => "[a]".to_string(),
            _ => opts.get((i * 7 + 3) % opts.len().max(1)).map_or("a".to_string(), |o| o.key().to_string()),
        };
        yaml.push_str(&format!("  \"{}\": {answer}\n", c.id()));
    }
    Ok(yaml)
}

fn report(catalog: &Catalog, name: &str, yaml: &str) -> Result<Report> {
    let assessment = Assessment::from_text(&format!("{name}.yaml"), yaml)?;
    Ok(catalog.report(&assessment, ReportOptions { trace: true })?)
}

fn write_fixtures(catalog: &Catalog, out: &Path) -> Result<()> {
    std::fs::create_dir_all(out)?;
    let mut index = Vec::new();
    for f in fixtures(catalog)? {
        let report = report(catalog, f.name, &f.yaml)?;
        std::fs::write(out.join(format!("{}.yaml", f.name)), &f.yaml)?;
        std::fs::write(out.join(format!("{}.report.json", f.name)), serde_json::to_string_pretty(&report)?)?;
        std::fs::write(out.join(format!("{}.html", f.name)), html::sheet(&report, f.lang))?;
        index.push(serde_json::json!({
            "name": f.name,
            "lang": format!("{:?}", f.lang).to_lowercase(),
            "print": f.print,
            "criteria": report.criteria.len(),
            "members": report.council.as_ref().map_or(1, |c| c.members.len()),
            "rule_file": report.ruleset.file,
        }));
    }
    std::fs::write(out.join("index.json"), serde_json::to_string_pretty(&index)?)?;
    println!("wrote {} sheets to {}", index.len(), out.display());
    #[cfg(feature = "bulk")]
    {
        let (tally, counts) = round_run(catalog)?;
        let info = ocop_rating::round::RunInfo::new("round.csv + round.jsonl");
        std::fs::write(out.join("round.html"), ocop_rating::round::page(&tally, &info))?;
        std::fs::write(out.join("round.counts.json"), serde_json::to_string_pretty(&counts)?)?;
        println!("wrote the round report to {}", out.join("round.html").display());
    }
    Ok(())
}

/// A bulk run for the round report: 2,000 random sheets over every current form (CSV), the
/// knocked-out product and the council of 7 (JSON Lines), and a few bad rows (one with markup).
/// Returns the tally and the class counts computed from the output records (CSV `stars`, JSON
/// `stars`; empty or null: knocked out), keyed "0" (knocked out) to "5".
#[cfg(feature = "bulk")]
fn round_run(catalog: &Catalog) -> Result<(ocop_rating::round::Tally, serde_json::Value)> {
    use ocop_rating::bulk::{self, InputFormat, Options, OutFormat};
    let forms: Vec<&Form> = catalog
        .forms()
        .filter(|f| f.in_force_until().is_none() && f.parts().iter().map(|p| p.id()).eq(["A", "B", "C"]))
        .collect();
    let mut ids: Vec<&str> = Vec::new();
    for f in &forms {
        for c in f.leaves() {
            if !ids.contains(&c.id()) {
                ids.push(c.id());
            }
        }
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["id", "decision", "set"].iter().copied().chain(ids.iter().copied()))?;
    let mut g = ocop_rating::generate::SheetGenerator::new(15);
    for i in 0..2000 {
        let form = forms[i % forms.len()];
        let mut row = vec![String::new(); ids.len() + 3];
        row[0] = format!("p{i}");
        row[1] = form.decision().key().to_string();
        row[2] = form.set().to_string();
        for (c, key) in form.leaves().zip(g.keys(form)) {
            if let Some(col) = ids.iter().position(|i| *i == c.id()) {
                row[3 + col] = key;
            }
        }
        w.write_record(&row)?;
    }
    let mut input = String::from_utf8(w.into_inner()?)?;
    input.push_str("bad-set,26-2026,99\n\"<img src=x onerror=alert(1)>\",27-2030,01\n");
    let mut tally = ocop_rating::round::Tally::new(ocop_rating::round::Caps::default());
    let mut csv_out = Vec::new();
    bulk::run(
        catalog,
        input.as_bytes(),
        &mut csv_out,
        &Options::new("round.csv", InputFormat::Csv),
        &mut tally,
    )?;
    let mut lines = Vec::new();
    for (path, n) in [
        ("tests/browser/fixtures/26-2026-01-knocked-out.yaml", 3),
        ("tests/browser/fixtures/26-2026-01-council-7.yaml", 2),
    ] {
        let value: serde_json::Value = serde_yaml::from_str(&read(path)?)?;
        for _ in 0..n {
            lines.push(serde_json::to_string(&value)?);
        }
    }
    let mut json_out = Vec::new();
    let opts = Options { format: OutFormat::Jsonl, ..Options::new("round.jsonl", InputFormat::Jsonl) };
    bulk::run(catalog, lines.join("\n").as_bytes(), &mut json_out, &opts, &mut tally)?;
    let mut counts = [0u64; 6];
    let mut reader = csv::Reader::from_reader(csv_out.as_slice());
    for record in reader.records() {
        let stars: usize = record?.get(6).unwrap_or("").parse().unwrap_or(0);
        counts[stars.min(5)] += 1;
    }
    for line in String::from_utf8(json_out)?.lines() {
        let v: serde_json::Value = serde_json::from_str(line)?;
        counts[v["stars"].as_u64().unwrap_or(0).min(5) as usize] += 1;
    }
    let counts: serde_json::Map<String, serde_json::Value> =
        counts.iter().enumerate().map(|(i, n)| (i.to_string(), serde_json::json!(n))).collect();
    Ok((tally, serde_json::Value::Object(counts)))
}

/// Renders the round report of [`round_run`] `n` times and prints the time.
#[cfg(feature = "bulk")]
fn round_time(catalog: &Catalog, n: usize) -> Result<()> {
    let (tally, _) = round_run(catalog)?;
    let info = ocop_rating::round::RunInfo::new("round.csv + round.jsonl");
    let started = Instant::now();
    let mut bytes = 0;
    for _ in 0..n.max(1) {
        bytes += ocop_rating::round::page(&tally, &info).len();
    }
    let took = started.elapsed();
    println!(
        "rendered the round report {} times in {:.3} s ({:.0} µs a page, {} bytes a page, one thread)",
        n.max(1),
        took.as_secs_f64(),
        took.as_secs_f64() * 1e6 / n.max(1) as f64,
        bytes / n.max(1)
    );
    Ok(())
}

fn time(catalog: &Catalog, n: usize) -> Result<()> {
    let forms: Vec<&Form> = catalog.forms().filter(|f| f.in_force_until().is_none()).collect();
    let mut g = ocop_rating::generate::SheetGenerator::new(7);
    let started = Instant::now();
    let mut reports = Vec::new();
    for i in 0..100 {
        let form = forms[i % forms.len()];
        let keys = g.keys(form);
        let mut yaml = format!(
            "decision: {}\nset: \"{}\"\nproduct: \"Sản phẩm {i}\"\n",
            form.decision().key(),
            form.set()
        );
        if let Some(from) = form.in_force_from() {
            // A set with several versions (1048 set 26) needs the lodging date to choose one.
            yaml.push_str(&format!("lodged_on: {from}\n"));
        }
        yaml.push_str("answers:\n");
        for (c, key) in form.leaves().zip(keys) {
            let answer = if key.contains('+') {
                format!("[{}]", key.replace('+', ", "))
            } else {
                format!("\"{key}\"")
            };
            yaml.push_str(&format!("  \"{}\": {answer}\n", c.id()));
        }
        reports.push(report(catalog, "timed", &yaml)?);
    }
    let built = started.elapsed();
    let per = n.div_ceil(reports.len());
    let started = Instant::now();
    let mut bytes = 0usize;
    let mut count = 0usize;
    for r in &reports {
        for _ in 0..per {
            bytes += html::sheet(r, Lang::Vi).len();
            count += 1;
        }
    }
    let took = started.elapsed();
    println!(
        "rendered {count} sheets to HTML in {:.3} s ({:.0} µs a sheet, {:.1} MB of HTML, one thread); \
         building the 100 reports (parse, score, trace) took {:.3} s",
        took.as_secs_f64(),
        took.as_secs_f64() * 1e6 / count as f64,
        bytes as f64 / 1e6,
        built.as_secs_f64()
    );
    Ok(())
}
