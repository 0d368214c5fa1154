//! Rule-file regression cases: an assessment and the result the law gives, worked out by hand.
//!
//! Case files live in `rules/<decision>/cases/` (format: `docs/cases.md`). [`run_path`] runs
//! every case under a folder against a catalog; `ocop test` and the integration test
//! `tests/rule_cases.rs` both use it.
//!
//! ```
//! let catalog = ocop_rating::Catalog::embedded()?;
//! let results = ocop_rating::cases::run_path(&catalog, "rules/26-2026/cases");
//! assert!(!results.is_empty());
//! assert!(results.iter().all(|r| r.passed()), "{}", ocop_rating::cases::report(&results));
//! # Ok::<(), ocop_rating::LoadError>(())
//! ```

// Input paths: indexing that could panic on user data is not allowed here.
#![deny(clippy::indexing_slicing)]

use crate::advise::{self, Advice, AdviceStatus, AnswerText};
use crate::assessment::Assessment;
use crate::catalog::Catalog;
use crate::diag::{Diagnostic, DiagnosticKind, did_you_mean, render_all};
use crate::locate::DocPath;
use crate::points::Points;
use crate::read::{Limits, Reader, parse, read_file, scalar_text};
use serde_yaml::Value;
use std::collections::HashSet;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// One expected field that differs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    /// `total`, `parts.A`, `band_stars`, `stars`, `disqualified`, `limited_by`, `stopped_at`,
    /// `requirements_unmet`, `advice.status`, `advice.changes`, `advice.total`, `advice.stars`.
    pub field: String,
    /// As the case expects.
    pub expected: String,
    /// As scored.
    pub actual: String,
}

/// The result of one case file.
#[derive(Clone, Debug)]
pub struct CaseResult {
    /// The case file.
    pub file: String,
    /// Its `name`.
    pub name: String,
    /// Fields that differ from what the case expects.
    pub mismatches: Vec<Mismatch>,
    /// Problems that kept the case from running (bad case file, assessment errors).
    pub problems: Vec<Diagnostic>,
    /// The trace lines with points, for explaining a failure.
    pub explanation: String,
}

impl CaseResult {
    /// Whether the case ran and every expected field matched.
    pub fn passed(&self) -> bool {
        self.mismatches.is_empty() && self.problems.is_empty()
    }
}

#[derive(Default)]
struct Expect {
    total: Option<Points>,
    parts: Vec<(String, Points)>,
    band_stars: Option<u8>,
    stars: Option<Option<u8>>,
    disqualified: Option<Option<String>>,
    limited_by: Option<Vec<String>>,
    stopped_at: Option<Option<String>>,
    requirements_unmet: Option<Vec<String>>,
    advice: Option<ExpectAdvice>,
}

/// `expect.advice`: the upgrade advice the case expects (`docs/cases.md`, "Expected advice").
#[derive(Default)]
struct ExpectAdvice {
    /// The target class; `None`: the advisor's default (the next class).
    to: Option<u8>,
    /// `reached`, `plan` or `unreachable` (required; `None` only after an error was reported).
    status: Option<&'static str>,
    /// The best plan's changes in form order, normalised (`1.2 a→b`).
    changes: Option<Vec<String>>,
    /// The plan's new total.
    total: Option<Points>,
    /// The class the plan reaches.
    stars: Option<u8>,
}

/// The advice statuses as a case writes them.
const ADVICE_STATUSES: [&str; 3] = ["reached", "plan", "unreachable"];

/// Finds every case file under `path` (a case file, a `cases/` folder, a decision folder or
/// `rules/`), in name order.
///
/// Symbolic links to folders are followed, but each folder is visited once (by its canonical
/// path), so links that loop (`cases/a -> .`) end the walk instead of trapping it. A path that
/// is not a folder is returned as it is, so that running it reports what is wrong with it.
pub fn find(path: impl AsRef<Path>) -> Vec<PathBuf> {
    let path = path.as_ref();
    let mut out = Vec::new();
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => {
            let mut visited = HashSet::new();
            walk(path, &mut visited, &mut out);
        }
        Ok(_) => out.push(path.to_path_buf()),
        Err(_) => {}
    }
    out
}

fn walk(dir: &Path, visited: &mut HashSet<PathBuf>, out: &mut Vec<PathBuf>) {
    // A folder already seen (through a link, or a link to a parent) is not entered again.
    let Ok(canonical) = std::fs::canonicalize(dir) else { return };
    if !visited.insert(canonical) {
        return;
    }
    let in_cases = dir.file_name().is_some_and(|n| n == "cases");
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for entry in entries {
        if entry.is_dir() {
            walk(&entry, visited, out);
        } else if in_cases
            && entry
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"))
        {
            out.push(entry);
        }
    }
}

