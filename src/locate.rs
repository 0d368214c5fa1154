//! Where things are in a YAML text: document paths and their line and column.
//!
//! `serde_yaml` reports locations only for syntax and type errors. Semantic checks (a dangling
//! reference, points above a maximum) need the place of a node too, so this module scans the
//! text once and records the line and column of every block-mapping key and block-sequence item
//! under its document path. Flow collections (`{a: 1}`, `[a, b]`) are located at their key.

use std::collections::HashMap;
use std::fmt;

/// One step of a document path: a mapping key or a sequence index.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Seg {
    /// A mapping key.
    Key(String),
    /// A sequence index (0-based).
    Index(usize),
}

/// A path inside a YAML document, shown as `parts.C.sections."6".criteria."6.2".options.e`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct DocPath(Vec<Seg>);

impl DocPath {
    /// The root of the document.
    pub fn root() -> DocPath {
        DocPath(Vec::new())
    }

    /// This path with a key appended.
    pub fn key(&self, key: &str) -> DocPath {
        let mut segs = self.0.clone();
        segs.push(Seg::Key(key.to_string()));
        DocPath(segs)
    }

    /// This path with an index appended.
    pub fn index(&self, index: usize) -> DocPath {
        let mut segs = self.0.clone();
        segs.push(Seg::Index(index));
        DocPath(segs)
    }
}

fn is_plain(key: &str) -> bool {
    !key.is_empty()
        && key.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

impl fmt::Display for DocPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Seg::Key(k) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    if is_plain(k) { f.write_str(k)? } else { write!(f, "{k:?}")? }
                }
                Seg::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// Line and column (1-based) of every located node of one text, and how keys and inline scalars
/// were written (so that a message can quote `1.10` as typed, not as the number YAML read).
///
/// Stored as a tree of node ids: each node is found from its parent's id and its own key or
/// index, so that scanning never copies a whole path.
#[derive(Clone, Debug)]
pub struct Locations {
    /// Node 0 is the document's root.
    nodes: Vec<Node>,
    index: HashMap<(u32, Seg), u32>,
    /// The keys written under each mapping, in order (as read: quotes and escapes resolved);
    /// only with [`Locations::scan_written`].
    children: HashMap<u32, Vec<String>>,
}

impl Default for Locations {
    fn default() -> Locations {
        Locations { nodes: vec![Node::default()], index: HashMap::new(), children: HashMap::new() }
    }
}

/// What is known of one node: where it is, and (with `scan_written`) how its key and its inline
/// scalar are written, as byte ranges of the text.
#[derive(Clone, Copy, Debug, Default)]
struct Node {
    place: Option<(u32, u32)>,
    key: Option<(u32, u32)>,
    value: Option<(u32, u32)>,
}

/// The id of nodes that are not recorded (a complex key and what it holds).
const DETACHED: u32 = u32::MAX;
const ROOT: u32 = 0;

#[derive(Debug)]
struct Container {
    indent: usize,
    node: u32,
    is_seq: bool,
    count: usize,
}

/// Deeper flow collections than this are not followed (the YAML parser refuses them anyway).
const MAX_FLOW_DEPTH: usize = 128;

/// Scanning state: the text, where its lines start, and what was found.
struct Scan<'t> {
    text: &'t str,
    line_starts: Vec<usize>,
    /// Whether to record keys and values as written (for numeric ids and the parser's paths).
    written: bool,
    /// The last place asked: (line, byte offset, characters before it on its line).
    last_column: (usize, usize, usize),
    out: Locations,
}

impl Locations {
    /// Scans `text` for the line and column of every node. Never fails: what it cannot follow
    /// is simply not located.
    pub fn scan(text: &str) -> Locations {
        Locations::scan_with(text, false)
    }

    /// Scans `text` as [`Locations::scan`] does, and records how keys and inline scalars are
    /// written too ([`Locations::key_span`], [`Locations::value_span`],
    /// [`Locations::keys_under`]).
    pub fn scan_written(text: &str) -> Locations {
        Locations::scan_with(text, true)
    }

