//! Excel workbooks in and out of the bulk engine (feature `excel`): a sheet of a workbook read
//! with [calamine](https://docs.rs/calamine) as the CSV input, and the CSV output written as a
//! workbook with [rust_xlsxwriter](https://docs.rs/rust_xlsxwriter). `ocop bulk sheets.xlsx
//! [--sheet NAME] [--out results.xlsx]` is a thin shell over [`Workbook::run`] and [`XlsxOut`].
//!
//! **Reading.** The sheet (the first, or the one named) has the CSV input's columns
//! (`id,decision,set,[lodged_on,]<criterion ids…>`, docs/assessment.md), the header in its first
//! non-empty row, from column A. Its rows are turned into CSV text as they stream out of the
//! workbook and scored by [`bulk::run`], so a row means exactly what the same row means in CSV.
//! Cells typed as numbers are read as a person typed them: `2` (not `2.0`), `1.1` (not
//! `1.1000000000000001`: the number rounded to Excel's 15 significant digits, then written in
//! the shortest form); dates as `YYYY-MM-DD` (with `THH:MM:SS` when the cell has a time);
//! `TRUE`/`FALSE`; an error cell as its text (`#N/A`). A number cannot keep trailing zeros, so
//! criterion-id headers must be entered as text: a header cell that is a number naming no
//! criterion of the catalog, or repeating another header, is an error that says so. Rows whose
//! cells are all empty are skipped; a bad row is reported with its Excel row number
//! ([`Events::bad_row`] receives it; the CLI prints `Sheet1!row 7: …`).
//!
//! **Memory.** The sheet is read as a stream of cells and never held whole; what calamine holds
//! whole is the workbook's shared-strings table (every distinct text of the workbook) and its
//! styles. [`Limits`] caps the file's size, the declared size of the parts read whole, and the
//! cells read (docs/bulk.md gives the defaults and what they cost).
//!
//! **Writing.** [`XlsxOut`] takes the bulk run's CSV output (it is a [`Write`]) and writes the
//! same columns as a workbook: numbers as numbers, texts as texts, a bold frozen header, set
//! column widths, in rust_xlsxwriter's constant-memory mode (rows go to a temporary file). A
//! sheet holds 1,048,575 rows below its header; more go on to `results 2`, `results 3`…

// Input paths: indexing that could panic on hostile data is not allowed here.
#![deny(clippy::indexing_slicing)]

use crate::bulk::{self, Events, Summary};
use crate::catalog::Catalog;
use crate::round::RowFact;
use crate::terminal::escape;
use calamine::{DataRef, Reader, Xlsx};
use std::collections::{HashMap, HashSet, VecDeque};
use std::fs::File;
use std::io::{BufReader, Read, Seek, Write};
use std::path::Path;
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

/// The caps that bound a workbook's memory and reading time. Each is documented, with its
/// default, in docs/bulk.md.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The largest workbook file read (default 256 MiB).
    pub file_bytes: u64,
    /// The largest total uncompressed size, as the file declares it, of the parts read whole
    /// (everything but the worksheets: the shared strings, the styles, the workbook; default
    /// 64 MiB).
    pub whole_parts_bytes: u64,
    /// The most cells read from the sheet, empty cells with a style included (default 64 Mi,
    /// 64 × 2^20: a million rows of 64 columns).
    pub cells: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { file_bytes: 256 << 20, whole_parts_bytes: 64 << 20, cells: 64 << 20 }
    }
}

/// A workbook opened for a bulk run, with the sheet chosen.
pub struct Workbook<RS: Read + Seek> {
    xlsx: Xlsx<RS>,
    sheet: String,
    name: String,
    limits: Limits,
}

fn read_error(name: &str, message: impl Into<String>) -> bulk::Error {
    bulk::Error::Read { name: escape(name).into_owned(), source: std::io::Error::other(message.into()) }
}

impl Workbook<BufReader<File>> {
    /// Opens the workbook at `path` and chooses its sheet: `sheet`, or the first.
    pub fn open(path: &Path, sheet: Option<&str>, limits: &Limits) -> Result<Self, bulk::Error> {
        let name = path.display().to_string();
        let file = File::open(path)
            .map_err(|source| bulk::Error::Read { name: escape(&name).into_owned(), source })?;
        let size = file.metadata().map(|m| m.len()).unwrap_or(0);
        Workbook::from_reader(BufReader::new(file), size, &name, sheet, limits)
    }
}