/// Runs every case found under `path`.
pub fn run_path(catalog: &Catalog, path: impl AsRef<Path>) -> Vec<CaseResult> {
    find(path).iter().map(|p| run_file(catalog, p)).collect()
}

/// Runs one case file.
pub fn run_file(catalog: &Catalog, path: &Path) -> CaseResult {
    let file = path.display().to_string();
    // At most Limits::max_bytes are read, whatever the file is (/dev/zero, a pipe, a folder).
    match read_file(path, Limits::default().max_bytes) {
        Ok(bytes) => run_bytes(catalog, &file, &bytes),
        Err(d) => CaseResult {
            name: String::new(),
            mismatches: Vec::new(),
            problems: vec![d],
            explanation: String::new(),
            file,
        },
    }
}

/// Runs one case given as bytes; `file` names it in messages.
pub fn run_bytes(catalog: &Catalog, file: &str, bytes: &[u8]) -> CaseResult {
    let mut result = CaseResult {
        file: file.to_string(),
        name: String::new(),
        mismatches: Vec::new(),
        problems: Vec::new(),
        explanation: String::new(),
    };
    let (text, value) = match parse(file, bytes, &Limits::default()) {
        Ok(ok) => ok,
        Err(d) => {
            result.problems.push(d);
            return result;
        }
    };
    let mut r = Reader::new(file, &text);
    let root = DocPath::root();
    let Some(o) = r.object(&value, &root, "a case file", &["name", "assessment", "expect"], &["notes"])
    else {
        result.problems = r.into_diagnostics();
        return result;
    };
    result.name = o.text(&mut r, "name").unwrap_or_default();
    let assessment =
        o.get("assessment").and_then(|v| Assessment::from_value(&mut r, v, &o.at("assessment"), file, &text));
    let expect = o.get("expect").map(|v| read_expect(&mut r, v, &o.at("expect"))).unwrap_or_default();
    if r.has_errors() {
        result.problems = r.into_diagnostics();
        return result;
    }
    let Some(assessment) = assessment else { return result };
    let scored = match catalog.score(&assessment) {
        Ok(s) => s,
        Err(e) => {
            result.problems = e.diagnostics().to_vec();
            return result;
        }
    };
    let outcome = scored.outcome();
    // The advice is asked for only when the case pins it; an error (none expected once the
    // assessment scored) is the case's problem, reported with the others.
    let advice: Option<Advice> = match &expect.advice {
        Some(e) => match advise::advise_scored(&scored, e.to) {
            Ok(a) => Some(a),
            Err(err) => {
                result.problems.extend(err.diagnostics().iter().cloned());
                None
            }
        },
        None => None,
    };
    let mut check = |field: &str, expected: String, actual: String| {
        if expected != actual {
            result.mismatches.push(Mismatch { field: field.to_string(), expected, actual });
        }
    };
    if let Some(total) = expect.total {
        check("total", total.to_decimal().to_string(), outcome.total().to_string());
    }
    for (id, points) in &expect.parts {
        let actual =
            outcome.parts().find(|(p, _)| p == id).map(|(_, m)| m.to_decimal().normalize().to_string());
        check(
            &format!("parts.{id}"),
            points.to_decimal().to_string(),
            actual.unwrap_or_else(|| "(no such part)".into()),
        );
    }
    if let Some(band) = expect.band_stars {
        check("band_stars", band.to_string(), outcome.band_stars().to_string());
    }
    let show = |s: Option<u8>| s.map_or("null".to_string(), |s| s.to_string());
    if let Some(stars) = expect.stars {
        check("stars", show(stars), show(outcome.stars()));
    }
    if let Some(d) = &expect.disqualified {
        check(
            "disqualified",
            d.clone().unwrap_or_else(|| "null".into()),
            outcome.disqualified().map_or("null".to_string(), |k| k.id().to_string()),
        );
    }
    if let Some(expected) = &expect.limited_by {
        let mut actual: Vec<String> = outcome.limited_by().map(|l| l.criterion.id().to_string()).collect();
        actual.dedup();
        check("limited_by", format!("[{}]", expected.join(", ")), format!("[{}]", actual.join(", ")));
    }
    if let Some(expected) = &expect.stopped_at {
        check(
            "stopped_at",
            expected.clone().unwrap_or_else(|| "null".into()),
            outcome.stopped().map_or("null".to_string(), |s| s.criterion.id().to_string()),
        );
    }
    if let Some(expected) = &expect.requirements_unmet {
        let actual: Vec<String> = match scored.trace() {
            Ok(trace) => trace
                .lines()
                .filter(|l| l.cells.iter().any(|c| c.status == crate::score::Status::RequirementUnmet))
                .map(|l| l.criterion.id().to_string())
                .collect(),
            Err(e) => vec![format!("(no trace: {e})")],
        };
        check("requirements_unmet", format!("[{}]", expected.join(", ")), format!("[{}]", actual.join(", ")));
    }
    if let (Some(expected), Some(advice)) = (&expect.advice, &advice) {
        if let Some(status) = expected.status {
            check("advice.status", status.to_string(), status_name(advice.status).to_string());
        }
        if let Some(changes) = &expected.changes {
            let actual: Vec<String> = advice
                .plan
                .iter()
                .flat_map(|p| &p.changes)
                .map(|c| change_text(&c.criterion, &c.from, &c.to))
                .collect();
            check("advice.changes", format!("[{}]", changes.join(", ")), format!("[{}]", actual.join(", ")));
        }
        if let Some(total) = expected.total {
            // With no plan (reached, or nothing reachable above the start) the product stays
            // where the advice starts.
            let actual = advice.plan.as_ref().map_or(advice.start.total, |p| p.total);
            check("advice.total", total.to_decimal().to_string(), actual.normalize().to_string());
        }
        if let Some(stars) = expected.stars {
            let actual = advice.plan.as_ref().map_or(advice.start.stars, |p| Some(p.stars));
            check("advice.stars", stars.to_string(), show(actual));
        }
    }
    if !result.mismatches.is_empty()
        && let Ok(trace) = scored.trace()
    {
        for line in trace.lines() {
            let _ = write!(
                result.explanation,
                "  {} {} = {}/{}",
                line.criterion.id(),
                line.answer_text(0),
                line.mean,
                line.criterion.max()
            );
            if let Some(reason) = line.reason_zero(0) {
                let _ = write!(result.explanation, " ({reason})");
            }
            result.explanation.push('\n');
        }
        let _ = writeln!(result.explanation, "  verdict: {}", crate::render::verdict(outcome));
        if let Some(advice) = &advice
            && result.mismatches.iter().any(|m| m.field.starts_with("advice."))
        {
            let _ = writeln!(result.explanation, "  advice: {}", advise::summary(advice));
        }
    }
    result
}

