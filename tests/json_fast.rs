//! The hand-written scanner in front of `Form::score_json` (src/json_fast.rs) against the serde
//! reader behind it: on plain texts of every shipped form the scanner accepts and reads exactly
//! what the serde reader reads; on anything else it declines and the serde reader answers; on
//! mutated texts it never accepts what the serde reader refuses, never reads differently, and
//! never panics.

mod common;
use ocop_rating::generate::{SheetGenerator, lodging_window};
use ocop_rating::{AssessmentError, Catalog, CriterionKind, Date, Form, Outcome, Sheet};
use proptest::prelude::*;
use std::sync::OnceLock;

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| Catalog::embedded().unwrap_or_else(|e| panic!("{e}")))
}

fn forms() -> &'static [&'static Form] {
    static FORMS: OnceLock<Vec<&'static Form>> = OnceLock::new();
    FORMS.get_or_init(|| catalog().forms().collect())
}

fn form() -> &'static Form {
    catalog().form("26-2026", "01", None).unwrap_or_else(|e| panic!("{e}"))
}

/// A JSON string literal.
fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|e| panic!("{e}"))
}

/// What a reader read: every leaf's keys, in printed order, and the lodging date.
type Read = (Vec<Vec<String>>, Option<Date>);

fn read_of(read: &(Sheet<'_>, Option<Date>)) -> Read {
    let (sheet, on) = read;
    let keys = sheet.form().leaves().map(|c| sheet.keys(c.id()).iter().map(|k| k.to_string()).collect());
    (keys.collect(), *on)
}

/// Everything an outcome says, or the whole error.
fn outcome_of(r: Result<Outcome<'_>, AssessmentError>) -> String {
    match r {
        Ok(o) => common::outcome_summary(&o),
        Err(e) => {
            let d: Vec<String> = e
                .diagnostics()
                .iter()
                .map(|d| {
                    format!(
                        "{:?} {} {:?} {:?} {:?} {:?}",
                        d.kind, d.message, d.expected, d.suggestion, d.line, d.column
                    )
                })
                .collect();
            format!("error: {d:?}")
        }
    }
}

/// Checks `text` both ways: when the scanner accepts, the serde reader accepts it too and reads
/// the same; `score_json` gives what the serde reader alone gives. Whether the scanner accepted.
fn check(form: &Form, text: &[u8]) -> bool {
    let fast = form.sheet_from_json_fast(text);
    if let Some(fast) = &fast {
        let serde = form.sheet_from_json_serde(text).unwrap_or_else(|e| {
            panic!("the scanner accepted what serde refuses: {e}\n{}", String::from_utf8_lossy(text))
        });
        assert_eq!(read_of(fast), read_of(&serde), "{}", String::from_utf8_lossy(text));
    }
    assert_eq!(
        outcome_of(form.score_json(text)),
        outcome_of(form.score_json_serde(text)),
        "{}",
        String::from_utf8_lossy(text)
    );
    fast.is_some()
}

/// White space between tokens, at random: none, spaces, new lines (`\n` or `\r\n`), tabs.
fn sp(g: &mut SheetGenerator, pretty: bool) -> &'static str {
    if !pretty {
        return "";
    }
    ["", " ", "\n  ", "\r\n\t", "  \n    "][g.below(5)]
}

