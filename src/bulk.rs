//! Streaming bulk scoring (feature `bulk`): a CSV or JSON Lines file of sheets through the engine,
//! in input order, on every core, in bounded memory. `ocop bulk` is a thin shell over [`run`].
//!
//! Rows are read in chunks; each chunk is scored in parallel and written in input order before
//! the next is scored. A bad row is reported to [`Events::bad_row`] with its row number and the
//! reason, and skipped, or ends the run with [`Options::strict`]; the [`Summary`] counts the rows
//! scored and rejected. Nothing is dropped silently.
//!
//! - **Row numbers count records.** In CSV the header is row 1, and a record whose quoted cell
//!   holds a line break is one row. In JSON Lines row N is line N (blank lines are skipped but
//!   keep their number), however long a line is.
//! - **Memory is bounded whatever the input**: every line, cell, record, chunk and cache has a
//!   cap in bytes or entries ([`Limits`]). A line or record over its cap is one bad row, read
//!   through without being kept.
//! - **Messages are safe to print**: bad-row messages and [`Error`]s escape control characters
//!   and terminal escape sequences that came from the input ([`crate::terminal::escape`]). The
//!   CSV output is written with the `csv` writer, which quotes every cell that needs it.
//!
//! ```
//! use ocop_rating::{Catalog, bulk};
//!
//! let catalog = Catalog::embedded()?;
//! // One sheet per line: the example assessment `examples/26-2026-01-rau-cai.yaml` (61 points),
//! // and a line naming a decision that does not exist.
//! let input = concat!(
//!     r#"{"id": "rau-cai", "decision": "26-2026", "set": "01", "answers": {"1.1": "c", "1.2": "a", "1.3": "b", "1.4": "b", "1.5": "b", "1.6": "a", "1.7": "a", "2.1": "b", "2.2": "c", "2.3": "b", "2.4": "no", "3.1": "c", "3.2": "b", "3.3": "c", "3.4": "a", "3.5": "a", "4.1": "b", "4.2": "b", "4.3": "d", "5.1": "d", "5.2": "b", "5.3": "d", "6.1": "c", "6.2": "e", "6.3": "c", "6.4": "c", "7": "c", "8": "c", "9": "b", "10": "a", "11": "a", "12": "a"}}"#,
//!     "\n",
//!     r#"{"id": "other", "decision": "27-2030", "set": "01", "answers": {}}"#,
//!     "\n",
//! );
//! let options = bulk::Options::new("archive.jsonl", bulk::InputFormat::Jsonl);
//! let mut out = Vec::new();
//! let mut bad = Vec::new();
//! let summary = bulk::run(&catalog, input.as_bytes(), &mut out, &options, &mut bad)?;
//! assert_eq!((summary.scored, summary.rejected), (1, 1));
//! let text = String::from_utf8(out)?;
//! // Worked by hand in rules/26-2026/cases/01-middle.yaml: A = 9 + 5 + 9 = 23 (sections 1–3),
//! // B = 6 + 9 = 15 (4–5), C = 10 + 3 + 3 + 4 + 1 + 1 + 1 = 23 (6–12); 61 points, 3 stars.
//! assert_eq!(text.lines().nth(1), Some("rau-cai,61,23,15,23,3,3,,"));
//! assert_eq!(bad[0].0, 2);
//! assert!(bad[0].1.contains("27-2030"), "{}", bad[0].1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

// Input paths: indexing that could panic on hostile data is not allowed here.
#![deny(clippy::indexing_slicing)]

use crate::assessment::{Assessment, Scored};
use crate::catalog::Catalog;
use crate::date::Date;
use crate::diag::{Diagnostic, render_all};
use crate::form::Form;
use crate::score::{Outcome, Sheet};
use crate::terminal::{escape, escape_diagnostics};
use crate::trace::Trace;
use crate::{read, render};
use rayon::prelude::*;
use std::collections::HashMap;
use std::fmt;
use std::io::{Read, Write};
use std::ops::Range;

/// The input's format.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum InputFormat {
    /// CSV: `id,decision,set,[lodged_on,]<criterion ids…>` (docs/assessment.md).
    Csv,
    /// JSON Lines: one assessment per line, councils included.
    Jsonl,
}

impl InputFormat {
    /// JSON Lines for a name ending in `.jsonl`, `.ndjson` or `.json`; CSV otherwise (and for `-`,
    /// standard input).
    pub fn from_name(name: &str) -> InputFormat {
        if [".jsonl", ".ndjson", ".json"].iter().any(|ext| name.ends_with(ext)) {
            InputFormat::Jsonl
        } else {
            InputFormat::Csv
        }
    }
}

/// The output's format.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum OutFormat {
    /// `id,total,A,B,C,band_stars,stars,limited_by,disqualified`, plus `trace` with
    /// [`Options::trace`].
    Csv,
    /// One JSON record per line (the outcome's record with an `id`).
    Jsonl,
}

/// The caps that bound memory, whatever the input. Each is documented, with its default, in
/// `docs/assessment.md` ("Limits").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The longest JSON Lines line kept (default 1 MiB). A longer line is one bad row, read
    /// through without being kept.
    pub line_bytes: usize,
    /// The longest CSV cell kept (default 64 KiB, as `Limits::max_string_bytes` of an
    /// assessment). A row with a longer cell is one bad row, read through without being kept.
    pub field_bytes: usize,
    /// The longest CSV record kept, in bytes of input (default 1 MiB). A longer record is one bad
    /// row, read through without being kept. The header has the same cap.
    pub record_bytes: usize,
    /// The most columns a CSV header may have (default 4096; the shipped rule files have a few
    /// hundred distinct criterion ids in all).
    pub columns: usize,
    /// The most rows read and scored together (default 4096).
    pub chunk_rows: usize,
    /// The most input bytes read and scored together (default 8 MiB): a chunk ends at
    /// `chunk_rows` rows or at this size, whichever comes first. JSON Lines chunks also end at
    /// 1 MiB, as a council's record with its trace can be twenty times the size of its line.
    pub chunk_bytes: usize,
    /// The most (decision, set, lodged_on) cells remembered with the form they resolve to
    /// (default 4096); the memory is emptied when full. Rows that fail to resolve are never
    /// remembered.
    pub plan_keys: usize,
    /// The longest line or record read through (default 1 GiB). Past it the run ends with
    /// [`Error::Limit`]: such an input (`/dev/zero`, a binary file) has no rows to find.
    pub skip_bytes: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            line_bytes: 1 << 20,
            field_bytes: 64 << 10,
            record_bytes: 1 << 20,
            columns: 4096,
            chunk_rows: 4096,
            chunk_bytes: 8 << 20,
            plan_keys: 4096,
            skip_bytes: 1 << 30,
        }
    }
}

/// What to read and how to write it.
#[derive(Clone, Debug)]
pub struct Options {
    /// The input's name in messages (a file name, or `-`).
    pub name: String,
    /// The input's format.
    pub input: InputFormat,
    /// The output's format.
    pub format: OutFormat,
    /// Add the trace to every row: a `trace` column in CSV, a `trace` array in JSON Lines.
    pub trace: bool,
    /// End the run at the first bad row, having written the rows before it.
    pub strict: bool,
    /// Add the plan to the next class to every row ([`crate::advise::summary`]): an `advice`
    /// column in CSV (after `trace`), an `advice` text in JSON Lines.
    pub advise: bool,
    /// The caps on memory.
    pub limits: Limits,
}

impl Options {
    /// CSV output, no trace, not strict, the default limits.
    pub fn new(name: &str, input: InputFormat) -> Options {
        Options {
            name: name.to_string(),
            input,
            format: OutFormat::Csv,
            trace: false,
            strict: false,
            advise: false,
            limits: Limits::default(),
        }
    }
}

/// What a run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Rows scored and written.
    pub scored: u64,
    /// Rows reported to [`Events::bad_row`] and skipped.
    pub rejected: u64,
    /// Whether [`Options::strict`] ended the run at a bad row.
    pub stopped: bool,
}

/// Where a run reports what it finds besides its output.
pub trait Events {
    /// A bad row: its number and why (one line, escaped for a terminal). An error ends the run
    /// with [`Error::Report`]: a row that cannot be reported is not skipped silently.
    fn bad_row(&mut self, row: u64, message: &str) -> std::io::Result<()>;

    /// Called after each chunk: the rows read so far and the input bytes consumed.
    fn progress(&mut self, rows: u64, bytes: u64) {
        let _ = (rows, bytes);
    }

    /// Called for each row written, in input order, with what the round report needs of it
    /// ([`crate::round::Tally`] counts these), unless [`Events::wants_row_facts`] says no.
    fn scored(&mut self, row: u64, fact: &crate::round::RowFact) {
        let _ = (row, fact);
    }

    /// Whether [`Events::scored`] is to be called: asked once, when the run starts. Answer
    /// false when the facts are not used, and the run skips building one per row.
    fn wants_row_facts(&self) -> bool {
        true
    }
}

/// Collects bad rows as `(row, message)`.
impl Events for Vec<(u64, String)> {
    fn bad_row(&mut self, row: u64, message: &str) -> std::io::Result<()> {
        self.push((row, message.to_string()));
        Ok(())
    }

    fn wants_row_facts(&self) -> bool {
        false
    }
}

/// Why a run could not go on. Rows written before it stay written.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The CSV header is missing or unusable; the message says why (escaped).
    Header(String),
    /// A line or record runs on past [`Limits::skip_bytes`]; the message says where (escaped).
    Limit(String),
    /// Reading the input failed.
    Read {
        /// The input's name (escaped).
        name: String,
        /// What failed.
        source: std::io::Error,
    },
    /// Writing the output failed (a closed pipe included).
    Write(std::io::Error),
    /// [`Events::bad_row`] failed.
    Report(std::io::Error),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Header(m) => write!(f, "error[syntax]: {m}"),
            Error::Limit(m) => write!(f, "error[limit]: {m}"),
            Error::Read { name, source } => write!(f, "error[io]: {name}: {source}"),
            Error::Write(e) => write!(f, "error[io]: output: {e}"),
            Error::Report(e) => write!(f, "error[io]: reporting a bad row: {e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Read { source, .. } => Some(source),
            Error::Write(e) | Error::Report(e) => Some(e),
            Error::Header(_) | Error::Limit(_) => None,
        }
    }
}