    fn scan_with(text: &str, written: bool) -> Locations {
        let mut line_starts = vec![0];
        line_starts.extend(text.bytes().enumerate().filter(|(_, b)| *b == b'\n').map(|(i, _)| i + 1));
        let mut scan = Scan { text, line_starts, written, last_column: (0, 0, 0), out: Locations::default() };
        scan.block();
        scan.out
    }

    fn child_of(&self, parent: u32, seg: &Seg) -> Option<u32> {
        self.index.get(&(parent, seg.clone())).copied()
    }

    /// The node of exactly `path`, when it was recorded.
    fn node(&self, path: &DocPath) -> Option<&Node> {
        let mut id = ROOT;
        for seg in &path.0 {
            id = self.child_of(id, seg)?;
        }
        self.nodes.get(id as usize)
    }

    /// The line and column of `path`, or of its nearest located ancestor.
    pub fn find(&self, path: &DocPath) -> Option<(u32, u32)> {
        let mut id = ROOT;
        let mut best = self.nodes.first().and_then(|n| n.place);
        for seg in &path.0 {
            let Some(next) = self.child_of(id, seg) else { break };
            id = next;
            if let Some(place) = self.nodes.get(id as usize).and_then(|n| n.place) {
                best = Some(place);
            }
        }
        best
    }

    /// The byte range of the key of `path` as written in the text (quotes included).
    pub fn key_span(&self, path: &DocPath) -> Option<std::ops::Range<usize>> {
        self.node(path)?.key.map(|(a, b)| a as usize..b as usize)
    }

    /// The byte range of the scalar at `path` as written, when it was written inline.
    pub fn value_span(&self, path: &DocPath) -> Option<std::ops::Range<usize>> {
        self.node(path)?.value.map(|(a, b)| a as usize..b as usize)
    }

    /// The keys written under the mapping at `path`, in order.
    pub fn keys_under(&self, path: &DocPath) -> &[String] {
        let mut id = ROOT;
        for seg in &path.0 {
            match self.child_of(id, seg) {
                Some(next) => id = next,
                None => return &[],
            }
        }
        self.children.get(&id).map_or(&[], Vec::as_slice)
    }
}

/// The byte offset of `part` inside `whole` (`part` is a slice of `whole`).
fn offset_in(whole: &str, part: &str) -> usize {
    (part.as_ptr() as usize).saturating_sub(whole.as_ptr() as usize)
}

fn span(a: usize, b: usize) -> (u32, u32) {
    (u32::try_from(a).unwrap_or(u32::MAX), u32::try_from(b).unwrap_or(u32::MAX))
}

