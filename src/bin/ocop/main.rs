//! `ocop`: score OCOP assessments, check rule files, run regression cases, list decisions.
//!
//! Exit codes: 0 success, 1 invalid input or a failed test, 2 usage error.

mod bulk;

use clap::{Parser, Subcommand, ValueEnum};
use ocop_rating::{Assessment, Catalog, CatalogBuilder, Diagnostic, Severity, cases, render, render_all};
use std::path::PathBuf;
use std::process::ExitCode;

/// Writes to stdout. A closed pipe (`ocop list | head`) ends the program quietly with success, as
/// `cat` and `rg` do, instead of the panic that `print!` gives.
fn emit(args: std::fmt::Arguments<'_>) -> Result<(), String> {
    use std::io::Write;
    match std::io::stdout().lock().write_fmt(args) {
        Ok(()) => Ok(()),
        Err(e) => Err(output_error(e)),
    }
}

/// The message for a failed write of output; a closed pipe ends the program with success.
pub(crate) fn output_error(e: std::io::Error) -> String {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(0);
    }
    format!("error[io]: output: {e}")
}

macro_rules! out {
    ($($arg:tt)*) => { emit(format_args!($($arg)*))? };
}

macro_rules! outln {
    ($($arg:tt)*) => {{ emit(format_args!($($arg)*))?; emit(format_args!("\n"))? }};
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
        /// Write here instead of stdout.
        #[arg(long)]
        out: Option<String>,
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
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::from(1)
        }
    }
}

fn load(cli_rules: &[PathBuf], with_shipped: bool) -> Result<Catalog, String> {
    let mut builder = CatalogBuilder::new();
    if cli_rules.is_empty() || with_shipped {
        builder = builder.embedded();
    }
    for dir in cli_rules {
        builder = builder.dir(dir);
    }
    builder.build().map_err(|e| e.to_string())
}

