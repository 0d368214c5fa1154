//! The JSON Schemas in `schema/` are the ones the library generates, and every shipped file
//! validates against its schema: rule files, decision files, examples, regression cases, a
//! Report of each regression case, and the examples in `docs/`. Every rule file, decision file
//! and case names its schema on its first line, for editors (docs/rule-dsl.md, "Editor support").
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
    let (assessment, case, report) = (validator("assessment"), validator("case"), validator("report"));
    let catalog = Catalog::embedded().unwrap_or_else(|e| panic!("{e}"));
    let mut failures = Vec::new();
    let mut count = 0;
    let mut files = yaml_files(&root().join("examples"));
    for dir in decision_dirs().into_iter().chain([root().join("tests/fixtures/future/99-2030")]) {
        files.extend(yaml_files(&dir.join("cases")));
    }
    for file in files {
        let value = yaml_as_json(&file);
        let is_case = file.parent().is_some_and(|d| d.ends_with("cases"));
        if is_case {
            check(&case, &file.display().to_string(), &value, &mut failures);
        }
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
    assert!(count >= 472, "checked only {count} assessments");
}

/// Every rule file, decision file and regression case: `rules/<decision>/*.yaml`,
/// `rules/<decision>/cases/*.yaml` and the made-up decision under `tests/fixtures/future/`.
/// Crosswalks (`rules/<decision>/crosswalk/`) have no schema and are not listed.
fn files_with_a_schema() -> Vec<(PathBuf, &'static str)> {
    let mut out = Vec::new();
    let mut dirs = decision_dirs();
    dirs.push(root().join("tests/fixtures/future/99-2030"));
    for dir in dirs {
        for file in yaml_files(&dir) {
            let is_decision = file.file_name().is_some_and(|n| n == "decision.yaml");
            out.push((file, if is_decision { "decision" } else { "rule-file" }));
        }
        let cases = dir.join("cases");
        if cases.is_dir() {
            out.extend(yaml_files(&cases).into_iter().map(|f| (f, "case")));
        }
    }
    out
}

#[test]
fn every_rule_file_and_case_names_its_schema_on_its_first_line() {
    const HEAD: &str = "# yaml-language-server: $schema=";
    let mut failures = Vec::new();
    let files = files_with_a_schema();
    for (file, kind) in &files {
        let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let first = text.lines().next().unwrap_or_default();
        let Some(named) = first.strip_prefix(HEAD) else {
            failures.push(format!("{}: the first line is not `{HEAD}…`: {first:?}", file.display()));
            continue;
        };
        let dir = file.parent().unwrap_or(Path::new("."));
        let want = schema_file(kind);
        let same = std::fs::canonicalize(dir.join(named))
            .ok()
            .zip(std::fs::canonicalize(&want).ok())
            .is_some_and(|(have, want)| have == want);
        if !same || named.contains('\\') || Path::new(named).is_absolute() {
            failures.push(format!(
                "{}: names {named}, not the relative path of {}",
                file.display(),
                want.strip_prefix(root()).unwrap_or(&want).display()
            ));
        }
    }
    assert!(failures.is_empty(), "{} of {} files:\n{}", failures.len(), files.len(), failures.join("\n"));
    let count = |k: &str| files.iter().filter(|(_, kind)| *kind == k).count();
    // At least: 3 shipped decisions and the made-up one; 79 shipped forms and 2 made-up ones;
    // 469 shipped cases and 3 made-up ones (a walk that misses a folder fails here).
    let counts = (count("decision"), count("rule-file"), count("case"));
    assert!(counts.0 >= 4 && counts.1 >= 81 && counts.2 >= 472, "checked only {counts:?}");
}

/// A fenced block of a Markdown file: the line of its opening fence, its language and its text.
fn fenced_blocks(path: &Path) -> Vec<(usize, String, String)> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = Vec::new();
    let mut open: Option<(usize, String, String)> = None;
    for (i, line) in text.lines().enumerate() {
        match (&mut open, line.strip_prefix("```")) {
            (None, Some(lang)) => open = Some((i + 1, lang.trim().to_string(), String::new())),
            (Some(_), Some(_)) => out.extend(open.take()),
            (Some((_, _, body)), None) => {
                body.push_str(line);
                body.push('\n');
            }
            (None, None) => {}
        }
    }
    out
}

