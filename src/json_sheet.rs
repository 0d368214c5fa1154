//! Reading one sheet straight from JSON text: [`Form::sheet_from_json`] and
//! [`Form::score_json`].
//!
//! A service receives bytes. The ordinary path reads them into a YAML value, then into an
//! [`Assessment`](crate::Assessment) of owned strings, then resolves each text key against the
//! form. Here a [`DeserializeSeed`] that knows the form reads the JSON text once, straight into
//! a [`Sheet`]: criterion ids are found by a perfect hash over the form's ids (built with the
//! form's scoring plan), one-letter option keys by their place in the alphabet, and nothing is
//! allocated unless something is wrong.
//!
//! When something is wrong, the fast reader stops at once and a second, careful pass over the
//! same text collects every problem, with the same messages, kinds and "did you mean" as
//! [`Catalog::score`](crate::Catalog::score), each located at its key's line and column (a
//! syntax error at serde_json's line and column).
//!
//! Before either, a hand-written scanner ([`crate::json_fast`]) reads the plain shape of an
//! assessment (no escapes, no lists, nothing wrong) without serde_json; on anything else it
//! declines and the seed reads the text. Both ask [`State`] what each key and value means.

// Input paths: indexing that could panic on user data is not allowed here.
#![deny(clippy::indexing_slicing)]

use crate::date::Date;
use crate::diag::{Collector, Diagnostic, DiagnosticKind, did_you_mean, list_names};
use crate::doc::CriterionKind;
use crate::error::AssessmentError;
use crate::form::{Form, LEAF_CUMULATIVE, MAX_LEAVES};
use crate::read::{Limits, decode, json_syntax};
use crate::score::{Outcome, Sheet, option_index};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

/// The name given to the input in diagnostics.
const FILE: &str = "<json>";

/// The fields of an assessment ([`Assessment`](crate::Assessment) reads the same).
use crate::assessment::FIELDS;

