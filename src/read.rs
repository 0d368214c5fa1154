//! Reading YAML (and JSON) input into checked values, collecting every problem at once.
//!
//! The parse stage of every input. `serde_yaml` gives a [`Value`]; the [`Reader`] walks it by
//! hand rather than through `#[derive(Deserialize)]`, because derive stops at the first error
//! and cannot say "did you mean". Each getter records a [`Diagnostic`] with the file, line,
//! column and document path, and returns `None`, so that the caller carries on and reports the
//! next problem too.

// Input paths: indexing that could panic on user data is not allowed here.
#![deny(clippy::indexing_slicing)]

use crate::date::Date;
use crate::diag::{Diagnostic, DiagnosticKind, did_you_mean, list_names};
use crate::locate::{DocPath, Locations};
use crate::points::Points;
use rust_decimal::Decimal;
use serde_yaml::{Mapping, Value};
use std::str::FromStr;

/// Limits on the size of input documents, so that hostile input is refused quickly.
///
/// The defaults fit every shipped rule file many times over. Services that load trusted input
/// may raise them. Nesting depth is bounded by the YAML parser itself (128 levels), and alias
/// expansion ("billion laughs") by its repetition limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The largest document accepted, in bytes (default 4 MiB).
    pub max_bytes: usize,
    /// The longest text value accepted, in bytes (default 64 KiB).
    pub max_string_bytes: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { max_bytes: 4 << 20, max_string_bytes: 64 << 10 }
    }
}

/// Parses one document. On failure the diagnostic says where and why.
pub(crate) fn parse(file: &str, bytes: &[u8], limits: &Limits) -> Result<(String, Value), Diagnostic> {
    let at = |kind, line: Option<u32>, column: Option<u32>, message: String| {
        let mut d = Diagnostic::error(kind, "", message);
        d.file = file.to_string();
        d.line = line;
        d.column = column;
        d
    };
    if bytes.len() > limits.max_bytes {
        return Err(at(
            DiagnosticKind::Limit,
            None,
            None,
            format!(
                "the document is {} bytes, more than the limit of {} bytes",
                bytes.len(),
                limits.max_bytes
            ),
        )
        .expected(format!("at most {} bytes (Limits::max_bytes)", limits.max_bytes)));
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(e) => {
            let good = bytes.get(..e.valid_up_to()).unwrap_or_default();
            let line = good.iter().filter(|b| **b == b'\n').count() as u32 + 1;
            let column = good.iter().rev().take_while(|b| **b != b'\n').count() as u32 + 1;
            return Err(at(
                DiagnosticKind::Io,
                Some(line),
                Some(column),
                format!(
                    "the file is not UTF-8: invalid byte 0x{:02x}",
                    bytes.get(e.valid_up_to()).copied().unwrap_or_default()
                ),
            )
            .suggest("save the file as UTF-8"));
        }
    };
    if text.trim().is_empty() {
        return Err(at(DiagnosticKind::Syntax, Some(1), Some(1), "the document is empty".into())
            .expected("a YAML mapping"));
    }
    let value: Value = match serde_yaml::from_str(&text) {
        Ok(value) => value,
        Err(e) => {
            let message = e.to_string();
            let (line, column) = match e.location() {
                Some(l) => (Some(l.line() as u32), Some(l.column() as u32)),
                None => (None, None),
            };
            let kind = if message.contains("recursion limit") || message.contains("repetition limit") {
                DiagnosticKind::Limit
            } else {
                DiagnosticKind::Syntax
            };
            let mut d = at(kind, line, column, message.clone());
            if kind == DiagnosticKind::Limit {
                d = d.expected("at most 128 levels of nesting and no mass alias expansion");
            } else if text.contains('\t') && message.contains("tab") {
                d = d.suggest("YAML indentation uses spaces, not tabs");
            } else if message.contains("duplicate entry") {
                d = d.suggest("each key may appear once in a mapping; remove or rename the duplicate");
            }
            return Err(d);
        }
    };
    if let Some(len) = longest_string(&value, limits.max_string_bytes) {
        return Err(at(
            DiagnosticKind::Limit,
            None,
            None,
            format!("a text value is {len} bytes, more than the limit of {}", limits.max_string_bytes),
        )
        .expected(format!("texts of at most {} bytes (Limits::max_string_bytes)", limits.max_string_bytes)));
    }
    Ok((text, value))
}