/// Scores every row of `input` and writes one result per good row to `out`, in input order.
/// Bad rows go to `events`. `out` receives large blocks (a chunk's rows at a time); it need not
/// be buffered.
pub fn run<R: Read + Send>(
    catalog: &Catalog,
    input: R,
    out: &mut dyn Write,
    opts: &Options,
    events: &mut dyn Events,
) -> Result<Summary, Error> {
    match opts.input {
        InputFormat::Csv => run_csv(catalog, input, out, opts, events),
        InputFormat::Jsonl => run_jsonl(catalog, input, out, opts, events),
    }
}

/// The bytes read from the input at a time.
const READ_BUFFER: usize = 64 << 10;

/// Rows each parallel task scores into one buffer, in order.
const TASK: usize = 512;

/// Lines each parallel task scores in JSON Lines (parsing a line costs far more than scoring a
/// CSV row).
const JSON_TASK: usize = 16;

/// The input bytes of a JSON Lines chunk, at most: a council's record with its trace can be
/// twenty times the size of its line, and a chunk's records are held until they are written.
const JSON_CHUNK: usize = 1 << 20;

/// The most problems listed in one bad row's message; the rest are counted.
const MAX_PROBLEMS: usize = 10;

/// The longest bad-row message, in bytes; a longer one is cut (at a character boundary).
const MAX_MESSAGE: usize = 4096;

/// A criterion column without a leaf in [`Plan::keys`].
const NO_LEAF: u32 = u32::MAX;

/// No option has this key, in [`ColumnKeys`].
const NO_KEY: u64 = u64::MAX;

/// The common keys of one column's criterion, resolved once per form.
#[derive(Clone, Copy)]
struct ColumnKeys {
    leaf: u32,
    /// Bit `i` set when the `i`-th letter keys option `i`.
    letters: u64,
    /// The option bit of `yes` and of `no`, or [`NO_KEY`].
    yes: u64,
    no: u64,
}

impl Default for ColumnKeys {
    fn default() -> ColumnKeys {
        ColumnKeys { leaf: NO_LEAF, letters: 0, yes: NO_KEY, no: NO_KEY }
    }
}

impl ColumnKeys {
    fn of(form: &Form, leaf: usize) -> Option<ColumnKeys> {
        let criterion = form.leaves().nth(leaf)?;
        let options = form.options(criterion);
        let bit = |key: &str| options.iter().position(|o| o.key() == key).map_or(NO_KEY, |i| 1 << i);
        let (yes, no) = if criterion.kind() == crate::CriterionKind::Cumulative {
            (NO_KEY, NO_KEY) // a cumulative cell takes the general path but for one letter
        } else {
            (bit("yes"), bit("no"))
        };
        Some(ColumnKeys {
            leaf: u32::try_from(leaf).ok()?,
            letters: *form.plan().letters.get(leaf)?,
            yes,
            no,
        })
    }

    /// The option bits of a cell written as it is most often written, or None.
    #[inline]
    fn bits(&self, cell: &[u8]) -> Option<u64> {
        let bits = match cell {
            &[letter] => {
                return 1u64
                    .checked_shl(u32::from(letter.wrapping_sub(b'a')))
                    .filter(|b| b & self.letters != 0);
            }
            b"none" => 0,
            b"yes" => self.yes,
            b"no" => self.no,
            _ => NO_KEY,
        };
        (bits != NO_KEY).then_some(bits)
    }
}

/// The longest (decision, set, lodged_on) key remembered in the plan cache, in bytes.
const MAX_KEY: usize = 256;

// ---------------------------------------------------------------------------------------------
// Output: one printer per parallel task, writing rows into the task's buffer.

/// The header of the CSV output.
fn write_header(out: &mut dyn Write, opts: &Options) -> Result<(), Error> {
    if opts.format == OutFormat::Csv {
        let trace = if opts.trace { ",trace" } else { "" };
        let advice = if opts.advise { ",advice" } else { "" };
        writeln!(out, "id,total,A,B,C,band_stars,stars,limited_by,disqualified{trace}{advice}")
            .map_err(Error::Write)?;
    }
    Ok(())
}

/// The part columns of the CSV output.
const CSV_PARTS: [&str; 3] = ["A", "B", "C"];

/// Why `form`'s results do not fit the CSV output's part columns, when they do not: a row is
/// refused rather than written with a part missing or under another part's name.
fn csv_parts_problem(form: &Form) -> Option<String> {
    let ids: Vec<&str> = form.parts().iter().map(|p| p.id()).collect();
    (ids != CSV_PARTS).then(|| {
        format!(
            "set {} of {} has the parts {}; the CSV output has the columns A, B, C: use --format jsonl",
            form.set(),
            form.decision().key(),
            ids.join(", ")
        )
    })
}

/// A parallel task's output: the good rows' bytes, for each good row its index in the chunk and
/// where its bytes end, and the bad rows with their reasons.
#[derive(Default)]
struct Rendered {
    bytes: Vec<u8>,
    ends: Vec<(usize, usize)>,
    bad: Vec<(usize, String)>,
    /// Writing into the buffer failed (it cannot, but the error is not dropped).
    failed: Option<String>,
    /// Each good row's index and round-report fact, in the order of `ends`, when wanted.
    facts: Vec<(usize, crate::round::RowFact)>,
    want_facts: bool,
}

