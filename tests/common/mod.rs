//! Helpers shared by several test files.

/// The made-up decision 99-2030 (tests/fixtures/future) standing alone. The fixture supersedes
/// the shipped 26-2026, which must then be loaded beside it (ruling 12: `supersedes` names a
/// loaded decision, and a transition belongs to a decision that supersedes one). Tests that load
/// the fixture without the shipped rules use this text: it supersedes nothing and has no
/// transition. `text` is the fixture's decision file, possibly already edited.
#[allow(dead_code)] // not every test file that declares `mod common` uses every helper
pub fn standing_alone(text: &str) -> String {
    assert!(text.contains("supersedes: [26-2026]"), "the fixture's `supersedes` moved");
    let text = text.replacen("supersedes: [26-2026]", "supersedes: []", 1);
    let start = text.find("transition:\n").unwrap_or_else(|| panic!("the fixture has no transition"));
    let end =
        start + text[start..].find("\ntotal_max").unwrap_or_else(|| panic!("no total_max after it")) + 1;
    format!("{}{}", &text[..start], &text[end..])
}

/// [`standing_alone`] of the fixture's own decision file, made once.
#[allow(dead_code)]
pub fn decision_alone() -> &'static str {
    static ALONE: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| standing_alone(include_str!("../fixtures/future/99-2030/decision.yaml")));
    ALONE.as_str()
}

/// The criterion columns of a bulk CSV holding `forms`: every leaf id, once, in order of first
/// appearance.
#[allow(dead_code)]
pub fn criterion_columns<'f>(forms: &[&'f ocop_rating::Form]) -> Vec<&'f str> {
    let mut ids: Vec<&str> = Vec::new();
    for f in forms {
        for c in f.leaves() {
            if !ids.contains(&c.id()) {
                ids.push(c.id());
            }
        }
    }
    ids
}

/// Everything an outcome says, on one line, for comparing two paths that score the same sheet.
#[allow(dead_code)]
pub fn outcome_summary(o: &ocop_rating::Outcome<'_>) -> String {
    let limits: Vec<String> =
        o.limited_by().map(|l| format!("{}@{}:{}/{}", l.criterion.id(), l.stars, l.got, l.needed)).collect();
    let parts: Vec<String> = o.parts().map(|(id, m)| format!("{id}={m}")).collect();
    format!(
        "total={} parts={parts:?} band={} class={} stars={:?} ko={:?} stopped={:?} limits={limits:?} on={:?}",
        o.total_mean(),
        o.band_stars(),
        o.class_after_minimums(),
        o.stars(),
        o.disqualified().map(|k| k.id()),
        o.stopped().map(|s| s.criterion.id()),
        o.judged_on(),
    )
}