impl Scan<'_> {
    /// Line and column (1-based, in characters) of a byte offset.
    ///
    /// Offsets come in increasing order within a line, so the characters are counted from the
    /// last offset asked on the same line: a long line (minified JSON) costs its length once,
    /// not once per node.
    fn place(&mut self, offset: usize) -> (u32, u32) {
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1);
        let start = self.line_starts.get(line - 1).copied().unwrap_or(0);
        let (from, before) = match self.last_column {
            (l, at, chars) if l == line && at <= offset => (at, chars),
            _ => (start, 0),
        };
        let column = before + self.text.get(from..offset).map_or(0, |t| t.chars().count());
        self.last_column = (line, offset, column);
        (u32::try_from(line).unwrap_or(u32::MAX), u32::try_from(column + 1).unwrap_or(u32::MAX))
    }

    /// The node for `seg` under `parent`, created when new.
    fn child(&mut self, parent: u32, seg: Seg) -> u32 {
        if parent == DETACHED {
            return DETACHED;
        }
        let next = u32::try_from(self.out.nodes.len()).unwrap_or(DETACHED);
        let id = *self.out.index.entry((parent, seg)).or_insert(next);
        if id == next && next != DETACHED {
            self.out.nodes.push(Node::default());
        }
        id
    }

    fn set_place(&mut self, id: u32, place: (u32, u32)) {
        if let Some(node) = self.out.nodes.get_mut(id as usize) {
            node.place = Some(place);
        }
    }

    /// Records the key `key` of the mapping `parent`, written at `raw`; its node.
    fn record_key(&mut self, parent: u32, key: &str, raw: (usize, usize)) -> u32 {
        let id = self.child(parent, Seg::Key(key.to_string()));
        let place = self.place(raw.0);
        self.set_place(id, place);
        if self.written && id != DETACHED {
            if let Some(node) = self.out.nodes.get_mut(id as usize) {
                node.key = Some(span(raw.0, raw.1));
            }
            self.out.children.entry(parent).or_default().push(key.to_string());
        }
        id
    }

    /// Records the item `index` of the sequence `parent`, at `offset`; its node.
    fn record_item(&mut self, parent: u32, index: usize, place: (u32, u32)) -> u32 {
        let id = self.child(parent, Seg::Index(index));
        self.set_place(id, place);
        id
    }

    /// Records how the scalar of node `id` is written.
    fn record_value(&mut self, id: u32, raw: (usize, usize)) {
        if self.written
            && let Some(node) = self.out.nodes.get_mut(id as usize)
        {
            node.value = Some(span(raw.0, raw.1));
        }
    }

    /// The block structure, line by line; flow collections are handed to [`Scan::flow`].
    fn block(&mut self) {
        let text = self.text;
        let mut stack: Vec<Container> = Vec::new();
        // The key (or item) whose value starts on a later line, with its indent.
        let mut pending: Option<(u32, usize)> = None;
        // Lines more indented than this belong to the previous scalar (block or continued).
        let mut scalar_indent: Option<usize> = None;
        // Lines starting before this offset belong to a flow collection already scanned.
        let mut skip_until = 0usize;

        for (line_no, line) in text.split_inclusive('\n').enumerate() {
            let line_start = offset_in(text, line);
            let line = line.strip_suffix('\n').unwrap_or(line);
            let line = line.strip_suffix('\r').unwrap_or(line);
            if line_start < skip_until {
                continue;
            }
            let line_no = (line_no + 1) as u32;
            let content = line.trim_start_matches(' ');
            let mut col = line.len() - content.len();
            if content.trim().is_empty() || content.starts_with('#') {
                continue;
            }
            if let Some(indent) = scalar_indent {
                if col > indent {
                    continue;
                }
                scalar_indent = None;
            }
            if content.starts_with("---") || content.starts_with("...") || content.starts_with('%') {
                stack.clear();
                pending = None;
                continue;
            }
            let mut rest = content;
            loop {
                while stack.last().is_some_and(|c| c.indent > col) {
                    stack.pop();
                }
                if rest.starts_with('{') || rest.starts_with('[') {
                    // A flow collection standing for a pending key's value, or the whole document.
                    let node = match pending.take() {
                        Some((p, _)) => p,
                        None => stack.last().map_or(ROOT, |c| c.node),
                    };
                    skip_until = self.flow(offset_in(text, rest), node, 0);
                    break;
                }
                let is_item = rest == "-" || rest.starts_with("- ");
                if is_item {
                    let top_is_seq_here = stack.last().is_some_and(|c| c.is_seq && c.indent == col);
                    if !top_is_seq_here {
                        let node = match pending.take() {
                            Some((p, _)) => p,
                            None => stack.last().map_or(ROOT, |c| c.node),
                        };
                        stack.push(Container { indent: col, node, is_seq: true, count: 0 });
                    }
                    let Some(seq) = stack.last_mut() else { break };
                    let (parent, index) = (seq.node, seq.count);
                    seq.count += 1;
                    let item = self.record_item(parent, index, (line_no, col as u32 + 1));
                    pending = None;
                    let after = rest.get(1..).unwrap_or("");
                    let trimmed = after.trim_start_matches(' ');
                    if trimmed.is_empty() || trimmed.starts_with('#') {
                        pending = Some((item, col));
                        break;
                    }
                    col += 1 + (after.len() - trimmed.len());
                    rest = trimmed;
                    if split_key(rest).is_some() {
                        stack.push(Container { indent: col, node: item, is_seq: false, count: 0 });
                        continue;
                    }
                    let value = strip_properties(strip_comment(rest).trim());
                    if value.starts_with('{') || value.starts_with('[') {
                        skip_until = self.flow(offset_in(text, value), item, 0);
                        break;
                    }
                    if !value.is_empty() {
                        let a = offset_in(text, value);
                        self.record_value(item, (a, a + value.len()));
                    }
                    scalar_indent = Some(col.saturating_sub(1));
                    break;
                }
                let Some((key, raw, value)) = split_key(rest) else {
                    scalar_indent = Some(col);
                    break;
                };
                let top_is_map_here = stack.last().is_some_and(|c| !c.is_seq && c.indent == col);
                if !top_is_map_here {
                    // A sequence at the same indent ends when a key appears there.
                    if stack.last().is_some_and(|c| c.is_seq && c.indent == col) {
                        stack.pop();
                    }
                    if !stack.last().is_some_and(|c| !c.is_seq && c.indent == col) {
                        let node = match pending.take() {
                            Some((p, _)) => p,
                            None => stack.last().map_or(ROOT, |c| c.node),
                        };
                        stack.push(Container { indent: col, node, is_seq: false, count: 0 });
                    }
                }
                let Some(map) = stack.last() else { break };
                let parent = map.node;
                let raw_at = offset_in(text, raw);
                let path = self.record_key(parent, &key, (raw_at, raw_at + raw.len()));
                let value = strip_properties(strip_comment(value).trim());
                if value.is_empty() {
                    pending = Some((path, col));
                } else if value.starts_with('{') || value.starts_with('[') {
                    pending = None;
                    skip_until = self.flow(offset_in(text, value), path, 0);
                } else {
                    pending = None;
                    if !value.starts_with('|') && !value.starts_with('>') {
                        let a = offset_in(text, value);
                        self.record_value(path, (a, a + value.len()));
                    }
                    scalar_indent = Some(col);
                }
                break;
            }
        }
    }

    /// Skips spaces, tabs, line breaks and comments; the offset of the next token.
    fn skip_blank(&self, mut i: usize) -> usize {
        let bytes = self.text.as_bytes();
        while let Some(&b) = bytes.get(i) {
            match b {
                b' ' | b'\t' | b'\n' | b'\r' => i += 1,
                b'#' => {
                    while bytes.get(i).is_some_and(|&b| b != b'\n') {
                        i += 1;
                    }
                }
                _ => break,
            }
        }
        i
    }

    /// Skips anchors and tags (`&a`, `!tag`) before a node.
    fn skip_properties(&self, mut i: usize) -> usize {
        let bytes = self.text.as_bytes();
        while bytes.get(i).is_some_and(|&b| b == b'&' || b == b'!') {
            while bytes
                .get(i)
                .is_some_and(|&b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b',' | b'}' | b']'))
            {
                i += 1;
            }
            i = self.skip_blank(i);
        }
        i
    }

    /// A scalar inside a flow collection starting at `i`: (its text as read, its raw byte range,
    /// the offset after it).
    fn flow_scalar(&self, i: usize) -> (String, (usize, usize), usize) {
        let bytes = self.text.as_bytes();
        match bytes.get(i) {
            Some(&q @ (b'"' | b'\'')) => {
                let mut j = i + 1;
                while let Some(&b) = bytes.get(j) {
                    if q == b'"' && b == b'\\' {
                        j += 2;
                        continue;
                    }
                    if b == q {
                        if q == b'\'' && bytes.get(j + 1) == Some(&b'\'') {
                            j += 2;
                            continue;
                        }
                        break;
                    }
                    j += 1;
                }
                let end = (j + 1).min(bytes.len());
                let inner = self.text.get(i + 1..j.min(bytes.len())).unwrap_or("");
                let read = if q == b'"' { unescape_double(inner) } else { inner.replace("''", "'") };
                (read, (i, end), end)
            }
            _ => {
                let mut j = i;
                while let Some(&b) = bytes.get(j) {
                    let next = bytes.get(j + 1).copied();
                    let ends_colon = b == b':'
                        && next.is_none_or(|n| {
                            matches!(n, b' ' | b'\t' | b'\n' | b'\r' | b',' | b'[' | b']' | b'{' | b'}')
                        });
                    let comment = b == b'#'
                        && j > i
                        && bytes.get(j - 1).is_some_and(|p| matches!(p, b' ' | b'\t' | b'\n'));
                    if matches!(b, b',' | b'[' | b']' | b'{' | b'}') || ends_colon || comment {
                        break;
                    }
                    j += 1;
                }
                let raw = self.text.get(i..j).unwrap_or("");
                let trimmed = raw.trim_end();
                let read = trimmed.split_whitespace().collect::<Vec<_>>().join(" ");
                (read, (i, i + trimmed.len()), j)
            }
        }
    }

    /// A flow collection (`{…}` or `[…]`) starting at `start`, for the node at `path`: records
    /// its keys, items and inline scalars. Returns the offset after its closing bracket (the end
    /// of the text when it is not closed).
    fn flow(&mut self, start: usize, path: u32, depth: usize) -> usize {
        let bytes = self.text.as_bytes();
        let len = bytes.len();
        if depth > MAX_FLOW_DEPTH {
            return len;
        }
        let is_map = bytes.get(start) == Some(&b'{');
        let close = if is_map { b'}' } else { b']' };
        let mut i = start + 1;
        let mut index = 0usize;
        loop {
            i = self.skip_blank(i);
            let Some(&b) = bytes.get(i) else { return len };
            if b == close {
                return i + 1;
            }
            match b {
                b',' => {
                    i += 1;
                    continue;
                }
                b']' | b'}' => return i + 1,
                _ => {}
            }
            let node = if is_map {
                // A key; a flow collection as a key is skipped, unlocated.
                i = self.skip_properties(i);
                if matches!(bytes.get(i), Some(b'{' | b'[')) {
                    i = self.flow(i, DETACHED, depth + 1);
                    None
                } else {
                    let (key, raw, after) = self.flow_scalar(i);
                    let at = self.record_key(path, &key, raw);
                    i = after;
                    Some(at)
                }
            } else {
                let place = self.place(i);
                let item = self.record_item(path, index, place);
                index += 1;
                Some(item)
            };
            if is_map {
                i = self.skip_blank(i);
                if bytes.get(i) != Some(&b':') {
                    continue; // a key without a value
                }
                i += 1;
            }
            i = self.skip_properties(self.skip_blank(i));
            let Some(node) = node else {
                // The value of an unlocated key: skip it.
                match bytes.get(i) {
                    Some(b'{' | b'[') => i = self.flow(i, DETACHED, depth + 1),
                    Some(b',') | None => {}
                    Some(&c) if c == close => {}
                    Some(_) => i = self.flow_scalar(i).2,
                }
                continue;
            };
            match bytes.get(i) {
                Some(b'{' | b'[') => i = self.flow(i, node, depth + 1),
                Some(b',') | None => {}
                Some(&c) if c == close => {}
                Some(_) => {
                    let (_, raw, after) = self.flow_scalar(i);
                    self.record_value(node, raw);
                    i = after;
                    if !is_map {
                        // `[key: value]`: a one-pair mapping as an item; its value is skipped.
                        let j = self.skip_blank(i);
                        if bytes.get(j) == Some(&b':') {
                            let k = self.skip_properties(self.skip_blank(j + 1));
                            i = match bytes.get(k) {
                                Some(b'{' | b'[') => self.flow(k, DETACHED, depth + 1),
                                Some(b',') | None => k,
                                Some(&c) if c == close => k,
                                Some(_) => self.flow_scalar(k).2,
                            };
                        }
                    }
                }
            }
        }
    }
}

