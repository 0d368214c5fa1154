//! Hostile input, round 2 (issue 14, part B): the library's input paths and the rule-file checks.
//!
//! One test (or a few) per class the outside tester found, each failing on the code before the
//! fix. Inputs are made here: small ones inline, large ones generated at run time (sparse files,
//! repeated lines) in a temporary folder that is removed afterwards. Memory is measured by a
//! per-thread counting allocator, so that "bounded" is a number checked on every run.
//!
//! 1. alias expansion and councils count against the limits;
//! 2. every file is read with at most `max_bytes + 1` bytes (1 GB files, `/dev/zero`, pipes);
//! 3. diagnostics are capped when collected;
//! 4. decision keys and numbers are unique after normalisation, references resolve exactly;
//! 5. `check` reports broken rule folders and ids;
//! 6. byte-order marks are accepted, numeric keys are quoted as written, where written;
//! 7. walks of case folders do not loop through symbolic links.

use ocop_rating::{
    Assessment, AssessmentError, Catalog, CatalogBuilder, Diagnostic, DiagnosticKind, Limits, Severity,
    cases, render_all,
};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::time::Duration;

// --- memory: live bytes and their peak, per thread -------------------------------------------

struct PeakCounting;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn note(delta: isize) {
    let _ = LIVE.try_with(|live| {
        let now = live.get() + delta;
        live.set(now);
        let _ = PEAK.try_with(|peak| {
            if now > peak.get() {
                peak.set(now);
            }
        });
    });
}

// SAFETY: forwards every call to the system allocator unchanged; only counts, in thread-locals
// that need no destructor.
unsafe impl GlobalAlloc for PeakCounting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size() as isize);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        note(-(layout.size() as isize));
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(new_size as isize - layout.size() as isize);
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: PeakCounting = PeakCounting;

/// Runs `f` and returns its result with the most memory it held at once (on this thread).
fn peak_during<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let start = LIVE.with(Cell::get);
    PEAK.with(|p| p.set(start));
    let out = f();
    let peak = PEAK.with(Cell::get) - start;
    (out, peak.max(0) as usize)
}

const MB: usize = 1 << 20;

// --- fixtures ------------------------------------------------------------------------------

mod common;

/// The made-up decision standing alone (the shipped 26-2026 it supersedes is not loaded here).
fn decision() -> &'static str {
    common::decision_alone()
}
const FORM: &str = include_str!("fixtures/future/99-2030/01-thu-nghiem.yaml");

/// Every answer of the fixture form (total 100).
const ANSWERS: &str = r#"{"1.1": c, "1.2": c, "1.3": "yes", "2": b, "3.1": b, "3.2": b, "3.3.1": b, "3.3.2": b, "4": [a, b, c]}"#;

fn catalog() -> Catalog {
    CatalogBuilder::new()
        .file("99-2030", "99-2030/decision.yaml", decision())
        .file("99-2030", "99-2030/01.yaml", FORM)
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Diagnostics of loading a decision file and one form (warnings when it loads).
fn load(decision: &str, form: &str) -> Vec<Diagnostic> {
    let built = CatalogBuilder::new()
        .file("99-2030", "99-2030/decision.yaml", decision)
        .file("99-2030", "99-2030/01.yaml", form)
        .build();
    match built {
        Ok(c) => c.warnings().to_vec(),
        Err(e) => e.diagnostics().to_vec(),
    }
}

fn errors(diags: &[Diagnostic]) -> Vec<&Diagnostic> {
    diags.iter().filter(|d| d.severity == Severity::Error).collect()
}

/// The one error of `kind` (fails listing every diagnostic otherwise).
fn only(diags: &[Diagnostic], kind: DiagnosticKind) -> Diagnostic {
    let found: Vec<&Diagnostic> = diags.iter().filter(|d| d.kind == kind && d.is_error()).collect();
    assert_eq!(found.len(), 1, "expected one {kind:?} error, got:\n{}", render_all(diags));
    found[0].clone()
}

fn replace_once(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "fixture lacks {from:?}");
    text.replacen(from, to, 1)
}

fn line_of(text: &str, needle: &str) -> u32 {
    text.lines().position(|l| l.contains(needle)).map(|i| i as u32 + 1).expect("needle in text")
}

/// The error of reading and scoring `text` as an assessment against the fixture catalog.
fn assessment_error(text: &str) -> AssessmentError {
    match Assessment::from_text("a.yaml", text) {
        Err(e) => e,
        Ok(a) => match catalog().score(&a) {
            Err(e) => e,
            Ok(_) => panic!("expected an error for:\n{text}"),
        },
    }
}

/// A temporary folder, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let dir = std::env::temp_dir().join(format!("ocop-hostile-{name}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
    fn path(&self) -> &Path {
        &self.0
    }
    /// Writes a file (creating its folder).
    fn write(&self, rel: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.0.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, bytes).unwrap();
        path
    }
    /// A decision folder `rules/<key>/` holding the fixture decision and form.
    fn decision_folder(&self, key: &str) -> PathBuf {
        self.write(&format!("rules/{key}/decision.yaml"), decision());
        self.write(&format!("rules/{key}/01-thu-nghiem.yaml"), FORM);
        self.0.join("rules").join(key)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs `f` on another thread; fails (instead of hanging the test run) when it takes longer
/// than `secs`.
fn within<T: Send + 'static>(secs: u64, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(secs)).unwrap_or_else(|_| panic!("did not finish within {secs} s"))
}

