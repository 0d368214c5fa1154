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
use crate::diag::{Collector, Diagnostic, DiagnosticKind, Severity, did_you_mean, list_names, thousands};
use crate::locate::{DocPath, Locations};
use crate::points::Points;
use rust_decimal::Decimal;
use serde::de::{self, DeserializeSeed, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor};
use serde_yaml::value::{Tag, TaggedValue};
use serde_yaml::{Mapping, Value};
use std::cell::Cell;
use std::fmt;
use std::io::Read;
use std::path::Path;
use std::str::FromStr;

/// Limits on input documents, so that hostile input is refused quickly and in bounded memory.
///
/// The defaults fit every shipped rule file and any real council many times over. Services that
/// load trusted input may raise them (`Limits { max_members: 500, ..Limits::default() }`).
///
/// - Files are read with at most `max_bytes + 1` bytes, whatever they are (a 1 GB file,
///   `/dev/zero`): a larger one is refused without being read further.
/// - A document is measured **as expanded**: every alias (`*name`) counts as the whole node it
///   repeats (each text its length plus one byte, each number or boolean two, each list, mapping
///   or null one). Expanded, a document may be at most twice its own size plus 64 KiB (no
///   document without aliases comes near: nodes are charged at most what it takes to write
///   them), and never more than `max_bytes`. A file that expands further ("billion laughs", a
///   council of 20,000 members naming one anchored sheet) is refused while it is read, before
///   it takes memory.
/// - Nesting depth is bounded by the YAML parser itself (128 levels).
/// - At most `max_diagnostics` problems are kept per input; the rest are counted in one
///   summary ("… and 307,421 more errors").
///
/// The values and where each applies are listed in `docs/rule-dsl.md` and `docs/assessment.md`
/// ("Limits").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The largest document accepted, in bytes, with every alias expanded (default 4 MiB).
    pub max_bytes: usize,
    /// The longest text value accepted, in bytes (default 64 KiB).
    pub max_string_bytes: usize,
    /// The most council members (`members:`) an assessment may list (default 100).
    pub max_members: usize,
    /// The most diagnostics kept for one input (one file, one assessment); the rest are counted
    /// in a [`DiagnosticKind::Omitted`] summary (default 100).
    pub max_diagnostics: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { max_bytes: 4 << 20, max_string_bytes: 64 << 10, max_members: 100, max_diagnostics: 100 }
    }
}

impl Limits {
    /// Reads a file of at most [`Limits::max_bytes`] bytes, never more than one byte past the
    /// limit whatever the file is. Folders, named pipes and sockets are refused without being
    /// opened (opening a pipe can wait forever); devices are read through the same cap
    /// (`/dev/zero` is "larger than" the limit).
    ///
    /// ```
    /// let limits = ocop_rating::Limits { max_bytes: 16, ..Default::default() };
    /// assert!(limits.read_file("Cargo.toml").unwrap_err().message.contains("larger than 16 bytes"));
    /// ```
    pub fn read_file(&self, path: impl AsRef<Path>) -> Result<Vec<u8>, Diagnostic> {
        read_file(path.as_ref(), self.max_bytes)
    }
}