impl<RS: Read + Seek + Send> Workbook<RS> {
    /// Opens a workbook from `reader` (`size` bytes, named `name` in messages) and chooses its
    /// sheet: `sheet`, or the first. Checks [`Limits::file_bytes`] and
    /// [`Limits::whole_parts_bytes`] before calamine reads anything whole.
    pub fn from_reader(
        mut reader: RS,
        size: u64,
        name: &str,
        sheet: Option<&str>,
        limits: &Limits,
    ) -> Result<Self, bulk::Error> {
        let shown = escape(name).into_owned();
        if size > limits.file_bytes {
            return Err(bulk::Error::Limit(format!(
                "{shown}: the workbook is {size} bytes, more than the limit of {} bytes (xlsx::Limits::file_bytes); \
                 save the sheet as CSV, which is streamed without a size limit",
                limits.file_bytes
            )));
        }
        let whole = whole_parts_size(&mut reader)
            .map_err(|e| read_error(name, format!("not an xlsx workbook: {e}")))?;
        if whole > limits.whole_parts_bytes {
            return Err(bulk::Error::Limit(format!(
                "{shown}: the workbook's shared strings and other parts read whole come to {whole} bytes, more than \
                 the limit of {} bytes (xlsx::Limits::whole_parts_bytes); save the sheet as CSV",
                limits.whole_parts_bytes
            )));
        }
        reader.rewind().map_err(|source| bulk::Error::Read { name: shown.clone(), source })?;
        let xlsx: Xlsx<RS> =
            Xlsx::new(reader).map_err(|e| read_error(name, format!("not an xlsx workbook: {e}")))?;
        let names = xlsx.sheet_names();
        let chosen = match sheet {
            Some(wanted) => names.iter().find(|n| n.as_str() == wanted).cloned().ok_or_else(|| {
                bulk::Error::Header(format!(
                    "{shown}: the workbook has no sheet `{}`\n  expected: one of {}",
                    escape(wanted),
                    escape(&names.join(", "))
                ))
            })?,
            None => names
                .first()
                .cloned()
                .ok_or_else(|| bulk::Error::Header(format!("{shown}: the workbook has no sheet")))?,
        };
        Ok(Workbook { xlsx, sheet: chosen, name: name.to_string(), limits: limits.clone() })
    }

    /// The sheet read.
    pub fn sheet(&self) -> &str {
        &self.sheet
    }

    /// Scores every row of the sheet as [`bulk::run`] scores CSV (`opts.input` is ignored), and
    /// writes the results to `out` in `opts.format`. Bad rows go to `events` with their Excel
    /// row numbers. Errors in the header (a numeric criterion id, a missing sheet) and past the
    /// [`Limits`] are [`bulk::Error::Header`] and [`bulk::Error::Limit`].
    pub fn run(
        self,
        catalog: &Catalog,
        out: &mut dyn Write,
        opts: &bulk::Options,
        events: &mut dyn Events,
    ) -> Result<Summary, bulk::Error> {
        let Workbook { mut xlsx, sheet, name, limits } = self;
        let opts =
            bulk::Options { input: bulk::InputFormat::Csv, name: format!("{name}!{sheet}"), ..opts.clone() };
        let breaks = Mutex::new(VecDeque::new());
        let failure: Mutex<Option<bulk::Error>> = Mutex::new(None);
        let columns = opts.limits.columns;
        let result = std::thread::scope(|scope| {
            let (tx, rx) = sync_channel::<Vec<u8>>(4);
            let producer = Producer {
                tx,
                breaks: &breaks,
                catalog,
                sheet: &sheet,
                shown: escape(&format!("{name}!{sheet}")).into_owned(),
                limits: &limits,
                columns,
            };
            let (xlsx, sheet_name, failure_ref) = (&mut xlsx, sheet.as_str(), &failure);
            scope.spawn(move || {
                let outcome = match xlsx.worksheet_cells_reader(sheet_name) {
                    Ok(cells) => producer.run(cells),
                    Err(e) => Err(read_error(&producer.shown, e.to_string())),
                };
                if let Err(e) = outcome
                    && let Ok(mut slot) = failure_ref.lock()
                {
                    *slot = Some(e);
                }
            });
            let input = ChannelReader { rx, buf: Vec::new(), pos: 0 };
            let mut located = Located { inner: events, breaks: &breaks };
            bulk::run(catalog, input, out, &opts, &mut located)
        });
        // The reader's own failure (a header problem, a limit) says more than the broken stream.
        match failure.into_inner().ok().flatten() {
            Some(e) => Err(e),
            None => result,
        }
    }
}