/// Writes rows into a task's buffer: CSV by [`csv_field`] (which quotes a cell exactly when the
/// `csv` crate's writer would), JSON through serde. A row is computed first and printed only
/// once it cannot fail.
enum Printer<'b> {
    Csv(&'b mut Vec<u8>),
    Json(&'b mut Vec<u8>),
}

/// What a row prints: one sheet's outcome, or a council's.
enum RowResult<'r, 'c> {
    Sheet { outcome: &'r Outcome<'c>, trace: Option<&'r Trace<'c>> },
    Council { scored: &'r Scored<'c>, trace: Option<&'r Trace<'c>> },
}

impl<'b> Printer<'b> {
    fn new(format: OutFormat, bytes: &'b mut Vec<u8>) -> Printer<'b> {
        match format {
            OutFormat::Csv => Printer::Csv(bytes),
            OutFormat::Jsonl => Printer::Json(bytes),
        }
    }

    /// The buffer's length after the rows printed so far.
    fn len(&mut self) -> Result<usize, String> {
        match self {
            Printer::Csv(bytes) | Printer::Json(bytes) => Ok(bytes.len()),
        }
    }

    fn row(
        &mut self,
        id: &str,
        row: &RowResult<'_, '_>,
        advice: Option<&str>,
        scratch: &mut String,
    ) -> Result<(), String> {
        match (self, row) {
            (Printer::Csv(bytes), row) => {
                csv_row(bytes, id, row, advice, scratch);
                Ok(())
            }
            (Printer::Json(bytes), RowResult::Sheet { outcome, trace: None }) if advice.is_none() => {
                render::write_outcome_json_line(outcome, id, bytes);
                Ok(())
            }
            (Printer::Json(bytes), RowResult::Sheet { outcome, trace }) => {
                let mut value = render::outcome_json(outcome);
                if let serde_json::Value::Object(map) = &mut value {
                    map.insert("id".into(), serde_json::json!(id));
                    if let Some(trace) = trace {
                        map.insert("trace".into(), sheet_trace_json(trace));
                    }
                    if let Some(advice) = advice {
                        map.insert("advice".into(), serde_json::json!(advice));
                    }
                }
                json_line(bytes, &value)
            }
            (Printer::Json(bytes), RowResult::Council { scored, trace }) => {
                // Councils: the JSON record carries the council and award objects, and with
                // --trace every member's answers.
                let mut value = render::json(scored, *trace);
                if let serde_json::Value::Object(map) = &mut value {
                    map.insert("id".into(), serde_json::json!(id));
                    if let Some(advice) = advice {
                        map.insert("advice".into(), serde_json::json!(advice));
                    }
                }
                json_line(bytes, &value)
            }
        }
    }
}

fn json_line(bytes: &mut Vec<u8>, value: &serde_json::Value) -> Result<(), String> {
    serde_json::to_writer(&mut *bytes, value).map_err(|e| e.to_string())?;
    bytes.push(b'\n');
    Ok(())
}

/// The compact trace of one sheet in a JSON Lines record.
fn sheet_trace_json(trace: &Trace<'_>) -> serde_json::Value {
    let lines: Vec<serde_json::Value> = trace
        .lines()
        .map(|l| {
            serde_json::json!({"criterion": l.criterion.id(), "answer": l.answer_text(0),
                "points": l.mean.to_decimal().normalize().to_string(), "reason_zero": l.reason_zero(0)})
        })
        .collect();
    serde_json::Value::Array(lines)
}

/// One CSV output row: `id,total,A,B,C,band_stars,stars,limited_by,disqualified[,trace]`.
fn csv_row(out: &mut Vec<u8>, id: &str, row: &RowResult<'_, '_>, advice: Option<&str>, scratch: &mut String) {
    use std::fmt::Write as _;
    let (outcome, council, trace) = match row {
        RowResult::Sheet { outcome, trace } => (*outcome, outcome.total_mean().count() != 1, *trace),
        RowResult::Council { scored, trace } => (scored.outcome(), true, *trace),
    };
    csv_field(out, id.as_bytes());
    out.push(b',');
    if council {
        scratch.clear();
        let _ = write!(scratch, "{}", outcome.total());
        for (_, mean) in outcome.parts() {
            let _ = write!(scratch, ",{}", mean.to_decimal().normalize());
        }
        out.extend_from_slice(scratch.as_bytes());
    } else {
        // One sheet: every mean is over one sheet, printed exactly (`Mean`'s Display).
        outcome.total_sum().write_ascii(out);
        for (_, mean) in outcome.parts() {
            out.push(b',');
            mean.sum().write_ascii(out);
        }
    }
    out.push(b',');
    crate::points::write_u64(out, u64::from(outcome.band_stars()));
    out.push(b',');
    if let Some(stars) = outcome.stars() {
        crate::points::write_u64(out, u64::from(stars));
    }
    out.push(b',');
    scratch.clear();
    let mut previous = "";
    for l in outcome.limited_by() {
        let id = l.criterion.id();
        if id != previous {
            if !previous.is_empty() {
                scratch.push(' ');
            }
            scratch.push_str(id);
            previous = id;
        }
    }
    csv_field(out, scratch.as_bytes());
    out.push(b',');
    csv_field(out, outcome.disqualified().map_or("", |k| k.id()).as_bytes());
    if let Some(trace) = trace {
        scratch.clear();
        let members = trace.members().len();
        for (i, l) in trace.lines().enumerate() {
            if i > 0 {
                scratch.push(';');
            }
            let _ = write!(scratch, "{}=", l.criterion.id());
            for m in 0..members {
                if m > 0 {
                    scratch.push('/');
                }
                scratch.push_str(&l.answer_text(m));
            }
            if members > 1 {
                let _ = write!(scratch, ":{}", l.mean.to_decimal().normalize());
            } else {
                let _ = write!(scratch, ":{}", l.mean);
            }
        }
        out.push(b',');
        csv_field(out, scratch.as_bytes());
    }
    if let Some(advice) = advice {
        out.push(b',');
        csv_field(out, advice.as_bytes());
    }
    out.push(b'\n');
}

/// Appends one CSV cell as the `csv` crate's writer does by default: in quotes, with its quotes
/// doubled, when it holds a comma, a quote or a line break (`\r` or `\n`); as it is otherwise.
fn csv_field(out: &mut Vec<u8>, field: &[u8]) {
    if !field.iter().any(|&b| matches!(b, b',' | b'"' | b'\r' | b'\n')) {
        out.extend_from_slice(field);
        return;
    }
    out.push(b'"');
    for &b in field {
        if b == b'"' {
            out.push(b'"');
        }
        out.push(b);
    }
    out.push(b'"');
}

/// The plan to the next class, in one line ([`crate::advise::summary`]), or why there is none.
fn advice_of(sheets: &[Sheet<'_>], on: Option<Date>) -> String {
    let Some(form) = sheets.first().map(Sheet::form) else { return String::new() };
    // The row shows the plan only: alternatives would triple the cost (docs/advise.md, Speed).
    let options = crate::advise::AdviseOptions {
        lodged_on: on,
        award_date: on,
        alternatives: 0,
        ..crate::advise::AdviseOptions::default()
    };
    match crate::advise::summary_of(form, sheets, &options) {
        Ok(line) => line,
        Err(e) => format!("no advice: {}", diagnostics_message(e.diagnostics())),
    }
}

/// Prints one good row and records where it ends.
fn print_row(
    p: &mut Printer<'_>,
    r: &mut Rendered,
    index: usize,
    id: &str,
    row: &RowResult<'_, '_>,
    advice: Option<&str>,
    scratch: &mut String,
) {
    match p.row(id, row, advice, scratch).and_then(|()| p.len()) {
        Ok(end) => {
            r.ends.push((index, end));
            if !r.want_facts {
                return;
            }
            let fact = match row {
                RowResult::Sheet { outcome, .. } => crate::round::RowFact::new(id, outcome, None),
                RowResult::Council { scored, .. } => {
                    crate::round::RowFact::new(id, scored.outcome(), Some(&scored.council()))
                }
            };
            r.facts.push((index, fact));
        }
        Err(e) => r.failed = Some(e),
    }
}

/// Writes a chunk's rows in input order and reports its bad rows; with `strict`, only the rows
/// before the first bad one, and then stops. Returns whether the run stops.
fn write_chunk(
    out: &mut dyn Write,
    events: &mut dyn Events,
    summary: &mut Summary,
    opts: &Options,
    rendered: Vec<Rendered>,
    row_of: impl Fn(usize) -> (u64, String),
) -> Result<bool, Error> {
    let mut bad: Vec<(usize, String)> = Vec::new();
    for r in &rendered {
        if let Some(e) = &r.failed {
            return Err(Error::Write(std::io::Error::other(e.clone())));
        }
        bad.extend(r.bad.iter().cloned());
    }
    bad.sort_by_key(|b| b.0);
    let first_bad = if opts.strict { bad.first().map(|b| b.0) } else { None };
    for r in &rendered {
        let (count, end) = match first_bad {
            None => (r.ends.len(), r.bytes.len()),
            Some(first) => {
                let before = r.ends.iter().take_while(|(i, _)| *i < first).count();
                let end = match before.checked_sub(1) {
                    Some(last) => r.ends.get(last).map_or(0, |e| e.1),
                    None => 0,
                };
                (before, end)
            }
        };
        out.write_all(r.bytes.get(..end).unwrap_or_default()).map_err(Error::Write)?;
        summary.scored += count as u64;
        for (index, fact) in r.facts.iter().take(count) {
            events.scored(row_of(*index).0, fact);
        }
    }
    for (index, message) in &bad {
        let (row, hint) = row_of(*index);
        report(events, row, message, &hint)?;
        summary.rejected += 1;
        if opts.strict {
            summary.stopped = true;
            return Ok(true);
        }
    }
    Ok(false)
}

/// Reports a bad row: the message escaped for a terminal and cut at [`MAX_MESSAGE`] bytes.
fn report(events: &mut dyn Events, row: u64, message: &str, hint: &str) -> Result<(), Error> {
    let mut text = escape(message).into_owned();
    text.push_str(hint);
    if text.len() > MAX_MESSAGE {
        let mut cut = MAX_MESSAGE;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push_str(" … (message cut)");
    }
    events.bad_row(row, &text).map_err(Error::Report)
}

/// The diagnostics of a failed assessment on one line: `a | expected: b | …` (escaped).
fn diagnostics_message(diagnostics: &[Diagnostic]) -> String {
    render_all(&escape_diagnostics(diagnostics))
        .lines()
        .take(6)
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" | ")
}

// ---------------------------------------------------------------------------------------------
// Input: a buffered source that counts what it consumed.

struct Source<R> {
    input: R,
    /// The input's name in messages (escaped).
    name: String,
    buf: Vec<u8>,
    pos: usize,
    len: usize,
    eof: bool,
    consumed: u64,
}

impl<R: Read> Source<R> {
    fn new(input: R, name: &str) -> Source<R> {
        Source {
            input,
            name: escape(name).into_owned(),
            buf: Vec::new(),
            pos: 0,
            len: 0,
            eof: false,
            consumed: 0,
        }
    }

    /// Makes bytes available; false at the end of the input.
    fn fill(&mut self) -> Result<bool, Error> {
        if self.pos < self.len {
            return Ok(true);
        }
        if self.eof {
            return Ok(false);
        }
        if self.buf.len() < READ_BUFFER {
            self.buf.resize(READ_BUFFER, 0);
        }
        loop {
            match self.input.read(&mut self.buf) {
                Ok(0) => {
                    self.eof = true;
                    (self.pos, self.len) = (0, 0);
                    return Ok(false);
                }
                Ok(n) => {
                    (self.pos, self.len) = (0, n.min(self.buf.len()));
                    self.consumed += n as u64;
                    return Ok(true);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(source) => return Err(Error::Read { name: self.name.clone(), source }),
            }
        }
    }

    /// The bytes available (after [`Source::fill`]).
    fn available(&self) -> &[u8] {
        self.buf.get(self.pos..self.len).unwrap_or_default()
    }

    /// Reads `bytes` next, once the input is at its end (to read part of it again).
    fn replay(&mut self, bytes: &mut Vec<u8>) {
        std::mem::swap(&mut self.buf, bytes);
        (self.pos, self.len) = (0, self.buf.len());
    }
}

// ---------------------------------------------------------------------------------------------
// CSV: a record scanner with caps, the plans that map columns to forms, and the run.

/// How far into a CSV field the scanner is (the states of RFC 4180 as the `csv` crate reads
/// them: a quote opens a quoted field only at the start of a field, `""` inside one is a quote,
/// and text after a closing quote is kept).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Field {
    Start,
    Unquoted,
    Quoted,
    /// A quote inside a quoted field: the end of the field, or the first of `""`.
    QuoteInQuoted,
}

/// One record as read: where its cells are in the chunk, and what went wrong reading it.
struct Record {
    number: u64,
    first_line: u64,
    last_line: u64,
    /// The data offset of the first cell.
    start: usize,
    /// The cells' ends, as a range of the chunk's `ends` (empty for a plain line).
    cells: Range<usize>,
    /// A plain line ([`Scanner::next_plain`]): its bytes are `start..end` of the chunk's data,
    /// cells not yet split (the scoring tasks split them, in parallel).
    plain_end: Option<usize>,
    problem: Option<String>,
}

/// Reads CSV records into a chunk's buffers, each record capped in bytes.
struct Scanner<R> {
    src: Source<R>,
    st: ScanState,
}

/// The scanner's state besides its input.
struct ScanState {
    /// The line of the next byte (1-based).
    line: u64,
    /// Records read (the header is row 1).
    row: u64,
    /// The lines after the first line break of a quoted field, kept (up to the record cap) so
    /// that an unterminated quote can be read again as rows.
    capture: Vec<u8>,
    field_bytes: usize,
    record_bytes: usize,
    skip_bytes: u64,
    /// End a record as soon as it is over a cap (the header, which cannot be skipped).
    stop_at_cap: bool,
}

/// The state of the record being read.
struct Progress {
    field: Field,
    /// Bytes of input consumed by the record.
    raw: u64,
    start: usize,
    first_end: usize,
    field_start: usize,
    column: usize,
    storing: bool,
    problem: Option<String>,
    quote_line: u64,
    capturing: bool,
    capture_over: bool,
    capture_line: u64,
}

impl<R: Read> Scanner<R> {
    fn new(src: Source<R>, limits: &Limits) -> Scanner<R> {
        Scanner {
            src,
            st: ScanState {
                line: 1,
                row: 0,
                capture: Vec::new(),
                field_bytes: limits.field_bytes,
                record_bytes: limits.record_bytes,
                skip_bytes: limits.skip_bytes,
                stop_at_cap: false,
            },
        }
    }

    /// Reads the next record: its cells appended to `data` (bytes) and `ends` (each cell's end
    /// in `data`). Blank lines are skipped. None at the end of the input.
    fn next_record(&mut self, data: &mut Vec<u8>, ends: &mut Vec<usize>) -> Result<Option<Record>, Error> {
        loop {
            if !self.src.fill()? {
                return Ok(None);
            }
            match self.src.available().first() {
                Some(b'\n') => self.st.line += 1,
                Some(b'\r') => {}
                _ => break,
            }
            self.src.pos += 1;
        }
        self.st.row += 1;
        let number = self.st.row;
        let first_line = self.st.line;
        let mut p = Progress {
            field: Field::Start,
            raw: 0,
            start: data.len(),
            first_end: ends.len(),
            field_start: data.len(),
            column: 0,
            storing: true,
            problem: None,
            quote_line: 0,
            capturing: false,
            capture_over: false,
            capture_line: 0,
        };
        self.st.capture.clear();
        let mut last_line = None;
        while last_line.is_none() {
            if !self.src.fill()? {
                break;
            }
            let (used, ended) = self.st.scan(self.src.available(), &mut p, data, ends);
            self.src.pos += used;
            if p.raw > self.st.skip_bytes {
                return Err(Error::Limit(format!(
                    "{}: row {number} (line {first_line}) runs on for more than {} bytes without ending \
                     (bulk::Limits::skip_bytes): the input has no CSV rows to read",
                    self.src.name, self.st.skip_bytes
                )));
            }
            last_line = ended;
        }
        let last_line = match last_line {
            Some(line) => line,
            None => {
                self.end_at_eof(&mut p, number, data, ends);
                self.st.line
            }
        };
        Ok(Some(Record {
            number,
            first_line,
            last_line,
            start: p.start,
            cells: p.first_end..ends.len(),
            plain_end: None,
            problem: p.problem,
        }))
    }

    /// Takes the next record straight from the read buffer when it is a plain line: whole in
    /// the buffer, ended by `\n` or `\r\n`, with no quote and no other `\r`, and no longer
    /// than either cap (so no cell can be over its cap). Its bytes are copied as they are;
    /// the scoring tasks split the cells. Anything else (a quote, a blank line, a line the
    /// buffer does not hold whole, the end of the input) is left to [`Scanner::next_record`],
    /// which reads it exactly as before: this path only saves the work of splitting here.
    #[inline]
    fn next_plain(&mut self, data: &mut Vec<u8>) -> Option<Record> {
        let available = self.src.available();
        let max = self.st.record_bytes.min(self.st.field_bytes);
        let window = available.get(..available.len().min(max.saturating_add(2))).unwrap_or_default();
        let newline = memchr::memchr(b'\n', window)?;
        let line = window.get(..newline)?;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() || line.len() > max || memchr::memchr2(b'"', b'\r', line).is_some() {
            return None;
        }
        self.st.row += 1;
        let start = data.len();
        data.extend_from_slice(line);
        let record = Record {
            number: self.st.row,
            first_line: self.st.line,
            last_line: self.st.line,
            start,
            cells: 0..0,
            plain_end: Some(data.len()),
            problem: None,
        };
        self.st.line += 1;
        self.src.pos += newline + 1;
        Some(record)
    }

    /// Ends the record at the end of the input. An unterminated quoted field makes the record
    /// bad; the lines after the one where it opened are then read again as rows, when they were
    /// kept.
    fn end_at_eof(&mut self, p: &mut Progress, number: u64, data: &[u8], ends: &mut Vec<usize>) {
        end_field(p, data, ends);
        if p.field != Field::Quoted {
            return;
        }
        let mut message = format!(
            "unterminated quoted field starting at row {number} (line {}): the row is skipped",
            p.quote_line
        );
        if p.capturing && !p.capture_over && !self.st.capture.is_empty() {
            message.push_str(&format!("; the lines after line {} are read again as rows", p.quote_line));
            self.src.replay(&mut self.st.capture);
            self.st.line = p.capture_line;
        } else if p.capture_over {
            message.push_str(&format!(
                "; it runs to the end of the input, and the lines after line {} (more than {} bytes) \
                 could not be read again as rows",
                p.quote_line, self.st.record_bytes
            ));
        }
        p.problem = Some(message);
    }
}

impl ScanState {
    /// Scans the available bytes; returns how many were used, and the record's last line when
    /// it ended.
    fn scan(
        &mut self,
        bytes: &[u8],
        p: &mut Progress,
        data: &mut Vec<u8>,
        ends: &mut Vec<usize>,
    ) -> (usize, Option<u64>) {
        let mut i = 0;
        while let Some(rest) = bytes.get(i..).filter(|r| !r.is_empty()) {
            // Fast paths: unquoted cells, and runs of text in a quoted cell.
            if matches!(p.field, Field::Start | Field::Unquoted) && !p.capturing {
                let (used, ended) = self.scan_plain(rest, p, data, ends);
                i += used;
                if ended.is_some() {
                    return (i, ended);
                }
                if used > 0 {
                    continue;
                }
            }
            let run = match p.field {
                Field::Quoted => rest.iter().position(|&b| matches!(b, b'"' | b'\n')).unwrap_or(rest.len()),
                _ => 0,
            };
            if run > 0 {
                let text = rest.get(..run).unwrap_or_default();
                self.take_run(p, data, ends, text);
                if p.field == Field::Start {
                    p.field = Field::Unquoted;
                }
                i += run;
                if !p.storing && self.stop_at_cap {
                    return (i, Some(self.line));
                }
                continue;
            }
            let Some(&b) = rest.first() else { break };
            i += 1;
            p.raw += 1;
            if p.capturing {
                self.keep(p, &[b]);
            }
            let line = self.line;
            if b == b'\n' {
                self.line += 1;
            }
            let ends_record = p.field != Field::Quoted && (b == b'\r' || b == b'\n');
            if !ends_record {
                self.check_record(p, data, ends);
            }
            if !p.storing && self.stop_at_cap {
                // The header: over its cap, it is an error at once; nothing to read through.
                return (i, Some(line));
            }
            match (p.field, b) {
                (Field::Start, b'"') => {
                    p.field = Field::Quoted;
                    p.quote_line = line;
                    p.capturing = false;
                    p.capture_over = false;
                    self.capture.clear();
                }
                (Field::Start | Field::Unquoted | Field::QuoteInQuoted, b',') => {
                    end_field(p, data, ends);
                    p.field = Field::Start;
                    p.capturing = false;
                }
                (Field::Start | Field::Unquoted | Field::QuoteInQuoted, b'\r' | b'\n') => {
                    end_field(p, data, ends);
                    return (i, Some(line));
                }
                (Field::Quoted, b'"') => p.field = Field::QuoteInQuoted,
                (Field::QuoteInQuoted, b'"') => {
                    push(p, data, ends, b"\"", self.field_bytes);
                    p.field = Field::Quoted;
                }
                (Field::Quoted, b'\n') => {
                    push(p, data, ends, &[b], self.field_bytes);
                    if !p.capturing && !p.capture_over {
                        p.capturing = true;
                        p.capture_line = self.line;
                    }
                }
                (Field::QuoteInQuoted, _) => {
                    push(p, data, ends, &[b], self.field_bytes);
                    p.field = Field::Unquoted;
                    p.capturing = false;
                }
                (Field::Start | Field::Unquoted | Field::Quoted, _) => {
                    push(p, data, ends, &[b], self.field_bytes);
                    if p.field == Field::Start {
                        p.field = Field::Unquoted;
                    }
                }
            }
        }
        (bytes.len(), None)
    }

    /// Scans unquoted cells: up to a quote that opens a cell, the end of the record, or the end
    /// of `rest`. Returns the bytes used, and the record's last line when it ended.
    fn scan_plain(
        &mut self,
        rest: &[u8],
        p: &mut Progress,
        data: &mut Vec<u8>,
        ends: &mut Vec<usize>,
    ) -> (usize, Option<u64>) {
        let mut at_start = p.field == Field::Start;
        let mut cell = 0;
        for (j, &b) in rest.iter().enumerate() {
            match b {
                b',' => {
                    self.plain_text(p, data, ends, rest.get(cell..j).unwrap_or_default(), j as u64 + 1);
                    end_field(p, data, ends);
                    (cell, at_start) = (j + 1, true);
                }
                b'\r' | b'\n' => {
                    self.plain_text(p, data, ends, rest.get(cell..j).unwrap_or_default(), j as u64);
                    end_field(p, data, ends);
                    p.raw += j as u64 + 1;
                    let line = self.line;
                    if b == b'\n' {
                        self.line += 1;
                    }
                    return (j + 1, Some(line));
                }
                b'"' if at_start => {
                    p.raw += j as u64;
                    p.field = Field::Start;
                    return (j, None);
                }
                _ => at_start = false,
            }
            if !p.storing && self.stop_at_cap {
                p.raw += j as u64 + 1;
                return (j + 1, Some(self.line));
            }
        }
        let used = rest.len() as u64;
        self.plain_text(p, data, ends, rest.get(cell..).unwrap_or_default(), used);
        p.raw += used;
        p.field = if at_start { Field::Start } else { Field::Unquoted };
        if !p.storing && self.stop_at_cap {
            return (rest.len(), Some(self.line));
        }
        (rest.len(), None)
    }

    /// Adds unquoted text to the current cell; `consumed` bytes of the record have then been
    /// read past what `p.raw` counts, for the record cap.
    #[inline]
    fn plain_text(
        &self,
        p: &mut Progress,
        data: &mut Vec<u8>,
        ends: &mut Vec<usize>,
        text: &[u8],
        consumed: u64,
    ) {
        if p.storing && p.raw + consumed > self.record_bytes as u64 {
            let limit = self.record_bytes;
            stop_storing(
                p,
                data,
                ends,
                format!("the row is longer than {limit} bytes (bulk::Limits::record_bytes)"),
            );
        }
        if !text.is_empty() {
            push(p, data, ends, text, self.field_bytes);
        }
    }

    /// Takes a run of plain text (no delimiter, quote or line break): kept for the lines to
    /// read again, added to the cell, and checked against the caps.
    fn take_run(&mut self, p: &mut Progress, data: &mut Vec<u8>, ends: &mut Vec<usize>, text: &[u8]) {
        p.raw += text.len() as u64;
        if p.capturing {
            self.keep(p, text);
        }
        self.check_record(p, data, ends);
        push(p, data, ends, text, self.field_bytes);
    }

    /// Keeps bytes of a multi-line quoted cell, up to the record cap.
    fn keep(&mut self, p: &mut Progress, bytes: &[u8]) {
        if self.capture.len() + bytes.len() <= self.record_bytes {
            self.capture.extend_from_slice(bytes);
        } else {
            p.capture_over = true;
        }
    }

    /// Stops keeping a record that is over the record cap.
    fn check_record(&self, p: &mut Progress, data: &mut Vec<u8>, ends: &mut Vec<usize>) {
        if p.storing && p.raw > self.record_bytes as u64 {
            let limit = self.record_bytes;
            stop_storing(
                p,
                data,
                ends,
                format!("the row is longer than {limit} bytes (bulk::Limits::record_bytes)"),
            );
        }
    }
}

/// Adds bytes to the current cell, unless the record is no longer kept.
#[inline]
fn push(p: &mut Progress, data: &mut Vec<u8>, ends: &mut Vec<usize>, bytes: &[u8], field_bytes: usize) {
    if !p.storing {
        return;
    }
    match bytes {
        [b] => data.push(*b),
        _ => data.extend_from_slice(bytes),
    }
    if data.len() - p.field_start > field_bytes {
        let column = p.column + 1;
        stop_storing(
            p,
            data,
            ends,
            format!("cell {column} is longer than {field_bytes} bytes (bulk::Limits::field_bytes)"),
        );
    }
}

#[inline]
fn end_field(p: &mut Progress, data: &[u8], ends: &mut Vec<usize>) {
    if p.storing {
        ends.push(data.len());
        p.field_start = data.len();
    }
    p.column += 1;
}

/// Drops what the record kept: it is a bad row, read through to its end.
fn stop_storing(p: &mut Progress, data: &mut Vec<u8>, ends: &mut Vec<usize>, problem: String) {
    data.truncate(p.start);
    ends.truncate(p.first_end);
    p.storing = false;
    p.problem = Some(problem);
}

/// The `i`-th cell of a record, without splitting the rest of a plain line.
fn cell_of<'a>(data: &'a [u8], all_ends: &'a [usize], record: &Record, i: usize) -> &'a [u8] {
    let Some(end) = record.plain_end else {
        return Cells::of(data, all_ends, record).get(i);
    };
    let line = data.get(record.start..end).unwrap_or_default();
    let mut commas = memchr::memchr_iter(b',', line);
    let from = match i.checked_sub(1) {
        Some(before) => match commas.nth(before) {
            Some(comma) => comma + 1,
            None => return &[],
        },
        None => 0,
    };
    let to = commas.next().unwrap_or(line.len());
    line.get(from..to).unwrap_or_default()
}

/// A record's cells.
#[derive(Clone, Copy)]
struct Cells<'a> {
    data: &'a [u8],
    ends: &'a [usize],
    start: usize,
}

impl<'a> Cells<'a> {
    /// The cells of a record the scanner split (not a plain line: see [`cell_of`]).
    fn of(data: &'a [u8], all_ends: &'a [usize], record: &Record) -> Cells<'a> {
        Cells { data, ends: all_ends.get(record.cells.clone()).unwrap_or_default(), start: record.start }
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    fn get(&self, i: usize) -> &'a [u8] {
        let from = match i.checked_sub(1) {
            Some(p) => self.ends.get(p).copied().unwrap_or(self.start),
            None => self.start,
        };
        let to = self.ends.get(i).copied().unwrap_or(from);
        self.data.get(from..to).unwrap_or_default()
    }

    fn iter(self) -> impl Iterator<Item = &'a [u8]> {
        (0..self.len()).map(move |i| self.get(i))
    }
}

