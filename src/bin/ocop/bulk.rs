//! `ocop bulk`: the command-line shell over [`ocop_rating::bulk`]: opening the input, the
//! output (written atomically, never over the input), the progress display, the bad-row messages
//! and the closing summary; Excel workbooks in and out ([`ocop_rating::xlsx`]) and the round
//! report ([`ocop_rating::round`]).

use crate::console::{self, Exit};
use ocop_rating::Catalog;
use ocop_rating::bulk::{self, InputFormat, Options};
use ocop_rating::{round, xlsx};
use std::fs::File;
use std::io::{BufWriter, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The output format, as the command line names it.
#[derive(Clone, Copy, PartialEq, Eq, Debug, clap::ValueEnum)]
pub enum OutFormat {
    Csv,
    Jsonl,
}

/// The arguments of `ocop bulk` about workbooks and the round report (docs/bulk.md).
#[derive(Clone, Debug, Default, clap::Args)]
pub struct ExcelArgs {
    /// The sheet of an .xlsx input to read (default: the first).
    #[arg(long)]
    pub sheet: Option<String>,
    /// Write the round report here: a self-contained HTML page (classes, sets, held-down
    /// minimums, knock-outs, councils flagged for spread, rejected rows).
    #[arg(long)]
    pub report: Option<PathBuf>,
}

/// The arguments of `ocop bulk`.
pub struct Args {
    pub input: String,
    pub out: Option<PathBuf>,
    pub format: OutFormat,
    pub trace: bool,
    pub strict: bool,
    pub advise: bool,
    pub excel: ExcelArgs,
}

/// Whether a file name is an Excel workbook's (`.xlsx`, `.xlsm`, any case).
fn is_workbook(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".xlsx") || lower.ends_with(".xlsm")
}

/// Runs `ocop bulk`; the exit code is 1 when a row was rejected.
pub fn run(catalog: &Catalog, args: &Args) -> Result<u8, Exit> {
    let shown = ocop_rating::terminal::escape(&args.input).into_owned();
    let excel_in = is_workbook(&args.input);
    let excel_out = args.out.as_ref().is_some_and(|p| is_workbook(&p.to_string_lossy()));
    if args.excel.sheet.is_some() && !excel_in {
        return Err(Exit::from(format!("error[usage]: --sheet: the input {shown} is not an .xlsx workbook")));
    }
    if excel_out && args.format != OutFormat::Csv {
        return Err(Exit::from(
            "error[usage]: --out *.xlsx writes the CSV output's columns; --format jsonl cannot go to a workbook"
                .to_string(),
        ));
    }
    if excel_in && args.input == "-" {
        return Err(Exit::from("error[usage]: a workbook cannot be read from standard input".to_string()));
    }
    let (input, size) = if excel_in {
        (Box::new(std::io::empty()) as Box<dyn Read + Send>, None)
    } else {
        open_input(&args.input).map_err(|e| format!("error[io]: {shown}: {e}"))?
    };
    let mut output = match &args.out {
        Some(path) => {
            if same_file(&args.input, path) {
                return Err(Exit::from(format!(
                    "error[io]: --out {} is the input {shown}: writing it would destroy the input as it is read",
                    console::name(path)
                )));
            }
            Output::file(path).map_err(|e| format!("error[io]: {}: {e}", console::name(path)))?
        }
        None => {
            if args.input != "-" && stdout_is(Path::new(&args.input)) {
                return Err(Exit::from(format!(
                    "error[io]: standard output is the input {shown}: writing it would destroy the input as it is read"
                )));
            }
            Output::Stdout(BufWriter::with_capacity(1 << 20, std::io::stdout().lock()))
        }
    };
    let opts = Options {
        format: match args.format {
            OutFormat::Csv => bulk::OutFormat::Csv,
            OutFormat::Jsonl => bulk::OutFormat::Jsonl,
        },
        trace: args.trace,
        advise: args.advise,
        strict: args.strict,
        ..Options::new(&args.input, InputFormat::from_name(&args.input))
    };
    let mut events = Report {
        progress: Progress::new(size),
        prefix: String::new(),
        tally: args.excel.report.as_ref().map(|_| round::Tally::new(round::Caps::default())),
    };
    let start = Instant::now();
    let mut xlsx_out = if excel_out {
        Some(
            xlsx::XlsxOut::new(None)
                .map_err(|e| format!("error[io]: {}: {e}", console::name(output_path(args))))?,
        )
    } else {
        None
    };
    let writer: &mut dyn Write = match &mut xlsx_out {
        Some(x) => x,
        None => output.writer(),
    };
    let result = if excel_in {
        match xlsx::Workbook::open(
            Path::new(&args.input),
            args.excel.sheet.as_deref(),
            &xlsx::Limits::default(),
        ) {
            Ok(workbook) => {
                events.prefix = format!("{}!", workbook.sheet());
                if let Some(t) = &mut events.tally {
                    t.set_row_prefix(&format!("{}!row ", workbook.sheet()));
                }
                workbook.run(catalog, writer, &opts, &mut events)
            }
            Err(e) => Err(e),
        }
    } else {
        bulk::run(catalog, input, writer, &opts, &mut events)
    };
    events.progress.done();
    let summary = match result {
        Ok(summary) => summary,
        Err(bulk::Error::Write(e)) => return Err(output.failed(e)),
        // stderr failed: nothing more can be said.
        Err(bulk::Error::Report(_)) => return Err(Exit::quiet(1)),
        Err(e) => return Err(Exit::from(e.to_string())),
    };
    if let Some(x) = xlsx_out {
        let written = match output.file_writer() {
            Some(w) => x.finish(w),
            None => {
                Err(std::io::Error::other("a workbook is written to a file (--out), not standard output"))
            }
        };
        if let Err(e) = written {
            return Err(output.failed(e));
        }
    }
    output.commit()?;
    if let (Some(path), Some(tally)) = (&args.excel.report, &events.tally) {
        let mut info = round::RunInfo::new(&format!(
            "{}{}",
            args.input,
            match &args.excel.sheet {
                Some(sheet) => format!(" (sheet {sheet})"),
                None => String::new(),
            }
        ));
        info.stopped = summary.stopped;
        let page = round::page(tally, &info);
        let mut report =
            Output::file(path).map_err(|e| format!("error[io]: {}: {e}", console::name(path)))?;
        if let Err(e) = report.writer().write_all(page.as_bytes()) {
            return Err(report.failed(e));
        }
        report.commit()?;
    }
    let secs = start.elapsed().as_secs_f64();
    console::err_line(&format!(
        "{} rows scored, {} rejected{} in {:.2}s ({:.0} rows/s)",
        summary.scored,
        summary.rejected,
        if summary.stopped { " (stopped at the first bad row: --strict)" } else { "" },
        secs,
        (summary.scored + summary.rejected) as f64 / secs.max(1e-9)
    ));
    Ok(if summary.rejected > 0 { 1 } else { 0 })
}