/// Resolves the escapes of a double-quoted YAML scalar (`\"`, `\\`, `\n`, `\u00e9`, …).
fn unescape_double(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(e) = chars.next() else { break };
        let hex = |chars: &mut std::str::Chars<'_>, n: usize| {
            let digits: String = chars.by_ref().take(n).collect();
            u32::from_str_radix(&digits, 16).ok().and_then(char::from_u32)
        };
        let decoded = match e {
            '0' => Some('\0'),
            'a' => Some('\u{7}'),
            'b' => Some('\u{8}'),
            't' | '\t' => Some('\t'),
            'n' => Some('\n'),
            'v' => Some('\u{b}'),
            'f' => Some('\u{c}'),
            'r' => Some('\r'),
            'e' => Some('\u{1b}'),
            ' ' => Some(' '),
            '"' => Some('"'),
            '/' => Some('/'),
            '\\' => Some('\\'),
            'N' => Some('\u{85}'),
            '_' => Some('\u{a0}'),
            'L' => Some('\u{2028}'),
            'P' => Some('\u{2029}'),
            'x' => hex(&mut chars, 2),
            'u' => hex(&mut chars, 4),
            'U' => hex(&mut chars, 8),
            _ => None,
        };
        out.extend(decoded);
    }
    out
}

/// Splits `key: value` (or `key:`), handling quoted keys: (the key as read, the key as
/// written, the rest after the colon). `None` when the text is not a key.
fn split_key(text: &str) -> Option<(String, &str, &str)> {
    let first = text.chars().next()?;
    if first == '"' || first == '\'' {
        let mut escaped = false;
        let mut end = None;
        let mut chars = text.char_indices().skip(1).peekable();
        while let Some((i, c)) = chars.next() {
            if first == '"' && c == '\\' && !escaped {
                escaped = true;
                continue;
            }
            if c == first && !escaped {
                if first == '\'' && chars.peek().is_some_and(|&(_, n)| n == '\'') {
                    chars.next();
                    continue;
                }
                end = Some(i);
                break;
            }
            escaped = false;
        }
        let end = end?;
        let inner = text.get(1..end)?;
        let raw = text.get(..end + 1)?;
        let after = text.get(end + 1..)?.trim_start_matches(' ');
        let value = after.strip_prefix(':')?;
        if !(value.is_empty() || value.starts_with(' ') || value.starts_with('\t')) {
            return None;
        }
        let key = if first == '\'' { inner.replace("''", "'") } else { unescape_double(inner) };
        return Some((key, raw, value));
    }
    if matches!(first, '[' | '{' | '|' | '>' | '#' | '&' | '*' | '!') {
        return None;
    }
    let bytes = text.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'#' && i > 0 && bytes.get(i - 1) == Some(&b' ') {
            return None;
        }
        if *b == b':' && bytes.get(i + 1).is_none_or(|n| *n == b' ' || *n == b'\t') {
            let raw = text.get(..i)?.trim_end();
            return Some((raw.to_string(), raw, text.get(i + 1..)?));
        }
    }
    None
}

