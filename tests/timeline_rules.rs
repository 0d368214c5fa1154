//! The decision timeline is validated, not assumed (ruling 12): every rule has a located error,
//! and a made-up superseding decision loaded beside the shipped ones takes over exactly on its
//! first day, with its transition honoured, without the shipped `decision.yaml` being edited.
//!
//! The decisions here are the made-up `99-2030` of tests/fixtures/future, rewritten in memory
//! (key, dates, `supersedes`, transition) for each rule.

#![allow(clippy::result_large_err)] // LoadError carries every diagnostic; tests unwrap it
use ocop_rating::{Catalog, CatalogBuilder, Date, Diagnostic, DiagnosticKind, LoadError, Severity};

const DECISION: &str = include_str!("fixtures/future/99-2030/decision.yaml");
const FORM: &str = include_str!("fixtures/future/99-2030/02-nho.yaml");

/// A made-up decision `key` from `from` (until `until`, or open), superseding `supersedes`, with a
/// transition of 45/15 days starting `transition` (none when `None`).
struct Made<'a> {
    key: &'a str,
    from: &'a str,
    until: Option<&'a str>,
    supersedes: &'a [&'a str],
    transition: Option<&'a str>,
}

impl Made<'_> {
    fn decision_text(&self) -> String {
        let number = self.key.replacen('-', "/", 1) + "/QĐ-TTg";
        let mut text = DECISION
            .replace("key: 99-2030", &format!("key: {}", self.key))
            .replace("number: 99/2030/QĐ-TTg", &format!("number: {number}"))
            .replace("in_force_from: 2030-01-15", &format!("in_force_from: {}", self.from))
            .replace("in_force_until: null", &format!("in_force_until: {}", self.until.unwrap_or("null")))
            .replace("supersedes: [26-2026]", &format!("supersedes: [{}]", self.supersedes.join(", ")));
        let block = "transition:\n  lodged_before: 2030-01-15\n";
        assert!(text.contains(block), "the fixture's transition block moved");
        let start = text.find(block).unwrap_or(0);
        let end = start + text[start..].find("\ntotal_max").unwrap_or(0) + 1;
        let transition = match self.transition {
            Some(day) => format!(
                "transition:\n  lodged_before: {day}\n  old_rules_days: {{first_rating: 45, re_evaluation: 15}}\n  source: \"made up\"\n"
            ),
            None => String::new(),
        };
        text.replace_range(start..end, &transition);
        text
    }

    fn form_text(&self) -> String {
        FORM.replace("decision: 99-2030", &format!("decision: {}", self.key))
    }

    fn add(&self, builder: CatalogBuilder) -> CatalogBuilder {
        builder.file(self.key, &format!("{}/decision.yaml", self.key), self.decision_text()).file(
            self.key,
            &format!("{}/02-nho.yaml", self.key),
            self.form_text(),
        )
    }
}

const FUTURE: Made = Made {
    key: "99-2030",
    from: "2030-01-15",
    until: None,
    supersedes: &["26-2026"],
    transition: Some("2030-01-15"),
};

fn load(made: &[&Made], shipped: bool) -> Result<Catalog, LoadError> {
    let mut builder = if shipped { CatalogBuilder::new().embedded() } else { CatalogBuilder::new() };
    for m in made {
        builder = m.add(builder);
    }
    builder.build()
}

fn errors(made: &[&Made], shipped: bool) -> Vec<Diagnostic> {
    match load(made, shipped) {
        Ok(_) => panic!("expected the timeline to be refused"),
        Err(e) => e.errors().cloned().collect(),
    }
}

fn date(text: &str) -> Date {
    text.parse().unwrap_or_else(|e| panic!("{text}: {e:?}"))
}

/// The 1-based line of the first line of `text` that contains `needle`.
fn line_of(text: &str, needle: &str) -> u32 {
    let i = text.lines().position(|l| l.contains(needle)).unwrap_or_else(|| panic!("no `{needle}`"));
    i as u32 + 1
}

/// The one error, at `path` in `file`, on the line of `needle` in `text`.
fn assert_one_at(errors: &[Diagnostic], file: &str, path: &str, text: &str, needle: &str) -> Diagnostic {
    assert_eq!(errors.len(), 1, "{errors:#?}");
    let d = errors[0].clone();
    assert_eq!((d.file.as_str(), d.path.as_str()), (file, path), "{d:#?}");
    assert_eq!(d.line, Some(line_of(text, needle)), "{d:#?}");
    assert!(d.column.is_some(), "{d:#?}");
    d
}

