//! Errors: one type per stage, each carrying every diagnostic of its input at once, and each
//! saying whose fault it is ([`Fault`]), so that a service can answer its client rightly.

use crate::diag::{Diagnostic, DiagnosticKind, count, render_all};
use std::fmt;

/// Whose fault an error is: what a service does with it.
///
/// ```
/// use ocop_rating::{Assessment, Catalog, Fault};
/// let catalog = Catalog::embedded()?;
/// let a = Assessment::from_text("a.json", r#"{"decision": "26-2026", "set": "01", "answers": {"1.1": "z"}}"#)?;
/// let e = catalog.score(&a).unwrap_err();
/// assert_eq!(e.fault(), Fault::Input);                 // the client's to fix: answer 422
/// let cut = Assessment::from_text("a.json", r#"{"decision": "26-2026", "set": "01", "#).unwrap_err();
/// assert_eq!((cut.fault(), cut.fault().as_str()), (Fault::Input, "input"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Fault {
    /// The client's input: an assessment that does not read or does not fit its form (syntax,
    /// a missing or unknown answer, a bad date, text that is not UTF-8), or a decision or set
    /// that the catalog does not know. The same input fails the same way again: a service
    /// answers 4xx (400 or 422) with the diagnostics, which say what to fix.
    Input,
    /// The rules: the catalog lacks a form that its decision has (`missing-form`), or a rule
    /// file is broken (`rules`; every [`LoadError`]). The input may be right: a service answers
    /// 5xx (500), logs the diagnostics for its operator, and does not blame the client.
    Rules,
    /// A file could not be read (missing, unreadable, a folder). It may pass on a retry: a
    /// service retries or answers 5xx (503).
    Io,
}

impl Fault {
    /// The stable kebab-case name: `input`, `rules`, `io`.
    pub fn as_str(self) -> &'static str {
        match self {
            Fault::Input => "input",
            Fault::Rules => "rules",
            Fault::Io => "io",
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether `d` is an error telling that a file could not be read at all: an `io` diagnostic
/// without a place. An `io` diagnostic with a line (a text that is not UTF-8, or is UTF-16) is
/// about what the file holds, and so the fault of whoever wrote it.
fn unreadable(d: &Diagnostic) -> bool {
    d.kind == DiagnosticKind::Io && d.line.is_none()
}

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

        /// The first line says what failed; the diagnostics follow, and the last line counts
        /// them (`1 error, 0 warnings`).
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                writeln!(f, $what)?;
                f.write_str(render_all(&self.diagnostics).trim_end())
            }
        }

        impl std::error::Error for $name {}
    };
}

diagnostics_error!(LoadError, "rule files could not be loaded");
diagnostics_error!(AssessmentError, "the assessment could not be scored");

impl LoadError {
    /// Whose fault it is: [`Fault::Io`] when every error is a file that could not be read,
    /// else [`Fault::Rules`] (a rule file that is not valid, or not UTF-8, is the rules' fault).
    pub fn fault(&self) -> Fault {
        let mut errors = self.errors().filter(|d| d.kind != DiagnosticKind::Omitted).peekable();
        if errors.peek().is_some() && errors.all(unreadable) { Fault::Io } else { Fault::Rules }
    }
}

impl AssessmentError {
    /// Whose fault it is:
    ///
    /// - [`Fault::Rules`] when any error is the catalog's: a form its decision has but the
    ///   catalog lacks (`missing-form`), a rule file that does not compile (`rules`), or an
    ///   error with no diagnostic at all (the library's own);
    /// - else [`Fault::Io`] when the assessment's file could not be read;
    /// - else [`Fault::Input`]: everything else is about the assessment as written, the decision
    ///   and set it names included.
    ///
    /// A service answers [`Fault::Input`] with 4xx and the diagnostics, the others with 5xx.
    pub fn fault(&self) -> Fault {
        let errors: Vec<&Diagnostic> = self.errors().collect();
        if errors.is_empty() || errors.iter().any(|d| d.kind.is_rules_fault()) {
            Fault::Rules
        } else if errors.iter().any(|d| unreadable(d)) {
            Fault::Io
        } else {
            Fault::Input
        }
    }

    /// The rule file `file` of `set` of `decision` does not compile: one `rules` diagnostic
    /// that says so, then the file's own `errors` as they are (located in the rule file). A
    /// [`Fault::Rules`] error, whatever the kinds of the file's errors.
    pub(crate) fn broken_rules(
        file: &str,
        decision: &str,
        set: &str,
        errors: Vec<Diagnostic>,
    ) -> AssessmentError {
        let (n, _) = count(&errors);
        let mut all = Vec::with_capacity(errors.len() + 1);
        all.push(Diagnostic::broken_rules(file, decision, set, n));
        all.extend(errors);
        AssessmentError::new(all)
    }
}

