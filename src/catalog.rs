//! The catalog: every decision and form, loaded and validated once, shareable across threads.
//!
//! The shipped rule files are compiled into the library ([`Catalog::embedded`]). Services can load
//! their own folder, or add a decision beside the shipped ones ([`CatalogBuilder`]); a
//! superseding decision is data, not code.

// Input paths: indexing that could panic on user data is not allowed here.
#![deny(clippy::indexing_slicing)]

use crate::date::Date;
use crate::diag::{Diagnostic, DiagnosticKind, did_you_mean, list_names};
use crate::doc;
use crate::error::{AssessmentError, Error, LoadError};
use crate::form::{Decision, Form};
use crate::read::{Limits, Reader, parse};
use crate::validate;
use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::Arc;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));
}

/// Every loaded decision with its forms.
///
/// `Send + Sync` and immutable: build it once, share it (`Arc<Catalog>` or a `static`).
///
/// ```
/// let catalog = ocop_rating::Catalog::embedded()?;
/// let decision = catalog.decision("26/2026/QĐ-TTg").unwrap();
/// assert_eq!(decision.key(), "26-2026");
/// assert!(catalog.forms_of("26-2026").iter().any(|f| f.set() == "01"));
/// # Ok::<(), ocop_rating::LoadError>(())
/// ```
#[derive(Debug)]
pub struct Catalog {
    entries: Vec<Entry>,
    warnings: Vec<Diagnostic>,
}

#[derive(Debug)]
struct Entry {
    decision: Arc<Decision>,
    forms: Vec<Form>,
}

/// One rule file to load: its name (shown in messages), its decision folder, and its bytes.
#[derive(Clone, Debug)]
struct SourceFile {
    name: String,
    folder: String,
    is_decision: bool,
    bytes: Vec<u8>,
}

/// Collects rule files from the embedded set, folders and memory, then validates them together.
///
/// ```
/// use ocop_rating::CatalogBuilder;
/// // The shipped decisions plus one of our own (here a copy of a shipped folder under a new key
/// // would do; see tests/future_decision.rs for a made-up decision scored end to end).
/// let catalog = CatalogBuilder::new().embedded().build()?;
/// assert!(catalog.decisions().count() >= 2);
/// # Ok::<(), ocop_rating::LoadError>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct CatalogBuilder {
    files: Vec<SourceFile>,
    limits: Limits,
    problems: Vec<Diagnostic>,
}

fn is_rule_file(path: &Path) -> bool {
    matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
}

impl CatalogBuilder {
    /// An empty builder with default [`Limits`].
    pub fn new() -> CatalogBuilder {
        CatalogBuilder::default()
    }

    /// Sets the size limits applied to every file.
    pub fn limits(mut self, limits: Limits) -> CatalogBuilder {
        self.limits = limits;
        self
    }

    /// Adds the rule files shipped with the library.
    pub fn embedded(mut self) -> CatalogBuilder {
        for (path, bytes) in embedded::FILES {
            let (folder, file) = path.split_once('/').unwrap_or(("", path));
            self.files.push(SourceFile {
                name: format!("rules/{path}"),
                folder: folder.to_string(),
                is_decision: file == "decision.yaml",
                bytes: bytes.to_vec(),
            });
        }
        self
    }

    /// Adds one file from memory: `folder` is its decision's key, `name` is shown in messages.
    /// A file named `decision.yaml` is the decision file; any other is a form.
    pub fn file(mut self, folder: &str, name: &str, text: impl Into<Vec<u8>>) -> CatalogBuilder {
        let is_decision = Path::new(name).file_name().is_some_and(|f| f == "decision.yaml");
        self.files.push(SourceFile {
            name: name.to_string(),
            folder: folder.to_string(),
            is_decision,
            bytes: text.into(),
        });
        self
    }