fn run(cli: Cli) -> Result<ExitCode, String> {
    match cli.command {
        Command::Score { files, format } => {
            let catalog = load(&cli.rules, cli.with_shipped)?;
            let mut failed = false;
            let mut records = Vec::new();
            for file in &files {
                let name = file.display().to_string();
                let result = std::fs::read(file)
                    .map_err(|e| format!("error[io]: {name}: {e}"))
                    .and_then(|bytes| {
                        Assessment::from_bytes(&name, &bytes, &Default::default()).map_err(|e| e.to_string())
                    })
                    .and_then(|a| {
                        let scored = catalog.score(&a).map_err(|e| e.to_string())?;
                        let trace = scored.trace().map_err(|e| e.to_string())?;
                        Ok(match format {
                            Format::Text => serde_json::Value::String(render::text(&scored, &trace)),
                            Format::Json => render::json(&scored, Some(&trace)),
                        })
                    });
                match result {
                    Ok(record) => records.push(record),
                    Err(message) => {
                        failed = true;
                        eprintln!("{message}");
                    }
                }
            }
            match format {
                Format::Text => {
                    let texts: Vec<String> =
                        records.iter().filter_map(|r| r.as_str().map(str::to_string)).collect();
                    out!("{}", texts.join("\n"));
                }
                Format::Json => {
                    let value = if files.len() == 1 && records.len() == 1 {
                        records.pop().unwrap_or_default()
                    } else {
                        serde_json::Value::Array(records)
                    };
                    outln!("{}", serde_json::to_string_pretty(&value).map_err(|e| e.to_string())?);
                }
            }
            Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
        }
        Command::Check { paths, deny_warnings } => {
            let mut builder = CatalogBuilder::new();
            if paths.is_empty() {
                builder = builder.embedded();
            }
            for p in &paths {
                builder = builder.dir(p);
            }
            let diagnostics: Vec<Diagnostic> = match builder.build() {
                Ok(catalog) => {
                    let forms = catalog.forms().count();
                    let decisions = catalog.decisions().count();
                    let warnings = catalog.warnings().to_vec();
                    if !warnings.is_empty() {
                        out!("{}", render_all(&warnings));
                    }
                    outln!("checked {decisions} decision(s), {forms} form(s): no errors");
                    warnings
                }
                Err(e) => {
                    out!("{}", render_all(e.diagnostics()));
                    return Ok(ExitCode::from(1));
                }
            };
            let warned = diagnostics.iter().any(|d| d.severity == Severity::Warning);
            Ok(if deny_warnings && warned { ExitCode::from(1) } else { ExitCode::SUCCESS })
        }
        Command::Test { paths } => {
            let catalog = load(&cli.rules, cli.with_shipped)?;
            let paths = if paths.is_empty() { vec![PathBuf::from("rules")] } else { paths };
            let mut results = Vec::new();
            for p in &paths {
                if !p.exists() {
                    return Err(format!("error[io]: {}: no such file or folder", p.display()));
                }
                results.extend(cases::run_path(&catalog, p));
            }
            out!("{}", cases::report(&results));
            let ok = !results.is_empty() && results.iter().all(|r| r.passed());
            if results.is_empty() {
                eprintln!("no case files found (they live in rules/<decision>/cases/)");
            }
            Ok(if ok { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
        Command::Bulk { input, out, format, trace, strict } => {
            let catalog = load(&cli.rules, cli.with_shipped)?;
            let opts = bulk::Options { input, out, format, trace, strict };
            let start = std::time::Instant::now();
            let summary = bulk::run(&catalog, &opts)?;
            let secs = start.elapsed().as_secs_f64();
            eprintln!(
                "{} rows scored, {} rejected{} in {:.2}s ({:.0} rows/s)",
                summary.scored,
                summary.rejected,
                if summary.stopped { " (stopped at the first bad row: --strict)" } else { "" },
                secs,
                (summary.scored + summary.rejected) as f64 / secs.max(1e-9)
            );
            Ok(if summary.rejected > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
        }
        Command::Generate { decision, set, rows, seed } => {
            let catalog = load(&cli.rules, cli.with_shipped)?;
            let forms: Vec<&ocop_rating::Form> = catalog
                .forms_of(&decision)
                .iter()
                .filter(|f| {
                    (set.is_empty() || set.iter().any(|s| s == f.set())) && f.in_force_until().is_none()
                })
                .collect();
            if forms.is_empty() {
                return Err(format!("error: no form of decision `{decision}` matches sets {set:?}"));
            }
            let mut ids: Vec<&str> = Vec::new();
            for f in &forms {
                for c in f.leaves() {
                    if !ids.contains(&c.id()) {
                        ids.push(c.id());
                    }
                }
            }
            let stdout = std::io::stdout().lock();
            let mut out = std::io::BufWriter::with_capacity(1 << 20, stdout);
            use std::io::Write;
            let io = output_error;
            writeln!(out, "id,decision,set,{}", ids.join(",")).map_err(io)?;
            let mut g = ocop_rating::generate::SheetGenerator::new(seed);
            let mut cells = vec![String::new(); ids.len()];
            for row in 0..rows {
                let form = forms[g.below(forms.len())];
                cells.iter_mut().for_each(String::clear);
                let keys = g.keys(form);
                for (c, key) in form.leaves().zip(keys) {
                    if let Some(i) = ids.iter().position(|id| *id == c.id()) {
                        cells[i] = key;
                    }
                }
                writeln!(out, "p{row},{},{},{}", form.decision().key(), form.set(), cells.join(","))
                    .map_err(io)?;
            }
            out.flush().map_err(io)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::List => {
            let catalog = load(&cli.rules, cli.with_shipped)?;
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
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn parts(d: &ocop_rating::Decision) -> String {
    d.parts().iter().map(|(id, max)| format!("{id} {max}")).collect::<Vec<_>>().join(" / ")
}