fn strip_comment(value: &str) -> &str {
    let trimmed = value.trim_start();
    if trimmed.starts_with('"') || trimmed.starts_with('\'') {
        return value;
    }
    match value.find(" #") {
        Some(i) => &value[..i],
        None if trimmed.starts_with('#') => "",
        None => value,
    }
}

/// Drops an anchor or tag that stands before a value (`key: &a` / `key: !tag {…}`).
fn strip_properties(value: &str) -> &str {
    let mut rest = value;
    while rest.starts_with('&') || rest.starts_with('!') {
        match rest.find(' ') {
            Some(i) => rest = rest[i..].trim_start(),
            None => return "",
        }
    }
    rest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_keys_items_and_quoted_ids() {
        let text = "form:\n  set: \"01\"\nparts:\n  A:\n    sections:\n      \"1\":\n        criteria:\n          '1.1':\n            options:\n              a: {points: 1}\n              b:\n                points: 2\nbands:\n- {stars: 1}\n- stars: 2\n  from: 30\n";
        let loc = Locations::scan(text);
        let p = DocPath::root().key("parts").key("A").key("sections").key("1").key("criteria").key("1.1");
        assert_eq!(loc.find(&p), Some((8, 11)));
        assert_eq!(loc.find(&p.key("options").key("b").key("points")), Some((12, 17)));
        assert_eq!(
            loc.find(&p.key("options").key("a").key("points")),
            Some((10, 19)),
            "flow maps are located inside"
        );
        assert_eq!(loc.find(&DocPath::root().key("bands").index(1).key("from")), Some((16, 3)));
        assert_eq!(loc.find(&DocPath::root().key("bands").index(0)), Some((14, 1)));
        assert_eq!(
            p.key("options").key("e").to_string(),
            "parts.A.sections.\"1\".criteria.\"1.1\".options.e"
        );
    }

    #[test]
    fn skips_block_and_continued_scalars() {
        let text = "a: |\n  x: 1\n  y: 2\nb: >-\n  long\n  text: here\nc:\n  d: plain text\n    continued: not a key\n  e: 1\n";
        let loc = Locations::scan(text);
        assert_eq!(loc.find(&DocPath::root().key("b")), Some((4, 1)));
        assert_eq!(loc.find(&DocPath::root().key("a").key("x")), Some((1, 1)));
        assert_eq!(loc.find(&DocPath::root().key("c").key("e")), Some((10, 3)));
    }

    fn written(loc: &Locations, text: &str, path: &DocPath) -> (Option<String>, Option<String>) {
        let key = loc.key_span(path).and_then(|s| text.get(s)).map(str::to_string);
        let value = loc.value_span(path).and_then(|s| text.get(s)).map(str::to_string);
        (key, value)
    }

    #[test]
    fn keeps_keys_and_values_as_written() {
        let text = "set: 1.10\nanswers:\n  1.10: a\n  \"1.2\": b # c\n  'x''y': c\n  \"\\u00e9\": d\n";
        let loc = Locations::scan_written(text);
        let root = DocPath::root();
        assert_eq!(written(&loc, text, &root.key("set")), (Some("set".into()), Some("1.10".into())));
        let a = root.key("answers");
        assert_eq!(loc.keys_under(&a), ["1.10", "1.2", "x'y", "é"]);
        assert_eq!(written(&loc, text, &a.key("1.10")), (Some("1.10".into()), Some("a".into())));
        assert_eq!(loc.find(&a.key("1.10")), Some((3, 3)));
        assert_eq!(written(&loc, text, &a.key("1.2")).0.as_deref(), Some("\"1.2\""));
        assert_eq!(loc.find(&a.key("é")), Some((6, 3)));
    }

    #[test]
    fn follows_flow_collections_and_json() {
        let text = "{\"decision\": \"26-2026\",\n \"answers\": {\"1.1\": \"c\", 1.10: [a, b],\n   \"7\": {x: 1}},\n \"members\": [{\"name\": \"An\"}, {name: B, answers: &a {q: 1}}]}\n";
        let loc = Locations::scan_written(text);
        let root = DocPath::root();
        assert_eq!(loc.find(&root.key("decision")), Some((1, 2)));
        let a = root.key("answers");
        assert_eq!(loc.find(&a.key("1.1")), Some((2, 14)));
        assert_eq!(written(&loc, text, &a.key("1.10")).0.as_deref(), Some("1.10"));
        assert_eq!(loc.find(&a.key("1.10").index(1)), Some((2, 36)));
        assert_eq!(loc.find(&a.key("7").key("x")), Some((3, 10)));
        assert_eq!(loc.find(&root.key("members").index(1).key("answers").key("q")), Some((4, 53)));
        assert_eq!(
            written(&loc, text, &root.key("members").index(0).key("name")).1.as_deref(),
            Some("\"An\"")
        );
    }

    #[test]
    fn hostile_text_never_panics() {
        for text in [
            "{",
            "[[[[",
            "a: {b: [c, {d: \"",
            "- {x: 'y",
            "{\"a\\",
            "a: [1, 2\n- b: {",
            "é: {ü: [ø, ",
            "\u{feff}a: 1",
            "{,,,}: [,]",
            "- - - [\n",
        ] {
            let _ = Locations::scan(text);
            let _ = Locations::scan_written(text);
        }
        let deep = "[".repeat(100_000);
        let _ = Locations::scan_written(&deep);
    }
}
