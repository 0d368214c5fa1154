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

    fn parent(&self) -> Option<DocPath> {
        let mut segs = self.0.clone();
        segs.pop().map(|_| DocPath(segs))
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

/// Line and column (1-based) of every located node of one text.
#[derive(Clone, Debug, Default)]
pub struct Locations {
    places: HashMap<DocPath, (u32, u32)>,
}

#[derive(Debug)]
struct Container {
    indent: usize,
    path: DocPath,
    is_seq: bool,
    count: usize,
}

impl Locations {
    /// Scans `text`. Never fails: what it cannot follow is simply not located.
    pub fn scan(text: &str) -> Locations {
        let mut places = HashMap::new();
        let mut stack: Vec<Container> = Vec::new();
        // The key (or item) whose value starts on a later line, with its indent.
        let mut pending: Option<(DocPath, usize)> = None;
        // Lines more indented than this belong to the previous scalar (block or continued).
        let mut scalar_indent: Option<usize> = None;

        for (line_no, line) in text.lines().enumerate() {
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
                let is_item = rest == "-" || rest.starts_with("- ");
                if is_item {
                    let top_is_seq_here = stack.last().is_some_and(|c| c.is_seq && c.indent == col);
                    if !top_is_seq_here {
                        let path = match pending.take() {
                            Some((p, _)) => p,
                            None => stack.last().map(|c| c.path.clone()).unwrap_or_default(),
                        };
                        if stack.last().is_some_and(|c| c.indent == col && !c.is_seq) {
                            // `key:\n- item`: a sequence at the same indent as its key.
                        }
                        stack.push(Container { indent: col, path, is_seq: true, count: 0 });
                    }
                    let Some(seq) = stack.last_mut() else { break };
                    let item = seq.path.index(seq.count);
                    seq.count += 1;
                    places.insert(item.clone(), (line_no, col as u32 + 1));
                    pending = None;
                    let after = &rest[1..];
                    let trimmed = after.trim_start_matches(' ');
                    if trimmed.is_empty() || trimmed.starts_with('#') {
                        pending = Some((item, col));
                        break;
                    }
                    col += 1 + (after.len() - trimmed.len());
                    rest = trimmed;
                    if split_key(rest).is_some() {
                        stack.push(Container { indent: col, path: item, is_seq: false, count: 0 });
                        continue;
                    }
                    scalar_indent = Some(col.saturating_sub(1));
                    break;
                }
                let Some((key, value)) = split_key(rest) else {
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
                        let path = match pending.take() {
                            Some((p, _)) => p,
                            None => stack.last().map(|c| c.path.clone()).unwrap_or_default(),
                        };
                        stack.push(Container { indent: col, path, is_seq: false, count: 0 });
                    }
                }
                let Some(map) = stack.last() else { break };
                let path = map.path.key(&key);
                places.insert(path.clone(), (line_no, col as u32 + 1));
                let value = strip_comment(value).trim();
                let value = strip_properties(value);
                if value.is_empty() {
                    pending = Some((path, col));
                } else {
                    pending = None;
                    scalar_indent = Some(col);
                }
                break;
            }
        }
        Locations { places }
    }

    /// The line and column of `path`, or of its nearest located ancestor.
    pub fn find(&self, path: &DocPath) -> Option<(u32, u32)> {
        let mut current = Some(path.clone());
        while let Some(p) = current {
            if let Some(place) = self.places.get(&p) {
                return Some(*place);
            }
            current = p.parent();
        }
        None
    }
}

/// Splits `key: value` (or `key:`), handling quoted keys. `None` when the text is not a key.
fn split_key(text: &str) -> Option<(String, &str)> {
    let first = text.chars().next()?;
    if first == '"' || first == '\'' {
        let mut escaped = false;
        let mut end = None;
        for (i, c) in text.char_indices().skip(1) {
            if first == '"' && c == '\\' && !escaped {
                escaped = true;
                continue;
            }
            if c == first && !escaped {
                end = Some(i);
                break;
            }
            escaped = false;
        }
        let end = end?;
        let key = text[1..end].to_string();
        let after = text[end + 1..].trim_start_matches(' ');
        let value = after.strip_prefix(':')?;
        if !(value.is_empty() || value.starts_with(' ')) {
            return None;
        }
        let key = if first == '\'' { key.replace("''", "'") } else { key };
        return Some((key, value));
    }
    if matches!(first, '[' | '{' | '|' | '>' | '#' | '&' | '*' | '!') {
        return None;
    }
    let bytes = text.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'#' && i > 0 && bytes[i - 1] == b' ' {
            return None;
        }
        if *b == b':' && (i + 1 == bytes.len() || bytes[i + 1] == b' ') {
            return Some((text[..i].trim_end().to_string(), &text[i + 1..]));
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

/// Drops an anchor or tag that stands alone before a nested block (`key: &a` / `key: !tag`).
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
            Some((10, 15)),
            "flow maps fall back to their key"
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
}