fn dir_errors(builder: CatalogBuilder) -> Vec<Diagnostic> {
    match builder.build() {
        Ok(c) => panic!("expected errors; loaded {} decision(s)", c.decisions().count()),
        Err(e) => e.diagnostics().to_vec(),
    }
}

// --- 1. alias expansion and councils count against the limits ------------------------------

/// A sheet of 32 answers, as for a 26/2026 form (the attack does not need them to be valid).
const ANSWERS_32: &str = r#"{"1.1": c, "1.2": a, "1.3": b, "1.4": b, "1.5": b, "1.6": a, "1.7": a, "2.1": b, "2.2": c, "2.3": b, "2.4": "no", "3.1": c, "3.2": b, "3.3": c, "3.4": a, "3.5": a, "4.1": b, "4.2": b, "4.3": d, "5.1": d, "5.2": b, "5.3": d, "6.1": c, "6.2": e, "6.3": c, "6.4": c, "7": c, "8": c, "9": b, "10": a, "11": a, "12": a}"#;

/// A council of `members` members sharing one anchored answer map: `{name, answers: *a}`.
fn alias_council(members: usize) -> String {
    alias_council_of(members, ANSWERS)
}

fn alias_council_of(members: usize, answers: &str) -> String {
    let mut text =
        format!("decision: 99-2030\nset: \"01\"\nmembers:\n  - {{name: m0, answers: &a {answers}}}\n");
    for i in 1..members {
        text.push_str(&format!("  - {{name: m{i}, answers: *a}}\n"));
    }
    text
}

#[test]
fn an_alias_bomb_is_refused_while_it_is_read_in_bounded_memory() {
    // 20,000 members naming one anchored map of 32 answers: ~630 KB that stood for ~4 MB of
    // nodes and took 540 MB (1.4 GB with the whole score sheet) before the fix. Expanded, a
    // document may be twice its size plus 64 KiB: 2 × 629,252 + 65,536 = 1,324,040 bytes.
    for members in [20_000, 30_000] {
        let text = alias_council_of(members, ANSWERS_32);
        assert!(text.len() < 1_000_000);
        let (result, peak) =
            peak_during(|| Assessment::from_bytes("bomb.yaml", text.as_bytes(), &Limits::default()));
        let e = result.expect_err("refused");
        let d = only(e.diagnostics(), DiagnosticKind::Limit);
        let allowed = 2 * text.len() + 65_536;
        assert!(d.message.contains(&format!("expands to more than {allowed} bytes")), "{d}");
        // Located at the alias that went over, not at the anchored map it repeats.
        let member: usize =
            d.path.strip_prefix("members[").and_then(|p| p.split(']').next()).unwrap().parse().unwrap();
        assert!(d.path.ends_with("].answers"), "{d}");
        assert_eq!(d.line, Some(member as u32 + 4), "{d}");
        eprintln!("{} KB alias bomb ({members} members): peak {} MB", text.len() >> 10, peak / MB);
        assert!(peak < 128 * MB, "peak {} MB", peak / MB);
    }
}

#[test]
fn a_4_mb_alias_bomb_is_refused_in_bounded_memory() {
    // 130,000 members, just under the 4 MiB file limit: 3.4 GB before the fix.
    let text = alias_council_of(130_000, ANSWERS_32);
    assert!(text.len() < 4 << 20);
    let (result, peak) =
        peak_during(|| Assessment::from_bytes("bomb.yaml", text.as_bytes(), &Limits::default()));
    let e = result.expect_err("refused");
    assert_eq!(e.diagnostics()[0].kind, DiagnosticKind::Limit, "{e}");
    eprintln!("4 MB alias bomb: peak {} MB", peak / MB);
    // About what a 4 MB document without aliases costs: the expanded size is capped at the
    // size of the largest document accepted (3.4 GB before the fix).
    assert!(peak < 400 * MB, "peak {} MB", peak / MB);
}

#[test]
fn expansion_counts_against_a_lowered_limit_too() {
    // The expanded size is measured against whatever `max_bytes` is: 50 members of ~300
    // bytes each are far more than 4 KiB once expanded, from a file of 2 KB.
    let text = alias_council_of(50, ANSWERS_32);
    assert!(text.len() < 2_500);
    let limits = Limits { max_bytes: 4096, ..Limits::default() };
    let e = Assessment::from_bytes("a.yaml", text.as_bytes(), &limits).expect_err("refused");
    assert!(e.diagnostics()[0].message.contains("expands to more than 4096 bytes"), "{e}");
    // A long text repeated by aliases counts each time.
    let long = "x".repeat(60_000);
    let text =
        format!("decision: 99-2030\nset: \"01\"\nproduct: &p \"{long}\"\nfacts: {{}}\nanswers: {{}}\n");
    let repeated = format!("{text}members: [{}]\n", vec!["{name: *p, answers: {}}"; 80].join(", "));
    let e = Assessment::from_text("a.yaml", &repeated).expect_err("refused");
    assert!(e.diagnostics()[0].message.contains("expands"), "{e}");
}