/// A chunk of CSV records on its way from the reader thread to the scorers; its buffers are
/// reused, and hold at most `chunk_bytes` plus one record.
#[derive(Default)]
struct Chunk {
    data: Vec<u8>,
    ends: Vec<usize>,
    records: Vec<Record>,
    /// The input bytes consumed after the chunk, for the progress display.
    position: u64,
}

impl Chunk {
    fn size(&self) -> usize {
        self.data.len() + self.ends.len() * std::mem::size_of::<usize>()
    }
}

/// How the criterion columns of the header map to one form's leaves.
struct Plan<'c> {
    form: &'c Form,
    /// For each criterion column: the form's leaf, or None when the form lacks it.
    columns: Vec<Option<usize>>,
    /// For each criterion column, for the common cells: its leaf, and the bits of its one-letter
    /// keys, `yes` and `no` (as [`Sheet::set_leaf_key`] reads them); `NO_LEAF` for a column the
    /// form lacks and for `lodged_on`.
    keys: Vec<ColumnKeys>,
    /// Leaves with no column at all (every row of this form lacks them).
    uncovered: Vec<&'c str>,
    /// Why the CSV output cannot show this form's parts, if it cannot.
    csv_problem: Option<String>,
}

/// A row's form plan and lodging date, or why it has none.
enum Resolved {
    Plan(usize, Option<Date>),
    Bad(String),
}

