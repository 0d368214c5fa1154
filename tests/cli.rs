//! The `ocop` command line: exit codes, JSON shape, check, test, list and bulk (order, bad rows,
//! empty input, mixed sets, strict mode).

#[path = "common/cli.rs"]
mod cli;

use std::process::{Command, Output, Stdio};

fn ocop(args: &[&str], stdin: Option<&str>) -> Output {
    cli::ocop_in(None, args, stdin)
}

const FIXTURE: [&str; 3] = ["--rules", "tests/fixtures/future", "--with-shipped"];

fn with_fixture<'a>(args: &[&'a str]) -> Vec<&'a str> {
    let mut all: Vec<&str> = FIXTURE.to_vec();
    all.extend_from_slice(args);
    all
}

fn temp(name: &str, text: &str) -> String {
    let dir = std::env::temp_dir().join(format!("ocop-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

const SHEET: &str = "decision: 99-2030\nset: \"01\"\nanswers: {\"1.1\": c, \"1.2\": c, \"1.3\": \"yes\", \"2\": b, \"3.1\": b, \"3.2\": b, \"3.3.1\": b, \"3.3.2\": b, \"4\": [a]}\n";

#[test]
fn score_json_has_the_promised_fields() {
    let file = temp("one.yaml", SHEET);
    let out = ocop(&with_fixture(&["score", &file, "--format", "json"]), None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // 50 + 30 + 5 = 85: band 5, every minimum met.
    assert_eq!(v["total"], "85");
    assert_eq!(v["parts"]["A"], "50");
    assert_eq!(v["band_stars"], 5);
    assert_eq!(v["stars"], 5);
    assert_eq!(v["disqualified"], serde_json::Value::Null);
    assert_eq!(v["limited_by"], serde_json::json!([]));
    assert_eq!(v["ruleset"]["decision"], "99-2030");
    assert_eq!(v["ruleset"]["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(v["trace"].as_array().unwrap().len(), 9);
    assert_eq!(v["award"]["level"], "central");
}

#[test]
fn exit_codes() {
    let bad = temp("bad.yaml", &SHEET.replace("\"1.1\": c", "\"1.1\": z"));
    let out = ocop(&with_fixture(&["score", &bad]), None);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("error[invalid-answer]") && err.contains(":3:"), "{err}");
    assert_eq!(ocop(&["score"], None).status.code(), Some(2));
    assert_eq!(ocop(&["frobnicate"], None).status.code(), Some(2));
    assert_eq!(ocop(&["score", "/no/such/file.yaml"], None).status.code(), Some(1));
}

#[test]
fn check_reports_and_fails_on_errors() {
    let dir = std::env::temp_dir().join(format!("ocop-check-{}", std::process::id())).join("99-2030");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("decision.yaml"), include_str!("fixtures/future/99-2030/decision.yaml")).unwrap();
    std::fs::write(
        dir.join("01.yaml"),
        include_str!("fixtures/future/99-2030/01-thu-nghiem.yaml").replacen(
            "title_vi: Nguồn gốc",
            "titel_vi: Nguồn gốc",
            1,
        ),
    )
    .unwrap();
    let out = ocop(&["check", &dir.to_string_lossy()], None);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("did you mean `title_vi`?"), "{text}");
    // The fixture supersedes 26-2026: it is checked beside the shipped rules (ruling 12).
    let out = ocop(&["--with-shipped", "check", "tests/fixtures/future"], None);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let out = ocop(&["--with-shipped", "check", "tests/fixtures/future", "--deny-warnings"], None);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn list_shows_every_decision() {
    let out = ocop(&with_fixture(&["list"]), None);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("99-2030") && text.contains("26-2026") && text.contains("1048-2019"), "{text}");
    // Per decision: its dates, and the totals of its forms (the fixture has two forms, 1048 has
    // 27 with the original tourism form).
    assert!(text.contains("in force 2019-08-21 .. 2023-02-23"), "{text}");
    assert!(text.contains("  27 forms: "), "{text}");
    assert!(text.contains("  2 forms: "), "{text}");
    assert!(text.contains("[2019-08-21..2020-06-07]"), "{text}");
}

#[test]
fn bulk_keeps_order_mixes_sets_and_counts_bad_rows() {
    // Row 2: set 01 = 85 (as SHEET). Row 3: set 02: 1.1 b 50 + 2.1 b 30 + 3.1 yes 20 = 100.
    // Row 4: an unknown option. Row 5: set 01 with 3.1 = a: 85 - 10 - 10 = 65.
    // Set 02 has its own column 2.1 and shares the column 3.1 with set 01.
    let csv = "id,decision,set,1.1,1.2,1.3,2,3.1,3.2,3.3.1,3.3.2,4,2.1\n\
               r1,99-2030,01,c,c,yes,b,b,b,b,b,a,\n\
               r2,99-2030,02,b,,,,yes,,,,,b\n\
               r3,99-2030,01,q,c,yes,b,b,b,b,b,a,\n\
               r4,99-2030,01,c,c,yes,b,a,b,b,b,a,\n";
    let input = temp("mixed.csv", csv);
    let out = ocop(&with_fixture(&["bulk", &input]), None);
    assert_eq!(out.status.code(), Some(1), "rejected rows make the exit code 1");
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "id,total,A,B,C,band_stars,stars,limited_by,disqualified");
    assert_eq!(lines[1], "r1,85,50,30,5,5,5,,");
    assert_eq!(lines[2], "r2,100,50,30,20,5,5,,");
    assert_eq!(lines[3], "r4,65,50,10,5,3,3,,");
    assert_eq!(lines.len(), 4);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("row 4: column 1.1: criterion 1.1 has no option `q`"), "{err}");
    assert!(err.contains("3 rows scored, 1 rejected"), "{err}");
    // Strict: stops at row 4, having written the rows before it.
    let out = ocop(&with_fixture(&["bulk", &input, "--strict"]), None);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 3);
    assert!(String::from_utf8_lossy(&out.stderr).contains("--strict"));
}

