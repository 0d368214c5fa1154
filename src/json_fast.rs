//! A hand-written scanner for the plain shape of a one-sheet assessment in JSON, tried by
//! [`Form::sheet_from_json`](crate::Form::sheet_from_json) and
//! [`Form::score_json`](crate::Form::score_json) before their serde reader
//! ([`crate::json_sheet`]).
//!
//! serde_json costs about 190 instructions a string; an assessment is mostly short ids and
//! one-letter keys. The scanner reads the common shape only:
//!
//! - an object whose keys and string values have no backslash escape (UTF-8 is checked before,
//!   once for the whole text), with JSON white space wherever JSON allows it;
//! - `answers`: an object of criterion ids to strings (or `true`/`false`, for yes/no);
//! - `decision`, `set`, `lodged_on`: a string or `null`; `facts`: `null`;
//! - the other fields of an assessment: a string, a number, `true`, `false` or `null`.
//!
//! What a key or a value means is asked of the serde reader's [`State`], so both readers give
//! one meaning. On anything else (an escape, a duplicate or unknown key, an answer that is not
//! an option, a missing criterion, a list, a nested object, trailing bytes…) the scanner
//! declines with `None`, having reported nothing: the serde reader then reads the text again
//! and gives every located error. Declining is always safe; accepting a text the serde reader
//! would refuse, or reading it differently, is the one thing the scanner must never do
//! (`tests/json_fast.rs` checks this on random and mutated texts).

// Input paths: indexing that could panic on user data is not allowed here.
#![deny(clippy::indexing_slicing)]

use crate::assessment::FIELDS;
use crate::date::Date;
use crate::form::Form;
use crate::json_sheet::{State, field_index};
use crate::score::Sheet;

/// Reads `text` (already checked as UTF-8, byte-order mark dropped) as a one-sheet
/// assessment of `form`, if it has the plain shape: the sheet and the lodging date, exactly as
/// the serde reader reads them. `None`: not the plain shape, or anything wrong with it.
pub(crate) fn read<'f>(form: &'f Form, text: &str, max_string: usize) -> Option<(Sheet<'f>, Option<Date>)> {
    let mut scan = Scan { text, rest: text.as_bytes(), state: State::new(form, false, max_string) };
    scan.assessment()?;
    scan.ws();
    // Only white space may follow the object (serde_json's `end`).
    if !scan.rest.is_empty() || !scan.state.complete() {
        return None;
    }
    Some(scan.state.into_read())
}

/// The scanner: the text, what is left of it to read, and the serde reader's state, filled as
/// it reads. (A slice rather than an index: no index arithmetic to check.)
struct Scan<'t, 'f> {
    text: &'t str,
    rest: &'t [u8],
    state: State<'f>,
}

