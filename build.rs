//! Embeds the shipped rule files (`rules/*/*.yaml`, not the regression cases) in the library.

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
        "/// Rule files shipped with the library: (path under rules/, bytes).\npub static FILES: &[(&str, &[u8])] = &[\n",
    );
    for file in &files {
        let rel = file.strip_prefix(root).unwrap_or(file).to_string_lossy().replace('\\', "/");
        // Relative to the crate at compile time, never an absolute path: a tree copied with its
        // target/ must not keep embedding another checkout's rules.
        let _ = writeln!(
            out,
            "    ({rel:?}, include_bytes!(concat!(env!(\"CARGO_MANIFEST_DIR\"), {:?}))),",
            format!("/rules/{rel}")
        );
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap_or_default()).join("embedded_rules.rs");
    if let Err(e) = std::fs::write(&dest, out) {
        println!("cargo:warning=cannot write {}: {e}", dest.display());
    }
}
