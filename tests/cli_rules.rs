//! Every `ocop` command loads its rules by one rule (README, "The command-line tool"): without
//! `--rules` the shipped rules; `--rules X` only X; `--rules X --with-shipped` X and the shipped
//! rules; a `--rules` folder that does not exist or holds nothing is a usage error (exit code 2).
//! One test per command, plus `ocop generate`'s promise that `ocop bulk --strict` accepts every
//! row it writes.
//!
//! "Only X" uses a copy of the shipped 1048-2019 folder (cases included) in a temporary folder:
//! the made-up decision 99-2030 (tests/fixtures/future) supersedes 26-2026, so it loads only
//! beside the shipped rules and serves for `--with-shipped`.

#[path = "common/cli.rs"]
mod cli;

use cli::ocop_in;
use std::path::{Path, PathBuf};
use std::process::Output;

fn ocop(args: &[&str]) -> Output {
    ocop_in(None, args, None)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Both streams, for assertion messages.
fn both(o: &Output) -> String {
    format!("status {:?}\n--- stdout\n{}--- stderr\n{}", o.status.code(), stdout(o), stderr(o))
}

const FUTURE: &str = "tests/fixtures/future";

/// `--rules tests/fixtures/future --with-shipped` followed by `args`.
fn with_future<'a>(args: &[&'a str]) -> Vec<&'a str> {
    let mut all = vec!["--rules", FUTURE, "--with-shipped"];
    all.extend_from_slice(args);
    all
}

