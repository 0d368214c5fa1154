//! `ocop diff`: the real diffs between the shipped decisions, with their counts pinned, and a few
//! changes checked by hand against the reference texts in `reference/`.
//!
//! The counts pin what the matching finds today. A change to a rule file that changes them is
//! expected to update them here, with the reason in the commit.

use ocop_rating::Catalog;
use ocop_rating::diff::{self, ChangeKind, Diff, Match, SetDiff};
use std::collections::BTreeMap;

fn catalog() -> Catalog {
    Catalog::embedded().expect("the shipped rules load")
}

fn counts(d: &Diff) -> BTreeMap<String, usize> {
    d.counts.iter().map(|(k, n)| (k.name(), *n)).collect()
}

fn pinned(pairs: &[(&str, usize)]) -> BTreeMap<String, usize> {
    pairs.iter().map(|(k, n)| (k.to_string(), *n)).collect()
}

fn set<'d>(d: &'d Diff, old: &str, new: &str) -> &'d SetDiff {
    d.sets
        .iter()
        .find(|s| s.old_set.as_deref() == Some(old) && s.new_set.as_deref() == Some(new))
        .unwrap_or_else(|| panic!("no set {old} → {new}"))
}

fn change<'d>(s: &'d SetDiff, new_id: &str, kind: ChangeKind, what: &str) -> &'d diff::Change {
    let c = s.criteria.iter().find(|c| c.new == new_id).unwrap_or_else(|| panic!("no criterion {new_id}"));
    c.changes
        .iter()
        .find(|x| x.kind == kind && x.what == what)
        .unwrap_or_else(|| panic!("{new_id}: no {kind:?} {what}: {:?}", c.changes))
}

#[test]
fn diff_148_to_26_2026_counts() {
    let d = diff::diff(&catalog(), "148-2023", "26-2026").expect("both decisions are loaded");
    assert_eq!(d.sets.len(), 26, "26 sets, matched one to one");
    assert!(d.sets.iter().all(|s| s.matched.is_some()));
    assert_eq!(
        (d.criteria_matched.identical, d.criteria_matched.same_id, d.criteria_matched.similar),
        (299, 328, 124)
    );
    assert_eq!(
        counts(&d),
        pinned(&[
            ("award_level_added", 1),
            ("award_level_removed", 3),
            ("transition_changed", 1),
            ("knockout_added", 47),
            ("knockout_removed", 2),
            ("knockout_changed", 1),
            ("set_renamed", 5),
            ("section_added", 1),
            ("section_retitled", 46),
            ("section_max_changed", 59),
            ("criterion_added", 36),
            ("criterion_removed", 44),
            ("renumbered", 155),
            ("moved", 2),
            ("retitled", 100),
            ("max_changed", 168),
            ("option_added", 154),
            ("option_removed", 184),
            ("option_text_changed", 1070),
            ("option_rekeyed", 157),
            ("option_points_changed", 343),
            ("marker_changed", 386),
            ("minimum_changed", 297),
            ("condition_changed", 50),
            ("stop_changed", 23),
            ("requirement_changed", 4),
        ])
    );
}

#[test]
fn diff_1048_to_148_counts() {
    let d = diff::diff(&catalog(), "1048-2019", "148-2023").expect("both decisions are loaded");
    assert_eq!(
        (d.criteria_matched.identical, d.criteria_matched.same_id, d.criteria_matched.similar),
        (90, 480, 33)
    );
    assert_eq!(
        counts(&d),
        pinned(&[
            ("part_max_changed", 2),
            ("award_level_added", 3),
            ("award_level_removed", 1),
            ("knockout_added", 6),
            ("knockout_removed", 83),
            ("set_added", 3),
            ("set_removed", 3),
            ("set_renamed", 13),
            ("set_renumbered", 14),
            ("section_added", 18),
            ("section_removed", 1),
            ("section_retitled", 37),
            ("section_max_changed", 156),
            ("criterion_added", 112),
            ("criterion_removed", 91),
            ("renumbered", 9),
            ("moved", 31),
            ("retitled", 126),
            ("max_changed", 313),
            ("option_added", 241),
            ("option_removed", 335),
            ("option_text_changed", 821),
            ("option_rekeyed", 145),
            ("option_points_changed", 505),
            ("marker_changed", 284),
            ("minimum_changed", 286),
            ("condition_changed", 23),
            ("stop_changed", 34),
            ("requirement_changed", 3),
        ])
    );
    // 1048 compares the 781 tourism form (the version in force last), and says so.
    assert!(d.notes.iter().any(|n| n.contains("set 26 of 1048-2019 has several versions")), "{:?}", d.notes);
}

