//! Embeds the shipped rule files (`rules/*/*.yaml`, not the regression cases) in the library,
//! with an index of each form's set and dates, so that `Catalog::embedded()` can find a form
//! without compiling the other 78 (forms compile on first use; tests/embedded_rules.rs proves
//! that every shipped form compiles and that this index agrees with it).

use std::fmt::Write;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=rules");
    let root = Path::new("rules");
    let mut files = Vec::new();
    if let Ok(entries) = std::fs::read_dir(root) {
        for dir in entries.flatten().map(|e| e.path()).filter(|p| p.is_dir()) {
            println!("cargo:rerun-if-changed={}", dir.display());
            if let Ok(inner) = std::fs::read_dir(&dir) {
                for file in inner.flatten().map(|e| e.path()) {
                    let is_yaml = matches!(file.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"));
                    if file.is_file() && is_yaml {
                        println!("cargo:rerun-if-changed={}", file.display());
                        files.push(file);
                    }
                }
            }
        }
    }
    files.sort();
    let mut out = String::from(
        "/// Rule files shipped with the library: (path under rules/, bytes, the form's index entry).\n\
         pub static FILES: &[(&str, &[u8], Option<super::FormIndex>)] = &[\n",
    );
    for file in &files {
        let rel = file.strip_prefix(root).unwrap_or(file).to_string_lossy().replace('\\', "/");
        // Relative to the crate at compile time, never an absolute path: a tree copied with its
        // target/ must not keep embedding another checkout's rules.
        let index = match form_index(file) {
            Some((set, from, until)) => {
                format!("Some(super::FormIndex {{ set: {set:?}, from: {from:?}, until: {until:?} }})")
            }
            None => "None".to_string(),
        };
        let _ = writeln!(
            out,
            "    ({rel:?}, include_bytes!(concat!(env!(\"CARGO_MANIFEST_DIR\"), {:?})), {index}),",
            format!("/rules/{rel}")
        );
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap_or_default()).join("embedded_rules.rs");
    if let Err(e) = std::fs::write(&dest, out) {
        println!("cargo:warning=cannot write {}: {e}", dest.display());
    }
}

/// The set and dates of a form file (`form.set`, `form.in_force_from`, `form.in_force_until`), as
/// written; `None` for a decision file or a file this cannot read (the library then compiles
/// that folder when the catalog is loaded, and reports its errors there).
fn form_index(path: &Path) -> Option<(String, Option<String>, Option<String>)> {
    if path.file_name().is_some_and(|n| n == "decision.yaml") {
        return None;
    }
    let text = std::fs::read_to_string(path).ok()?;
    let value: serde_yaml::Value = serde_yaml::from_str(&text).ok()?;
    let form = value.get("form")?;
    let text_of = |key: &str| form.get(key).and_then(|v| v.as_str()).map(str::to_string);
    Some((text_of("set")?, text_of("in_force_from"), text_of("in_force_until")))
}
