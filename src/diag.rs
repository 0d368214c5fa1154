//! Diagnostics: what is wrong with an input, where, and how to fix it.
//!
//! Every stage that reads user input (rule files, assessments, case files) reports its findings
//! as [`Diagnostic`]s, all at once. A diagnostic is data: the kind (for programs and tests), the
//! file, line and column, the path inside the document, what was found, what was expected, and a
//! suggestion.

use std::fmt;

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Recorded and shown, but the input is usable (e.g. a printed anomaly of the law).
    Warning,
    /// The input cannot be used.
    Error,
}

/// What kind of problem a diagnostic reports. Tests and programs match on this, not on text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum DiagnosticKind {
    /// The file could not be read, or is not UTF-8.
    Io,
    /// The text is not valid YAML (or JSON).
    Syntax,
    /// The document is larger, deeper or more repetitive than the limits allow.
    Limit,
    /// A field the format does not have.
    UnknownField,
    /// A required field is absent.
    MissingField,
    /// A value of the wrong type (a list where a text is expected, …).
    WrongType,
    /// A value of the right type but not allowed (negative points, a bad date, …).
    InvalidValue,
    /// Two things share an id that must be unique.
    DuplicateId,
    /// A name that refers to nothing (a criterion, option, fact, decision or set).
    UnknownReference,
    /// Points, maxima or sums that do not add up.
    PointsMismatch,
    /// Score bands with a gap, an overlap, or not covering 0..max.
    Bands,
    /// A star class no answer set can reach.
    UnreachableClass,
    /// Minimums where a higher class needs less than a lower one.
    InconsistentMinimum,
    /// A condition that refers to itself or to a later criterion, or that can never (or always) hold.
    Condition,
    /// A printed anomaly of the decision, recorded with the value applied.
    Anomaly,
    /// An assessment answer that is missing.
    MissingAnswer,
    /// An assessment answer that is not valid for its criterion.
    InvalidAnswer,
    /// No decision or form applies (wrong decision, set or date).
    NoApplicableForm,
    /// A regression case whose result differs from what it expects.
    CaseMismatch,
    /// More diagnostics were found in one input than are kept ([`Limits::max_diagnostics`](crate::Limits)):
    /// this one stands for the rest and counts them (see [`Diagnostic::omitted`]).
    Omitted,
}

impl DiagnosticKind {
    /// The short kebab-case name shown in messages, e.g. `unknown-field`.
    pub fn name(self) -> &'static str {
        match self {
            DiagnosticKind::Io => "io",
            DiagnosticKind::Syntax => "syntax",
            DiagnosticKind::Limit => "limit",
            DiagnosticKind::UnknownField => "unknown-field",
            DiagnosticKind::MissingField => "missing-field",
            DiagnosticKind::WrongType => "wrong-type",
            DiagnosticKind::InvalidValue => "invalid-value",
            DiagnosticKind::DuplicateId => "duplicate-id",
            DiagnosticKind::UnknownReference => "unknown-reference",
            DiagnosticKind::PointsMismatch => "points-mismatch",
            DiagnosticKind::Bands => "bands",
            DiagnosticKind::UnreachableClass => "unreachable-class",
            DiagnosticKind::InconsistentMinimum => "inconsistent-minimum",
            DiagnosticKind::Condition => "condition",
            DiagnosticKind::Anomaly => "anomaly",
            DiagnosticKind::MissingAnswer => "missing-answer",
            DiagnosticKind::InvalidAnswer => "invalid-answer",
            DiagnosticKind::NoApplicableForm => "no-applicable-form",
            DiagnosticKind::CaseMismatch => "case-mismatch",
            DiagnosticKind::Omitted => "omitted",
        }
    }
}

