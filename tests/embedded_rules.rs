//! The rules compiled into the library are the files in `rules/` of this checkout, byte for
//! byte: a stale build (a tree copied with its `target/`, a build script that did not rerun)
//! would otherwise test another checkout's rules without a word.

use ocop_rating::Catalog;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;

fn hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of every rule file under `rules/<decision>/` (not the cases), keyed by
/// `<decision>/<file>`.
fn files_on_disk() -> BTreeMap<String, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let mut out = BTreeMap::new();
    for dir in std::fs::read_dir(&root).unwrap_or_else(|e| panic!("{}: {e}", root.display())) {
        let dir = dir.unwrap_or_else(|e| panic!("{e}")).path();
        if !dir.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let file = file.unwrap_or_else(|e| panic!("{e}")).path();
            if file.is_file() && file.extension().is_some_and(|e| e == "yaml") {
                let bytes = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
                let key = file.strip_prefix(&root).unwrap_or(&file).to_string_lossy().replace('\\', "/");
                out.insert(key, hex(&bytes));
            }
        }
    }
    out
}

#[test]
fn the_embedded_rule_files_are_the_files_in_rules() {
    let catalog = Catalog::embedded().unwrap_or_else(|e| panic!("{e}"));
    let on_disk = files_on_disk();
    let mut embedded = BTreeMap::new();
    for decision in catalog.decisions() {
        embedded.insert(format!("{}/decision.yaml", decision.key()), decision.sha256().to_string());
        for form in catalog.forms_of(decision.key()) {
            let name = form.file().rsplit('/').next().unwrap_or_default();
            embedded.insert(format!("{}/{name}", decision.key()), form.sha256().to_string());
        }
    }
    assert_eq!(embedded.len(), on_disk.len(), "embedded {:?}\non disk {:?}", embedded.keys(), on_disk.keys());
    for (file, sha) in &on_disk {
        assert_eq!(embedded.get(file), Some(sha), "{file}: the embedded copy differs from rules/{file}");
    }
}

/// `Catalog::embedded()` compiles each form on first use, from build.rs's index of the shipped
/// files; `CatalogBuilder::embedded().build()` compiles and cross-checks all of them at once.
/// Both must give the same forms, found by the same lookups, scoring alike, with the same
/// warnings: otherwise the fast start would score under something the load never validated.
#[test]
fn forms_compiled_on_first_use_are_the_forms_compiled_at_once() {
    use ocop_rating::CatalogBuilder;
    use ocop_rating::generate::SheetGenerator;
    let eager = CatalogBuilder::new().embedded().build().unwrap_or_else(|e| panic!("{e}"));
    let mut checked = 0;
    for form in eager.forms() {
        let decision = form.decision().key();
        // Every lookup the eager catalog answers, a fresh lazy catalog answers with the same
        // file: with no date for a set of one version, and on each version's first day.
        let dates = [None, form.in_force_from()];
        for on in dates {
            let want = eager.form(decision, form.set(), on).map(|f| f.file().to_string());
            let lazy = Catalog::embedded().unwrap_or_else(|e| panic!("{e}"));
            let got = lazy.form(decision, form.set(), on).map(|f| f.file().to_string());
            assert_eq!(got.is_ok(), want.is_ok(), "{} set {} on {on:?}", decision, form.set());
            assert_eq!(got.ok(), want.ok(), "{} set {} on {on:?}", decision, form.set());
        }
        let lazy = Catalog::embedded().unwrap_or_else(|e| panic!("{e}"));
        let on = form.in_force_from();
        let twin = lazy.form(decision, form.set(), on).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(twin.sha256(), form.sha256(), "{}", form.file());
        assert_eq!(twin.criteria().len(), form.criteria().len(), "{}", form.file());
        let mut generator = SheetGenerator::new(7);
        for _ in 0..16 {
            let keys = generator.keys(form);
            let (mut sheet, mut twin_sheet) = (form.sheet(), twin.sheet());
            for (criterion, ticked) in form.leaves().zip(&keys) {
                // A cumulative criterion's ticks come as `a+c`; each `set` ticks one more.
                for key in ticked.split('+') {
                    sheet.set(criterion.id(), key).unwrap_or_else(|e| panic!("{}: {e}", form.file()));
                    twin_sheet.set(criterion.id(), key).unwrap_or_else(|e| panic!("{}: {e}", form.file()));
                }
            }
            let (a, b) = (form.score(&sheet), twin.score(&twin_sheet));
            let summary = |o: &ocop_rating::Outcome<'_>| {
                let limits: Vec<String> = o.limited_by().map(|l| l.criterion.id().to_string()).collect();
                (o.total(), o.band_stars(), o.class_after_minimums(), o.stars(), limits)
            };
            let (a, b) = (a.unwrap_or_else(|e| panic!("{e}")), b.unwrap_or_else(|e| panic!("{e}")));
            assert_eq!(summary(&b), summary(&a), "{} with {keys:?}", form.file());
        }
        checked += 1;
    }
    assert_eq!(checked, 79, "every shipped form");
    let lazy = Catalog::embedded().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(lazy.forms().count(), 79);
    let sorted = |c: &Catalog| {
        let mut w: Vec<String> = c.warnings().iter().map(|d| format!("{d:?}")).collect();
        w.sort();
        w
    };
    assert_eq!(sorted(&lazy), sorted(&eager), "the same warnings");
    assert!(eager.warnings().len() > 50, "the shipped anomalies are warnings");
}
