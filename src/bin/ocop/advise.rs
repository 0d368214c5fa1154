//! `ocop advise FILE [--to K] [--format text|json]`: the fewest improvements that lift a product
//! to the next class (or class K), with alternatives; and `ocop score FILE --what-if 1.5=c,2.1=c`:
//! the product with some answers replaced. Both are thin layers over `ocop_rating::advise`.
//!
//! Output goes through [`console`]: the text is escaped by the library, JSON is
//! made safe for a terminal.

use crate::console::{self, Exit};
use ocop_rating::{Assessment, Catalog, Diagnostic, DiagnosticKind, Limits, Scored, advise};
use std::path::{Path, PathBuf};

/// `ocop advise`'s arguments.
#[derive(clap::Args)]
pub struct Args {
    /// Assessment files (YAML or JSON), one sheet or a council.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// The class to reach (1–5); by default the next class above the current one.
    #[arg(long, value_name = "K", value_parser = clap::value_parser!(u8).range(1..=5))]
    pub to: Option<u8>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutFormat::Text)]
    pub format: OutFormat,
}

/// `ocop advise`'s output formats.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutFormat {
    /// A consultant's note, in Vietnamese with English names.
    Text,
    /// The `Advice` record.
    Json,
}

/// Reads and scores one assessment file (read with the library's document limit). A regression
/// case file (docs/cases.md) is accepted too: its `assessment:` is advised on.
fn scored<'c>(catalog: &'c Catalog, file: &Path) -> Result<Scored<'c>, String> {
    let limits = Limits::default();
    let a = match Assessment::from_file(file, &limits) {
        Ok(a) => a,
        Err(e) if is_case_file(e.diagnostics()) => case_assessment(file, &limits)?,
        Err(e) => return Err(console::diagnostics_text(&e, e.diagnostics())),
    };
    catalog.score(&a).map_err(|e| console::diagnostics_text(&e, e.diagnostics()))
}

/// Whether the problems of reading a file as an assessment say it is a regression case: its
/// top level has `assessment:` (and `expect:`), which an assessment does not.
fn is_case_file(diagnostics: &[Diagnostic]) -> bool {
    let unknown =
        |path: &str| diagnostics.iter().any(|d| d.kind == DiagnosticKind::UnknownField && d.path == path);
    unknown("assessment") && unknown("expect")
}

/// The `assessment:` of a regression case file. The library has already read the file as YAML
/// under its limits, so it is parsed again here only to take that part out.
fn case_assessment(file: &Path, limits: &Limits) -> Result<Assessment, String> {
    let name = console::name(file);
    let bytes = std::fs::read(file).map_err(|e| format!("error[io]: {name}: {e}"))?;
    let value: serde_yaml::Value =
        serde_yaml::from_slice(&bytes).map_err(|e| format!("error[syntax]: {name}: {e}"))?;
    let part = value.get("assessment").ok_or_else(|| format!("error: {name}: no `assessment:`"))?;
    let text = serde_yaml::to_string(part).map_err(|e| format!("error: {name}: {e}"))?;
    Assessment::from_bytes(&format!("{} (assessment:)", file.display()), text.as_bytes(), limits)
        .map_err(|e| console::diagnostics_text(&e, e.diagnostics()))
}

fn json_out(value: &impl serde::Serialize) -> Result<(), Exit> {
    let json = serde_json::to_string_pretty(value).map_err(|e| Exit::from(format!("error: {e}")))?;
    console::out(&console::json_for_terminal(&json))?;
    console::out("\n")
}

/// Runs `produce` on each file and prints each result as text (blank lines between), or all of
/// them as JSON at the end (one object for one file); errors go to stderr. Exit code 1 when a
/// file failed.
fn each_file<T: serde::Serialize>(
    files: &[PathBuf],
    json: bool,
    mut produce: impl FnMut(&PathBuf) -> Result<T, String>,
    render: impl Fn(&T) -> String,
) -> Result<u8, Exit> {
    let mut failed = false;
    let mut records = Vec::new();
    for file in files {
        match produce(file) {
            Ok(record) => {
                if !json {
                    if !records.is_empty() || failed {
                        console::out("\n")?;
                    }
                    console::out(&render(&record))?;
                }
                records.push(record);
            }
            Err(message) => {
                failed = true;
                console::err_line(&message);
            }
        }
    }
    if json {
        if files.len() == 1 && records.len() == 1 {
            json_out(&records[0])?;
        } else {
            json_out(&records)?;
        }
    }
    Ok(u8::from(failed))
}

/// `ocop advise`: the advice for each file; errors on stderr. Exit code 1 when a file could not
/// be advised on (unreadable or invalid).
pub fn run(catalog: &Catalog, args: &Args) -> Result<u8, Exit> {
    let to = args.to;
    each_file(
        &args.files,
        args.format == OutFormat::Json,
        |file| {
            scored(catalog, file).and_then(|s| {
                advise::advise_scored(&s, to).map_err(|e| console::diagnostics_text(&e, e.diagnostics()))
            })
        },
        advise::text,
    )
}

/// `ocop score FILE --what-if 1.5=c,2.1=c`: each file scored with the answers replaced on every
/// member's sheet, before and after.
pub fn what_if(catalog: &Catalog, files: &[PathBuf], spec: &str, json: bool) -> Result<u8, Exit> {
    let changes = advise::parse_changes(spec)
        .map_err(|e| Exit { message: Some(format!("error: --what-if: {e}")), code: 2 })?;
    let pairs: Vec<(&str, &str)> = changes.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    each_file(
        files,
        json,
        |file| {
            scored(catalog, file).and_then(|s| {
                let a = s.assessment();
                advise::what_if_report(s.form(), s.sheets(), a.lodged_on(), &pairs, a.product()).map_err(
                    |e| match &e {
                        ocop_rating::Error::Assessment(a) => console::diagnostics_text(a, a.diagnostics()),
                        other => other.to_string(),
                    },
                )
            })
        },
        advise::what_if_text,
    )
}