/// One finding about one place of one input.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// What kind of problem.
    pub kind: DiagnosticKind,
    /// The file (or input name) it concerns.
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<u32>,
    /// 1-based column, when known.
    pub column: Option<u32>,
    /// The path inside the document, e.g. `parts.C.sections."6".criteria."6.2".options.e`.
    pub path: String,
    /// What is wrong, as found.
    pub message: String,
    /// What was expected, when that can be said.
    pub expected: Option<String>,
    /// How to fix it ("did you mean `title_vi`?"), when there is a fix to suggest.
    pub suggestion: Option<String>,
    /// Only for a [`DiagnosticKind::Omitted`] summary: how many diagnostics of its severity were
    /// found in the input beyond the cap and not kept. 0 for every other diagnostic.
    #[serde(skip_serializing_if = "is_zero")]
    pub omitted: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl Diagnostic {
    /// An error of `kind` at `path`.
    pub fn error(kind: DiagnosticKind, path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            kind,
            file: String::new(),
            line: None,
            column: None,
            path: path.into(),
            message: message.into(),
            expected: None,
            suggestion: None,
            omitted: 0,
        }
    }

    /// A warning of `kind` at `path`.
    pub fn warning(kind: DiagnosticKind, path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(kind, path, message) }
    }

    /// Adds what was expected.
    pub fn expected(mut self, expected: impl Into<String>) -> Self {
        self.expected = Some(expected.into());
        self
    }

    /// Adds a suggestion.
    pub fn suggest(mut self, suggestion: impl Into<String>) -> Self {
        self.suggestion = Some(suggestion.into());
        self
    }

    /// Adds a suggestion when there is one.
    pub fn suggest_opt(mut self, suggestion: Option<String>) -> Self {
        if suggestion.is_some() {
            self.suggestion = suggestion;
        }
        self
    }

    /// Whether this is an error (not a warning).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{severity}[{}]: ", self.kind.name())?;
        if !self.file.is_empty() {
            write!(f, "{}", self.file)?;
            if let Some(line) = self.line {
                write!(f, ":{line}")?;
                if let Some(column) = self.column {
                    write!(f, ":{column}")?;
                }
            }
            write!(f, ": ")?;
        }
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        write!(f, "{}", self.message)?;
        if let Some(expected) = &self.expected {
            write!(f, "\n  expected: {expected}")?;
        }
        if let Some(suggestion) = &self.suggestion {
            write!(f, "\n  help: {suggestion}")?;
        }
        Ok(())
    }
}

/// Formats a list of diagnostics, one per paragraph, errors and warnings counted at the end
/// (those left out by the cap included: see [`DiagnosticKind::Omitted`]).
pub fn render_all(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        out.push_str(&d.to_string());
        out.push('\n');
    }
    let (errors, warnings) = count(diagnostics);
    out.push_str(&format!("{errors} error(s), {warnings} warning(s)\n"));
    out
}

/// How many errors and warnings `diagnostics` stand for: each diagnostic counts one, an
/// [`DiagnosticKind::Omitted`] summary counts the diagnostics it stands for.
pub(crate) fn count(diagnostics: &[Diagnostic]) -> (u64, u64) {
    let (mut errors, mut warnings) = (0u64, 0u64);
    for d in diagnostics {
        let n = if d.kind == DiagnosticKind::Omitted { d.omitted } else { 1 };
        if d.is_error() {
            errors += n;
        } else {
            warnings += n;
        }
    }
    (errors, warnings)
}

/// `307421` as `307,421`.
pub(crate) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The diagnostics of one input, at most `max` of them kept: the rest are only counted, so that
/// memory stays bounded however broken the input is ([`Limits::max_diagnostics`](crate::Limits)).
/// [`Collector::finish`] adds one summary per severity ("… and 307,421 more errors").
#[derive(Clone, Debug)]
pub(crate) struct Collector {
    kept: Vec<Diagnostic>,
    max: usize,
    omitted_errors: u64,
    omitted_warnings: u64,
}

impl Collector {
    /// An empty collector keeping at most `max` diagnostics (at least one).
    pub(crate) fn new(max: usize) -> Collector {
        Collector { kept: Vec::new(), max: max.max(1), omitted_errors: 0, omitted_warnings: 0 }
    }

    /// Whether the next diagnostic would only be counted.
    pub(crate) fn is_full(&self) -> bool {
        self.kept.len() >= self.max
    }

    /// Keeps `d`, or counts it when the cap is reached. Errors come first: once the cap is
    /// reached, an error takes the place of the last warning kept, if any.
    pub(crate) fn push(&mut self, d: Diagnostic) {
        if !self.is_full() {
            self.kept.push(d);
        } else if d.is_error()
            && let Some(i) = self.kept.iter().rposition(|k| !k.is_error())
        {
            self.kept.remove(i);
            self.omitted_warnings += 1;
            self.kept.push(d);
        } else {
            self.count(d.severity);
        }
    }

    /// Whether a diagnostic of `severity` would be kept (errors replace warnings once full).
    pub(crate) fn would_keep(&self, severity: Severity) -> bool {
        !self.is_full() || (severity == Severity::Error && self.kept.iter().any(|k| !k.is_error()))
    }

    /// Counts a diagnostic of `severity` that is not kept (the caller saw the cap was reached
    /// and did not build it).
    pub(crate) fn count(&mut self, severity: Severity) {
        match severity {
            Severity::Error => self.omitted_errors += 1,
            Severity::Warning => self.omitted_warnings += 1,
        }
    }

    /// Whether any error was found, kept or not.
    pub(crate) fn has_errors(&self) -> bool {
        self.omitted_errors > 0 || self.kept.iter().any(Diagnostic::is_error)
    }

    /// Whether nothing was found.
    pub(crate) fn is_empty(&self) -> bool {
        self.kept.is_empty() && self.omitted_errors == 0 && self.omitted_warnings == 0
    }

