//! Property tests over generated valid sheets for every shipped form (and the made-up fixture
//! decision), including agreement with a small reference scorer written here, separately from
//! the engine: it walks the rule YAML directly.

use ocop_rating::generate::SheetGenerator;
use ocop_rating::{Catalog, CatalogBuilder, Form, Sheet, render};
use proptest::prelude::*;
use serde_yaml::Value;
use std::collections::HashMap;
use std::sync::OnceLock;

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        CatalogBuilder::new()
            .embedded()
            .dir("tests/fixtures/future")
            .build()
            .unwrap_or_else(|e| panic!("{e}"))
    })
}

fn forms() -> Vec<&'static Form> {
    catalog().forms().collect()
}

/// The sheet's answers as text keys per criterion id.
fn answers_of(sheet: &Sheet<'_>) -> HashMap<String, Vec<String>> {
    sheet
        .form()
        .leaves()
        .map(|c| (c.id().to_string(), sheet.keys(c.id()).iter().map(|k| k.to_string()).collect()))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The reference scorer: obviously correct, slow, independent of the engine's compiled form.

fn read_yaml(path: &str) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn num(v: &Value) -> i64 {
    // Hundredths, from the YAML number as written.
    let s = match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        _ => panic!("not a number: {v:?}"),
    };
    let (whole, frac) = s.split_once('.').unwrap_or((&s, ""));
    let frac = format!("{frac:0<2}");
    whole.parse::<i64>().unwrap() * 100 + frac[..2].parse::<i64>().unwrap()
}

struct Leaf {
    id: String,
    section: String,
    part: usize,
    kind: String,
    max: i64,
    options: Vec<(String, i64, Option<i64>)>,
    applies_if: Option<Value>,
    /// The requirement's `unmet_when` condition (ruling 11).
    requirement: Option<Value>,
    /// The stop's condition and whether it ends the whole evaluation (`scope: evaluation`).
    stops: Option<(Value, bool)>,
}