/// The declared uncompressed size of every part of the zip archive but the worksheets.
fn whole_parts_size<R: Read + Seek>(reader: &mut R) -> Result<u64, String> {
    let mut archive = zip::ZipArchive::new(reader).map_err(|e| e.to_string())?;
    let mut total = 0u64;
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(|e| e.to_string())?;
        let lower = entry.name().map_err(|e| e.to_string())?.to_ascii_lowercase();
        if lower.contains("worksheets/") || !lower.ends_with(".xml") {
            continue;
        }
        total = total.saturating_add(entry.size());
    }
    Ok(total)
}

/// Excel's column letters of a 0-based column: `A`, `Z`, `AA`…
pub fn column_letters(col: u32) -> String {
    let mut n = u64::from(col) + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        letters.push(char::from(b'A' + rem));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// A number as Excel shows it in the General format, without exponent: rounded to 15
/// significant digits, then the shortest text that reads back as that value (`2`, `1.1`, `0.3`).
/// Input conversion only: scoring never sees a float.
pub fn number_text(value: f64) -> String {
    if !value.is_finite() {
        return value.to_string();
    }
    if value.fract() == 0.0 && value.abs() < 1e15 {
        return format!("{}", value as i64);
    }
    let rounded: f64 = format!("{value:.14e}").parse().unwrap_or(value);
    format!("{rounded}")
}

/// A cell's text, as the CSV path would see it typed; and whether the cell was a number.
fn cell_text(cell: &DataRef<'_>) -> (String, bool) {
    match cell {
        DataRef::Empty => (String::new(), false),
        DataRef::String(s) => (s.clone(), false),
        DataRef::SharedString(s) => ((*s).to_string(), false),
        DataRef::Int(i) => (i.to_string(), true),
        DataRef::Float(f) => (number_text(*f), true),
        DataRef::Bool(b) => ((if *b { "TRUE" } else { "FALSE" }).to_string(), false),
        DataRef::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, h, mi, s, _) = dt.to_ymd_hms_milli();
            if (h, mi, s) == (0, 0, 0) {
                (format!("{y:04}-{m:02}-{d:02}"), false)
            } else {
                (format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}"), false)
            }
        }
        DataRef::DateTime(dt) => (number_text(dt.as_f64()), true),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => (s.clone(), false),
        DataRef::Error(e) => (e.to_string(), false),
    }
}

/// Where the CSV record numbers stop following the Excel rows: from `record` on, record
/// `record + k` is Excel row `row + k`.
type Break = (u64, u64);

/// Turns the sheet's cells into CSV text, in blocks, on its own thread.
struct Producer<'a> {
    tx: SyncSender<Vec<u8>>,
    breaks: &'a Mutex<VecDeque<Break>>,
    catalog: &'a Catalog,
    sheet: &'a str,
    shown: String,
    limits: &'a Limits,
    columns: usize,
}

/// The bytes of CSV sent at a time.
const BLOCK: usize = 64 << 10;

/// A row being gathered: its cells' texts by column, and which were numbers.
#[derive(Default)]
struct RowCells {
    texts: Vec<String>,
    numbers: Vec<bool>,
    /// The first non-empty cell past the column cap, if any (kept as the row's last cell).
    beyond: Option<String>,
}

impl RowCells {
    fn clear(&mut self) {
        self.texts.clear();
        self.numbers.clear();
        self.beyond = None;
    }

    fn is_blank(&self) -> bool {
        self.beyond.is_none() && self.texts.iter().all(|t| t.trim().is_empty())
    }

    fn set(&mut self, col: usize, text: String, number: bool, cap: usize) {
        if col >= cap {
            if self.beyond.is_none() && !text.trim().is_empty() {
                self.beyond = Some(text);
            }
            return;
        }
        if self.texts.len() <= col {
            self.texts.resize(col + 1, String::new());
            self.numbers.resize(col + 1, false);
        }
        if let Some(slot) = self.texts.get_mut(col) {
            *slot = text;
        }
        if let Some(slot) = self.numbers.get_mut(col) {
            *slot = number;
        }
    }
}