/// Reads `path` with at most `limit + 1` bytes (see [`Limits::read_file`]).
pub(crate) fn read_file(path: &Path, limit: usize) -> Result<Vec<u8>, Diagnostic> {
    let name = path.display().to_string();
    let fail = |kind, message: String| {
        let mut d = Diagnostic::error(kind, "", message);
        d.file = name.clone();
        d
    };
    let meta =
        std::fs::metadata(path).map_err(|e| fail(DiagnosticKind::Io, format!("cannot be read: {e}")))?;
    if meta.is_dir() {
        return Err(fail(DiagnosticKind::Io, "is a folder, not a file".into()).expected("a YAML file"));
    }
    if let Some(what) = special_file(&meta) {
        return Err(fail(DiagnosticKind::Io, format!("is {what}, not a regular file"))
            .expected("a regular YAML file (pipes and sockets are not read: reading one may wait forever)"));
    }
    let file =
        std::fs::File::open(path).map_err(|e| fail(DiagnosticKind::Io, format!("cannot be read: {e}")))?;
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    let hint = usize::try_from(meta.len().min(cap)).unwrap_or(0).min(limit.saturating_add(1));
    let mut bytes = Vec::with_capacity(hint);
    file.take(cap)
        .read_to_end(&mut bytes)
        .map_err(|e| fail(DiagnosticKind::Io, format!("cannot be read: {e}")))?;
    if bytes.len() > limit {
        let size = if meta.is_file() { format!(" ({} bytes)", thousands(meta.len())) } else { String::new() };
        return Err(fail(DiagnosticKind::Limit, format!("the file is larger than {limit} bytes{size}"))
            .expected(format!("at most {limit} bytes (Limits::max_bytes)")));
    }
    Ok(bytes)
}

/// What a file is when it is a pipe or a socket (never opened: opening may block).
#[cfg(unix)]
fn special_file(meta: &std::fs::Metadata) -> Option<&'static str> {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_fifo() {
        Some("a named pipe (FIFO)")
    } else if t.is_socket() {
        Some("a socket")
    } else {
        None
    }
}

#[cfg(not(unix))]
fn special_file(meta: &std::fs::Metadata) -> Option<&'static str> {
    (!meta.is_file()).then_some("not a file")
}

/// Parses one document. On failure the diagnostic says where and why.
///
/// A UTF-8 byte-order mark before the text is dropped; the document is measured as expanded
/// (aliases count as what they repeat) against [`Limits::max_bytes`] while it is read.
///
/// A text whose first character (after the byte-order mark and white space) is `{` or `[` is
/// JSON, and is read by a JSON parser: its errors are serde_json's, at serde_json's line and
/// column (columns counted in characters, as everywhere else), never a YAML parser's.
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
    let text = decode(file, bytes)?.to_string();
    if text.trim().is_empty() {
        return Err(at(DiagnosticKind::Syntax, Some(1), Some(1), "the document is empty".into())
            .expected("a YAML mapping"));
    }
    // Without aliases a document never stands for more than twice its own text (each node is
    // charged at most what it takes to write); aliases may add 64 KiB more, and the whole
    // stays within max_bytes.
    let allowed = text.len().saturating_mul(2).saturating_add(ALIAS_SLACK).min(limits.max_bytes);
    let budget = Budget {
        left: Cell::new(allowed),
        max_bytes: allowed,
        max_string: limits.max_string_bytes,
        over: Cell::new(None),
    };
    if is_json(&text) {
        let mut de = serde_json::Deserializer::from_str(&text);
        let read = (&budget).deserialize(&mut de).and_then(|value| de.end().map(|()| value));
        return match read {
            Ok(value) => Ok((text, value)),
            Err(e) => {
                let mut d = json_syntax(file, text.as_bytes(), &e);
                if let Some(over) = budget.over.get() {
                    let (message, expected) = over_limit(over, allowed, limits);
                    (d.kind, d.message, d.expected) = (DiagnosticKind::Limit, message, Some(expected));
                }
                Err(d)
            }
        };
    }
    let value: Value = match (&budget).deserialize(serde_yaml::Deserializer::from_str(&text)) {
        Ok(value) => value,
        Err(e) => {
            let message = e.to_string();
            let (line, column) = match e.location() {
                Some(l) => (Some(l.line() as u32), Some(l.column() as u32)),
                None => (None, None),
            };
            if let Some(over) = budget.over.get() {
                let (message, expected) = over_limit(over, allowed, limits);
                // The parser names the place through aliases (`members[6789].answers`), where its
                // mark is that of the node repeated: locate the path, where the text shows it.
                let mut d = at(DiagnosticKind::Limit, line, column, message).expected(expected);
                let full = e.to_string();
                if let Some(end) =
                    full.find(": the document expands").or_else(|| full.find(": a text value is"))
                {
                    let locations = Locations::scan_written(&text);
                    let path = parser_path(&locations, full.get(..end).unwrap_or(""));
                    if let Some((line, column)) = locations.find(&path).filter(|_| path != DocPath::root()) {
                        (d.line, d.column) = (Some(line), Some(column));
                    }
                    d.path = path.to_string();
                }
                return Err(d);
            }
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
    Ok((text, value))
}

/// The text of `bytes`: UTF-8, without a leading byte-order mark. A UTF-16 text, or bytes that
/// are not UTF-8, are an `io` error at the place of the first bad byte (line, and column in
/// characters).
pub(crate) fn decode<'b>(file: &str, bytes: &'b [u8]) -> Result<&'b str, Diagnostic> {
    let at = |line: u32, column: u32, message: String| {
        let mut d = Diagnostic::error(DiagnosticKind::Io, "", message).suggest("save the file as UTF-8");
        d.file = file.to_string();
        (d.line, d.column) = (Some(line), Some(column));
        d
    };
    if bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]) {
        return Err(at(1, 1, "the file is UTF-16 (it starts with a UTF-16 byte-order mark)".into())
            .expected("UTF-8 text"));
    }
    // A byte-order mark is not part of the document (editors on Windows add one).
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let good = bytes.get(..e.valid_up_to()).unwrap_or_default();
        let line = good.iter().filter(|b| **b == b'\n').count() as u32 + 1;
        let start = good.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
        // The bytes before the bad one are UTF-8: count their characters.
        let before =
            std::str::from_utf8(good.get(start..).unwrap_or_default()).map_or(0, |s| s.chars().count());
        at(
            line,
            before as u32 + 1,
            format!(
                "the file is not UTF-8: invalid byte 0x{:02x}",
                bytes.get(e.valid_up_to()).copied().unwrap_or_default()
            ),
        )
    })
}