/// A one-sheet assessment of `sheet` in JSON, spelt at random: compact or pretty, fields and
/// answers in any order, the decision by key or number (any case), `true`/`false` for yes/no,
/// keys with spaces around, fields a sheet does not read, a lodging date or none. `plain`:
/// whether it is the scanner's shape (no list, no escape, no facts).
fn text_of(sheet: &Sheet<'_>, g: &mut SheetGenerator) -> (String, bool) {
    let form = sheet.form();
    let pretty = g.below(2) == 0;
    let mut plain = true;
    // Some texts write a lone cumulative key as a list, or a key with a tab around.
    let (lists, tabs) = (g.below(4) == 0, g.below(8) == 0);
    let mut answers = Vec::new();
    for c in form.leaves() {
        let keys = sheet.keys(c.id());
        let value = match (c.kind(), keys.as_slice()) {
            (CriterionKind::Cumulative, keys) if keys.len() > 1 || lists => {
                plain = false;
                let items: Vec<String> = keys.iter().map(|k| quote(k)).collect();
                format!("[{}]", items.join(","))
            }
            (CriterionKind::YesNo, [k]) if g.below(2) == 0 => (*k == "yes").to_string(),
            (_, [k]) if g.below(8) == 0 => quote(&format!(" {k}  ")),
            // A tab is written `\t`: an escape, left to serde.
            (_, [k]) if tabs && g.below(4) == 0 => {
                plain = false;
                quote(&format!("\t{k}"))
            }
            (_, [k]) => quote(k),
            (_, _) => quote("none"),
        };
        answers.push(format!("{}{}{}:{}{value}", sp(g, pretty), quote(c.id()), sp(g, pretty), sp(g, pretty)));
    }
    if g.below(2) == 0 {
        for i in (1..answers.len()).rev() {
            answers.swap(i, g.below(i + 1));
        }
    }
    let mut fields = vec![format!("\"answers\":{}{{{}{}}}", sp(g, pretty), answers.join(","), sp(g, pretty))];
    let decision = match g.below(5) {
        0 => "null".to_string(),
        1 => quote(form.decision().number()),
        2 => quote(&form.decision().number().to_lowercase().replace('đ', "d")),
        _ => quote(form.decision().key()),
    };
    fields.push(format!("\"decision\":{}{decision}", sp(g, pretty)));
    if g.below(6) != 0 {
        let set = if g.below(8) == 0 { "null".to_string() } else { quote(form.set()) };
        fields.push(format!("\"set\":{}{set}", sp(g, pretty)));
    }
    if let Some((first, last)) = lodging_window(form).filter(|_| g.below(3) != 0) {
        let day = g.day_between(first, last).to_string();
        let day = if g.below(6) == 0 { format!(" {day} ") } else { day };
        fields.push(format!("\"lodged_on\":{}{}", sp(g, pretty), quote(&day)));
    }
    if g.below(2) == 0 {
        plain &= extras(g, &mut fields);
    }
    if g.below(2) == 0 {
        for i in (1..fields.len()).rev() {
            fields.swap(i, g.below(i + 1));
        }
    }
    let body: Vec<String> = fields.iter().map(|f| format!("{}{f}", sp(g, pretty))).collect();
    let end = if pretty { "\n" } else { "" };
    (format!("{}{{{}{}}}{end}", sp(g, pretty), body.join(","), sp(g, pretty)), plain)
}

/// Fields of an assessment a sheet does not read, at random; false when one of them is not the
/// scanner's shape (an escape, facts).
fn extras(g: &mut SheetGenerator, fields: &mut Vec<String>) -> bool {
    let product = ["\"Mật ong hoa nhãn\"", "\"\"", "\"Rau \\\"cải\\\" ngọt\"", "null", "42"][g.below(5)];
    let mut plain = !product.contains('\\');
    fields.push(format!("\"product\": {product}"));
    if g.below(2) == 0 {
        fields.push(format!("\"evaluated_on\": {}", ["\"2026-06-01\"", "null"][g.below(2)]));
    }
    if g.below(2) == 0 {
        fields.push(format!("\"re_evaluation\": {}", ["true", "false", "null"][g.below(3)]));
    }
    if g.below(2) == 0 {
        fields.push(format!("\"council_size\": {}", ["5", "0", "-1.5e3", "7.25", "1E+2", "-0"][g.below(6)]));
    }
    if g.below(3) == 0 {
        fields.push("\"evaluating_level\": \"province\", \"recognised_on\": null, \"id\": \"x-1\"".into());
    }
    match g.below(6) {
        0 => fields.push("\"facts\": null".into()),
        1 => {
            fields.push("\"facts\": {}".into());
            plain = false;
        }
        _ => {}
    }
    plain
}

#[test]
fn the_scanner_reads_plain_texts_of_every_shipped_form_as_serde_does() {
    let mut g = SheetGenerator::new(1616);
    let (mut accepted, mut declined) = (0, 0);
    for form in forms() {
        for _ in 0..48 {
            let sheet = g.sheet(form);
            let (text, plain) = text_of(&sheet, &mut g);
            // Valid texts: the serde reader reads the sheet written.
            let serde = form.sheet_from_json_serde(text.as_bytes()).unwrap_or_else(|e| panic!("{e}\n{text}"));
            let written: Vec<Vec<String>> =
                form.leaves().map(|c| sheet.keys(c.id()).iter().map(|k| k.to_string()).collect()).collect();
            assert_eq!(read_of(&serde).0, written, "{text}");
            let took = check(form, text.as_bytes());
            assert_eq!(took, plain, "set {} of {}:\n{text}", form.set(), form.decision().key());
            if took {
                accepted += 1;
            } else {
                declined += 1;
            }
        }
    }
    assert!(accepted > 2000 && declined > 300, "{accepted} accepted, {declined} declined");
}