    /// Adds a folder: either one decision (it holds `decision.yaml`) or a folder of decision
    /// folders (like `rules/`). `cases/` folders are skipped.
    pub fn dir(mut self, path: impl AsRef<Path>) -> CatalogBuilder {
        let path = path.as_ref();
        if path.join("decision.yaml").is_file() {
            self.add_decision_dir(path);
        } else {
            match sorted_entries(path) {
                Ok(entries) => {
                    let mut found = false;
                    for entry in entries {
                        if entry.join("decision.yaml").is_file() {
                            found = true;
                            self.add_decision_dir(&entry);
                        }
                    }
                    if !found {
                        self.problems.push(
                            Diagnostic::error(
                                DiagnosticKind::Io,
                                "",
                                format!("{} holds no decision folder", path.display()),
                            )
                            .expected("a folder with decision.yaml, or a folder of such folders")
                            .with_file(&path.display().to_string()),
                        );
                    }
                }
                Err(e) => self.problems.push(
                    Diagnostic::error(DiagnosticKind::Io, "", e.to_string())
                        .with_file(&path.display().to_string()),
                ),
            }
        }
        self
    }

    fn add_decision_dir(&mut self, dir: &Path) {
        let folder = dir.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
        let entries = match sorted_entries(dir) {
            Ok(entries) => entries,
            Err(e) => {
                self.problems.push(
                    Diagnostic::error(DiagnosticKind::Io, "", e.to_string())
                        .with_file(&dir.display().to_string()),
                );
                return;
            }
        };
        for path in entries {
            if !path.is_file() || !is_rule_file(&path) {
                continue;
            }
            match std::fs::read(&path) {
                Ok(bytes) => self.files.push(SourceFile {
                    name: path.display().to_string(),
                    folder: folder.clone(),
                    is_decision: path.file_name().is_some_and(|f| f == "decision.yaml"),
                    bytes,
                }),
                Err(e) => self.problems.push(
                    Diagnostic::error(DiagnosticKind::Io, "", e.to_string())
                        .with_file(&path.display().to_string()),
                ),
            }
        }
    }

    /// Validates everything together. Either every file is usable, or the error lists every
    /// problem of every file; nothing is half-loaded.
    pub fn build(self) -> Result<Catalog, LoadError> {
        let mut diagnostics = self.problems;
        let mut folders: Vec<&str> = self.files.iter().map(|f| f.folder.as_str()).collect();
        folders.dedup();
        let mut seen = Vec::new();
        let mut entries: Vec<Entry> = Vec::new();
        for folder in folders {
            if seen.contains(&folder) {
                continue;
            }
            seen.push(folder);
            let files: Vec<&SourceFile> = self.files.iter().filter(|f| f.folder == folder).collect();
            let decisions: Vec<&&SourceFile> = files.iter().filter(|f| f.is_decision).collect();
            let Some(decision_file) = decisions.first() else {
                for f in &files {
                    diagnostics.push(
                        Diagnostic::error(
                            DiagnosticKind::Io,
                            "",
                            format!(
                                "the folder `{folder}` has no decision.yaml, so this form has no decision"
                            ),
                        )
                        .suggest("add the decision file beside the forms (see docs/rule-dsl.md)")
                        .with_file(&f.name),
                    );
                }
                continue;
            };
            if let Some(second) = decisions.get(1) {
                diagnostics.push(
                    Diagnostic::error(
                        DiagnosticKind::DuplicateId,
                        "",
                        format!("decision `{folder}` is given twice (also {})", decision_file.name),
                    )
                    .with_file(&second.name),
                );
                continue;
            }
            let Some((decision, facts, knockouts)) =
                load_decision(decision_file, &self.limits, &mut diagnostics)
            else {
                // Forms of a broken decision are still parsed, so their own problems show too.
                for f in files.iter().filter(|f| !f.is_decision) {
                    load_form_shape(f, &self.limits, &mut diagnostics);
                }
                continue;
            };
            if let Some(other) = entries.iter().find(|e| e.decision.key == decision.key) {
                diagnostics.push(
                    Diagnostic::error(
                        DiagnosticKind::DuplicateId,
                        "decision.key",
                        format!("decision `{}` is already loaded from {}", decision.key, other.decision.file),
                    )
                    .with_file(&decision_file.name),
                );
                continue;
            }
            let form_files: Vec<&SourceFile> = files.iter().filter(|f| !f.is_decision).copied().collect();
            let loaded = map_files(&form_files, |f| {
                let mut found = Vec::new();
                let form = load_form(f, &decision, &facts, &knockouts, &self.limits, &mut found);
                (form, found)
            });
            let mut forms: Vec<Form> = Vec::new();
            for (f, (form, found)) in form_files.iter().zip(loaded) {
                diagnostics.extend(found);
                if let Some(form) = form {
                    if let Some(clash) = forms.iter().find(|x| x.set == form.set && periods_overlap(x, &form))
                    {
                        diagnostics.push(
                            Diagnostic::error(
                                DiagnosticKind::DuplicateId,
                                "form.set",
                                format!(
                                    "set {} of {} is also defined by {} for an overlapping period",
                                    form.set, decision.key, clash.file
                                ),
                            )
                            .suggest("give each version `in_force_from`/`in_force_until` dates that do not overlap")
                            .with_file(&f.name),
                        );
                        continue;
                    }
                    forms.push(form);
                }
            }
            forms.sort_by(|a, b| (a.set.as_str(), a.in_force_from).cmp(&(b.set.as_str(), b.in_force_from)));
            entries.push(Entry { decision, forms });
        }
        for e in &entries {
            for s in &e.decision.supersedes {
                if !entries.iter().any(|x| &x.decision.key == s) {
                    diagnostics.push(
                        Diagnostic::warning(
                            DiagnosticKind::UnknownReference,
                            "decision.supersedes",
                            format!("decision `{s}` that `{}` supersedes is not loaded", e.decision.key),
                        )
                        .with_file(&e.decision.file),
                    );
                }
            }
        }
        entries.sort_by_key(|e| e.decision.in_force_from);
        if diagnostics.iter().any(Diagnostic::is_error) {
            return Err(LoadError::new(diagnostics));
        }
        Ok(Catalog { entries, warnings: diagnostics })
    }
}