impl Form {
    /// Reads one sheet of this form from an assessment written in JSON, in one pass over the
    /// text: `{"decision": "26-2026", "set": "01", "answers": {"1.1": "c", "2.4": "yes", …},
    /// "facts": {"falsified_dossier": false}}` (see `docs/assessment.md`).
    ///
    /// - `answers` (required) and `facts` are read as [`Catalog::score`](crate::Catalog::score)
    ///   reads them: every criterion answered, keys trimmed, `true`/`false` for `yes`/`no`, a
    ///   list only for a cumulative criterion.
    /// - `decision` and `set`, when given, must name this form; `lodged_on`, when given, must
    ///   be a date on which this version of the form applies. Which decision applies on that
    ///   date (ruling 12) is [`Catalog::score`](crate::Catalog::score)'s to check, and a sheet
    ///   carries no date: [`Form::score_json`] judges the minimums on `lodged_on`.
    /// - A council (`members`) is refused: read it with [`Assessment`](crate::Assessment).
    /// - The other fields of an assessment (`product`, `evaluated_on`, …) are not read.
    ///
    /// Errors list every problem at once, with their lines and columns.
    ///
    /// ```
    /// let catalog = ocop_rating::Catalog::embedded()?;
    /// let form = catalog.form("26-2026", "01", None)?;
    /// let ids: Vec<String> = form.leaves().map(|c| format!("\"{}\": \"none\"", c.id())).collect();
    /// let json = format!("{{\"set\": \"01\", \"answers\": {{{}}}}}", ids.join(", "));
    /// let sheet = form.sheet_from_json(json.as_bytes())?;
    /// assert_eq!(form.score(&sheet)?.total().to_string(), "0");
    ///
    /// let err = form.sheet_from_json(br#"{"answers": {"1.1": "z"}}"#).unwrap_err();
    /// assert!(err.to_string().contains("criterion 1.1 has no option `z`"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn sheet_from_json(&self, json: &[u8]) -> Result<Sheet<'_>, AssessmentError> {
        self.read_json(json).map(|(sheet, _)| sheet)
    }

    /// Reads one sheet from JSON as [`Form::sheet_from_json`] does and scores it, judging the
    /// minimums on the assessment's `lodged_on` when it gives one (as
    /// [`Catalog::score`](crate::Catalog::score) does): JSON text to result.
    ///
    /// ```
    /// let catalog = ocop_rating::Catalog::embedded()?;
    /// let form = catalog.form("26-2026", "01", None)?;
    /// let ids: Vec<String> = form.leaves().map(|c| format!("\"{}\": \"none\"", c.id())).collect();
    /// let json = format!("{{\"answers\": {{{}}}}}", ids.join(", "));
    /// assert_eq!(form.score_json(json.as_bytes())?.stars(), Some(1));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn score_json(&self, json: &[u8]) -> Result<Outcome<'_>, AssessmentError> {
        let (sheet, on) = self.read_json(json)?;
        self.score_council_on(std::slice::from_ref(&sheet), on)
    }

    /// [`Form::score_json`] by the serde reader alone, without the hand-written scanner in
    /// front of it: for the tests and benchmarks that compare the two.
    #[doc(hidden)]
    pub fn score_json_serde(&self, json: &[u8]) -> Result<Outcome<'_>, AssessmentError> {
        let (sheet, on) = self.sheet_from_json_serde(json)?;
        self.score_council_on(std::slice::from_ref(&sheet), on)
    }

    /// The sheet and lodging date the serde reader alone reads from `json` (for tests).
    #[doc(hidden)]
    pub fn sheet_from_json_serde(&self, json: &[u8]) -> Result<(Sheet<'_>, Option<Date>), AssessmentError> {
        let limits = Limits::default();
        let text = json_text(json, &limits)?;
        self.read_json_serde(text, &limits)
    }

    /// The sheet and lodging date the hand-written scanner alone reads from `json`, or `None`
    /// when it declines (for tests).
    #[doc(hidden)]
    pub fn sheet_from_json_fast(&self, json: &[u8]) -> Option<(Sheet<'_>, Option<Date>)> {
        let limits = Limits::default();
        let text = json_text(json, &limits).ok()?;
        crate::json_fast::read(self, text, limits.max_string_bytes)
    }

    pub(crate) fn read_json(&self, json: &[u8]) -> Result<(Sheet<'_>, Option<Date>), AssessmentError> {
        let limits = Limits::default();
        let text = json_text(json, &limits)?;
        // The plain shape of an assessment, by the hand-written scanner; anything else (and
        // every error) by the serde reader.
        match crate::json_fast::read(self, text, limits.max_string_bytes) {
            Some(read) => Ok(read),
            None => self.read_json_serde(text, &limits),
        }
    }

    /// The serde reader: a [`DeserializeSeed`] straight into a sheet, then the careful pass
    /// on any problem.
    fn read_json_serde(
        &self,
        text: &str,
        limits: &Limits,
    ) -> Result<(Sheet<'_>, Option<Date>), AssessmentError> {
        let json = text.as_bytes();
        let mut state = State::new(self, false, limits.max_string_bytes);
        let mut de = serde_json::Deserializer::from_str(text);
        let read = SheetSeed(&mut state).deserialize(&mut de).and_then(|()| de.end());
        match read {
            Ok(()) if state.complete() => Ok(state.into_read()),
            Ok(()) => Err(self.json_errors(json)),
            Err(_) if state.stopped => Err(self.json_errors(json)),
            Err(e) => Err(AssessmentError::new(vec![syntax(json, &e)])),
        }
    }

    /// The careful pass: every problem of the text, located.
    #[cold]
    #[inline(never)]
    fn json_errors(&self, json: &[u8]) -> AssessmentError {
        let limits = Limits::default();
        let mut state = State::new(self, true, limits.max_string_bytes);
        let mut de = serde_json::Deserializer::from_slice(json);
        if let Err(e) = SheetSeed(&mut state).deserialize(&mut de).and_then(|()| de.end()) {
            // A syntax error (or a duplicate key) after all: the parse stops there.
            return AssessmentError::new(vec![syntax(json, &e)]);
        }
        let text = String::from_utf8_lossy(json);
        let mut out = Collector::new(limits.max_diagnostics);
        let at = |d: Diagnostic, path: &[&str]| located(d, locate(&text, path));
        for p in &state.problems {
            match p {
                Problem::Field(name) => out.push(at(
                    Diagnostic::error(
                        DiagnosticKind::UnknownField,
                        key_path(&[name]),
                        format!("unknown field `{name}` in an assessment"),
                    )
                    .expected(format!("one of {}", list_names(FIELDS, 24)))
                    .suggest_opt(did_you_mean(name, FIELDS.iter().copied())),
                    &[name],
                )),
                Problem::Type(field, what) => out.push(at(
                    Diagnostic::error(DiagnosticKind::WrongType, key_path(&[field]), format!("found {what}"))
                        .expected(match *field {
                            "answers" => "a mapping from criterion ids to answers",
                            "facts" => "a mapping from fact ids to true or false",
                            _ => "a text",
                        }),
                    &[field],
                )),
                Problem::Council => out.push(at(
                    Diagnostic::error(
                        DiagnosticKind::InvalidValue,
                        "members",
                        "a council (`members`) is read with Assessment and scored with Catalog::score",
                    )
                    .expected("`answers` for one sheet"),
                    &["members"],
                )),
                Problem::Decision(written) => out.push(at(
                    Diagnostic::error(
                        DiagnosticKind::NoApplicableForm,
                        "decision",
                        format!("the assessment names decision `{written}`, not this form's"),
                    )
                    .expected(format!("{} ({}), or no `decision`", self.decision.key, self.decision.number)),
                    &["decision"],
                )),
                Problem::Set(written) => out.push(at(
                    Diagnostic::error(
                        DiagnosticKind::NoApplicableForm,
                        "set",
                        format!("the assessment is for set `{written}`, not this form's"),
                    )
                    .expected(format!("\"{}\", or no `set`", self.set)),
                    &["set"],
                )),
                Problem::Date(written) => out.push(at(
                    Diagnostic::error(
                        DiagnosticKind::InvalidValue,
                        "lodged_on",
                        format!("`{written}` is not a date"),
                    )
                    .expected("a date written YYYY-MM-DD"),
                    &["lodged_on"],
                )),
                Problem::NotInForce(date) => out.push(at(
                    Diagnostic::error(
                        DiagnosticKind::NoApplicableForm,
                        "lodged_on",
                        format!(
                            "this version of set {} of {} does not apply on {date}",
                            self.set, self.decision.key
                        ),
                    )
                    .expected(format!(
                        "a date from {} to {}",
                        self.in_force_from.map_or("its start".to_string(), |d| d.to_string()),
                        self.in_force_until.map_or("today".to_string(), |d| d.to_string())
                    )),
                    &["lodged_on"],
                )),
                Problem::Answer(id, written) => {
                    if let Some(d) = self.answer_problem(id, written) {
                        out.push(at(d.path_if_empty(key_path(&["answers", id])), &["answers", id]));
                    }
                }
                Problem::Fact(id, value) => {
                    let d = match value {
                        Some(value) => match self.sheet().set_fact(id, *value) {
                            Ok(()) => continue,
                            Err(e) => Diagnostic::error(
                                DiagnosticKind::UnknownReference,
                                key_path(&["facts", id]),
                                e.message,
                            )
                            .expected(format!("one of {}", list_names(&e.valid, 20)))
                            .suggest_opt(e.suggestion),
                        },
                        None => Diagnostic::error(
                            DiagnosticKind::WrongType,
                            key_path(&["facts", id]),
                            format!("fact `{id}` is not true or false"),
                        )
                        .expected("true or false"),
                    };
                    out.push(at(d, &["facts", id]));
                }
            }
        }
        // `answers` that is not a mapping is reported as such, not also as every answer missing
        // (as the ordinary reader reports it).
        let answers_unread = state.problems.iter().any(|p| matches!(p, Problem::Type("answers", _)));
        if !state.seen_answers {
            out.push(at(
                Diagnostic::error(DiagnosticKind::MissingField, "", "the assessment has no answers")
                    .expected("`answers: {\"1.1\": c, …}`"),
                &[],
            ));
        } else if !answers_unread {
            let written = &state.written;
            let missing: Vec<&str> =
                self.leaves().filter(|c| !written.iter().any(|id| id == c.id())).map(|c| c.id()).collect();
            if !missing.is_empty() {
                out.push(at(
                    Diagnostic::error(
                        DiagnosticKind::MissingAnswer,
                        "answers",
                        format!(
                            "{} not answered: {}",
                            crate::diag::plural(missing.len(), "criterion", "criteria"),
                            list_names(&missing, 60)
                        ),
                    )
                    .expected("an answer to every criterion (`none` when no printed option is met)"),
                    &["answers"],
                ));
            }
        }
        if out.is_empty() {
            // The fast pass stopped on something this pass accepts: never an empty error.
            out.push(located(
                Diagnostic::error(DiagnosticKind::InvalidAnswer, "answers", "the sheet could not be read"),
                None,
            ));
        }
        AssessmentError::new(out.finish(FILE))
    }

    /// What [`Catalog::score`](crate::Catalog::score) says of one answer as written, if
    /// anything is wrong with it: the same resolution, messages and kinds.
    fn answer_problem(&self, id: &str, written: &Written) -> Option<Diagnostic> {
        let criterion = self.criterion(id);
        let result = match (written, criterion.map(|c| c.kind)) {
            (Written::Bad(what), _) => Err(format!("found {what}")),
            (Written::Keys(keys), Some(CriterionKind::Cumulative)) => {
                self.answer_many(id, keys.iter().map(String::as_str)).map(|_| ()).map_err(|e| e.to_string())
            }
            (Written::Keys(_), Some(_)) => Err(format!("criterion {id} takes one answer, not a list")),
            (Written::Keys(_), None) => self.answer(id, "none").map(|_| ()).map_err(|e| e.to_string()),
            (Written::Key(k), Some(CriterionKind::Cumulative)) if k != "none" => {
                self.answer_many(id, [k.as_str()]).map(|_| ()).map_err(|e| e.to_string())
            }
            (Written::Key(k), _) => self.answer(id, k).map(|_| ()).map_err(|e| e.to_string()),
        };
        let message = result.err()?;
        let kind = if criterion.is_none() {
            DiagnosticKind::UnknownReference
        } else {
            DiagnosticKind::InvalidAnswer
        };
        let mut d = Diagnostic::error(kind, "", message);
        if let Some(c) = criterion.filter(|c| c.leaf.is_some()) {
            d = d.expected(format!(
                "{}{}",
                if c.kind == CriterionKind::Cumulative { "a list of " } else { "one of " },
                list_names(&self.valid_keys(c), 20)
            ));
        }
        Some(d)
    }
}