/// Spot checks of 148-2023 → 26-2026, set 01, against the reference transcriptions
/// (reference/148-2023/01-rau-cu-qua-hat-tuoi.yaml, reference/26-2026/01-rau-cu-qua-hat-tuoi.yaml):
/// 26/2026 inserts 1.2 «Vùng nguyên liệu được cấp chứng nhận chất lượng» (max 2) and 2.4 «Ghi nhãn
/// hàng hóa có sử dụng song ngữ» (max 1, no options printed); it drops 3.5 «Kế toán» and 9.2
/// «Kiểm tra định kỳ các chỉ tiêu ATTP»; 148's 1.2 «Gia tăng giá trị» becomes 1.3 (options the
/// same but for the copy's typo «bản quản»); 1.1 keeps its options with max 5 → 3 (b 3 → 2, c 5 → 3).
#[test]
fn spot_checks_148_to_26_2026_set_01() {
    let d = diff::diff(&catalog(), "148-2023", "26-2026").expect("loaded");
    let s = set(&d, "01", "01");
    assert_eq!(s.matched, Some(Match::Identical));
    let added: Vec<&str> = s.added.iter().map(|c| c.id.as_str()).collect();
    let removed: Vec<&str> = s.removed.iter().map(|c| c.id.as_str()).collect();
    assert_eq!((added, removed), (vec!["1.2", "2.4"], vec!["3.5", "9.2"]));
    let value_added = s.criteria.iter().find(|c| c.new == "1.3").expect("1.3 matched");
    assert_eq!(value_added.old, "1.2");
    assert!(matches!(value_added.matched, Match::Similar(s) if s >= 95), "{}", value_added.matched);
    let renumbered = change(s, "1.3", ChangeKind::Renumbered, "");
    assert_eq!((renumbered.old.as_deref(), renumbered.new.as_deref()), (Some("1.2"), Some("1.3")));
    change(s, "1.3", ChangeKind::OptionTextChanged, "option c");
    let max = change(s, "1.1", ChangeKind::MaxChanged, "");
    assert_eq!((max.old.as_deref(), max.new.as_deref()), (Some("5"), Some("3")));
    let b = change(s, "1.1", ChangeKind::OptionPointsChanged, "option b");
    assert_eq!((b.old.as_deref(), b.new.as_deref()), (Some("3"), Some("2")));
    // The story gates: 148 reads "Chỉ áp dụng khi có câu chuyện" as 5.1 not in [a, b, none],
    // 26/2026 as not in [a, none] (ruling 10); 148's 5.3 «Cấu trúc câu chuyện» is 26/2026's 5.2.
    let gate = change(s, "5.2", ChangeKind::ConditionChanged, "applies_if");
    assert_eq!(gate.old.as_deref(), Some("5.1 not in [a, b, none]"));
    assert_eq!(gate.new.as_deref(), Some("5.1 not in [a, none]"));
}

