//! A scoring service in miniature, std only: four worker threads score request bodies (YAML or
//! JSON) against a [`SharedCatalog`] while the catalog is swapped under them, and answer each
//! request as an HTTP service would:
//!
//! - 200 and the owned [`Report`] as JSON, which reads back equal;
//! - 422 for the client's error ([`Fault::Input`]: a bad option, JSON cut short);
//! - 500 for the service's own ([`Fault::Rules`]: after the swap the catalog, built from a folder
//!   that lacks set 02's form, cannot score set 02 however right the request is);
//! - 503 for a file that could not be read ([`Fault::Io`]).
//!
//! Run it with `cargo run --example service`; `tests/service.rs` runs the same code in CI, and
//! any assertion that fails here fails there.

use ocop_rating::report::{Report, ReportOptions};
use ocop_rating::{Assessment, Catalog, CatalogBuilder, Diagnostic, Error, Fault, SharedCatalog};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Scores one request body against the catalog in force now, and returns a report that owns
/// its data: it outlives the catalog snapshot it came from, whatever is swapped in meanwhile.
pub fn score(shared: &SharedCatalog, body: &str) -> Result<Report, Error> {
    // This request's snapshot: a swap during the request does not change the rules under it.
    let catalog = shared.current();
    let assessment = Assessment::from_text("request", body)?;
    Ok(catalog.report(&assessment, ReportOptions::default())?)
}

/// The status for an error: whose fault it is.
pub fn status(e: &Error) -> u16 {
    match e.fault() {
        Fault::Input => 422,
        Fault::Io => 503,
        // Fault::Rules, and any fault a later version adds: the service's own.
        _ => 500,
    }
}

/// An HTTP-like response: a status and a JSON body.
#[derive(Debug)]
pub struct Response {
    /// 200, 422, 500 or 503.
    pub status: u16,
    /// The report, or `{"fault": …, "diagnostics": […]}`.
    pub body: String,
}

/// Handles one request: [`score`], then the report or the error as JSON.
pub fn handle(shared: &SharedCatalog, body: &str) -> Response {
    match score(shared, body) {
        Ok(report) => {
            let json = serde_json::to_string(&report).unwrap_or_else(|e| panic!("a report serialises: {e}"));
            // What the client reads back is what was scored.
            let back: Report = serde_json::from_str(&json).unwrap_or_else(|e| panic!("reads back: {e}"));
            assert_eq!(back, report, "the report reads back equal");
            Response { status: 200, body: json }
        }
        Err(e) => {
            let diagnostics: &[Diagnostic] = match &e {
                Error::Assessment(a) => a.diagnostics(),
                Error::Load(l) => l.diagnostics(),
                _ => &[],
            };
            let body = serde_json::json!({"fault": e.fault(), "diagnostics": diagnostics}).to_string();
            Response { status: status(&e), body }
        }
    }
}

/// The example assessment: set 01 of 26-2026, 61 points and 3 stars (worked out by hand in
/// rules/26-2026/cases/01-middle.yaml).
const RAU_CAI: &str = include_str!("26-2026-01-rau-cai.yaml");

/// A JSON sheet of 26-2026 for `set`, every criterion answered `none` but those in `answers`.
fn json_sheet(catalog: &Catalog, set: &str, answers: &[(&str, &str)]) -> String {
    let form = catalog.form("26-2026", set, None).unwrap_or_else(|e| panic!("{e}"));
    let items: Vec<String> = form
        .leaves()
        .map(|c| {
            let answer = answers.iter().find(|(id, _)| *id == c.id()).map_or("none", |(_, a)| a);
            format!("\"{}\": \"{answer}\"", c.id())
        })
        .collect();
    format!("{{\"decision\": \"26-2026\", \"set\": \"{set}\", \"answers\": {{{}}}}}", items.join(", "))
}

/// A copy of the shipped rules folder (every decision, every form) without the form of set 02
/// of 26-2026, as an operator's botched deployment would leave it; removed when dropped.
struct FolderWithoutSet02(std::path::PathBuf);

impl FolderWithoutSet02 {
    fn new() -> FolderWithoutSet02 {
        let rules = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
        let to = std::env::temp_dir().join(format!("ocop-service-example-{}", std::process::id()));
        let copy = || -> std::io::Result<()> {
            for decision in ["1048-2019", "148-2023", "26-2026"] {
                std::fs::create_dir_all(to.join(decision))?;
                for entry in std::fs::read_dir(rules.join(decision))? {
                    let path = entry?.path();
                    let name = path.file_name().unwrap_or_default().to_string_lossy().into_owned();
                    let lacking = decision == "26-2026" && name.starts_with("02-");
                    if path.is_file() && name.ends_with(".yaml") && !lacking {
                        std::fs::copy(&path, to.join(decision).join(&name))?;
                    }
                }
            }
            Ok(())
        };
        copy().unwrap_or_else(|e| panic!("copying {}: {e}", rules.display()));
        FolderWithoutSet02(to)
    }

    fn builder(&self) -> CatalogBuilder {
        CatalogBuilder::new().dir(&self.0)
    }
}