impl Producer<'_> {
    fn run<RS: Read + Seek>(&self, mut cells: calamine::XlsxCellReader<'_, RS>) -> Result<(), bulk::Error> {
        let new_writer =
            || csv::WriterBuilder::new().flexible(true).from_writer(Vec::with_capacity(BLOCK * 2));
        let mut writer = new_writer();
        let mut row = RowCells::default();
        let mut current: Option<u32> = None;
        let mut width: Option<usize> = None;
        let mut record = 0u64;
        let mut last_break: Option<(u64, u64)> = None;
        let mut read = 0u64;
        // The header can be as wide as the CSV header; data rows are kept to the header's width.
        let mut cap = self.columns;
        loop {
            let next = cells.next_cell().map_err(|e| read_error(&self.shown, e.to_string()))?;
            let (pos, done) = match &next {
                Some(cell) => (Some(cell.get_position()), false),
                None => (None, true),
            };
            if current.is_some() && (done || pos.map(|p| p.0) != current) {
                let excel_row = u64::from(current.unwrap_or(0)) + 1;
                if !row.is_blank() {
                    record += 1;
                    match width {
                        None => {
                            self.check_header(&row, excel_row)?;
                            let w = row.texts.iter().rposition(|t| !t.trim().is_empty()).map_or(0, |i| i + 1);
                            width = Some(w);
                            cap = w;
                        }
                        Some(w) => {
                            row.texts.resize(w, String::new());
                        }
                    }
                    if last_break.is_none_or(|(r, e)| excel_row - e != record - r) {
                        last_break = Some((record, excel_row));
                        if let Ok(mut b) = self.breaks.lock() {
                            b.push_back((record, excel_row));
                        }
                    }
                    let mut fields: Vec<&str> = row.texts.iter().map(String::as_str).collect();
                    if let Some(extra) = &row.beyond {
                        fields.push(extra);
                    }
                    writer.write_record(&fields).map_err(|e| read_error(&self.shown, e.to_string()))?;
                    if writer.get_ref().len() >= BLOCK {
                        let block = std::mem::replace(&mut writer, new_writer())
                            .into_inner()
                            .map_err(|e| read_error(&self.shown, e.to_string()))?;
                        if self.tx.send(block).is_err() {
                            return Ok(()); // the run ended (--strict, or an error it reports)
                        }
                    }
                }
                row.clear();
            }
            let Some(cell) = next else { break };
            read += 1;
            if read > self.limits.cells {
                return Err(bulk::Error::Limit(format!(
                    "{}: the sheet has more than {} cells (xlsx::Limits::cells); split it, or save it as CSV",
                    self.shown, self.limits.cells
                )));
            }
            let (r, c) = cell.get_position();
            current = Some(r);
            let (text, number) = cell_text(cell.get_value());
            row.set(c as usize, text, number, cap);
        }
        let block = writer.into_inner().map_err(|e| read_error(&self.shown, e.to_string()))?;
        if !block.is_empty() {
            let _ = self.tx.send(block);
        }
        if width.is_none() {
            return Err(bulk::Error::Header(format!(
                "{}: the sheet is empty\n  expected: a header id,decision,set,<criterion ids…> in its first row",
                self.shown
            )));
        }
        Ok(())
    }

    /// A criterion id typed as a number loses its trailing zeros (`1.10` is stored as 1.1): a
    /// numeric header cell must name a criterion of the catalog, and not repeat another header.
    fn check_header(&self, row: &RowCells, excel_row: u64) -> Result<(), bulk::Error> {
        if !row.numbers.iter().any(|n| *n) {
            return Ok(());
        }
        let ids: HashSet<&str> = self.catalog.forms().flat_map(|f| f.leaves().map(|c| c.id())).collect();
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (col, text) in row.texts.iter().enumerate() {
            let text = text.trim();
            let first = *seen.entry(text).or_insert(col);
            if !row.numbers.get(col).copied().unwrap_or(false) {
                continue;
            }
            let cell = format!("{}!{}{excel_row}", escape(self.sheet), column_letters(col as u32));
            let zeros: Vec<String> = if text.contains('.') {
                ["0", "00"]
                    .iter()
                    .map(|z| format!("{text}{z}"))
                    .filter(|t| ids.contains(t.as_str()))
                    .collect()
            } else {
                Vec::new()
            };
            let hint = if zeros.is_empty() {
                "criterion ids must be entered as text (type an apostrophe first, '1.10, or format the column as Text)"
                    .to_string()
            } else {
                format!(
                    "if it means {}, enter it as text ('{}): a number loses its trailing zeros",
                    zeros.join(" or "),
                    zeros.first().map_or("", String::as_str)
                )
            };
            if first != col && !text.is_empty() {
                return Err(bulk::Error::Header(format!(
                    "{}: the header cell {cell} is the number {}, the same as column {}\n  expected: {hint}",
                    self.shown,
                    escape(text),
                    column_letters(first as u32)
                )));
            }
            if col >= 3 && !ids.contains(text) {
                return Err(bulk::Error::Header(format!(
                    "{}: the header cell {cell} is the number {}, which names no criterion\n  expected: {hint}",
                    self.shown,
                    escape(text)
                )));
            }
        }
        Ok(())
    }
}