#[test]
fn a_superseding_decision_takes_over_on_its_first_day_without_editing_the_shipped_file() {
    let catalog = load(&[&FUTURE], true).unwrap_or_else(|e| panic!("{e}"));
    let on = |lodged: &str| catalog.decision_on(date(lodged), None, false).map(|d| d.key().to_string());
    assert_eq!(on("2030-01-14").as_deref(), Ok("26-2026"));
    assert_eq!(on("2030-01-15").as_deref(), Ok("99-2030"));
    assert_eq!(on("2031-06-01").as_deref(), Ok("99-2030"));
    assert_eq!(on("2026-05-22").as_deref(), Ok("26-2026"));
    // 26/2026 is printed open-ended; 99-2030 ends its lodging period the day before it starts.
    let d26 = catalog.decision("26-2026").unwrap_or_else(|| panic!("26-2026"));
    assert_eq!(d26.in_force_until(), None);
    assert_eq!(catalog.lodging_period(d26), (date("2026-05-22"), Some(date("2030-01-14"))));
    let d99 = catalog.decision("99-2030").unwrap_or_else(|| panic!("99-2030"));
    assert_eq!(catalog.lodging_period(d99), (date("2030-01-15"), None));
}

#[test]
fn the_transition_lets_the_old_rules_run_exactly_its_days() {
    let catalog = load(&[&FUTURE], true).unwrap_or_else(|e| panic!("{e}"));
    let evaluated = |lodged: &str, on: &str, re: bool| {
        catalog.decision_on(date(lodged), Some(date(on)), re).map(|d| d.key().to_string())
    };
    // First rating: 45 days from 2030-01-15 is 2030-03-01 (16 days of January + 28 of February
    // + 1 = 45). Re-evaluation: 15 days, 2030-01-30.
    assert_eq!(evaluated("2030-01-14", "2030-03-01", false).as_deref(), Ok("26-2026"));
    let late = evaluated("2030-01-14", "2030-03-02", false).unwrap_err();
    assert_eq!(late.kind, DiagnosticKind::NoApplicableForm);
    assert!(late.message.contains("2030-03-01"), "{late:#?}");
    assert_eq!(evaluated("2030-01-14", "2030-01-30", true).as_deref(), Ok("26-2026"));
    assert!(evaluated("2030-01-14", "2030-01-31", true).is_err());
    // Lodged on the first day: the new decision, whenever evaluated.
    assert_eq!(evaluated("2030-01-15", "2030-06-01", false).as_deref(), Ok("99-2030"));
}

#[test]
fn the_shipped_timeline_is_sound_and_148_ends_for_lodging_when_26_2026_starts() {
    let catalog = Catalog::embedded().unwrap_or_else(|e| panic!("{e}"));
    assert!(catalog.warnings().iter().all(|w| w.kind == DiagnosticKind::Anomaly), "no timeline warning");
    let period = |key: &str| catalog.lodging_period(catalog.decision(key).unwrap_or_else(|| panic!("{key}")));
    assert_eq!(period("1048-2019"), (date("2019-08-21"), Some(date("2023-02-23"))));
    // Printed in force until 2026-07-21 (26/2026 Điều 11.2): the 60 days of its transition.
    assert_eq!(period("148-2023"), (date("2023-02-24"), Some(date("2026-05-21"))));
    assert_eq!(period("26-2026"), (date("2026-05-22"), None));
}

#[test]
fn superseding_a_decision_that_starts_later_is_an_error_in_the_new_file() {
    // The report: 99-2027 superseding 26-2026 but starting before it, on 2026-01-01.
    let early = Made { key: "99-2027", from: "2026-01-01", transition: Some("2026-01-01"), ..FUTURE };
    let errors = errors(&[&early], true);
    let overlap_or_order: Vec<&Diagnostic> =
        errors.iter().filter(|d| d.file == "99-2027/decision.yaml").collect();
    assert!(!overlap_or_order.is_empty(), "{errors:#?}");
    let text = early.decision_text();
    let d = errors
        .iter()
        .find(|d| d.path == "decision.supersedes[0]")
        .unwrap_or_else(|| panic!("no error at supersedes: {errors:#?}"));
    assert_eq!(d.line, Some(line_of(&text, "supersedes:")), "{d:#?}");
    assert!(d.message.contains("not before it"), "{d:#?}");
}

#[test]
fn superseding_a_decision_that_is_not_loaded_is_an_error() {
    let errors = errors(&[&FUTURE], false);
    let d = assert_one_at(
        &errors,
        "99-2030/decision.yaml",
        "decision.supersedes[0]",
        &FUTURE.decision_text(),
        "supersedes:",
    );
    assert_eq!(d.kind, DiagnosticKind::UnknownReference);
    assert!(d.suggestion.as_deref().unwrap_or("").contains("--with-shipped"), "{d:#?}");
}

#[test]
fn a_decision_may_not_supersede_itself() {
    let own = Made { supersedes: &["99-2030"], ..FUTURE };
    let errors = errors(&[&own], false);
    assert!(
        errors.iter().any(|d| d.path == "decision.supersedes[0]" && d.message.contains("supersedes itself")),
        "{errors:#?}"
    );
}

#[test]
fn a_circular_chain_is_an_error() {
    let a = Made { key: "97-2030", from: "2030-01-15", supersedes: &["98-2031"], ..FUTURE };
    let b = Made {
        key: "98-2031",
        from: "2031-01-15",
        supersedes: &["97-2030"],
        transition: Some("2031-01-15"),
        ..FUTURE
    };
    let errors = errors(&[&a, &b], false);
    // The earlier one cannot supersede the later: that edge of the circle is refused.
    assert!(
        errors.iter().any(|d| d.file == "97-2030/decision.yaml" && d.path == "decision.supersedes[0]"),
        "{errors:#?}"
    );
}

