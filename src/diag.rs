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
    /// The catalog has no form for a set that the decision has: its forms are numbered past
    /// the set (or it has none), so the set exists and the catalog is incomplete. The rules'
    /// fault ([`Fault::Rules`](crate::Fault::Rules)), not the assessment's: a set the decision
    /// does not have at all is [`DiagnosticKind::NoApplicableForm`].
    MissingForm,
    /// A rule file that an assessment needs cannot be used: it did not compile when first
    /// used. Followed by the file's own diagnostics. The rules' fault
    /// ([`Fault::Rules`](crate::Fault::Rules)).
    Rules,
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
            DiagnosticKind::MissingForm => "missing-form",
            DiagnosticKind::Rules => "rules",
            DiagnosticKind::Omitted => "omitted",
        }
    }
}

impl DiagnosticKind {
    /// Whether an error of this kind in an [`AssessmentError`](crate::AssessmentError) is the
    /// catalog's fault rather than the assessment's ([`AssessmentError::fault`](crate::AssessmentError::fault)).
    /// Only the kinds that say so: most kinds (`syntax`, `unknown-field`, `io`…) occur in rule
    /// files and assessments alike, and are whoever's text they are found in.
    pub(crate) fn is_rules_fault(self) -> bool {
        matches!(self, DiagnosticKind::MissingForm | DiagnosticKind::Rules)
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

    /// A `missing-form` error at `set`: `decision` has set `set` (`why` says how that is
    /// known, e.g. "its forms are numbered up to 26"), but the catalog has no form for it.
    /// What [`Catalog::form`](crate::Catalog::form) reports for a set that the decision has and
    /// the catalog lacks; a set the decision does not have is `no-applicable-form`.
    pub(crate) fn missing_form(decision: &str, set: &str, why: &str) -> Diagnostic {
        Diagnostic::error(
            DiagnosticKind::MissingForm,
            "set",
            format!("the catalog has no form for set {set} of decision {decision}, although the decision has that set ({why})"),
        )
        .expected(format!("the rule file of set {set} in the decision's folder"))
        .suggest("the rules loaded are incomplete: the service's operator must add the form; the assessment may be right")
    }

    /// A `rules` error in `file`: the form of `set` of `decision` does not compile
    /// (`errors` errors, listed after it).
    pub(crate) fn broken_rules(file: &str, decision: &str, set: &str, errors: u64) -> Diagnostic {
        let mut d = Diagnostic::error(
            DiagnosticKind::Rules,
            "",
            format!(
                "the rule file of set {set} of decision {decision} does not compile ({}): no assessment of that set can be scored",
                plural(errors, "error", "errors")
            ),
        )
        .suggest("the rules loaded are broken: the service's operator must fix the rule file; the assessment may be right");
        d.file = file.to_string();
        d
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
/// (those left out by the cap included: see [`DiagnosticKind::Omitted`]): `1 error, 2 warnings`.
pub fn render_all(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        out.push_str(&d.to_string());
        out.push('\n');
    }
    let (errors, warnings) = count(diagnostics);
    out.push_str(&format!(
        "{}, {}\n",
        plural(errors, "error", "errors"),
        plural(warnings, "warning", "warnings")
    ));
    out
}

/// How many errors and warnings `diagnostics` stand for: each diagnostic counts one, an
/// [`DiagnosticKind::Omitted`] summary counts the diagnostics it stands for.
///
/// ```
/// use ocop_rating::{Diagnostic, DiagnosticKind, count_diagnostics};
/// let found = [Diagnostic::error(DiagnosticKind::Syntax, "", "bad"), Diagnostic::warning(DiagnosticKind::Anomaly, "", "odd")];
/// assert_eq!(count_diagnostics(&found), (1, 1));
/// ```
pub fn count(diagnostics: &[Diagnostic]) -> (u64, u64) {
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
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
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

/// "did you mean `x`?" for the candidate closest to `found`, when one is plausibly what was
/// meant; `None` when no candidate is, or when several are equally plausible.
///
/// Two kinds of names get two rules:
///
/// - **Words** (field, fact and option names, decision keys): the candidate with the fewest
///   edits (Levenshtein, ignoring case), when that is at most a third of `found`'s length (at
///   least 1) and leaves something in common (`z` is not "close" to `a`). `titel_vi` →
///   `title_vi`.
/// - **Criterion ids** (when every candidate is an id: ASCII digits and dots, starting and ending
///   with a digit, such as `1.10`, `6.2`, `7`, or a set's `01`). Ids are not words: `1.8` and
///   `1.1` differ by one character, but `1.1` is another criterion of the form, not a spelling
///   of `1.8`. So an id is suggested only when it is plausibly a typo, and `found` must hold a
///   digit:
///   1. `found` is read as an id is commonly mistyped: the letters `O`/`o` as `0`, `l`/`I` as
///      `1`, a `,` (the Vietnamese decimal comma), `-`, `_`, `/`, `;` or a space as `.`, and
///      surrounding spaces and dots trimmed. When that reading is a candidate, it is suggested:
///      `1.1O` → `1.10`, `6,2` → `6.2`, `3.1.` → `3.1`.
///   2. Otherwise the near misses are the candidates one edit away from that reading (a
///      character inserted, deleted or replaced, or two neighbours swapped). The only near miss
///      is suggested (`1.10` → `1.1` in a form without `1.0`, `1.11` or `1.1x`; `3.9` → `3.1`
///      in a form whose part 3 has no other one-digit sibling); two or more (`1.8` among
///      `1.1`…`1.7`) give no suggestion, since any choice would be a guess: the list of valid
///      ids that the diagnostic gives is the better help.
pub fn did_you_mean<'a>(found: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    // Names are short; a long text is no typo of one, and comparing two long ones would cost
    // their product (hostile input has texts of 64 KiB).
    const LONGEST: usize = 256;
    let chars = found.chars().count();
    if chars > LONGEST {
        return None;
    }
    let candidates: Vec<&str> = candidates.into_iter().filter(|c| c.len() <= 4 * LONGEST).collect();
    if !candidates.is_empty() && candidates.iter().all(|c| is_id(c)) {
        return id_suggestion(found, &candidates).map(|c| format!("did you mean `{c}`?"));
    }
    let limit = (chars / 3).max(1);
    let found = found.to_lowercase();
    candidates
        .into_iter()
        // Lengths further apart than the limit cannot be within it.
        .filter(|c| c.chars().count().abs_diff(chars) <= limit)
        .map(|c| (distance(&found, &c.to_lowercase()), c))
        // A suggestion must share something with what was found: `z` is not "close" to `a`.
        .filter(|(d, c)| *d <= limit && *d < chars && *d < c.chars().count())
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| format!("did you mean `{c}`?"))
}

/// Whether `name` is shaped like a criterion id: ASCII digits and dots, a digit at each end.
fn is_id(name: &str) -> bool {
    let bytes = name.as_bytes();
    bytes.first().is_some_and(u8::is_ascii_digit)
        && bytes.last().is_some_and(u8::is_ascii_digit)
        && bytes.iter().all(|b| b.is_ascii_digit() || *b == b'.')
}

/// The id among `ids` that `found` plausibly mistypes (the rule of [`did_you_mean`]).
fn id_suggestion<'a>(found: &str, ids: &[&'a str]) -> Option<&'a str> {
    if !found.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let read: String = found
        .trim()
        .chars()
        .map(|c| match c {
            'O' | 'o' => '0',
            'l' | 'I' => '1',
            ',' | '-' | '_' | '/' | ';' | ' ' => '.',
            other => other,
        })
        .collect();
    let read = read.trim_matches('.');
    if let Some(id) = ids.iter().find(|id| **id == read) {
        return Some(id);
    }
    let mut near = ids.iter().filter(|id| id.len().abs_diff(read.len()) <= 1 && one_edit_apart(read, id));
    match (near.next(), near.next()) {
        (Some(only), None) => Some(only),
        _ => None,
    }
}