fn walk(criteria: &Value, section: &str, part: usize, out: &mut Vec<Leaf>) {
    for (id, c) in criteria.as_mapping().unwrap() {
        let id = id.as_str().unwrap().to_string();
        let kind = c.get("kind").and_then(Value::as_str).unwrap_or("pick").to_string();
        if kind == "group" {
            walk(c.get("criteria").unwrap(), section, part, out);
            continue;
        }
        let options = c
            .get("options")
            .and_then(Value::as_mapping)
            .map(|m| {
                m.iter()
                    .map(|(k, o)| {
                        (
                            k.as_str().unwrap().to_string(),
                            num(o.get("points").unwrap()),
                            o.get("star").and_then(Value::as_i64),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        out.push(Leaf {
            id,
            section: section.to_string(),
            part,
            kind,
            max: num(c.get("max").unwrap()),
            options,
            applies_if: c.get("applies_if").map(|g| g.get("when").unwrap().clone()),
            requirement: c.get("requirement").map(|g| g.get("unmet_when").unwrap().clone()),
            stops: c.get("stops").map(|g| {
                (g.get("when").unwrap().clone(), g.get("scope").and_then(Value::as_str) == Some("evaluation"))
            }),
        });
    }
}

fn holds(cond: &Value, answers: &HashMap<String, Vec<String>>, facts: &HashMap<String, bool>) -> bool {
    if let Some(f) = cond.get("fact") {
        return facts.get(f.as_str().unwrap()).copied().unwrap_or(false);
    }
    if let Some(id) = cond.get("answer") {
        let given = answers.get(id.as_str().unwrap()).cloned().unwrap_or_default();
        let (list, negate) = match cond.get("in") {
            Some(l) => (l, false),
            None => (cond.get("not_in").unwrap(), true),
        };
        let keys: Vec<&str> = list.as_sequence().unwrap().iter().map(|k| k.as_str().unwrap()).collect();
        let hit =
            given.iter().any(|g| keys.contains(&g.as_str())) || (given.is_empty() && keys.contains(&"none"));
        return hit != negate;
    }
    if let Some(items) = cond.get("all") {
        return items.as_sequence().unwrap().iter().all(|c| holds(c, answers, facts));
    }
    if let Some(items) = cond.get("any") {
        return items.as_sequence().unwrap().iter().any(|c| holds(c, answers, facts));
    }
    !holds(cond.get("not").unwrap(), answers, facts)
}

/// What the reference scorer needs of one assessment: each member's answers, the facts set on
/// any sheet, and the lodging date (as `YYYY-MM-DD`, compared as text).
struct Input<'a> {
    members: &'a [HashMap<String, Vec<String>>],
    facts: HashMap<String, bool>,
    lodged_on: Option<&'a str>,
}

/// One sheet, scored by the rules as DOMAIN.md states them: (points per criterion, effective
/// answers for knock-outs). Ruling 9: a stop of scope `evaluation` ends every later criterion,
/// one of scope `section` the rest of its section; ruling 4: a criterion whose `applies_if` does
/// not hold scores 0; ruling 11: a criterion whose `requirement.unmet_when` holds scores 0 (its
/// answer still stands for later conditions).
fn reference_sheet(
    leaves: &[Leaf],
    answers: &HashMap<String, Vec<String>>,
    facts: &HashMap<String, bool>,
) -> (HashMap<String, i64>, HashMap<String, Vec<String>>) {
    let mut effective: HashMap<String, Vec<String>> = HashMap::new();
    let mut points: HashMap<String, i64> = HashMap::new();
    let mut stopped_section: Option<String> = None;
    let mut stopped_all = false;
    for leaf in leaves {
        let given = answers.get(&leaf.id).cloned().unwrap_or_default();
        let scored = !stopped_all
            && stopped_section.as_deref() != Some(leaf.section.as_str())
            && leaf.applies_if.as_ref().is_none_or(|c| holds(c, &effective, facts));
        let unmet = leaf.requirement.as_ref().is_some_and(|c| holds(c, &effective, facts));
        let p = if !scored || unmet {
            0
        } else if leaf.kind == "yes_no" {
            if given.iter().any(|g| g == "yes") { leaf.max } else { 0 }
        } else {
            given.iter().map(|g| leaf.options.iter().find(|o| &o.0 == g).map_or(0, |o| o.1)).sum()
        };
        if scored {
            effective.insert(leaf.id.clone(), given);
            if let Some((c, whole)) = &leaf.stops
                && holds(c, &effective, facts)
            {
                if *whole {
                    stopped_all = true;
                } else {
                    stopped_section = Some(leaf.section.clone());
                }
            }
        }
        points.insert(leaf.id.clone(), p);
    }
    (points, effective)
}

/// (sum of the members' totals in hundredths, part sums, band, final class or None when knocked
/// out). Councils are judged on exact fractions: a band [from, below) holds the mean when
/// from·n ≤ sum < below·n, and a minimum of P points on a criterion is met when the members'
/// points on it add up to at least P·n (ruling 6). Integers only: no division, no rounding.
fn reference_score(form: &Form, input: &Input<'_>) -> (i64, Vec<i64>, u8, Option<u8>) {
    let decision_path = form.file().rsplit_once('/').map(|(dir, _)| format!("{dir}/decision.yaml")).unwrap();
    let decision = read_yaml(&decision_path);
    let doc = read_yaml(form.file());
    let mut leaves = Vec::new();
    let parts = doc.get("parts").unwrap().as_mapping().unwrap();
    for (pi, (_, part)) in parts.iter().enumerate() {
        for (sid, section) in part.get("sections").unwrap().as_mapping().unwrap() {
            walk(section.get("criteria").unwrap(), sid.as_str().unwrap(), pi, &mut leaves);
        }
    }
    let n = input.members.len() as i64;
    let mut sums: HashMap<String, i64> = HashMap::new();
    let mut part_totals = vec![0i64; parts.len()];
    let mut sheets_effective = Vec::new();
    for answers in input.members {
        let (points, effective) = reference_sheet(&leaves, answers, &input.facts);
        for leaf in &leaves {
            *sums.entry(leaf.id.clone()).or_default() += points[&leaf.id];
            part_totals[leaf.part] += points[&leaf.id];
        }
        sheets_effective.push(effective);
    }
    let total: i64 = part_totals.iter().sum();
    let mut band = 0u8;
    for b in decision.get("bands").unwrap().as_sequence().unwrap() {
        let from = num(b.get("from").unwrap()) * n;
        let ok = match (b.get("below"), b.get("to")) {
            (Some(below), _) => total < num(below) * n,
            (_, Some(to)) => total <= num(to) * n,
            _ => false,
        };
        if total >= from && ok {
            band = b.get("stars").unwrap().as_i64().unwrap() as u8;
        }
    }
    // Minimums: markers and the table, as (class, criterion, points needed). A table row dated
    // `in_force_from` after the lodging date does not apply (781 on 1048).
    let mut minimums: Vec<(u8, String, i64)> = Vec::new();
    for leaf in &leaves {
        for (_, p, star) in &leaf.options {
            if let Some(s) = star {
                minimums.push((*s as u8, leaf.id.clone(), *p));
            }
        }
    }
    if let Some(rows) = doc.get("minimums").and_then(Value::as_sequence) {
        for m in rows {
            let from = m.get("in_force_from").map(|d| match d {
                Value::String(s) => s.clone(),
                other => serde_yaml::to_string(other).unwrap().trim().to_string(),
            });
            if let (Some(from), Some(on)) = (&from, input.lodged_on)
                && on < from.as_str()
            {
                continue;
            }
            let id = m.get("criterion").unwrap().as_str().unwrap();
            let key = m.get("at_least").unwrap().as_str().unwrap();
            let leaf = leaves.iter().find(|l| l.id == id).unwrap();
            let need = if leaf.kind == "yes_no" {
                if key == "yes" { leaf.max } else { 0 }
            } else {
                leaf.options.iter().find(|o| o.0 == key).unwrap().1
            };
            minimums.push((m.get("stars").unwrap().as_i64().unwrap() as u8, id.to_string(), need));
        }
    }
    let mut class = band;
    for k in 1..=band {
        if minimums.iter().any(|(s, id, need)| *s == k && sums[id] < *need * n) {
            class = k - 1;
            break;
        }
    }
    // Ruling 3: a knock-out on a fact, or on answers that hold on any member's sheet.
    let mut knocked = false;
    for source in [decision.get("knockouts"), doc.get("knockouts")].into_iter().flatten() {
        for (_, k) in source.as_mapping().unwrap() {
            if sheets_effective.iter().any(|eff| holds(k.get("when").unwrap(), eff, &input.facts)) {
                knocked = true;
            }
        }
    }
    (total, part_totals, band, if knocked { None } else { Some(class) })
}

/// Sets a sparse, seed-drawn set of the form's facts on `sheet` (each about one time in four),
/// and returns them for the reference scorer.
fn draw_facts(form: &Form, sheet: &mut Sheet<'_>, bits: u64) -> HashMap<String, bool> {
    let mut facts = HashMap::new();
    for (i, fact) in form.facts().iter().enumerate() {
        let on = (bits >> ((2 * i) % 64)) & 3 == 0;
        if on {
            sheet.set_fact(fact.id(), true).unwrap();
        }
        facts.insert(fact.id().to_string(), on);
    }
    facts
}

/// A lodging date drawn from the boundaries that matter: none, just before and on the day
/// 781/QĐ-TTg added its minimums, or inside the form's own period.
fn draw_lodged_on(form: &Form, pick: u8) -> Option<String> {
    match pick % 4 {
        0 => None,
        1 if form.decision().key() == "1048-2019" => Some("2020-06-07".into()),
        2 if form.decision().key() == "1048-2019" => Some("2020-06-08".into()),
        _ => Some(form.in_force_from().unwrap_or(form.decision().in_force_from()).to_string()),
    }
}

// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Correctness: the engine agrees with the reference scorer on every shipped form, with
    /// facts drawn too (knock-outs, fact-triggered stops, requirement facts) and lodging dates
    /// on both sides of the 781 minimums.
    #[test]
    fn totals_are_bounded_and_add_up_and_agree_with_the_reference(
        seed in any::<u64>(),
        fact_bits in any::<u64>(),
        date_pick in any::<u8>(),
    ) {
        for form in forms() {
            let mut sheet = SheetGenerator::new(seed).sheet(form);
            let facts = draw_facts(form, &mut sheet, fact_bits);
            let lodged_on = draw_lodged_on(form, date_pick);
            let on = lodged_on.as_deref().map(|d| d.parse::<ocop_rating::Date>().unwrap());
            let o = form.score_council_on(std::slice::from_ref(&sheet), on).unwrap();
            let total = o.total_mean().sum().hundredths();
            prop_assert!(total >= 0 && total <= form.decision().total_max().hundredths());
            let parts: i64 = o.parts().map(|(_, m)| m.sum().hundredths()).sum();
            prop_assert_eq!(parts, total);
            prop_assert!(o.stars().is_none_or(|s| s <= o.band_stars()));
            let members = [answers_of(&sheet)];
            let input = Input { members: &members, facts, lodged_on: lodged_on.as_deref() };
            let (rt, rparts, rband, rstars) = reference_score(form, &input);
            let at = format!("set {} of {} (facts {:?}, lodged {:?})", form.set(), form.decision().key(),
                input.facts.iter().filter(|f| *f.1).map(|f| f.0).collect::<Vec<_>>(), lodged_on);
            prop_assert_eq!(rt, total, "total of {}", at);
            prop_assert_eq!(rparts, o.parts().map(|(_, m)| m.sum().hundredths()).collect::<Vec<_>>());
            prop_assert_eq!(rband, o.band_stars(), "band of {}", at);
            prop_assert_eq!(rstars, o.stars(), "class of {}", at);
        }
    }

    /// Correctness for councils: the class is the one computed from the exact fraction of the
    /// members' sums (integer comparisons, no rounding), bands and minimums alike.
    #[test]
    fn a_councils_class_is_the_class_of_the_exact_fraction(
        seed in any::<u64>(),
        size in 2usize..8,
        fact_bits in any::<u64>(),
    ) {
        for form in forms().into_iter().step_by(2) {
            let mut g = SheetGenerator::new(seed);
            let mut sheets: Vec<_> = (0..size).map(|_| g.sheet(form)).collect();
            let facts = draw_facts(form, &mut sheets[0], fact_bits);
            let o = form.score_council(&sheets).unwrap();
            let members: Vec<_> = sheets.iter().map(answers_of).collect();
            let input = Input { members: &members, facts, lodged_on: None };
            let (rt, _, rband, rstars) = reference_score(form, &input);
            prop_assert_eq!(rt, o.total_mean().sum().hundredths());
            prop_assert_eq!(rband, o.band_stars(), "band of set {} of {}", form.set(), form.decision().key());
            prop_assert_eq!(rstars, o.stars(), "class of set {} of {}", form.set(), form.decision().key());
        }
    }

    #[test]
    fn raising_an_answer_never_lowers_total_or_class(seed in any::<u64>(), pick in any::<usize>()) {
        for form in forms() {
            let sheet = SheetGenerator::new(seed).sheet(form);
            let leaf = pick % form.leaf_count();
            let criterion = form.leaves().nth(leaf).unwrap();
            if criterion.kind() == ocop_rating::CriterionKind::Cumulative {
                continue;
            }
            let options = form.options(criterion);
            let now = sheet.keys(criterion.id()).first().and_then(|k| options.iter().position(|o| o.key() == *k));
            let now_points = now.map_or(0, |i| options[i].points().hundredths());
            let Some(better) = options.iter().position(|o| o.points().hundredths() > now_points) else { continue };
            let mut raised = sheet.clone();
            raised.set_leaf(leaf, Some(better)).unwrap();
            let (a, b) = (form.score(&sheet).unwrap(), form.score(&raised).unwrap());
            prop_assert!(b.total_mean() >= a.total_mean(), "raising {} lowered the total", criterion.id());
            if a.disqualified().is_none() && b.disqualified().is_none() {
                prop_assert!(b.stars() >= a.stars(), "raising {} lowered the class", criterion.id());
            }
        }
    }

    /// The engine against itself (determinism), not a correctness test: the reference-scorer
    /// properties above are.
    #[test]
    fn the_same_input_gives_the_same_output_trace_included(seed in any::<u64>()) {
        for form in forms().into_iter().take(30) {
            let sheet = SheetGenerator::new(seed).sheet(form);
            let t1 = form.trace(std::slice::from_ref(&sheet), &[]).unwrap();
            let t2 = form.trace(std::slice::from_ref(&sheet.clone()), &[]).unwrap();
            let lines = |t: &ocop_rating::Trace<'_>| t.lines().map(|l| format!("{}={}:{}", l.criterion.id(), l.answer_text(0), l.mean)).collect::<Vec<_>>();
            prop_assert_eq!(lines(&t1), lines(&t2));
            prop_assert_eq!(render::outcome_json(t1.outcome()), render::outcome_json(t2.outcome()));
        }
    }

    /// The engine against itself (order independence, means between the extremes), not a
    /// correctness test on its own.
    #[test]
    fn councils_ignore_member_order_and_lie_between_members(seed in any::<u64>(), size in 2usize..8) {
        for form in forms().into_iter().step_by(3) {
            let mut g = SheetGenerator::new(seed);
            let sheets: Vec<_> = (0..size).map(|_| g.sheet(form)).collect();
            let a = form.score_council(&sheets).unwrap();
            let mut reversed = sheets.clone();
            reversed.reverse();
            let b = form.score_council(&reversed).unwrap();
            prop_assert_eq!(render::outcome_json(&a), render::outcome_json(&b));
            let totals: Vec<_> = sheets.iter().map(|s| form.score(s).unwrap().total_mean()).collect();
            let (lo, hi) = (totals.iter().min().unwrap(), totals.iter().max().unwrap());
            prop_assert!(*lo <= a.total_mean() && a.total_mean() <= *hi);
        }
    }
}

/// The engine against itself (a YAML round trip of every rule file), not a correctness test.
#[test]
fn rule_files_written_back_to_yaml_score_identically() {
    let original = catalog();
    let mut builder = CatalogBuilder::new();
    let mut decisions = std::collections::HashSet::new();
    for form in original.forms() {
        let dir = form.file().rsplit_once('/').unwrap().0.to_string();
        let key = form.decision().key().to_string();
        for file in [form.file().to_string(), format!("{dir}/decision.yaml")] {
            if file.ends_with("decision.yaml") && !decisions.insert(key.clone()) {
                continue;
            }
            let value: Value = serde_yaml::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
            let rewritten = serde_yaml::to_string(&value).unwrap();
            builder = builder.file(&key, &file, rewritten);
        }
    }
    let rewritten = builder.build().unwrap_or_else(|e| panic!("{e}"));
    let mut g = SheetGenerator::new(11);
    for form in original.forms() {
        let other = rewritten
            .forms_of(form.decision().key())
            .iter()
            .find(|f| f.set() == form.set() && f.in_force_from() == form.in_force_from())
            .unwrap();
        for _ in 0..50 {
            let sheet = g.sheet(form);
            let mut copy = other.sheet();
            for c in form.leaves() {
                let keys = sheet.keys(c.id());
                if keys.is_empty() {
                    copy.set(c.id(), "none").unwrap();
                }
                for k in keys {
                    copy.set(c.id(), k).unwrap();
                }
            }
            let (a, b) = (form.score(&sheet).unwrap(), other.score(&copy).unwrap());
            let strip = |mut v: serde_json::Value| {
                v.as_object_mut().unwrap().remove("ruleset");
                v
            };
            assert_eq!(strip(render::outcome_json(&a)), strip(render::outcome_json(&b)));
        }
    }
}