/// Drops the `…` placeholders of an example (`{"1.1": c, …}`, `[a, …]`), which stand for more of
/// the same.
fn without_ellipses(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter().filter(|(k, _)| k != "…").map(|(k, v)| (k, without_ellipses(v))).collect(),
        ),
        Value::Array(items) => Value::Array(
            items.into_iter().filter(|v| v.as_str() != Some("…")).map(without_ellipses).collect(),
        ),
        other => other,
    }
}

/// A validator for one definition (`$defs`) of a schema: for fragments such as a condition.
fn definition_validator(name: &str, definition: &str) -> jsonschema::Validator {
    let mut value = schema::all().into_iter().find(|(n, _)| *n == name).unwrap_or_else(|| panic!("{name}")).1;
    assert!(value["$defs"].get(definition).is_some(), "schema {name} has no definition {definition}");
    value["$ref"] = Value::String(format!("#/$defs/{definition}"));
    for key in ["properties", "required", "additionalProperties", "type", "title", "description"] {
        if let Some(map) = value.as_object_mut() {
            map.remove(key);
        }
    }
    jsonschema::validator_for(&value).unwrap_or_else(|e| panic!("{name}/{definition}: {e}"))
}

/// Every YAML and JSON example in `docs/*.md` validates against its schema. Whole documents
/// (an assessment, a case, a decision file, a form file) are checked as they are; a fragment
/// (a council's `members`, a decision file's `award:` and `council:`, a form's `minimums:`) is
/// checked in place, set into the whole example of its document; anomalies and conditions against
/// their definitions. A block that is none of these fails the test, so that a new example is
/// not skipped unseen: crosswalks (docs/diff.md), which have no schema, are the only exception.
#[test]
fn every_example_in_the_docs_validates() {
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    let mut blocks = Vec::new();
    for doc in &docs {
        for (line, lang, text) in fenced_blocks(doc) {
            if matches!(lang.as_str(), "yaml" | "yml" | "json") {
                let name = doc.strip_prefix(root()).unwrap_or(doc).display().to_string();
                blocks.push((format!("{name}:{line}"), text));
            }
        }
    }
    let parse = |text: &str| -> Option<Value> {
        let yaml: serde_yaml::Value = serde_yaml::from_str(text).ok()?;
        serde_json::to_value(yaml).ok().map(without_ellipses)
    };
    // The whole examples, which fragments are set into.
    let whole = |key: &str, with: &str| -> Value {
        blocks
            .iter()
            .filter_map(|(_, text)| parse(text))
            .find(|v| v.get(key).is_some() && v.get(with).is_some())
            .unwrap_or_else(|| panic!("no whole example with `{key}` and `{with}` in docs/"))
    };
    let (assessment_doc, decision_doc, form_doc) =
        (whole("set", "answers"), whole("decision", "total_max"), whole("form", "parts"));
    let validators = ["assessment", "case", "decision", "rule-file"].map(validator);
    let [assessment, case, decision, rule] = &validators;
    let (condition, anomaly) =
        (definition_validator("rule-file", "Condition"), definition_validator("rule-file", "AnomalyDoc"));
    let set_into = |base: &Value, fragment: &Value, drop: &[&str]| {
        let mut out = base.clone();
        if let (Some(out), Some(fragment)) = (out.as_object_mut(), fragment.as_object()) {
            for key in drop {
                out.remove(*key);
            }
            out.extend(fragment.clone());
        }
        out
    };
    let mut failures = Vec::new();
    let mut checked = Vec::new();
    for (at, text) in &blocks {
        let Some(value) = parse(text) else {
            // Not one YAML document: the list of condition forms, one per line.
            if text.contains("{fact:") {
                for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.contains("COND")) {
                    let form = line.split(" #").next().unwrap_or_default();
                    match parse(form) {
                        Some(v) => check(
                            &condition,
                            &format!("{at} (line {} of the block)", i + 1),
                            &v,
                            &mut failures,
                        ),
                        None => failures.push(format!("{at}: line {} is not YAML: {line}", i + 1)),
                    }
                }
                checked.push(format!("{at} conditions"));
            } else {
                failures.push(format!("{at}: not YAML and not a known fragment"));
            }
            continue;
        };
        let has = |key: &str| value.get(key).is_some();
        let keys: Vec<&str> =
            value.as_object().map(|m| m.keys().map(String::as_str).collect()).unwrap_or_default();
        let what = if value.is_null() {
            "comments only" // the editor-support header
        } else if has("expect") {
            check(case, at, &value, &mut failures);
            "case"
        } else if has("form") {
            check(rule, at, &value, &mut failures);
            "rule file"
        } else if has("total_max") {
            check(decision, at, &value, &mut failures);
            "decision file"
        } else if has("set") {
            check(assessment, at, &value, &mut failures);
            "assessment"
        } else if has("crosswalk") {
            "crosswalk (no schema)"
        } else if has("members") && keys.iter().all(|k| ["members", "council_size"].contains(k)) {
            check(assessment, at, &set_into(&assessment_doc, &value, &["answers"]), &mut failures);
            "council fragment"
        } else if keys.iter().all(|k| ["award", "council", "transition", "facts", "knockouts"].contains(k)) {
            check(decision, at, &set_into(&decision_doc, &value, &[]), &mut failures);
            "decision fragment"
        } else if keys == ["minimums"] {
            check(rule, at, &set_into(&form_doc, &value, &[]), &mut failures);
            "form fragment"
        } else if keys == ["anomalies"] {
            for (i, item) in value["anomalies"].as_array().into_iter().flatten().enumerate() {
                check(&anomaly, &format!("{at} anomaly {i}"), item, &mut failures);
            }
            "anomalies"
        } else {
            failures.push(format!("{at}: an example of no known kind (keys {keys:?})"));
            continue;
        };
        checked.push(format!("{at} {what}"));
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}\nchecked: {checked:#?}",
        failures.len(),
        failures.join("\n")
    );
    for kind in
        ["assessment", "case", "decision file", "rule file", "council fragment", "conditions", "anomalies"]
    {
        assert!(checked.iter().any(|c| c.ends_with(kind)), "no {kind} example checked: {checked:#?}");
    }
}