/// Whether `a` becomes `b` by one edit: a character inserted, deleted or replaced, or two
/// neighbouring characters swapped (`a != b`).
fn one_edit_apart(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let (a, b) = (&a[prefix..], &b[prefix..]);
    match (a.len(), b.len()) {
        (0, 0) => false,
        (n, m) if n == m => a[1..] == b[1..] || (n >= 2 && a[0] == b[1] && a[1] == b[0] && a[2..] == b[2..]),
        (n, m) if n == m + 1 => a[1..] == *b,
        (n, m) if m == n + 1 => *a == b[1..],
        _ => false,
    }
}

/// `n` and the noun, singular for one: `plural(1, "criterion", "criteria")` is `1 criterion`,
/// `plural(2, "criterion", "criteria")` is `2 criteria`, `plural(0, "row", "rows")` is `0 rows`.
pub fn plural<N>(n: N, one: &str, many: &str) -> String
where
    N: Copy + fmt::Display + TryInto<u64>,
{
    let word = if n.try_into().is_ok_and(|n| n == 1) { one } else { many };
    format!("{n} {word}")
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
    fn criterion_ids_are_suggested_only_for_plausible_typos() {
        let form = ["1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7", "1.10", "2", "3.1", "6.2", "6.3"];
        let dym = |found: &str| did_you_mean(found, form);
        // Read as an id is mistyped: a letter O for a zero, a decimal comma, a stray dot.
        assert_eq!(dym("1.1O").as_deref(), Some("did you mean `1.10`?"));
        assert_eq!(dym("1.1o").as_deref(), Some("did you mean `1.10`?"));
        assert_eq!(dym("6,2").as_deref(), Some("did you mean `6.2`?"));
        assert_eq!(dym(" 3.1. ").as_deref(), Some("did you mean `3.1`?"));
        assert_eq!(dym("l.2").as_deref(), Some("did you mean `1.2`?"));
        // A sibling that differs by one digit is another criterion, not a typo: `1.8` has seven
        // near misses and gets no suggestion; `1.1` is never offered for it.
        assert_eq!(dym("1.8"), None);
        assert_eq!(dym("6.4"), None);
        // The only near miss is offered: `3.9` (part 3 has only 3.1 here), `21` (only `2`).
        assert_eq!(dym("3.9").as_deref(), Some("did you mean `3.1`?"));
        assert_eq!(dym("21").as_deref(), Some("did you mean `2`?"));
        // Two neighbours swapped count as one edit.
        assert_eq!(did_you_mean("10.1", ["1.01", "2"]).as_deref(), Some("did you mean `1.01`?"));
        // `1.11` is one edit from both 1.1 and 1.10: ambiguous.
        assert_eq!(dym("1.11"), None);
        // No digit, or nothing near: nothing.
        assert_eq!(dym("foo"), None);
        assert_eq!(dym("9.9.9"), None);
        // In a form where 1.10 is the only id one edit away, it is offered for 1.1 typed long.
        assert_eq!(did_you_mean("1.10", ["1.1", "2.1", "3.1"]).as_deref(), Some("did you mean `1.1`?"));
        // Words keep the closest-word rule.
        assert_eq!(
            did_you_mean("148-2032", ["148-2023", "26-2026"]).as_deref(),
            Some("did you mean `148-2023`?")
        );
        assert_eq!(plural(1, "criterion", "criteria"), "1 criterion");
        assert_eq!(plural(0usize, "row", "rows"), "0 rows");
        assert_eq!(plural(2u64, "error", "errors"), "2 errors");
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
        assert!(render_all(&all).ends_with("5 errors, 2 warnings\n"));
        assert!(render_all(&all[..1]).ends_with("\n1 error, 0 warnings\n"));
        assert_eq!(thousands(307_421), "307,421");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }
}