impl<'t> Scan<'t, '_> {
    /// The next byte.
    #[inline(always)]
    fn peek(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    /// Skips JSON white space (exactly serde_json's four bytes).
    #[inline(always)]
    fn ws(&mut self) {
        while let [b' ' | b'\n' | b'\t' | b'\r', tail @ ..] = self.rest {
            self.rest = tail;
        }
    }

    /// Whether `byte` comes next, after white space; it is then passed.
    #[inline(always)]
    fn eat(&mut self, byte: u8) -> bool {
        // Compact text first: no white space to skip.
        if self.peek() != Some(byte) {
            self.ws();
        }
        match self.rest {
            [b, tail @ ..] if *b == byte => {
                self.rest = tail;
                true
            }
            _ => false,
        }
    }

    /// A string (from its `"`): its bytes, if it has no escape and no control character
    /// (which serde_json refuses). Its length is not checked: the serde reader checks only the
    /// texts of `decision`, `set` and `lodged_on` ([`Scan::text`]).
    #[inline(always)]
    fn string(&mut self) -> Option<&'t [u8]> {
        let [b'"', body @ ..] = self.rest else { return None };
        let (string, tail) = body.split_at_checked(plain_len(body))?;
        let [b'"', tail @ ..] = tail else { return None };
        self.rest = tail;
        Some(string)
    }

    /// The value of `decision`, `set` or `lodged_on`: a string within the limit on texts (the
    /// serde reader refuses a longer one), or `None` for `null`.
    fn text(&mut self) -> Option<Option<&'t str>> {
        if self.peek()? != b'"' {
            // A number (even a `set` the serde reader takes) is left to it.
            return self.literal(b"null").map(|()| None);
        }
        let start = self.text.len() - self.rest.len() + 1;
        let len = self.string()?.len();
        // Both ends are next to an ASCII `"`: character boundaries.
        let text = self.text.get(start..start + len)?;
        self.state.fits(text).then_some(Some(text))
    }

    /// `word` (`true`, `false`, `null`) next.
    #[inline(always)]
    fn literal(&mut self, word: &[u8]) -> Option<()> {
        self.rest = self.rest.strip_prefix(word)?;
        Some(())
    }

    /// A key and its `:`, after white space.
    #[inline(always)]
    fn key(&mut self) -> Option<&'t [u8]> {
        self.ws();
        let key = self.string()?;
        self.eat(b':').then_some(key)
    }

    /// After a member: `,` (true: another member follows) or the object's `}` (false).
    #[inline(always)]
    fn next_member(&mut self) -> Option<bool> {
        if self.eat(b',') {
            return Some(true);
        }
        self.eat(b'}').then_some(false)
    }

    /// The assessment: an object of known fields, each at most once.
    fn assessment(&mut self) -> Option<()> {
        if !self.eat(b'{') {
            return None;
        }
        if self.eat(b'}') {
            return Some(());
        }
        let mut seen = 0u32;
        loop {
            let index = field_index(self.key()?)?;
            // An assessment has 13 fields: one bit each.
            let bit = 1u32.checked_shl(index as u32)?;
            if seen & bit != 0 {
                return None;
            }
            seen |= bit;
            self.ws();
            self.field(FIELDS.get(index)?)?;
            if !self.next_member()? {
                return Some(());
            }
        }
    }

    /// The value of field `name`, at the place reached.
    fn field(&mut self, name: &str) -> Option<()> {
        match name {
            "answers" => self.answers(),
            "decision" | "set" | "lodged_on" => match self.text()? {
                Some(text) => self.state.text_field(name, text).ok(),
                None => Some(()),
            },
            "facts" => self.literal(b"null"),
            "members" => None,
            // Fields an assessment has but a sheet does not read: any plain value.
            _ => self.scalar(),
        }
    }

    /// `answers`: criterion id → option key, every id a leaf of the form, at most once.
    fn answers(&mut self) -> Option<()> {
        self.state.saw_answers();
        if !self.eat(b'{') {
            return None;
        }
        if self.eat(b'}') {
            return Some(());
        }
        loop {
            let id = self.key()?;
            let leaf = self.state.leaf(id)?;
            let bits = self.answer(leaf)?;
            if !self.state.record(leaf, bits) {
                return None;
            }
            if !self.next_member()? {
                return Some(());
            }
        }
    }

    /// The answer to leaf `leaf`: the bits of its option key, or of `yes` and `no` for `true`
    /// and `false` (as the serde reader reads them).
    #[inline(always)]
    fn answer(&mut self, leaf: usize) -> Option<u64> {
        // Most answers are one letter right after the `:`: read at once.
        if let [b'"', key, b'"', tail @ ..] = self.rest
            && !stops(*key)
        {
            self.rest = tail;
            return self.state.option_bits(leaf, std::slice::from_ref(key), true);
        }
        self.ws();
        match self.peek()? {
            b'"' => {
                let key = self.string()?;
                self.state.option_bits(leaf, key, true)
            }
            b't' => self.literal(b"true").and_then(|()| self.state.option_bits(leaf, b"yes", true)),
            b'f' => self.literal(b"false").and_then(|()| self.state.option_bits(leaf, b"no", true)),
            _ => None,
        }
    }

    /// A string, number, `true`, `false` or `null` (not a list or an object).
    fn scalar(&mut self) -> Option<()> {
        match self.peek()? {
            b'"' => self.string().map(drop),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            _ => self.number(),
        }
    }

    /// A JSON number, `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`. A digit after a
    /// leading `0` is left unread, so the member's end is not found and the scanner declines,
    /// as serde_json refuses it.
    fn number(&mut self) -> Option<()> {
        self.skip(|b| b == b'-');
        match self.peek()? {
            b'0' => {
                self.skip(|b| b == b'0');
            }
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        if self.skip(|b| b == b'.') {
            self.digit()?;
        }
        if self.skip(|b| matches!(b, b'e' | b'E')) {
            self.skip(|b| matches!(b, b'+' | b'-'));
            self.digit()?;
        }
        Some(())
    }

    /// Passes the next byte if `wanted` says so; whether it did.
    fn skip(&mut self, wanted: impl Fn(u8) -> bool) -> bool {
        match self.rest {
            [b, tail @ ..] if wanted(*b) => {
                self.rest = tail;
                true
            }
            _ => false,
        }
    }

    /// One digit or more.
    fn digit(&mut self) -> Option<()> {
        self.peek().is_some_and(|b| b.is_ascii_digit()).then(|| self.digits())
    }

    /// Passes any digits.
    fn digits(&mut self) {
        while self.skip(|b| b.is_ascii_digit()) {}
    }
}

/// Whether `b` ends a string's plain run: `"`, `\`, or a control character.
#[inline(always)]
fn stops(b: u8) -> bool {
    matches!(b, b'"' | b'\\' | 0..=0x1f)
}

