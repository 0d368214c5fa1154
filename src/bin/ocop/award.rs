//! `ocop award FILE…`: who recognises the class reached, and the certificate's life after issue
//! (ruling 13): its expiry, the re-rating lodging window, the extension a change of decision may
//! grant, and what happens to a proposed 5★ the higher council scores below its threshold. The
//! rules and their sources are data of the decision files (`award.lifecycle`).

use crate::console::{self, Exit};
use ocop_rating::terminal::escape;
use ocop_rating::{Assessment, Catalog};
use std::path::PathBuf;

/// The arguments of `ocop award`.
#[derive(clap::Args)]
pub struct Args {
    /// Assessment files (YAML or JSON), with `recognised_on` for the certificate's dates.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Print the award as JSON (the `award` object of the Report).
    #[arg(long)]
    pub json: bool,
}

/// Prints the award of each file; errors on stderr. Exit 1 when a file could not be scored.
pub fn run(catalog: &Catalog, args: &Args) -> Result<u8, Exit> {
    let mut failed = false;
    for file in &args.files {
        match award_text(catalog, file, args.json) {
            Ok(text) => console::out(&text)?,
            Err(message) => {
                failed = true;
                console::err_line(&message);
            }
        }
    }
    Ok(u8::from(failed))
}

fn award_text(catalog: &Catalog, file: &std::path::Path, json: bool) -> Result<String, String> {
    let name = file.display().to_string();
    let bytes = crate::read_limited(file).map_err(|d| escape(&d.to_string()).into_owned())?;
    let a = Assessment::from_bytes(&name, &bytes, &Default::default())
        .map_err(|e| console::diagnostics_text(&e, e.diagnostics()))?;
    let report = catalog
        .report(&a, ocop_rating::report::ReportOptions::default())
        .map_err(|e| console::diagnostics_text(&e, e.diagnostics()))?;
    if json {
        let text = serde_json::to_string_pretty(&report.award).map_err(|e| e.to_string())?;
        return Ok(format!("{}\n", console::json_for_terminal(&text)));
    }
    let scored = catalog.score(&a).map_err(|e| console::diagnostics_text(&e, e.diagnostics()))?;
    let award = scored.award();
    let mut out = String::new();
    let product = a.product().map(|p| format!(" — {}", escape(p))).unwrap_or_default();
    out.push_str(&format!("{}{product}\n", escape(&name)));
    let class = award.stars.map_or("no class".to_string(), |s| format!("{s}★"));
    out.push_str(&format!("  class:       {class} under {}\n", scored.form().decision().number()));
    out.push_str(&format!("  award:       {}\n", escape(&award.note)));
    if let Some(below) = &award.if_scored_below {
        out.push_str(&format!("  if below:    {}\n", escape(below)));
    }
    match (&award.lifecycle, award.certificate, a.recognised_on()) {
        (Some(life), _, _) => {
            out.push_str("  certificate:\n");
            for line in &life.lines {
                out.push_str(&format!("    - {}\n", escape(line)));
            }
        }
        (None, true, None) => {
            out.push_str("  certificate: give `recognised_on` in the assessment for its dates\n");
        }
        (None, _, _) => out.push_str("  certificate: none\n"),
    }
    Ok(out)
}