/// The plans of the forms met so far (one per form: bounded by the catalog), and a bounded
/// memory of which (decision, set, lodged_on) cells resolve to which.
struct Plans<'c> {
    catalog: &'c Catalog,
    criteria: Vec<String>,
    /// The column (among `criteria`) named `lodged_on`, if the header has one.
    date_column: Option<usize>,
    csv_out: bool,
    plans: Vec<Plan<'c>>,
    by_form: HashMap<usize, usize>,
    keys: HashMap<Vec<u8>, (usize, Option<Date>), std::hash::BuildHasherDefault<Fnv>>,
    max_keys: usize,
    key: Vec<u8>,
}

impl<'c> Plans<'c> {
    /// The plan of a row's (decision, set, lodged_on) cells.
    fn resolve(&mut self, decision: &[u8], set: &[u8], lodged_on: &[u8]) -> Resolved {
        self.key.clear();
        for cell in [decision, set, lodged_on] {
            self.key.extend_from_slice(&(cell.len() as u64).to_le_bytes());
            self.key.extend_from_slice(cell);
        }
        if let Some(&(plan, on)) = self.keys.get(self.key.as_slice()) {
            return Resolved::Plan(plan, on);
        }
        match self.resolve_new(decision, set, lodged_on) {
            Ok((plan, on)) => {
                if self.key.len() <= MAX_KEY {
                    if self.keys.len() >= self.max_keys {
                        self.keys.clear();
                    }
                    self.keys.insert(self.key.clone(), (plan, on));
                }
                Resolved::Plan(plan, on)
            }
            Err(message) => Resolved::Bad(message),
        }
    }

    fn resolve_new(
        &mut self,
        decision: &[u8],
        set: &[u8],
        lodged_on: &[u8],
    ) -> Result<(usize, Option<Date>), String> {
        fn text<'t>(cell: &'t [u8], column: &str) -> Result<&'t str, String> {
            std::str::from_utf8(cell).map(str::trim).map_err(|_| format!("column {column}: not UTF-8"))
        }
        let (decision, set, lodged_on) =
            (text(decision, "decision")?, text(set, "set")?, text(lodged_on, "lodged_on")?);
        let on = match lodged_on {
            "" => None,
            text => Some(
                text.parse::<Date>()
                    .map_err(|e| format!("column lodged_on: `{text}` is not a date (YYYY-MM-DD): {e}"))?,
            ),
        };
        let form = self.catalog.form(decision, set, on).map_err(|e| {
            e.diagnostics()
                .first()
                .map(|d| match &d.expected {
                    Some(x) => format!("{} (expected {x})", d.message),
                    None => d.message.clone(),
                })
                .unwrap_or_default()
        })?;
        // Ruling 12, as for a single assessment: the decision named must be the one in force on
        // the lodging date (the transition is judged without an evaluation date here).
        if let Some(on) = on {
            match self.catalog.decision_on(on, None, false) {
                Ok(by_date) if by_date.key() != form.decision().key() => {
                    return Err(format!(
                        "decision {} does not apply to a dossier lodged on {on}: decision {} is in force from {} (expected decision {})",
                        form.decision().key(),
                        by_date.key(),
                        by_date.in_force_from(),
                        by_date.key()
                    ));
                }
                Err(d) => return Err(d.message),
                Ok(_) => {}
            }
        }
        Ok((self.plan_of(form), on))
    }

    /// The plan of `form`, made the first time the form is met.
    fn plan_of(&mut self, form: &'c Form) -> usize {
        let address = std::ptr::from_ref(form) as usize;
        if let Some(&i) = self.by_form.get(&address) {
            return i;
        }
        let columns: Vec<Option<usize>> =
            self.criteria
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
        let keys = columns
            .iter()
            .map(|leaf| leaf.and_then(|l| ColumnKeys::of(form, l)).unwrap_or_default())
            .collect();
        let csv_problem = if self.csv_out { csv_parts_problem(form) } else { None };
        self.plans.push(Plan { form, columns, keys, uncovered, csv_problem });
        self.by_form.insert(address, self.plans.len() - 1);
        self.plans.len() - 1
    }
}

/// FNV-1a, for the plan cache's short keys: looked up once a row, where SipHash's defence
/// against chosen collisions costs more than the lookup (the cache is bounded and emptied when
/// full, so colliding keys can slow a run down but not grow its memory).
#[derive(Default)]
struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

