//! `ocop`: score OCOP assessments, check rule files, run regression cases, list decisions.
//!
//! Exit codes: 0 success, 1 invalid input or a failed test, 2 usage error.
//!
//! No write panics: every write goes through [`console`] (a closed stdout pipe ends quietly with
//! success; any other failed write gives exit code 1), and text from input is escaped for a
//! terminal ([`ocop_rating::terminal`]).

mod advise;
mod award;
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
    /// Load the rules of this folder (repeatable): a decision folder (holding decision.yaml) or a
    /// folder of them. One rule for every command: without --rules, the shipped rules; with
    /// --rules, only these folders; with --with-shipped too, these folders and the shipped rules.
    /// `check` and `test` without a path check and test the rules loaded. A --rules folder that
    /// does not exist or holds no rule file is a usage error (exit code 2), never replaced by the
    /// shipped rules.
    #[arg(long, global = true, value_name = "DIR")]
    rules: Vec<PathBuf>,
    /// With --rules: load the shipped rules too (to add a decision beside them).
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
        /// Rule folders to check (a decision folder or a folder of them), with those of --rules;
        /// the rules loaded (see --rules) when absent.
        paths: Vec<PathBuf>,
        /// Fail on warnings too (those of the shipped rules count only when they are checked
        /// alone or listed with --all-warnings).
        #[arg(long)]
        deny_warnings: bool,
        /// With --with-shipped: list the shipped rules' warnings (printed anomalies of the law)
        /// instead of counting them in one line.
        #[arg(long)]
        all_warnings: bool,
    },
    /// Run regression cases (`<decision>/cases/*.yaml`).
    Test {
        /// Case files or folders; when absent, the `cases/` folders of the rules loaded: beside
        /// each decision of --rules, and `./rules/<decision>/cases` for the shipped rules.
        paths: Vec<PathBuf>,
    },
    /// List every decision and set with dates, counts and warnings.
    List,
    /// Score a CSV (`id,decision,set,[lodged_on,]<criterion ids…>`) or JSON Lines file, streaming.
    Bulk {
        /// Input: a .csv file, a .jsonl file of assessments, an .xlsx workbook, or - for CSV on stdin.
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
        /// Add the plan to the next class to every row, in one line (an `advice` column;
        /// docs/advise.md).
        #[arg(long)]
        advise: bool,
        #[command(flatten)]
        excel: bulk::ExcelArgs,
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
    /// Who recognises the class, and the certificate's dates: expiry, re-rating window, extension
    /// (from `recognised_on`; the rules and sources come from the decision file).
    Award(award::Args),
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

/// The rules a command loads, by one rule for every command: the `--rules` folders, and the
/// shipped (embedded) rules when there is no `--rules` or with `--with-shipped`.
struct Rules {
    dirs: Vec<PathBuf>,
    with_shipped: bool,
}

impl Rules {
    /// Whether the shipped rules are loaded.
    fn shipped(&self) -> bool {
        self.dirs.is_empty() || self.with_shipped
    }

    /// A usage error (exit code 2) for the first `--rules` folder that does not exist, is not a
    /// folder or holds no rule file: the shipped rules are never loaded in its place.
    fn usable(&self) -> Result<(), Exit> {
        for dir in &self.dirs {
            let shown = console::name(dir);
            let problem = match std::fs::metadata(dir) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Some("no such folder".to_string()),
                Err(e) => Some(e.to_string()),
                Ok(m) if !m.is_dir() => Some("not a folder".to_string()),
                Ok(_) if !holds_rule_file(dir, 2) => Some(
                    "the folder holds no rule file (expected decision.yaml and the forms, or folders of them)"
                        .to_string(),
                ),
                Ok(_) => None,
            };
            if let Some(problem) = problem {
                let message = format!(
                    "error: --rules {shown}: {problem}; the shipped rules are not loaded in its place"
                );
                return Err(Exit { message: Some(message), code: 2 });
            }
        }
        Ok(())
    }

    /// Loads the rules: every problem of the files is an error (exit code 1).
    fn load(&self) -> Result<Catalog, Exit> {
        self.usable()?;
        if self.dirs.is_empty() {
            // The shipped rules alone: each form is compiled on first use (a fast start).
            return Catalog::embedded()
                .map_err(|e| Exit::from(console::diagnostics_text(&e, e.diagnostics())));
        }
        let mut builder = CatalogBuilder::new();
        if self.with_shipped {
            builder = builder.embedded();
        }
        for dir in &self.dirs {
            builder = builder.dir(dir);
        }
        builder.build().map_err(|e| Exit::from(console::diagnostics_text(&e, e.diagnostics())))
    }
}

