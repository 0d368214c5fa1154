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
const CHUNK: usize = 4 * 1024;

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
    /// The lodging date of the rows of this plan (the `lodged_on` column), which picks the form
    /// version and the minimums in force.
    on: Option<ocop_rating::Date>,
    /// The `lodged_on` column among the criterion columns, skipped when reading answers.
    date_column: Option<usize>,
    /// For each criterion column: the form's leaf, or None when the form lacks it.
    columns: Vec<Option<usize>>,
    /// Leaves with no column at all (every row of this form lacks them).
    uncovered: Vec<&'c str>,
}

/// The raw cells that choose a plan: decision, set and `lodged_on`.
type PlanKey = (Vec<u8>, Vec<u8>, Vec<u8>);

/// [`PlanKey`] borrowed from a record.
type RowKey<'r> = (&'r [u8], &'r [u8], &'r [u8]);

struct Plans<'c> {
    catalog: &'c Catalog,
    criteria: Vec<String>,
    /// The column (among `criteria`) named `lodged_on`, if the header has one.
    date_column: Option<usize>,
    index: HashMap<PlanKey, usize>,
    plans: Vec<Result<Plan<'c>, String>>,
}

impl<'c> Plans<'c> {
    /// The plan index of a (decision, set, lodged_on) triple, resolving it the first time it is
    /// seen.
    fn index(&mut self, decision: &[u8], set: &[u8], lodged_on: &[u8]) -> usize {
        let key = (decision.to_vec(), set.to_vec(), lodged_on.to_vec());
        if let Some(&i) = self.index.get(&key) {
            return i;
        }
        let plan = self.resolve(
            String::from_utf8_lossy(decision).trim(),
            String::from_utf8_lossy(set).trim(),
            String::from_utf8_lossy(lodged_on).trim(),
        );
        self.plans.push(plan);
        self.index.insert(key, self.plans.len() - 1);
        self.plans.len() - 1
    }

    fn resolve(&self, decision: &str, set: &str, lodged_on: &str) -> Result<Plan<'c>, String> {
        let (catalog, criteria) = (self.catalog, &self.criteria);
        let on = match lodged_on {
            "" => None,
            text => Some(
                text.parse::<ocop_rating::Date>()
                    .map_err(|e| format!("column lodged_on: `{text}` is not a date (YYYY-MM-DD): {e}"))?,
            ),
        };
        {
            let form = catalog.form(decision, set, on).map_err(|e| {
                e.diagnostics()
                    .first()
                    .map(|d| {
                        let mut m = d.message.clone();
                        if let Some(x) = &d.expected {
                            m.push_str(&format!(" (expected {x})"));
                        }
                        m
                    })
                    .unwrap_or_default()
            })?;
            let columns: Vec<Option<usize>> = criteria
                .iter()
                .enumerate()
                .map(|(i, id)| {
                    if Some(i) == self.date_column { None } else { form.leaves().position(|c| c.id() == id) }
                })
                .collect();
            let uncovered = form
                .leaves()
                .enumerate()
                .filter(|(i, _)| !columns.contains(&Some(*i)))
                .map(|(_, c)| c.id())
                .collect();
            Ok(Plan { form, on, date_column: self.date_column, columns, uncovered })
        }
    }
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
    let jsonl_in =
        opts.input.ends_with(".jsonl") || opts.input.ends_with(".ndjson") || opts.input.ends_with(".json");
    let summary = if jsonl_in {
        run_jsonl(catalog, input, size, &mut out, opts)
    } else {
        run_csv(catalog, input, size, &mut out, opts)
    }?;
    out.flush().map_err(crate::output_error)?;
    Ok(summary)
}