/// Criterion ids to leaves: a perfect hash over the form's leaf ids, so that finding a JSON
/// key is one multiplication and one compare. Ids of at most 7 bytes are packed into a `u64`
/// with their length; a form with a longer id uses the form's index instead.
#[derive(Debug, Default)]
pub(crate) struct IdTable {
    /// The multiplier; 0 when the table is not used.
    mul: u64,
    /// `64 - log2(slots)`.
    shift: u32,
    slots: Vec<Slot>,
}

#[derive(Clone, Copy, Debug, Default)]
struct Slot {
    /// The packed id (0 for an empty slot: a packed id has its length in its top byte).
    key: u64,
    leaf: u16,
}

/// An id of at most 7 bytes as one `u64`: its bytes, little-endian, and its length in the
/// byte above them (so that ids of different lengths differ, NUL bytes included).
#[inline]
fn pack(bytes: &[u8]) -> Option<u64> {
    if bytes.is_empty() || bytes.len() > 7 {
        return None;
    }
    let mut key = bytes.len() as u64;
    for &b in bytes.iter().rev() {
        key = key << 8 | u64::from(b);
    }
    Some(key)
}

impl IdTable {
    pub(crate) fn build(form: &Form) -> IdTable {
        let keys: Option<Vec<u64>> = form.leaves().map(|c| pack(c.id.as_bytes())).collect();
        let Some(keys) = keys.filter(|k| !k.is_empty() && k.len() <= MAX_LEAVES) else {
            return IdTable::default();
        };
        // Four slots per id or more: a random odd multiplier then has no collision with a
        // probability of about e^-(n/8), found within a few dozen tries for 32 ids.
        let least = (keys.len() * 4).next_power_of_two().trailing_zeros().max(2);
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        for bits in least..least + 3 {
            let size = 1usize << bits;
            let shift = 64 - bits;
            for _ in 0..2000 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let mul = seed | 1;
                let mut slots = vec![Slot::default(); size];
                let fits = keys.iter().enumerate().all(|(leaf, &key)| {
                    match slots.get_mut((key.wrapping_mul(mul) >> shift) as usize) {
                        Some(slot) if slot.key == 0 => {
                            *slot = Slot { key, leaf: leaf as u16 };
                            true
                        }
                        _ => false,
                    }
                });
                if fits {
                    return IdTable { mul, shift, slots };
                }
            }
        }
        IdTable::default()
    }

    /// The leaf of criterion `id` (its UTF-8 bytes): `None` for a group, an unknown id, or a
    /// form without a table (the caller then asks the form's index).
    #[inline]
    fn leaf(&self, id: &[u8]) -> Option<usize> {
        let key = pack(id)?;
        let slot = self.slots.get((key.wrapping_mul(self.mul) >> self.shift) as usize)?;
        (slot.key == key).then_some(usize::from(slot.leaf))
    }
}

