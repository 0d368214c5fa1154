//! Escaping text that came from input before it reaches a terminal.
//!
//! Product names, ids, answer keys, file names and rule-file texts are data. Printed raw, a
//! newline in a product name could forge a `FINAL CLASS: 5 stars` line on a score sheet, and an
//! ANSI escape sequence could recolour, move the cursor or retitle the terminal. Every
//! human-readable output (the text score sheet, `ocop check`/`test`/`list`, the bulk engine's
//! bad-row messages, the command line's own messages) passes such text through [`escape`], which
//! writes control characters the way Rust's `char::escape_debug` does: a newline as `\n`, ESC as
//! `\u{1b}`. Printable text, Vietnamese included, is untouched. JSON output needs none of this:
//! serde escapes control characters itself.
//!
//! ```
//! use ocop_rating::terminal::escape;
//!
//! assert_eq!(escape("Mật ong\nFINAL CLASS: 5 stars"), "Mật ong\\nFINAL CLASS: 5 stars");
//! assert_eq!(escape("\u{1b}[31mred"), "\\u{1b}[31mred");
//! assert_eq!(escape("Rau cải ngọt"), "Rau cải ngọt");
//! ```

use crate::diag::Diagnostic;
use std::borrow::Cow;
use std::fmt::Write;

/// Whether `c` is escaped: control characters (C0, DEL, C1, which include newline, tab and
/// ESC), the Unicode line and paragraph separators, and the bidirectional formatting characters
/// that can make text display in an order other than the one it has.
pub fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{061c}' | '\u{200e}' | '\u{200f}')
        || ('\u{202a}'..='\u{202e}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

/// `text` with every character of [`needs_escape`] written as an escape: `\n`, `\r`, `\t`, or
/// `\u{…}` with the code point in hexadecimal. Borrows when there is nothing to escape.
pub fn escape(text: &str) -> Cow<'_, str> {
    escape_with(text, needs_escape)
}

/// [`escape`] for text made of lines: the line breaks (`\n`) stay, everything else is escaped.
/// For multi-line text that the program built itself from escaped parts.
pub fn escape_lines(text: &str) -> Cow<'_, str> {
    escape_with(text, |c| c != '\n' && needs_escape(c))
}

/// The byte offset of the first character to escape, if any. Printable ASCII, most of any text,
/// is skipped a byte at a time; only the other characters are decoded.
fn first_escaped(text: &str, escaped: &impl Fn(char) -> bool) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut at = 0;
    loop {
        at += bytes.get(at..)?.iter().position(|&b| !(0x20..0x7f).contains(&b))?;
        let c = text.get(at..)?.chars().next()?;
        if escaped(c) {
            return Some(at);
        }
        at += c.len_utf8();
    }
}

fn escape_with(text: &str, escaped: impl Fn(char) -> bool) -> Cow<'_, str> {
    let Some(first) = first_escaped(text, &escaped) else {
        return Cow::Borrowed(text);
    };
    let (plain, rest) = text.split_at(first);
    let mut out = String::with_capacity(text.len() + 8);
    out.push_str(plain);
    for c in rest.chars() {
        if !escaped(c) {
            out.push(c);
            continue;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            _ => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
        }
    }
    Cow::Owned(out)
}

/// A copy of `d` with every text that can come from input escaped ([`escape`]): the file, the
/// path in the document, the message, what was expected and the suggestion. Its `Display` is
/// then safe to print: one diagnostic is one paragraph, whatever the input held.
pub fn escape_diagnostic(d: &Diagnostic) -> Diagnostic {
    Diagnostic {
        file: escape(&d.file).into_owned(),
        path: escape(&d.path).into_owned(),
        message: escape(&d.message).into_owned(),
        expected: d.expected.as_deref().map(|e| escape(e).into_owned()),
        suggestion: d.suggestion.as_deref().map(|s| escape(s).into_owned()),
        ..d.clone()
    }
}

/// [`escape_diagnostic`] for a list.
pub fn escape_diagnostics(diagnostics: &[Diagnostic]) -> Vec<Diagnostic> {
    diagnostics.iter().map(escape_diagnostic).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_controls_and_keeps_text() {
        assert_eq!(escape("a\tb\r\n\u{0}\u{7f}\u{85}"), "a\\tb\\r\\n\\u{0}\\u{7f}\\u{85}");
        assert_eq!(escape("x\u{202e}y\u{2028}"), "x\\u{202e}y\\u{2028}");
        assert!(matches!(escape("Đánh giá … ≈ → ★"), Cow::Borrowed(_)));
        assert_eq!(escape_lines("one\ntwo\u{1b}[2J\n"), "one\ntwo\\u{1b}[2J\n");
    }
}