fn write_header(out: &mut dyn Write, opts: &Options) -> Result<(), String> {
    if opts.format == OutFormat::Csv {
        let trace = if opts.trace { ",trace" } else { "" };
        writeln!(out, "id,total,A,B,C,band_stars,stars,limited_by,disqualified{trace}")
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// Appends the output line of a scored sheet to `line` (nothing when it fails).
fn render_row(
    id: &str,
    sheet: &Sheet<'_>,
    on: Option<ocop_rating::Date>,
    opts: &Options,
    line: &mut String,
) -> Result<(), String> {
    let start = line.len();
    let result = write_row(id, sheet, on, opts, line);
    if result.is_err() {
        line.truncate(start);
    }
    result
}

fn write_row(
    id: &str,
    sheet: &Sheet<'_>,
    on: Option<ocop_rating::Date>,
    opts: &Options,
    line: &mut String,
) -> Result<(), String> {
    let form = sheet.form();
    let outcome = form
        .score_council_on(std::slice::from_ref(sheet), on)
        .map_err(|e| e.diagnostics().iter().map(|d| d.message.clone()).collect::<Vec<_>>().join("; "))?;
    match opts.format {
        OutFormat::Csv => {
            if id.contains([',', '"', '\n', '\r']) {
                line.push_str(&csv_field(id));
            } else {
                line.push_str(id);
            }
            line.push(',');
            use std::fmt::Write as _;
            let _ = write!(line, "{}", outcome.total_mean());
            let mut parts = outcome.parts();
            for _ in 0..3 {
                line.push(',');
                if let Some((_, m)) = parts.next() {
                    let _ = write!(line, "{m}");
                }
            }
            line.push(',');
            line.push(char::from(b'0' + outcome.band_stars()));
            line.push(',');
            if let Some(s) = outcome.stars() {
                line.push(char::from(b'0' + s));
            }
            line.push(',');
            let mut previous = "";
            for l in outcome.limited_by() {
                let id = l.criterion.id();
                if id != previous {
                    if !previous.is_empty() {
                        line.push(' ');
                    }
                    line.push_str(id);
                    previous = id;
                }
            }
            line.push(',');
            if let Some(k) = outcome.disqualified() {
                line.push_str(k.id());
            }
            if opts.trace {
                let trace = form.trace_on(std::slice::from_ref(sheet), &[], on).map_err(|e| e.to_string())?;
                let cells: Vec<String> = trace
                    .lines()
                    .map(|l| format!("{}={}:{}", l.criterion.id(), l.answer_text(0), l.mean))
                    .collect();
                line.push(',');
                line.push_str(&csv_field(&cells.join(";")));
            }
            line.push('\n');
            Ok(())
        }
        OutFormat::Jsonl if !opts.trace => {
            let mut bytes = Vec::with_capacity(512);
            render::write_outcome_json_line(&outcome, id, &mut bytes);
            line.push_str(&String::from_utf8_lossy(&bytes));
            Ok(())
        }
        OutFormat::Jsonl => {
            let mut value = render::outcome_json(&outcome);
            if let serde_json::Value::Object(map) = &mut value {
                map.insert("id".into(), serde_json::json!(id));
                if opts.trace {
                    let trace =
                        form.trace_on(std::slice::from_ref(sheet), &[], on).map_err(|e| e.to_string())?;
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
            line.push_str(&value.to_string());
            line.push('\n');
            Ok(())
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
    let header =
        reader.byte_headers().map_err(|e| format!("error[syntax]: {}: the header: {e}", opts.input))?.clone();
    let names: Vec<String> = header.iter().map(|f| String::from_utf8_lossy(f).trim().to_string()).collect();
    if names.len() < 3 || names[0] != "id" || names[1] != "decision" || names[2] != "set" {
        return Err(format!(
            "error[syntax]: {}: the header starts `{}`\n  expected: id,decision,set,<criterion ids…>",
            opts.input,
            names.iter().take(3).cloned().collect::<Vec<_>>().join(",")
        ));
    }
    let criteria: Vec<String> = names[3..].to_vec();
    write_header(out, opts)?;
    let mut summary = Summary { scored: 0, rejected: 0, stopped: false };
    let mut progress = Progress::new(size);
    let date_column = criteria.iter().position(|c| c == "lodged_on");
    let mut plans =
        Plans { catalog, criteria: criteria.clone(), date_column, index: HashMap::new(), plans: Vec::new() };
    // A reader thread parses chunk n+1 while chunk n is scored: reading CSV is sequential, and
    // without the overlap the scoring threads wait for it. Two chunks in flight bound memory;
    // their records come back to the reader for reuse, so reading allocates only at the start.
    let (full_tx, full_rx) = std::sync::mpsc::sync_channel::<Chunk>(1);
    let (empty_tx, empty_rx) = std::sync::mpsc::channel::<Chunk>();
    for _ in 0..3 {
        let _ = empty_tx.send(Chunk::default());
    }
    std::thread::scope(|scope| -> Result<(), String> {
        scope.spawn(move || read_chunks(reader, full_tx, empty_rx));
        let mut keys: Vec<usize> = Vec::new();
        for chunk in full_rx {
            let filled = chunk.filled;
            let records = &chunk.records[..filled];
            let first_row = chunk.first_row;
            // Resolve each distinct (decision, set) once, before the parallel part.
            keys.clear();
            // Consecutive rows mostly share their plan: compare with the previous row's cells.
            let mut last: Option<(RowKey<'_>, usize)> = None;
            for record in records {
                let (d, s) = (record.get(1).unwrap_or(b""), record.get(2).unwrap_or(b""));
                let on = date_column.and_then(|c| record.get(c + 3)).unwrap_or(b"");
                let index = match last {
                    Some(((ld, ls, lo), i)) if ld == d && ls == s && lo == on => i,
                    _ => plans.index(d, s, on),
                };
                last = Some(((d, s, on), index));
                keys.push(index);
            }
            let plans_ref = &plans.plans;
            // Each task scores a slice of rows into one buffer, in order.
            const TASK: usize = 512;
            let results: Vec<(String, Vec<(usize, String)>)> = records
                .par_chunks(TASK)
                .enumerate()
                .map_init(Vec::<Option<Sheet<'_>>>::new, |sheets, (task, rows)| {
                    let mut text = String::with_capacity(rows.len() * 48);
                    let mut bad = Vec::new();
                    for (i, record) in rows.iter().enumerate() {
                        let index = task * TASK + i;
                        if record.is_empty() {
                            continue; // reported as unreadable
                        }
                        match score_record(record, keys[index], plans_ref, sheets, &criteria) {
                            Ok(sheet) => {
                                let id = String::from_utf8_lossy(record.get(0).unwrap_or(b""));
                                let on = plans_ref
                                    .get(keys[index])
                                    .and_then(|p| p.as_ref().ok())
                                    .and_then(|p| p.on);
                                if let Err(m) = render_row(&id, sheet, on, opts, &mut text) {
                                    bad.push((index, m));
                                }
                            }
                            Err(m) => bad.push((index, m)),
                        }
                    }
                    (text, bad)
                })
                .collect();
            let mut bad_rows: Vec<(usize, String)> = chunk.unreadable.clone();
            for (_, bad) in &results {
                bad_rows.extend(bad.iter().cloned());
            }
            bad_rows.sort_by_key(|b| b.0);
            if opts.strict
                && let Some((index, message)) = bad_rows.first()
            {
                // Write the rows before the first bad one, then stop.
                let mut written = 0u64;
                for (text, _) in &results {
                    for line in text.lines() {
                        if (written as usize) < *index {
                            writeln!(out, "{line}").map_err(crate::output_error)?;
                            written += 1;
                        }
                    }
                }
                summary.scored += written;
                summary.rejected += 1;
                report_bad(first_row + *index as u64, message);
                summary.stopped = true;
                // Dropping the receiver stops the reader at its next chunk.
                return Ok(());
            }
            for (text, _) in &results {
                out.write_all(text.as_bytes()).map_err(crate::output_error)?;
            }
            for (index, message) in &bad_rows {
                report_bad(first_row + *index as u64, message);
            }
            summary.rejected += bad_rows.len() as u64;
            summary.scored += (filled - bad_rows.len()) as u64;
            progress.tick(summary.scored + summary.rejected, chunk.position);
            let _ = empty_tx.send(chunk);
        }
        Ok(())
    })?;
    progress.done();
    Ok(summary)
}

/// A chunk of CSV records on its way from the reader thread to the scorers.
#[derive(Default)]
struct Chunk {
    records: Vec<csv::ByteRecord>,
    filled: usize,
    /// Rows that could not be read, by index in the chunk, with the reason.
    unreadable: Vec<(usize, String)>,
    /// The row number (1 = the header) of the chunk's first record.
    first_row: u64,
    /// The input's byte position after the chunk, for the progress bar.
    position: u64,
}

/// The reader thread: fills recycled chunks until the input ends or the scorer hangs up.
fn read_chunks(
    mut reader: csv::Reader<Box<dyn BufRead + Send>>,
    full: std::sync::mpsc::SyncSender<Chunk>,
    empty: std::sync::mpsc::Receiver<Chunk>,
) {
    let mut row_number = 1u64; // the header is row 1
    while let Ok(mut chunk) = empty.recv() {
        chunk.first_row = row_number + 1;
        chunk.filled = 0;
        chunk.unreadable.clear();
        while chunk.filled < CHUNK {
            if chunk.records.len() <= chunk.filled {
                chunk.records.push(csv::ByteRecord::new());
            }
            let slot = chunk.filled;
            match reader.read_byte_record(&mut chunk.records[slot]) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    chunk.unreadable.push((slot, format!("unreadable CSV: {e}")));
                    chunk.records[slot].clear();
                }
            }
            row_number += 1;
            chunk.filled += 1;
        }
        chunk.position = reader.position().byte();
        if chunk.filled == 0 || full.send(chunk).is_err() {
            return;
        }
    }
}

/// Fills the row's form's sheet (one per thread and form) from the record's cells.
fn score_record<'s, 'c>(
    record: &csv::ByteRecord,
    key: usize,
    plans: &[Result<Plan<'c>, String>],
    sheets: &'s mut Vec<Option<Sheet<'c>>>,
    criteria: &[String],
) -> Result<&'s Sheet<'c>, String> {
    let plan = match plans.get(key) {
        Some(Ok(plan)) => plan,
        Some(Err(message)) => return Err(message.clone()),
        None => return Err("no form".into()),
    };
    if record.len() != criteria.len() + 3 {
        return Err(format!("{} cells, the header has {}", record.len(), criteria.len() + 3));
    }
    if sheets.len() <= key {
        sheets.resize_with(key + 1, || None);
    }
    let sheet = sheets[key].get_or_insert_with(|| plan.form.sheet());
    sheet.clear();
    let mut problems = Vec::new();
    for (col, cell) in record.iter().skip(3).enumerate() {
        if Some(col) == plan.date_column {
            continue;
        }
        // Most cells of a mixed-set file are empty columns of other sets: skip them before
        // checking UTF-8.
        if cell.trim_ascii().is_empty() {
            continue;
        }
        let cell = match std::str::from_utf8(cell) {
            Ok(c) => c.trim(),
            Err(_) => {
                problems.push(format!("column {}: not UTF-8", criteria[col]));
                continue;
            }
        };
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
    if problems.is_empty() { Ok(sheet) } else { Err(problems.join("; ")) }
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
            let n =
                (&mut input).take(64 << 20).read_line(&mut line).map_err(|e| format!("error[io]: {e}"))?;
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
                let mut line = String::new();
                render_row(&id, &scored.sheets()[0], a.lodged_on(), opts, &mut line)?;
                line.pop(); // the newline; written below
                Ok(line)
            })
            .collect();
        for ((number, _), result) in chunk.iter().zip(results) {
            match result {
                Ok(line) => {
                    summary.scored += 1;
                    writeln!(out, "{line}").map_err(crate::output_error)?;
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