impl Drop for FolderWithoutSet02 {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The first diagnostic's kind in an error response.
fn first_kind(response: &Response) -> String {
    let body: serde_json::Value = serde_json::from_str(&response.body).unwrap_or_else(|e| panic!("{e}"));
    body["diagnostics"][0]["kind"].as_str().unwrap_or_default().to_string()
}

/// What the run saw: requests answered, by status.
#[derive(Debug, Default)]
pub struct Seen {
    /// Requests answered 200.
    pub ok: u64,
    /// Requests answered 422.
    pub input: u64,
    /// Requests answered 500.
    pub rules: u64,
    /// The catalog's generation at the end (1: one swap).
    pub generation: u64,
}

/// Runs the service: threads, a swap in the middle, and every check. Panics on a failed one.
pub fn run() -> Seen {
    let catalog = Catalog::embedded().unwrap_or_else(|e| panic!("{e}"));
    let set_02 = json_sheet(&catalog, "02", &[]);
    let bad_option = json_sheet(&catalog, "01", &[("1.1", "z")]);
    let cut_short = r#"{"decision":"26-2026","set":"01","answers":{"1.1":"c","#.to_string();
    let shared = Arc::new(SharedCatalog::new(catalog));
    let folder = FolderWithoutSet02::new();

    // Before the swap, one request of each kind.
    let good = handle(&shared, RAU_CAI);
    assert_eq!(good.status, 200, "{}", good.body);
    let report: Report = serde_json::from_str(&good.body).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((report.total.value.to_string(), report.stars), ("61".to_string(), Some(3)));
    assert_eq!(handle(&shared, &set_02).status, 200, "the shipped rules have set 02");
    let bad = handle(&shared, &bad_option);
    assert_eq!((bad.status, first_kind(&bad).as_str()), (422, "invalid-answer"), "{}", bad.body);
    let cut = handle(&shared, &cut_short);
    assert_eq!((cut.status, first_kind(&cut).as_str()), (422, "syntax"), "{}", cut.body);
    assert!(
        cut.body.contains("EOF while parsing a value") && cut.body.contains("\"line\":1"),
        "{}",
        cut.body
    );

    // Four workers score while the catalog is swapped for one built from a folder without set
    // 02: a set 02 request gets 200 or 500 depending on the snapshot it took, never anything
    // else; the others are answered the same either way.
    let requests = Arc::new([RAU_CAI.to_string(), set_02.clone(), bad_option.clone(), cut_short.clone()]);
    let stop = Arc::new(AtomicBool::new(false));
    let answered = Arc::new(AtomicU64::new(0));
    let workers: Vec<_> = (0..4)
        .map(|w| {
            let (shared, requests, stop, answered) =
                (shared.clone(), requests.clone(), stop.clone(), answered.clone());
            let expected_report = report.clone();
            std::thread::spawn(move || {
                let mut seen = Seen::default();
                let mut i = w;
                while !stop.load(Ordering::Relaxed) {
                    let response = handle(&shared, &requests[i % 4]);
                    match (i % 4, response.status) {
                        (0, 200) => {
                            let r: Report =
                                serde_json::from_str(&response.body).unwrap_or_else(|e| panic!("{e}"));
                            assert_eq!(r, expected_report, "the same rules give the same report");
                            seen.ok += 1;
                        }
                        (1, 200) => seen.ok += 1,
                        (1, 500) => {
                            assert_eq!(first_kind(&response), "missing-form", "{}", response.body);
                            seen.rules += 1;
                        }
                        (2 | 3, 422) => seen.input += 1,
                        (kind, status) => panic!("request {kind} answered {status}: {}", response.body),
                    }
                    answered.fetch_add(1, Ordering::Relaxed);
                    i += 1;
                }
                seen
            })
        })
        .collect();
    let wait_for = |n: u64| {
        let deadline = Instant::now() + Duration::from_secs(120);
        while answered.load(Ordering::Relaxed) < n && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(2));
        }
    };
    wait_for(40);
    let generation = shared.reload(folder.builder()).unwrap_or_else(|e| panic!("{e}"));
    let swapped_at = answered.load(Ordering::Relaxed);
    wait_for(swapped_at + 40);
    stop.store(true, Ordering::Relaxed);
    let mut total = Seen { generation, ..Seen::default() };
    for worker in workers {
        let seen = worker.join().unwrap_or_else(|_| panic!("a worker's check failed (see above)"));
        (total.ok, total.input, total.rules) =
            (total.ok + seen.ok, total.input + seen.input, total.rules + seen.rules);
    }
    assert_eq!(total.generation, 1);
    assert!(total.ok > 0 && total.input > 0, "{total:?}");

    // After the swap: set 02 is the rules' fault now (500), the rest is as before.
    let missing = handle(&shared, &set_02);
    assert_eq!((missing.status, first_kind(&missing).as_str()), (500, "missing-form"), "{}", missing.body);
    let e = score(&shared, &set_02).unwrap_err();
    assert_eq!((e.fault(), e.fault().as_str()), (Fault::Rules, "rules"));
    let e = score(&shared, &bad_option).unwrap_err();
    assert_eq!(e.fault(), Fault::Input);
    let again = handle(&shared, RAU_CAI);
    assert_eq!(again.status, 200);
    let r: Report = serde_json::from_str(&again.body).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r, report, "the same form, swapped in from a folder, gives the same report");
    // A set that no decision has is still the client's.
    let unknown = handle(&shared, &set_02.replace("\"set\": \"02\"", "\"set\": \"27\""));
    assert_eq!(
        (unknown.status, first_kind(&unknown).as_str()),
        (422, "no-applicable-form"),
        "{}",
        unknown.body
    );
    total
}

#[allow(dead_code)]
fn main() {
    let seen = run();
    println!(
        "answered {} requests during the swap: {} × 200, {} × 422, {} × 500 (set 02 after the swap); generation {}",
        seen.ok + seen.input + seen.rules,
        seen.ok,
        seen.input,
        seen.rules,
        seen.generation
    );
}