/// One answer as written, kept by the careful pass.
#[derive(Debug)]
enum Written {
    Key(String),
    Keys(Vec<String>),
    Bad(&'static str),
}

/// What the careful pass found wrong.
#[derive(Debug)]
enum Problem {
    Field(String),
    Type(&'static str, &'static str),
    Council,
    Decision(String),
    Set(String),
    Date(String),
    NotInForce(Date),
    Answer(String, Written),
    Fact(String, Option<bool>),
}

/// What is wrong with the value of `decision`, `set` or `lodged_on` ([`State::text_field`]).
#[derive(Debug)]
pub(crate) enum Wrong {
    /// It names another decision.
    Decision,
    /// It names another set.
    Set,
    /// `lodged_on` is not a date.
    Date,
    /// `lodged_on` is a date on which this version of the form does not apply.
    NotInForce(Date),
}

impl Wrong {
    /// The careful pass's problem, for the value `written`.
    fn problem(self, written: String) -> Problem {
        match self {
            Wrong::Decision => Problem::Decision(written),
            Wrong::Set => Problem::Set(written),
            Wrong::Date => Problem::Date(written),
            Wrong::NotInForce(date) => Problem::NotInForce(date),
        }
    }
}

/// The index in [`FIELDS`] of an assessment's field `name` (its UTF-8 bytes), if it is one.
#[inline]
pub(crate) fn field_index(name: &[u8]) -> Option<usize> {
    FIELDS.iter().position(|f| f.as_bytes() == name)
}

/// The reading state shared by the seeds, and by the hand-written scanner
/// ([`crate::json_fast`]): what keys and values mean is decided here, once for both readers.
pub(crate) struct State<'f> {
    form: &'f Form,
    ids: &'f IdTable,
    /// Per leaf: bit `i` set when option `i` is keyed by the `i`-th letter (`a`, `b`, …).
    letters: &'f [u64],
    sheet: Sheet<'f>,
    lodged_on: Option<Date>,
    seen_answers: bool,
    /// The careful pass: record every problem and read on. The fast pass stops at the first.
    careful: bool,
    /// The fast pass stopped on a problem (not on a syntax error).
    stopped: bool,
    max_string: usize,
    problems: Vec<Problem>,
    /// The careful pass: every criterion id written, for the missing ones.
    written: Vec<String>,
}

