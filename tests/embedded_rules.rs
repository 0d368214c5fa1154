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