/// Reads and checks the CSV header: `id,decision,set,<criterion ids…>`, each name once.
fn read_header<R: Read>(scanner: &mut Scanner<R>, opts: &Options) -> Result<Vec<String>, Error> {
    let name = escape(&opts.name).into_owned();
    let (mut data, mut ends) = (Vec::new(), Vec::new());
    scanner.st.stop_at_cap = true;
    let record = scanner.next_record(&mut data, &mut ends)?;
    scanner.st.stop_at_cap = false;
    let Some(record) = record else {
        return Err(Error::Header(format!(
            "{name}: the input is empty\n  expected: a header id,decision,set,<criterion ids…>"
        )));
    };
    if let Some(problem) = &record.problem {
        return Err(Error::Header(format!("{name}: the header: {}", escape(problem))));
    }
    let cells = Cells::of(&data, &ends, &record);
    if cells.len() > opts.limits.columns {
        return Err(Error::Header(format!(
            "{name}: the header has {} columns, more than the limit of {} (bulk::Limits::columns)",
            cells.len(),
            opts.limits.columns
        )));
    }
    let mut names = Vec::with_capacity(cells.len());
    for (i, cell) in cells.iter().enumerate() {
        let cell = if i == 0 { cell.strip_prefix(b"\xef\xbb\xbf").unwrap_or(cell) } else { cell };
        match std::str::from_utf8(cell) {
            Ok(text) => names.push(text.trim().to_string()),
            Err(_) => {
                return Err(Error::Header(format!("{name}: the header: column {} is not UTF-8", i + 1)));
            }
        }
    }
    if names.len() < 3
        || names.first().map(String::as_str) != Some("id")
        || names.get(1).map(String::as_str) != Some("decision")
        || names.get(2).map(String::as_str) != Some("set")
    {
        return Err(Error::Header(format!(
            "{name}: the header starts `{}`\n  expected: id,decision,set,<criterion ids…>",
            escape(&names.iter().take(3).cloned().collect::<Vec<_>>().join(","))
        )));
    }
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, column) in names.iter().enumerate() {
        if column.is_empty() {
            continue; // an unnamed column (a trailing comma): its cells must stay empty
        }
        if let Some(first) = seen.insert(column.as_str(), i) {
            return Err(Error::Header(format!(
                "{name}: the header names `{}` twice (columns {} and {}): which one holds the answer \
                 would be a guess",
                escape(column),
                first + 1,
                i + 1
            )));
        }
    }
    Ok(names)
}

fn run_csv<R: Read + Send>(
    catalog: &Catalog,
    input: R,
    out: &mut dyn Write,
    opts: &Options,
    events: &mut dyn Events,
) -> Result<Summary, Error> {
    let limits = &opts.limits;
    let mut scanner = Scanner::new(Source::new(input, &opts.name), limits);
    let names = read_header(&mut scanner, opts)?;
    let criteria: Vec<String> = names.get(3..).unwrap_or_default().to_vec();
    write_header(out, opts)?;
    let date_column = criteria.iter().position(|c| c == "lodged_on");
    let mut plans = Plans {
        catalog,
        criteria: criteria.clone(),
        date_column,
        csv_out: opts.format == OutFormat::Csv,
        plans: Vec::new(),
        by_form: HashMap::new(),
        keys: HashMap::default(),
        max_keys: limits.plan_keys.max(1),
        key: Vec::new(),
    };
    let mut summary = Summary::default();
    let want_facts = events.wants_row_facts();
    // A reader thread parses chunk n+1 while chunk n is scored. Three chunks circulate: their
    // buffers come back to the reader for reuse, so memory stays at three chunks' caps.
    std::thread::scope(|scope| -> Result<(), Error> {
        let (full_tx, full_rx) = std::sync::mpsc::sync_channel::<Result<Chunk, Error>>(1);
        let (empty_tx, empty_rx) = std::sync::mpsc::channel::<Chunk>();
        for _ in 0..3 {
            let _ = empty_tx.send(Chunk::default());
        }
        let (chunk_rows, chunk_bytes) = (limits.chunk_rows.max(1), limits.chunk_bytes);
        scope.spawn(move || read_chunks(scanner, full_tx, empty_rx, chunk_rows, chunk_bytes));
        let mut resolved: Vec<Resolved> = Vec::new();
        for chunk in full_rx {
            let chunk = chunk?;
            resolve_chunk(&mut plans, &chunk, &mut resolved);
            let context = RowContext {
                plans: &plans.plans,
                criteria: &plans.criteria,
                date_column: plans.date_column,
                opts,
                want_facts,
            };
            let rendered = score_chunk(&chunk, &resolved, &context);
            let row_of = |i: usize| match chunk.records.get(i) {
                Some(r) if r.last_line > r.first_line => (
                    r.number,
                    format!(
                        " (the row spans lines {}–{}: a quoted cell holds a line break)",
                        r.first_line, r.last_line
                    ),
                ),
                Some(r) => (r.number, String::new()),
                None => (0, String::new()),
            };
            if write_chunk(out, events, &mut summary, opts, rendered, row_of)? {
                // Dropping the receiver stops the reader at its next chunk.
                return Ok(());
            }
            events.progress(summary.scored + summary.rejected, chunk.position);
            let _ = empty_tx.send(chunk);
        }
        Ok(())
    })?;
    Ok(summary)
}

/// The reader thread: fills recycled chunks until the input ends, fails, or the scorer hangs up.
fn read_chunks<R: Read>(
    mut scanner: Scanner<R>,
    full: std::sync::mpsc::SyncSender<Result<Chunk, Error>>,
    empty: std::sync::mpsc::Receiver<Chunk>,
    chunk_rows: usize,
    chunk_bytes: usize,
) {
    while let Ok(mut chunk) = empty.recv() {
        chunk.data.clear();
        chunk.ends.clear();
        chunk.records.clear();
        let mut failed = None;
        let mut done = false;
        while chunk.records.len() < chunk_rows && chunk.size() < chunk_bytes {
            if let Some(record) = scanner.next_plain(&mut chunk.data) {
                chunk.records.push(record);
                continue;
            }
            match scanner.next_record(&mut chunk.data, &mut chunk.ends) {
                Ok(Some(record)) => chunk.records.push(record),
                Ok(None) => {
                    done = true;
                    break;
                }
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        chunk.position = scanner.src.consumed;
        if !chunk.records.is_empty() && full.send(Ok(chunk)).is_err() {
            return;
        }
        if let Some(e) = failed {
            let _ = full.send(Err(e));
            return;
        }
        if done {
            return;
        }
    }
}

/// The previous row's (decision, set, lodged_on) cells and their resolution.
type Last<'a> = ([&'a [u8]; 3], usize, Option<Date>);

/// Resolves each row's form plan, in order, before the parallel part. Consecutive rows mostly
/// share their plan: a row with the previous row's cells reuses its resolution.
fn resolve_chunk(plans: &mut Plans<'_>, chunk: &Chunk, resolved: &mut Vec<Resolved>) {
    resolved.clear();
    let mut last: Option<Last<'_>> = None;
    for record in &chunk.records {
        if let Some(problem) = &record.problem {
            resolved.push(Resolved::Bad(problem.clone()));
            continue;
        }
        let cell = |i| cell_of(&chunk.data, &chunk.ends, record, i);
        let on = plans.date_column.map_or(&b""[..], |c| cell(c + 3));
        let key = [cell(1), cell(2), on];
        let r = match &last {
            Some((k, plan, on)) if *k == key => Resolved::Plan(*plan, *on),
            _ => plans.resolve(key[0], key[1], key[2]),
        };
        last = match &r {
            Resolved::Plan(plan, on) => Some((key, *plan, *on)),
            Resolved::Bad(_) => None,
        };
        resolved.push(r);
    }
}

/// Scores a chunk's rows on every core, each task into its own buffer.
fn score_chunk(chunk: &Chunk, resolved: &[Resolved], context: &RowContext<'_, '_>) -> Vec<Rendered> {
    chunk
        .records
        .par_chunks(TASK)
        .enumerate()
        .map_init(Vec::<Option<Sheet<'_>>>::new, |sheets, (task, records)| {
            let mut r = Rendered { want_facts: context.want_facts, ..Rendered::default() };
            let mut bytes = Vec::with_capacity(records.len() * 48);
            let mut scratch = String::new();
            {
                let mut printer = Printer::new(context.opts.format, &mut bytes);
                for (i, record) in records.iter().enumerate() {
                    let index = task * TASK + i;
                    let row = match resolved.get(index) {
                        Some(res) => context.fill(chunk, record, res, sheets),
                        None => Err("no form".to_string()),
                    };
                    let row = row.and_then(|(id, sheet, on)| {
                        let advice = context.opts.advise.then(|| advice_of(std::slice::from_ref(sheet), on));
                        Ok((id, Scoring::of(sheet, on, context.opts.trace)?, advice))
                    });
                    match row {
                        Ok((id, scoring, advice)) => {
                            let row = scoring.row();
                            print_row(&mut printer, &mut r, index, id, &row, advice.as_deref(), &mut scratch);
                        }
                        Err(m) => r.bad.push((index, m)),
                    }
                }
            }
            r.bytes = bytes;
            r
        })
        .collect()
}

/// One sheet scored: the outcome, or the trace (which holds it) when asked for.
enum Scoring<'c> {
    Outcome(Outcome<'c>),
    Trace(Trace<'c>),
}

impl<'c> Scoring<'c> {
    fn of(sheet: &Sheet<'c>, on: Option<Date>, trace: bool) -> Result<Scoring<'c>, String> {
        let form = sheet.form();
        let sheets = std::slice::from_ref(sheet);
        let scoring = if trace {
            form.trace_on(sheets, &[], on).map(Scoring::Trace)
        } else {
            form.score_council_on(sheets, on).map(Scoring::Outcome)
        };
        scoring.map_err(|e| diagnostics_message(e.diagnostics()))
    }

    fn row(&self) -> RowResult<'_, 'c> {
        match self {
            Scoring::Outcome(outcome) => RowResult::Sheet { outcome, trace: None },
            Scoring::Trace(trace) => RowResult::Sheet { outcome: trace.outcome(), trace: Some(trace) },
        }
    }
}

/// What every row of a CSV run shares: the header's criterion columns and the form plans.
struct RowContext<'p, 'c> {
    plans: &'p [Plan<'c>],
    criteria: &'p [String],
    date_column: Option<usize>,
    opts: &'p Options,
    /// Whether the events want each row's round-report fact.
    want_facts: bool,
}

/// A filled sheet: the row's id, its sheet and its lodging date.
type Filled<'s, 'c, 'd> = (&'d str, &'s Sheet<'c>, Option<Date>);