/// An advice status as a case writes it.
fn status_name(status: AdviceStatus) -> &'static str {
    match status {
        AdviceStatus::Reached => "reached",
        AdviceStatus::Plan => "plan",
        AdviceStatus::Unreachable => "unreachable",
    }
}

/// One answer as a change writes it: its keys joined by `+`, or `none`.
fn answer_keys(a: &AnswerText) -> String {
    if a.keys.is_empty() { "none".to_string() } else { a.keys.join("+") }
}

/// A change as a case writes it: `1.2 a→b`, `1.2 a/b→c` (a council's differing answers, in the
/// order of the first member giving each), `4 a→a+c` (cumulative).
fn change_text(criterion: &str, from: &[AnswerText], to: &AnswerText) -> String {
    let from: Vec<String> = from.iter().map(answer_keys).collect();
    format!("{criterion} {}→{}", from.join("/"), answer_keys(to))
}

/// A change as written in a case, normalised: `->` read as `→`, no space around the arrow, runs
/// of spaces as one. `None` when it is not of the form `id from→to`.
fn normalise_change(written: &str) -> Option<String> {
    let text = written.replace("->", "→");
    let (left, right) = text.split_once('→')?;
    let left: Vec<&str> = left.split_whitespace().collect();
    let right: Vec<&str> = right.split_whitespace().collect();
    match (left.as_slice(), right.as_slice()) {
        ([id, from], [to]) if !right.concat().contains('→') => Some(format!("{id} {from}→{to}")),
        _ => None,
    }
}