#[test]
fn a_transition_must_start_with_its_decision() {
    let off = Made { transition: Some("2030-01-01"), ..FUTURE };
    let errors = errors(&[&off], true);
    let d = assert_one_at(
        &errors,
        "99-2030/decision.yaml",
        "transition.lodged_before",
        &off.decision_text(),
        "lodged_before:",
    );
    assert!(d.message.contains("2030-01-01") && d.message.contains("2030-01-15"), "{d:#?}");
}

#[test]
fn a_transition_needs_a_superseded_decision() {
    // Alone, 99-2030 supersedes nothing: its transition has nothing to run on.
    let alone = Made { supersedes: &[], ..FUTURE };
    let errors = errors(&[&alone], false);
    assert_one_at(&errors, "99-2030/decision.yaml", "transition", &alone.decision_text(), "transition:");
}

#[test]
fn overlapping_periods_without_supersession_are_an_error() {
    // 26/2026 is open-ended; a decision that does not supersede it cannot start after it.
    let rival = Made { supersedes: &[], transition: None, ..FUTURE };
    let errors = errors(&[&rival], true);
    let d = assert_one_at(
        &errors,
        "99-2030/decision.yaml",
        "decision.in_force_from",
        &rival.decision_text(),
        "in_force_from:",
    );
    assert!(d.message.contains("26-2026") && d.message.contains("does not supersede"), "{d:#?}");
}

#[test]
fn an_old_decision_may_run_on_only_as_far_as_the_transition() {
    let old = |until: &'static str| Made {
        key: "97-2028",
        from: "2028-01-01",
        until: Some(until),
        supersedes: &[],
        transition: None,
    };
    let new = Made { supersedes: &["97-2028"], ..FUTURE };
    // The transition of 45 days from 2030-01-15 ends on 2030-03-01: the old may end then…
    load(&[&old("2030-03-01"), &new], false).unwrap_or_else(|e| panic!("{e}"));
    // …but not a day later.
    let long = old("2030-03-02");
    let found = errors(&[&long, &new], false);
    let d = assert_one_at(
        &found,
        "97-2028/decision.yaml",
        "decision.in_force_until",
        &long.decision_text(),
        "in_force_until:",
    );
    assert!(d.message.contains("2030-03-01"), "{d:#?}");
    // Without a transition, the old must end the day before the new starts.
    let bare = Made { transition: None, ..new };
    load(&[&old("2030-01-14"), &bare], false).unwrap_or_else(|e| panic!("{e}"));
    let found = errors(&[&old("2030-01-15"), &bare], false);
    let d = assert_one_at(
        &found,
        "97-2028/decision.yaml",
        "decision.in_force_until",
        &old("2030-01-15").decision_text(),
        "in_force_until:",
    );
    assert!(d.message.contains("declares no transition"), "{d:#?}");
}

#[test]
fn a_gap_between_decisions_is_reported() {
    let old = Made {
        key: "97-2028",
        from: "2028-01-01",
        until: Some("2029-12-31"),
        supersedes: &[],
        transition: None,
    };
    let new = Made { supersedes: &[], transition: None, ..FUTURE };
    let catalog = load(&[&old, &new], false).unwrap_or_else(|e| panic!("{e}"));
    let gaps: Vec<&Diagnostic> =
        catalog.warnings().iter().filter(|w| w.message.contains("no decision is in force")).collect();
    assert_eq!(gaps.len(), 1, "{:#?}", catalog.warnings());
    let g = gaps[0];
    assert_eq!(g.severity, Severity::Warning);
    assert_eq!((g.file.as_str(), g.path.as_str()), ("99-2030/decision.yaml", "decision.in_force_from"));
    assert!(g.message.contains("from 2030-01-01 to 2030-01-14"), "{g:#?}");
    assert!(catalog.decision_on(date("2030-01-10"), None, false).is_err());
}

#[test]
fn a_forms_dates_must_fall_inside_its_decisions_period() {
    let early_form =
        FORM.replacen("  decision: 99-2030\n", "  decision: 99-2030\n  in_force_from: 2029-06-01\n", 1);
    assert_ne!(early_form, FORM, "the fixture's form head moved");
    let builder = CatalogBuilder::new()
        .embedded()
        .file("99-2030", "99-2030/decision.yaml", FUTURE.decision_text())
        .file("99-2030", "99-2030/02-nho.yaml", early_form.clone());
    let errors: Vec<Diagnostic> = match builder.build() {
        Ok(_) => panic!("a form dated before its decision was loaded"),
        Err(e) => e.errors().cloned().collect(),
    };
    let d = assert_one_at(
        &errors,
        "99-2030/02-nho.yaml",
        "form.in_force_from",
        &early_form,
        "in_force_from: 2029-06-01",
    );
    assert!(d.message.contains("2029-06-01") && d.message.contains("99-2030"), "{d:#?}");
}