/// The CSV text of the sheet, as the bulk run reads it.
struct ChannelReader {
    rx: Receiver<Vec<u8>>,
    buf: Vec<u8>,
    pos: usize,
}

impl Read for ChannelReader {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.pos >= self.buf.len() {
            match self.rx.recv() {
                Ok(block) => {
                    self.buf = block;
                    self.pos = 0;
                }
                // The sheet ended (or its reader failed: the failure is reported by `run`).
                Err(_) => return Ok(0),
            }
        }
        let available = self.buf.get(self.pos..).unwrap_or_default();
        let n = available.len().min(out.len());
        if let (Some(to), Some(from)) = (out.get_mut(..n), available.get(..n)) {
            to.copy_from_slice(from);
        }
        self.pos += n;
        Ok(n)
    }
}

/// Passes the run's events on with Excel row numbers instead of CSV record numbers.
struct Located<'a> {
    inner: &'a mut dyn Events,
    breaks: &'a Mutex<VecDeque<Break>>,
}

impl Located<'_> {
    fn excel_row(&self, record: u64) -> u64 {
        let Ok(breaks) = self.breaks.lock() else { return record };
        let at = breaks.partition_point(|(r, _)| *r <= record);
        let found = at.checked_sub(1).and_then(|i| breaks.get(i));
        found.map_or(record, |(r, e)| e + (record - r))
    }
}

impl Events for Located<'_> {
    fn bad_row(&mut self, row: u64, message: &str) -> std::io::Result<()> {
        // The CSV text's line numbers mean nothing in a workbook (a cell with Alt+Enter).
        let message = match message.find(" (the row spans lines ") {
            Some(at) => message.get(..at).unwrap_or(message),
            None => message,
        };
        let row = self.excel_row(row);
        self.inner.bad_row(row, message)
    }

    fn progress(&mut self, rows: u64, bytes: u64) {
        // Records before `rows + 1` are done: keep only the last break at or before it.
        if let Ok(mut breaks) = self.breaks.lock() {
            while breaks.len() > 1 && breaks.get(1).is_some_and(|(r, _)| *r <= rows + 1) {
                breaks.pop_front();
            }
        }
        self.inner.progress(rows, bytes);
    }

    fn scored(&mut self, row: u64, fact: &RowFact) {
        let row = self.excel_row(row);
        self.inner.scored(row, fact);
    }

    fn wants_row_facts(&self) -> bool {
        self.inner.wants_row_facts()
    }
}

// ---------------------------------------------------------------------------------------------
// Writing

/// The rows below the header that one sheet holds (Excel's 1,048,576 rows, less the header).
pub const SHEET_ROWS: u32 = 1_048_575;

/// The bulk run's CSV output as a workbook: give it to [`bulk::run`] as `out` (with
/// [`bulk::OutFormat::Csv`]), then [`XlsxOut::finish`]. See the [module](self).
pub struct XlsxOut {
    workbook: rust_xlsxwriter::Workbook,
    bold: rust_xlsxwriter::Format,
    sheet: Option<usize>,
    sheets: usize,
    /// The next row to write in the current sheet (0 is the header).
    row: u32,
    header: Vec<String>,
    pending: Vec<u8>,
    rows: u64,
}

/// The width of each output column, in Excel's character units.
fn width_of(column: &str) -> f64 {
    match column {
        "id" => 28.0,
        "total" | "band_stars" => 10.0,
        "A" | "B" | "C" | "stars" => 7.0,
        "limited_by" | "disqualified" => 20.0,
        "trace" => 100.0,
        _ => 12.0,
    }
}

/// Whether an output column holds numbers.
fn numeric(column: &str) -> bool {
    matches!(column, "total" | "A" | "B" | "C" | "band_stars" | "stars")
}

fn xlsx_error(e: rust_xlsxwriter::XlsxError) -> std::io::Error {
    std::io::Error::other(format!("writing the workbook: {e}"))
}

