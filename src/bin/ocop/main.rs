//! `ocop`: score OCOP assessments, check rule files, run regression cases, list decisions.
//!
//! Exit codes: 0 success, 1 invalid input or a failed test, 2 usage error.
//!
//! No write panics: every write goes through [`console`] (a closed stdout pipe ends quietly with
//! success; any other failed write gives exit code 1), and text from input is escaped for a
//! terminal ([`ocop_rating::terminal`]).

mod advise;
mod bulk;
mod console;
mod diff;
mod rescore;
mod sheet;

use clap::{Parser, Subcommand, ValueEnum};
use console::Exit;
use ocop_rating::terminal::{escape, escape_diagnostics, escape_lines};
use ocop_rating::{
    Assessment, Catalog, CatalogBuilder, Diagnostic, DiagnosticKind, Severity, cases, render, render_all,
};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

macro_rules! out {
    ($($arg:tt)*) => { console::out(&format!($($arg)*))? };
}

/// One line of human-readable output, escaped for a terminal: whatever the data holds stays on
/// this line.
macro_rules! outln {
    ($($arg:tt)*) => {{
        let line = format!($($arg)*);
        console::out(&escape(&line))?;
        console::out("\n")?
    }};
}

#[derive(Parser)]
#[command(name = "ocop", version, about = "Score Vietnamese OCOP products against the official criteria")]
struct Cli {
    /// Use the rule files under this folder instead of the shipped ones (repeatable).
    #[arg(long, global = true, value_name = "DIR")]
    rules: Vec<PathBuf>,
    /// With --rules: load the shipped rule files too (to add a decision beside them).
    #[arg(long, global = true)]
    with_shipped: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Score assessment files (YAML or JSON) and print the score sheet.
    Score {
        /// Assessment files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// With --format html: write the sheet here instead of stdout.
        #[arg(long)]
        out: Option<PathBuf>,
        /// With --format html: the sheet's language.
        #[arg(long, value_enum, default_value_t = sheet::LangArg::Vi)]
        lang: sheet::LangArg,
        /// Score with some answers replaced on every member's sheet, e.g. `1.5=c,2.1=c` (`a+c`
        /// for a cumulative criterion): the result before and after (docs/advise.md).
        #[arg(long, value_name = "CHANGES")]
        what_if: Option<String>,
    },
    /// Validate rule files: every error and warning with its place.
    Check {
        /// Rule folders (a decision folder or a folder of them); the shipped rules when absent.
        paths: Vec<PathBuf>,
        /// Fail on warnings too.
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Run regression cases (`rules/<decision>/cases/*.yaml`).
    Test {
        /// Case files or folders; `rules/` when absent.
        paths: Vec<PathBuf>,
    },
    /// List every decision and set with dates, counts and warnings.
    List,
    /// Score a CSV (id,decision,set,[lodged_on,]<criterion ids…>) or JSON Lines file, streaming.
    Bulk {
        /// Input: a .csv file, a .jsonl file of assessments, or - for CSV on stdin.
        input: String,
        /// Write here instead of stdout (atomically: the file appears when the run succeeds).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = bulk::OutFormat::Csv)]
        format: bulk::OutFormat,
        /// Add the trace to every row.
        #[arg(long)]
        trace: bool,
        /// Stop at the first bad row (by default bad rows are reported, skipped and counted).
        #[arg(long)]
        strict: bool,
    },
    /// Write random valid sheets as bulk CSV (for benchmarks and tests).
    Generate {
        /// Decision key.
        #[arg(long, default_value = "26-2026")]
        decision: String,
        /// Product sets (repeatable); all sets of the decision when absent.
        #[arg(long)]
        set: Vec<String>,
        /// Number of rows.
        #[arg(long, default_value_t = 1000)]
        rows: u64,
        /// Random seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// What changed between two decisions; --crosswalk-draft proposes a crosswalk (docs/diff.md).
    Diff(diff::Args),
    /// Re-score an archive of old sheets under a new decision through the crosswalks (docs/diff.md).
    Rescore(rescore::Args),
    /// The fewest improvements that lift a product to the next class or --to K (docs/advise.md).
    Advise(advise::Args),
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
    /// The printable score sheet, one self-contained HTML page (docs/html.md).
    Html,
}

fn main() -> ExitCode {
    let code = match Cli::try_parse() {
        Ok(cli) => match run(cli) {
            Ok(code) => code,
            Err(exit) => {
                if let Some(message) = &exit.message {
                    console::err_line(message);
                }
                exit.code
            }
        },
        Err(e) => console::clap_error(&e),
    };
    let code = match console::flush_out() {
        Ok(()) => code,
        Err(exit) => {
            if let Some(message) = &exit.message {
                console::err_line(message);
            }
            if exit.code == 0 { code } else { code.max(exit.code) }
        }
    };
    ExitCode::from(if code == 0 && console::stderr_failed() { 1 } else { code })
}

fn load(cli_rules: &[PathBuf], with_shipped: bool) -> Result<Catalog, String> {
    if cli_rules.is_empty() {
        // The shipped rules alone: each form is compiled on first use (a fast start).
        return Catalog::embedded().map_err(|e| console::diagnostics_text(&e, e.diagnostics()));
    }
    let mut builder = CatalogBuilder::new();
    if cli_rules.is_empty() || with_shipped {
        builder = builder.embedded();
    }
    for dir in cli_rules {
        builder = builder.dir(dir);
    }
    builder.build().map_err(|e| console::diagnostics_text(&e, e.diagnostics()))
}

/// The largest assessment or case file read: the library's limit on a document
/// (`Limits::max_bytes`). At most one byte more is read, so `/dev/zero` or a huge file cannot
/// grow memory.
fn document_limit() -> usize {
    ocop_rating::Limits::default().max_bytes
}

/// Reads a file of at most [`document_limit`] bytes, reading no more than one byte past it.
fn read_limited(path: &Path) -> Result<Vec<u8>, Box<Diagnostic>> {
    let limit = document_limit();
    let fail = |kind, message: String| {
        let mut d = Diagnostic::error(kind, "", message);
        d.file = path.display().to_string();
        Box::new(d)
    };
    let file = std::fs::File::open(path).map_err(|e| fail(DiagnosticKind::Io, e.to_string()))?;
    let mut bytes = Vec::new();
    file.take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| fail(DiagnosticKind::Io, e.to_string()))?;
    if bytes.len() > limit {
        let d = fail(DiagnosticKind::Limit, format!("the file is larger than {limit} bytes"));
        return Err(Box::new(d.expected(format!("at most {limit} bytes (Limits::max_bytes)"))));
    }
    Ok(bytes)
}

fn run(cli: Cli) -> Result<u8, Exit> {
    match cli.command {
        Command::Score { files, format, out, what_if: Some(changes), .. } => {
            if format == Format::Html || out.is_some() {
                return Err(Exit { message: Some("error: --what-if prints text or JSON".into()), code: 2 });
            }
            advise::what_if(&load(&cli.rules, cli.with_shipped)?, &files, &changes, format == Format::Json)
        }
        Command::Score { files, format: Format::Html, out, lang, .. } => {
            sheet::score(&load(&cli.rules, cli.with_shipped)?, &files, out.as_deref(), lang)
        }
        Command::Score { out: Some(_), .. } => Err(Exit {
            message: Some("error: --out writes an HTML sheet: use it with --format html".into()),
            code: 2,
        }),
        Command::Score { files, format, .. } => score(&cli.rules, cli.with_shipped, &files, format),
        Command::Check { paths, deny_warnings } => check(&paths, deny_warnings),
        Command::Test { paths } => test(&cli.rules, cli.with_shipped, paths),
        Command::Bulk { input, out, format, trace, strict } => {
            let catalog = load(&cli.rules, cli.with_shipped)?;
            bulk::run(&catalog, &bulk::Args { input, out, format, trace, strict })
        }
        Command::Generate { decision, set, rows, seed } => {
            generate(&load(&cli.rules, cli.with_shipped)?, &decision, &set, rows, seed)
        }
        Command::List => list(&load(&cli.rules, cli.with_shipped)?),
        Command::Diff(args) => diff::run(&load(&cli.rules, cli.with_shipped)?, &args),
        Command::Rescore(args) => {
            rescore::run(&load(&cli.rules, cli.with_shipped)?, &cli.rules, cli.with_shipped, &args)
        }
        Command::Advise(args) => advise::run(&load(&cli.rules, cli.with_shipped)?, &args),
    }
}

/// `ocop score`: the score sheet (or JSON record) of each file; errors on stderr.
fn score(rules: &[PathBuf], with_shipped: bool, files: &[PathBuf], format: Format) -> Result<u8, Exit> {
    let catalog = load(rules, with_shipped)?;
    let mut failed = false;
    let mut records = Vec::new();
    for file in files {
        let name = file.display().to_string();
        let result = read_limited(file)
            .map_err(|d| {
                render_all(&escape_diagnostics(&[*d])).lines().next().unwrap_or_default().to_string()
            })
            .and_then(|bytes| {
                Assessment::from_bytes(&name, &bytes, &Default::default())
                    .map_err(|e| console::diagnostics_text(&e, e.diagnostics()))
            })
            .and_then(|a| {
                let scored = catalog.score(&a).map_err(|e| console::diagnostics_text(&e, e.diagnostics()))?;
                let trace = scored.trace().map_err(|e| console::diagnostics_text(&e, e.diagnostics()))?;
                Ok(match format {
                    Format::Text => serde_json::Value::String(render::text(&scored, &trace)),
                    // (--format html goes to sheet::score.)
                    Format::Json | Format::Html => render::json(&scored, Some(&trace)),
                })
            });
        match result {
            Ok(record) => records.push(record),
            Err(message) => {
                failed = true;
                console::err_line(&message);
            }
        }
    }
    match format {
        Format::Text => {
            let texts: Vec<&str> = records.iter().filter_map(|r| r.as_str()).collect();
            // render::text escapes each line itself.
            out!("{}", texts.join("\n"));
        }
        Format::Json | Format::Html => {
            let value = if files.len() == 1 && records.len() == 1 {
                records.pop().unwrap_or_default()
            } else {
                serde_json::Value::Array(records)
            };
            let json = serde_json::to_string_pretty(&value).map_err(|e| e.to_string())?;
            out!("{}\n", console::json_for_terminal(&json));
        }
    }
    Ok(u8::from(failed))
}

/// `ocop check`: every error and warning of the rule files, escaped.
fn check(paths: &[PathBuf], deny_warnings: bool) -> Result<u8, Exit> {
    let mut builder = CatalogBuilder::new();
    if paths.is_empty() {
        builder = builder.embedded();
    }
    for p in paths {
        builder = builder.dir(p);
    }
    let diagnostics: Vec<Diagnostic> = match builder.build() {
        Ok(catalog) => {
            let forms = catalog.forms().count();
            let decisions = catalog.decisions().count();
            let warnings = catalog.warnings().to_vec();
            if !warnings.is_empty() {
                out!("{}", render_all(&escape_diagnostics(&warnings)));
            }
            outln!("checked {decisions} decision(s), {forms} form(s): no errors");
            // The crosswalks of the folders checked (docs/diff.md).
            let (crosswalk_errors, crosswalk_warnings) = diff::check_crosswalks(&catalog, paths)?;
            if crosswalk_errors > 0 || (deny_warnings && crosswalk_warnings > 0) {
                return Ok(1);
            }
            warnings
        }
        Err(e) => {
            out!("{}", render_all(&escape_diagnostics(e.diagnostics())));
            return Ok(1);
        }
    };
    let warned = diagnostics.iter().any(|d| d.severity == Severity::Warning);
    Ok(u8::from(deny_warnings && warned))
}

/// `ocop test`: runs the regression cases; each case file is read with the document limit.
fn test(rules: &[PathBuf], with_shipped: bool, paths: Vec<PathBuf>) -> Result<u8, Exit> {
    let catalog = load(rules, with_shipped)?;
    let paths = if paths.is_empty() { vec![PathBuf::from("rules")] } else { paths };
    let mut results = Vec::new();
    for p in &paths {
        if !p.exists() {
            return Err(Exit::from(format!("error[io]: {}: no such file or folder", console::name(p))));
        }
        for file in cases::find(p) {
            let name = file.display().to_string();
            results.push(match read_limited(&file) {
                Ok(bytes) => cases::run_bytes(&catalog, &name, &bytes),
                Err(problem) => cases::CaseResult {
                    file: name,
                    name: String::new(),
                    mismatches: Vec::new(),
                    problems: vec![*problem],
                    explanation: String::new(),
                },
            });
        }
    }
    let shown: Vec<cases::CaseResult> = results.iter().map(escape_case).collect();
    out!("{}", cases::report(&shown));
    let ok = !results.is_empty() && results.iter().all(|r| r.passed());
    if results.is_empty() {
        console::err_line("no case files found (they live in rules/<decision>/cases/)");
    }
    Ok(u8::from(!ok))
}

/// A case result with every text from input escaped for the report.
fn escape_case(r: &cases::CaseResult) -> cases::CaseResult {
    let text = |t: &str| escape(t).into_owned();
    cases::CaseResult {
        file: text(&r.file),
        name: text(&r.name),
        mismatches: r
            .mismatches
            .iter()
            .map(|m| cases::Mismatch {
                field: text(&m.field),
                expected: text(&m.expected),
                actual: text(&m.actual),
            })
            .collect(),
        problems: escape_diagnostics(&r.problems),
        explanation: escape_lines(&r.explanation).into_owned(),
    }
}

/// `ocop generate`: random valid sheets as bulk CSV.
fn generate(catalog: &Catalog, decision: &str, set: &[String], rows: u64, seed: u64) -> Result<u8, Exit> {
    let forms: Vec<&ocop_rating::Form> = catalog
        .forms_of(decision)
        .iter()
        .filter(|f| (set.is_empty() || set.iter().any(|s| s == f.set())) && f.in_force_until().is_none())
        .collect();
    if forms.is_empty() {
        return Err(Exit::from(format!(
            "error: no form of decision `{}` matches sets {}",
            escape(decision),
            escape(&format!("{set:?}"))
        )));
    }
    let mut ids: Vec<&str> = Vec::new();
    for f in &forms {
        for c in f.leaves() {
            if !ids.contains(&c.id()) {
                ids.push(c.id());
            }
        }
    }
    let stdout = std::io::BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
    let mut out = csv::WriterBuilder::new().buffer_capacity(1 << 16).from_writer(stdout);
    let io = |e: csv::Error| match e.into_kind() {
        csv::ErrorKind::Io(e) => console::output_failed(e),
        other => Exit::from(format!("error[io]: output: {other:?}")),
    };
    out.write_record(["id", "decision", "set"].iter().copied().chain(ids.iter().copied())).map_err(io)?;
    let mut g = ocop_rating::generate::SheetGenerator::new(seed);
    let mut cells = vec![String::new(); ids.len()];
    let mut id = String::new();
    for row in 0..rows {
        let Some(form) = forms.get(g.below(forms.len())) else { continue };
        cells.iter_mut().for_each(String::clear);
        let keys = g.keys(form);
        for (c, key) in form.leaves().zip(keys) {
            if let Some(cell) = ids.iter().position(|id| *id == c.id()).and_then(|i| cells.get_mut(i)) {
                *cell = key;
            }
        }
        id.clear();
        id.push('p');
        id.push_str(&row.to_string());
        out.write_field(&id).map_err(io)?;
        out.write_field(form.decision().key()).map_err(io)?;
        out.write_field(form.set()).map_err(io)?;
        out.write_record(&cells).map_err(io)?;
    }
    out.flush().map_err(console::output_failed)?;
    Ok(0)
}

/// `ocop list`: every decision and set with dates, counts and warnings; each line escaped.
fn list(catalog: &Catalog) -> Result<u8, Exit> {
    for d in catalog.decisions() {
        let until = d.in_force_until().map_or("(in force)".to_string(), |u| u.to_string());
        outln!("{} — {} — {}", d.key(), d.number(), d.title_en());
        outln!("  in force {} .. {until}; parts {}", d.in_force_from(), parts(d));
        if let Some(t) = d.transition() {
            outln!(
                "  transition: lodged before {} finish under the old rules within {} days ({} for re-evaluation) [{}]",
                t.lodged_before,
                t.first_rating_days,
                t.re_evaluation_days,
                t.source
            );
        }
        let mut totals = [0usize; 5];
        for f in catalog.forms_of(d.key()) {
            let warnings = catalog.warnings().iter().filter(|w| w.file == f.file()).count();
            let version = match (f.in_force_from(), f.in_force_until()) {
                (None, None) => String::new(),
                (a, b) => format!(
                    " [{}..{}]",
                    a.map(|d| d.to_string()).unwrap_or_default(),
                    b.map(|d| d.to_string()).unwrap_or_default()
                ),
            };
            let options: usize = f.leaves().map(|c| f.options(c).len()).sum();
            outln!(
                "  {}  {:<44} {:>3} criteria {:>4} options {:>3} minimums {:>2} knock-outs {:>2} warnings{version}",
                f.set(),
                f.name_vi(),
                f.leaf_count(),
                options,
                f.minimums().len(),
                f.knockouts().len(),
                warnings
            );
            for (total, n) in totals.iter_mut().zip([
                f.leaf_count(),
                options,
                f.minimums().len(),
                f.knockouts().len(),
                warnings,
            ]) {
                *total += n;
            }
        }
        let [criteria, options, minimums, knockouts, warnings] = totals;
        outln!(
            "  {} forms: {criteria} criteria, {options} options, {minimums} minimums, {knockouts} knock-outs, {warnings} warnings",
            catalog.forms_of(d.key()).len()
        );
    }
    Ok(0)
}

fn parts(d: &ocop_rating::Decision) -> String {
    d.parts().iter().map(|(id, max)| format!("{id} {max}")).collect::<Vec<_>>().join(" / ")
}