#[test]
fn aliases_within_the_limits_still_work() {
    let a = Assessment::from_text("a.yaml", &alias_council(3)).unwrap_or_else(|e| panic!("{e}"));
    let catalog = catalog();
    let scored = catalog.score(&a).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(scored.sheets().len(), 3);
    assert_eq!(scored.outcome().total().to_string(), "100");
}

#[test]
fn councils_have_a_member_cap() {
    // Plain members, no alias: 101 members is one more than Limits::max_members.
    let member = format!("  - {{name: m, answers: {ANSWERS}}}\n");
    let text = format!("decision: 99-2030\nset: \"01\"\nmembers:\n{}", member.repeat(101));
    let e = Assessment::from_text("a.yaml", &text).expect_err("refused");
    let d = only(e.diagnostics(), DiagnosticKind::Limit);
    assert!(d.message.contains("101 members, more than the limit of 100"), "{d}");
    assert_eq!(d.path, "members");
    assert_eq!(d.line, Some(3));
    assert!(d.expected.as_deref().unwrap_or("").contains("Limits::max_members"));
    // 100 are scored, and a service may raise the cap.
    let hundred = format!("decision: 99-2030\nset: \"01\"\nmembers:\n{}", member.repeat(100));
    let a = Assessment::from_text("a.yaml", &hundred).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(catalog().score(&a).unwrap().sheets().len(), 100);
    let raised = Limits { max_members: 200, ..Limits::default() };
    assert!(Assessment::from_bytes("a.yaml", text.as_bytes(), &raised).is_ok());
    // The cap holds for the assessment inside a case file too.
    let case = format!(
        "name: big council\nassessment:\n  decision: 99-2030\n  set: \"01\"\n  members:\n{}expect: {{total: 100, stars: 5}}\n",
        format!("    - {{name: m, answers: {ANSWERS}}}\n").repeat(101)
    );
    let r = cases::run_bytes(&catalog(), "case.yaml", case.as_bytes());
    assert!(r.problems.iter().any(|d| d.kind == DiagnosticKind::Limit), "{}", render_all(&r.problems));
}

// --- 2. every file is read with at most max_bytes + 1 bytes ---------------------------------

#[test]
fn a_1_gb_rule_file_is_refused_without_being_read() {
    let tmp = TempDir::new("big-rule");
    let folder = tmp.decision_folder("99-2030");
    let big = std::fs::File::create(folder.join("02-big.yaml")).unwrap();
    big.set_len(1 << 30).unwrap(); // sparse: no disk used
    let (diags, peak) = peak_during(|| dir_errors(CatalogBuilder::new().dir(tmp.path().join("rules"))));
    let d = only(&diags, DiagnosticKind::Limit);
    assert!(d.file.ends_with("02-big.yaml"), "{d}");
    assert!(d.message.contains("larger than 4194304 bytes") && d.message.contains("1,073,741,824"), "{d}");
    assert!(peak < 64 * MB, "peak {} MB (1 GB before the fix)", peak / MB);
}

#[cfg(unix)]
#[test]
fn dev_zero_as_a_rule_file_is_refused_not_skipped() {
    let tmp = TempDir::new("zero-rule");
    let folder = tmp.decision_folder("99-2030");
    std::os::unix::fs::symlink("/dev/zero", folder.join("02-zero.yaml")).unwrap();
    let (diags, peak) = peak_during(|| dir_errors(CatalogBuilder::new().dir(tmp.path().join("rules"))));
    let d = only(&diags, DiagnosticKind::Limit);
    assert!(d.file.ends_with("02-zero.yaml") && d.message.contains("larger than 4194304 bytes"), "{d}");
    assert!(peak < 64 * MB, "peak {} MB", peak / MB);
}

#[cfg(unix)]
#[test]
fn dev_zero_and_huge_case_files_are_refused_in_bounded_memory() {
    let tmp = TempDir::new("zero-case");
    let cases_dir = tmp.path().join("cases");
    std::fs::create_dir_all(&cases_dir).unwrap();
    std::os::unix::fs::symlink("/dev/zero", cases_dir.join("00-zero.yaml")).unwrap();
    std::fs::File::create(cases_dir.join("01-huge.yaml")).unwrap().set_len(1 << 30).unwrap();
    let catalog = catalog();
    // Before the fix, /dev/zero was read until memory ran out.
    let (results, peak) = peak_during(|| cases::run_path(&catalog, &cases_dir));
    assert_eq!(results.len(), 2);
    for r in &results {
        assert!(!r.passed());
        let d = only(&r.problems, DiagnosticKind::Limit);
        assert!(d.message.contains("larger than 4194304 bytes"), "{d}");
    }
    assert!(peak < 64 * MB, "peak {} MB", peak / MB);
    // A case path given directly is run, and reports the same.
    let direct = cases::run_path(&catalog, "/dev/zero");
    assert_eq!(direct.len(), 1);
    assert_eq!(direct[0].problems[0].kind, DiagnosticKind::Limit);
}