impl XlsxOut {
    /// An empty workbook. Its rows are kept in temporary files (rust_xlsxwriter's constant-memory
    /// mode) in `tempdir`, or the system's.
    pub fn new(tempdir: Option<&Path>) -> std::io::Result<XlsxOut> {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        if let Some(dir) = tempdir {
            workbook.set_tempdir(dir).map_err(xlsx_error)?;
        }
        Ok(XlsxOut {
            workbook,
            bold: rust_xlsxwriter::Format::new().set_bold(),
            sheet: None,
            sheets: 0,
            row: 0,
            header: Vec::new(),
            pending: Vec::new(),
            rows: 0,
        })
    }

    /// The result rows written (the headers not counted).
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Writes the workbook to `writer`. Call it after the run; rows still pending (an output
    /// that did not end with a line break) are written first.
    pub fn finish<W: Write + Send>(mut self, writer: W) -> std::io::Result<()> {
        if !self.pending.is_empty() {
            self.pending.push(b'\n');
            self.drain()?;
        }
        if self.sheet.is_none() {
            self.new_sheet()?;
        }
        self.workbook.save_to_writer(writer).map_err(xlsx_error)
    }

    fn new_sheet(&mut self) -> std::io::Result<()> {
        self.sheets += 1;
        let name = if self.sheets == 1 { "results".to_string() } else { format!("results {}", self.sheets) };
        let sheet = self.workbook.add_worksheet_with_constant_memory().map_err(xlsx_error)?;
        sheet.set_name(name).map_err(xlsx_error)?;
        sheet.set_freeze_panes(1, 0).map_err(xlsx_error)?;
        for (col, column) in self.header.iter().enumerate() {
            let col = col as u16;
            sheet.set_column_width(col, width_of(column)).map_err(xlsx_error)?;
            sheet.write_string_with_format(0, col, column, &self.bold).map_err(xlsx_error)?;
        }
        self.sheet = Some(self.sheets - 1);
        self.row = 1;
        Ok(())
    }

    /// Writes every complete record of `pending`.
    fn drain(&mut self) -> std::io::Result<()> {
        let pending = std::mem::take(&mut self.pending);
        let mut start = 0;
        let mut quoted = false;
        for (i, &b) in pending.iter().enumerate() {
            match b {
                b'"' => quoted = !quoted,
                b'\n' if !quoted => {
                    let record = pending.get(start..i).unwrap_or_default();
                    let record = record.strip_suffix(b"\r").unwrap_or(record);
                    self.record(&fields(record))?;
                    start = i + 1;
                }
                _ => {}
            }
        }
        self.pending = pending.get(start..).unwrap_or_default().to_vec();
        Ok(())
    }

    fn record(&mut self, cells: &[String]) -> std::io::Result<()> {
        if self.header.is_empty() {
            self.header = cells.to_vec();
            return self.new_sheet();
        }
        if self.row > SHEET_ROWS {
            self.new_sheet()?;
        }
        let index = self.sheet.unwrap_or(0);
        let row = self.row;
        let sheet = self.workbook.worksheet_from_index(index).map_err(xlsx_error)?;
        for (col, text) in cells.iter().enumerate() {
            if text.is_empty() {
                continue;
            }
            let column = self.header.get(col).map_or("", String::as_str);
            let col = col as u16;
            match text.parse::<f64>() {
                Ok(n) if numeric(column) => sheet.write_number(row, col, n).map_err(xlsx_error)?,
                _ => sheet.write_string(row, col, text).map_err(xlsx_error)?,
            };
        }
        self.row += 1;
        self.rows += 1;
        Ok(())
    }
}

/// The fields of one CSV record as the `csv` writer writes them (RFC 4180: a quoted field
/// doubles its quotes).
fn fields(record: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let mut field = Vec::new();
    let mut quoted = false;
    let mut i = 0;
    while let Some(&b) = record.get(i) {
        match (b, quoted) {
            (b'"', false) if field.is_empty() => quoted = true,
            (b'"', true) if record.get(i + 1) == Some(&b'"') => {
                field.push(b'"');
                i += 1;
            }
            (b'"', true) => quoted = false,
            (b',', false) => out.push(String::from_utf8_lossy(&std::mem::take(&mut field)).into_owned()),
            _ => field.push(b),
        }
        i += 1;
    }
    out.push(String::from_utf8_lossy(&field).into_owned());
    out
}

impl Write for XlsxOut {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(buf);
        if buf.contains(&b'\n') {
            self.drain()?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