#[test]
fn bulk_empty_input_and_stdin_and_jsonl() {
    let out = ocop(&with_fixture(&["bulk", "-"]), Some("id,decision,set,1.1\n"));
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
    assert!(String::from_utf8_lossy(&out.stderr).contains("0 rows scored, 0 rejected"));
    let out = ocop(&with_fixture(&["bulk", "-"]), Some(""));
    assert_eq!(out.status.code(), Some(1));
    let jsonl = format!(
        "{}\n{}\n",
        serde_json::json!({"id": "j1", "decision": "99-2030", "set": "02", "answers": {"1.1": "a", "2.1": "a", "3.1": "no"}}),
        serde_json::json!({"id": "j2", "decision": "99-2030", "set": "02", "answers": {"1.1": "b"}}),
    );
    let input = temp("in.jsonl", &jsonl);
    let out = ocop(&with_fixture(&["bulk", &input, "--format", "jsonl"]), None);
    let text = String::from_utf8_lossy(&out.stdout);
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    // 1.1 a 10 + 2.1 a 0 + 3.1 no 0 = 10: 1 star.
    assert_eq!(
        (first["id"].as_str(), first["total"].as_str(), first["stars"].as_u64()),
        (Some("j1"), Some("10"), Some(1))
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("row 2:"));
}

/// `ocop generate | head -1`: the reader closes the pipe early; the program must stop quietly with
/// success, not panic on the failed write. 200k rows are far more than a pipe buffer holds.
#[test]
fn a_closed_output_pipe_ends_quietly() {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(env!("CARGO_BIN_EXE_ocop"))
        .args(["generate", "--rows", "200000"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    assert!(first.starts_with("id,decision,set,"), "{first}");
    // The reader is dropped here, closing the pipe while the program is still writing.
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "status {:?}, stderr: {stderr}", out.status);
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// A `lodged_on` column picks the form version and the minimums in force: the 781 minimums
/// hold a 1048 set-17 product at 2 stars from 2020-06-08, not the day before; 1048 set 26 has
/// two versions and needs the date; a bad date is a bad row.
#[test]
fn bulk_reads_a_lodged_on_column() {
    let case: serde_yaml::Value = serde_yaml::from_str(
        &std::fs::read_to_string("rules/1048-2019/cases/17-held-by-minimum.yaml").unwrap(),
    )
    .unwrap();
    let answers = case["assessment"]["answers"].as_mapping().unwrap();
    let ids: Vec<&str> = answers.keys().map(|k| k.as_str().unwrap()).collect();
    let keys: Vec<&str> = answers.values().map(|v| v.as_str().unwrap()).collect();
    let row = |id: &str, date: &str| format!("{id},1048-2019,17,{date},{}\n", keys.join(","));
    let csv = format!(
        "id,decision,set,lodged_on,{}\n{}{}{}{}x,1048-2019,26,,\n",
        ids.join(","),
        row("before", "2020-06-07"),
        row("from", "2020-06-08"),
        row("undated", ""),
        row("bad", "2020-13-01"),
    );
    let out = ocop(&["bulk", "-"], Some(&csv));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stdout.lines().collect();
    // total 76, band 4 (hand-worked in the case file); the class depends on the date.
    assert_eq!(lines[1], "before,76,30,18,28,4,4,,", "{stdout}");
    assert_eq!(lines[2], "from,76,30,18,28,4,2,8.1,", "{stdout}");
    assert_eq!(lines[3], "undated,76,30,18,28,4,2,8.1,", "{stdout}");
    assert_eq!(lines.len(), 4, "{stdout}");
    assert!(stderr.contains("row 5: column lodged_on: `2020-13-01` is not a date"), "{stderr}");
    assert!(stderr.contains("row 6: set 26 of 1048-2019 has 2 versions"), "{stderr}");
    assert!(stderr.contains("3 rows scored, 2 rejected"), "{stderr}");
}

/// Ruling 12 in bulk as in `score`: a row naming a decision that its lodging date does not
/// give is a bad row (a 26-2026 row lodged in 2019, a 148-2023 row lodged after 2026-05-22).
#[test]
fn bulk_checks_a_named_decision_against_the_lodging_date() {
    let csv = "id,decision,set,lodged_on,1.1\n\
               early,26-2026,01,2019-09-01,a\n\
               late,148-2023,01,2026-06-01,a\n";
    let out = ocop(&["bulk", "-"], Some(csv));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("row 2: decision 26-2026 does not apply to a dossier lodged on 2019-09-01")
            && stderr.contains("decision 1048-2019"),
        "{stderr}"
    );
    assert!(
        stderr.contains("row 3: decision 148-2023 does not apply to a dossier lodged on 2026-06-01"),
        "{stderr}"
    );
    assert!(stderr.contains("0 rows scored, 2 rejected"), "{stderr}");
}
