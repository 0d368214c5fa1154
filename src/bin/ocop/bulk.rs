//! `ocop bulk`: stream a CSV or JSON Lines file of sheets through the engine, in constant memory.
//!
//! Rows are read in chunks; each chunk is scored on every core and written in input order
//! before the next is read. A bad row is reported with its row number and skipped (or stops the
//! run with `--strict`); the summary counts scored and rejected rows.

use ocop_rating::{Assessment, Catalog, Form, Sheet, render};
use rayon::prelude::*;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, BufWriter, IsTerminal, Read, Write};
use std::time::{Duration, Instant};

/// Rows read and scored together; bounds memory whatever the input size.
const CHUNK: usize = 16 * 1024;

#[derive(Clone, Copy, PartialEq, Eq, Debug, clap::ValueEnum)]
pub enum OutFormat {
    Csv,
    Jsonl,
}

pub struct Options {
    pub input: String,
    pub out: Option<String>,
    pub format: OutFormat,
    pub trace: bool,
    pub strict: bool,
}

pub struct Summary {
    pub scored: u64,
    pub rejected: u64,
    pub stopped: bool,
}

/// How the criterion columns of the header map to one form's leaves.
struct Plan<'c> {
    form: &'c Form,
    /// For each criterion column: the form's leaf, or None when the form lacks it.
    columns: Vec<Option<usize>>,
    /// Leaves with no column at all (every row of this form lacks them).
    uncovered: Vec<&'c str>,
}

struct Plans<'c> {
    catalog: &'c Catalog,
    criteria: Vec<String>,
    plans: HashMap<(String, String), Result<Plan<'c>, String>>,
}

impl<'c> Plans<'c> {
    fn get(&mut self, decision: &str, set: &str) -> &Result<Plan<'c>, String> {
        let key = (decision.to_string(), set.to_string());
        let (catalog, criteria) = (self.catalog, &self.criteria);
        self.plans.entry(key).or_insert_with(|| {
            let form = catalog.form(decision, set, None).map_err(|e| {
                e.diagnostics().first().map(|d| {
                    let mut m = d.message.clone();
                    if let Some(x) = &d.expected {
                        m.push_str(&format!(" (expected {x})"));
                    }
                    m
                }).unwrap_or_default()
            })?;
            let columns: Vec<Option<usize>> =
                criteria.iter().map(|id| form.leaves().position(|c| c.id() == id)).collect();
            let uncovered = form
                .leaves()
                .enumerate()
                .filter(|(i, _)| !columns.contains(&Some(*i)))
                .map(|(_, c)| c.id())
                .collect();
            Ok(Plan { form, columns, uncovered })
        })
    }
}

struct Row {
    number: u64,
    id: String,
    decision: String,
    set: String,
    cells: Vec<String>,
}

fn open_input(path: &str) -> std::io::Result<(Box<dyn BufRead + Send>, Option<u64>)> {
    if path == "-" {
        return Ok((Box::new(BufReader::with_capacity(1 << 20, std::io::stdin())), None));
    }
    let file = std::fs::File::open(path)?;
    let size = file.metadata().ok().map(|m| m.len());
    Ok((Box::new(BufReader::with_capacity(1 << 20, file)), size))
}

struct Progress {
    on: bool,
    start: Instant,
    last: Instant,
    size: Option<u64>,
}

impl Progress {
    fn new(size: Option<u64>) -> Progress {
        let now = Instant::now();
        Progress { on: std::io::stderr().is_terminal(), start: now, last: now, size }
    }
    fn tick(&mut self, rows: u64, bytes: u64) {
        if !self.on || self.last.elapsed() < Duration::from_millis(250) {
            return;
        }
        self.last = Instant::now();
        let secs = self.start.elapsed().as_secs_f64().max(1e-9);
        let rate = rows as f64 / secs;
        let eta = match self.size {
            Some(size) if bytes > 0 && size > bytes => {
                format!(", ETA {:.0}s", secs * (size - bytes) as f64 / bytes as f64)
            }
            _ => String::new(),
        };
        eprint!("\r{rows} rows, {rate:.0} rows/s{eta}   ");
    }
    fn done(&self) {
        if self.on {
            eprintln!();
        }
    }
}