    /// The diagnostics kept, then one summary per severity for those only counted, naming `file`.
    pub(crate) fn finish(self, file: &str) -> Vec<Diagnostic> {
        let mut out = self.kept;
        for (severity, n, what) in [
            (Severity::Error, self.omitted_errors, "error"),
            (Severity::Warning, self.omitted_warnings, "warning"),
        ] {
            if n == 0 {
                continue;
            }
            let message = format!(
                "… and {} more {what}{} (only the first {} diagnostics of a file are kept)",
                thousands(n),
                if n == 1 { "" } else { "s" },
                self.max
            );
            let mut d = Diagnostic::error(DiagnosticKind::Omitted, "", message);
            d.severity = severity;
            d.file = file.to_string();
            d.omitted = n;
            out.push(d);
        }
        out
    }
}

/// The Levenshtein distance between two short strings (by chars).
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb { prev } else { 1 + prev.min(row[j]).min(cur) };
            prev = cur;
        }
    }
    row[b.len()]
}

/// "did you mean `x`?" for the candidate closest to `found`, when one is close enough.
pub fn did_you_mean<'a>(found: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    // Names are short; a long text is no typo of one, and comparing two long ones would cost
    // their product (hostile input has texts of 64 KiB).
    const LONGEST: usize = 256;
    let chars = found.chars().count();
    if chars > LONGEST {
        return None;
    }
    let limit = (chars / 3).max(1);
    let found = found.to_lowercase();
    candidates
        .into_iter()
        // Lengths further apart than the limit cannot be within it.
        .filter(|c| c.len() <= 4 * LONGEST && c.chars().count().abs_diff(chars) <= limit)
        .map(|c| (distance(&found, &c.to_lowercase()), c))
        // A suggestion must share something with what was found: `z` is not "close" to `a`.
        .filter(|(d, c)| *d <= limit && *d < chars && *d < c.chars().count())
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| format!("did you mean `{c}`?"))
}

/// Joins names as `a, b, c` (at most `max` of them, then `… (N more)`).
pub fn list_names<S: AsRef<str>>(names: &[S], max: usize) -> String {
    let mut out: Vec<String> = names.iter().take(max).map(|s| s.as_ref().to_string()).collect();
    if names.len() > max {
        out.push(format!("… ({} more)", names.len() - max));
    }
    out.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(
            did_you_mean("titel_vi", ["title_vi", "name_en"]).as_deref(),
            Some("did you mean `title_vi`?")
        );
        assert_eq!(did_you_mean("zzz", ["title_vi", "name_en"]), None);
        // Long texts are compared with nothing: two ids of 100,000 characters would cost 10^10 steps.
        let long = "1".repeat(100_000);
        let other = format!("{}2", "1".repeat(99_999));
        let start = std::time::Instant::now();
        assert_eq!(did_you_mean(&other, [long.as_str()]), None);
        assert_eq!(
            did_you_mean("titel_vi", [long.as_str(), "title_vi"]).as_deref(),
            Some("did you mean `title_vi`?")
        );
        assert!(start.elapsed().as_secs() < 2);
    }

    #[test]
    fn display_names_every_place() {
        let mut d = Diagnostic::error(DiagnosticKind::UnknownField, "parts.A", "unknown field `titel_vi`")
            .expected("one of title_vi, name_en")
            .suggest("did you mean `title_vi`?");
        d.file = "f.yaml".into();
        d.line = Some(3);
        d.column = Some(5);
        let text = d.to_string();
        assert!(
            text.starts_with("error[unknown-field]: f.yaml:3:5: parts.A: unknown field `titel_vi`"),
            "{text}"
        );
        assert!(text.contains("expected: one of title_vi, name_en"));
        assert!(text.contains("help: did you mean `title_vi`?"));
    }

    #[test]
    fn the_collector_keeps_the_first_and_counts_the_rest() {
        let mut c = Collector::new(2);
        c.push(Diagnostic::warning(DiagnosticKind::Anomaly, "", "w0"));
        for i in 0..5 {
            c.push(Diagnostic::error(DiagnosticKind::InvalidValue, "", format!("e{i}")));
        }
        c.push(Diagnostic::warning(DiagnosticKind::Anomaly, "", "w"));
        assert!(c.has_errors());
        let all = c.finish("f.yaml");
        assert_eq!(all.len(), 4);
        assert_eq!(
            all[2].to_string(),
            "error[omitted]: f.yaml: … and 3 more errors (only the first 2 diagnostics of a file are kept)"
        );
        assert_eq!(all[3].omitted, 2);
        assert_eq!(
            (all[0].message.as_str(), all[1].message.as_str()),
            ("e0", "e1"),
            "errors displace warnings"
        );
        assert_eq!(count(&all), (5, 2));
        assert!(render_all(&all).ends_with("5 error(s), 2 warning(s)\n"));
        assert_eq!(thousands(307_421), "307,421");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }
}