#[test]
fn the_case_schema_refuses_a_case_without_stars_and_an_unknown_expectation() {
    let case = validator("case");
    let good = serde_json::json!({
        "name": "n",
        "assessment": {"decision": "26-2026", "set": "01", "answers": {"1.1": "c"}},
        "expect": {"total": 55, "stars": null, "disqualified": "falsified_dossier", "limited_by": []}
    });
    assert!(case.is_valid(&good));
    let mut no_stars = good.clone();
    no_stars["expect"].as_object_mut().map(|e| e.remove("stars"));
    assert!(!case.is_valid(&no_stars), "`stars` is required (null when disqualified)");
    let mut misspelt = good.clone();
    misspelt["expect"]["limited"] = serde_json::json!([]);
    assert!(!case.is_valid(&misspelt));
    let mut six = good;
    six["expect"]["stars"] = serde_json::json!(6);
    assert!(!case.is_valid(&six));
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
    // What docs/rule-dsl.md ("Editor support") says an editor marks.
    let criterion = &form["parts"]["A"]["sections"]["1"]["criteria"]["1.1"];
    let mut as_list = form.clone();
    as_list["parts"]["A"]["sections"]["1"]["criteria"]["1.1"]["options"] = Value::Array(
        criterion["options"].as_object().into_iter().flat_map(|m| m.values().cloned()).collect(),
    );
    assert!(!rule.is_valid(&as_list), "options written as a list");
    let mut negative = form.clone();
    negative["parts"]["A"]["sections"]["1"]["criteria"]["1.1"]["options"]["a"]["points"] =
        serde_json::json!(-1);
    assert!(!rule.is_valid(&negative), "negative points");
    let mut unnamed = form;
    unnamed["parts"]["A"]["sections"]["1"]["criteria"]["1.1"].as_object_mut().map(|c| c.remove("name_en"));
    assert!(!rule.is_valid(&unnamed), "a criterion without name_en");
    let mut yes = good;
    yes["re_evaluation"] = serde_json::json!("yes");
    assert!(!v.is_valid(&yes), "re_evaluation as text");
}