pub fn run(catalog: &Catalog, opts: &Options) -> Result<Summary, String> {
    let (input, size) = open_input(&opts.input).map_err(|e| format!("error[io]: {}: {e}", opts.input))?;
    let out: Box<dyn Write> = match &opts.out {
        Some(path) => Box::new(std::fs::File::create(path).map_err(|e| format!("error[io]: {path}: {e}"))?),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut out = BufWriter::with_capacity(1 << 20, out);
    let jsonl_in = opts.input.ends_with(".jsonl") || opts.input.ends_with(".ndjson") || opts.input.ends_with(".json");
    let summary = if jsonl_in { run_jsonl(catalog, input, size, &mut out, opts) } else { run_csv(catalog, input, size, &mut out, opts) }?;
    out.flush().map_err(|e| format!("error[io]: {e}"))?;
    Ok(summary)
}

fn write_header(out: &mut dyn Write, opts: &Options) -> Result<(), String> {
    if opts.format == OutFormat::Csv {
        let trace = if opts.trace { ",trace" } else { "" };
        writeln!(out, "id,total,A,B,C,band_stars,stars,limited_by,disqualified{trace}").map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text.to_string() }
}

/// One output line for a scored sheet.
fn render_row(id: &str, sheet: &Sheet<'_>, opts: &Options) -> Result<String, String> {
    let form = sheet.form();
    let outcome = form.score(sheet).map_err(|e| e.diagnostics().iter().map(|d| d.message.clone()).collect::<Vec<_>>().join("; "))?;
    match opts.format {
        OutFormat::Csv => {
            let mut line = String::with_capacity(64);
            line.push_str(&csv_field(id));
            line.push(',');
            line.push_str(&outcome.total().to_string());
            let parts: Vec<String> = outcome.parts().map(|(_, m)| m.to_decimal().normalize().to_string()).collect();
            for i in 0..3 {
                line.push(',');
                line.push_str(parts.get(i).map(String::as_str).unwrap_or(""));
            }
            line.push(',');
            line.push_str(&outcome.band_stars().to_string());
            line.push(',');
            if let Some(s) = outcome.stars() {
                line.push_str(&s.to_string());
            }
            line.push(',');
            let mut limited: Vec<&str> = outcome.limited_by().map(|l| l.criterion.id()).collect();
            limited.dedup();
            line.push_str(&limited.join(" "));
            line.push(',');
            if let Some(k) = outcome.disqualified() {
                line.push_str(k.id());
            }
            if opts.trace {
                let trace = form.trace(std::slice::from_ref(sheet), &[]).map_err(|e| e.to_string())?;
                let cells: Vec<String> =
                    trace.lines().map(|l| format!("{}={}:{}", l.criterion.id(), l.answer_text(0), l.mean)).collect();
                line.push(',');
                line.push_str(&csv_field(&cells.join(";")));
            }
            Ok(line)
        }
        OutFormat::Jsonl => {
            let mut value = render::outcome_json(&outcome);
            if let serde_json::Value::Object(map) = &mut value {
                map.insert("id".into(), serde_json::json!(id));
                if opts.trace {
                    let trace = form.trace(std::slice::from_ref(sheet), &[]).map_err(|e| e.to_string())?;
                    let lines: Vec<serde_json::Value> = trace
                        .lines()
                        .map(|l| {
                            serde_json::json!({"criterion": l.criterion.id(), "answer": l.answer_text(0),
                                "points": l.mean.to_decimal().normalize().to_string(), "reason_zero": l.reason_zero(0)})
                        })
                        .collect();
                    map.insert("trace".into(), serde_json::Value::Array(lines));
                }
            }
            Ok(value.to_string())
        }
    }
}

fn report_bad(row: u64, message: &str) {
    eprintln!("row {row}: {message}");
}

fn run_csv(
    catalog: &Catalog,
    input: Box<dyn BufRead + Send>,
    size: Option<u64>,
    out: &mut dyn Write,
    opts: &Options,
) -> Result<Summary, String> {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(input);
    let header = reader.headers().map_err(|e| format!("error[syntax]: {}: the header: {e}", opts.input))?.clone();
    let names: Vec<&str> = header.iter().collect();
    if names.len() < 3 || names[0] != "id" || names[1] != "decision" || names[2] != "set" {
        return Err(format!(
            "error[syntax]: {}: the header starts `{}`\n  expected: id,decision,set,<criterion ids…>",
            opts.input,
            names.iter().take(3).copied().collect::<Vec<_>>().join(",")
        ));
    }
    let criteria: Vec<String> = names[3..].iter().map(|s| s.trim().to_string()).collect();
    write_header(out, opts)?;
    let mut summary = Summary { scored: 0, rejected: 0, stopped: false };
    let mut progress = Progress::new(size);
    let mut record = csv::StringRecord::new();
    let mut row_number = 1u64; // the header is row 1
    let mut plans = Plans { catalog, criteria: criteria.clone(), plans: HashMap::new() };
    loop {
        let mut chunk: Vec<Row> = Vec::with_capacity(CHUNK);
        while chunk.len() < CHUNK {
            match reader.read_record(&mut record) {
                Ok(true) => {
                    row_number += 1;
                    let cells: Vec<String> = record.iter().skip(3).map(str::to_string).collect();
                    chunk.push(Row {
                        number: row_number,
                        id: record.get(0).unwrap_or("").to_string(),
                        decision: record.get(1).unwrap_or("").trim().to_string(),
                        set: record.get(2).unwrap_or("").trim().to_string(),
                        cells,
                    });
                }
                Ok(false) => break,
                Err(e) => {
                    row_number += 1;
                    summary.rejected += 1;
                    report_bad(row_number, &format!("unreadable CSV: {e}"));
                    if opts.strict {
                        summary.stopped = true;
                        return Ok(summary);
                    }
                }
            }
        }
        if chunk.is_empty() {
            break;
        }
        // Resolve each distinct (decision, set) once, before the parallel part.
        for row in &chunk {
            let _ = plans.get(&row.decision, &row.set);
        }
        let plans_ref = &plans.plans;
        let results: Vec<Result<String, String>> = chunk
            .par_iter()
            .map_init(HashMap::<(String, String), Sheet<'_>>::new, |sheets, row| {
                let key = (row.decision.clone(), row.set.clone());
                let plan = match plans_ref.get(&key) {
                    Some(Ok(plan)) => plan,
                    Some(Err(message)) => return Err(message.clone()),
                    None => return Err("no form".into()),
                };
                if row.cells.len() != criteria.len() {
                    return Err(format!("{} cells, the header has {}", row.cells.len() + 3, criteria.len() + 3));
                }
                let sheet = sheets.entry(key).or_insert_with(|| plan.form.sheet());
                sheet.clear();
                let mut problems = Vec::new();
                for (col, cell) in row.cells.iter().enumerate() {
                    let cell = cell.trim();
                    match plan.columns[col] {
                        Some(leaf) if !cell.is_empty() => {
                            if let Err(e) = sheet.set_leaf_key(leaf, cell) {
                                problems.push(format!("column {}: {e}", criteria[col]));
                            }
                        }
                        None if !cell.is_empty() => problems.push(format!(
                            "column {}: set {} of {} has no such criterion; leave the cell empty",
                            criteria[col],
                            plan.form.set(),
                            plan.form.decision().key()
                        )),
                        _ => {}
                    }
                }
                if !plan.uncovered.is_empty() {
                    problems.push(format!("no column for criteria {}", plan.uncovered.join(", ")));
                }
                if !problems.is_empty() {
                    return Err(problems.join("; "));
                }
                render_row(&row.id, sheet, opts)
            })
            .collect();
        for (row, result) in chunk.iter().zip(results) {
            match result {
                Ok(line) => {
                    summary.scored += 1;
                    writeln!(out, "{line}").map_err(|e| format!("error[io]: {e}"))?;
                }
                Err(message) => {
                    summary.rejected += 1;
                    report_bad(row.number, &message);
                    if opts.strict {
                        summary.stopped = true;
                        progress.done();
                        return Ok(summary);
                    }
                }
            }
        }
        progress.tick(summary.scored + summary.rejected, reader.position().byte());
    }
    progress.done();
    Ok(summary)
}