impl<'c> RowContext<'_, 'c> {
    /// Fills the row's form's sheet (one per thread and form) from the record's cells.
    fn fill<'s, 'd>(
        &self,
        chunk: &'d Chunk,
        record: &Record,
        resolved: &Resolved,
        sheets: &'s mut Vec<Option<Sheet<'c>>>,
    ) -> Result<Filled<'s, 'c, 'd>, String> {
        match record.plain_end {
            // A plain line is split here, on the task's core, in one pass.
            Some(end) => {
                let line = chunk.data.get(record.start..end).unwrap_or_default();
                let count = line.iter().filter(|&&b| b == b',').count() + 1;
                let mut cells = line.split(|&b| b == b',');
                let id = cells.next().unwrap_or_default();
                self.fill_cells(id, count, cells.skip(2), resolved, sheets)
            }
            None => {
                let cells = Cells::of(&chunk.data, &chunk.ends, record);
                self.fill_cells(cells.get(0), cells.len(), cells.iter().skip(3), resolved, sheets)
            }
        }
    }

    /// Fills the sheet from the id, the number of cells and the criterion cells.
    fn fill_cells<'s, 'd>(
        &self,
        id: &'d [u8],
        count: usize,
        criterion_cells: impl Iterator<Item = &'d [u8]>,
        resolved: &Resolved,
        sheets: &'s mut Vec<Option<Sheet<'c>>>,
    ) -> Result<Filled<'s, 'c, 'd>, String> {
        let (key, on) = match resolved {
            Resolved::Plan(key, on) => (*key, *on),
            Resolved::Bad(message) => return Err(message.clone()),
        };
        let Some(plan) = self.plans.get(key) else { return Err("no form".into()) };
        if count != self.criteria.len() + 3 {
            return Err(format!(
                "{}, the header has {}",
                crate::diag::plural(count, "cell", "cells"),
                self.criteria.len() + 3
            ));
        }
        if self.opts.format == OutFormat::Csv
            && let Some(problem) = &plan.csv_problem
        {
            return Err(problem.clone());
        }
        let id = std::str::from_utf8(id).map_err(|_| "column id: not UTF-8".to_string())?;
        if sheets.len() <= key {
            sheets.resize_with(key + 1, || None);
        }
        let Some(slot) = sheets.get_mut(key) else { return Err("no sheet".into()) };
        let sheet = slot.get_or_insert_with(|| plan.form.sheet());
        sheet.clear();
        let mut problems = Problems::default();
        for (col, cell) in criterion_cells.enumerate() {
            // The common cells, a one-letter key, `none`, `yes` or `no` of a criterion of the
            // form, are set here; everything else (spaces, other keys, mistakes) takes the
            // general path, which reads it exactly as `Sheet::set_leaf_key` does.
            if cell.is_empty() {
                continue;
            }
            if let Some(keys) = plan.keys.get(col)
                && keys.leaf != NO_LEAF
                && let Some(bits) = keys.bits(cell)
            {
                sheet.set_leaf_bits(keys.leaf as usize, bits);
                continue;
            }
            if Some(col) != self.date_column {
                self.general_cell(plan, sheet, col, cell, &mut problems);
            }
        }
        if !plan.uncovered.is_empty() {
            problems.add(format!(
                "no column for {} {}",
                if plan.uncovered.len() == 1 { "criterion" } else { "criteria" },
                plan.uncovered.join(", ")
            ));
        }
        problems.result().map(|()| (id, &*sheet, on))
    }

    /// A cell the fast path left: trimmed, checked and set as `Sheet::set_leaf_key` reads it.
    #[cold]
    fn general_cell(
        &self,
        plan: &Plan<'c>,
        sheet: &mut Sheet<'c>,
        col: usize,
        cell: &[u8],
        problems: &mut Problems,
    ) {
        // Most cells of a mixed-set file are empty columns of other sets: skip them before
        // checking UTF-8.
        if cell.trim_ascii().is_empty() {
            return;
        }
        let column = self.criteria.get(col).map_or("?", String::as_str);
        let cell = match std::str::from_utf8(cell) {
            Ok(c) => c.trim(),
            Err(_) => return problems.add(format!("column {column}: not UTF-8")),
        };
        match plan.columns.get(col).copied().flatten() {
            Some(leaf) if !cell.is_empty() => {
                if let Err(e) = sheet.set_leaf_key(leaf, cell) {
                    problems.add(format!("column {column}: {e}"));
                }
            }
            None if !cell.is_empty() => problems.add(format!(
                "column {column}: set {} of {} has no such criterion; leave the cell empty",
                plan.form.set(),
                plan.form.decision().key()
            )),
            _ => {}
        }
    }
}

/// A bad row's problems: the first [`MAX_PROBLEMS`] listed, the rest counted.
#[derive(Default)]
struct Problems {
    listed: Vec<String>,
    more: usize,
}

impl Problems {
    fn add(&mut self, text: String) {
        if self.listed.len() < MAX_PROBLEMS {
            self.listed.push(text);
        } else {
            self.more += 1;
        }
    }

    fn result(mut self) -> Result<(), String> {
        if self.more > 0 {
            self.listed.push(format!("… and {} more", self.more));
        }
        if self.listed.is_empty() { Ok(()) } else { Err(self.listed.join("; ")) }
    }
}

// ---------------------------------------------------------------------------------------------
// JSON Lines: a line reader with a cap, and the run.

/// A line as read.
enum Line {
    /// Kept: its bytes in the chunk (without the line break).
    Kept(Range<usize>),
    /// Longer than the cap: read through, not kept; its length.
    TooLong(u64),
}

/// Reads the next line into `data` (up to `cap` bytes; a longer one is read through and not
/// kept). None at the end of the input.
fn next_line<R: Read>(
    src: &mut Source<R>,
    data: &mut Vec<u8>,
    limits: &Limits,
    number: u64,
) -> Result<Option<Line>, Error> {
    let start = data.len();
    let mut length = 0u64;
    let mut keep = true;
    let mut any = false;
    loop {
        if !src.fill()? {
            if !any {
                return Ok(None);
            }
            break;
        }
        any = true;
        let available = src.available();
        let newline = available.iter().position(|&b| b == b'\n');
        let part = available.get(..newline.unwrap_or(available.len())).unwrap_or_default();
        length += part.len() as u64;
        if keep {
            if data.len() - start + part.len() > limits.line_bytes {
                keep = false;
                data.truncate(start);
            } else {
                data.extend_from_slice(part);
            }
        }
        src.pos += newline.map_or(part.len(), |n| n + 1);
        if length > limits.skip_bytes {
            return Err(Error::Limit(format!(
                "{}: line {number} runs on for more than {} bytes without a line break \
                 (bulk::Limits::skip_bytes): the input is not JSON Lines",
                src.name, limits.skip_bytes
            )));
        }
        if newline.is_some() {
            break;
        }
    }
    if !keep {
        return Ok(Some(Line::TooLong(length)));
    }
    if data.len() > start && data.last() == Some(&b'\r') {
        data.pop();
    }
    Ok(Some(Line::Kept(start..data.len())))
}

/// A line of a JSON Lines chunk.
struct JsonLine {
    number: u64,
    bytes: Range<usize>,
    problem: Option<String>,
}

fn run_jsonl<R: Read>(
    catalog: &Catalog,
    input: R,
    out: &mut dyn Write,
    opts: &Options,
    events: &mut dyn Events,
) -> Result<Summary, Error> {
    let limits = &opts.limits;
    write_header(out, opts)?;
    let mut src = Source::new(input, &opts.name);
    let mut summary = Summary::default();
    let mut number = 0u64;
    let mut data = Vec::new();
    let mut lines: Vec<JsonLine> = Vec::new();
    let known = KnownForms::new(limits.plan_keys.max(1));
    loop {
        data.clear();
        lines.clear();
        let mut done = false;
        while lines.len() < limits.chunk_rows.max(1) && data.len() < limits.chunk_bytes.min(JSON_CHUNK) {
            let Some(line) = next_line(&mut src, &mut data, limits, number + 1)? else {
                done = true;
                break;
            };
            number += 1;
            match line {
                Line::Kept(range) => {
                    if data.get(range.clone()).unwrap_or_default().trim_ascii().is_empty() {
                        data.truncate(range.start);
                    } else {
                        lines.push(JsonLine { number, bytes: range, problem: None });
                    }
                }
                Line::TooLong(length) => lines.push(JsonLine {
                    number,
                    bytes: 0..0,
                    problem: Some(format!(
                        "the line is {length} bytes, longer than the limit of {} bytes \
                         (bulk::Limits::line_bytes): skipped without being read",
                        limits.line_bytes
                    )),
                }),
            }
        }
        if !lines.is_empty() {
            let rendered = score_lines(catalog, &data, &lines, opts, events.wants_row_facts(), &known);
            let row_of = |i: usize| (lines.get(i).map_or(0, |l| l.number), String::new());
            if write_chunk(out, events, &mut summary, opts, rendered, row_of)? {
                return Ok(summary);
            }
            events.progress(summary.scored + summary.rejected, src.consumed);
        }
        if done {
            return Ok(summary);
        }
    }
}

/// Scores a chunk of lines on every core, each task into its own buffer.
fn score_lines<'c>(
    catalog: &'c Catalog,
    data: &[u8],
    lines: &[JsonLine],
    opts: &Options,
    want_facts: bool,
    known: &KnownForms<'c>,
) -> Vec<Rendered> {
    lines
        .par_chunks(JSON_TASK)
        .enumerate()
        .map(|(task, lines)| {
            let mut r = Rendered { want_facts, ..Rendered::default() };
            let mut bytes = Vec::with_capacity(lines.len() * 64);
            let mut scratch = String::new();
            let mut key = Vec::new();
            {
                let mut printer = Printer::new(opts.format, &mut bytes);
                for (i, line) in lines.iter().enumerate() {
                    let index = task * JSON_TASK + i;
                    if let Some(problem) = &line.problem {
                        r.bad.push((index, problem.clone()));
                        continue;
                    }
                    let text = data.get(line.bytes.clone()).unwrap_or_default();
                    let head =
                        (opts.format == OutFormat::Csv).then(|| LineHead::of(text, &mut key)).flatten();
                    if let Some(head) = &head
                        && let Some((sheet, on)) = known.sheet(&key, text)
                    {
                        score_sheet(
                            head.product.unwrap_or(""),
                            &sheet,
                            on,
                            opts,
                            &mut printer,
                            &mut r,
                            index,
                            &mut scratch,
                        );
                        continue;
                    }
                    let form = score_line(
                        catalog,
                        opts,
                        line.number,
                        text,
                        &mut printer,
                        &mut r,
                        index,
                        &mut scratch,
                    );
                    if let (Some(_), Some(form)) = (head, form) {
                        known.remember(&key, form);
                    }
                }
            }
            r.bytes = bytes;
            r
        })
        .collect()
}