/// Spot checks of 1048-2019 → 148-2023 against reference/1048-781/01-rau-cu-qua-hat-tuoi.yaml and
/// reference/148-2023/01-rau-cu-qua-hat-tuoi.yaml: parts A 35 → 40 and C 40 → 35 (1048 Điều 1);
/// 4.2 «Tổ chức phân phối» keeps its four options, max 5 → 4 (d 5 → 4); 1048's heading 8 «TÍNH ĐỘC
/// ĐÁO» is the copy's 8.1 under the same heading. Sets: 1048's 09 (processed fish), 21 (medical
/// equipment) and 24 (household handicrafts) have no 148 set of their own; 148's 23–25 (flowers,
/// ornamental plants and animals) are new; 1048's 10 «Tương, nước mắm…» is 148's 09, same name.
#[test]
fn spot_checks_1048_to_148() {
    let d = diff::diff(&catalog(), "1048-2019", "148-2023").expect("loaded");
    let parts: Vec<(&str, Option<&str>, Option<&str>)> = d
        .decision
        .iter()
        .filter(|c| c.kind == ChangeKind::PartMaxChanged)
        .map(|c| (c.what.as_str(), c.old.as_deref(), c.new.as_deref()))
        .collect();
    assert_eq!(parts, vec![("part A", Some("35"), Some("40")), ("part C", Some("40"), Some("35"))]);
    let s = set(&d, "01", "01");
    let max = change(s, "4.2", ChangeKind::MaxChanged, "");
    assert_eq!((max.old.as_deref(), max.new.as_deref()), (Some("5"), Some("4")));
    change(s, "4.2", ChangeKind::OptionPointsChanged, "option d");
    let uniqueness = s.criteria.iter().find(|c| c.new == "8.1").expect("8 → 8.1 matched");
    assert_eq!(uniqueness.old, "8");
    assert!(matches!(uniqueness.matched, Match::Similar(_)));
    let removed: Vec<(&str, Option<&str>)> = d
        .sets
        .iter()
        .filter(|s| s.new_set.is_none())
        .map(|s| (s.old_set.as_deref().unwrap_or(""), s.closest.as_ref().map(|c| c.0.as_str())))
        .collect();
    assert_eq!(removed, vec![("09", Some("08")), ("21", Some("21")), ("24", Some("21"))]);
    let added: Vec<&str> =
        d.sets.iter().filter(|s| s.old_set.is_none()).filter_map(|s| s.new_set.as_deref()).collect();
    assert_eq!(added, vec!["23", "24", "25"]);
    let sauces = set(&d, "10", "09");
    assert_eq!(sauces.matched, Some(Match::Similar(100)));
    assert!(sauces.changes.iter().any(|c| c.kind == ChangeKind::SetRenumbered));
}

#[test]
fn one_set_and_both_formats_from_one_model() {
    let d = diff::diff(&catalog(), "148-2023", "26-2026").expect("loaded").only_set("19");
    assert_eq!(d.sets.len(), 1);
    let text = d.text();
    assert!(text.contains("Set 19 Mỹ phẩm có thành phần từ dược liệu [same_id]"), "{text}");
    assert!(text.contains("set_renamed"), "{text}");
    let json = serde_json::to_value(&d).expect("serialises");
    assert_eq!(json["sets"][0]["match"], "same_id");
    assert_eq!(json["sets"][0]["new_set"], "19");
    let n: usize =
        json["counts"].as_object().expect("counts").values().map(|v| v.as_u64().unwrap_or(0) as usize).sum();
    assert_eq!(n, d.counts.values().sum::<usize>());
    // A similarity match is said to be one, with its score.
    assert!(
        json["sets"][0]["criteria"]
            .as_array()
            .expect("criteria")
            .iter()
            .any(|c| { c["match"].as_str().is_some_and(|m| m.starts_with("similar(0.")) })
    );
}

#[test]
fn unknown_decisions_are_named_with_a_suggestion() {
    let e = diff::diff(&catalog(), "148-2032", "26-2026").expect_err("no such decision");
    assert_eq!(e.kind, ocop_rating::DiagnosticKind::UnknownReference);
    assert!(e.message.contains("148-2032"), "{}", e.message);
    assert_eq!(e.suggestion.as_deref(), Some("did you mean `148-2023`?"));
}

#[test]
fn a_decision_compared_with_itself_has_no_change() {
    let d = diff::diff(&catalog(), "26-2026", "26-2026").expect("loaded");
    assert!(d.counts.is_empty(), "{:?}", d.counts);
    assert_eq!(d.criteria_matched.identical, d.sets.iter().map(|s| s.criteria.len()).sum::<usize>());
}