impl<'f> State<'f> {
    /// An empty sheet of `form` to read into; `careful` for the pass that collects problems.
    pub(crate) fn new(form: &'f Form, careful: bool, max_string: usize) -> State<'f> {
        let plan = form.plan();
        State {
            form,
            ids: &plan.ids,
            letters: &plan.letters,
            sheet: form.sheet(),
            lodged_on: None,
            seen_answers: false,
            careful,
            stopped: false,
            max_string,
            problems: Vec::new(),
            written: Vec::new(),
        }
    }

    /// Whether `answers` was read and answers every criterion.
    pub(crate) fn complete(&self) -> bool {
        let n = self.form.leaf_count();
        let full = if n >= 128 { u128::MAX } else { (1u128 << n) - 1 };
        self.seen_answers && self.sheet.answered == full
    }

    /// What was read: the sheet and the lodging date.
    pub(crate) fn into_read(self) -> (Sheet<'f>, Option<Date>) {
        (self.sheet, self.lodged_on)
    }

    /// `answers` is given (whatever its value).
    #[inline]
    pub(crate) fn saw_answers(&mut self) {
        self.seen_answers = true;
    }

    /// The leaf of criterion `id` as written (its UTF-8 bytes, not trimmed): by the perfect
    /// hash, else by the form's index (a long id). `None`: a group or not a criterion of the
    /// form. (Bytes, so that the scanner need not make a `str` of each id.)
    #[inline]
    pub(crate) fn leaf(&self, id: &[u8]) -> Option<usize> {
        match self.ids.leaf(id) {
            Some(leaf) => Some(leaf),
            None => self.other_leaf(id),
        }
    }

    /// [`State::leaf`] by the form's index.
    #[inline(never)]
    fn other_leaf(&self, id: &[u8]) -> Option<usize> {
        let id = std::str::from_utf8(id).ok()?;
        self.form.criterion(id).and_then(|c| c.leaf)
    }

    /// Whether leaf `leaf` is answered already (a duplicate key).
    #[inline]
    fn answered(&self, leaf: usize) -> bool {
        let bit = 1u128.checked_shl(leaf as u32).unwrap_or(0);
        self.sheet.answered & bit != 0
    }

    /// Records the answer `bits` of leaf `leaf`; false when it was answered already.
    #[inline]
    pub(crate) fn record(&mut self, leaf: usize, bits: u64) -> bool {
        const _: () = assert!(MAX_LEAVES <= 128);
        let Some(slot) = self.sheet.answers.get_mut(leaf) else { return false };
        // A leaf index is below MAX_LEAVES: one bit of `answered` (no shift to check).
        let bit = 1u128 << (leaf & 127);
        if self.sheet.answered & bit != 0 {
            return false;
        }
        *slot = bits;
        self.sheet.answered |= bit;
        true
    }

    /// The bits of one key (`c`, `yes`, `none`; its UTF-8 bytes) of leaf `leaf`, if it has
    /// that option. A key written alone is trimmed, as the ordinary reader trims it; a key in
    /// a list is not.
    #[inline(always)]
    pub(crate) fn option_bits(&self, leaf: usize, key: &[u8], trim: bool) -> Option<u64> {
        if let &[letter] = key {
            let i = u32::from(letter.wrapping_sub(b'a'));
            let bit = 1u64.checked_shl(i).unwrap_or(0);
            if self.letters.get(leaf).is_some_and(|&l| l & bit != 0) {
                return Some(bit);
            }
        }
        self.other_option_bits(leaf, key, trim)
    }

    /// [`State::option_bits`] for anything but a one-letter option: `yes`, `none`, spaces.
    #[inline(never)]
    fn other_option_bits(&self, leaf: usize, key: &[u8], trim: bool) -> Option<u64> {
        let key = std::str::from_utf8(key).ok()?;
        let form = self.form;
        let lv = &form.leaves;
        let key = if trim { key.trim() } else { key };
        if key == "none" {
            return trim.then_some(0);
        }
        let criterion = lv.node.get(leaf).and_then(|&n| form.nodes.get(n))?;
        option_index(form.options(criterion), key).map(|i| 1 << i)
    }

    /// What the value `text` of `field` (`decision`, `set`, `lodged_on`) means for this form:
    /// `decision` and `set` must name it, `lodged_on` is a date on which it applies (kept).
    /// Any other field is not checked.
    pub(crate) fn text_field(&mut self, field: &str, text: &str) -> Result<(), Wrong> {
        match field {
            "decision" if !names_decision(self.form, text) => Err(Wrong::Decision),
            "set" if text != self.form.set => Err(Wrong::Set),
            "lodged_on" => match text.trim().parse::<Date>() {
                Ok(date) if self.form.in_force_on(date) => {
                    self.lodged_on = Some(date);
                    Ok(())
                }
                Ok(date) => Err(Wrong::NotInForce(date)),
                Err(_) => Err(Wrong::Date),
            },
            _ => Ok(()),
        }
    }

    /// Whether `s` is within the limit on texts ([`Limits::max_string_bytes`]).
    #[inline(always)]
    pub(crate) fn fits(&self, s: &str) -> bool {
        s.len() <= self.max_string
    }

    /// A problem: recorded by the careful pass; the fast pass stops.
    fn problem<E: de::Error>(&mut self, p: impl FnOnce() -> Problem) -> Result<(), E> {
        if self.careful {
            self.problems.push(p());
            Ok(())
        } else {
            self.stopped = true;
            Err(E::custom("stopped"))
        }
    }

    /// A text longer than [`Limits::max_string_bytes`] stops both passes, as it does the
    /// ordinary reader.
    fn check_len<E: de::Error>(&self, s: &str) -> Result<(), E> {
        if !self.fits(s) {
            return Err(E::custom(format_args!(
                "a text value is {} bytes, more than the limit of {}",
                s.len(),
                self.max_string
            )));
        }
        Ok(())
    }
}

/// The whole assessment.
struct SheetSeed<'s, 'f>(&'s mut State<'f>);

impl<'de> DeserializeSeed<'de> for SheetSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for SheetSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an assessment (a JSON object)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let state = self.0;
        let mut seen = [false; FIELDS.len()];
        while let Some(field) = map.next_key_seed(FieldSeed)? {
            let index = match field {
                Ok(index) => index,
                Err(name) => {
                    map.next_value::<IgnoredAny>()?;
                    state.problem(|| Problem::Field(name))?;
                    continue;
                }
            };
            if let Some(s) = seen.get_mut(index) {
                if *s {
                    let name = FIELDS.get(index).copied().unwrap_or("");
                    return Err(de::Error::custom(format_args!("duplicate entry with key \"{name}\"")));
                }
                *s = true;
            }
            match FIELDS.get(index).copied() {
                Some("answers") => {
                    state.saw_answers();
                    map.next_value_seed(AnswersSeed(state))?;
                }
                Some("facts") => map.next_value_seed(FactsSeed(state))?,
                Some(field @ ("decision" | "set" | "lodged_on")) => {
                    if let Some(text) = map.next_value_seed(TextSeed(state, field))?
                        && let Err(wrong) = state.text_field(field, &text)
                    {
                        state.problem(|| wrong.problem(text.into_owned()))?;
                    }
                }
                Some("members") => {
                    map.next_value::<IgnoredAny>()?;
                    state.problem(|| Problem::Council)?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// An assessment field: its index in [`FIELDS`], or the name of an unknown one.
struct FieldSeed;

impl<'de> DeserializeSeed<'de> for FieldSeed {
    type Value = Result<usize, String>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for FieldSeed {
    type Value = Result<usize, String>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(field_index(v.as_bytes()).ok_or_else(|| v.chars().take(200).collect()))
    }
}

/// A text field (`decision`, `set`, `lodged_on`); a `set` may be a number (`1` is `"01"`);
/// `null` is no value.
struct TextSeed<'s, 'f>(&'s mut State<'f>, &'static str);

impl<'de, 's> DeserializeSeed<'de> for TextSeed<'s, '_> {
    type Value = Option<Cow<'de, str>>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TextSeed<'_, '_> {
    type Value = Option<Cow<'de, str>>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a text for `{}`", self.1)
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        self.0.check_len(v)?;
        Ok(Some(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        self.0.check_len(v)?;
        Ok(Some(Cow::Owned(v.to_string())))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        if self.1 == "set" && (1..=99).contains(&v) {
            return Ok(Some(Cow::Owned(format!("{v:02}"))));
        }
        self.wrong("a number")
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        self.wrong("a number")
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        self.wrong("a number")
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        self.wrong("a boolean")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        self.wrong("a list")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        self.wrong("a mapping")
    }
}

impl TextSeed<'_, '_> {
    fn wrong<T, E: de::Error>(self, kind: &'static str) -> Result<Option<T>, E> {
        let field = self.1;
        self.0.problem(|| Problem::Type(field, kind))?;
        Ok(None)
    }
}

/// Whether `written` names the form's decision, by key or official number, as
/// [`Catalog::decision`](crate::Catalog::decision) reads a reference (case and Đ/D aside).
fn names_decision(form: &Form, written: &str) -> bool {
    let d = &form.decision;
    if written == d.key || written == d.number {
        return true;
    }
    let norm = |s: &str| -> String {
        s.trim()
            .chars()
            .flat_map(|c| if c == 'Đ' || c == 'đ' { 'd'.to_lowercase() } else { c.to_lowercase() })
            .collect()
    };
    let w = norm(written);
    w == norm(&d.key) || w == norm(&d.number)
}

/// `answers`: criterion id → answer.
struct AnswersSeed<'s, 'f>(&'s mut State<'f>);

impl<'de> DeserializeSeed<'de> for AnswersSeed<'_, '_> {
    type Value = ();
    #[inline]
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for AnswersSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a mapping from criterion ids to answers")
    }

    #[inline]
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let state = self.0;
        while let Some(id) = map.next_key_seed(IdSeed(state))? {
            let leaf = match id {
                Id::Leaf(leaf) => leaf,
                Id::Other(id) => {
                    // Not a leaf of this form: the careful pass says why.
                    let written = map.next_value_seed(WrittenSeed(state))?;
                    state.written.push(id.clone());
                    state.problem(|| Problem::Answer(id, written))?;
                    continue;
                }
            };
            if state.answered(leaf) {
                let id = leaf_id(state.form, leaf);
                return Err(de::Error::custom(format_args!("duplicate entry with key \"{id}\"")));
            }
            if state.careful {
                let written = map.next_value_seed(WrittenSeed(state))?;
                let id = leaf_id(state.form, leaf).to_string();
                state.written.push(id.clone());
                state.record(leaf, 0);
                state.problems.push(Problem::Answer(id, written));
                continue;
            }
            let bits = map.next_value_seed(AnswerSeed { state, leaf })?;
            state.record(leaf, bits);
        }
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.0.problem(|| Problem::Type("answers", "nothing (null)"))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        self.0.problem(|| Problem::Type("answers", "a list"))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        self.0.problem(|| Problem::Type("answers", "a text"))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.0.problem(|| Problem::Type("answers", "a boolean"))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.0.problem(|| Problem::Type("answers", "a number"))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.0.problem(|| Problem::Type("answers", "a number"))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.0.problem(|| Problem::Type("answers", "a number"))
    }
}

/// A criterion id in `answers`.
enum Id {
    Leaf(usize),
    /// Not a leaf of the form (unknown, or a group): kept for the message.
    Other(String),
}

struct IdSeed<'s, 'f>(&'s mut State<'f>);

impl<'de> DeserializeSeed<'de> for IdSeed<'_, '_> {
    type Value = Id;
    #[inline(always)]
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Id, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for IdSeed<'_, '_> {
    type Value = Id;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a criterion id")
    }
    #[inline(always)]
    fn visit_str<E: de::Error>(self, id: &str) -> Result<Id, E> {
        let state = self.0;
        if let Some(leaf) = state.leaf(id.as_bytes()) {
            return Ok(Id::Leaf(leaf));
        }
        state.check_len(id)?;
        Ok(Id::Other(id.to_string()))
    }
}

/// One answer, resolved to its option bits (the fast pass).
struct AnswerSeed<'s, 'f> {
    state: &'s mut State<'f>,
    leaf: usize,
}

impl<'de> DeserializeSeed<'de> for AnswerSeed<'_, '_> {
    type Value = u64;
    #[inline(always)]
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<u64, D::Error> {
        d.deserialize_any(self)
    }
}

impl AnswerSeed<'_, '_> {
    /// The bits of one key of this leaf ([`State::option_bits`]).
    #[inline(always)]
    fn key(&self, key: &str, trim: bool) -> Option<u64> {
        self.state.option_bits(self.leaf, key.as_bytes(), trim)
    }

    /// Something the ordinary reader would refuse: the fast pass stops (the careful pass reads
    /// answers with [`WrittenSeed`], never here).
    fn stop<E: de::Error>(self) -> Result<u64, E> {
        self.state.stopped = true;
        Err(E::custom("stopped"))
    }
}

/// An item of a cumulative answer's list: its option bit, or `None` when it is not one of the
/// criterion's keys (or not a text).
struct ItemSeed<'a, 's, 'f>(&'a AnswerSeed<'s, 'f>);

impl<'de> DeserializeSeed<'de> for ItemSeed<'_, '_, '_> {
    type Value = Option<u64>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<u64>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ItemSeed<'_, '_, '_> {
    type Value = Option<u64>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an option key")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<u64>, E> {
        Ok(self.0.key(v, false))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Option<u64>, E> {
        Ok(None)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Option<u64>, E> {
        Ok(None)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Option<u64>, E> {
        Ok(None)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Option<u64>, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Option<u64>, E> {
        Ok(None)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Option<u64>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<u64>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(None)
    }
}

impl<'de> Visitor<'de> for AnswerSeed<'_, '_> {
    type Value = u64;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an option key")
    }
    #[inline(always)]
    fn visit_str<E: de::Error>(self, v: &str) -> Result<u64, E> {
        match self.key(v, true) {
            Some(bits) => Ok(bits),
            None => self.stop(),
        }
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<u64, E> {
        self.visit_str(if v { "yes" } else { "no" })
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<u64, A::Error> {
        let cumulative =
            self.state.form.leaves.info.get(self.leaf).is_some_and(|i| i.flags & LEAF_CUMULATIVE != 0);
        if !cumulative {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            return self.stop();
        }
        let mut bits = 0;
        let mut ok = true;
        while let Some(item) = seq.next_element_seed(ItemSeed(&self))? {
            match item {
                Some(b) => bits |= b,
                None => ok = false,
            }
        }
        if ok { Ok(bits) } else { self.stop() }
    }
    fn visit_unit<E: de::Error>(self) -> Result<u64, E> {
        self.stop()
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<u64, E> {
        self.stop()
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<u64, E> {
        self.stop()
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<u64, E> {
        self.stop()
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<u64, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        self.stop()
    }
}

/// One answer as written (the careful pass), as the ordinary reader keeps it.
struct WrittenSeed<'s, 'f>(&'s mut State<'f>);

impl<'de> DeserializeSeed<'de> for WrittenSeed<'_, '_> {
    type Value = Written;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Written, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for WrittenSeed<'_, '_> {
    type Value = Written;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an answer")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Written, E> {
        self.0.check_len(v)?;
        Ok(Written::Key(v.trim().to_string()))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Written, E> {
        Ok(Written::Key(if v { "yes" } else { "no" }.to_string()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Written, A::Error> {
        let mut keys = Vec::new();
        let mut all_scalars = true;
        while let Some(item) = seq.next_element::<Scalar>()? {
            match item.0 {
                Some(k) => keys.push(k),
                None => all_scalars = false,
            }
        }
        Ok(if all_scalars {
            Written::Keys(keys)
        } else {
            Written::Bad("a list with something other than option keys")
        })
    }
    fn visit_unit<E: de::Error>(self) -> Result<Written, E> {
        Ok(Written::Bad("nothing (write `none` when no option is met)"))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Written, E> {
        Ok(Written::Bad("a number"))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Written, E> {
        Ok(Written::Bad("a number"))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Written, E> {
        Ok(Written::Bad("a number"))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Written, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Written::Bad("a mapping"))
    }
}

/// A list item as text (numbers and booleans as written), or `None` for anything else; and
/// whether it was a boolean.
struct Scalar(Option<String>, bool);

impl<'de> de::Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Scalar, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an option key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar(Some(v.to_string()), false))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar(Some(v.to_string()), true))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar(Some(v.to_string()), false))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar(Some(v.to_string()), false))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar(Some(v.to_string()), false))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Scalar, E> {
                Ok(Scalar(None, false))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Scalar, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Scalar(None, false))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scalar, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Scalar(None, false))
            }
        }
        d.deserialize_any(V)
    }
}

/// `facts`: fact id → true or false (`null` for none).
struct FactsSeed<'s, 'f>(&'s mut State<'f>);

impl<'de> DeserializeSeed<'de> for FactsSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for FactsSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a mapping from fact ids to true or false")
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let state = self.0;
        while let Some(id) = map.next_key::<Cow<'de, str>>()? {
            state.check_len(&id)?;
            let value = map.next_value::<Flag>()?.0;
            let index = state.form.fact_index(&id);
            match (index, value) {
                (Some(i), Some(v)) if i < 64 && !state.careful => {
                    if v {
                        state.sheet.facts |= 1 << i;
                    } else {
                        state.sheet.facts &= !(1 << i);
                    }
                }
                _ => state.problem(|| Problem::Fact(id.into_owned(), value))?,
            }
        }
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        self.0.problem(|| Problem::Type("facts", "a list"))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        self.0.problem(|| Problem::Type("facts", "a text"))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.0.problem(|| Problem::Type("facts", "a boolean"))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.0.problem(|| Problem::Type("facts", "a number"))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.0.problem(|| Problem::Type("facts", "a number"))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.0.problem(|| Problem::Type("facts", "a number"))
    }
}

/// A fact's value: `Some` for true or false, `None` for anything else.
struct Flag(Option<bool>);

impl<'de> de::Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Flag, D::Error> {
        let any = Scalar::deserialize(d)?;
        Ok(Flag(match any.0.as_deref() {
            Some("true") if any.1 => Some(true),
            Some("false") if any.1 => Some(false),
            _ => None,
        }))
    }
}

/// The id of leaf `leaf`.
fn leaf_id(form: &Form, leaf: usize) -> &str {
    form.leaves.node.get(leaf).and_then(|&n| form.nodes.get(n)).map_or("", |c| c.id.as_str())
}

/// A document path as the ordinary reader shows it: `answers."1.1"`.
fn key_path(keys: &[&str]) -> String {
    keys.iter().fold(crate::locate::DocPath::root(), |p, k| p.key(k)).to_string()
}

trait PathIfEmpty {
    fn path_if_empty(self, path: String) -> Self;
}

impl PathIfEmpty for Diagnostic {
    fn path_if_empty(mut self, path: String) -> Diagnostic {
        if self.path.is_empty() {
            self.path = path;
        }
        self
    }
}

/// The text of `json`, as both readers read it: within [`Limits::max_bytes`], UTF-8, without
/// a byte-order mark.
fn json_text<'j>(json: &'j [u8], limits: &Limits) -> Result<&'j str, AssessmentError> {
    if json.len() > limits.max_bytes {
        let d = Diagnostic::error(
            DiagnosticKind::Limit,
            "",
            format!(
                "the document is {} bytes, more than the limit of {} bytes",
                json.len(),
                limits.max_bytes
            ),
        )
        .expected(format!("at most {} bytes (Limits::max_bytes)", limits.max_bytes));
        return Err(AssessmentError::new(vec![located(d, None)]));
    }
    // UTF-8 is checked once for the whole text, not string by string; a byte-order mark
    // is dropped (editors on Windows add one). Not UTF-8: the ordinary reader's error.
    decode(FILE, json).map_err(|d| AssessmentError::new(vec![d]))
}

/// `d` in the JSON input, at `place` (line, column) when known.
fn located(mut d: Diagnostic, place: Option<(u32, u32)>) -> Diagnostic {
    d.file = FILE.to_string();
    if let Some((line, column)) = place {
        d.line = Some(line);
        d.column = Some(column);
    }
    d
}

/// A serde_json error of `json` (syntax, a limit, a duplicate key, or an assessment that is
/// not an object): one diagnostic at serde_json's line and column, as the ordinary reader gives
/// it ([`json_syntax`]).
fn syntax(json: &[u8], e: &serde_json::Error) -> Diagnostic {
    let mut d = json_syntax(FILE, json, e);
    if e.is_data() && d.kind == DiagnosticKind::Syntax && !d.message.contains("duplicate entry") {
        // "invalid type: sequence, expected an assessment (a JSON object)".
        d.kind = DiagnosticKind::WrongType;
    }
    d
}

/// The line and column of the key at `path` (top-level key, then a key inside its object):
/// the first `"key":` written after the previous one, outside a string. Keys written with
/// escapes are not found (the diagnostic then has no line).
fn locate(text: &str, path: &[&str]) -> Option<(u32, u32)> {
    let mut from = 0;
    let mut at = None;
    for key in path {
        let pos = find_key(text, key, from)?;
        at = Some(pos);
        from = pos + key.len() + 2;
    }
    let pos = at.unwrap_or_else(|| text.find('{').unwrap_or(0));
    let before = text.get(..pos)?;
    let line = before.matches('\n').count() as u32 + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u32 + 1;
    Some((line, column))
}

/// The byte offset of `"key"` followed by `:` at or after `from`, not inside a string.
fn find_key(text: &str, key: &str, from: usize) -> Option<usize> {
    let quoted = format!("\"{key}\"");
    let mut start = from;
    while let Some(i) = text.get(start..)?.find(&quoted) {
        let pos = start + i;
        let escaped = pos > 0 && text.as_bytes().get(pos - 1) == Some(&b'\\');
        let after = text.get(pos + quoted.len()..).unwrap_or("");
        if !escaped && after.trim_start().starts_with(':') {
            return Some(pos);
        }
        start = pos + 1;
    }
    None
}
