//! JSON input errors: a text that starts with `{` or `[` is JSON, and its errors are the JSON
//! parser's, at its line and column (in characters), never a YAML parser's. Each case is read
//! by both readers of JSON: [`Assessment::from_text`] (the ordinary path) and
//! [`Form::sheet_from_json`] (the one-pass reader of a sheet), which must agree.

use ocop_rating::{Assessment, AssessmentError, Catalog, DiagnosticKind, Fault, Form};
use std::sync::OnceLock;

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| Catalog::embedded().unwrap_or_else(|e| panic!("{e}")))
}

fn form() -> &'static Form {
    catalog().form("26-2026", "01", None).unwrap_or_else(|e| panic!("{e}"))
}

/// The one diagnostic of an input refused before it is read: (kind, message, line, column).
type Found = (DiagnosticKind, String, Option<u32>, Option<u32>);

fn only(e: &AssessmentError) -> Found {
    assert_eq!(e.diagnostics().len(), 1, "{e}");
    let d = &e.diagnostics()[0];
    (d.kind, d.message.clone(), d.line, d.column)
}

/// The error of `bytes` through both readers, which must be the same (but for the file name).
fn refused(bytes: &[u8]) -> Found {
    let text = String::from_utf8_lossy(bytes);
    let ordinary = match std::str::from_utf8(bytes) {
        Ok(text) => Assessment::from_text("t.json", text).err(),
        Err(_) => Assessment::from_bytes("t.json", bytes, &Default::default()).err(),
    }
    .unwrap_or_else(|| panic!("accepted: {text}"));
    let fast =
        form().sheet_from_json(bytes).err().unwrap_or_else(|| panic!("the fast path accepted: {text}"));
    assert_eq!(ordinary.diagnostics()[0].file, "t.json");
    assert_eq!(only(&ordinary), only(&fast), "the two readers differ on {text}");
    assert_eq!(ordinary.fault(), Fault::Input, "{ordinary}");
    assert!(!ordinary.to_string().contains("flow"), "a YAML parser's message: {ordinary}");
    only(&ordinary)
}

fn syntax(message: &str, line: u32, column: u32) -> Found {
    (DiagnosticKind::Syntax, message.to_string(), Some(line), Some(column))
}

#[test]
fn truncated_json_is_an_end_of_file_at_its_end() {
    let whole = r#"{"decision":"26-2026","set":"01","answers":{"1.1":"c","#;
    assert_eq!(whole.len(), 54);
    // The issue's example: the JSON parser's message, on line 1 (there is no line 2).
    assert_eq!(refused(whole.as_bytes()), syntax("EOF while parsing a value", 1, 54));
    let cut = |n: usize| refused(&whole.as_bytes()[..n]);
    assert_eq!(cut(1), syntax("EOF while parsing an object", 1, 1)); // {
    assert_eq!(cut(11), syntax("EOF while parsing an object", 1, 11)); // {"decision"
    assert_eq!(cut(12), syntax("EOF while parsing a value", 1, 12)); // {"decision":
    assert_eq!(cut(18), syntax("EOF while parsing a string", 1, 18)); // {"decision":"26-20
    let closed = r#"{"decision":"26-2026","set":"01","answers":{"1.1":"c"}"#;
    assert_eq!(refused(closed.as_bytes()), syntax("EOF while parsing an object", 1, 54));
    // Pretty-printed and cut after a line break: line 5, column 1 (nothing of it read).
    let pretty = "{\n  \"set\": \"01\",\n  \"answers\": {\n    \"1.1\": \"c\",\n";
    assert_eq!(refused(pretty.as_bytes()), syntax("EOF while parsing a value", 5, 1));
    // The help says what probably happened.
    let e = Assessment::from_text("t.json", whole).unwrap_err();
    assert!(e.diagnostics()[0].suggestion.as_deref().unwrap_or("").contains("cut short"), "{e}");
    assert!(e.to_string().contains("error[syntax]: t.json:1:54: EOF while parsing a value"), "{e}");
}