fn read_expect(r: &mut Reader, v: &Value, path: &DocPath) -> Expect {
    let mut e = Expect::default();
    let Some(o) = r.object(
        v,
        path,
        "the expected result",
        &["total", "stars"],
        &["parts", "band_stars", "disqualified", "limited_by", "stopped_at", "requirements_unmet", "advice"],
    ) else {
        return e;
    };
    e.total = o.points(r, "total", "the total");
    if let Some(v) = o.get("parts") {
        for (id, v) in r.id_map(v, &o.at("parts"), "part") {
            if let Some(p) = r.points(v, &o.at("parts").key(&id), "a part total") {
                e.parts.push((id, p));
            }
        }
    }
    e.band_stars =
        o.get("band_stars").and_then(|v| r.integer(v, &o.at("band_stars"), "stars", 0, 5)).map(|s| s as u8);
    e.stars = match o.get("stars") {
        Some(Value::Null) => Some(None),
        Some(v) => r.integer(v, &o.at("stars"), "stars", 0, 5).map(|s| Some(s as u8)),
        None => None,
    };
    e.disqualified = match o.get("disqualified") {
        Some(Value::Null) => Some(None),
        Some(v) => scalar_text(v).map(Some),
        None => None,
    };
    e.limited_by = o.get("limited_by").and_then(|v| r.ids(v, &o.at("limited_by"), "criterion id"));
    e.stopped_at = match o.get("stopped_at") {
        Some(Value::Null) => Some(None),
        Some(v) => scalar_text(v).map(Some),
        None => None,
    };
    e.requirements_unmet =
        o.get("requirements_unmet").and_then(|v| r.ids(v, &o.at("requirements_unmet"), "criterion id"));
    e.advice = o.get("advice").map(|v| read_advice(r, v, &o.at("advice")));
    e
}

/// `expect.advice`: every field but `status` optional.
fn read_advice(r: &mut Reader, v: &Value, path: &DocPath) -> ExpectAdvice {
    let mut e = ExpectAdvice::default();
    let Some(o) = r.object(v, path, "the expected advice", &["status"], &["to", "changes", "total", "stars"])
    else {
        return e;
    };
    e.to = o.get("to").and_then(|v| r.integer(v, &o.at("to"), "the target class", 1, 5)).map(|s| s as u8);
    if let Some(v) = o.get("status")
        && let Some(status) = r.text(v, &o.at("status"))
    {
        e.status = ADVICE_STATUSES.iter().copied().find(|s| *s == status);
        if e.status.is_none() {
            let d = Diagnostic::error(
                DiagnosticKind::InvalidValue,
                "",
                format!("unknown advice status `{status}`"),
            )
            .expected("reached, plan or unreachable")
            .suggest_opt(did_you_mean(&status, ADVICE_STATUSES));
            r.push(&o.at("status"), d);
        }
    }
    if let Some(v) = o.get("changes")
        && let Some(written) = r.texts(v, &o.at("changes"))
    {
        let mut changes = Vec::new();
        for (i, w) in written.iter().enumerate() {
            match normalise_change(w) {
                Some(c) => changes.push(c),
                None => {
                    let d =
                        Diagnostic::error(DiagnosticKind::InvalidValue, "", format!("`{w}` is not a change"))
                            .expected(
                                "a change `id from→to`, e.g. `1.2 a→b` (`->` also), `1.2 a/b→c`, `4 a→a+c`",
                            );
                    r.push(&o.at("changes").index(i), d);
                }
            }
        }
        e.changes = Some(changes);
    }
    e.total = o.get("total").and_then(|v| r.points(v, &o.at("total"), "the plan's total"));
    e.stars = o.get("stars").and_then(|v| r.integer(v, &o.at("stars"), "stars", 0, 5)).map(|s| s as u8);
    e
}

/// A readable report: one line per passing case, a diff for each failing one, and a summary.
pub fn report(results: &[CaseResult]) -> String {
    let mut out = String::new();
    for r in results {
        if r.passed() {
            let _ = writeln!(out, "ok    {}  {}", r.file, r.name);
            continue;
        }
        let _ = writeln!(out, "FAIL  {}  {}", r.file, r.name);
        for m in &r.mismatches {
            let _ = writeln!(out, "      {}: expected {}, got {}", m.field, m.expected, m.actual);
        }
        if !r.problems.is_empty() {
            for line in render_all(&r.problems).lines() {
                let _ = writeln!(out, "      {line}");
            }
        }
        if !r.explanation.is_empty() {
            let _ = writeln!(out, "      scored as:");
            out.push_str(&r.explanation);
        }
    }
    let failed = results.iter().filter(|r| !r.passed()).count();
    let _ = writeln!(out, "{} case(s): {} passed, {} failed", results.len(), results.len() - failed, failed);
    out
}