#[cfg(unix)]
#[test]
fn a_named_pipe_is_refused_without_waiting_for_a_writer() {
    let tmp = TempDir::new("fifo");
    let folder = tmp.decision_folder("99-2030");
    let cases_dir = tmp.path().join("cases");
    std::fs::create_dir_all(&cases_dir).unwrap();
    for fifo in [folder.join("02-pipe.yaml"), cases_dir.join("pipe.yaml")] {
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !made.is_ok_and(|s| s.success()) {
            eprintln!("mkfifo unavailable: skipped");
            return;
        }
    }
    let rules = tmp.path().join("rules");
    // Before the fix: the rule folder's pipe was skipped in silence, the case's waited forever.
    let diags = within(20, move || dir_errors(CatalogBuilder::new().dir(rules)));
    let d = only(&diags, DiagnosticKind::Io);
    assert!(d.file.ends_with("02-pipe.yaml") && d.message.contains("named pipe"), "{d}");
    let results = within(20, move || cases::run_path(&catalog(), cases_dir));
    assert_eq!(results.len(), 1);
    assert!(results[0].problems[0].message.contains("named pipe"), "{}", render_all(&results[0].problems));
}

#[cfg(unix)]
#[test]
fn the_library_reads_any_file_through_the_cap() {
    let limits = Limits::default();
    let d = limits.read_file("/dev/zero").unwrap_err();
    assert_eq!(d.kind, DiagnosticKind::Limit);
    assert_eq!(d.file, "/dev/zero");
    let e = Assessment::from_file("/dev/zero", &limits).unwrap_err();
    assert!(e.diagnostics()[0].message.contains("larger than 4194304 bytes"), "{e}");
    let e = Assessment::from_file("tests", &limits).unwrap_err();
    assert!(e.diagnostics()[0].message.contains("is a folder"), "{e}");
    let e = Assessment::from_file("tests/no-such-file.yaml", &limits).unwrap_err();
    assert_eq!(e.diagnostics()[0].kind, DiagnosticKind::Io);
}

// --- 3. diagnostics are capped when collected -----------------------------------------------