/// A fresh temporary folder for one test.
fn folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ocop-cli-rules-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A folder holding a copy of the shipped `rules/1048-2019` (forms and cases): "only X".
fn only_1048(name: &str) -> String {
    let root = folder(&format!("only-1048-{name}"));
    copy_dir(Path::new("rules/1048-2019"), &root.join("1048-2019"));
    root.to_string_lossy().into_owned()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

/// Set 02 of the made-up 99-2030 (tests/fixtures/future/99-2030/02-nho.yaml), answered low:
/// 1.1 a 10 + 2.1 a 0 + 3.1 no 0 = 10 (A 10, B 0, C 0): band 1.
const LOW_02: &str =
    r#"{"decision": "99-2030", "set": "02", "answers": {"1.1": "a", "2.1": "a", "3.1": "no"}}"#;
/// The same set at the top: 1.1 b 50 + 2.1 b 30 + 3.1 yes 20 = 100 (A 50, B 30, C 20).
const TOP_02: &str =
    r#"{"decision": "99-2030", "set": "02", "answers": {"1.1": "b", "2.1": "b", "3.1": "yes"}}"#;

#[test]
fn a_missing_or_empty_rules_folder_is_a_usage_error_in_every_command() {
    let dir = folder("usage");
    let empty = dir.join("empty");
    std::fs::create_dir_all(empty.join("nothing-here")).unwrap();
    let empty = empty.to_string_lossy().into_owned();
    let file = write(&dir, "not-a-folder.yaml", "x: 1\n");
    let sheet = write(&dir, "top.json", TOP_02);
    let csv = write(&dir, "a.csv", "id,decision,set,1.1\n");
    let missing = dir.join("no-such-folder").to_string_lossy().into_owned();
    let commands: Vec<Vec<&str>> = vec![
        vec!["check"],
        vec!["test"],
        vec!["list"],
        vec!["generate", "--rows", "1"],
        vec!["bulk", &csv],
        vec!["score", &sheet],
        vec!["score", &sheet, "--what-if", "1.1=b"],
        vec!["diff", "1048-2019", "148-2023"],
        vec!["rescore", "--to", "148-2023", &csv],
        vec!["advise", &sheet],
    ];
    for rules in [&missing, &empty, &file] {
        for with_shipped in [false, true] {
            for command in &commands {
                let mut args = vec!["--rules", rules.as_str()];
                if with_shipped {
                    args.push("--with-shipped");
                }
                args.extend_from_slice(command);
                let out = ocop(&args);
                assert_eq!(out.status.code(), Some(2), "{args:?}\n{}", both(&out));
                let err = stderr(&out);
                assert!(
                    err.starts_with("error: --rules ")
                        && err.contains("the shipped rules are not loaded in its place"),
                    "{args:?}\n{}",
                    both(&out)
                );
                assert!(out.stdout.is_empty(), "{args:?}\n{}", both(&out));
            }
        }
    }
    // The issue's example: this printed the shipped rules' check, "no errors".
    let out = ocop(&["--rules", &missing, "check"]);
    assert_eq!(out.status.code(), Some(2), "{}", both(&out));
    assert!(stderr(&out).contains("no such folder"), "{}", both(&out));
    let out = ocop(&["--rules", &empty, "check"]);
    assert!(stderr(&out).contains("holds no rule file"), "{}", both(&out));
    // A second --rules folder is checked as well as the first.
    let out = ocop(&["--rules", FUTURE, "--rules", &missing, "--with-shipped", "list"]);
    assert_eq!(out.status.code(), Some(2), "{}", both(&out));
}

#[test]
fn check_checks_the_rules_loaded() {
    // No --rules: the shipped rules, every warning listed.
    let out = ocop(&["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    let text = stdout(&out);
    assert!(text.contains("checked 3 decisions, "), "{text}");
    assert!(text.lines().any(|l| l.starts_with("warning[anomaly]: rules/")), "{text}");
    assert!(!text.contains("of the shipped rules"), "{text}");

    // Only X: the copy of 1048-2019, nothing shipped.
    let x = only_1048("check");
    let out = ocop(&["--rules", &x, "check"]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    let text = stdout(&out);
    assert!(text.contains("checked 1 decision, 27 forms: no errors"), "{text}");
    assert!(text.lines().filter(|l| l.starts_with("warning")).all(|l| l.contains(&x)), "{text}");
    assert!(!text.contains("rules/26-2026") && !text.contains("of the shipped rules"), "{text}");
    // The same folder named as a path to check.
    let out = ocop(&["check", &x]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    assert!(stdout(&out).contains("checked 1 decision, 27 forms: no errors"), "{}", both(&out));

    // X with the shipped rules: X's one warning (the made-up `Ngonn`), then one line for the
    // shipped rules' warnings, then the count of what was checked.
    let out = ocop(&with_future(&["check"]));
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("warning[anomaly]: tests/fixtures/future/99-2030/"), "{text}");
    assert!(lines.contains(&"0 errors, 1 warning"), "{text}");
    let summary = lines.iter().find(|l| l.contains("of the shipped rules")).expect("a summary line");
    assert!(
        summary
            .ends_with(" warnings of the shipped rules (printed anomalies; `--all-warnings` to list them)"),
        "{summary}"
    );
    assert!(!text.contains("warning[anomaly]: rules/"), "{text}");
    assert!(text.contains("checked 4 decisions, "), "{text}");
    // --deny-warnings fails on X's warning; the shipped ones are not X's.
    let out = ocop(&with_future(&["check", "--deny-warnings"]));
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    // --all-warnings lists the shipped ones too, after X's.
    let out = ocop(&with_future(&["check", "--all-warnings"]));
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    let text = stdout(&out);
    let first_shipped = text.find("warning[anomaly]: rules/").expect("shipped warnings listed");
    assert!(text.find("tests/fixtures/future/99-2030/").unwrap() < first_shipped, "{text}");
    assert!(!text.contains("of the shipped rules"), "{text}");

    // X's errors come first, before any diagnostic of the shipped rules.
    let broken = folder("check-broken");
    copy_dir(Path::new(FUTURE), &broken);
    let form = broken.join("99-2030/01-thu-nghiem.yaml");
    let text =
        std::fs::read_to_string(&form).unwrap().replacen("title_vi: Nguồn gốc", "titel_vi: Nguồn gốc", 1);
    std::fs::write(&form, text).unwrap();
    let broken = broken.to_string_lossy().into_owned();
    let out = ocop(&["--rules", &broken, "--with-shipped", "check"]);
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with(&format!("error[unknown-field]: {broken}/99-2030/01-thu-nghiem.yaml:")),
        "{text}"
    );
    assert!(text.contains("did you mean `title_vi`?"), "{text}");
    assert!(text.contains(" warnings of the shipped rules (printed anomalies;"), "{text}");
    assert!(!text.contains("no errors"), "{text}");
}

#[test]
fn test_runs_the_cases_of_the_rules_loaded() {
    // Only X: the copy's own cases, named first; no shipped case folder.
    let x = only_1048("test");
    let out = ocop(&["--rules", &x, "test"]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    let text = stdout(&out);
    let first = text.lines().next().unwrap_or_default();
    assert_eq!(first, format!("running the cases of {x}/1048-2019/cases"), "{text}");
    assert!(!text.contains("rules/26-2026"), "{text}");
    assert!(text.contains(" passed, 0 failed"), "{text}");

    // X with the shipped rules: X's cases, then those of ./rules.
    let out = ocop(&with_future(&["test"]));
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    let text = stdout(&out);
    let first = text.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("running the cases of tests/fixtures/future/99-2030/cases, rules/1048-2019/cases"),
        "{first}"
    );
    assert!(text.contains("tests/fixtures/future/99-2030/cases/01-section-stop.yaml"), "{text}");
    assert!(text.contains("rules/26-2026/cases/"), "{text}");

    // No --rules: the shipped rules' cases from ./rules.
    let out = ocop(&["test"]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    assert!(stdout(&out).starts_with("running the cases of rules/1048-2019/cases, "), "{}", both(&out));

    // Rules without cases: said, and an error, never "0 passed".
    let bare = folder("test-bare");
    copy_dir(Path::new("rules/1048-2019"), &bare.join("1048-2019"));
    std::fs::remove_dir_all(bare.join("1048-2019/cases")).unwrap();
    let bare = bare.to_string_lossy().into_owned();
    let out = ocop(&["--rules", &bare, "test"]);
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    assert!(stderr(&out).contains("no case folder found for the rules loaded (--rules "), "{}", both(&out));
    assert!(!stdout(&out).contains("passed"), "{}", both(&out));

    // The shipped rules where there is no ./rules: the embedded rules carry no cases.
    let elsewhere = folder("test-elsewhere");
    let out = ocop_in(Some(&elsewhere), &["test"], None);
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    let err = stderr(&out);
    assert!(err.contains("the shipped rules carry no cases"), "{err}");
    assert!(err.contains("no case folder found for the rules loaded (the shipped rules)"), "{err}");
    assert!(out.stdout.is_empty(), "{}", both(&out));

    // Paths given: those, with the rules loaded.
    let out = ocop(&with_future(&["test", "tests/fixtures/future/99-2030/cases"]));
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    assert!(!stdout(&out).contains("running the cases of"), "{}", both(&out));
    let out = ocop(&["test", "tests/fixtures/future/99-2030/cases"]);
    assert_eq!(out.status.code(), Some(1), "99-2030 is not shipped\n{}", both(&out));
}

#[test]
fn list_lists_the_rules_loaded() {
    let x = only_1048("list");
    let out = ocop(&["--rules", &x, "list"]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    let text = stdout(&out);
    assert!(text.starts_with("1048-2019 — "), "{text}");
    assert!(!text.contains("26-2026") && !text.contains("148-2023 —"), "{text}");

    let out = ocop(&with_future(&["list"]));
    let text = stdout(&out);
    assert!(
        text.contains("99-2030 — ") && text.contains("26-2026 — ") && text.contains("1048-2019 — "),
        "{text}"
    );

    let out = ocop(&["list"]);
    let text = stdout(&out);
    assert!(text.contains("26-2026 — ") && !text.contains("99-2030"), "{text}");
    // Counts of one are singular: 1048's set 05 has 1 minimum.
    assert!(text.contains(" 1 minimum  ") && !text.contains(" 1 minimums"), "{text}");
}

#[test]
fn generate_uses_the_rules_loaded() {
    let x = only_1048("generate");
    // Only X: the default decision 26-2026 is not loaded.
    let out = ocop(&["--rules", &x, "generate", "--rows", "3"]);
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    let out = ocop(&["--rules", &x, "generate", "--decision", "1048-2019", "--rows", "3"]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    // The made-up decision, beside the shipped ones.
    let out = ocop(&with_future(&["generate", "--decision", "99-2030", "--rows", "5"]));
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    assert_eq!(stdout(&out).lines().count(), 6, "{}", both(&out));
    let out = ocop(&["generate", "--decision", "99-2030", "--rows", "5"]);
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
}

#[test]
fn bulk_scores_with_the_rules_loaded() {
    // Set 02 of 99-2030 at the top: 50 + 30 + 20 = 100, band 5.
    let input = "id,decision,set,1.1,2.1,3.1\nr1,99-2030,02,b,b,yes\n";
    let out = ocop_in(None, &with_future(&["bulk", "-"]), Some(input));
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    assert!(
        stdout(&out).lines().nth(1).unwrap_or_default().starts_with("r1,100,50,30,20,5,"),
        "{}",
        both(&out)
    );
    // Shipped alone: no such decision.
    let out = ocop_in(None, &["bulk", "--strict", "-"], Some(input));
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    // Only X (1048): its own rows score, a 26-2026 row does not.
    let x = only_1048("bulk");
    let generated = ocop(&["--rules", &x, "generate", "--decision", "1048-2019", "--rows", "20"]);
    assert!(generated.status.success(), "{}", both(&generated));
    let out = ocop_in(None, &["--rules", &x, "bulk", "--strict", "-"], Some(&stdout(&generated)));
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    let shipped = ocop(&["generate", "--decision", "26-2026", "--rows", "1"]);
    let out = ocop_in(None, &["--rules", &x, "bulk", "--strict", "-"], Some(&stdout(&shipped)));
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    assert!(stderr(&out).contains("26-2026"), "{}", both(&out));
}

#[test]
fn score_scores_with_the_rules_loaded() {
    let dir = folder("score");
    let top = write(&dir, "top.json", TOP_02);
    let out = ocop(&with_future(&["score", &top, "--format", "json"]));
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // 1.1 b 50 + 2.1 b 30 + 3.1 yes 20 = 100.
    assert_eq!((v["total"].as_str(), v["parts"]["A"].as_str()), (Some("100"), Some("50")), "{v}");
    // Shipped alone, or only X: 99-2030 is unknown.
    let out = ocop(&["score", &top]);
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    assert!(stderr(&out).contains("unknown decision `99-2030`"), "{}", both(&out));
    let x = only_1048("score");
    let out = ocop(&["--rules", &x, "score", &top]);
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    assert!(stderr(&out).contains("one of 1048-2019 (1048/QĐ-TTg)\n"), "{}", both(&out));
    // --what-if: 1.1 a→b: 10 + 40 = 50 (50 + 0 + 0).
    let low = write(&dir, "low.json", LOW_02);
    let out = ocop(&with_future(&["score", &low, "--what-if", "1.1=b", "--format", "json"]));
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    let out = ocop(&["score", &low, "--what-if", "1.1=b"]);
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
}

#[test]
fn diff_compares_the_rules_loaded() {
    let out = ocop(&["diff", "1048-2019", "148-2023"]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    let x = only_1048("diff");
    let out = ocop(&["--rules", &x, "diff", "1048-2019", "148-2023"]);
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    assert!(stderr(&out).contains("unknown decision `148-2023`"), "{}", both(&out));
    let out = ocop(&with_future(&["diff", "26-2026", "99-2030"]));
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    assert!(stdout(&out).starts_with("Diff 26-2026 → 99-2030"), "{}", both(&out));
    let out = ocop(&["diff", "26-2026", "99-2030"]);
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
}

#[test]
fn rescore_uses_the_rules_loaded() {
    let dir = folder("rescore");
    let archive = ocop(&["generate", "--decision", "148-2023", "--rows", "10"]);
    let archive = write(&dir, "archive.csv", &stdout(&archive));
    // The shipped rules and their crosswalk 148-2023 → 26-2026.
    let out = ocop(&["rescore", "--to", "26-2026", &archive]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    assert!(stdout(&out).starts_with("rescore to 26-2026: 10 rows"), "{}", both(&out));
    // Beside the made-up decision (which changes nothing for 148 → 26).
    let out = ocop(&with_future(&["rescore", "--to", "26-2026", &archive]));
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    // Only X: neither decision is loaded.
    let x = only_1048("rescore");
    let out = ocop(&["--rules", &x, "rescore", "--to", "26-2026", &archive]);
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    assert!(stderr(&out).contains("26-2026"), "{}", both(&out));
}

#[test]
fn advise_uses_the_rules_loaded() {
    let dir = folder("advise");
    let low = write(&dir, "low.json", LOW_02);
    let out = ocop(&with_future(&["advise", &low, "--format", "json"]));
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    let out = ocop(&["advise", &low]);
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    let x = only_1048("advise");
    let out = ocop(&["--rules", &x, "advise", &low]);
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    assert!(stderr(&out).contains("unknown decision `99-2030`"), "{}", both(&out));
}

/// `ocop generate` writes only rows that `ocop bulk --strict` accepts: every decision, every
/// set (each drawn in these runs), many seeds; 1048's set 26 (two versions) gets `lodged_on`.
#[test]
fn every_generated_row_is_accepted_by_bulk_strict() {
    let mut runs: Vec<(Vec<&str>, &str, Vec<String>)> = Vec::new();
    for decision in ["1048-2019", "148-2023", "26-2026"] {
        runs.push((vec![], decision, vec![]));
    }
    runs.push((vec!["--rules", FUTURE, "--with-shipped"], "99-2030", vec![]));
    runs.push((vec![], "1048-2019", vec!["26".to_string()]));
    for (rules, decision, sets) in &runs {
        let mut seen_sets = std::collections::BTreeSet::new();
        let mut dates = std::collections::BTreeSet::new();
        for seed in 1..=6u32 {
            let seed = (seed * 7919).to_string();
            let mut args: Vec<&str> = rules.clone();
            args.extend(["generate", "--decision", decision, "--rows", "300", "--seed", &seed]);
            for s in sets {
                args.extend(["--set", s.as_str()]);
            }
            let generated = ocop(&args);
            assert!(generated.status.success(), "{args:?}\n{}", both(&generated));
            let csv = stdout(&generated);
            let header: Vec<&str> = csv.lines().next().unwrap_or_default().split(',').collect();
            let dated = header.get(3) == Some(&"lodged_on");
            for line in csv.lines().skip(1) {
                let cells: Vec<&str> = line.split(',').collect();
                seen_sets.insert(cells[2].to_string());
                if dated && cells[2] == "26" {
                    dates.insert(cells[3].to_string());
                }
            }
            let mut bulk: Vec<&str> = rules.clone();
            bulk.extend(["bulk", "--strict", "-"]);
            let out = ocop_in(None, &bulk, Some(&csv));
            assert_eq!(out.status.code(), Some(0), "{args:?}\n{}", both(&out));
            assert!(stderr(&out).starts_with("300 rows scored, 0 rejected"), "{args:?}\n{}", both(&out));
        }
        let expected_sets = match (*decision, sets.is_empty()) {
            (_, false) => 1,
            ("99-2030", _) => 2,
            // 1048 and 148 have 26 sets (1048's set 26 in two versions); 26-2026 has 26.
            _ => 26,
        };
        assert_eq!(seen_sets.len(), expected_sets, "{decision} {sets:?}: {seen_sets:?}");
        if *decision == "1048-2019" {
            // Both versions of set 26 are drawn: lodged before and from 2020-06-08.
            assert!(dates.iter().any(|d| d.as_str() < "2020-06-08"), "{dates:?}");
            assert!(dates.iter().any(|d| d.as_str() >= "2020-06-08"), "{dates:?}");
            assert!(dates.iter().all(|d| ("2019-08-21"..="2023-02-23").contains(&d.as_str())), "{dates:?}");
        }
    }
}
