//! JSON Lines output of `ocop bulk`: a single sheet and a council in one input file give
//! records of one shape (issue 13), so a consumer reads every line with one type.

use ocop_rating::Catalog;
use ocop_rating::bulk::{self, InputFormat, Options, OutFormat};

#[test]
fn single_sheets_and_councils_give_records_of_one_shape() {
    let catalog = Catalog::embedded().unwrap_or_else(|e| panic!("{e}"));
    let example =
        std::fs::read_to_string("examples/26-2026-01-rau-cai.yaml").unwrap_or_else(|e| panic!("{e}"));
    let value: serde_json::Value = serde_yaml::from_str(&example).unwrap_or_else(|e| panic!("{e}"));
    let answers = value["answers"].clone();
    let single =
        serde_json::json!({"decision": "26-2026", "set": "01", "product": "single", "answers": answers});
    let council = serde_json::json!({"decision": "26-2026", "set": "01", "product": "council",
        "members": [{"name": "A", "answers": answers}, {"name": "B", "answers": answers}]});
    let input = format!("{single}\n{council}\n");
    let opts = Options { format: OutFormat::Jsonl, ..Options::new("mixed.jsonl", InputFormat::Jsonl) };
    let mut out = Vec::new();
    let mut events: Vec<(u64, String)> = Vec::new();
    bulk::run(&catalog, input.as_bytes(), &mut out, &opts, &mut events).unwrap_or_else(|e| panic!("{e}"));
    assert!(events.is_empty(), "{events:?}");
    let records: Vec<serde_json::Value> = String::from_utf8_lossy(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}")))
        .collect();
    assert_eq!(records.len(), 2);
    let keys = |v: &serde_json::Value| -> Vec<String> {
        let mut k: Vec<String> = v.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default();
        k.sort();
        k
    };
    assert_eq!(keys(&records[0]), keys(&records[1]));
    assert!(records[0]["council"].is_null());
    assert_eq!(records[1]["council"]["members"].as_array().map(Vec::len), Some(2));
    // The README's example: 61 points, 3★, the same for one sheet and two identical ones.
    for r in &records {
        assert_eq!((r["total"].as_str(), r["stars"].as_u64()), (Some("61"), Some(3)), "{r}");
    }
}