/// The length of the first string longer than `max`, if any.
fn longest_string(value: &Value, max: usize) -> Option<usize> {
    match value {
        Value::String(s) if s.len() > max => Some(s.len()),
        Value::Sequence(items) => items.iter().find_map(|v| longest_string(v, max)),
        Value::Mapping(map) => {
            map.iter().find_map(|(k, v)| longest_string(k, max).or_else(|| longest_string(v, max)))
        }
        Value::Tagged(t) => longest_string(&t.value, max),
        _ => None,
    }
}

/// The YAML type of a value, for messages.
pub(crate) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "nothing (null)",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a text",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value",
    }
}

/// A scalar shown as the user wrote it, for messages.
pub(crate) fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Walks one document and collects diagnostics.
pub(crate) struct Reader {
    file: String,
    text: String,
    /// Scanned on the first diagnostic: most files have none, and the scan is a fifth of the
    /// cost of loading the shipped rules.
    locations: Option<Locations>,
    diagnostics: Vec<Diagnostic>,
}

impl Reader {
    pub(crate) fn new(file: &str, text: &str) -> Reader {
        Reader { file: file.to_string(), text: text.to_string(), locations: None, diagnostics: Vec::new() }
    }

    /// The file name given to [`Reader::new`].
    pub(crate) fn file(&self) -> &str {
        &self.file
    }

    /// Adds the file and the location of `path` to a diagnostic and records it.
    pub(crate) fn push(&mut self, path: &DocPath, mut diagnostic: Diagnostic) {
        diagnostic.file = self.file.clone();
        if diagnostic.path.is_empty() {
            diagnostic.path = path.to_string();
        }
        let locations = self.locations.get_or_insert_with(|| Locations::scan(&self.text));
        if let Some((line, column)) = locations.find(path) {
            diagnostic.line = Some(line);
            diagnostic.column = Some(column);
        }
        self.diagnostics.push(diagnostic);
    }

    /// Records an error.
    pub(crate) fn error(&mut self, kind: DiagnosticKind, path: &DocPath, message: impl Into<String>) {
        self.push(path, Diagnostic::error(kind, path.to_string(), message));
    }

