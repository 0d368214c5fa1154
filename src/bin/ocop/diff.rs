//! `ocop diff OLD NEW`: what changed between two decisions ([`ocop_rating::diff`]), and
//! `--crosswalk-draft`: a crosswalk proposed from identical texts ([`ocop_rating::crosswalk`]).
//! Also the crosswalk part of `ocop check` ([`check_crosswalks`]).

use crate::console::{self, Exit};
use ocop_rating::crosswalk::{self, Crosswalks};
use ocop_rating::terminal::{escape_diagnostics, escape_lines};
use ocop_rating::{Catalog, Diagnostic, diff, render_all};
use std::path::PathBuf;

/// The arguments of `ocop diff`.
#[derive(clap::Args)]
pub struct Args {
    /// The old decision (key or official number).
    pub old: String,
    /// The new decision (key or official number).
    pub new: String,
    /// Only this set (the old or the new set's number).
    #[arg(long)]
    pub set: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Instead of the diff, write a crosswalk draft (for `rules/<NEW>/crosswalk/<OLD>.yaml`): options
    /// of identical text mapped, everything else left as TODO for a maintainer.
    #[arg(long)]
    pub crosswalk_draft: bool,
}

/// The output format of `ocop diff`.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Text for people.
    Text,
    /// The diff model as JSON.
    Json,
}

fn failed(d: &Diagnostic) -> Exit {
    Exit::from(render_all(&escape_diagnostics(std::slice::from_ref(d))).trim_end().to_string())
}

/// Runs `ocop diff`.
pub fn run(catalog: &Catalog, args: &Args) -> Result<u8, Exit> {
    if args.crosswalk_draft {
        let text =
            crosswalk::draft(catalog, &args.old, &args.new, args.set.as_deref()).map_err(|d| failed(&d))?;
        console::out(&escape_lines(&text))?;
        return Ok(0);
    }
    let mut d = diff::diff(catalog, &args.old, &args.new).map_err(|d| failed(&d))?;
    if let Some(set) = &args.set {
        d = d.only_set(set);
        if d.sets.is_empty() {
            return Err(Exit::from(format!(
                "error: neither {} nor {} has a set `{}`",
                d.old,
                d.new,
                ocop_rating::terminal::escape(set)
            )));
        }
    }
    match args.format {
        Format::Text => console::out(&escape_lines(&d.text()))?,
        Format::Json => {
            let json = serde_json::to_string_pretty(&d).map_err(|e| Exit::from(format!("error: {e}")))?;
            console::out(&console::json_for_terminal(&json))?;
            console::out("\n")?;
        }
    }
    Ok(0)
}

/// The crosswalk part of `ocop check`: checks the crosswalks of the rule folders checked (the
/// shipped ones when `paths` is empty) against `catalog`, prints their diagnostics and coverage,
/// and returns `(errors, warnings)`.
pub fn check_crosswalks(catalog: &Catalog, paths: &[PathBuf]) -> Result<(usize, usize), Exit> {
    let mut all = Crosswalks::default();
    if paths.is_empty() {
        all = Crosswalks::shipped(catalog);
    }
    for p in paths {
        all.add_dir(catalog, p);
    }
    if all.is_empty() {
        return Ok((0, 0));
    }
    let diagnostics = all.diagnostics();
    if !diagnostics.is_empty() {
        console::out(&render_all(&escape_diagnostics(&diagnostics)))?;
    }
    let mut n = 0;
    for (_, check) in all.checks() {
        console::out(&escape_lines(&check.coverage_text()))?;
        n += 1;
    }
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    console::out(&format!("checked {n} crosswalk(s): {errors} error(s), {warnings} warning(s)\n"))?;
    Ok((errors, warnings))
}