/// Whether `dir` holds a `.yaml`/`.yml` file, itself or in its folders `depth - 1` levels down
/// (names starting with `.` skipped). An unreadable folder counts as holding one: the loader then
/// says what is wrong with it.
fn holds_rule_file(dir: &Path, depth: u32) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else { return true };
    entries.flatten().any(|entry| {
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            false
        } else if path.is_dir() {
            depth > 1 && holds_rule_file(&path, depth - 1)
        } else {
            path.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"))
        }
    })
}

/// The largest assessment or case file read: the library's limit on a document
/// (`Limits::max_bytes`). At most one byte more is read, so `/dev/zero` or a huge file cannot
/// grow memory.
fn document_limit() -> usize {
    ocop_rating::Limits::default().max_bytes
}

/// Reads a file of at most [`document_limit`] bytes, reading no more than one byte past it.
pub(crate) fn read_limited(path: &Path) -> Result<Vec<u8>, Box<Diagnostic>> {
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
    let rules = Rules { dirs: cli.rules, with_shipped: cli.with_shipped };
    match cli.command {
        Command::Score { files, format, out, what_if: Some(changes), .. } => {
            if format == Format::Html || out.is_some() {
                return Err(Exit { message: Some("error: --what-if prints text or JSON".into()), code: 2 });
            }
            advise::what_if(&rules.load()?, &files, &changes, format == Format::Json)
        }
        Command::Score { files, format: Format::Html, out, lang, .. } => {
            sheet::score(&rules.load()?, &files, out.as_deref(), lang)
        }
        Command::Score { out: Some(_), .. } => Err(Exit {
            message: Some("error: --out writes an HTML sheet: use it with --format html".into()),
            code: 2,
        }),
        Command::Score { files, format, .. } => score(&rules.load()?, &files, format),
        Command::Check { paths, deny_warnings, all_warnings } => {
            check(&rules, &paths, deny_warnings, all_warnings)
        }
        Command::Test { paths } => test(&rules, paths),
        Command::Bulk { input, out, format, trace, strict, advise, excel } => {
            let catalog = rules.load()?;
            bulk::run(&catalog, &bulk::Args { input, out, format, trace, strict, advise, excel })
        }
        Command::Generate { decision, set, rows, seed } => {
            generate(&rules.load()?, &decision, &set, rows, seed)
        }
        Command::List => list(&rules.load()?),
        Command::Diff(args) => diff::run(&rules.load()?, &args),
        Command::Rescore(args) => rescore::run(&rules.load()?, &rules.dirs, rules.with_shipped, &args),
        Command::Advise(args) => advise::run(&rules.load()?, &args),
        Command::Award(args) => award::run(&rules.load()?, &args),
    }
}