/// A plain compact text of 26-2026 set 01 (as the benchmark writes it).
fn compact(g: &mut SheetGenerator) -> String {
    let form = form();
    let sheet = g.sheet(form);
    let answers: Vec<String> = form
        .leaves()
        .map(|c| format!("\"{}\":\"{}\"", c.id(), sheet.keys(c.id()).first().copied().unwrap_or("none")))
        .collect();
    format!("{{\"decision\":\"26-2026\",\"set\":\"01\",\"answers\":{{{}}}}}", answers.join(","))
}

#[test]
fn the_scanner_declines_anything_but_the_plain_shape() {
    let form = form();
    let text = compact(&mut SheetGenerator::new(5));
    assert!(check(form, text.as_bytes()), "{text}");
    for bad in not_plain(&text) {
        assert!(!check(form, bad.as_bytes()), "accepted: {bad}");
    }
    // Refused by both: bytes that are not UTF-8, a UTF-16 mark, too long a text.
    for bad in [&b"{\"answers\":\xff}"[..], &[0xff, 0xfe, b'{', 0, b'}', 0], &vec![b' '; 5 << 20]] {
        assert!(!check(form, bad));
        assert!(form.score_json(bad).is_err());
    }
}

/// `text` (a plain compact text of 26-2026 set 01) changed in every way the scanner declines,
/// whether serde reads the result or not.
fn not_plain(text: &str) -> Vec<String> {
    let with = |from: &str, to: &str| text.replacen(from, to, 1);
    vec![
        // Escapes, in keys and values (serde reads them: the answer is the same).
        with("\"1.1\"", "\"1\\u002e1\""),
        with("\"set\":\"01\"", "\"set\":\"0\\u0031\""),
        with("\"decision\"", "\"decisio\\u006e\""),
        // Duplicate keys, unknown fields, nesting, numbers where a text is needed.
        with("\"set\":\"01\",", "\"set\":\"01\",\"set\":\"01\","),
        with("\"answers\":{", "\"answers\":{\"1.1\":\"none\","),
        with("\"set\"", "\"sets\""),
        with("\"set\":\"01\"", "\"set\":1"),
        with("\"set\":\"01\"", "\"set\":\"01\",\"product\":{\"name\":\"x\"}"),
        with("\"set\":\"01\"", "\"set\":\"01\",\"product\":[\"x\"]"),
        with("\"set\":\"01\"", "\"set\":\"01\",\"facts\":{}"),
        with("\"set\":\"01\"", "\"set\":\"01\",\"facts\":{\"falsified_dossier\":false}"),
        with("\"set\":\"01\"", "\"set\":\"01\",\"members\":[]"),
        with("\"set\":\"01\"", "\"set\":\"01\",\"product\":\"a\u{1}b\""),
        with("\"set\":\"01\"", "\"set\":\"01\",\"council_size\":01"),
        with("\"set\":\"01\"", "\"set\":\"01\",\"council_size\":1."),
        with("\"set\":\"01\"", "\"set\":\"01\",\"council_size\":-"),
        with("\"set\":\"01\"", "\"set\":\"01\",\"council_size\":.5"),
        with("\"set\":\"01\"", "\"set\":\"01\",\"council_size\":1e"),
        with("\"set\":\"01\"", "\"set\":\"01\",\"re_evaluation\":tru"),
        with("\"set\":\"01\"", "\"set\":\"01\",\"product\":\"x\",}"),
        with("\"set\":\"01\"", "\"set\":\"01\",\"id\":\"\\\"\""),
        // Answers: a key written with spaces, a list, null, a number, an unknown option or id, a
        // group, a missing criterion.
        with("\"1.1\"", "\" 1.1\""),
        with("\"1.1\":\"", "\"1.1\":[\""),
        with("\"1.2\":\"", "\"1.2\":null,\"x\":\""),
        with("\"answers\":{", "\"answers\":{\"9.9\":\"a\","),
        with("\"answers\":{", "\"answers\":{\"1\":\"a\","),
        with("\"answers\":{", "\"answers\":{\"\":\"a\","),
        without_member(text, "\"1.1\":"),
        with("\"answers\":{", "\"answers\":{\"1.1\":\"z\","),
        with("\"answers\":{", "\"answers\":{\"1.1\":3,"),
        // The rest of the assessment against the form.
        with("\"26-2026\"", "\"148-2023\""),
        with("\"01\"", "\"02\""),
        with("\"01\"", "\"01 \""),
        with("\"set\":\"01\"", "\"set\":\"01\",\"lodged_on\":\"2026-13-01\""),
        with("\"set\":\"01\"", "\"set\":\"01\",\"lodged_on\":\"2026-1-1\""),
        with("\"set\":\"01\"", "\"set\":\"01\",\"lodged_on\":2026"),
        with("\"decision\":\"26-2026\"", &format!("\"decision\":\"{}\"", "x".repeat(70_000))),
        with("\"set\":\"01\"", &format!("\"set\":\"01\",\"lodged_on\":\"{}\"", " ".repeat(70_000))),
        // Not an object, or more than one.
        format!("{text} x"),
        format!("{text}{{}}"),
        format!("[{text}]"),
        text[..text.len() - 1].to_string(),
        String::new(),
        " \n".to_string(),
        "{}".to_string(),
        "{\"answers\":{}}".to_string(),
        "{\"answers\":null}".to_string(),
        "null".to_string(),
        format!("\u{b}{text}"),
    ]
}

