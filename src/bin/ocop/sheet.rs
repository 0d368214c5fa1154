//! `ocop score FILE --format html [--out sheet.html] [--lang vi|en|both]`: the printable score
//! sheet (docs/html.md), one self-contained HTML page from the library's
//! [`ocop_rating::html::sheet`].

use crate::console::{self, Exit};
use ocop_rating::html::{self, Lang};
use ocop_rating::report::ReportOptions;
use ocop_rating::terminal::escape_diagnostics;
use ocop_rating::{Assessment, Catalog, render_all};
use std::path::{Path, PathBuf};

/// The sheet's language on the command line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LangArg {
    /// Vietnamese, as the form is printed.
    #[default]
    Vi,
    /// English labels and names (the law's texts stay Vietnamese).
    En,
    /// Vietnamese first, English beside it.
    Both,
}

impl From<LangArg> for Lang {
    fn from(l: LangArg) -> Lang {
        match l {
            LangArg::Vi => Lang::Vi,
            LangArg::En => Lang::En,
            LangArg::Both => Lang::Both,
        }
    }
}

/// Scores one assessment and writes its sheet to `out` (atomically: the file appears whole) or
/// to stdout. An HTML page is one product: several files are a usage error.
pub fn score(catalog: &Catalog, files: &[PathBuf], out: Option<&Path>, lang: LangArg) -> Result<u8, Exit> {
    let [file] = files else {
        return Err(Exit {
            message: Some("error: --format html writes one sheet: give one assessment file".to_string()),
            code: 2,
        });
    };
    let name = file.display().to_string();
    let bytes = crate::read_limited(file).map_err(|d| {
        Exit::from(render_all(&escape_diagnostics(&[*d])).lines().next().unwrap_or_default().to_string())
    })?;
    let assessment = Assessment::from_bytes(&name, &bytes, &Default::default())
        .map_err(|e| Exit::from(console::diagnostics_text(&e, e.diagnostics())))?;
    let report = catalog
        .report(&assessment, ReportOptions { trace: true })
        .map_err(|e| Exit::from(console::diagnostics_text(&e, e.diagnostics())))?;
    let page = html::sheet(&report, lang.into());
    match out {
        None => console::out(&page)?,
        Some(path) => write_atomically(path, page.as_bytes())
            .map_err(|e| Exit::from(format!("error[io]: {}: {e}", console::name(path))))?,
    }
    Ok(0)
}

/// Writes beside `path` and renames: a reader never sees half a page.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".part");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}
