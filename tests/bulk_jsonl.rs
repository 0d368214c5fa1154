//! JSON Lines in, CSV out: once the ordinary reader has scored a line of a (decision, set,
//! lodged_on), later lines with the same three texts and only `product` and `answers` besides
//! are read straight into that form's sheet. Every line must still come out as the ordinary
//! reader (`Assessment::from_text` + `Catalog::score`) scores it on its own: the same id, total,
//! parts, class, or a refusal.
//!
//! The lines are random sheets of every shipped form, each written several times (so that most
//! take the fast way), with the things a line may hold that the fast way must leave to the
//! ordinary reader: escapes, an unknown field, `facts`, `evaluated_on`, `members`, a product that
//! is a number or null, `true`/`false` answers, lists, a wrong key, a missing criterion, a bad
//! date, a duplicate field, spaces and pretty printing.

use ocop_rating::bulk::{self, InputFormat};
use ocop_rating::generate::{SheetGenerator, lodging_window};
use ocop_rating::{Assessment, Catalog, CriterionKind, Form};
use serde_json::{Value, json};

/// A random line of `form` as a JSON value.
fn line(g: &mut SheetGenerator, form: &Form, n: usize) -> Value {
    let keys = g.keys(form);
    let answers: serde_json::Map<String, Value> = form
        .leaves()
        .zip(&keys)
        .map(|(c, k)| {
            let value = if c.kind() == CriterionKind::Cumulative && k != "none" {
                k.split('+').map(Value::from).collect()
            } else {
                Value::from(k.as_str())
            };
            (c.id().to_string(), value)
        })
        .collect();
    let mut v = json!({"product": format!("p{n}"), "decision": form.decision().key(), "set": form.set(), "answers": answers});
    if form.decision().key() != "26-2026"
        && let Some((first, last)) = lodging_window(form)
    {
        v["lodged_on"] = g.day_between(first, last).to_string().into();
    }
    v
}

/// The line as text, perhaps changed in a way the fast reader must leave to the ordinary one.
fn text(g: &mut SheetGenerator, mut v: Value, form: &Form) -> String {
    let first = form.leaves().next().map(|c| c.id().to_string()).unwrap_or_default();
    match g.below(20) {
        0 => v["product"] = "p\"q".into(),
        1 => v["product"] = 17.into(),
        2 => v["product"] = Value::Null,
        3 => v["note"] = "x".into(),
        4 => v["facts"] = json!({"falsified_dossier": g.below(2) == 1}),
        5 => v["evaluated_on"] = "2026-09-01".into(),
        6 => v["answers"][&first] = "zz".into(),
        7 => {
            v["answers"].as_object_mut().unwrap().remove(&first);
        }
        8 => v["lodged_on"] = "2026-02-30".into(),
        9 => v["answers"][&first] = " none ".into(),
        10 => return serde_json::to_string_pretty(&v).unwrap().replace('\n', " "),
        11 => {
            let t = v.to_string();
            return t.replacen("{", "{\"set\":\"01\",", 1);
        }
        12 => v["product"] = "\u{1F33F} Rau".into(),
        13 => v["decision"] = "26/2026/QĐ-TTg".into(),
        14 => {
            v["members"] = json!([{"name": "a", "answers": v["answers"].clone()}]);
            v.as_object_mut().unwrap().remove("answers");
        }
        _ => {}
    }
    v.to_string()
}

/// What the ordinary reader gives a line alone: `id,total,A,B,C,band,stars`, or None.
fn ordinary(catalog: &Catalog, text: &str) -> Option<String> {
    let a = Assessment::from_text("line.json", text).ok()?;
    let scored = catalog.score(&a).ok()?;
    let o = scored.outcome();
    let parts: Vec<String> = o.parts().map(|(_, m)| m.to_decimal().normalize().to_string()).collect();
    if scored.sheets().len() != 1 || o.parts().map(|p| p.0).collect::<Vec<_>>() != ["A", "B", "C"] {
        return None;
    }
    let stars = o.stars().map_or(String::new(), |s| s.to_string());
    Some(format!(
        "{},{},{},{},{stars}",
        a.product().unwrap_or(""),
        o.total(),
        parts.join(","),
        o.band_stars()
    ))
}

#[test]
fn lines_read_the_fast_way_score_as_the_ordinary_reader_scores_them() {
    let catalog = Catalog::embedded().unwrap();
    let mut g = SheetGenerator::new(16);
    let mut input = String::new();
    let mut expected = Vec::new();
    for form in catalog.forms() {
        for n in 0..24 {
            let v = line(&mut g, form, n);
            // Each line three times: the first teaches the form, the others may take the fast way.
            for _ in 0..3 {
                let t = text(&mut g, v.clone(), form);
                expected.push(ordinary(&catalog, &t));
                input.push_str(&t);
                input.push('\n');
            }
        }
    }
    let options = bulk::Options::new("lines.jsonl", InputFormat::Jsonl);
    let (mut out, mut bad) = (Vec::new(), Vec::new());
    let summary = bulk::run(&catalog, input.as_bytes(), &mut out, &options, &mut bad).unwrap();
    let mut reader = csv::Reader::from_reader(out.as_slice());
    let mut rows = reader.records().map(|r| r.unwrap());
    let mut counts = (0, 0);
    for (i, want) in expected.iter().enumerate() {
        let refused = bad.iter().find(|(row, _)| *row == i as u64 + 1);
        match want {
            Some(want) => {
                assert!(refused.is_none(), "line {}: refused: {refused:?}", i + 1);
                // id,total,A,B,C,band_stars,stars,limited_by,disqualified
                let row = rows.next().unwrap();
                let got = (0..7).map(|i| &row[i]).collect::<Vec<_>>().join(",");
                assert_eq!(&got, want, "line {}", i + 1);
                counts.0 += 1;
            }
            None => {
                assert!(refused.is_some(), "line {}: scored, but the ordinary reader refuses it", i + 1);
                counts.1 += 1;
            }
        }
    }
    assert_eq!((summary.scored, summary.rejected), (counts.0 as u64, counts.1 as u64));
    assert!(counts.0 > 3000 && counts.1 > 500, "{counts:?}");
}