#[test]
fn the_scanner_reads_every_spelling_of_the_plain_shape() {
    let form = form();
    let text = compact(&mut SheetGenerator::new(5));
    let with = |from: &str, to: &str| text.replacen(from, to, 1);
    let accepted = [
        format!("\u{feff}{text}"),
        format!(" \t\r\n{text}\r\n\t "),
        text.replace(':', " : ").replace(',', "\n,\n").replace('{', "{\t").replace('}', "\r}"),
        with("\"1.1\":\"", "\"1.1\":\"  "),
        with("\"set\":\"01\"", "\"set\":null"),
        with("\"decision\":\"26-2026\"", "\"decision\":\" 26/2026/qđ-ttg \""),
        with("\"set\":\"01\"", "\"set\":\"01\",\"lodged_on\":\" 2026-07-01 \",\"facts\":null"),
        with("\"set\":\"01\"", "\"set\":\"01\",\"product\":\"\",\"id\":null,\"council_size\":-0.0e-0"),
        with("\"set\":\"01\"", "\"set\":\"01\",\"product\":\"\u{7f}ế\",\"council_size\":1E+99999"),
        // serde limits the texts it reads, not those it skips.
        with("\"set\":\"01\"", &format!("\"set\":\"01\",\"product\":\"{}\"", "x".repeat(70_000))),
    ];
    for good in &accepted {
        assert!(check(form, good.as_bytes()), "declined: {good}");
    }
}

/// `text` without the member whose key starts at `key` (and its comma).
fn without_member(text: &str, key: &str) -> String {
    let start = text.find(key).unwrap_or(0);
    let end = start + text[start..].find(',').map_or(0, |i| i + 1);
    format!("{}{}", &text[..start], &text[end..])
}

/// Every text one byte away from a plain text: the scanner accepts only what serde accepts.
#[test]
fn every_one_byte_edit_of_a_text_is_read_as_serde_reads_it() {
    let form = form();
    let mut g = SheetGenerator::new(77);
    let text = compact(&mut g).replace(",\"1.2\"", ", \"1.2\"").replace("\"set\":\"01\"", "\"set\" : \"01\"");
    let bytes = text.as_bytes();
    let (mut accepted, mut total) = (0, 0);
    let replacements = b"\"\\,:{}[] \t\n\r019-+.eEtfnulx\x00\x1f\x7f\xc3";
    for i in 0..=bytes.len() {
        let mut mutants = Vec::new();
        if i < bytes.len() {
            mutants.push([&bytes[..i], &bytes[i + 1..]].concat());
            mutants.push(bytes[..i].to_vec());
            if i + 1 < bytes.len() {
                let mut swapped = bytes.to_vec();
                swapped.swap(i, i + 1);
                mutants.push(swapped);
            }
        }
        for &b in replacements {
            mutants.push([&bytes[..i], &[b], &bytes[i..]].concat());
            if i < bytes.len() {
                let mut replaced = bytes.to_vec();
                replaced[i] = b;
                mutants.push(replaced);
            }
        }
        for m in &mutants {
            total += 1;
            if check(form, m) {
                accepted += 1;
            }
        }
    }
    // White space inserted or an option changed is still plain; most edits are not.
    assert!(accepted > 500 && accepted < total / 10, "{accepted} of {total}");
}