#[test]
fn diagnostics_are_capped_where_they_are_collected() {
    // ~280,000 unknown criteria in 4 MB: 280,000 errors (75 MB of text) before the fix.
    let mut text = String::from("decision: 99-2030\nset: \"01\"\nanswers:\n");
    let mut n = 0u64;
    while text.len() < 4_000_000 {
        text.push_str(&format!("  \"x{n}\": a\n"));
        n += 1;
    }
    let catalog = catalog();
    let (e, peak) = peak_during(|| {
        let a = Assessment::from_text("many.yaml", &text).unwrap_or_else(|e| panic!("{e}"));
        catalog.score(&a).expect_err("refused")
    });
    let diags = e.diagnostics();
    assert_eq!(diags.len(), 101, "100 kept and one summary");
    let last = diags.last().unwrap();
    assert_eq!(last.kind, DiagnosticKind::Omitted);
    // Every criterion is unknown (n errors) and the 9 of the form are missing (1 error).
    let more = n + 1 - 100;
    assert_eq!(last.omitted, more);
    let thousands = |n: u64| {
        let s = n.to_string();
        let mut out = String::new();
        for (i, c) in s.chars().enumerate() {
            if i > 0 && (s.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        out
    };
    assert!(last.message.starts_with(&format!("… and {} more errors", thousands(more))), "{last}");
    let shown = e.to_string();
    assert!(
        shown.starts_with("the assessment could not be scored\n")
            && shown.ends_with(&format!("{} errors, 0 warnings", n + 1)),
        "{}",
        &shown[..80]
    );
    assert!(shown.lines().count() < 400, "{} lines", shown.lines().count());
    eprintln!("4 MB of unknown criteria: peak {} MB", peak / MB);
    assert!(peak < 400 * MB, "peak {} MB", peak / MB);
}

#[test]
fn one_line_of_json_with_many_problems_is_located_in_linear_time() {
    // Minified JSON (a JSON Lines row): 200,000 unknown criteria on one line of 3.6 MB. Every
    // kept problem is located; the line is scanned once, not once per problem.
    let keys: Vec<String> = (0..200_000).map(|i| format!("\"x{i}\":\"a\"")).collect();
    let text = format!("{{\"decision\":\"99-2030\",\"set\":\"01\",\"answers\":{{{}}}}}", keys.join(","));
    let start = std::time::Instant::now();
    let e = assessment_error(&text);
    assert!(start.elapsed() < Duration::from_secs(20), "{:?}", start.elapsed());
    assert_eq!(e.diagnostics().len(), 101);
    let d = &e.diagnostics()[1];
    assert_eq!((d.path.as_str(), d.line, d.column), ("answers.x1", Some(1), Some(54)), "{d}");
}

#[test]
fn a_rule_file_keeps_its_first_100_diagnostics() {
    // 5,000 unknown fields in one criterion.
    let junk: String = (0..5_000).map(|i| format!("            junk{i}: 1\n")).collect();
    let form =
        replace_once(FORM, "            name_en: Origin\n", &format!("            name_en: Origin\n{junk}"));
    let diags = load(decision(), &form);
    let from_form: Vec<&Diagnostic> = diags.iter().filter(|d| d.file == "99-2030/01.yaml").collect();
    assert_eq!(from_form.len(), 101, "{}", render_all(&diags));
    let summary = from_form.last().unwrap();
    assert_eq!(summary.kind, DiagnosticKind::Omitted);
    assert!(summary.message.starts_with("… and 4,900 more errors"), "{summary}");
    assert!(render_all(&diags).contains("5000 errors"));
    // The limit is the service's to set.
    let built = CatalogBuilder::new()
        .limits(Limits { max_diagnostics: 10, ..Limits::default() })
        .file("99-2030", "99-2030/decision.yaml", decision())
        .file("99-2030", "99-2030/01.yaml", form)
        .build()
        .expect_err("errors");
    assert_eq!(built.diagnostics().iter().filter(|d| d.file == "99-2030/01.yaml").count(), 11);
}

// --- 4. keys and numbers unique after normalisation; references resolve exactly ------------

fn second_decision(key: &str, number: &str) -> String {
    let d = replace_once(decision(), "key: 99-2030", &format!("key: {key}"));
    replace_once(&d, "number: 99/2030/QĐ-TTg", &format!("number: \"{number}\""))
}

fn second_form(key: &str) -> String {
    replace_once(FORM, "decision: 99-2030", &format!("decision: {key}"))
}

#[test]
fn decision_keys_and_numbers_are_unique_after_normalisation() {
    for (key, number, field) in [
        ("9-92030", "9/92030/QĐ-TTg", "key"),        // digits regrouped
        ("99-2031", "99/2030/qđ-ttg", "number"),     // case
        ("99-2031", "99 / 2030 / QD-TTg", "number"), // spaces, D for Đ
        ("99-2031", "99-2030-QĐ-TTg", "number"),     // `-` for `/`
        ("99-2031", "99-2030", "number"),            // a number that is the other's key
    ] {
        let second = second_decision(key, number);
        let built = CatalogBuilder::new()
            .file("99-2030", "99-2030/decision.yaml", decision())
            .file("99-2030", "99-2030/01.yaml", FORM)
            .file(key, &format!("{key}/decision.yaml"), second.clone())
            .file(key, &format!("{key}/01.yaml"), second_form(key))
            .build();
        let e = built.expect_err(&format!("{key} / {number} must not load beside 99-2030"));
        let d = only(e.diagnostics(), DiagnosticKind::DuplicateId);
        assert_eq!(d.file, format!("{key}/decision.yaml"), "{d}");
        assert_eq!(d.path, format!("decision.{field}"));
        let needle = if field == "key" { format!("key: {key}") } else { "number:".to_string() };
        assert_eq!(d.line, Some(line_of(&second, &needle)), "{d}");
        assert!(d.message.contains("reads the same as") && d.message.contains("99-2030"), "{d}");
        assert!(d.suggestion.is_some());
    }
}

#[test]
fn a_reference_resolves_exactly_or_is_refused_with_the_candidates() {
    let good = format!("decision: 99-2030\nset: \"01\"\nanswers: {ANSWERS}\n");
    // Before the fix, `9-92030` was scored under 99-2030 without a word.
    let e = assessment_error(&good.replace("decision: 99-2030", "decision: 9-92030"));
    let d = only(e.diagnostics(), DiagnosticKind::NoApplicableForm);
    assert!(d.message.contains("unknown decision `9-92030`"), "{d}");
    assert!(d.suggestion.as_deref().unwrap_or("").contains("`99-2030` (99/2030/QĐ-TTg)"), "{d}");
    assert_eq!((d.path.as_str(), d.line), ("decision", Some(1)));
    for written in ["\"99 2030\"", "\"99/2030/QĐTTg\"", "99/2030"] {
        let e = assessment_error(&good.replace("decision: 99-2030", &format!("decision: {written}")));
        assert_eq!(e.diagnostics()[0].kind, DiagnosticKind::NoApplicableForm, "{written}: {e}");
    }
    // Case and Đ/D are not differences: the key or number as written, in any case, resolves.
    let c = catalog();
    for written in ["99-2030", "99/2030/QĐ-TTg", "99/2030/qd-ttg", "99/2030/QD-TTG"] {
        let a = Assessment::from_text(
            "a.yaml",
            &good.replace("decision: 99-2030", &format!("decision: {written}")),
        )
        .unwrap();
        assert!(c.score(&a).is_ok(), "{written}");
    }
    assert!(c.decision("9-92030").is_none());
    // In a case file, the refusal is located inside `assessment:`.
    let case = format!(
        "name: wrong reference\nassessment:\n  decision: 9-92030\n  set: \"01\"\n  answers: {ANSWERS}\nexpect: {{total: 100, stars: 5}}\n"
    );
    let r = cases::run_bytes(&c, "case.yaml", case.as_bytes());
    let d = only(&r.problems, DiagnosticKind::NoApplicableForm);
    assert_eq!((d.path.as_str(), d.line, d.column), ("assessment.decision", Some(3), Some(3)), "{d}");
}

// --- 5. check reports plainly broken rule folders ---------------------------------------------

/// `rules/` with a good decision folder (`26-2026` made up from the fixture is not needed: the
/// fixture itself) and a second folder broken by `breaks`.
fn rules_with_broken_second(breaks: impl FnOnce(&Path)) -> (TempDir, Vec<Diagnostic>) {
    let tmp = TempDir::new("folders");
    tmp.decision_folder("99-2030");
    let second = tmp.decision_folder("98-2030");
    std::fs::remove_file(second.join("decision.yaml")).unwrap();
    std::fs::create_dir(second.join("cases")).unwrap();
    breaks(&second);
    let diags = dir_errors(CatalogBuilder::new().dir(tmp.path().join("rules")));
    (tmp, diags)
}

#[test]
fn a_misspelled_decision_file_is_an_error_naming_the_folder() {
    for (name, is_dir) in [("decison.yaml", false), ("decision.yml", false), ("Decision.yaml", false)] {
        let (_tmp, diags) = rules_with_broken_second(|dir| {
            if is_dir {
                std::fs::create_dir(dir.join(name)).unwrap();
            } else {
                std::fs::write(dir.join(name), decision().replace("99-2030", "98-2030")).unwrap();
            }
        });
        let d = only(&diags, DiagnosticKind::Io);
        assert!(d.file.ends_with("98-2030"), "{d}");
        assert!(d.message.contains("no decision.yaml"), "{d}");
        assert_eq!(
            d.suggestion.as_deref(),
            Some(format!("rename `{name}` to `decision.yaml`").as_str()),
            "{d}"
        );
    }
    // Forms and cases without any decision file are reported too.
    let (_tmp, diags) = rules_with_broken_second(|_| {});
    let d = only(&diags, DiagnosticKind::Io);
    assert!(d.message.contains("holds 1 rule file(s)"), "{d}");
}

#[test]
fn a_decision_file_that_is_a_folder_or_a_dangling_link_is_an_error() {
    let (_tmp, diags) =
        rules_with_broken_second(|dir| std::fs::create_dir(dir.join("decision.yaml")).unwrap());
    let d = only(&diags, DiagnosticKind::Io);
    assert!(d.file.ends_with("98-2030/decision.yaml") && d.message.contains("is a folder"), "{d}");
    assert!(d.message.contains("decision `98-2030` and its forms are not loaded"), "{d}");
    #[cfg(unix)]
    {
        let (_tmp, diags) = rules_with_broken_second(|dir| {
            std::os::unix::fs::symlink(dir.join("gone.yaml"), dir.join("decision.yaml")).unwrap()
        });
        let d = only(&diags, DiagnosticKind::Io);
        assert!(d.file.ends_with("98-2030/decision.yaml") && d.message.contains("cannot be read"), "{d}");
    }
}

#[test]
fn a_decision_that_supersedes_itself() {
    let decision = replace_once(decision(), "supersedes: []", "supersedes: [99-2030]");
    let diags = load(&decision, FORM);
    let d = only(&diags, DiagnosticKind::InvalidValue);
    assert_eq!(d.path, "decision.supersedes[0]");
    assert_eq!((d.line, d.column), (Some(line_of(&decision, "supersedes:")), Some(16)));
    assert!(d.message.contains("supersedes itself") && d.suggestion.is_some(), "{d}");
}

#[test]
fn a_quorum_larger_than_the_council() {
    let decision = replace_once(
        decision(),
        "  display_places: 1\n",
        "  display_places: 1\n  quorum: {numerator: 5, denominator: 3, source: \"Điều 5\"}\n",
    );
    let d = only(&load(&decision, FORM), DiagnosticKind::InvalidValue);
    assert_eq!(d.path, "council.quorum.numerator");
    assert_eq!(d.line, Some(line_of(&decision, "quorum:")));
    assert!(d.message.contains("5/3") && d.expected.as_deref().unwrap_or("").contains("at most 3"), "{d}");
}

#[test]
fn ids_with_invisible_characters_or_look_alike_letters() {
    // (what is written in place of `"1.1":`, what the message names, the suggested id)
    for (written, names, suggestion) in [
        ("\"1.1\u{200b}\"", "U+200B ZERO WIDTH SPACE", "write `1.1`"),
        ("\"1.1\u{feff}\"", "U+FEFF ZERO WIDTH NO-BREAK SPACE", "write `1.1`"),
        ("\"1.\u{ad}1\"", "U+00AD SOFT HYPHEN", "write `1.1`"),
        ("\"\u{202e}1.1\"", "U+202E RIGHT-TO-LEFT OVERRIDE", "write `1.1`"),
        ("\"1.1\\u2066\"", "U+2066 LEFT-TO-RIGHT ISOLATE", "write `1.1`"),
        ("1.1\u{200d}", "U+200D ZERO WIDTH JOINER", "write `1.1`"),
    ] {
        let form = replace_once(FORM, "\"1.1\":\n", &format!("{written}:\n"));
        let diags = load(decision(), &form);
        let d = diags
            .iter()
            .find(|d| d.kind == DiagnosticKind::InvalidValue && d.message.contains("criterion id"))
            .unwrap_or_else(|| panic!("{written}: {}", render_all(&diags)));
        assert!(d.message.contains(names), "{d}");
        assert_eq!(d.suggestion.as_deref(), Some(suggestion), "{d}");
        assert_eq!(d.line, Some(line_of(&form, &format!("{written}:"))), "located at the id: {d}");
        assert!(d.expected.as_deref().unwrap_or("").contains("ASCII letters, digits"), "{d}");
    }
    // Look-alikes: a Cyrillic `а` as an option key, a Greek omicron in a section id.
    let form = replace_once(FORM, "a: {points: 0, text_vi: Không rõ}", "а: {points: 0, text_vi: Không rõ}");
    let d = only(&load(decision(), &form), DiagnosticKind::InvalidValue);
    assert!(d.message.contains("Cyrillic letter `а` (U+0430), which looks like the Latin `a`"), "{d}");
    assert_eq!(d.suggestion.as_deref(), Some("write `a`"));
    assert_eq!(d.line, Some(line_of(&form, "а: {points: 0")));
    let form = replace_once(
        FORM,
        "      \"4\":\n        title_vi: CHẤT LƯỢNG",
        "      \"4Ο\":\n        title_vi: CHẤT LƯỢNG",
    );
    let d = only(&load(decision(), &form), DiagnosticKind::InvalidValue);
    assert!(d.message.contains("section id") && d.message.contains("Greek letter `Ο`"), "{d}");
    // Plain ASCII punctuation outside the set, and a fact id.
    let form = replace_once(FORM, "\"1.1\":\n", "\"1 1\":\n");
    assert!(only(&load(decision(), &form), DiagnosticKind::InvalidValue).message.contains("U+0020"));
    let decision = decision().replace("falsified_dossier", "falsified_dossier\u{200b}");
    let diags = load(&decision, FORM);
    assert!(
        diags.iter().any(|d| d.message.contains("fact id") && d.message.contains("ZERO WIDTH SPACE")),
        "{}",
        render_all(&diags)
    );
}

#[test]
fn a_criterion_id_may_not_be_a_csv_column_name() {
    for column in ["lodged_on", "set", "ID", "product"] {
        let form = replace_once(FORM, "          \"2\":\n", &format!("          \"{column}\":\n"))
            .replace("{answer: \"2\", in: [a]}", &format!("{{answer: \"{column}\", in: [a]}}"));
        let diags = load(decision(), &form);
        let d = only(&diags, DiagnosticKind::InvalidValue);
        assert!(d.message.contains("also the name of an assessment field and bulk CSV column"), "{d}");
        assert_eq!(d.line, Some(line_of(&form, &format!("\"{column}\":"))));
    }
}

#[test]
fn a_form_dated_outside_its_decisions_period() {
    // The decision is in force from 2030-01-15 (no end).
    for (field, date) in [("in_force_from", "2029-06-01"), ("in_force_until", "2030-01-01")] {
        let form = replace_once(
            FORM,
            "  source: \"99/2030/QĐ-TTg, Phụ lục II, Bộ 01\"\n",
            &format!("  source: \"99/2030/QĐ-TTg, Phụ lục II, Bộ 01\"\n  {field}: {date}\n"),
        );
        let d = only(&load(decision(), &form), DiagnosticKind::InvalidValue);
        assert_eq!(d.path, format!("form.{field}"));
        assert_eq!(d.line, Some(line_of(&form, &format!("{field}: {date}"))));
        assert!(d.message.contains("outside decision 99-2030's period (from 2030-01-15)"), "{d}");
    }
    let decision = replace_once(decision(), "in_force_until: null", "in_force_until: 2031-01-01");
    let form = replace_once(
        FORM,
        "  source: \"99/2030/QĐ-TTg, Phụ lục II, Bộ 01\"\n",
        "  source: \"99/2030/QĐ-TTg, Phụ lục II, Bộ 01\"\n  in_force_until: 2031-06-30\n",
    );
    let d = only(&load(&decision, &form), DiagnosticKind::InvalidValue);
    assert!(d.message.contains("from 2030-01-15 to 2031-01-01"), "{d}");
}

#[test]
fn a_decision_superseding_a_later_one() {
    // 98-2030 comes into force after 99-2030 and yet 99-2030 supersedes it (a cycle, if
    // 98-2030 also superseded 99-2030).
    let later = replace_once(
        &second_decision("98-2031", "98/2031/QĐ-TTg"),
        "in_force_from: 2030-01-15",
        "in_force_from: 2031-01-01",
    );
    // 99-2030 ends before 98-2031 starts, so the periods do not overlap: the one error is the
    // direction of `supersedes`.
    let first = replace_once(decision(), "supersedes: []", "supersedes: [98-2031]");
    let first = replace_once(&first, "in_force_until: null", "in_force_until: 2030-12-31");
    let built = CatalogBuilder::new()
        .file("99-2030", "99-2030/decision.yaml", first.clone())
        .file("99-2030", "99-2030/01.yaml", FORM)
        .file("98-2031", "98-2031/decision.yaml", later)
        .file("98-2031", "98-2031/01.yaml", second_form("98-2031"))
        .build()
        .expect_err("refused");
    let d = only(built.diagnostics(), DiagnosticKind::InvalidValue);
    assert_eq!((d.file.as_str(), d.path.as_str()), ("99-2030/decision.yaml", "decision.supersedes[0]"));
    assert_eq!(d.line, Some(line_of(&first, "supersedes:")));
}

// --- 6. byte-order marks; numeric keys quoted as written, where written ----------------------

#[test]
fn a_byte_order_mark_is_accepted_everywhere() {
    let bom = "\u{feff}";
    // Assessments, YAML and JSON.
    let yaml = format!("{bom}decision: 99-2030\nset: \"01\"\nanswers: {ANSWERS}\n");
    let a = Assessment::from_text("a.yaml", &yaml).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(catalog().score(&a).unwrap().outcome().total().to_string(), "100");
    let json = format!(
        "{bom}{{\"decision\": \"99-2030\", \"set\": \"01\", \"answers\": {{\"1.1\": \"c\", \"1.2\": \"c\", \"1.3\": \"yes\", \"2\": \"b\", \"3.1\": \"b\", \"3.2\": \"b\", \"3.3.1\": \"b\", \"3.3.2\": \"b\", \"4\": [\"a\", \"b\", \"c\"]}}}}"
    );
    let a = Assessment::from_text("a.json", &json).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(catalog().score(&a).unwrap().outcome().total().to_string(), "100");
    // Rule files.
    let diags = load(&format!("{bom}{}", decision()), &format!("{bom}{FORM}"));
    assert!(errors(&diags).is_empty(), "{}", render_all(&diags));
    // Case files.
    let case = format!(
        "{bom}name: bom\nassessment:\n  decision: 99-2030\n  set: \"01\"\n  answers: {ANSWERS}\n# A 50 + B 30 + C 20 = 100\nexpect: {{total: 100, stars: 5}}\n"
    );
    let r = cases::run_bytes(&catalog(), "case.yaml", case.as_bytes());
    assert!(r.passed(), "{}", cases::report(&[r]));
    // Errors after a BOM are still located at their line and column.
    let e = assessment_error(&format!("{bom}decision: 99-2030\nset: \"01\"\nanswers: {{\"1.1\": z}}\n"));
    let d = e.diagnostics().iter().find(|d| d.path == "answers.\"1.1\"").expect("located");
    assert_eq!((d.line, d.column), (Some(3), Some(11)));
}

#[test]
fn an_unquoted_numeric_key_is_quoted_as_written_at_its_own_place() {
    let text = "decision: 99-2030\nset: \"01\"\nanswers:\n  \"1.1\": c\n  1.10: a\n  \"1.3\": \"yes\"\n";
    let e = assessment_error(text);
    let d = e.diagnostics().iter().find(|d| d.kind == DiagnosticKind::WrongType).expect("the key");
    assert!(d.message.contains("1.10") && d.message.contains("reads as 1.1"), "{d}");
    assert_eq!(d.suggestion.as_deref(), Some("write \"1.10\" (quoted, YAML keeps it as written)"));
    assert_eq!((d.line, d.column), (Some(5), Some(3)), "{d}");
    assert_eq!(d.path, "answers.\"1.10\"");
    // In a flow mapping, in JSON-like text, and as a value.
    let e = assessment_error("decision: 99-2030\nset: \"01\"\nanswers: {\"1.1\": c, 6.10: a}\n");
    let d = &e.diagnostics()[0];
    assert_eq!(d.suggestion.as_deref(), Some("write \"6.10\" (quoted, YAML keeps it as written)"), "{d}");
    assert_eq!((d.line, d.column), (Some(3), Some(21)));
    let e = assessment_error("decision: 99-2030\nset: 1.10\nanswers: {}\n");
    let d = &e.diagnostics()[0];
    assert!(d.suggestion.as_deref().unwrap_or("").contains("\"1.10\""), "{d}");
    assert_eq!(d.line, Some(2));
    // Written the same as read, the key is still quoted as written.
    let e = assessment_error("decision: 99-2030\nset: \"01\"\nanswers:\n  7: a\n");
    assert_eq!(
        e.diagnostics()[0].suggestion.as_deref(),
        Some("write \"7\" (YAML reads 1.10 as 1.1 and 01 as 1)")
    );
    // In rule files too: a criterion `1.10:` is located at its own line.
    let form = replace_once(FORM, "\"1.1\":\n", "1.10:\n");
    let d = only(&load(decision(), &form), DiagnosticKind::WrongType);
    assert_eq!(d.line, Some(line_of(&form, "1.10:")));
    assert!(d.suggestion.as_deref().unwrap_or("").starts_with("write \"1.10\""), "{d}");
}

// --- 7. folder walks do not loop through links ----------------------------------------------

#[cfg(unix)]
#[test]
fn case_folders_with_looping_links_end() {
    let tmp = TempDir::new("loop");
    let cases_dir = tmp.path().join("rules/99-2030/cases");
    std::fs::create_dir_all(&cases_dir).unwrap();
    std::fs::write(
        cases_dir.join("01.yaml"),
        format!("name: one\nassessment:\n  decision: 99-2030\n  set: \"01\"\n  answers: {ANSWERS}\n# A 50 + B 30 + C 20 = 100\nexpect: {{total: 100, stars: 5}}\n"),
    )
    .unwrap();
    std::os::unix::fs::symlink(".", cases_dir.join("a")).unwrap();
    std::os::unix::fs::symlink(".", cases_dir.join("b")).unwrap();
    std::os::unix::fs::symlink("../..", cases_dir.join("up")).unwrap();
    let root = tmp.path().join("rules");
    // Before the fix this never returned.
    let found = within(20, move || cases::find(root));
    assert_eq!(found.len(), 1, "{found:?}");
    let results = within(20, move || cases::run_path(&catalog(), cases_dir));
    assert_eq!(results.len(), 1);
    assert!(results[0].passed(), "{}", cases::report(&results));
}

/// A guard more than a fix: the catalog's listing goes two levels deep and no further, so it
/// never looped; this keeps it so.
#[cfg(unix)]
#[test]
fn rule_folders_with_looping_links_end() {
    let tmp = TempDir::new("rule-loop");
    tmp.decision_folder("99-2030");
    std::os::unix::fs::symlink(".", tmp.path().join("rules/self")).unwrap();
    std::os::unix::fs::symlink("..", tmp.path().join("rules/99-2030/parent")).unwrap();
    let rules = tmp.path().join("rules");
    let catalog = within(20, move || CatalogBuilder::new().dir(rules).build());
    let catalog = catalog.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(catalog.decisions().count(), 1);
}