#[test]
fn trailing_commas_are_refused_where_they_stand() {
    // The `}` or `]` after the comma: column 14, and column 29.
    assert_eq!(refused(br#"{"set": "01",}"#), syntax("trailing comma", 1, 14));
    assert_eq!(refused(br#"{"answers": {"7": ["a", "c",]}}"#), syntax("trailing comma", 1, 29));
    assert_eq!(refused(b"{\n  \"set\": \"01\",\n}\n"), syntax("trailing comma", 3, 1));
}

#[test]
fn a_duplicate_key_is_refused_at_the_duplicate() {
    // At the end of the second `"set"` (1 + 13 + 5 = column 19), before its value is read.
    assert_eq!(refused(br#"{"set": "01", "set": "02"}"#), syntax("duplicate entry with key \"set\"", 1, 19));
    let nested = "{\n  \"answers\": {\n    \"1.1\": \"a\",\n    \"1.1\": \"b\"\n  }\n}\n";
    assert_eq!(refused(nested.as_bytes()), syntax("duplicate entry with key \"1.1\"", 4, 9));
}

#[test]
fn a_bad_escape_is_refused_at_the_escape() {
    // `{"product": "a\q`: the `q` is the 16th character.
    assert_eq!(refused(br#"{"product": "a\qb", "set": "01"}"#), syntax("invalid escape", 1, 16));
    assert_eq!(refused(br#"{"product": "a\u12G4"}"#), syntax("invalid escape", 1, 20));
}

#[test]
fn columns_count_characters_not_bytes() {
    // `ậ` is three bytes: serde_json's byte column 32 is the 30th character.
    let text = r#"{"product": "Mật ong", "set" "01"}"#;
    assert_eq!(text.find("\" \"01").map(|i| i + 2), Some(31), "the byte before the bad `\"`");
    assert_eq!(refused(text.as_bytes()), syntax("expected `:`", 1, 30));
}

#[test]
fn bytes_that_are_not_utf8_are_refused_at_the_first_bad_byte() {
    let io = |line, column| {
        (DiagnosticKind::Io, "the file is not UTF-8: invalid byte 0xff".to_string(), line, column)
    };
    assert_eq!(refused(b"{\"product\": \"M\xffx\"}"), io(Some(1), Some(15)));
    // ` "product": "Mật` is 16 characters (18 bytes) before the bad byte on line 2.
    let bytes = [b"{\n \"product\": \"M".as_slice(), "ật".as_bytes(), b"\xff\"}"].concat();
    assert_eq!(refused(&bytes), io(Some(2), Some(17)));
    // Text with a bad byte is its writer's fault, not an I/O failure.
    let e = Assessment::from_bytes("t.json", &bytes, &Default::default()).unwrap_err();
    assert_eq!(e.fault(), Fault::Input);
}

#[test]
fn deep_nesting_is_a_limit_not_a_stack_overflow() {
    // 100,000 brackets: the parser stops at its 128th level, `{` and 127 `[` (column 12 + 127).
    let open = format!("{{\"answers\": {}", "[".repeat(100_000));
    let closed = format!("{open}{}}}", "]".repeat(100_000));
    let limit = (DiagnosticKind::Limit, "recursion limit exceeded".to_string(), Some(1), Some(139));
    let start = std::time::Instant::now();
    for text in [&open, &closed] {
        let e = Assessment::from_text("t.json", text).unwrap_err();
        assert_eq!(only(&e), limit);
        assert_eq!(e.diagnostics()[0].expected.as_deref(), Some("at most 128 levels of nesting"));
        assert_eq!(e.fault(), Fault::Input);
    }
    // The one-pass reader skips what it does not keep without building it (nor recursing):
    // it meets the end of the text, or finds a list where the answers should be.
    let fast = |text: &str| only(&form().sheet_from_json(text.as_bytes()).unwrap_err());
    assert_eq!(fast(&open), syntax("EOF while parsing a list", 1, 100_012));
    let (kind, message, line, column) = fast(&closed);
    assert_eq!(
        (kind, message.as_str(), line, column),
        (DiagnosticKind::WrongType, "found a list", Some(1), Some(2))
    );
    assert!(start.elapsed().as_secs() < 5, "{:?}", start.elapsed());
    // As deep as allowed, the document reads (and is then not an assessment's shape).
    let fine = format!("{{\"product\": {}1{}}}", "[".repeat(126), "]".repeat(126));
    let e = Assessment::from_text("t.json", &fine).unwrap_err();
    assert!(e.diagnostics().iter().all(|d| d.kind != DiagnosticKind::Limit), "{e}");
}

#[test]
fn numbers_where_texts_are_expected_are_located_at_their_keys() {
    let text = "{\n  \"decision\": 26,\n  \"set\": 1.5,\n  \"answers\": {}\n}\n";
    let e = Assessment::from_text("t.json", text).unwrap_err();
    let places: Vec<(DiagnosticKind, &str, Option<u32>, Option<u32>)> =
        e.diagnostics().iter().map(|d| (d.kind, d.path.as_str(), d.line, d.column)).collect();
    assert_eq!(
        places,
        [
            (DiagnosticKind::WrongType, "decision", Some(2), Some(3)),
            (DiagnosticKind::WrongType, "set", Some(3), Some(3)),
        ],
        "{e}"
    );
    assert_eq!(e.fault(), Fault::Input);
    // An answer written as a number: refused when scored, at its key, by both readers.
    let answers: Vec<String> = form()
        .leaves()
        .map(|c| format!("    \"{}\": {}", c.id(), if c.id() == "1.2" { "3" } else { "\"none\"" }))
        .collect();
    let text = format!(
        "{{\n  \"decision\": \"26-2026\",\n  \"set\": \"01\",\n  \"answers\": {{\n{}\n  }}\n}}\n",
        answers.join(",\n")
    );
    let line = text.lines().position(|l| l.contains("\"1.2\"")).map(|i| i as u32 + 1);
    assert_eq!(line, Some(6));
    let a = Assessment::from_text("t.json", &text).unwrap_or_else(|e| panic!("{e}"));
    let e = catalog().score(&a).err().unwrap_or_else(|| panic!("scored"));
    let fast = form().sheet_from_json(text.as_bytes()).err().unwrap_or_else(|| panic!("accepted"));
    for e in [&e, &fast] {
        let d = &e.diagnostics()[0];
        assert_eq!(
            (d.kind, d.message.as_str(), d.line, d.column),
            (DiagnosticKind::InvalidAnswer, "found a number", Some(6), Some(5)),
            "{e}"
        );
        assert_eq!(e.fault(), Fault::Input);
    }
}

#[test]
fn unknown_criteria_and_options_keep_their_places() {
    let text = "{\n  \"decision\": \"26-2026\",\n  \"set\": \"01\",\n  \"product\": \"Mật ong\",\n  \"answers\": {\"1.1\": \"z\", \"9.9\": \"a\"}\n}\n";
    let a = Assessment::from_text("t2.json", text).unwrap_or_else(|e| panic!("{e}"));
    let e = catalog().score(&a).err().unwrap_or_else(|| panic!("scored"));
    let places: Vec<(DiagnosticKind, Option<u32>, Option<u32>)> =
        e.diagnostics().iter().map(|d| (d.kind, d.line, d.column)).collect();
    // `  "answers": {` is 14 characters: "1.1" at column 15, "9.9" at 15 + 12.
    assert_eq!(
        places,
        [
            (DiagnosticKind::InvalidAnswer, Some(5), Some(15)),
            (DiagnosticKind::UnknownReference, Some(5), Some(27)),
            (DiagnosticKind::MissingAnswer, Some(5), Some(3)),
        ],
        "{e}"
    );
    assert_eq!(e.fault(), Fault::Input);
}

#[test]
fn yaml_is_still_yaml_and_json_keys_must_be_quoted() {
    // A document that starts otherwise is YAML, as before.
    let e = Assessment::from_text("t.yaml", "set: \"01\"\nanswers: [1, 2\n").unwrap_err();
    assert_eq!(e.diagnostics()[0].kind, DiagnosticKind::Syntax);
    assert!(e.diagnostics()[0].message.contains("flow"), "the YAML parser's: {e}");
    // A flow mapping with bare keys starts like JSON: it is JSON, and the help says so.
    let e = Assessment::from_text("t.yaml", "{set: \"01\", answers: {}}").unwrap_err();
    let d = &e.diagnostics()[0];
    assert_eq!(
        (d.kind, d.message.as_str(), d.line, d.column),
        (DiagnosticKind::Syntax, "key must be a string", Some(1), Some(2))
    );
    assert!(d.suggestion.as_deref().unwrap_or("").contains("read as JSON"), "{e}");
    // White space and a byte-order mark before the `{` do not make it YAML.
    let e =
        Assessment::from_bytes("t.json", b"\xef\xbb\xbf \n\t{\"set\": ", &Default::default()).unwrap_err();
    assert_eq!(only(&e), syntax("EOF while parsing a value", 2, 9));
}