/// The number of bytes of `bytes` before the first that [`stops`] (all of them if none),
/// eight at a time: an id or a key is found in one step rather than byte by byte.
#[inline(always)]
fn plain_len(bytes: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // The high bit of each byte of `x` that is 0 (`zero`) or below 0x20 (`below_space`). The
    // subtraction borrows only out of such a byte, so the lowest bit set is exact; the bits
    // above it may not be, and are not used.
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let below_space = |x: u64| x.wrapping_sub(ONES * 0x20) & !x & HIGH;
    let mut done = 0;
    while let Some(chunk) = bytes.get(done..).and_then(|rest| rest.first_chunk::<8>()) {
        let x = u64::from_le_bytes(*chunk);
        let found = zero(x ^ (ONES * u64::from(b'"'))) | zero(x ^ (ONES * u64::from(b'\\'))) | below_space(x);
        if found != 0 {
            return done + (found.trailing_zeros() / 8) as usize;
        }
        done += 8;
    }
    let rest = bytes.get(done..).unwrap_or_default();
    done + rest.iter().position(|&b| stops(b)).unwrap_or(rest.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::IgnoredAny;
    use std::sync::OnceLock;

    fn form() -> &'static Form {
        static CATALOG: OnceLock<crate::Catalog> = OnceLock::new();
        let catalog = CATALOG.get_or_init(|| crate::Catalog::embedded().unwrap_or_else(|e| panic!("{e}")));
        catalog.form("26-2026", "01", None).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Whether the scanner reads the whole of `text` as one plain value.
    fn scalar(text: &str) -> bool {
        let mut scan = Scan { text, rest: text.as_bytes(), state: State::new(form(), false, 8) };
        scan.scalar().is_some() && scan.rest.is_empty()
    }

    #[test]
    fn plain_values_are_read_as_serde_json_reads_them() {
        let same = [
            "0",
            "-0",
            "7",
            "10",
            "-12",
            "01",
            "-01",
            "00",
            "-",
            "+1",
            "1.",
            ".1",
            "1.5",
            "-0.0",
            "1.5.5",
            "1e5",
            "1E+5",
            "1e-07",
            "1e",
            "1e+",
            "0e0",
            "1E+99999",
            "0x1",
            "1_0",
            "true",
            "tru",
            "truee",
            "false",
            "null",
            "nul",
            "None",
            "\"\"",
            "\"a\"",
            "\"ế\"",
            "\"\u{7f}\"",
            "\"a\u{1}\"",
            "\"a\tb\"",
            "\"a",
            "\"",
            "",
            "\"123456789\"",
        ];
        for text in same {
            let serde = serde_json::from_str::<IgnoredAny>(text).is_ok();
            assert_eq!(scalar(text), serde, "{text:?}");
        }
        // Declined although serde_json reads them: escapes, lists and objects.
        for text in ["[]", "{}", "\"a\\\"b\"", "\"\\u0061\""] {
            assert!(serde_json::from_str::<IgnoredAny>(text).is_ok() && !scalar(text), "{text:?}");
        }
        // The texts serde reads are limited (8 bytes here).
        let text = |text: &str| {
            let mut scan = Scan { text, rest: text.as_bytes(), state: State::new(form(), false, 8) };
            scan.text().map(|t| t.map(str::len))
        };
        assert_eq!(text("\"12345678\""), Some(Some(8)));
        assert_eq!(text("\"123456789\""), None);
        assert_eq!(text("null"), Some(None));
        assert_eq!(text("1"), None);
    }

    #[test]
    fn plain_runs_end_at_the_first_quote_backslash_or_control_character() {
        let naive = |bytes: &[u8]| bytes.iter().position(|&b| stops(b)).unwrap_or(bytes.len());
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        let alphabet =
            [b'"', b'\\', 0, 0x1f, 0x20, 0x21, 0x23, 0x5b, 0x5d, 0x7f, 0x80, 0xc3, 0xff, b'a', b'1'];
        for len in 0..40 {
            for _ in 0..200 {
                let bytes: Vec<u8> = (0..len)
                    .map(|_| {
                        seed ^= seed << 13;
                        seed ^= seed >> 7;
                        seed ^= seed << 17;
                        // Mostly plain bytes, so that runs are long.
                        let pick = (seed % 64) as usize;
                        alphabet.get(pick).copied().unwrap_or(b'a' + (pick % 26) as u8)
                    })
                    .collect();
                assert_eq!(plain_len(&bytes), naive(&bytes), "{bytes:?}");
            }
        }
        for b in 0..=255u8 {
            for at in 0..20 {
                let bytes: Vec<u8> = (0..20).map(|i| if i == at { b } else { b'x' }).collect();
                assert_eq!(plain_len(&bytes), naive(&bytes), "{b} at {at}");
            }
        }
    }

    #[test]
    fn only_json_white_space_is_skipped() {
        let text = "{\"answers\":{}}";
        for ws in [" ", "\t", "\n", "\r", " \r\n\t "] {
            let spaced = text.replace(':', &format!("{ws}:{ws}")).replace('{', &format!("{ws}{{{ws}"));
            let mut scan =
                Scan { text: &spaced, rest: spaced.as_bytes(), state: State::new(form(), false, 8) };
            assert!(scan.assessment().is_some(), "{spaced:?}");
            scan.ws();
            assert!(scan.rest.is_empty());
        }
        for not_ws in ["\u{b}", "\u{c}", "\u{a0}", "\u{feff}"] {
            let spaced = format!("{{{not_ws}\"answers\":{{}}}}");
            let mut scan =
                Scan { text: &spaced, rest: spaced.as_bytes(), state: State::new(form(), false, 8) };
            assert!(scan.assessment().is_none(), "{spaced:?}");
        }
    }
}
