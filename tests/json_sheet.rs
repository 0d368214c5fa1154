//! The JSON fast path (`Form::sheet_from_json`, `Form::score_json`) against the ordinary path
//! (`Assessment::from_text` + `Catalog::score`): the same results on random sheets of every
//! shipped form, written in JSON in every way the format allows, and the same problems, with
//! their lines and columns, on bad input.

mod common;
use ocop_rating::generate::SheetGenerator;
use ocop_rating::{Assessment, Catalog, CriterionKind, DiagnosticKind, Form, Sheet};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::fmt::Write as _;
use std::sync::OnceLock;

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| Catalog::embedded().unwrap_or_else(|e| panic!("{e}")))
}

use common::outcome_summary as summary;

/// A JSON string literal.
fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|e| panic!("{e}"))
}

/// The JSON text of a one-sheet assessment of `sheet`, written at random: field order, spacing,
/// `true`/`false` for yes/no, a lone key for a cumulative criterion, keys with spaces around.
fn json_of(
    sheet: &Sheet<'_>,
    g: &mut SheetGenerator,
    facts: &[(String, bool)],
    lodged_on: Option<&str>,
) -> String {
    let form = sheet.form();
    let sp = |g: &mut SheetGenerator| match g.below(4) {
        0 => "",
        1 => " ",
        2 => "\n  ",
        _ => "\n\t ",
    };
    let mut answers = Vec::new();
    for c in form.leaves() {
        let keys = sheet.keys(c.id());
        let value = match (c.kind(), keys.as_slice()) {
            (CriterionKind::Cumulative, keys) if keys.len() != 1 || g.below(2) == 0 => {
                if keys.is_empty() && g.below(2) == 0 {
                    quote("none")
                } else {
                    let items: Vec<String> = keys.iter().map(|k| quote(k)).collect();
                    format!("[{}]", items.join(","))
                }
            }
            (CriterionKind::YesNo, [k]) if g.below(2) == 0 => (*k == "yes").to_string(),
            (_, [k]) if g.below(8) == 0 => quote(&format!(" {k} ")),
            (_, [k]) => quote(k),
            (_, _) => quote("none"),
        };
        answers.push(format!("{}{}:{}{}", sp(g), quote(c.id()), sp(g), value));
    }
    // Answers in any order.
    for i in (1..answers.len()).rev() {
        answers.swap(i, g.below(i + 1));
    }
    let mut fields = vec![
        format!("\"answers\":{}{{{}}}", sp(g), answers.join(",")),
        format!(
            "\"decision\": {}",
            quote(if g.below(2) == 0 { form.decision().key() } else { form.decision().number() })
        ),
        format!(
            "\"set\": {}",
            if g.below(4) == 0 { form.set().trim_start_matches('0').to_string() } else { quote(form.set()) }
        ),
        format!("\"product\": {}", quote("Rau \"cải\" \\ ngọt")),
    ];
    if !facts.is_empty() {
        let f: Vec<String> = facts.iter().map(|(id, v)| format!("{}: {v}", quote(id))).collect();
        fields.push(format!("\"facts\": {{{}}}", f.join(", ")));
    }
    if let Some(date) = lodged_on {
        fields.push(format!("\"lodged_on\": {}", quote(date)));
    }
    for i in (1..fields.len()).rev() {
        fields.swap(i, g.below(i + 1));
    }
    let mut out = String::from("{");
    for (i, f) in fields.iter().enumerate() {
        let _ = write!(out, "{}{}{f}", if i > 0 { "," } else { "" }, sp(g));
    }
    out.push_str("\n}\n");
    out
}

/// A lodging date for forms whose version or minimums depend on it (1048: set 26 has two
/// versions; 781's minimums apply from 2020-06-08).
fn lodging_date(form: &Form, g: &mut SheetGenerator) -> Option<&'static str> {
    if form.decision().key() != "1048-2019" {
        return None;
    }
    let early = form.in_force_until().is_some();
    let late = form.in_force_from().is_some();
    Some(match (early, late, g.below(2)) {
        (true, _, _) => "2020-01-15",
        (_, true, _) => "2021-03-01",
        (_, _, 0) => "2020-01-15",
        _ => "2021-03-01",
    })
}