/// One edit of a text.
#[derive(Clone, Debug)]
enum Edit {
    Delete(usize),
    Insert(usize, u8),
    Replace(usize, u8),
    Swap(usize, usize),
    Truncate(usize),
    /// The member whose key is the n-th key of the text, written twice.
    DuplicateKey(usize),
    Backslash(usize),
    Trailing(Vec<u8>),
}

fn byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        3 => prop::sample::select(b"\"\\,:{}[] \t\n\r0129-+.eEtrufalsnxyz\x00\x1f\x7f\xc3\xa1\xe1".to_vec()),
        1 => any::<u8>(),
    ]
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        any::<usize>().prop_map(Edit::Delete),
        (any::<usize>(), byte()).prop_map(|(i, b)| Edit::Insert(i, b)),
        (any::<usize>(), byte()).prop_map(|(i, b)| Edit::Replace(i, b)),
        (any::<usize>(), any::<usize>()).prop_map(|(i, j)| Edit::Swap(i, j)),
        any::<usize>().prop_map(Edit::Truncate),
        any::<usize>().prop_map(Edit::DuplicateKey),
        any::<usize>().prop_map(Edit::Backslash),
        prop::collection::vec(byte(), 1..4).prop_map(Edit::Trailing),
    ]
}

/// Where the members of the text's objects start and end (a key's `"` to the end of its value,
/// when the value is not an object).
fn members(text: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        if matches!(text[i], b'{' | b',') {
            let start = i + 1 + text[i + 1..].iter().take_while(|b| b.is_ascii_whitespace()).count();
            if text.get(start) == Some(&b'"') {
                let end = start + text[start..].iter().position(|b| matches!(b, b',' | b'}')).unwrap_or(0);
                if end > start && !text[start..end].contains(&b'{') {
                    out.push((start, end));
                }
            }
        }
        i += 1;
    }
    out
}

fn apply(text: &mut Vec<u8>, edit: &Edit) {
    let n = text.len().max(1);
    match edit {
        Edit::Delete(i) if !text.is_empty() => {
            text.remove(i % n);
        }
        Edit::Insert(i, b) => text.insert(i % (text.len() + 1), *b),
        Edit::Replace(i, b) if !text.is_empty() => text[i % n] = *b,
        Edit::Swap(i, j) if !text.is_empty() => text.swap(i % n, j % n),
        Edit::Truncate(i) => text.truncate(i % n),
        Edit::DuplicateKey(k) => {
            let found = members(text);
            if let Some(&(start, end)) = found.get(k % found.len().max(1)) {
                let member = [&text[start..end], b","].concat();
                text.splice(start..start, member);
            }
        }
        Edit::Backslash(i) => text.insert(i % (text.len() + 1), b'\\'),
        Edit::Trailing(bytes) => text.extend_from_slice(bytes),
        _ => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1500))]

    /// A valid text of a random shipped form, edited one to three times: the scanner declines,
    /// or it accepts and the serde reader accepts and reads the same. Never a panic.
    #[test]
    fn edited_texts_are_declined_or_read_as_serde_reads_them(
        seed in any::<u64>(),
        pick in any::<usize>(),
        edits in prop::collection::vec(edit(), 1..4),
    ) {
        let form = forms()[pick % forms().len()];
        let mut g = SheetGenerator::new(seed);
        let sheet = g.sheet(form);
        let (text, _) = text_of(&sheet, &mut g);
        let mut bytes = text.into_bytes();
        for e in &edits {
            apply(&mut bytes, e);
        }
        check(form, &bytes);
    }

    /// The same on the benchmark's compact texts, where most members are plain.
    #[test]
    fn edited_compact_texts_are_declined_or_read_as_serde_reads_them(
        seed in any::<u64>(),
        edits in prop::collection::vec(edit(), 1..3),
    ) {
        let mut bytes = compact(&mut SheetGenerator::new(seed)).into_bytes();
        for e in &edits {
            apply(&mut bytes, e);
        }
        check(form(), &bytes);
    }
}