    pub(crate) fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    pub(crate) fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.diagnostics
    }

    fn wrong_type(&mut self, path: &DocPath, found: &Value, expected: &str) {
        let d = Diagnostic::error(
            DiagnosticKind::WrongType,
            path.to_string(),
            format!("found {}", type_name(found)),
        )
        .expected(expected.to_string());
        self.push(path, d);
    }

    /// A mapping whose fields are checked against `allowed`; missing `required` fields are
    /// reported. Unknown fields get a "did you mean".
    pub(crate) fn object<'v>(
        &mut self,
        value: &'v Value,
        path: &DocPath,
        what: &str,
        required: &[&str],
        optional: &[&str],
    ) -> Option<Object<'v>> {
        let Value::Mapping(map) = value else {
            self.wrong_type(path, value, &format!("{what} (a mapping)"));
            return None;
        };
        let mut all: Vec<&str> = required.to_vec();
        all.extend_from_slice(optional);
        for key in map.keys() {
            match key.as_str() {
                Some(name) if all.contains(&name) => {}
                _ => {
                    let name = scalar_text(key).unwrap_or_else(|| type_name(key).to_string());
                    let d = Diagnostic::error(
                        DiagnosticKind::UnknownField,
                        path.key(&name).to_string(),
                        format!("unknown field `{name}` in {what}"),
                    )
                    .expected(format!("one of {}", list_names(&all, 24)))
                    .suggest_opt(did_you_mean(&name, all.iter().copied()));
                    self.push(&path.key(&name), d);
                }
            }
        }
        for name in required {
            if map.get(*name).is_none() {
                let d = Diagnostic::error(
                    DiagnosticKind::MissingField,
                    path.to_string(),
                    format!("{what} has no `{name}`"),
                )
                .expected(format!("a `{name}` field"));
                self.push(path, d);
            }
        }
        Some(Object { map, path: path.clone() })
    }

    /// A text. Numbers and booleans are not accepted silently as text.
    pub(crate) fn text(&mut self, value: &Value, path: &DocPath) -> Option<String> {
        match value {
            Value::String(s) => Some(s.clone()),
            other => {
                self.wrong_type(path, other, "a text (quote it)");
                None
            }
        }
    }

    /// An id: a text. A number is refused with the advice to quote it, because YAML reads
    /// `1.10` as 1.1 and `01` as 1.
    pub(crate) fn id(&mut self, value: &Value, path: &DocPath, what: &str) -> Option<String> {
        match value {
            Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
            Value::Number(n) => {
                let d = Diagnostic::error(
                    DiagnosticKind::WrongType,
                    path.to_string(),
                    format!("{what} {n} is written as a number"),
                )
                .expected(format!("{what} as a quoted text"))
                .suggest(format!("write \"{n}\" (YAML reads 1.10 as 1.1 and 01 as 1)"));
                self.push(path, d);
                None
            }
            other => {
                self.wrong_type(path, other, &format!("{what} (a non-empty text)"));
                None
            }
        }
    }

    /// A list of texts.
    pub(crate) fn texts(&mut self, value: &Value, path: &DocPath) -> Option<Vec<String>> {
        let Value::Sequence(items) = value else {
            self.wrong_type(path, value, "a list of texts");
            return None;
        };
        let mut out = Vec::new();
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            match self.text(item, &path.index(i)) {
                Some(t) => out.push(t),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    /// A list of ids (quoted texts).
    pub(crate) fn ids(&mut self, value: &Value, path: &DocPath, what: &str) -> Option<Vec<String>> {
        let Value::Sequence(items) = value else {
            self.wrong_type(path, value, &format!("a list of {what}s"));
            return None;
        };
        let mut out = Vec::new();
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            match self.id(item, &path.index(i), what) {
                Some(t) => out.push(t),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    /// A list.
    pub(crate) fn list<'v>(&mut self, value: &'v Value, path: &DocPath, what: &str) -> Option<&'v [Value]> {
        match value {
            Value::Sequence(items) => Some(items),
            other => {
                self.wrong_type(path, other, &format!("a list of {what}"));
                None
            }
        }
    }

    /// An ordered mapping from ids to values, in the order written.
    pub(crate) fn id_map<'v>(
        &mut self,
        value: &'v Value,
        path: &DocPath,
        what: &str,
    ) -> Vec<(String, &'v Value)> {
        let Value::Mapping(map) = value else {
            self.wrong_type(path, value, &format!("a mapping from {what} ids to {what}s"));
            return Vec::new();
        };
        let mut out = Vec::new();
        for (key, value) in map {
            let shown = scalar_text(key).unwrap_or_default();
            if let Some(id) = self.id(key, &path.key(&shown), &format!("{what} id")) {
                out.push((id, value));
            }
        }
        out
    }

    /// A decimal number (also accepted as a quoted text, e.g. `"2.5"`).
    pub(crate) fn decimal(&mut self, value: &Value, path: &DocPath, what: &str) -> Option<Decimal> {
        let text = match value {
            Value::Number(n) => n.to_string(),
            Value::String(s) => s.trim().to_string(),
            other => {
                self.wrong_type(path, other, &format!("{what} (a number)"));
                return None;
            }
        };
        let parsed = Decimal::from_str(&text).or_else(|_| Decimal::from_scientific(&text));
        match parsed {
            Ok(d) => Some(d),
            Err(_) => {
                let d = Diagnostic::error(
                    DiagnosticKind::InvalidValue,
                    path.to_string(),
                    format!("{what} `{text}` is not a finite decimal number"),
                )
                .expected(format!("{what} such as 3 or 2.5"));
                self.push(path, d);
                None
            }
        }
    }

    /// Points: non-negative, at most two decimals, at most 10 000.
    pub(crate) fn points(&mut self, value: &Value, path: &DocPath, what: &str) -> Option<Points> {
        let d = self.decimal(value, path, what)?;
        let limit = Decimal::from(10_000);
        let problem = if d.is_sign_negative() && !d.is_zero() {
            Some(format!("{what} {d} is negative"))
        } else if d > limit {
            Some(format!("{what} {d} is larger than {limit}"))
        } else {
            None
        };
        if let Some(message) = problem {
            let diag = Diagnostic::error(DiagnosticKind::InvalidValue, path.to_string(), message)
                .expected(format!("{what} between 0 and {limit}"));
            self.push(path, diag);
            return None;
        }
        match Points::from_decimal(d) {
            Some(p) => Some(p),
            None => {
                let diag = Diagnostic::error(
                    DiagnosticKind::InvalidValue,
                    path.to_string(),
                    format!("{what} {d} has more than two decimal places"),
                )
                .expected(format!("{what} with at most two decimal places"));
                self.push(path, diag);
                None
            }
        }
    }

    /// A whole number in `min..=max`.
    pub(crate) fn integer(
        &mut self,
        value: &Value,
        path: &DocPath,
        what: &str,
        min: i64,
        max: i64,
    ) -> Option<i64> {
        let n = match value {
            Value::Number(n) => n.as_i64(),
            other => {
                self.wrong_type(path, other, &format!("{what} (a whole number)"));
                return None;
            }
        };
        match n {
            Some(n) if (min..=max).contains(&n) => Some(n),
            _ => {
                let shown = scalar_text(value).unwrap_or_default();
                let d = Diagnostic::error(
                    DiagnosticKind::InvalidValue,
                    path.to_string(),
                    format!("{what} {shown} is not a whole number from {min} to {max}"),
                )
                .expected(format!("a whole number from {min} to {max}"));
                self.push(path, d);
                None
            }
        }
    }

    /// A boolean.
    pub(crate) fn boolean(&mut self, value: &Value, path: &DocPath) -> Option<bool> {
        match value {
            Value::Bool(b) => Some(*b),
            other => {
                self.wrong_type(path, other, "true or false");
                None
            }
        }
    }

    /// A date `YYYY-MM-DD`.
    pub(crate) fn date(&mut self, value: &Value, path: &DocPath) -> Option<Date> {
        let Some(text) = scalar_text(value).filter(|_| matches!(value, Value::String(_))) else {
            self.wrong_type(path, value, "a date YYYY-MM-DD");
            return None;
        };
        match Date::from_str(&text) {
            Ok(d) => Some(d),
            Err(e) => {
                let d = Diagnostic::error(DiagnosticKind::InvalidValue, path.to_string(), e.to_string())
                    .expected("a date YYYY-MM-DD");
                self.push(path, d);
                None
            }
        }
    }

    /// A date or null.
    pub(crate) fn opt_date(&mut self, value: Option<&Value>, path: &DocPath) -> Option<Date> {
        match value {
            None | Some(Value::Null) => None,
            Some(v) => self.date(v, path),
        }
    }
}

