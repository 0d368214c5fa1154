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
use crate::locate::{DocPath, Locations};
use crate::read::{Limits, Reader, parse, read_file};
use crate::{timeline, validate};
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, OnceLock};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));
}

/// What build.rs read of a shipped form file: `form.set` and its dates, as written. Enough to
/// find the form of an assessment without compiling the others; checked against the compiled
/// form on first use.
#[derive(Clone, Copy, Debug)]
struct FormIndex {
    set: &'static str,
    from: Option<&'static str>,
    until: Option<&'static str>,
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
    /// The warnings of loading (all of them when every form was compiled at once).
    warnings: Vec<Diagnostic>,
    /// With forms compiled on first use: the loading warnings plus those of every form, gathered
    /// when first asked for.
    all_warnings: OnceLock<Vec<Diagnostic>>,
}

/// A decision, what its forms need to compile, and its forms.
#[derive(Debug)]
struct Entry {
    decision: Arc<Decision>,
    /// The last day a dossier is lodged under this decision: its own end, or the day before a
    /// loaded decision that supersedes it starts (ruling 12).
    lodging_until: Option<Date>,
    facts: Vec<doc::FactDoc>,
    knockouts: Vec<doc::KnockoutDoc>,
    limits: Limits,
    /// Every form file, by set and then start date: what [`Catalog::form`] searches.
    slots: Vec<Slot>,
    /// Every form, in the order of `slots` (compiled when loaded, or on the first call to
    /// [`Catalog::forms_of`] for the embedded catalog), with the diagnostics of compiling them.
    all: OnceLock<(Vec<Form>, Vec<Diagnostic>)>,
}

/// One form file of a decision: where it applies, and (for forms compiled on first use) its
/// source and the compiled form.
#[derive(Debug)]
struct Slot {
    set: String,
    in_force_from: Option<Date>,
    in_force_until: Option<Date>,
    /// `Some` for a form compiled on first use.
    source: Option<SourceFile>,
    compiled: OnceLock<Result<Form, Vec<Diagnostic>>>,
}

/// When the forms of a catalog are compiled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Compile {
    /// All of them, while loading: every error is reported by [`CatalogBuilder::build`].
    Now,
    /// Each on first use: only the shipped forms, which tests prove valid.
    OnFirstUse,
}