/// Whether a text is JSON: its first character after white space is `{` or `[`.
pub(crate) fn is_json(text: &str) -> bool {
    matches!(text.trim_start_matches([' ', '\t', '\r', '\n']).as_bytes().first(), Some(b'{' | b'['))
}

/// A serde_json error as a diagnostic of `file`: serde_json's message (without its " at line L
/// column C", which the diagnostic carries) at its line and column, the column counted in
/// characters of `text` (serde_json counts bytes). `syntax` for what the parser refuses
/// (`duplicate entry` included, as in YAML), `limit` beyond its 128 levels of nesting.
pub(crate) fn json_syntax(file: &str, text: &[u8], e: &serde_json::Error) -> Diagnostic {
    let full = e.to_string();
    let message = full.rsplit_once(" at line ").map_or(full.as_str(), |(m, _)| m);
    let kind = if message.contains("recursion limit") || message.contains("more than the limit") {
        DiagnosticKind::Limit
    } else {
        DiagnosticKind::Syntax
    };
    let mut d = Diagnostic::error(kind, "", message);
    d.file = file.to_string();
    if e.line() > 0 {
        d.line = Some(e.line() as u32);
        d.column = Some(json_column(text, e.line(), e.column()));
    }
    if message.contains("recursion limit") {
        d = d.expected("at most 128 levels of nesting");
    } else if message.contains("duplicate entry") {
        d = d.suggest("each key may appear once in a mapping; remove or rename the duplicate");
    } else if message.starts_with("key must be a string") {
        d = d.suggest(
            "a text that starts with `{` or `[` is read as JSON, whose keys are quoted: `{\"set\": \"01\"}`",
        );
    } else if e.is_eof() {
        d = d.suggest("the text ends before the document does: was it cut short?");
    }
    d
}