/// `ocop score`: the score sheet (or JSON record) of each file; errors on stderr.
fn score(catalog: &Catalog, files: &[PathBuf], format: Format) -> Result<u8, Exit> {
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
///
/// The folders checked are those of `--rules` and `paths`; the shipped rules are loaded with
/// them by the rule of [`Rules`] (and alone when neither is given). The checked folders'
/// diagnostics come first; beside them, the shipped rules' warnings (printed anomalies of the
/// law, recorded in the rule files) are counted in one line unless `all_warnings` lists them.
fn check(rules: &Rules, paths: &[PathBuf], deny_warnings: bool, all_warnings: bool) -> Result<u8, Exit> {
    rules.usable()?;
    let own: Vec<PathBuf> = rules.dirs.iter().chain(paths).cloned().collect();
    let shipped = own.is_empty() || rules.with_shipped;
    let mut builder = CatalogBuilder::new();
    if shipped {
        builder = builder.embedded();
    }
    for p in &own {
        builder = builder.dir(p);
    }
    let built = builder.build();
    let diagnostics = match &built {
        Ok(catalog) => catalog.warnings(),
        Err(e) => e.diagnostics(),
    };
    // A diagnostic is the shipped rules' when they are loaded beside folders of the user's and
    // it is not in one of those folders (shipped files are named `rules/<decision>/<file>`).
    let is_shipped = |d: &Diagnostic| {
        shipped
            && !own.is_empty()
            && d.file.starts_with("rules/")
            && !own.iter().any(|dir| Path::new(&d.file).starts_with(dir))
    };
    let (theirs, mine): (Vec<Diagnostic>, Vec<Diagnostic>) =
        diagnostics.iter().cloned().partition(|d| is_shipped(d));
    // Errors are always listed; the shipped rules' warnings only when asked for.
    let (shipped_warnings, shipped_errors): (Vec<Diagnostic>, Vec<Diagnostic>) =
        theirs.into_iter().partition(|d| d.severity == Severity::Warning);
    let mut listed = mine;
    listed.extend(shipped_errors);
    if all_warnings {
        listed.extend(shipped_warnings.iter().cloned());
    }
    for d in escape_diagnostics(&listed) {
        out!("{d}\n");
    }
    let (errors, warnings) = ocop_rating::count_diagnostics(&listed);
    outln!(
        "{}, {}",
        console::plural(errors, "error", "errors"),
        console::plural(warnings, "warning", "warnings")
    );
    let (_, unlisted) = ocop_rating::count_diagnostics(&shipped_warnings);
    if !all_warnings && unlisted > 0 {
        outln!(
            "{} of the shipped rules (printed anomalies; `--all-warnings` to list them)",
            console::plural(unlisted, "warning", "warnings")
        );
    }
    let catalog = match built {
        Ok(catalog) => catalog,
        Err(_) => return Ok(1),
    };
    outln!(
        "checked {}, {}: no errors",
        console::plural(catalog.decisions().count(), "decision", "decisions"),
        console::plural(catalog.forms().count(), "form", "forms")
    );
    // The crosswalks of the folders checked (the shipped ones when only they are checked:
    // docs/diff.md).
    let (crosswalk_errors, crosswalk_warnings) = diff::check_crosswalks(&catalog, &own)?;
    if crosswalk_errors > 0 || (deny_warnings && crosswalk_warnings > 0) {
        return Ok(1);
    }
    Ok(u8::from(deny_warnings && warnings > 0))
}

/// `ocop test`: runs the regression cases; each case file is read with the document limit.
///
/// Without `paths`, the cases of the rules loaded ([`case_folders`]); the folders run are
/// named first, and finding none is an error.
fn test(rules: &Rules, paths: Vec<PathBuf>) -> Result<u8, Exit> {
    let catalog = rules.load()?;
    let paths = if paths.is_empty() {
        let folders = case_folders(rules);
        if folders.is_empty() {
            return Err(Exit::from(format!(
                "error: no case folder found for the rules loaded ({}); cases live in \
                 <decision>/cases/ beside decision.yaml, or name case files or folders",
                loaded_rules(rules)
            )));
        }
        let shown: Vec<String> = folders.iter().map(|f| console::name(f)).collect();
        outln!("running the cases of {}", shown.join(", "));
        folders
    } else {
        paths
    };
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
    if results.is_empty() {
        console::err_line("error: no case files found (they live in <decision>/cases/*.yaml)");
        return Ok(1);
    }
    let shown: Vec<cases::CaseResult> = results.iter().map(escape_case).collect();
    out!("{}", cases::report(&shown));
    Ok(u8::from(!results.iter().all(|r| r.passed())))
}

/// The rules loaded, in words, for a message.
fn loaded_rules(rules: &Rules) -> String {
    let mut parts: Vec<String> = rules.dirs.iter().map(|d| format!("--rules {}", console::name(d))).collect();
    if rules.shipped() {
        parts.push("the shipped rules".to_string());
    }
    parts.join(", ")
}

/// The case folders of the rules loaded: `cases/` beside each decision folder of `--rules`,
/// and, when the shipped rules are loaded, those of `./rules/<decision>/` (the embedded rules
/// carry no cases: they are run from the source tree when there is one). A note on stderr
/// says which rules have none.
fn case_folders(rules: &Rules) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in &rules.dirs {
        let found = decision_case_folders(dir);
        if found.is_empty() {
            console::err_line(&format!(
                "note: --rules {}: no cases/ folder beside its decisions",
                console::name(dir)
            ));
        }
        out.extend(found);
    }
    if rules.shipped() {
        let here = Path::new("rules");
        let found = if here.is_dir() { decision_case_folders(here) } else { Vec::new() };
        if found.is_empty() {
            console::err_line(
                "note: the shipped rules carry no cases, and there is no ./rules/<decision>/cases here: \
                 their cases are not run",
            );
        }
        out.extend(found);
    }
    out
}

