//! `ocop rescore --to NEW ARCHIVE`: re-scores an archive of old sheets under a new decision
//! through the crosswalks ([`ocop_rating::rescore`]), streaming, and prints the class ranges per
//! set.

use crate::console::{self, Exit};
use ocop_rating::crosswalk::Crosswalks;
use ocop_rating::rescore::{self, Rescorer, RowFormat};
use ocop_rating::terminal::{escape, escape_diagnostics, escape_lines};
use ocop_rating::{Catalog, render_all};
use std::io::Write;
use std::path::PathBuf;

/// The arguments of `ocop rescore`.
#[derive(clap::Args)]
pub struct Args {
    /// The decision to re-score to (key or official number).
    #[arg(long)]
    pub to: String,
    /// The archive: a .csv file (`ocop bulk`'s input), a .jsonl file of assessments, or - for CSV
    /// on stdin.
    pub input: String,
    /// Write one row per product here (a name ending in .jsonl: JSON Lines; else CSV).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// A crosswalk file to use besides the shipped ones and those under --rules (repeatable).
    #[arg(long)]
    pub crosswalk: Vec<PathBuf>,
    /// The summary's format.
    #[arg(long, value_enum, default_value_t = crate::diff::Format::Text)]
    pub format: crate::diff::Format,
}

/// Runs `ocop rescore`.
pub fn run(catalog: &Catalog, rules: &[PathBuf], with_shipped: bool, args: &Args) -> Result<u8, Exit> {
    let mut crosswalks =
        if rules.is_empty() || with_shipped { Crosswalks::shipped(catalog) } else { Crosswalks::default() };
    for dir in rules {
        crosswalks.add_dir(catalog, dir);
    }
    for file in &args.crosswalk {
        let bytes = std::fs::read(file)
            .map_err(|e| Exit::from(format!("error[io]: {}: {e}", console::name(file))))?;
        crosswalks.add(catalog, &file.display().to_string(), &bytes);
    }
    let problems: Vec<_> = crosswalks.diagnostics().into_iter().filter(|d| d.is_error()).collect();
    if !problems.is_empty() {
        console::err_line(render_all(&escape_diagnostics(&problems)).trim_end());
    }
    let mut rescorer = Rescorer::new(catalog, &crosswalks, &args.to)
        .map_err(|e| Exit::from(format!("error: {}", escape(&e.0))))?;
    let jsonl = [".jsonl", ".ndjson", ".json"].iter().any(|ext| args.input.ends_with(ext));
    let input: Box<dyn std::io::Read> = if args.input == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(
            std::fs::File::open(&args.input)
                .map_err(|e| Exit::from(format!("error[io]: {}: {e}", escape(&args.input))))?,
        )
    };
    let mut file = match &args.out {
        Some(p) => Some(std::io::BufWriter::with_capacity(
            1 << 20,
            std::fs::File::create(p)
                .map_err(|e| Exit::from(format!("error[io]: {}: {e}", console::name(p))))?,
        )),
        None => None,
    };
    let format = match &args.out {
        Some(p) if p.extension().is_some_and(|e| e == "jsonl") => RowFormat::Jsonl,
        _ => RowFormat::Csv,
    };
    let rows = file.as_mut().map(|w| (w as &mut dyn Write, format));
    let mut bad = |row: u64, message: &str| console::err_line(&format!("row {row}: {message}"));
    let start = std::time::Instant::now();
    let summary = rescore::run(&mut rescorer, input, jsonl, rows, &mut bad)
        .map_err(|e| Exit::from(format!("error: {}", escape(&e.0))))?;
    let secs = start.elapsed().as_secs_f64();
    if let Some(w) = file.as_mut() {
        w.flush().map_err(|e| Exit::from(format!("error[io]: output: {e}")))?;
    }
    match args.format {
        crate::diff::Format::Text => console::out(&escape_lines(&summary.text()))?,
        crate::diff::Format::Json => {
            let json =
                serde_json::to_string_pretty(&summary).map_err(|e| Exit::from(format!("error: {e}")))?;
            console::out(&console::json_for_terminal(&json))?;
            console::out("\n")?;
        }
    }
    console::err_line(&format!(
        "{} rows re-scored, {} rejected in {secs:.2}s ({:.0} rows/s)",
        summary.rescored,
        summary.rejected,
        summary.rows as f64 / secs.max(1e-9)
    ));
    Ok(if summary.rejected > 0 { 1 } else { 0 })
}