/// The 1-based column, in characters, of serde_json's `column` on `line` (serde_json counts the
/// bytes of the line read so far, the bad one included).
fn json_column(text: &[u8], line: usize, column: usize) -> u32 {
    let start = if line <= 1 {
        0
    } else {
        text.iter().enumerate().filter(|(_, b)| **b == b'\n').nth(line - 2).map_or(0, |(i, _)| i + 1)
    };
    let read = text.get(start..).unwrap_or_default();
    let read = read.get(..column.min(read.len())).unwrap_or_default();
    // Characters that start within the bytes read: the bad byte's character is the last.
    let chars = read.iter().filter(|b| (**b & 0xc0) != 0x80).count();
    chars.max(1) as u32
}

/// The message and what was expected for a document over a limit while it was read.
fn over_limit(over: Over, allowed: usize, limits: &Limits) -> (String, String) {
    match over {
        Over::Expanded => (
            format!(
                "the document expands to more than {allowed} bytes: its aliases (`*name`) \
                 repeat more than the limits allow"
            ),
            format!(
                "with every alias expanded, at most twice the document's own size plus \
                 {ALIAS_SLACK} bytes, and at most {} bytes (Limits::max_bytes)",
                limits.max_bytes
            ),
        ),
        Over::String(len) => (
            format!("a text value is {len} bytes, more than the limit of {}", limits.max_string_bytes),
            format!("texts of at most {} bytes (Limits::max_string_bytes)", limits.max_string_bytes),
        ),
    }
}

/// The document path of a place the YAML parser names (`members[6789].answers.1.1`), as far
/// as the text shows it: keys with dots are matched against the keys written there.
fn parser_path(locations: &Locations, shown: &str) -> DocPath {
    let mut path = DocPath::root();
    let mut rest = shown;
    loop {
        if let Some(after) = rest.strip_prefix('[') {
            let Some((index, tail)) = after.split_once(']') else { break };
            let Ok(index) = index.parse::<usize>() else { break };
            path = path.index(index);
            rest = tail;
            continue;
        }
        let rest_key = rest.strip_prefix('.').unwrap_or(rest);
        if rest_key.is_empty() {
            break;
        }
        let next = locations
            .keys_under(&path)
            .iter()
            .filter(|k| {
                rest_key.strip_prefix(k.as_str()).is_some_and(|t| t.is_empty() || t.starts_with(['.', '[']))
            })
            .max_by_key(|k| k.len())
            .cloned();
        let Some(key) = next else { break };
        rest = rest_key.get(key.len()..).unwrap_or("");
        path = path.key(&key);
    }
    path
}

/// What aliases may add to a document beyond twice its own size (see [`Limits`]).
const ALIAS_SLACK: usize = 64 << 10;

/// Which limit a document went over while it was read.
#[derive(Clone, Copy, Debug)]
enum Over {
    /// Expanded (aliases included) past `max_bytes`.
    Expanded,
    /// A text longer than `max_string_bytes` (its length).
    String(usize),
}

/// Builds a [`Value`] while counting what it costs, aliases expanded: the parser replays an
/// alias's events each time it is used, so every repetition is charged here and the build
/// stops as soon as the document stands for more than `max_bytes`.
struct Budget {
    left: Cell<usize>,
    max_bytes: usize,
    max_string: usize,
    over: Cell<Option<Over>>,
}

impl Budget {
    fn charge<E: de::Error>(&self, n: usize) -> Result<(), E> {
        match self.left.get().checked_sub(n) {
            Some(left) => {
                self.left.set(left);
                Ok(())
            }
            None => {
                self.over.set(Some(Over::Expanded));
                Err(E::custom(format_args!("the document expands to more than {} bytes", self.max_bytes)))
            }
        }
    }

    fn text<E: de::Error>(&self, s: &str) -> Result<(), E> {
        if s.len() > self.max_string {
            self.over.set(Some(Over::String(s.len())));
            return Err(E::custom(format_args!("a text value is {} bytes", s.len())));
        }
        self.charge(s.len().saturating_add(1))
    }
}