/// A mapping being read, with its path.
pub(crate) struct Object<'v> {
    map: &'v Mapping,
    path: DocPath,
}

impl<'v> Object<'v> {
    /// The field's value, when present.
    pub(crate) fn get(&self, name: &str) -> Option<&'v Value> {
        self.map.get(name)
    }

    /// The path of a field.
    pub(crate) fn at(&self, name: &str) -> DocPath {
        self.path.key(name)
    }

    /// Reads a required text field (its absence was already reported).
    pub(crate) fn text(&self, r: &mut Reader, name: &str) -> Option<String> {
        self.get(name).and_then(|v| r.text(v, &self.at(name)))
    }

    /// Reads an optional text field; `null` counts as absent.
    pub(crate) fn opt_text(&self, r: &mut Reader, name: &str) -> Option<String> {
        match self.get(name) {
            None | Some(Value::Null) => None,
            Some(v) => r.text(v, &self.at(name)),
        }
    }

    /// Reads an optional list of texts (absent: empty).
    pub(crate) fn texts(&self, r: &mut Reader, name: &str) -> Vec<String> {
        match self.get(name) {
            None | Some(Value::Null) => Vec::new(),
            Some(v) => r.texts(v, &self.at(name)).unwrap_or_default(),
        }
    }

    /// Reads a required points field.
    pub(crate) fn points(&self, r: &mut Reader, name: &str, what: &str) -> Option<Points> {
        self.get(name).and_then(|v| r.points(v, &self.at(name), what))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing)]
    use super::*;

    fn parse_err(text: &[u8]) -> Diagnostic {
        match parse("t.yaml", text, &Limits::default()) {
            Ok(_) => panic!("expected an error"),
            Err(d) => d,
        }
    }

    #[test]
    fn syntax_errors_have_a_place() {
        let d = parse_err(b"a: 1\nb: [1, 2\n");
        assert_eq!(d.kind, DiagnosticKind::Syntax);
        assert!(d.line.is_some());
    }

    #[test]
    fn refuses_non_utf8_with_its_place() {
        let d = parse_err(b"a: 1\nb: \xff\n");
        assert_eq!(d.kind, DiagnosticKind::Io);
        assert_eq!((d.line, d.column), (Some(2), Some(4)));
    }

    #[test]
    fn refuses_empty_and_oversized_documents() {
        assert_eq!(parse_err(b"  \n").kind, DiagnosticKind::Syntax);
        let limits = Limits { max_bytes: 10, ..Limits::default() };
        let d = parse("t.yaml", b"a: 123456789012", &limits).unwrap_err();
        assert_eq!(d.kind, DiagnosticKind::Limit);
    }

    #[test]
    fn refuses_duplicate_keys() {
        let d = parse_err(b"a: 1\na: 2\n");
        assert_eq!(d.kind, DiagnosticKind::Syntax);
        assert!(d.message.contains("duplicate"), "{}", d.message);
    }

    #[test]
    fn numeric_ids_must_be_quoted() {
        let text = "x:\n  1.1: a\n";
        let (_, v) = parse("t.yaml", text.as_bytes(), &Limits::default()).unwrap();
        let mut r = Reader::new("t.yaml", text);
        let x = v.get("x").unwrap();
        let ids = r.id_map(x, &DocPath::root().key("x"), "criterion");
        assert!(ids.is_empty());
        let d = &r.into_diagnostics()[0];
        assert_eq!(d.kind, DiagnosticKind::WrongType);
        assert!(d.suggestion.as_deref().unwrap_or("").contains("\"1.1\""));
        assert_eq!(d.line, Some(2));
    }

    #[test]
    fn points_are_exact_and_bounded() {
        let mut r = Reader::new("t.yaml", "");
        let p = DocPath::root();
        assert_eq!(r.points(&Value::from(2.5), &p, "points"), Some(Points::from_hundredths(250)));
        assert_eq!(r.points(&Value::from(-1), &p, "points"), None);
        assert_eq!(r.points(&Value::from(0.125), &p, "points"), None);
        assert_eq!(r.points(&Value::from(f64::INFINITY), &p, "points"), None);
        assert_eq!(r.points(&Value::from(1e300), &p, "points"), None);
        assert_eq!(r.into_diagnostics().len(), 4);
    }
}