/// Reads, scores and prints one JSON Lines row.
#[allow(clippy::too_many_arguments)]
/// JSON Lines to CSV: the fields of a line the fast reader allows (`product`, `decision`, `set`,
/// `lodged_on`, `answers`, each once, strings without escapes), and the key of the first three.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct LineHead<'a> {
    #[serde(borrow, default)]
    product: Option<&'a str>,
    #[serde(borrow)]
    decision: &'a str,
    #[serde(borrow)]
    set: &'a str,
    #[serde(borrow, default)]
    lodged_on: Option<&'a str>,
    #[serde(rename = "answers")]
    _answers: serde::de::IgnoredAny,
}

impl<'a> LineHead<'a> {
    /// The head of a line, its key written into `key`; None for anything else. A line without
    /// a backslash is read by [`LineHead::scan`]; the head it finds is used only when
    /// [`Form::read_json`] then accepts the whole line, so the scan may pass over what it does
    /// not need (the answers) without checking it.
    fn of(text: &'a [u8], key: &mut Vec<u8>) -> Option<LineHead<'a>> {
        let head = if memchr::memchr(b'\\', text).is_none() {
            LineHead::scan(text)?
        } else {
            serde_json::from_slice(text).ok()?
        };
        let max = read::Limits::default().max_string_bytes;
        if head.product.is_some_and(|p| p.len() > max) {
            return None;
        }
        key.clear();
        for cell in [head.decision, head.set, head.lodged_on.unwrap_or("")] {
            key.extend_from_slice(&(cell.len() as u64).to_le_bytes());
            key.extend_from_slice(cell.as_bytes());
        }
        (key.len() <= MAX_KEY).then_some(head)
    }

    /// The top-level fields of a line with no escapes: each allowed field once, `answers` an
    /// object (skipped by its braces), the others a string (`product` and `lodged_on` also
    /// `null`). None for anything else.
    fn scan(text: &'a [u8]) -> Option<LineHead<'a>> {
        let ws = |i: &mut usize| {
            while text.get(*i).is_some_and(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n')) {
                *i += 1;
            }
        };
        let string = |i: &mut usize| -> Option<&'a str> {
            if text.get(*i) != Some(&b'"') {
                return None;
            }
            let len = memchr::memchr(b'"', text.get(*i + 1..)?)?;
            let s = std::str::from_utf8(text.get(*i + 1..*i + 1 + len)?).ok()?;
            *i += len + 2;
            Some(s)
        };
        let (mut i, mut seen) = (0, [false; 5]);
        let (mut product, mut decision, mut set, mut lodged_on) = (None, None, None, None);
        ws(&mut i);
        (text.get(i) == Some(&b'{')).then_some(())?;
        i += 1;
        loop {
            ws(&mut i);
            let name = string(&mut i)?;
            let field =
                ["product", "decision", "set", "lodged_on", "answers"].iter().position(|f| *f == name)?;
            let first = seen.get_mut(field).map(|s| !std::mem::replace(s, true))?;
            first.then_some(())?;
            ws(&mut i);
            (text.get(i) == Some(&b':')).then_some(())?;
            i += 1;
            ws(&mut i);
            let null = text.get(i..i + 4) == Some(b"null");
            match field {
                0 | 3 if null => i += 4,
                0 => product = Some(string(&mut i)?),
                1 => decision = Some(string(&mut i)?),
                2 => set = Some(string(&mut i)?),
                3 => lodged_on = Some(string(&mut i)?),
                _ => i = skip_object(text, i)?,
            }
            ws(&mut i);
            match text.get(i) {
                Some(b',') => i += 1,
                Some(b'}') => break,
                _ => return None,
            }
        }
        i += 1;
        ws(&mut i);
        (i == text.len() && seen.get(4) == Some(&true)).then_some(())?;
        Some(LineHead { product, decision: decision?, set: set?, lodged_on, _answers: serde::de::IgnoredAny })
    }
}

/// The end of the object that starts at `i` (strings without escapes), or None.
fn skip_object(text: &[u8], mut i: usize) -> Option<usize> {
    (text.get(i) == Some(&b'{')).then_some(())?;
    let mut depth = 0usize;
    while let Some(&b) = text.get(i) {
        match b {
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            b'"' => i += memchr::memchr(b'"', text.get(i + 1..)?)? + 1,
            _ => {}
        }
        i += 1;
    }
    None
}

/// JSON Lines to CSV: the forms the ordinary reader scored lines of a (decision, set,
/// lodged_on) with. Which form applies depends on those three texts alone (no other field is
/// allowed on the fast path), so a later line with the same three is read straight into that
/// form's sheet ([`Form::read_json`]: the same answers, checks and meaning as the ordinary
/// reader); a line that reader refuses goes the ordinary way, which says why. Bounded: emptied
/// when full.
struct KnownForms<'c> {
    forms: std::sync::RwLock<HashMap<Vec<u8>, &'c Form, std::hash::BuildHasherDefault<Fnv>>>,
    max: usize,
}

impl<'c> KnownForms<'c> {
    fn new(max: usize) -> KnownForms<'c> {
        KnownForms { forms: std::sync::RwLock::new(HashMap::default()), max }
    }

    fn sheet(&self, key: &[u8], text: &[u8]) -> Option<(Sheet<'c>, Option<Date>)> {
        let form = *self.forms.read().ok()?.get(key)?;
        form.read_json(text).ok()
    }

    fn remember(&self, key: &[u8], form: &'c Form) {
        if let Ok(mut forms) = self.forms.write() {
            if forms.len() >= self.max {
                forms.clear();
            }
            forms.insert(key.to_vec(), form);
        }
    }
}

/// Prints one sheet's CSV row (with its advice when asked for).
#[allow(clippy::too_many_arguments)]
fn score_sheet(
    id: &str,
    sheet: &Sheet<'_>,
    on: Option<Date>,
    opts: &Options,
    printer: &mut Printer<'_>,
    r: &mut Rendered,
    index: usize,
    scratch: &mut String,
) {
    let advice = opts.advise.then(|| advice_of(std::slice::from_ref(sheet), on));
    match Scoring::of(sheet, on, opts.trace) {
        Ok(scoring) => print_row(printer, r, index, id, &scoring.row(), advice.as_deref(), scratch),
        Err(m) => r.bad.push((index, m)),
    }
}

/// Scores one line the ordinary way; returns the form of a single sheet scored.
#[allow(clippy::too_many_arguments)]
fn score_line<'c>(
    catalog: &'c Catalog,
    opts: &Options,
    number: u64,
    text: &[u8],
    printer: &mut Printer<'_>,
    r: &mut Rendered,
    index: usize,
    scratch: &mut String,
) -> Option<&'c Form> {
    let name = format!("{}:{number}", opts.name);
    let message = |e: crate::AssessmentError| diagnostics_message(e.diagnostics());
    let scored = Assessment::from_bytes(&name, text, &read::Limits::default())
        .map_err(message)
        .and_then(|a| catalog.score(&a).map(|s| (s, a)).map_err(message));
    let (scored, a) = match scored {
        Ok(pair) => pair,
        Err(m) => {
            r.bad.push((index, m));
            return None;
        }
    };
    let id = a.product().unwrap_or("");
    if opts.format == OutFormat::Csv
        && let Some(problem) = csv_parts_problem(scored.form())
    {
        r.bad.push((index, problem));
        return None;
    }
    // In JSON Lines a single sheet and a council give records of one shape (`render::json`:
    // `council` is null for a single sheet); CSV rows have one shape whatever the input.
    if scored.sheets().len() > 1 || opts.format == OutFormat::Jsonl {
        let trace = match opts.trace.then(|| scored.trace()).transpose() {
            Ok(t) => t,
            Err(e) => {
                r.bad.push((index, message(e)));
                return None;
            }
        };
        let row = RowResult::Council { scored: &scored, trace: trace.as_ref() };
        let advice = opts.advise.then(|| advice_of(scored.sheets(), a.lodged_on()));
        print_row(printer, r, index, id, &row, advice.as_deref(), scratch);
        return None;
    }
    let Some(sheet) = scored.sheets().first() else {
        r.bad.push((index, "no sheet".into()));
        return None;
    };
    let bad = r.bad.len();
    score_sheet(id, sheet, a.lodged_on(), opts, printer, r, index, scratch);
    (r.bad.len() == bad).then(|| scored.form())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `csv_field` quotes exactly when, and as, the `csv` crate's default writer does: on
    /// every byte alone and on fields built from the bytes that matter.
    #[test]
    fn cells_are_written_as_the_csv_crate_writes_them() {
        let mut fields: Vec<Vec<u8>> = (0..=255u8).map(|b| vec![b]).collect();
        let pieces: [&[u8]; 9] = [b"a", b",", b"\"", b"\r", b"\n", b" ", b"#", "đ".as_bytes(), b""];
        for x in pieces {
            for y in pieces {
                for z in pieces {
                    fields.push([x, y, z].concat());
                }
            }
        }
        for field in &fields {
            let mut ours = b"x,".to_vec();
            csv_field(&mut ours, field);
            ours.push(b'\n');
            let mut theirs = csv::Writer::from_writer(Vec::new());
            theirs.write_record([&b"x"[..], field]).unwrap();
            assert_eq!(ours, theirs.into_inner().unwrap(), "{field:?}");
        }
    }
}
