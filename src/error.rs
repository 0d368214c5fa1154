//! Errors: one type per stage, each carrying every diagnostic of its input at once.

use crate::diag::{Diagnostic, count, render_all};
use std::fmt;

/// Rule files could not be loaded: every problem of every file (errors, and the warnings found
/// beside them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    diagnostics: Vec<Diagnostic>,
}

/// An assessment could not be read or scored: every problem, each with its place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssessmentError {
    diagnostics: Vec<Diagnostic>,
}

macro_rules! diagnostics_error {
    ($name:ident, $what:literal) => {
        impl $name {
            pub(crate) fn new(diagnostics: Vec<Diagnostic>) -> $name {
                $name { diagnostics }
            }
            /// Every diagnostic kept, in the order found: at most
            /// [`Limits::max_diagnostics`](crate::Limits) per input, then a summary that counts the
            /// rest.
            pub fn diagnostics(&self) -> &[Diagnostic] {
                &self.diagnostics
            }
            /// The errors only (with the [`DiagnosticKind::Omitted`](crate::DiagnosticKind::Omitted)
            /// summary that counts those not kept, if any).
            pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
                self.diagnostics.iter().filter(|d| d.is_error())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let (errors, _) = count(&self.diagnostics);
                writeln!(f, concat!($what, ": {} error(s)"), errors)?;
                f.write_str(render_all(&self.diagnostics).trim_end())
            }
        }

        impl std::error::Error for $name {}
    };
}

diagnostics_error!(LoadError, "rule files could not be loaded");
diagnostics_error!(AssessmentError, "the assessment could not be scored");

/// Any error of the library.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Loading rule files.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// Reading or scoring an assessment.
    #[error(transparent)]
    Assessment(#[from] AssessmentError),
    /// Reading a file.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// What failed.
        source: std::io::Error,
    },
}