/// `cases/` of a decision folder (one holding decision.yaml), or of each decision folder in a
/// folder of them, in name order.
fn decision_case_folders(dir: &Path) -> Vec<PathBuf> {
    let cases_of =
        |d: &Path| Some(d.join("cases")).filter(|c| d.join("decision.yaml").is_file() && c.is_dir());
    if dir.join("decision.yaml").exists() {
        return cases_of(dir).into_iter().collect();
    }
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut subdirs: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| e.path())
        .collect();
    subdirs.sort();
    subdirs.iter().filter_map(|d| cases_of(d)).collect()
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

/// `ocop generate`: random valid sheets as bulk CSV, every row one that `ocop bulk --strict`
/// accepts.
///
/// Every version of each set is drawn. When a set has several versions (1048's set 26), the
/// file has a `lodged_on` column, and each row a day on which its version applies
/// ([`ocop_rating::generate::lodging_window`]): without it, bulk could not tell the versions
/// apart.
fn generate(catalog: &Catalog, decision: &str, set: &[String], rows: u64, seed: u64) -> Result<u8, Exit> {
    let forms: Vec<(&ocop_rating::Form, Option<(ocop_rating::Date, ocop_rating::Date)>)> = catalog
        .forms_of(decision)
        .iter()
        .filter(|f| set.is_empty() || set.iter().any(|s| s == f.set()))
        .map(|f| (f, ocop_rating::generate::lodging_window(f)))
        .filter(|(f, window)| window.is_some() || !is_version(f))
        .collect();
    if forms.is_empty() {
        return Err(Exit::from(format!(
            "error: no form of decision `{}` matches sets {}",
            escape(decision),
            escape(&format!("{set:?}"))
        )));
    }
    let dated = forms.iter().any(|(f, _)| is_version(f));
    let mut ids: Vec<&str> = Vec::new();
    for (f, _) in &forms {
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
    let head: &[&str] =
        if dated { &["id", "decision", "set", "lodged_on"] } else { &["id", "decision", "set"] };
    out.write_record(head.iter().copied().chain(ids.iter().copied())).map_err(io)?;
    let mut g = ocop_rating::generate::SheetGenerator::new(seed);
    let mut cells = vec![String::new(); ids.len()];
    let mut id = String::new();
    for row in 0..rows {
        let Some((form, window)) = forms.get(g.below(forms.len())) else { continue };
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
        if dated {
            // A day of the version's window (any day of the decision's for a set of one form).
            let day = window.map(|(first, last)| g.day_between(first, last).to_string());
            out.write_field(day.unwrap_or_default()).map_err(io)?;
        }
        out.write_record(&cells).map_err(io)?;
    }
    out.flush().map_err(console::output_failed)?;
    Ok(0)
}

/// Whether `form` is one of several versions of its set under its decision.
fn is_version(form: &ocop_rating::Form) -> bool {
    form.in_force_from().is_some() || form.in_force_until().is_some()
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
            let line = format!(
                "  {}  {:<44} {} {} {} {} {}{version}",
                f.set(),
                f.name_vi(),
                column(f.leaf_count(), 3, "criterion", "criteria"),
                column(options, 4, "option", "options"),
                column(f.minimums().len(), 3, "minimum", "minimums"),
                column(f.knockouts().len(), 2, "knock-out", "knock-outs"),
                column(warnings, 2, "warning", "warnings")
            );
            outln!("{}", line.trim_end());
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
            "  {}: {}, {}, {}, {}, {}",
            console::plural(catalog.forms_of(d.key()).len(), "form", "forms"),
            console::plural(criteria, "criterion", "criteria"),
            console::plural(options, "option", "options"),
            console::plural(minimums, "minimum", "minimums"),
            console::plural(knockouts, "knock-out", "knock-outs"),
            console::plural(warnings, "warning", "warnings")
        );
    }
    Ok(0)
}

/// A count and its noun for a column of `ocop list`: the number right-aligned in `width`, the
/// noun padded to its plural's length, so that the columns stay aligned.
fn column(n: usize, width: usize, one: &str, many: &str) -> String {
    let word = if n == 1 { one } else { many };
    format!("{n:>width$} {word:<0$}", one.len().max(many.len()))
}

fn parts(d: &ocop_rating::Decision) -> String {
    d.parts().iter().map(|(id, max)| format!("{id} {max}")).collect::<Vec<_>>().join(" / ")
}