/// Loads the form files of one decision: in parallel with the `parallel` feature (parsing YAML is
/// most of the cost of loading), in file order either way, so diagnostics come out the same.
fn map_files<T: Send>(files: &[&SourceFile], load: impl Fn(&SourceFile) -> T + Sync) -> Vec<T> {
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        files.par_iter().map(|f| load(f)).collect()
    }
    #[cfg(not(feature = "parallel"))]
    {
        files.iter().map(|f| load(f)).collect()
    }
}

fn periods_overlap(a: &Form, b: &Form) -> bool {
    let start = |f: &Form| f.in_force_from.unwrap_or(Date::MIN);
    let end = |f: &Form| f.in_force_until.unwrap_or(Date::MAX);
    start(a) <= end(b) && start(b) <= end(a)
}

fn sorted_entries(dir: &Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    let mut out: Vec<_> = std::fs::read_dir(dir)?.filter_map(|e| e.ok().map(|e| e.path())).collect();
    out.sort();
    Ok(out)
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

type DecisionParts = (Arc<Decision>, Vec<doc::FactDoc>, Vec<doc::KnockoutDoc>);

/// Parses a file and runs `read` on it with a reader; every diagnostic goes to `out`.
/// `None` when parsing or `read` found an error.
fn with_reader<T>(
    f: &SourceFile,
    limits: &Limits,
    out: &mut Vec<Diagnostic>,
    read: impl FnOnce(&mut Reader, &serde_yaml::Value) -> Option<T>,
) -> Option<T> {
    let (text, value) = match parse(&f.name, &f.bytes, limits) {
        Ok(ok) => ok,
        Err(d) => {
            out.push(d);
            return None;
        }
    };
    let mut r = Reader::new(&f.name, &text);
    let result = read(&mut r, &value);
    let failed = r.has_errors();
    out.extend(r.into_diagnostics());
    if failed { None } else { result }
}

fn load_decision(f: &SourceFile, limits: &Limits, out: &mut Vec<Diagnostic>) -> Option<DecisionParts> {
    with_reader(f, limits, out, |r, value| {
        doc::read_decision(r, value)
            .and_then(|d| validate::decision(r, &d, Some(&f.folder), sha256_hex(&f.bytes)))
    })
}

fn load_form_shape(f: &SourceFile, limits: &Limits, out: &mut Vec<Diagnostic>) {
    let _ = with_reader(f, limits, out, doc::read_form);
}

fn load_form(
    f: &SourceFile,
    decision: &Arc<Decision>,
    facts: &[doc::FactDoc],
    knockouts: &[doc::KnockoutDoc],
    limits: &Limits,
    out: &mut Vec<Diagnostic>,
) -> Option<Form> {
    with_reader(f, limits, out, |r, value| {
        let form = doc::read_form(r, value);
        // Semantic checks only on a document whose shape is sound.
        if r.has_errors() {
            return None;
        }
        form.and_then(|d| validate::form(r, &d, decision, facts, knockouts, sha256_hex(&f.bytes)))
    })
}

/// Normalises a decision reference: `26/2026/QĐ-TTg`, `26/2026/qd-ttg` and `26-2026` compare
/// by digits and letters, with Đ read as D.
fn normalise(reference: &str) -> String {
    reference
        .chars()
        .filter(|c| c.is_alphanumeric())
        .map(|c| if c == 'Đ' || c == 'đ' { 'd' } else { c.to_ascii_lowercase() })
        .collect()
}

impl Catalog {
    /// The rule files shipped with the library, validated. Cheap enough to call at start-up
    /// (a few milliseconds); keep the result.
    pub fn embedded() -> Result<Catalog, LoadError> {
        CatalogBuilder::new().embedded().build()
    }

    /// Loads a folder of rule files (see [`CatalogBuilder::dir`]) without the shipped ones.
    pub fn load_dir(path: impl AsRef<Path>) -> Result<Catalog, Error> {
        Ok(CatalogBuilder::new().dir(path).build()?)
    }

    /// Warnings found while loading (printed anomalies of the law, and the like).
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// Decisions, oldest first.
    pub fn decisions(&self) -> impl Iterator<Item = &Decision> {
        self.entries.iter().map(|e| &*e.decision)
    }

    /// A decision by key (`26-2026`) or official number (`26/2026/QĐ-TTg`).
    pub fn decision(&self, reference: &str) -> Option<&Decision> {
        let want = normalise(reference);
        self.entries
            .iter()
            .map(|e| &*e.decision)
            .find(|d| normalise(&d.key) == want || normalise(&d.number) == want)
    }

    /// The forms of a decision (every version), by set.
    pub fn forms_of(&self, decision: &str) -> &[Form] {
        let Some(d) = self.decision(decision) else { return &[] };
        self.entries.iter().find(|e| e.decision.key == d.key).map(|e| e.forms.as_slice()).unwrap_or(&[])
    }

    /// Every form of every decision.
    pub fn forms(&self) -> impl Iterator<Item = &Form> {
        self.entries.iter().flat_map(|e| e.forms.iter())
    }

    /// The form of `set` under `decision` (key or number). When the decision has several
    /// versions of the set, `on` (the lodging date) picks the one in force.
    pub fn form(&self, decision: &str, set: &str, on: Option<Date>) -> Result<&Form, AssessmentError> {
        let one = |d: Diagnostic| AssessmentError::new(vec![d]);
        let Some(d) = self.decision(decision) else {
            let keys: Vec<String> = self.decisions().map(|d| format!("{} ({})", d.key, d.number)).collect();
            let plain: Vec<&str> = self.decisions().map(|d| d.key.as_str()).collect();
            return Err(one(Diagnostic::error(
                DiagnosticKind::NoApplicableForm,
                "decision",
                format!("unknown decision `{decision}`"),
            )
            .expected(format!("one of {}", list_names(&keys, 10)))
            .suggest_opt(did_you_mean(decision, plain.iter().copied()))));
        };
        let forms: Vec<&Form> = self.forms_of(&d.key).iter().filter(|f| f.set == set).collect();
        if forms.is_empty() {
            let sets: Vec<String> = {
                let mut s: Vec<String> = self.forms_of(&d.key).iter().map(|f| f.set.clone()).collect();
                s.dedup();
                s
            };
            return Err(one(Diagnostic::error(
                DiagnosticKind::NoApplicableForm,
                "set",
                format!("decision {} has no form for set `{set}`", d.key),
            )
            .expected(format!("a two-digit set: {}", list_names(&sets, 30)))
            .suggest_opt(did_you_mean(set, sets.iter().map(String::as_str)))));
        }
        match on {
            Some(date) => forms.iter().copied().find(|f| f.in_force_on(date)).ok_or_else(|| {
                let periods: Vec<String> =
                    forms.iter().map(|f| period(f.in_force_from, f.in_force_until)).collect();
                one(Diagnostic::error(
                    DiagnosticKind::NoApplicableForm,
                    "lodged_on",
                    format!("no version of set {set} of {} applies on {date}", d.key),
                )
                .expected(format!("a date in {}", list_names(&periods, 5))))
            }),
            None if forms.len() == 1 => {
                forms.first().copied().ok_or_else(|| AssessmentError::new(Vec::new()))
            }
            None => {
                let periods: Vec<String> =
                    forms.iter().map(|f| period(f.in_force_from, f.in_force_until)).collect();
                Err(one(Diagnostic::error(
                    DiagnosticKind::NoApplicableForm,
                    "set",
                    format!("set {set} of {} has {} versions", d.key, forms.len()),
                )
                .expected(format!("`lodged_on` to choose between {}", list_names(&periods, 5)))))
            }
        }
    }

    /// The decision that applies to a dossier lodged on `lodged_on` and (optionally) evaluated
    /// on `evaluated_on`: the latest decision in force on the lodging date. When a later
    /// decision's transition (26/2026 Điều 12.2) bounds how long the old rules may be used, an
    /// evaluation after that deadline is an error.
    pub fn decision_on(
        &self,
        lodged_on: Date,
        evaluated_on: Option<Date>,
        re_evaluation: bool,
    ) -> Result<&Decision, Diagnostic> {
        let Some(decision) =
            self.decisions().filter(|d| d.in_force_on(lodged_on)).max_by_key(|d| d.in_force_from)
        else {
            let periods: Vec<String> = self
                .decisions()
                .map(|d| format!("{} {}", d.key, period(Some(d.in_force_from), d.in_force_until)))
                .collect();
            return Err(Diagnostic::error(
                DiagnosticKind::NoApplicableForm,
                "lodged_on",
                format!("no decision is in force on {lodged_on}"),
            )
            .expected(format!("a date in force: {}", list_names(&periods, 10))));
        };
        if let Some(evaluated) = evaluated_on {
            if evaluated < lodged_on {
                return Err(Diagnostic::error(
                    DiagnosticKind::InvalidValue,
                    "evaluated_on",
                    format!("evaluated on {evaluated}, before the dossier was lodged on {lodged_on}"),
                )
                .expected(format!("a date on or after {lodged_on}")));
            }
            for successor in self.decisions().filter(|s| s.supersedes.contains(&decision.key)) {
                let Some(t) = &successor.transition else { continue };
                if lodged_on >= t.lodged_before {
                    continue;
                }
                let days = if re_evaluation { t.re_evaluation_days } else { t.first_rating_days };
                let deadline = t.lodged_before.add_days(i64::from(days));
                if evaluated > deadline {
                    return Err(Diagnostic::error(
                        DiagnosticKind::NoApplicableForm,
                        "evaluated_on",
                        format!(
                            "a dossier lodged on {lodged_on} under {} had to be {} by {deadline} ({} days from {}, {}); \
                             it was evaluated on {evaluated}",
                            decision.key,
                            if re_evaluation { "re-evaluated" } else { "rated" },
                            days,
                            t.lodged_before,
                            t.source
                        ),
                    )
                    .expected(format!("evaluated_on no later than {deadline}"))
                    .suggest(format!("re-lodge the dossier under {}", successor.key)));
                }
            }
        }
        Ok(decision)
    }
}

fn period(from: Option<Date>, until: Option<Date>) -> String {
    match (from, until) {
        (Some(f), Some(u)) => format!("{f}..{u}"),
        (Some(f), None) => format!("from {f}"),
        (None, Some(u)) => format!("until {u}"),
        (None, None) => "always".into(),
    }
}

impl Diagnostic {
    pub(crate) fn with_file(mut self, file: &str) -> Diagnostic {
        self.file = file.to_string();
        self
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn decision_references_normalise() {
        assert_eq!(normalise("26/2026/QĐ-TTg"), normalise("26/2026/qd-ttg"));
        assert_ne!(normalise("26-2026"), normalise("26/2026/QĐ-TTg"));
    }

    #[test]
    fn catalog_is_shareable() {
        fn shareable<T: Send + Sync>() {}
        shareable::<Catalog>();
    }
}