#[test]
fn json_and_the_ordinary_path_agree_on_every_shipped_form() {
    let catalog = catalog();
    let mut g = SheetGenerator::new(16);
    let mut checked = 0;
    for form in catalog.forms() {
        for n in 0..60 {
            let sheet = g.sheet(form);
            let facts: Vec<(String, bool)> = if n % 4 == 0 {
                form.facts().iter().map(|f| (f.id().to_string(), g.below(3) == 0)).collect()
            } else {
                Vec::new()
            };
            let lodged_on = lodging_date(form, &mut g);
            let text = json_of(&sheet, &mut g, &facts, lodged_on);
            let ordinary = Assessment::from_text("sheet.json", &text)
                .and_then(|a| catalog.score(&a).map(|s| summary(s.outcome())))
                .unwrap_or_else(|e| panic!("{e}\n{text}"));
            let fast = form.score_json(text.as_bytes()).unwrap_or_else(|e| panic!("{e}\n{text}"));
            assert_eq!(summary(&fast), ordinary, "set {} of {}:\n{text}", form.set(), form.decision().key());
            // The sheet read is the sheet written.
            let read = form.sheet_from_json(text.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
            for c in form.leaves() {
                assert_eq!(read.keys(c.id()), sheet.keys(c.id()), "{}", c.id());
            }
            checked += 1;
        }
    }
    assert!(checked > 4000, "{checked}");
}

/// A complete, valid answers object for `form` (every criterion `none`), as `"id": "none"` items.
fn all_none(form: &Form) -> Vec<String> {
    form.leaves().map(|c| format!("{}: \"none\"", quote(c.id()))).collect()
}

fn form() -> &'static Form {
    catalog().form("26-2026", "01", None).unwrap_or_else(|e| panic!("{e}"))
}

/// Where a diagnostic is: line and column.
type Place = (Option<u32>, Option<u32>);

/// The diagnostics of both paths for `text` (an assessment of 26-2026 set 01), as
/// (kind, message, expected, suggestion), and the fast path's places.
fn both(text: &str) -> (Vec<String>, Vec<String>, Vec<Place>) {
    let show = |e: &ocop_rating::AssessmentError| -> Vec<String> {
        e.diagnostics()
            .iter()
            .map(|d| format!("{:?} | {} | {:?} | {:?}", d.kind, d.message, d.expected, d.suggestion))
            .collect()
    };
    let fast = form().sheet_from_json(text.as_bytes()).err().unwrap_or_else(|| panic!("accepted: {text}"));
    let ordinary = Assessment::from_text("a.json", text)
        .and_then(|a| catalog().score(&a).map(|_| ()))
        .err()
        .unwrap_or_else(|| panic!("the ordinary path accepted: {text}"));
    let places = fast.diagnostics().iter().map(|d| (d.line, d.column)).collect();
    (show(&fast), show(&ordinary), places)
}

#[test]
fn bad_answers_are_reported_as_the_ordinary_path_reports_them() {
    let form = form();
    let good = all_none(form);
    let with = |replace: &[(&str, &str)], extra: &[&str]| {
        let mut items: Vec<String> = good
            .iter()
            .filter(|i| !replace.iter().any(|(id, _)| i.starts_with(&quote(id))))
            .cloned()
            .collect();
        for (id, value) in replace {
            if !value.is_empty() {
                items.push(format!("{}: {value}", quote(id)));
            }
        }
        items.extend(extra.iter().map(|s| s.to_string()));
        format!(
            "{{\n  \"decision\": \"26-2026\",\n  \"set\": \"01\",\n  \"answers\": {{\n    {}\n  }}\n}}\n",
            items.join(",\n    ")
        )
    };
    let cases = [
        with(&[("1.1", "\"z\"")], &[]),
        with(&[("1.1", "\"d\""), ("2.4", "\"maybe\"")], &[]),
        with(&[("1.1", "[\"a\", \"b\"]")], &[]),
        with(&[("1.2", "null"), ("1.3", "3"), ("1.4", "{}")], &[]),
        with(&[("1.5", "")], &["\"1.55\": \"a\""]),
        with(&[("6.1", "")], &[]),
        with(&[("2.4", "\"yes \"")], &["\"9.9\": \"a\""]),
    ];
    for text in &cases {
        let (fast, ordinary, places) = both(text);
        assert_eq!(fast, ordinary, "{text}");
        assert!(places.iter().all(|(l, c)| l.is_some() && c.is_some()), "{places:?}\n{text}");
    }
    // The first case, in detail: the place is the key's, the message names the option and
    // what is valid.
    let err = form.sheet_from_json(cases[0].as_bytes()).err().unwrap_or_else(|| panic!("accepted"));
    let d = &err.diagnostics()[0];
    assert_eq!(d.kind, DiagnosticKind::InvalidAnswer);
    assert!(d.message.contains("criterion 1.1 has no option `z`"), "{}", d.message);
    let line = cases[0].lines().position(|l| l.trim_start().starts_with("\"1.1\"")).map(|l| l as u32 + 1);
    assert_eq!((d.line, d.column), (line, Some(5)));
}