/// One rule file to load: its name (shown in messages), its decision folder, and its bytes.
#[derive(Clone, Debug)]
struct SourceFile {
    name: String,
    folder: String,
    is_decision: bool,
    bytes: Cow<'static, [u8]>,
    /// For a shipped form: its set and dates, read by build.rs.
    index: Option<FormIndex>,
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

/// A `.yaml` or `.yml` file, in any case (`01.YAML` is not skipped in silence).
fn is_rule_file(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"))
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
        for (path, bytes, index) in embedded::FILES {
            let (folder, file) = path.split_once('/').unwrap_or(("", path));
            self.files.push(SourceFile {
                name: format!("rules/{path}"),
                folder: folder.to_string(),
                is_decision: file == "decision.yaml",
                bytes: Cow::Borrowed(bytes),
                index: *index,
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
            bytes: Cow::Owned(text.into()),
            index: None,
        });
        self
    }

    /// Adds a folder: either one decision (it holds `decision.yaml`) or a folder of decision
    /// folders (like `rules/`). `cases/` folders are skipped.
    ///
    /// Every problem of the folders is reported when the catalog is built, never skipped in
    /// silence: a sub-folder that holds rule files (or `cases/`) but no `decision.yaml` (a
    /// misspelled `decison.yaml`, a `decision.yml`), a `decision.yaml` that is a folder, a
    /// dangling link or unreadable, and any rule file that cannot be read or is larger than
    /// [`Limits::max_bytes`] (files are read with at most that many bytes, whatever they are).
    /// Folders whose name starts with `.` are ignored. The listing goes two levels deep at most
    /// (`rules/<decision>/<file>`), so symbolic links are followed: a link loop cannot trap it.
    /// Set [`CatalogBuilder::limits`] before adding folders: files are read when added.
    pub fn dir(mut self, path: impl AsRef<Path>) -> CatalogBuilder {
        let path = path.as_ref();
        let shown = path.display().to_string();
        match std::fs::metadata(path) {
            Err(e) => {
                self.problems.push(
                    Diagnostic::error(DiagnosticKind::Io, "", format!("cannot read the folder: {e}"))
                        .expected("a decision folder (holding decision.yaml) or a folder of them")
                        .with_file(&shown),
                );
                return self;
            }
            Ok(m) if !m.is_dir() => {
                self.problems.push(
                    Diagnostic::error(DiagnosticKind::Io, "", "is not a folder")
                        .expected("a decision folder (holding decision.yaml) or a folder of them")
                        .with_file(&shown),
                );
                return self;
            }
            Ok(_) => {}
        }
        if has_entry(path, "decision.yaml") {
            self.add_decision_dir(path);
            return self;
        }
        let entries = match sorted_entries(path) {
            Ok(entries) => entries,
            Err(e) => {
                self.problems
                    .push(Diagnostic::error(DiagnosticKind::Io, "", e.to_string()).with_file(&shown));
                return self;
            }
        };
        let (mut found, mut reported) = (false, false);
        for entry in entries {
            if name_of(&entry).starts_with('.') || !entry.is_dir() {
                continue;
            }
            if has_entry(&entry, "decision.yaml") {
                found = true;
                self.add_decision_dir(&entry);
            } else if let Some(d) = missing_decision(&entry) {
                reported = true;
                self.problems.push(d);
            }
        }
        if !found && !reported {
            let d = missing_decision(path).unwrap_or_else(|| {
                Diagnostic::error(DiagnosticKind::Io, "", format!("{shown} holds no decision folder"))
                    .expected("a folder with decision.yaml, or a folder of such folders")
                    .with_file(&shown)
            });
            self.problems.push(d);
        }
        self
    }

    fn add_decision_dir(&mut self, dir: &Path) {
        let folder = name_of(dir);
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
        let mut files = Vec::new();
        for path in entries {
            if !is_rule_file(&path) {
                continue;
            }
            let is_decision = name_of(&path) == "decision.yaml";
            match read_file(&path, self.limits.max_bytes) {
                Ok(bytes) => files.push(SourceFile {
                    name: path.display().to_string(),
                    folder: folder.clone(),
                    is_decision,
                    bytes: Cow::Owned(bytes),
                    index: None,
                }),
                Err(d) if is_decision => {
                    // Without its decision file, nothing of the folder can be loaded.
                    let message = format!(
                        "the decision file {}; decision `{folder}` and its forms are not loaded",
                        d.message
                    );
                    let d = Diagnostic { message, ..d }
                        .expected(format!(
                            "a readable file `decision.yaml` in the folder `{}` (docs/rule-dsl.md)",
                            dir.display()
                        ))
                        .suggest(
                            "put the decision file itself there (not a folder, a pipe or a link to nothing)",
                        );
                    self.problems.push(d);
                    return;
                }
                Err(d) => self.problems.push(d),
            }
        }
        self.files.extend(files);
    }

    /// Validates everything together. Either every file is usable, or the error lists every
    /// problem of every file; nothing is half-loaded.
    pub fn build(self) -> Result<Catalog, LoadError> {
        self.build_as(Compile::Now)
    }

    fn build_as(self, compile: Compile) -> Result<Catalog, LoadError> {
        let mut diagnostics = self.problems;
        let mut entries: Vec<Entry> = Vec::new();
        // Every loaded key and number, reduced (see `normalise`): (entry, field, as written).
        let mut references: HashMap<String, (usize, &'static str, String)> = HashMap::new();
        for (folder, files) in by_folder(&self.files) {
            let Some(decision_file) = decision_file(folder, &files, &mut diagnostics) else { continue };
            let Some((decision, facts, knockouts)) =
                load_decision(decision_file, &self.limits, &mut diagnostics)
            else {
                // Forms of a broken decision are still parsed, so their own problems show too.
                for f in files.iter().filter(|f| !f.is_decision) {
                    load_form_shape(f, &self.limits, &mut diagnostics);
                }
                continue;
            };
            if let Some(d) = clash(&entries, &references, &decision, decision_file) {
                diagnostics.push(d);
                continue;
            }
            for (field, value) in [("key", &decision.key), ("number", &decision.number)] {
                references.entry(normalise(value)).or_insert((entries.len(), field, value.clone()));
            }
            let form_files: Vec<&SourceFile> = files.iter().filter(|f| !f.is_decision).copied().collect();
            let mut entry = Entry {
                lodging_until: decision.in_force_until,
                decision,
                facts,
                knockouts,
                limits: self.limits,
                slots: Vec::new(),
                all: OnceLock::new(),
            };
            entry.load_forms(&form_files, compile, &mut diagnostics);
            entries.push(entry);
        }
        apply_timeline(&mut entries, &self.files, &mut diagnostics);
        entries.sort_by_key(|e| e.decision.in_force_from);
        if diagnostics.iter().any(Diagnostic::is_error) {
            return Err(LoadError::new(diagnostics));
        }
        let all_warnings = match compile {
            Compile::Now => OnceLock::from(diagnostics.clone()),
            Compile::OnFirstUse => OnceLock::new(),
        };
        Ok(Catalog { entries, warnings: diagnostics, all_warnings })
    }
}

/// The files by decision folder, folders in the order first seen (linear in the number of files).
fn by_folder(files: &[SourceFile]) -> Vec<(&str, Vec<&SourceFile>)> {
    let mut folders: Vec<(&str, Vec<&SourceFile>)> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for f in files {
        let i = *index.entry(f.folder.as_str()).or_insert_with(|| {
            folders.push((f.folder.as_str(), Vec::new()));
            folders.len() - 1
        });
        if let Some((_, list)) = folders.get_mut(i) {
            list.push(f);
        }
    }
    folders
}

/// The one decision file of a folder; `None`, with the error, when it has none or two.
fn decision_file<'f>(
    folder: &str,
    files: &[&'f SourceFile],
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<&'f SourceFile> {
    let decisions: Vec<&SourceFile> = files.iter().filter(|f| f.is_decision).copied().collect();
    let Some(first) = decisions.first() else {
        for f in files {
            diagnostics.push(
                Diagnostic::error(
                    DiagnosticKind::Io,
                    "",
                    format!("the folder `{folder}` has no decision.yaml, so this form has no decision"),
                )
                .suggest("add the decision file beside the forms (see docs/rule-dsl.md)")
                .with_file(&f.name),
            );
        }
        return None;
    };
    if let Some(second) = decisions.get(1) {
        diagnostics.push(
            Diagnostic::error(
                DiagnosticKind::DuplicateId,
                "",
                format!("decision `{folder}` is given twice (also {})", first.name),
            )
            .with_file(&second.name),
        );
        return None;
    }
    Some(first)
}

/// Checks the timeline of every loaded decision (ruling 12) and sets each one's lodging period.
fn apply_timeline(entries: &mut [Entry], files: &[SourceFile], diagnostics: &mut Vec<Diagnostic>) {
    let decisions: Vec<&Decision> = entries.iter().map(|e| &*e.decision).collect();
    for finding in timeline::check(&decisions) {
        diagnostics.push(located(files, &finding.file, &finding.path, finding.diagnostic));
    }
    let untils: Vec<Option<Date>> =
        decisions.iter().map(|d| timeline::lodging_until(d, &decisions)).collect();
    for (e, until) in entries.iter_mut().zip(untils) {
        e.lodging_until = until;
    }
}

impl Slot {
    /// The slot of a compiled form.
    fn of(form: &Form) -> Slot {
        Slot {
            set: form.set.clone(),
            in_force_from: form.in_force_from,
            in_force_until: form.in_force_until,
            source: None,
            compiled: OnceLock::new(),
        }
    }

    /// The slot of a shipped form, from build.rs's index; `None` when the file has no index or
    /// its dates do not read (the folder is then compiled at once, which reports why).
    fn indexed(f: &SourceFile) -> Option<Slot> {
        let index = f.index?;
        let date = |text: Option<&str>| -> Option<Option<Date>> {
            text.map_or(Some(None), |t| t.parse::<Date>().ok().map(Some))
        };
        Some(Slot {
            set: index.set.to_string(),
            in_force_from: date(index.from)?,
            in_force_until: date(index.until)?,
            source: Some(f.clone()),
            compiled: OnceLock::new(),
        })
    }

    fn in_force_on(&self, date: Date) -> bool {
        self.in_force_from.is_none_or(|from| from <= date) && self.in_force_until.is_none_or(|u| date <= u)
    }

    fn period(&self) -> String {
        period(self.in_force_from, self.in_force_until)
    }
}

impl Entry {
    /// The decision's forms: indexed to compile on first use when `compile` says so and build.rs
    /// indexed every one of them, else compiled now.
    fn load_forms(&mut self, files: &[&SourceFile], compile: Compile, diagnostics: &mut Vec<Diagnostic>) {
        let lazy: Option<Vec<(Slot, &SourceFile)>> = match compile {
            Compile::OnFirstUse => files.iter().map(|f| Some((Slot::indexed(f)?, *f))).collect(),
            Compile::Now => None,
        };
        let (slots, forms) = match lazy {
            Some(slots) => (slots, None),
            None => {
                let (slots, forms) = self.compile_now(files, diagnostics);
                (slots, Some(forms))
            }
        };
        self.keep_slots(slots, forms, diagnostics);
    }

    /// Compiles `files` (in parallel with the `parallel` feature), in file order: their slots
    /// and forms, in the same order; every diagnostic goes to `out`.
    fn compile_now<'f>(
        &self,
        files: &[&'f SourceFile],
        out: &mut Vec<Diagnostic>,
    ) -> (Vec<(Slot, &'f SourceFile)>, Vec<Form>) {
        let loaded = map_files(files, |f| {
            let mut found = Vec::new();
            let form = load_form(f, &self.decision, &self.facts, &self.knockouts, &self.limits, &mut found);
            (form, found)
        });
        let (mut slots, mut forms) = (Vec::new(), Vec::new());
        for (f, (form, found)) in files.iter().zip(loaded) {
            out.extend(found);
            if let Some(form) = form {
                slots.push((Slot::of(&form), *f));
                forms.push(form);
            }
        }
        (slots, forms)
    }

    /// Keeps the slots (and, when compiled, the forms) whose period overlaps no earlier version
    /// of their set, sorted by set and start date.
    fn keep_slots(
        &mut self,
        slots: Vec<(Slot, &SourceFile)>,
        forms: Option<Vec<Form>>,
        out: &mut Vec<Diagnostic>,
    ) {
        let mut kept: Vec<(Slot, Option<Form>)> = Vec::new();
        let mut forms = forms.map(Vec::into_iter);
        for (slot, f) in slots {
            let form = forms.as_mut().and_then(Iterator::next);
            let clash = kept.iter().find(|(x, _)| x.set == slot.set && periods_overlap(x, &slot));
            if let Some((clash_slot, clash_form)) = clash {
                let other = match (clash_form, &clash_slot.source) {
                    (Some(form), _) => form.file.as_str(),
                    (None, Some(source)) => source.name.as_str(),
                    (None, None) => "another file",
                };
                out.push(
                    Diagnostic::error(
                        DiagnosticKind::DuplicateId,
                        "form.set",
                        format!(
                            "set {} of {} is also defined by {} for an overlapping period",
                            slot.set, self.decision.key, other
                        ),
                    )
                    .suggest("give each version `in_force_from`/`in_force_until` dates that do not overlap")
                    .with_file(&f.name),
                );
                continue;
            }
            kept.push((slot, form));
        }
        kept.sort_by(|(a, _), (b, _)| {
            (a.set.as_str(), a.in_force_from).cmp(&(b.set.as_str(), b.in_force_from))
        });
        let compiled = kept.iter().all(|(_, form)| form.is_some());
        let (slots, forms): (Vec<Slot>, Vec<Option<Form>>) = kept.into_iter().unzip();
        self.slots = slots;
        if compiled {
            self.all = OnceLock::from((forms.into_iter().flatten().collect(), Vec::new()));
        }
    }

    /// Every form of the decision, in the order of the slots, compiling those not compiled yet.
    /// A shipped form that does not compile (tests prove none does) is left out, and its
    /// diagnostics kept.
    fn all(&self) -> &(Vec<Form>, Vec<Diagnostic>) {
        self.all.get_or_init(|| {
            let sources: Vec<&SourceFile> = self.slots.iter().filter_map(|s| s.source.as_ref()).collect();
            let results = map_files(&sources, |f| self.compile_one(f));
            let (mut forms, mut diagnostics) = (Vec::new(), Vec::new());
            for (form, found) in results {
                diagnostics.extend(found);
                forms.extend(form);
            }
            (forms, diagnostics)
        })
    }

    /// The form of slot `i`: from the compiled forms when there are all of them, else compiled
    /// now (once).
    fn form_at(&self, i: usize) -> Result<&Form, AssessmentError> {
        if let Some((forms, _)) = self.all.get()
            && forms.len() == self.slots.len()
        {
            return forms.get(i).ok_or_else(|| AssessmentError::new(Vec::new()));
        }
        let Some(slot) = self.slots.get(i) else { return Err(AssessmentError::new(Vec::new())) };
        let Some(source) = &slot.source else { return Err(AssessmentError::new(Vec::new())) };
        let compiled = slot.compiled.get_or_init(|| match self.compile_one(source) {
            (Some(form), _) => Ok(form),
            (None, found) => Err(found.into_iter().filter(Diagnostic::is_error).collect()),
        });
        compiled.as_ref().map_err(|errors| {
            AssessmentError::broken_rules(&source.name, &self.decision.key, &slot.set, errors.clone())
        })
    }

    /// Compiles one shipped form, and checks it against build.rs's index of it.
    fn compile_one(&self, f: &SourceFile) -> (Option<Form>, Vec<Diagnostic>) {
        let mut found = Vec::new();
        let form = load_form(f, &self.decision, &self.facts, &self.knockouts, &self.limits, &mut found);
        let form = form.filter(|form| {
            let agrees = Slot::indexed(f).is_some_and(|s| {
                s.set == form.set
                    && s.in_force_from == form.in_force_from
                    && s.in_force_until == form.in_force_until
            });
            if !agrees {
                found.push(
                    Diagnostic::error(
                        DiagnosticKind::InvalidValue,
                        "form",
                        "the index of the shipped rules (build.rs) disagrees with the form's set or dates",
                    )
                    .suggest("rebuild the library (`cargo clean -p ocop-rating`)")
                    .with_file(&f.name),
                );
            }
            agrees
        });
        (form, found)
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

fn periods_overlap(a: &Slot, b: &Slot) -> bool {
    let start = |f: &Slot| f.in_force_from.unwrap_or(Date::MIN);
    let end = |f: &Slot| f.in_force_until.unwrap_or(Date::MAX);
    start(a) <= end(b) && start(b) <= end(a)
}

fn sorted_entries(dir: &Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    let mut out: Vec<_> = std::fs::read_dir(dir)?.filter_map(|e| e.ok().map(|e| e.path())).collect();
    out.sort();
    Ok(out)
}

/// The last component of a path, as text.
fn name_of(path: &Path) -> String {
    path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default()
}

/// Whether `dir` has an entry `name` of any kind (a dangling link too).
fn has_entry(dir: &Path, name: &str) -> bool {
    std::fs::symlink_metadata(dir.join(name)).is_ok()
}

/// The error for a folder that holds rule files (or `cases/`) but no `decision.yaml`, naming
/// the file that was probably meant; `None` when the folder holds nothing of the kind.
fn missing_decision(dir: &Path) -> Option<Diagnostic> {
    let entries = sorted_entries(dir).ok()?;
    let names: Vec<String> = entries.iter().map(|p| name_of(p)).collect();
    let yaml = |n: &str| {
        let lower = n.to_lowercase();
        lower.ends_with(".yaml") || lower.ends_with(".yml")
    };
    let rule_files = names.iter().filter(|n| yaml(n)).count();
    let has_cases = entries.iter().any(|p| name_of(p) == "cases" && p.is_dir());
    // The file probably meant: a YAML file whose name starts with `decision` in any case, or
    // whose stem is a near miss of `decision` (`decison.yaml`).
    let meant = names.iter().filter(|n| yaml(n)).find(|n| {
        let stem = n.rsplit_once('.').map_or(n.as_str(), |(stem, _)| stem);
        n.to_lowercase().starts_with("decision") || did_you_mean(stem, ["decision"]).is_some()
    });
    if rule_files == 0 && !has_cases && meant.is_none() {
        return None;
    }
    let shown = dir.display().to_string();
    let d = Diagnostic::error(
        DiagnosticKind::Io,
        "",
        format!(
            "the folder `{shown}` holds {rule_files} rule file(s){} but no decision.yaml: the decision and its forms are not loaded",
            if has_cases { " and cases/" } else { "" }
        ),
    )
    .expected("a file named exactly `decision.yaml` in every decision folder (docs/rule-dsl.md)")
    .with_file(&shown);
    Some(match meant {
        Some(name) => d.suggest(format!("rename `{name}` to `decision.yaml`")),
        None => d.suggest("add the decision file beside the forms (see docs/rule-dsl.md)"),
    })
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
    let mut r = Reader::with_limits(&f.name, &text, *limits);
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

/// A decision reference reduced to its letters and digits, lower case, Đ read as D: `99-2030`
/// and `9-92030`, `26/2026/QĐ-TTg` and `26 2026 qd ttg` reduce alike. Keys and official numbers
/// must be unique in this form (ruling 12), so that no reference can reach two decisions.
fn normalise(reference: &str) -> String {
    reference
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(|c| if c == 'Đ' || c == 'đ' { 'd'.to_lowercase() } else { c.to_lowercase() })
        .collect()
}

/// A decision reference as written, but for case and Đ/D: `26/2026/qd-ttg` is
/// `26/2026/QĐ-TTg`; `26-2026/QĐ-TTg` and `9-92030` are not anything but themselves.
fn as_written(reference: &str) -> String {
    reference
        .trim()
        .chars()
        .flat_map(|c| if c == 'Đ' || c == 'đ' { 'd'.to_lowercase() } else { c.to_lowercase() })
        .collect()
}

/// A decision whose key or number reduces ([`normalise`]) to the key or number of one already
/// loaded: the error, located in the second decision file.
fn clash(
    entries: &[Entry],
    references: &HashMap<String, (usize, &'static str, String)>,
    decision: &Decision,
    file: &SourceFile,
) -> Option<Diagnostic> {
    for (field, value) in [("key", &decision.key), ("number", &decision.number)] {
        if let Some((index, other_field, other_value)) = references.get(&normalise(value))
            && let Some(e) = entries.get(*index)
        {
            let other = &e.decision;
            let path = DocPath::root().key("decision").key(field);
            let message = if other.key == decision.key && field == "key" {
                format!("decision `{}` is already loaded from {}", decision.key, other.file)
            } else {
                format!(
                    "the {field} `{value}` reads the same as the {other_field} `{other_value}` of decision `{}` ({}) \
                     once case, spaces, punctuation and Đ/D are set aside",
                    other.key, other.file
                )
            };
            let d = Diagnostic::error(DiagnosticKind::DuplicateId, path.to_string(), message)
                .expected("decision keys and official numbers that differ in their letters or digits")
                .suggest(format!(
                    "correct the {field}: an assessment naming `{value}` could otherwise be scored under `{}`",
                    other.key
                ));
            return Some(located_bytes(&file.name, &file.bytes, &path, d));
        }
    }
    None
}

/// `d` in `file` (one of `files`), with the line and column of `path` in it.
fn located(files: &[SourceFile], file: &str, path: &DocPath, d: Diagnostic) -> Diagnostic {
    match files.iter().find(|f| f.name == file) {
        Some(f) => located_bytes(&f.name, &f.bytes, path, d),
        None => d.with_file(file),
    }
}

fn located_bytes(name: &str, bytes: &[u8], path: &DocPath, mut d: Diagnostic) -> Diagnostic {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let text = String::from_utf8_lossy(bytes);
    if let Some((line, column)) = Locations::scan(&text).find(path) {
        d.line = Some(line);
        d.column = Some(column);
    }
    d.with_file(name)
}

impl Catalog {
    /// The rule files shipped with the library. The decision files are read and checked at
    /// once, and each form is compiled the first time it is used, so this costs well under a
    /// millisecond (BENCHMARKS.md) and scoring one product compiles one form, not 79.
    ///
    /// The shipped forms are proven valid by the library's tests (tests/embedded_rules.rs
    /// compiles every one, as [`CatalogBuilder::embedded`] does, and checks it scores alike
    /// either way). Should one still fail to compile, scoring against it gives an
    /// [`AssessmentError`] whose diagnostics say so, and [`Catalog::forms`] leaves it out;
    /// [`Catalog::warnings`] lists its errors.
    ///
    /// ```
    /// let catalog = ocop_rating::Catalog::embedded()?;
    /// let form = catalog.form("26-2026", "01", None)?;    // compiles set 01 of 26-2026 only
    /// assert_eq!(form.set(), "01");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn embedded() -> Result<Catalog, LoadError> {
        CatalogBuilder::new().embedded().build_as(Compile::OnFirstUse)
    }

    /// Loads a folder of rule files (see [`CatalogBuilder::dir`]) without the shipped ones.
    pub fn load_dir(path: impl AsRef<Path>) -> Result<Catalog, Error> {
        Ok(CatalogBuilder::new().dir(path).build()?)
    }

    /// Warnings found while loading (printed anomalies of the law, and the like). For the
    /// [embedded](Catalog::embedded) catalog this compiles every form the first time.
    pub fn warnings(&self) -> &[Diagnostic] {
        self.all_warnings.get_or_init(|| {
            let mut all = self.warnings.clone();
            for e in &self.entries {
                all.extend(e.all().1.iter().cloned());
            }
            all
        })
    }

    /// Decisions, oldest first.
    pub fn decisions(&self) -> impl Iterator<Item = &Decision> {
        self.entries.iter().map(|e| &*e.decision)
    }

    /// A decision by key (`26-2026`) or official number (`26/2026/QĐ-TTg`), written as it is
    /// (case and Đ/D aside: `26/2026/qd-ttg` works). A reference written otherwise (`26 2026`,
    /// `9-92030`) finds nothing; [`Catalog::form`] then names the decision it may have meant.
    pub fn decision(&self, reference: &str) -> Option<&Decision> {
        let want = as_written(reference);
        self.entries
            .iter()
            .map(|e| &*e.decision)
            .find(|d| as_written(&d.key) == want || as_written(&d.number) == want)
    }

    /// The forms of a decision (every version), by set. For the [embedded](Catalog::embedded)
    /// catalog this compiles the decision's forms the first time.
    pub fn forms_of(&self, decision: &str) -> &[Form] {
        let Some(d) = self.decision(decision) else { return &[] };
        self.entry(&d.key).map(|e| e.all().0.as_slice()).unwrap_or(&[])
    }

    /// The days on which dossiers are lodged under `decision`: from its `in_force_from` to its
    /// own `in_force_until` or the day before a loaded decision that supersedes it comes into
    /// force, whichever is first (ruling 12; `None`: open-ended). A dossier lodged earlier may
    /// still be evaluated under it within the successor's transition ([`Catalog::decision_on`]).
    ///
    /// ```
    /// use ocop_rating::{Catalog, Date};
    /// let catalog = Catalog::embedded()?;
    /// let d148 = catalog.decision("148-2023").unwrap();
    /// // 148/QĐ-TTg is printed in force until 2026-07-21 (26/2026 Điều 11.2), but 26/2026
    /// // supersedes it from 2026-05-22: dossiers lodged from that day go under 26/2026.
    /// assert_eq!(d148.in_force_until(), Date::new(2026, 7, 21));
    /// assert_eq!(catalog.lodging_period(d148), (Date::new(2023, 2, 24).unwrap(), Date::new(2026, 5, 21)));
    /// # Ok::<(), ocop_rating::LoadError>(())
    /// ```
    pub fn lodging_period(&self, decision: &Decision) -> (Date, Option<Date>) {
        let until = self.entry(&decision.key).map_or(decision.in_force_until, |e| e.lodging_until);
        (decision.in_force_from, until)
    }

    /// The decision whose rules govern the re-rating of a certificate recognised on
    /// `recognised_on` under `rating`: the one whose lodging period holds the certificate's
    /// expiry (ruling 13), or `rating` itself when none does.
    pub(crate) fn renewal_decision<'c>(
        &'c self,
        rating: &'c Decision,
        recognised_on: Date,
    ) -> Option<&'c Decision> {
        let expiry = recognised_on.add_months(rating.certificate_months);
        let found = self
            .entries
            .iter()
            .filter(|e| e.decision.in_force_from <= expiry && e.lodging_until.is_none_or(|u| expiry <= u))
            .map(|e| &*e.decision)
            .max_by_key(|d| d.in_force_from);
        Some(found.unwrap_or(rating))
    }

    /// Every form of every decision (compiling them all, for the embedded catalog).
    pub fn forms(&self) -> impl Iterator<Item = &Form> {
        self.entries.iter().flat_map(|e| e.all().0.iter())
    }

    fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.decision.key == key)
    }

    /// The form of `set` under `decision` (key or number). When the decision has several
    /// versions of the set, `on` (the lodging date) picks the one in force.
    pub fn form(&self, decision: &str, set: &str, on: Option<Date>) -> Result<&Form, AssessmentError> {
        let one = |d: Diagnostic| AssessmentError::new(vec![d]);
        let Some(d) = self.decision(decision) else {
            let keys: Vec<String> = self.decisions().map(|d| format!("{} ({})", d.key, d.number)).collect();
            let plain: Vec<&str> = self.decisions().map(|d| d.key.as_str()).collect();
            // Written otherwise but reducing to a decision's key or number: name it, never use it.
            let reduced = normalise(decision);
            let candidates: Vec<String> = self
                .decisions()
                .filter(|d| normalise(&d.key) == reduced || normalise(&d.number) == reduced)
                .map(|d| format!("`{}` ({})", d.key, d.number))
                .collect();
            let suggestion = if candidates.is_empty() {
                did_you_mean(decision, plain.iter().copied())
            } else {
                Some(format!(
                    "did you mean {}? A reference must be written as the key or the number is",
                    candidates.join(" or ")
                ))
            };
            return Err(one(Diagnostic::error(
                DiagnosticKind::NoApplicableForm,
                "decision",
                format!("unknown decision `{decision}`"),
            )
            .expected(format!("one of {}", list_names(&keys, 10)))
            .suggest_opt(suggestion)));
        };
        let Some(entry) = self.entry(&d.key) else { return Err(AssessmentError::new(Vec::new())) };
        let forms: Vec<(usize, &Slot)> =
            entry.slots.iter().enumerate().filter(|(_, f)| f.set == set).collect();
        if forms.is_empty() {
            if let Some(why) =
                crate::error::missing_form_reason(entry.slots.iter().map(|s| s.set.as_str()), set)
            {
                return Err(one(Diagnostic::missing_form(&d.key, set, &why)));
            }
            let sets: Vec<String> = {
                let mut s: Vec<String> = entry.slots.iter().map(|f| f.set.clone()).collect();
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
        let chosen = match on {
            Some(date) => forms.iter().find(|(_, f)| f.in_force_on(date)).ok_or_else(|| {
                let periods: Vec<String> = forms.iter().map(|(_, f)| f.period()).collect();
                one(Diagnostic::error(
                    DiagnosticKind::NoApplicableForm,
                    "lodged_on",
                    format!("no version of set {set} of {} applies on {date}", d.key),
                )
                .expected(format!("a date in {}", list_names(&periods, 5))))
            }),
            None if forms.len() == 1 => forms.first().ok_or_else(|| AssessmentError::new(Vec::new())),
            None => {
                let periods: Vec<String> = forms.iter().map(|(_, f)| f.period()).collect();
                Err(one(Diagnostic::error(
                    DiagnosticKind::NoApplicableForm,
                    "set",
                    format!("set {set} of {} has {} versions", d.key, forms.len()),
                )
                .expected(format!("`lodged_on` to choose between {}", list_names(&periods, 5)))))
            }
        }?;
        entry.form_at(chosen.0)
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
        let Some(decision) = self
            .entries
            .iter()
            .filter(|e| {
                e.decision.in_force_from <= lodged_on && e.lodging_until.is_none_or(|u| lodged_on <= u)
            })
            .map(|e| &*e.decision)
            .max_by_key(|d| d.in_force_from)
        else {
            let periods: Vec<String> = self
                .entries
                .iter()
                .map(|e| {
                    format!("{} {}", e.decision.key, period(Some(e.decision.in_force_from), e.lodging_until))
                })
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
        assert_eq!(normalise("99-2030"), normalise("9-92030"));
        assert_eq!(as_written("26/2026/QĐ-TTg"), as_written(" 26/2026/qd-ttg "));
        assert_ne!(as_written("99-2030"), as_written("9-92030"));
    }

    #[test]
    fn catalog_is_shareable() {
        fn shareable<T: Send + Sync>() {}
        shareable::<Catalog>();
    }
}