/// Why the catalog should have a form for `set`, given the sets of the decision's forms
/// (`sets`), when it has none: `Some` when `set` is a set number (two digits, from `01`) below
/// the highest set the decision has, or the decision has no form at all. Sets are numbered
/// without gaps in every decision (01 to 26), so a gap is a form the catalog lacks, the rules'
/// fault; a set above the highest, or not a set number, is the client's (`None`).
///
/// No decision file lists its sets: were one to (`sets: 26`), this would read it instead.
pub(crate) fn missing_form_reason<'a>(sets: impl IntoIterator<Item = &'a str>, set: &str) -> Option<String> {
    let number = |s: &str| -> Option<u32> {
        (s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok()).flatten()
    };
    let wanted = number(set).filter(|n| *n >= 1)?;
    let mut highest = None;
    let mut any = false;
    for s in sets {
        any = true;
        if let Some(n) = number(s) {
            highest = highest.max(Some(n));
        }
    }
    match highest {
        _ if !any => Some("the decision has no form at all".to_string()),
        Some(h) if wanted < h => {
            Some(format!("its sets are numbered without gaps, and the catalog has set {h:02}"))
        }
        _ => None,
    }
}

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

impl Error {
    /// Whose fault it is ([`LoadError::fault`], [`AssessmentError::fault`]; a file that could
    /// not be read is [`Fault::Io`]).
    pub fn fault(&self) -> Fault {
        match self {
            Error::Load(e) => e.fault(),
            Error::Assessment(e) => e.fault(),
            Error::Io { .. } => Fault::Io,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(kind: DiagnosticKind, line: Option<u32>) -> Diagnostic {
        let mut d = Diagnostic::error(kind, "", "x");
        d.line = line;
        d
    }

    #[test]
    fn faults_say_whose_problem_it_is() {
        let input = AssessmentError::new(vec![error(DiagnosticKind::InvalidAnswer, Some(3))]);
        assert_eq!(input.fault(), Fault::Input);
        // A text that is not UTF-8 (located) is its writer's; a file not read at all is I/O.
        assert_eq!(AssessmentError::new(vec![error(DiagnosticKind::Io, Some(2))]).fault(), Fault::Input);
        assert_eq!(AssessmentError::new(vec![error(DiagnosticKind::Io, None)]).fault(), Fault::Io);
        // A broken rule file is the rules' fault, whatever its own errors' kinds.
        let broken = AssessmentError::broken_rules(
            "rules/26-2026/01.yaml",
            "26-2026",
            "01",
            vec![error(DiagnosticKind::Syntax, Some(4)), error(DiagnosticKind::UnknownField, Some(9))],
        );
        assert_eq!(broken.fault(), Fault::Rules);
        assert_eq!(broken.diagnostics()[0].kind, DiagnosticKind::Rules);
        assert!(broken.diagnostics()[0].message.contains("(2 errors)"), "{broken}");
        assert_eq!(broken.diagnostics()[0].file, "rules/26-2026/01.yaml");
        let missing = AssessmentError::new(vec![Diagnostic::missing_form("26-2026", "02", "why")]);
        assert_eq!(missing.fault(), Fault::Rules);
        // An error without a diagnostic is the library's own.
        assert_eq!(AssessmentError::new(Vec::new()).fault(), Fault::Rules);
        // Loading: the rules' fault, unless no file could be read.
        assert_eq!(LoadError::new(vec![error(DiagnosticKind::Io, None)]).fault(), Fault::Io);
        assert_eq!(LoadError::new(vec![error(DiagnosticKind::Io, Some(1))]).fault(), Fault::Rules);
        let mixed = vec![error(DiagnosticKind::Io, None), error(DiagnosticKind::Syntax, Some(1))];
        assert_eq!(LoadError::new(mixed).fault(), Fault::Rules);
        assert_eq!(Error::from(input).fault().as_str(), "input");
        assert_eq!(Fault::Io.to_string(), "io");
    }

    #[test]
    fn the_count_is_said_once() {
        let e = AssessmentError::new(vec![error(DiagnosticKind::Syntax, Some(2))]);
        let shown = e.to_string();
        assert!(shown.starts_with("the assessment could not be scored\nerror[syntax]: "), "{shown}");
        assert!(shown.ends_with("\n1 error, 0 warnings"), "{shown}");
        assert_eq!(shown.matches("error,").count() + shown.matches("error(s)").count(), 1, "{shown}");
    }

    #[test]
    fn a_gap_in_the_sets_is_a_missing_form() {
        let sets = ["01", "03", "04"];
        assert!(missing_form_reason(sets, "02").is_some());
        assert!(missing_form_reason(sets, "01").is_some(), "a set the catalog has is not asked about");
        assert_eq!(missing_form_reason(sets, "05"), None, "above the highest: not known to be a set");
        assert_eq!(missing_form_reason(sets, "2"), None);
        assert_eq!(missing_form_reason(sets, "00"), None);
        assert_eq!(missing_form_reason(sets, "banana"), None);
        assert!(missing_form_reason([], "01").is_some(), "a decision without forms lacks them all");
    }
}