impl<'de> DeserializeSeed<'de> for &Budget {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for &Budget {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Value, E> {
        self.charge(2)?;
        Ok(Value::Bool(b))
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Value, E> {
        self.charge(2)?;
        Ok(Value::Number(n.into()))
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Value, E> {
        self.charge(2)?;
        Ok(Value::Number(n.into()))
    }

    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Value, E> {
        self.charge(2)?;
        Ok(Value::Number(n.into()))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Value, E> {
        self.text(s)?;
        Ok(Value::String(s.to_owned()))
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<Value, E> {
        self.text(&s)?;
        Ok(Value::String(s))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        self.charge(1)?;
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        self.charge(1)?;
        Ok(Value::Null)
    }

    fn visit_some<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        self.deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        self.charge(1)?;
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self)? {
            items.push(item);
        }
        Ok(Value::Sequence(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        self.charge(1)?;
        let mut out = Mapping::new();
        while let Some(key) = map.next_key_seed(self)? {
            // Refused at the key, before its value is read: the parser's place is the key's.
            if out.contains_key(&key) {
                let shown = match &key {
                    Value::String(s) => format!("with key {s:?}"),
                    other => scalar_text(other)
                        .map_or_else(|| "with a repeated key".into(), |k| format!("with key {k}")),
                };
                return Err(de::Error::custom(format_args!("duplicate entry {shown}")));
            }
            let value = map.next_value_seed(self)?;
            out.insert(key, value);
        }
        Ok(Value::Mapping(out))
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Value, A::Error> {
        let (tag, contents): (String, _) = data.variant()?;
        if tag.is_empty() {
            return Err(de::Error::custom("empty YAML tag is not allowed"));
        }
        self.charge(tag.len())?;
        let value = contents.newtype_variant_seed(self)?;
        Ok(Value::Tagged(Box::new(TaggedValue { tag: Tag::new(tag), value })))
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

/// Whether `raw` (a scalar as written) reads as `value` in YAML.
fn reads_as(raw: &str, value: &Value) -> bool {
    raw.len() <= 64 && serde_yaml::from_str::<Value>(raw).is_ok_and(|v| v == *value)
}

/// Walks one document and collects diagnostics (at most [`Limits::max_diagnostics`] kept).
pub(crate) struct Reader {
    file: String,
    text: String,
    limits: Limits,
    /// Scanned on the first diagnostic: most files have none, and the scan is a fifth of the
    /// cost of loading the shipped rules.
    locations: Option<Locations>,
    /// Scanned for keys as written, on the first id written as a number.
    written: Option<Locations>,
    diagnostics: Collector,
}

impl Reader {
    /// A reader under the default [`Limits`].
    pub(crate) fn new(file: &str, text: &str) -> Reader {
        Reader::with_limits(file, text, Limits::default())
    }

    /// A reader under `limits` (members and diagnostics kept).
    pub(crate) fn with_limits(file: &str, text: &str, limits: Limits) -> Reader {
        Reader {
            file: file.to_string(),
            text: text.to_string(),
            limits,
            locations: None,
            written: None,
            diagnostics: Collector::new(limits.max_diagnostics),
        }
    }

    /// The file name given to [`Reader::new`].
    pub(crate) fn file(&self) -> &str {
        &self.file
    }

    /// The limits this reader applies.
    pub(crate) fn limits(&self) -> &Limits {
        &self.limits
    }

    fn locations(&mut self) -> &Locations {
        self.locations.get_or_insert_with(|| Locations::scan(&self.text))
    }

    /// Adds the file and the location of `path` to a diagnostic and records it (or only counts
    /// it, past [`Limits::max_diagnostics`]).
    pub(crate) fn push(&mut self, path: &DocPath, mut diagnostic: Diagnostic) {
        if !self.diagnostics.would_keep(diagnostic.severity) {
            self.diagnostics.count(diagnostic.severity);
            return;
        }
        diagnostic.file = self.file.clone();
        if diagnostic.path.is_empty() {
            diagnostic.path = path.to_string();
        }
        if let Some((line, column)) = self.locations().find(path) {
            diagnostic.line = Some(line);
            diagnostic.column = Some(column);
        }
        self.diagnostics.push(diagnostic);
    }

    /// Records an error.
    pub(crate) fn error(&mut self, kind: DiagnosticKind, path: &DocPath, message: impl Into<String>) {
        self.push(path, Diagnostic::error(kind, path.to_string(), message));
    }

    /// Whether any error was recorded (kept or only counted).
    pub(crate) fn has_errors(&self) -> bool {
        self.diagnostics.has_errors()
    }

    /// Every diagnostic kept, then a summary of those only counted.
    pub(crate) fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.diagnostics.finish(&self.file)
    }

    /// How the key `key` of the mapping at `parent` was written, when the text shows it and it
    /// reads as `key` (so `1.10:` is quoted as `1.10`, not as the number 1.1 YAML made of it).
    fn written_key(&mut self, parent: &DocPath, key: &Value) -> Option<String> {
        if self.written.is_none() {
            self.written = Some(Locations::scan_written(&self.text));
        }
        let (text, locations) = (&self.text, self.written.as_ref()?);
        let found: Vec<String> = locations
            .keys_under(parent)
            .iter()
            .filter_map(|k| locations.key_span(&parent.key(k)))
            .filter_map(|span| text.get(span))
            .filter(|raw| reads_as(raw, key))
            .map(str::to_string)
            .collect();
        match found.as_slice() {
            [one] => Some(one.clone()),
            _ => None,
        }
    }

    /// How the scalar at `path` was written, when the text shows it and it reads as `value`.
    fn written_value(&mut self, path: &DocPath, value: &Value) -> Option<String> {
        if !self.diagnostics.would_keep(Severity::Error) {
            return None;
        }
        if self.written.is_none() {
            self.written = Some(Locations::scan_written(&self.text));
        }
        let span = self.written.as_ref()?.value_span(path)?;
        let raw = self.text.get(span)?;
        reads_as(raw, value).then(|| raw.to_string())
    }

    pub(crate) fn wrong_type(&mut self, path: &DocPath, found: &Value, expected: &str) {
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
        all.extend(optional.iter().filter(|name| !required.contains(name)));
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

    /// An id: a text. A number is refused with the advice to quote it as written, because YAML
    /// reads `1.10` as 1.1 and `01` as 1.
    pub(crate) fn id(&mut self, value: &Value, path: &DocPath, what: &str) -> Option<String> {
        match value {
            Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
            Value::Number(n) => {
                let written = self.written_value(path, value);
                self.numeric_id(n, written, path, what);
                None
            }
            other => {
                self.wrong_type(path, other, &format!("{what} (a non-empty text)"));
                None
            }
        }
    }

    /// Reports an id written as a number, quoting it as written when the text shows it.
    fn numeric_id(&mut self, n: &serde_yaml::Number, written: Option<String>, path: &DocPath, what: &str) {
        let read = n.to_string();
        let (message, suggestion) = match &written {
            Some(w) if *w != read => (
                format!("{what} {w} is written as a number, which YAML reads as {read}"),
                format!("write \"{w}\" (quoted, YAML keeps it as written)"),
            ),
            Some(w) => (
                format!("{what} {w} is written as a number"),
                format!("write \"{w}\" (YAML reads 1.10 as 1.1 and 01 as 1)"),
            ),
            None => (
                format!("{what} is written as a number, which YAML reads as {read}"),
                "quote the id exactly as the form prints it (YAML reads 1.10 as 1.1 and 01 as 1)".to_string(),
            ),
        };
        let d = Diagnostic::error(DiagnosticKind::WrongType, path.to_string(), message)
            .expected(format!("{what} as a quoted text"))
            .suggest(suggestion);
        self.push(path, d);
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
            if let Value::Number(n) = key {
                // Located at the key as written (`1.10:`), not at the mapping.
                let written = if self.diagnostics.would_keep(Severity::Error) {
                    self.written_key(path, key)
                } else {
                    None
                };
                let at = path.key(written.as_deref().unwrap_or(&n.to_string()));
                self.numeric_id(n, written, &at, &format!("{what} id"));
                continue;
            }
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