#[test]
fn the_rest_of_an_assessment_is_checked_against_the_form() {
    let form = form();
    let answers = format!("\"answers\": {{{}}}", all_none(form).join(", "));
    let err = |text: String| -> Vec<String> {
        form.sheet_from_json(text.as_bytes())
            .err()
            .unwrap_or_else(|| panic!("accepted: {text}"))
            .diagnostics()
            .iter()
            .map(|d| format!("{:?}: {} ({:?}, {:?})", d.kind, d.message, d.line, d.column))
            .collect()
    };
    // Accepted: the decision by number, the set as a number, null facts, unread fields.
    let ok = format!(
        "{{\"decision\": \"26/2026/QĐ-TTg\", \"set\": 1, \"product\": \"x\", \"evaluated_on\": \"2026-06-01\", \"facts\": null, {answers}}}"
    );
    assert!(form.sheet_from_json(ok.as_bytes()).is_ok());
    // Refused, each with its place.
    let e = err(format!("{{\"set\": \"02\", {answers}}}"));
    assert!(e[0].contains("set `02`") && e[0].contains("(Some(1), Some(2))"), "{e:?}");
    let e = err(format!("{{\"decision\": \"148-2023\", {answers}}}"));
    assert!(e[0].contains("decision `148-2023`"), "{e:?}");
    let e = err(format!("{{\"answer\": {{}}, {answers}}}"));
    assert!(e[0].contains("unknown field `answer`"), "{e:?}");
    let e = err(format!("{{\"members\": [], {answers}}}"));
    assert!(e[0].contains("council"), "{e:?}");
    let e = err(format!("{{\"lodged_on\": \"2026-13-01\", {answers}}}"));
    assert!(e[0].contains("not a date"), "{e:?}");
    let e = err(format!("{{\"facts\": {{\"falsified\": true}}, {answers}}}"));
    assert!(e[0].contains("unknown fact `falsified`"), "{e:?}");
    let e = err("{\"set\": \"01\"}".to_string());
    assert!(e[0].contains("no answers"), "{e:?}");
    let e = err("{\"answers\": {}}".to_string());
    assert!(e[0].contains("32 criteria not answered: 1.1, 1.2"), "{e:?}");
    // Syntax errors and duplicates: serde_json's place.
    let e = err(format!("{{\n{answers},\n\"set\" \"01\"}}"));
    assert!(e[0].starts_with("Syntax") && e[0].contains("(Some(3), Some(7))"), "{e:?}");
    let e = err("{\"answers\": {\"1.1\": \"a\", \"1.1\": \"b\"}}".to_string());
    assert!(e[0].contains("duplicate entry with key \"1.1\""), "{e:?}");
    let e = err("[1, 2]".to_string());
    assert!(e[0].contains("an assessment"), "{e:?}");
}

#[test]
fn reading_json_allocates_the_sheet_and_nothing_per_key() {
    let form = form();
    let mut g = SheetGenerator::new(3);
    let sheet = g.sheet(form);
    let items: Vec<String> = form
        .leaves()
        .map(|c| {
            format!("{}: {}", quote(c.id()), quote(sheet.keys(c.id()).first().copied().unwrap_or("none")))
        })
        .collect();
    let text =
        format!("{{\"decision\": \"26-2026\", \"set\": \"01\", \"answers\": {{{}}}}}", items.join(", "));
    // Warm up (the form's plan is built on first use), then count.
    let first = form.score_json(text.as_bytes()).map(|o| summary(&o)).unwrap_or_else(|e| panic!("{e}"));
    let before = ALLOCATIONS.with(Cell::get);
    let again = form.score_json(text.as_bytes()).map(|o| o.band_stars()).unwrap_or_else(|e| panic!("{e}"));
    let after = ALLOCATIONS.with(Cell::get);
    std::hint::black_box(again);
    assert_eq!(after - before, 1, "one allocation, the sheet's answers ({first})");
}

struct Counting;

thread_local! {
    /// Allocations made by this thread (the other tests run on other threads).
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: forwards every call to the system allocator unchanged; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;