fn run_jsonl(
    catalog: &Catalog,
    mut input: Box<dyn BufRead + Send>,
    size: Option<u64>,
    out: &mut dyn Write,
    opts: &Options,
) -> Result<Summary, String> {
    write_header(out, opts)?;
    let mut summary = Summary { scored: 0, rejected: 0, stopped: false };
    let mut progress = Progress::new(size);
    let mut line_number = 0u64;
    let mut bytes_read = 0u64;
    loop {
        let mut chunk: Vec<(u64, String)> = Vec::with_capacity(CHUNK);
        while chunk.len() < CHUNK {
            let mut line = String::new();
            let n = (&mut input).take(64 << 20).read_line(&mut line).map_err(|e| format!("error[io]: {e}"))?;
            if n == 0 {
                break;
            }
            bytes_read += n as u64;
            line_number += 1;
            if !line.trim().is_empty() {
                chunk.push((line_number, line));
            }
        }
        if chunk.is_empty() {
            break;
        }
        let results: Vec<Result<String, String>> = chunk
            .par_iter()
            .map(|(number, line)| {
                let name = format!("{}:{number}", opts.input);
                let a = Assessment::from_text(&name, line).map_err(|e| first_lines(&e.to_string()))?;
                let scored = catalog.score(&a).map_err(|e| first_lines(&e.to_string()))?;
                let id = a.product().unwrap_or("").to_string();
                if scored.sheets().len() > 1 {
                    // Councils: the JSON record carries the council and award objects.
                    let mut value = render::json(&scored, None);
                    if let serde_json::Value::Object(map) = &mut value {
                        map.insert("id".into(), serde_json::json!(id));
                    }
                    return match opts.format {
                        OutFormat::Jsonl => Ok(value.to_string()),
                        OutFormat::Csv => Ok(csv_from_outcome(&id, &scored)),
                    };
                }
                render_row(&id, &scored.sheets()[0], opts)
            })
            .collect();
        for ((number, _), result) in chunk.iter().zip(results) {
            match result {
                Ok(line) => {
                    summary.scored += 1;
                    writeln!(out, "{line}").map_err(|e| format!("error[io]: {e}"))?;
                }
                Err(message) => {
                    summary.rejected += 1;
                    report_bad(*number, &message);
                    if opts.strict {
                        summary.stopped = true;
                        return Ok(summary);
                    }
                }
            }
        }
        progress.tick(summary.scored + summary.rejected, bytes_read);
    }
    progress.done();
    Ok(summary)
}

/// The CSV line of a council (the mean), as for a single sheet.
fn csv_from_outcome(id: &str, scored: &ocop_rating::Scored<'_>) -> String {
    let o = scored.outcome();
    let parts: Vec<String> = o.parts().map(|(_, m)| m.to_decimal().normalize().to_string()).collect();
    let mut limited: Vec<&str> = o.limited_by().map(|l| l.criterion.id()).collect();
    limited.dedup();
    format!(
        "{},{},{},{},{},{},{}",
        csv_field(id),
        o.total(),
        parts.join(","),
        o.band_stars(),
        o.stars().map(|s| s.to_string()).unwrap_or_default(),
        limited.join(" "),
        o.disqualified().map(|k| k.id()).unwrap_or("")
    )
}

fn first_lines(text: &str) -> String {
    text.lines().skip(1).take(6).map(str::trim).collect::<Vec<_>>().join(" | ")
}