fn open_input(path: &str) -> std::io::Result<(Box<dyn Read + Send>, Option<u64>)> {
    if path == "-" {
        return Ok((Box::new(std::io::stdin()), None));
    }
    let file = File::open(path)?;
    let size = file.metadata().ok().filter(|m| m.is_file()).map(|m| m.len());
    Ok((Box::new(file), size))
}

/// Whether `out` names the input: the same canonical path (symbolic links resolved), or the same
/// file under another name (a hard link, or standard input redirected from it: same device and
/// inode).
fn same_file(input: &str, out: &Path) -> bool {
    let out_meta = std::fs::metadata(out).ok();
    if input == "-" {
        return match (stdin_identity(), out_meta.as_ref().and_then(identity)) {
            (Some(a), Some(b)) => a == b,
            _ => false,
        };
    }
    let input = Path::new(input);
    if let (Ok(a), Some(b)) = (std::fs::canonicalize(input), canonical_target(out))
        && a == b
    {
        return true;
    }
    match (std::fs::metadata(input).ok().as_ref().and_then(identity), out_meta.as_ref().and_then(identity)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

/// The canonical path `out` names, also when the file does not exist yet (its folder's canonical
/// path and its name).
fn canonical_target(out: &Path) -> Option<PathBuf> {
    if let Ok(path) = std::fs::canonicalize(out) {
        return Some(path);
    }
    let name = out.file_name()?;
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    Some(std::fs::canonicalize(parent).ok()?.join(name))
}

#[cfg(unix)]
fn identity(meta: &std::fs::Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn identity(_meta: &std::fs::Metadata) -> Option<(u64, u64)> {
    None
}

#[cfg(unix)]
fn stdin_identity() -> Option<(u64, u64)> {
    use std::os::fd::AsFd;
    let fd = std::io::stdin().as_fd().try_clone_to_owned().ok()?;
    identity(&File::from(fd).metadata().ok()?)
}

#[cfg(not(unix))]
fn stdin_identity() -> Option<(u64, u64)> {
    None
}

/// Whether standard output is the file `input` (`ocop bulk in.csv >> in.csv`).
#[cfg(unix)]
fn stdout_is(input: &Path) -> bool {
    use std::os::fd::AsFd;
    let Ok(fd) = std::io::stdout().as_fd().try_clone_to_owned() else { return false };
    let out = File::from(fd).metadata().ok();
    match (
        out.as_ref().filter(|m| m.is_file()).and_then(identity),
        std::fs::metadata(input).ok().as_ref().and_then(identity),
    ) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

#[cfg(not(unix))]
fn stdout_is(_input: &Path) -> bool {
    false
}

/// Where the results go.
enum Output {
    Stdout(BufWriter<std::io::StdoutLock<'static>>),
    /// A device or pipe named by --out (`/dev/null`): written directly.
    Direct(BufWriter<File>, String),
    /// A regular file: written to a temporary file in the same folder, renamed over the target
    /// when the run succeeds, removed when it fails (the target is then untouched).
    Atomic(Atomic),
}

struct Atomic {
    file: BufWriter<File>,
    temp: PathBuf,
    target: PathBuf,
    shown: String,
    done: bool,
}

impl Output {
    fn file(path: &Path) -> std::io::Result<Output> {
        let shown = console::name(path);
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => return Err(std::io::Error::other("a folder, not a file")),
            Ok(meta) if !meta.is_file() => {
                let file = std::fs::OpenOptions::new().write(true).open(path)?;
                return Ok(Output::Direct(BufWriter::with_capacity(1 << 20, file), shown));
            }
            _ => {}
        }
        // Write through a symbolic link to the file it names, as `File::create` would.
        let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        let name = target.file_name().ok_or_else(|| std::io::Error::other("not a file name"))?;
        let folder = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let mut attempt = 0u32;
        let (file, temp) = loop {
            let temp =
                folder.join(format!(".{}.ocop-{}-{attempt}.tmp", name.to_string_lossy(), std::process::id()));
            match std::fs::OpenOptions::new().write(true).create_new(true).open(&temp) {
                Ok(file) => break (file, temp),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 100 => attempt += 1,
                Err(e) => return Err(e),
            }
        };
        if let Ok(meta) = std::fs::metadata(&target) {
            let _ = file.set_permissions(meta.permissions());
        }
        Ok(Output::Atomic(Atomic {
            file: BufWriter::with_capacity(1 << 20, file),
            temp,
            target,
            shown,
            done: false,
        }))
    }

    fn writer(&mut self) -> &mut dyn Write {
        match self {
            Output::Stdout(w) => w,
            Output::Direct(w, _) => w,
            Output::Atomic(a) => &mut a.file,
        }
    }

    /// The writer of a file output (a workbook is written from another thread).
    fn file_writer(&mut self) -> Option<&mut (dyn Write + Send)> {
        match self {
            Output::Stdout(_) => None,
            Output::Direct(w, _) => Some(w),
            Output::Atomic(a) => Some(&mut a.file),
        }
    }

    /// The exit for a failed write.
    fn failed(&self, e: std::io::Error) -> Exit {
        match self {
            Output::Stdout(_) => console::output_failed(e),
            Output::Direct(_, shown) => Exit::from(format!("error[io]: {shown}: {e}")),
            Output::Atomic(a) => Exit::from(format!("error[io]: {}: {e}", a.shown)),
        }
    }

    /// Flushes the output and, for a file, puts it in place.
    fn commit(mut self) -> Result<(), Exit> {
        let flushed = self.writer().flush();
        if let Err(e) = flushed {
            return Err(self.failed(e));
        }
        if let Output::Atomic(a) = &mut self {
            let placed = a.file.get_ref().sync_all().and_then(|()| std::fs::rename(&a.temp, &a.target));
            if let Err(e) = placed {
                return Err(Exit::from(format!("error[io]: {}: {e}", a.shown)));
            }
            a.done = true;
        }
        Ok(())
    }
}

impl Drop for Atomic {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

/// Bad rows and progress, on stderr; the round report's tally, when asked for.
struct Report {
    progress: Progress,
    /// Before `row N` in messages: `Sheet1!` for a workbook.
    prefix: String,
    tally: Option<round::Tally>,
}

impl bulk::Events for Report {
    fn bad_row(&mut self, row: u64, message: &str) -> std::io::Result<()> {
        self.progress.clear();
        if let Some(t) = &mut self.tally {
            t.reject(row, message);
        }
        // One write per line: stderr is not buffered.
        let prefix = ocop_rating::terminal::escape(&self.prefix);
        std::io::stderr().lock().write_all(format!("{prefix}row {row}: {message}\n").as_bytes())
    }

    fn progress(&mut self, rows: u64, bytes: u64) {
        self.progress.tick(rows, bytes);
    }

    fn scored(&mut self, row: u64, fact: &round::RowFact) {
        if let Some(t) = &mut self.tally {
            t.add(row, fact);
        }
    }

    fn wants_row_facts(&self) -> bool {
        self.tally.is_some()
    }
}

/// The --out path (for messages).
fn output_path(args: &Args) -> &Path {
    args.out.as_deref().unwrap_or(Path::new("-"))
}

/// The progress line on a terminal: rows, rate and, for a file, the time left.
struct Progress {
    on: bool,
    shown: bool,
    start: Instant,
    last: Instant,
    size: Option<u64>,
}

impl Progress {
    fn new(size: Option<u64>) -> Progress {
        let now = Instant::now();
        Progress { on: std::io::stderr().is_terminal(), shown: false, start: now, last: now, size }
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
        self.on = console::err_raw(&format!("\r{rows} rows, {rate:.0} rows/s{eta}   "));
        self.shown = self.on;
    }

    /// Ends the progress line before another message.
    fn clear(&mut self) {
        if self.shown {
            self.shown = false;
            self.on = console::err_raw("\n");
        }
    }

    fn done(&mut self) {
        self.clear();
    }
}
