//! The JSON Schemas in `schema/` are the ones the library generates, and every shipped file
//! validates against its schema: rule files, decision files, examples, regression cases, and a
//! Report of each regression case.
//!
//! After changing a format, regenerate with `OCOP_WRITE_SCHEMAS=1 cargo test --test schema`.

use ocop_rating::report::ReportOptions;
use ocop_rating::{Assessment, Catalog, schema};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn schema_file(name: &str) -> PathBuf {
    root().join("schema").join(format!("{name}.schema.json"))
}

fn pretty(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_else(|e| panic!("{e}"));
    text.push('\n');
    text
}

#[test]
fn the_schema_files_are_up_to_date() {
    let write = std::env::var_os("OCOP_WRITE_SCHEMAS").is_some();
    let mut stale = Vec::new();
    for (name, value) in schema::all() {
        let path = schema_file(name);
        let want = pretty(&value);
        if write {
            std::fs::create_dir_all(path.parent().unwrap_or(Path::new(".")))
                .unwrap_or_else(|e| panic!("{e}"));
            std::fs::write(&path, &want).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        if have != want {
            stale.push(path.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "stale schemas: {stale:?}; regenerate with `OCOP_WRITE_SCHEMAS=1 cargo test --test schema`"
    );
}

fn validator(name: &str) -> jsonschema::Validator {
    let value: Value = serde_json::from_str(&pretty(
        &schema::all().into_iter().find(|(n, _)| *n == name).unwrap_or_else(|| panic!("no schema {name}")).1,
    ))
    .unwrap_or_else(|e| panic!("{e}"));
    jsonschema::validator_for(&value).unwrap_or_else(|e| panic!("schema {name} is not a valid schema: {e}"))
}

/// A YAML file as JSON (YAML dates are read as text; that is what the formats say).
fn yaml_as_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let yaml: serde_yaml::Value =
        serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::to_value(yaml).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn check(validator: &jsonschema::Validator, what: &str, value: &Value, failures: &mut Vec<String>) {
    let errors: Vec<String> =
        validator.iter_errors(value).take(5).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    if !errors.is_empty() {
        failures.push(format!("{what}: {}", errors.join("; ")));
    }
}

fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    out.sort();
    out
}

fn decision_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root().join("rules"))
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn every_rule_file_and_decision_file_validates() {
    let (rule, decision) = (validator("rule-file"), validator("decision"));
    let mut failures = Vec::new();
    let mut count = 0;
    for dir in decision_dirs().into_iter().chain([root().join("tests/fixtures/future/99-2030")]) {
        for file in yaml_files(&dir) {
            let is_decision = file.file_name().is_some_and(|n| n == "decision.yaml");
            let v = if is_decision { &decision } else { &rule };
            check(v, &file.display().to_string(), &yaml_as_json(&file), &mut failures);
            count += 1;
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {count} files fail their schema:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(count >= 83, "checked only {count} files");
}

#[test]
fn every_example_and_regression_case_validates_and_its_report_too() {
    let (assessment, report) = (validator("assessment"), validator("report"));
    let catalog = Catalog::embedded().unwrap_or_else(|e| panic!("{e}"));
    let mut failures = Vec::new();
    let mut count = 0;
    let mut files = yaml_files(&root().join("examples"));
    for dir in decision_dirs() {
        files.extend(yaml_files(&dir.join("cases")));
    }
    for file in files {
        let value = yaml_as_json(&file);
        let is_case = value.get("expect").is_some();
        let body = if is_case { value.get("assessment").cloned().unwrap_or(Value::Null) } else { value };
        check(&assessment, &file.display().to_string(), &body, &mut failures);
        let text = serde_json::to_string(&body).unwrap_or_default();
        if let Ok(a) = Assessment::from_text(&file.display().to_string(), &text)
            && let Ok(r) = catalog.report(&a, ReportOptions { trace: true })
        {
            let json = serde_json::to_value(&r).unwrap_or_else(|e| panic!("{e}"));
            check(&report, &format!("report of {}", file.display()), &json, &mut failures);
        }
        count += 1;
    }
    assert!(failures.is_empty(), "{} of {count} fail their schema:\n{}", failures.len(), failures.join("\n"));
    assert!(count >= 400, "checked only {count} assessments");
}

#[test]
fn the_schema_catches_a_misspelt_field_and_a_wrong_type() {
    let v = validator("assessment");
    let good =
        serde_json::json!({"decision": "26-2026", "set": "01", "answers": {"1.1": "c", "7": ["a", "c"]}});
    assert!(v.is_valid(&good));
    assert!(!v.is_valid(&serde_json::json!({"decision": "26-2026", "set": "01", "answer": {"1.1": "c"}})));
    assert!(!v.is_valid(&serde_json::json!({"decision": "26-2026", "set": "01", "answers": {"1.1": 3}})));
    let rule = validator("rule-file");
    let form = yaml_as_json(&root().join("rules/26-2026/01-rau-cu-qua-hat-tuoi.yaml"));
    let mut broken = form.clone();
    broken["parts"]["A"]["sections"]["1"]["criteria"]["1.1"]["stops_section"] = serde_json::json!({});
    assert!(rule.is_valid(&form));
    assert!(!rule.is_valid(&broken), "the old stops_section key must be refused");
}
