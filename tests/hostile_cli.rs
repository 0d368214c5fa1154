//! Hostile input against the `ocop` command line and the bulk engine (issue 14, part A): one test
//! per class of problem an outside tester found, each failing on the code before the fix.
//!
//! Inputs are made here; large ones are streamed to the tool at run time (through a pipe, or a
//! `.jsonl` link to `/dev/stdin`), never committed. Memory is checked on Linux by reading the
//! tool's peak resident size (`VmHWM` in `/proc/<pid>/status`) while it runs, under an address
//! space limit (`ulimit -v`) so that a regression fails the test instead of the machine.
//!
//! Expected scores are worked out by hand from the fixture decision 99-2030
//! (tests/fixtures/future/99-2030): bands 1★ < 40 ≤ 2★ < 55 ≤ 3★ < 70 ≤ 4★ < 85 ≤ 5★; set 02
//! has 1.1 (part A: a 10, b 50, b marked ****), 2.1 (part B: a 0, b 30) and 3.1 (part C, yes/no:
//! 20 or 0).

mod common;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The tool under test: this build's `ocop`, or the one `OCOP_BIN` names (to run the catalog
/// against another build, such as the code before the fixes).
fn bin() -> String {
    std::env::var("OCOP_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_ocop").to_string())
}

const FIXTURE: [&str; 3] = ["--rules", "tests/fixtures/future", "--with-shipped"];

/// 1.1 b 50 + 2.1 b 30 + 3.1 yes 20 = 100: band 5, the **** marker on 1.1 b met: 5 stars.
const ROW_100: &str = "99-2030,02,b,b,yes";
const OUT_100: &str = "100,50,30,20,5,5,,";
/// 1.1 a 10 + 2.1 a 0 + 3.1 no 0 = 10: band 1, 1 star.
const ROW_10: &str = "99-2030,02,a,a,no";
const OUT_10: &str = "10,10,0,0,1,1,,";
const HEADER: &str = "id,decision,set,1.1,2.1,3.1";
const OUT_HEADER: &str = "id,total,A,B,C,band_stars,stars,limited_by,disqualified";

fn with_fixture<'a>(args: &[&'a str]) -> Vec<&'a str> {
    let mut all: Vec<&str> = FIXTURE.to_vec();
    all.extend_from_slice(args);
    all
}

/// A fresh folder for one test.
fn folder(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ocop-hostile-cli-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.to_string_lossy().into_owned()
}

/// Writes a streamed input.
type Producer = dyn FnOnce(&mut dyn Write) -> std::io::Result<()> + Send;

/// What the tool is fed on stdin.
enum Input {
    Nothing,
    Bytes(Vec<u8>),
    /// Written by a thread while the tool runs (large inputs, never held whole).
    Stream(Box<Producer>),
}

/// Where the tool's output goes.
#[derive(Clone, Copy, PartialEq)]
enum Sink {
    Keep,
    Full,
    Null,
}

struct Run {
    code: Option<i32>,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    /// The peak resident size seen, in KiB (Linux; 0 elsewhere).
    peak_kib: u64,
}

impl Run {
    fn out(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
    fn err(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
}

/// The address space the tool may use in these tests (4 GiB): far more than the bounded tool
/// needs, far less than the unbounded one took.
const ADDRESS_SPACE_KIB: u64 = 4 << 20;

/// Runs `ocop` with `args` under the address space limit, feeding `input`, for at most `secs`.
fn run(args: &[&str], input: Input, stdout: Sink, stderr: Sink, secs: u64) -> Run {
    let mut cmd = if cfg!(target_os = "linux") {
        let mut c = Command::new("sh");
        c.arg("-c").arg(format!("ulimit -v {ADDRESS_SPACE_KIB}; exec \"$0\" \"$@\"")).arg(bin());
        c
    } else {
        Command::new(bin())
    };
    cmd.args(args);
    let sink = |s: Sink| match s {
        Sink::Keep => Stdio::piped(),
        Sink::Null => Stdio::null(),
        Sink::Full => Stdio::from(std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap()),
    };
    cmd.stdin(if matches!(input, Input::Nothing) { Stdio::null() } else { Stdio::piped() });
    cmd.stdout(sink(stdout)).stderr(sink(stderr));
    let mut child = cmd.spawn().unwrap();
    let feeder = child.stdin.take().map(|mut pipe| {
        std::thread::spawn(move || {
            // The tool may stop reading early (an error, --strict): a closed pipe is fine.
            let _ = match input {
                Input::Bytes(bytes) => pipe.write_all(&bytes),
                Input::Stream(produce) => produce(&mut pipe),
                Input::Nothing => Ok(()),
            };
        })
    });
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_end(&mut bytes);
            }
            bytes
        })
    };
    let out = drain(child.stdout.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
    let err = drain(child.stderr.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut peak_kib = 0;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        peak_kib = peak_kib.max(vm_hwm_kib(child.id()));
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("ocop {args:?} still running after {secs}s");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    if let Some(f) = feeder {
        let _ = f.join();
    }
    Run { code: status.code(), stdout: out.join().unwrap(), stderr: err.join().unwrap(), peak_kib }
}

/// A plain run: stdout and stderr kept.
fn ocop(args: &[&str], input: Input) -> Run {
    run(args, input, Sink::Keep, Sink::Keep, 120)
}

fn vm_hwm_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        })
        .unwrap_or(0)
}

/// A `.jsonl` name for the tool's stdin, so that a streamed input is read as JSON Lines.
#[cfg(unix)]
fn jsonl_stdin(dir: &Path) -> String {
    let link = dir.join("stdin.jsonl");
    std::os::unix::fs::symlink("/dev/stdin", &link).unwrap();
    link.to_string_lossy().into_owned()
}

fn no_panic(r: &Run, what: &str) {
    assert_ne!(r.code, Some(101), "{what} panicked: {}", r.err());
    assert!(!r.err().contains("panicked"), "{what}: {}", r.err());
}

fn has_escape_bytes(bytes: &[u8]) -> bool {
    bytes.iter().any(|b| *b == 0x1b || *b == 0x07 || *b == b'\r')
}

/// Parses CSV output into records.
fn records(text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// 2. No write failure panics: stdout or stderr full ends the command with a non-zero code.

/// Commands that write to stderr: with stderr full, each ends with its code, never a panic.
#[test]
fn a_full_stderr_never_panics() {
    let dir = folder("stderr-full");
    let bad_csv = write(&dir, "bad.csv", format!("{HEADER}\nr1,{ROW_100}\nr2,99-2030,02,q,b,yes\n"));
    let good_csv = write(&dir, "good.csv", format!("{HEADER}\nr1,{ROW_100}\n"));
    let empty = dir.join("no-cases");
    std::fs::create_dir_all(&empty).unwrap();
    let empty = empty.to_string_lossy().into_owned();
    let sheet = write(
        &dir,
        "one.json",
        r#"{"decision": "99-2030", "set": "02", "answers": {"1.1": "b", "2.1": "b", "3.1": "yes"}}"#,
    );
    let cases: Vec<(Vec<&str>, i32)> = vec![
        // Nothing for stderr: success.
        (with_fixture(&["score", &sheet]), 0),
        (vec!["--with-shipped", "check", "tests/fixtures/future"], 0),
        (vec!["score", "/no/such/file.yaml"], 1),
        (vec!["check", "/no/such/folder"], 1),
        (with_fixture(&["bulk", &bad_csv]), 1),
        // Nothing but the closing summary goes to stderr: it cannot be written, so the exit
        // code says that something failed.
        (with_fixture(&["bulk", &good_csv]), 1),
        (vec!["test", &empty], 1),
        (vec!["--rules", "/no/such/folder", "list"], 2),
        (vec!["generate", "--decision", "no-such-decision"], 1),
        (vec!["score", "--format", "bogus", "x.yaml"], 2),
    ];
    for (args, code) in cases {
        let r = run(&args, Input::Nothing, Sink::Null, Sink::Full, 60);
        no_panic(&r, &format!("{args:?}"));
        assert_eq!(r.code, Some(code), "{args:?}");
    }
}

/// Commands that write to stdout: with stdout full, each says so on stderr and ends with 1.
#[test]
fn a_full_stdout_is_an_error_not_a_panic() {
    let dir = folder("stdout-full");
    let sheet = write(
        &dir,
        "one.json",
        r#"{"decision": "99-2030", "set": "02", "answers": {"1.1": "b", "2.1": "b", "3.1": "yes"}}"#,
    );
    let csv = write(&dir, "good.csv", format!("{HEADER}\nr1,{ROW_100}\n"));
    let cases: Vec<Vec<&str>> = vec![
        vec!["list"],
        vec!["--with-shipped", "check", "tests/fixtures/future"],
        with_fixture(&["score", &sheet]),
        with_fixture(&["score", &sheet, "--format", "json"]),
        with_fixture(&["test", "tests/fixtures/future/99-2030/cases"]),
        with_fixture(&["bulk", &csv]),
        vec!["generate", "--rows", "10"],
        vec!["--help"],
        vec!["--version"],
        vec!["bulk", "--help"],
    ];
    for args in cases {
        let r = run(&args, Input::Nothing, Sink::Full, Sink::Keep, 60);
        no_panic(&r, &format!("{args:?}"));
        assert_eq!(r.code, Some(1), "{args:?}: {}", r.err());
        assert!(r.err().contains("error[io]: output"), "{args:?}: {}", r.err());
    }
    // Both full: nothing can be said, and the exit code still tells.
    for args in [vec!["list"], vec!["--help"], with_fixture(&["bulk", &csv]), vec!["score", "/no/such.yaml"]]
    {
        let r = run(&args, Input::Nothing, Sink::Full, Sink::Full, 60);
        no_panic(&r, &format!("{args:?}"));
        assert_eq!(r.code, Some(1), "{args:?}");
    }
}

/// `ocop bulk … | head -1`: a closed stdout pipe still ends quietly with success.
#[test]
fn a_closed_pipe_still_ends_quietly() {
    for args in [vec!["list"], vec!["generate", "--rows", "300000"]] {
        let mut child =
            Command::new(bin()).args(&args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        let mut first = [0u8; 1];
        child.stdout.take().unwrap().read_exact(&mut first).unwrap();
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{args:?}: {:?} {err}", out.status);
        assert!(err.is_empty(), "{args:?}: {err}");
    }
    // Bulk: 200k scored rows into a pipe closed after the first byte.
    let rows = 200_000;
    let mut child = Command::new(bin())
        .args(with_fixture(&["bulk", "-"]))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let feeder = std::thread::spawn(move || {
        let mut text = format!("{HEADER}\n");
        for i in 0..rows {
            text.push_str(&format!("r{i},{ROW_100}\n"));
        }
        let _ = stdin.write_all(text.as_bytes());
    });
    let mut first = [0u8; 1];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    let out = child.wait_with_output().unwrap();
    feeder.join().unwrap();
    assert!(out.status.success(), "{:?} {}", out.status, String::from_utf8_lossy(&out.stderr));
}

// ---------------------------------------------------------------------------------------------
// 3. Memory bounded on every input path.

/// `ocop score /dev/zero`: at most the document limit plus one byte is read.
#[test]
fn score_reads_no_more_than_the_limit() {
    let dir = folder("score-limit");
    let big = write(&dir, "big.yaml", vec![b'#'; (4 << 20) + 10]);
    for file in ["/dev/zero", big.as_str()] {
        let r = ocop(&["score", file], Input::Nothing);
        assert_eq!(r.code, Some(1), "{file}: {}", r.err());
        assert!(r.err().contains("larger than 4194304 bytes"), "{file}: {}", r.err());
        assert!(r.peak_kib < 200_000, "{file}: peak {} KiB", r.peak_kib);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// `ocop test` reads case files with the same limit: a case file that is `/dev/zero` fails.
#[cfg(unix)]
#[test]
fn test_reads_case_files_with_the_limit() {
    let dir = folder("test-limit").join("cases");
    std::fs::create_dir_all(&dir).unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.join("zero.yaml")).unwrap();
    let r = ocop(&["test", &dir.to_string_lossy()], Input::Nothing);
    assert_eq!(r.code, Some(1), "{}", r.err());
    assert!(r.out().contains("larger than 4194304 bytes"), "{}", r.out());
    assert!(r.peak_kib < 200_000, "peak {} KiB", r.peak_kib);
}

/// `ocop bulk /dev/zero`: as CSV, a header longer than a record may be; as JSON Lines (a `.jsonl`
/// link to it), a line that never ends: read through up to the skip limit (1 GiB), then a clean
/// error. Memory stays flat in both.
#[cfg(unix)]
#[test]
fn bulk_dev_zero_is_a_clean_error() {
    let r = ocop(&["bulk", "/dev/zero"], Input::Nothing);
    assert_eq!(r.code, Some(1), "{}", r.err());
    assert!(r.err().contains("the header: cell 1 is longer than 65536 bytes"), "{}", r.err());
    assert!(r.peak_kib < 200_000, "peak {} KiB", r.peak_kib);
    let dir = folder("bulk-zero");
    let link = dir.join("zero.jsonl");
    std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
    let r = ocop(&["bulk", &link.to_string_lossy()], Input::Nothing);
    assert_eq!(r.code, Some(1), "{}", r.err());
    assert!(
        r.err().contains("error[limit]") && r.err().contains("line 1 runs on for more than 1073741824 bytes"),
        "{}",
        r.err()
    );
    assert!(r.peak_kib < 200_000, "peak {} KiB", r.peak_kib);
}

/// 300 MB of JSON Lines in ten 30 MB lines: each is one bad row, read through without being
/// kept; the short lines around them are scored with their own line numbers.
#[cfg(unix)]
#[test]
fn long_jsonl_lines_are_bad_rows_in_bounded_memory() {
    let dir = folder("jsonl-long");
    let input = jsonl_stdin(&dir);
    let good = r#"{"id": "g", "decision": "99-2030", "set": "02", "answers": {"1.1": "a", "2.1": "a", "3.1": "no"}}"#;
    let produce = move |w: &mut dyn Write| -> std::io::Result<()> {
        let filler = vec![b'x'; 1 << 20];
        for _ in 0..10 {
            writeln!(w, "{good}")?;
            w.write_all(br#"{"id": ""#)?;
            for _ in 0..30 {
                w.write_all(&filler)?;
            }
            w.write_all(b"\"}\n")?;
        }
        writeln!(w, "{good}")
    };
    let r =
        run(&with_fixture(&["bulk", &input]), Input::Stream(Box::new(produce)), Sink::Keep, Sink::Keep, 120);
    assert_eq!(r.code, Some(1), "{}", r.err());
    // Lines 1, 3, 5 … 21 are good (10 points each), lines 2, 4 … 20 are the long ones.
    let out = r.out();
    assert_eq!(out.lines().count(), 12, "{out}");
    assert!(out.lines().skip(1).all(|l| l == format!("g,{OUT_10}")), "{out}");
    for line in (2..=20).step_by(2) {
        assert!(
            r.err().contains(&format!(
                "row {line}: the line is 31457290 bytes, longer than the limit of 1048576"
            )),
            "{}",
            r.err()
        );
    }
    assert!(r.err().contains("11 rows scored, 10 rejected"), "{}", r.err());
    assert!(r.peak_kib < 150_000, "peak {} KiB", r.peak_kib);
}

/// CSV rows whose id is 2 MB: each is one bad row, read through without being kept.
#[test]
fn huge_csv_cells_are_bad_rows_in_bounded_memory() {
    let produce = |w: &mut dyn Write| -> std::io::Result<()> {
        writeln!(w, "{HEADER}")?;
        let id = vec![b'i'; 2 << 20];
        for _ in 0..150 {
            w.write_all(&id)?;
            writeln!(w, ",{ROW_100}")?;
        }
        writeln!(w, "last,{ROW_10}")
    };
    let r = run(&with_fixture(&["bulk", "-"]), Input::Stream(Box::new(produce)), Sink::Keep, Sink::Keep, 120);
    assert_eq!(r.code, Some(1), "{}", r.err());
    assert_eq!(r.out(), format!("{OUT_HEADER}\nlast,{OUT_10}\n"));
    assert!(r.err().contains("row 2: cell 1 is longer than 65536 bytes"), "{}", r.err());
    assert!(r.err().contains("row 151: cell 1 is longer than 65536 bytes"), "{}", r.err());
    assert!(r.err().contains("1 rows scored, 150 rejected"), "{}", r.err());
    assert!(r.peak_kib < 150_000, "peak {} KiB", r.peak_kib);
}

/// A CSV record of many small cells: the record cap (1 MiB) holds, not only the cell cap.
#[test]
fn long_csv_records_are_bad_rows() {
    let mut text = format!("{HEADER}\nwide,{ROW_100}");
    for _ in 0..2000 {
        text.push(',');
        text.push_str(&"y".repeat(1000));
    }
    text.push_str(&format!("\nnext,{ROW_100}\n"));
    let r = ocop(&with_fixture(&["bulk", "-"]), Input::Bytes(text.into_bytes()));
    assert_eq!(r.out(), format!("{OUT_HEADER}\nnext,{OUT_100}\n"));
    assert!(r.err().contains("row 2: the row is longer than 1048576 bytes"), "{}", r.err());
}

/// Rows that fail to resolve are never remembered: 80 000 rows, each with its own 1 KB
/// `lodged_on` that is not a date, do not grow memory.
#[test]
fn failed_rows_are_not_remembered() {
    let produce = |w: &mut dyn Write| -> std::io::Result<()> {
        writeln!(w, "id,decision,set,lodged_on,1.1,2.1,3.1")?;
        let pad = "z".repeat(1000);
        for i in 0..80_000 {
            writeln!(w, "r{i},99-2030,02,{pad}{i},b,b,yes")?;
        }
        Ok(())
    };
    let r = run(&with_fixture(&["bulk", "-"]), Input::Stream(Box::new(produce)), Sink::Keep, Sink::Keep, 120);
    assert!(
        r.err().contains("row 80001: column lodged_on: `zzz"),
        "{}",
        &r.err()[r.err().len().saturating_sub(3000)..]
    );
    assert!(
        r.err().contains("0 rows scored, 80000 rejected"),
        "{}",
        &r.err()[r.err().len().saturating_sub(300)..]
    );
    assert!(r.peak_kib < 120_000, "peak {} KiB", r.peak_kib);
}

/// Distinct (decision, set, lodged_on) cells that all resolve (every row lodged on its own day,
/// with its own padding) share one plan per form: memory does not grow with them.
#[test]
fn plans_are_one_per_form() {
    let produce = |w: &mut dyn Write| -> std::io::Result<()> {
        // A wide header: 1000 more columns that these rows leave empty.
        write!(w, "id,decision,set,lodged_on,1.1,2.1,3.1")?;
        for i in 0..1000 {
            write!(w, ",x{i}")?;
        }
        writeln!(w)?;
        let empty = ",".repeat(1000);
        for pad in 0..40 {
            for day in 0..1000u32 {
                let date = format!("{}-{:02}-{:02}", 2031 + day / 336, 1 + day / 28 % 12, 1 + day % 28);
                writeln!(w, "p{pad}-{day},99-2030,{}02,{date},b,b,yes{empty}", " ".repeat(pad))?;
            }
        }
        Ok(())
    };
    let r = run(&with_fixture(&["bulk", "-"]), Input::Stream(Box::new(produce)), Sink::Null, Sink::Keep, 180);
    assert_eq!(r.code, Some(0), "{}", r.err());
    assert!(r.err().contains("40000 rows scored, 0 rejected"), "{}", r.err());
    assert!(r.peak_kib < 150_000, "peak {} KiB", r.peak_kib);
}

// ---------------------------------------------------------------------------------------------
// 4. No silent wrong result.

/// A header that names a column twice: which cell holds the answer would be a guess.
#[test]
fn a_duplicate_header_is_an_error() {
    for header in [
        "id,decision,set,1.1,2.1,3.1,1.1",
        "id,decision,set,1.1,2.1,3.1, 2.1 ",
        "id,decision,set,lodged_on,1.1,2.1,3.1,lodged_on",
    ] {
        let text = format!("{header}\nr1,{ROW_100},a\n");
        let r = ocop(&with_fixture(&["bulk", "-"]), Input::Bytes(text.into_bytes()));
        assert_eq!(r.code, Some(1), "{header}");
        assert!(r.err().contains("error[syntax]") && r.err().contains("twice"), "{header}: {}", r.err());
        assert!(r.out().is_empty(), "{header}: {}", r.out());
    }
    // Unnamed columns (trailing commas of a spreadsheet export) are not duplicates.
    let text = format!("{HEADER},,\nr1,{ROW_100},,\n");
    let r = ocop(&with_fixture(&["bulk", "-"]), Input::Bytes(text.into_bytes()));
    assert_eq!(r.out(), format!("{OUT_HEADER}\nr1,{OUT_100}\n"), "{}", r.err());
}

/// `--out` that names the input, by any route, is refused and the input is left intact.
#[cfg(unix)]
#[test]
fn out_naming_the_input_is_refused() {
    let dir = folder("out-is-input");
    let text = format!("{HEADER}\nr1,{ROW_100}\n");
    let input = write(&dir, "in.csv", &text);
    std::os::unix::fs::symlink(&input, dir.join("link.csv")).unwrap();
    std::fs::hard_link(&input, dir.join("hard.csv")).unwrap();
    let relative = format!("{}/../{}/in.csv", dir.display(), dir.file_name().unwrap().to_string_lossy());
    for out in [
        input.clone(),
        relative,
        dir.join("link.csv").to_string_lossy().into_owned(),
        dir.join("hard.csv").to_string_lossy().into_owned(),
    ] {
        let r = ocop(&with_fixture(&["bulk", &input, "--out", &out]), Input::Nothing);
        assert_eq!(r.code, Some(1), "{out}");
        assert!(r.err().contains("is the input"), "{out}: {}", r.err());
        assert_eq!(std::fs::read_to_string(&input).unwrap(), text, "{out}");
    }
    // Standard input redirected from the file named by --out.
    let r = Command::new(bin())
        .args(with_fixture(&["bulk", "-", "--out", &input]))
        .stdin(std::fs::File::open(&input).unwrap())
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&r.stderr).contains("is the input"));
    assert_eq!(std::fs::read_to_string(&input).unwrap(), text);
    // Standard output appended to the input (`ocop bulk in.csv >> in.csv`).
    let r = Command::new(bin())
        .args(with_fixture(&["bulk", &input]))
        .stdout(std::fs::OpenOptions::new().append(true).open(&input).unwrap())
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&r.stderr).contains("standard output is the input"));
    assert_eq!(std::fs::read_to_string(&input).unwrap(), text);
}

/// `--out` appears only when the run succeeds: a run that fails leaves the old file as it was,
/// and no temporary file behind.
#[test]
fn out_is_written_atomically() {
    let dir = folder("atomic");
    let out = write(&dir, "out.csv", "previous results\n");
    let bad = write(&dir, "bad.csv", "not,a,header\nr1,x\n");
    let r = ocop(&with_fixture(&["bulk", &bad, "--out", &out]), Input::Nothing);
    assert_eq!(r.code, Some(1));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "previous results\n");
    let good = write(&dir, "good.csv", format!("{HEADER}\nr1,{ROW_100}\n"));
    let r = ocop(&with_fixture(&["bulk", &good, "--out", &out]), Input::Nothing);
    assert_eq!(r.code, Some(0), "{}", r.err());
    assert_eq!(std::fs::read_to_string(&out).unwrap(), format!("{OUT_HEADER}\nr1,{OUT_100}\n"));
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.contains(".tmp")), "{names:?}");
    // A device is written directly.
    let r = ocop(&with_fixture(&["bulk", &good, "--out", "/dev/null"]), Input::Nothing);
    assert_eq!(r.code, Some(0), "{}", r.err());
    let r = ocop(&with_fixture(&["bulk", &good, "--out", "/dev/full"]), Input::Nothing);
    assert_eq!(r.code, Some(1));
    assert!(r.err().contains("error[io]: /dev/full"), "{}", r.err());
}

/// `--strict` and row numbers count records: a quoted line break in an id makes one row of two
/// lines, and the rows after it keep their numbers.
#[test]
fn strict_and_row_numbers_count_records() {
    let text = format!("{HEADER}\n\"two\nlines\",{ROW_100}\nbad,99-2030,02,q,b,yes\nr3,{ROW_10}\n");
    let r = ocop(&with_fixture(&["bulk", "-", "--strict"]), Input::Bytes(text.clone().into_bytes()));
    assert_eq!(r.code, Some(1));
    assert_eq!(
        records(&r.out()),
        vec![records(OUT_HEADER)[0].clone(), {
            let mut row = vec!["two\nlines".to_string()];
            row.extend(OUT_100.split(',').map(str::to_string));
            row
        }]
    );
    assert!(r.err().contains("row 3: column 1.1"), "{}", r.err());
    assert!(r.err().contains("1 rows scored, 1 rejected (stopped at the first bad row"), "{}", r.err());
    let r = ocop(&with_fixture(&["bulk", "-"]), Input::Bytes(text.into_bytes()));
    assert_eq!(records(&r.out()).len(), 3);
    assert!(r.err().contains("row 3: column 1.1"), "{}", r.err());
    // A bad row of several lines says so.
    let text = format!("{HEADER}\n\"a\nb\",99-2030,02,q,b,yes\n");
    let r = ocop(&with_fixture(&["bulk", "-"]), Input::Bytes(text.into_bytes()));
    assert!(
        r.err().contains("row 2: column 1.1") && r.err().contains("the row spans lines 2–3"),
        "{}",
        r.err()
    );
}

/// A JSON Lines line longer than any buffer (70 MB, longer than the 64 MiB the old reader took at
/// a time) is one bad row: the rows after it keep their line numbers.
#[cfg(unix)]
#[test]
fn a_huge_jsonl_line_is_one_row() {
    let dir = folder("jsonl-huge");
    let input = jsonl_stdin(&dir);
    let good = r#"{"id": "g", "decision": "99-2030", "set": "02", "answers": {"1.1": "a", "2.1": "a", "3.1": "no"}}"#;
    let produce = move |w: &mut dyn Write| -> std::io::Result<()> {
        writeln!(w, "{good}")?;
        // 'ệ' is three bytes: a split at a buffer boundary would cut one.
        let block = "ệ".repeat(1 << 18);
        w.write_all(br#"{"id": ""#)?;
        for _ in 0..90 {
            w.write_all(block.as_bytes())?;
        }
        w.write_all(b"\"}\n")?;
        writeln!(w, "{{\"id\": 3}}")?;
        writeln!(w, "{good}")
    };
    let r =
        run(&with_fixture(&["bulk", &input]), Input::Stream(Box::new(produce)), Sink::Keep, Sink::Keep, 120);
    assert_eq!(r.out(), format!("{OUT_HEADER}\ng,{OUT_10}\ng,{OUT_10}\n"), "{}", r.err());
    assert!(r.err().contains("row 2: the line is 70778890 bytes"), "{}", r.err());
    assert!(r.err().contains("row 3: "), "{}", r.err());
    assert!(!r.err().contains("row 4"), "{}", r.err());
    assert!(r.err().contains("2 rows scored, 2 rejected"), "{}", r.err());
}

const COUNCIL: &str = r#"{"id": "c1", "decision": "99-2030", "set": "02", "members": [{"name": "An", "answers": {"1.1": "b", "2.1": "b", "3.1": "yes"}}, {"name": "Bình", "answers": {"1.1": "b", "2.1": "a", "3.1": "yes"}}]}"#;
const SINGLE: &str =
    r#"{"id": "s1", "decision": "99-2030", "set": "02", "answers": {"1.1": "a", "2.1": "a", "3.1": "no"}}"#;

/// `--trace` on a council row keeps the CSV header's shape (the council's trace: each member's
/// answer and the exact mean), and the JSON Lines council record carries its trace.
#[test]
fn trace_on_a_council_row_keeps_the_shape() {
    let dir = folder("council-trace");
    let input = write(&dir, "in.jsonl", format!("{COUNCIL}\n{SINGLE}\n"));
    let r = ocop(&with_fixture(&["bulk", &input, "--trace"]), Input::Nothing);
    assert_eq!(r.code, Some(0), "{}", r.err());
    let rows = records(&r.out());
    assert!(rows.iter().all(|row| row.len() == 10), "{rows:?}");
    // An: 50 + 30 + 20 = 100; Bình: 50 + 0 + 20 = 70. Means: A 50, B 15, C 20, total 85: band 5
    // (85 ≤ 85), the **** marker on 1.1 b met by the mean 50: 5 stars.
    assert_eq!(
        rows[1],
        ["c1", "85", "50", "15", "20", "5", "5", "", "", "1.1=b/b:50;2.1=b/a:15;3.1=yes/yes:20"]
    );
    // 1.1 a 10 + 2.1 a 0 + 3.1 no 0 = 10.
    assert_eq!(rows[2], ["s1", "10", "10", "0", "0", "1", "1", "", "", "1.1=a:10;2.1=a:0;3.1=no:0"]);
    let r = ocop(&with_fixture(&["bulk", &input, "--trace", "--format", "jsonl"]), Input::Nothing);
    let lines: Vec<serde_json::Value> = r.out().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines[0]["id"], "c1");
    let trace = lines[0]["trace"].as_array().unwrap();
    assert_eq!(trace.len(), 3);
    assert_eq!(trace[1]["members"][1]["answer"], "a");
    assert_eq!(lines[1]["trace"].as_array().unwrap().len(), 3);
}

/// Every CSV cell that comes from the input is quoted as needed, whatever it holds.
#[test]
fn csv_output_quotes_data() {
    let ids = ["a,b", "say \"hi\"", "two\nlines", "cr\rhere", " spaced ", "\"", ""];
    let mut text = format!("{HEADER}\n");
    let mut jsonl = String::new();
    for id in ids {
        text.push_str(&format!("\"{}\",{ROW_100}\n", id.replace('"', "\"\"")));
        jsonl.push_str(&COUNCIL.replace("\"c1\"", &serde_json::json!(id).to_string()));
        jsonl.push('\n');
    }
    let r = ocop(&with_fixture(&["bulk", "-", "--trace"]), Input::Bytes(text.into_bytes()));
    let rows = records(&r.out());
    assert_eq!(rows.len(), ids.len() + 1, "{}", r.err());
    for (row, id) in rows.iter().skip(1).zip(ids) {
        assert_eq!((row[0].as_str(), row.len()), (id, 10));
    }
    let dir = folder("quoting");
    let input = write(&dir, "in.jsonl", jsonl);
    let r = ocop(&with_fixture(&["bulk", &input, "--trace"]), Input::Nothing);
    let rows = records(&r.out());
    for (row, id) in rows.iter().skip(1).zip(ids) {
        assert_eq!((row[0].as_str(), row.len()), (id, 10));
    }
}

/// An id that is not UTF-8 is a bad row, not an id silently changed.
#[test]
fn a_non_utf8_id_is_a_bad_row() {
    let mut text = format!("{HEADER}\n").into_bytes();
    text.extend_from_slice(b"r\xff1,");
    text.extend_from_slice(format!("{ROW_100}\nr2,{ROW_100}\n").as_bytes());
    let r = ocop(&with_fixture(&["bulk", "-"]), Input::Bytes(text));
    assert_eq!(r.out(), format!("{OUT_HEADER}\nr2,{OUT_100}\n"));
    assert!(r.err().contains("row 2: column id: not UTF-8"), "{}", r.err());
}

// ---------------------------------------------------------------------------------------------
// 5. No misleading output.

/// One invalid UTF-8 byte on JSON Lines line 2 is line 2's error: line 1 is written, the run
/// goes on.
#[test]
fn invalid_utf8_in_jsonl_is_that_lines_error() {
    let dir = folder("jsonl-utf8");
    let mut text = format!("{SINGLE}\n").into_bytes();
    text.extend_from_slice(b"{\"id\": \"b\xffd\"}\n");
    text.extend_from_slice(format!("{SINGLE}\n").as_bytes());
    let input = write(&dir, "in.jsonl", text);
    let r = ocop(&with_fixture(&["bulk", &input]), Input::Nothing);
    assert_eq!(r.code, Some(1));
    assert_eq!(r.out(), format!("{OUT_HEADER}\ns1,{OUT_10}\ns1,{OUT_10}\n"));
    assert!(r.err().contains("row 2: ") && r.err().contains("UTF-8"), "{}", r.err());
    assert!(r.err().contains("2 rows scored, 1 rejected"), "{}", r.err());
}

/// A valid line longer than the reader's buffers, full of three-byte characters, is read whole.
#[test]
fn a_long_valid_jsonl_line_is_never_split() {
    let dir = folder("jsonl-long-valid");
    // Spaces first, so that the product name straddles the 64 KiB boundary of the buffer.
    let name = "ệ".repeat(20_000);
    let line = SINGLE.replace("\"id\": \"s1\"", &format!("{}\"product\": \"{name}\"", " ".repeat(40_000)));
    let input = write(&dir, "in.jsonl", format!("{line}\n{line}"));
    let r = ocop(&with_fixture(&["bulk", &input, "--format", "jsonl"]), Input::Nothing);
    assert_eq!(r.code, Some(0), "{}", r.err());
    let rows: Vec<serde_json::Value> = r.out().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|row| row["id"] == name.as_str() && row["total"] == "10"));
}

/// An unterminated quote is reported where it starts, and does not swallow the rows after it.
#[test]
fn an_unterminated_quote_does_not_swallow_rows() {
    let text = format!("{HEADER}\n\"r1,{ROW_100}\nr2,{ROW_100}\nr3,{ROW_10}\n");
    let r = ocop(&with_fixture(&["bulk", "-"]), Input::Bytes(text.into_bytes()));
    assert_eq!(r.code, Some(1));
    assert!(r.err().contains("row 2: unterminated quoted field starting at row 2 (line 2)"), "{}", r.err());
    assert_eq!(r.out(), format!("{OUT_HEADER}\nr2,{OUT_100}\nr3,{OUT_10}\n"), "{}", r.err());
    assert!(!r.err().contains("row 3: ") && r.err().contains("2 rows scored, 1 rejected"), "{}", r.err());
    // On the last row: nothing after it to read again.
    let text = format!("{HEADER}\nr1,{ROW_100}\n\"r2,{ROW_100}");
    let r = ocop(&with_fixture(&["bulk", "-"]), Input::Bytes(text.into_bytes()));
    assert_eq!(r.out(), format!("{OUT_HEADER}\nr1,{OUT_100}\n"));
    assert!(r.err().contains("row 3: unterminated quoted field starting at row 3 (line 3)"), "{}", r.err());
}

/// A product name with a line break and escape sequences cannot forge a line of the score
/// sheet or reach the terminal.
#[test]
fn the_score_sheet_escapes_input() {
    let dir = folder("sheet-escape");
    let name = "Mật ong\nFINAL CLASS: 5 stars\u{1b}[2J\u{1b}]0;pwned\u{7}\r";
    let sheet = serde_json::json!({"decision": "99-2030", "set": "02", "product": name,
        "answers": {"1.1": "a", "2.1": "a", "3.1": "no"}});
    let file = write(&dir, "one.json", sheet.to_string());
    let r = ocop(&with_fixture(&["score", &file]), Input::Nothing);
    assert_eq!(r.code, Some(0), "{}", r.err());
    assert!(!has_escape_bytes(&r.stdout), "{}", r.out());
    let out = r.out();
    let finals: Vec<&str> = out.lines().filter(|l| l.starts_with("FINAL CLASS")).collect();
    assert_eq!(finals, ["FINAL CLASS: 1 star"], "{out}");
    assert!(
        out.contains("Product:   Mật ong\\nFINAL CLASS: 5 stars\\u{1b}[2J\\u{1b}]0;pwned\\u{7}\\r"),
        "{out}"
    );
    // JSON stays JSON, with the name intact.
    let r = ocop(&with_fixture(&["score", &file, "--format", "json"]), Input::Nothing);
    let v: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
    assert_eq!(v["product"], name);
    // A council's member names appear on many lines of the sheet (members, parts by member,
    // totals, the spread): none may break.
    let council = serde_json::json!({"decision": "99-2030", "set": "02", "members": [
        {"name": "An\nFINAL CLASS: 5 stars\u{1b}[2J", "answers": {"1.1": "b", "2.1": "b", "3.1": "yes"}},
        {"name": "Bình\r\u{9b}31m", "answers": {"1.1": "b", "2.1": "a", "3.1": "yes"}}]});
    // YAML (which reads the JSON) takes C1 controls only as escapes.
    let file = write(&dir, "council.json", council.to_string().replace('\u{9b}', "\\u009b"));
    let r = ocop(&with_fixture(&["score", &file]), Input::Nothing);
    assert_eq!(r.code, Some(0), "{}", r.err());
    let out = r.out();
    assert!(!has_escape_bytes(&r.stdout) && !out.contains('\u{9b}'), "{out}");
    let finals: Vec<&str> = out.lines().filter(|l| l.starts_with("FINAL CLASS")).collect();
    // An 100, Bình 70: mean 85, band 5, the **** marker on 1.1 b met: 5 stars.
    assert_eq!(finals, ["FINAL CLASS: 5 stars"], "{out}");
    assert!(out.lines().any(|l| l.starts_with("Council spread:") && l.contains("An\\nFINAL CLASS")), "{out}");
    // JSON: C1 controls, which serde leaves raw, are written as escapes; the value is the same.
    let r = ocop(&with_fixture(&["score", &file, "--format", "json"]), Input::Nothing);
    assert!(!r.out().contains('\u{9b}'), "{}", r.out());
    let v: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
    assert_eq!(v["council"]["members"][1]["name"], "Bình\r\u{9b}31m");
}

/// `ocop check`, `test` and `list` escape what comes from rule and case files.
#[test]
fn check_test_and_list_escape_input() {
    let root = folder("rules-escape");
    let dir = root.join("99-2030");
    std::fs::create_dir_all(dir.join("cases")).unwrap();
    let decision = include_str!("fixtures/future/99-2030/decision.yaml")
        .replace("title_en: A made-up future decision for tests", "title_en: \"Made up\\e[31m\\nFINAL\"");
    std::fs::write(dir.join("decision.yaml"), &decision).unwrap();
    std::fs::write(dir.join("02.yaml"), include_str!("fixtures/future/99-2030/02-nho.yaml")).unwrap();
    let case = "name: \"bad\\e[2J\\ncase\"\nassessment:\n  decision: 99-2030\n  set: \"02\"\n  answers: {\"1.1\": a, \"2.1\": a, \"3.1\": \"no\"}\nexpect:\n  total: 11\n";
    std::fs::write(dir.join("cases").join("c\u{1b}[31m.yaml"), case).unwrap();
    let rules = root.to_string_lossy().into_owned();
    // 99-2030 supersedes 26-2026, which must be loaded beside it (ruling 12).
    let r = ocop(&["--rules", &rules, "--with-shipped", "list"], Input::Nothing);
    assert_eq!(r.code, Some(0), "{}", r.err());
    assert!(!has_escape_bytes(&r.stdout) && r.out().contains("Made up\\u{1b}[31m\\nFINAL"), "{}", r.out());
    assert!(!r.out().lines().any(|l| l.starts_with("FINAL")), "{}", r.out());
    let r = ocop(&["--rules", &rules, "--with-shipped", "test", &rules], Input::Nothing);
    assert_eq!(r.code, Some(1), "{}", r.err());
    assert!(!has_escape_bytes(&r.stdout), "{}", r.out());
    assert!(r.out().contains("c\\u{1b}[31m.yaml") && r.out().contains("bad\\u{1b}[2J\\ncase"), "{}", r.out());
    // A rule file whose field name and file name hold escapes.
    let form = include_str!("fixtures/future/99-2030/02-nho.yaml").replacen(
        "name_en: Small test set",
        "\"na\\e]0;x\\ame\\nerror\": 1",
        1,
    );
    std::fs::write(dir.join("0\u{1b}[1m3.yaml"), form).unwrap();
    let r = ocop(&["check", &rules], Input::Nothing);
    assert_eq!(r.code, Some(1));
    assert!(!has_escape_bytes(&r.stdout) && !has_escape_bytes(&r.stderr), "{}", r.out());
    assert!(r.out().contains("0\\u{1b}[1m3.yaml"), "{}", r.out());
    assert!(!r.out().lines().any(|l| l.starts_with("error\"")), "{}", r.out());
}

/// Bulk's bad-row messages escape cells, ids and keys.
#[test]
fn bulk_messages_escape_input() {
    let text =
        format!("{HEADER}\n\"x\ny\",99-2030,02,\u{1b}[31mq,b,yes\nr2,99-2030,02\u{1b}]0;t\u{7},b,b,yes\n");
    let r = ocop(&with_fixture(&["bulk", "-"]), Input::Bytes(text.into_bytes()));
    assert!(!has_escape_bytes(&r.stderr), "{}", r.err());
    assert!(r.err().contains("row 2: column 1.1: criterion 1.1 has no option `\\u{1b}[31mq`"), "{}", r.err());
    assert!(r.err().contains("row 3: ") && r.err().contains("\\u{1b}]0;t\\u{7}"), "{}", r.err());
    assert_eq!(r.err().lines().count(), 3, "{}", r.err());
    let dir = folder("bulk-escape");
    let input = write(
        &dir,
        "in.jsonl",
        "{\"id\": \"a\", \"decision\": \"99-2030\", \"set\": \"02\", \"answers\": {\"1.1\": \"\\u001b[31m\\nq\", \"2.1\": \"a\", \"3.1\": \"no\"}}\n",
    );
    let r = ocop(&with_fixture(&["bulk", &input]), Input::Nothing);
    assert!(!has_escape_bytes(&r.stderr), "{}", r.err());
    assert!(r.err().contains("\\u{1b}[31m\\nq"), "{}", r.err());
    assert_eq!(r.err().lines().count(), 2, "{}", r.err());
}

/// The tool's own messages escape file names and arguments.
#[test]
fn cli_messages_escape_input() {
    let r = ocop(&["score", "no\u{1b}]0;pwned\u{7}\nerror: forged.yaml"], Input::Nothing);
    assert_eq!(r.code, Some(1));
    assert!(!has_escape_bytes(&r.stderr), "{}", r.err());
    assert_eq!(r.err().lines().count(), 1, "{}", r.err());
    let r = ocop(&["bulk", "no\u{1b}[2Jsuch.csv"], Input::Nothing);
    assert!(!has_escape_bytes(&r.stderr) && r.err().contains("no\\u{1b}[2Jsuch.csv"), "{}", r.err());
    let r = ocop(&["test", "no\u{1b}[2Jsuch"], Input::Nothing);
    assert!(!has_escape_bytes(&r.stderr), "{}", r.err());
    let r = ocop(&["score", "--format", "\u{1b}[2Jjson", "x.yaml"], Input::Nothing);
    assert_eq!(r.code, Some(2));
    assert!(!has_escape_bytes(&r.stderr), "{}", r.err());
    let r = ocop(&["generate", "--decision", "\u{1b}[2J"], Input::Nothing);
    assert!(!has_escape_bytes(&r.stderr), "{}", r.err());
}

// ---------------------------------------------------------------------------------------------
// The library engine under tiny limits: every cap holds exactly, and chunks of one row keep
// order and strict mode.

mod engine {
    use super::*;
    use ocop_rating::bulk::{self, Error, InputFormat, Limits, Options, OutFormat};
    use ocop_rating::{Catalog, CatalogBuilder};

    fn catalog() -> Catalog {
        CatalogBuilder::new()
            .file("99-2030", "99-2030/decision.yaml", crate::common::decision_alone())
            .file("99-2030", "99-2030/02.yaml", include_str!("fixtures/future/99-2030/02-nho.yaml"))
            .build()
            .unwrap()
    }

    fn bulk(
        input: &str,
        format: InputFormat,
        limits: Limits,
        strict: bool,
    ) -> (Result<bulk::Summary, Error>, String, Vec<(u64, String)>) {
        let opts = Options { strict, limits, ..Options::new("in", format) };
        let mut out = Vec::new();
        let mut bad = Vec::new();
        let r = bulk::run(&catalog(), input.as_bytes(), &mut out, &opts, &mut bad);
        (r, String::from_utf8(out).unwrap(), bad)
    }

    #[test]
    fn one_row_chunks_keep_order_and_strict() {
        let limits = Limits { chunk_rows: 1, chunk_bytes: 1, ..Limits::default() };
        let mut text = format!("{HEADER}\n");
        let mut want = format!("{OUT_HEADER}\n");
        for i in 0..50 {
            text.push_str(&format!("r{i},{}\n", if i % 2 == 0 { ROW_100 } else { ROW_10 }));
            want.push_str(&format!("r{i},{}\n", if i % 2 == 0 { OUT_100 } else { OUT_10 }));
        }
        let (r, out, bad) = bulk(&text, InputFormat::Csv, limits.clone(), false);
        assert_eq!((r.unwrap().scored, out, bad.len()), (50, want, 0));
        let text = text.replace("r7,99-2030,02,a", "r7,99-2030,02,q");
        let (r, out, bad) = bulk(&text, InputFormat::Csv, limits, true);
        let s = r.unwrap();
        assert_eq!((s.scored, s.rejected, s.stopped), (7, 1, true));
        assert_eq!(out.lines().count(), 8);
        assert_eq!(bad[0].0, 9);
    }

    #[test]
    fn every_cap_holds_exactly() {
        let limits = Limits {
            field_bytes: 8,
            record_bytes: 30,
            line_bytes: 120,
            skip_bytes: 1000,
            ..Limits::default()
        };
        // Cells of 8 bytes (as `decision` in the header) pass, 9 do not; a record of 30 bytes
        // passes, 31 do not.
        let text = format!(
            "{HEADER}\nabcdefgh,{ROW_100}\nabcdefghi,{ROW_100}\nr,99-2030,02      ,b    ,b,yes\nr,99-2030,02      ,b    ,b,yes \n"
        );
        let (r, out, bad) = bulk(&text, InputFormat::Csv, limits.clone(), false);
        r.unwrap();
        assert_eq!(out, format!("{OUT_HEADER}\nabcdefgh,{OUT_100}\nr,{OUT_100}\n"));
        assert_eq!(bad.iter().map(|b| b.0).collect::<Vec<_>>(), [3, 5], "{bad:?}");
        // A JSON Lines line of 120 bytes passes, 121 does not.
        let line = |n: usize| format!("{}{}", SINGLE, " ".repeat(n - SINGLE.len()));
        let (r, out, bad) =
            bulk(&format!("{}\n{}\n", line(120), line(121)), InputFormat::Jsonl, limits.clone(), false);
        r.unwrap();
        assert_eq!(out.lines().count(), 2, "{bad:?}");
        assert_eq!(bad[0].0, 2);
        // Past the skip limit the run ends.
        let (r, _, _) = bulk(&format!("{}\n", "x".repeat(1001)), InputFormat::Jsonl, limits.clone(), false);
        assert!(matches!(r, Err(Error::Limit(_))), "{r:?}");
        let (r, _, _) = bulk(&format!("{HEADER}\n\"{}", "x".repeat(1001)), InputFormat::Csv, limits, false);
        assert!(matches!(r, Err(Error::Limit(_))), "{r:?}");
        // Columns.
        let (r, _, _) = bulk(
            &format!("{HEADER},x\n"),
            InputFormat::Csv,
            Limits { columns: 6, ..Limits::default() },
            false,
        );
        assert!(matches!(r, Err(Error::Header(_))), "{r:?}");
    }

    /// A decision whose parts are not A, B, C: the CSV output's columns cannot hold its result,
    /// so the row is refused there (never written with part D dropped); JSON Lines has them all.
    #[test]
    fn parts_that_do_not_fit_the_csv_columns_are_refused() {
        let decision = crate::common::decision_alone()
            .replace("parts: {A: 50, B: 30, C: 20}", "parts: {A: 50, B: 30, C: 10, D: 10}");
        let form = include_str!("fixtures/future/99-2030/02-nho.yaml").replace("max: 20", "max: 10")
            + "  D:\n    title_vi: KHÁC\n    name_en: Other\n    max: 10\n    sections:\n      \"4\":\n        \
               title_vi: KHÁC\n        name_en: Other\n        max: 10\n        criteria:\n          \"4.1\":\n            \
               title_vi: Khác\n            name_en: Other\n            max: 10\n            kind: yes_no\n";
        let catalog = CatalogBuilder::new()
            .file("99-2030", "99-2030/decision.yaml", decision.as_str())
            .file("99-2030", "99-2030/02.yaml", form.as_str())
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        // 1.1 b 50 + 2.1 b 30 + 3.1 yes 10 + 4.1 yes 10 = 100.
        let text = "id,decision,set,1.1,2.1,3.1,4.1\nr,99-2030,02,b,b,yes,yes\n";
        let run = |format| {
            let opts = Options { format, ..Options::new("in", InputFormat::Csv) };
            let (mut out, mut bad) = (Vec::new(), Vec::new());
            bulk::run(&catalog, text.as_bytes(), &mut out, &opts, &mut bad).unwrap();
            (String::from_utf8(out).unwrap(), bad)
        };
        let (out, bad) = run(OutFormat::Csv);
        assert_eq!(out, format!("{OUT_HEADER}\n"));
        assert_eq!(bad.len(), 1);
        assert!(bad[0].1.contains("has the parts A, B, C, D"), "{bad:?}");
        let (out, bad) = run(OutFormat::Jsonl);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!((v["total"].as_str(), v["parts"]["D"].as_str(), bad.len()), (Some("100"), Some("10"), 0));
    }

    #[test]
    fn the_output_format_is_independent_of_the_input() {
        let opts = Options { format: OutFormat::Jsonl, ..Options::new("in", InputFormat::Csv) };
        let mut out = Vec::new();
        let mut bad = Vec::new();
        let text = format!("{HEADER}\n\"a,\"\"b\"\"\",{ROW_100}\n");
        bulk::run(&catalog(), text.as_bytes(), &mut out, &opts, &mut bad).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!((v["id"].as_str(), v["total"].as_str()), (Some("a,\"b\""), Some("100")));
    }
}

// ---------------------------------------------------------------------------------------------
// 6. The bulk fuzz target's corpus (fuzz/corpus/bulk_input), replayed on stable.

/// Each corpus input through the engine exactly as `fuzz/fuzz_targets/bulk_input.rs` does: no
/// panic, and the counts agree with what was written and reported.
#[test]
fn bulk_fuzz_corpus_never_panics() {
    use ocop_rating::bulk::{self, InputFormat, Limits, Options, OutFormat};
    let catalog = ocop_rating::CatalogBuilder::new()
        .embedded()
        .file("99-2030", "99-2030/decision.yaml", include_str!("fixtures/future/99-2030/decision.yaml"))
        .file("99-2030", "99-2030/01.yaml", include_str!("fixtures/future/99-2030/01-thu-nghiem.yaml"))
        .file("99-2030", "99-2030/02.yaml", include_str!("fixtures/future/99-2030/02-nho.yaml"))
        .build()
        .unwrap();
    let mut corpus = 0;
    for entry in std::fs::read_dir("fuzz/corpus/bulk_input").unwrap() {
        let data = std::fs::read(entry.unwrap().path()).unwrap();
        corpus += 1;
        let Some((&mode, input)) = data.split_first() else { continue };
        let opts = Options {
            format: if mode & 2 == 0 { OutFormat::Jsonl } else { OutFormat::Csv },
            trace: mode & 4 != 0,
            strict: mode & 8 != 0,
            limits: Limits {
                line_bytes: 4096,
                field_bytes: 256,
                record_bytes: 4096,
                chunk_rows: 7,
                chunk_bytes: 2048,
                plan_keys: 4,
                skip_bytes: 1 << 16,
                ..Limits::default()
            },
            ..Options::new("fuzz", if mode & 1 == 0 { InputFormat::Csv } else { InputFormat::Jsonl })
        };
        let mut out = Vec::new();
        let mut bad = Vec::new();
        if let Ok(summary) = bulk::run(&catalog, input, &mut out, &opts, &mut bad) {
            assert_eq!(summary.rejected, bad.len() as u64);
            if opts.format == OutFormat::Jsonl {
                assert_eq!(summary.scored, out.iter().filter(|b| **b == b'\n').count() as u64);
            }
            assert!(bad.iter().all(|(_, m)| !m.contains('\n') && !m.contains('\u{1b}')), "{bad:?}");
        }
    }
    assert!(corpus > 0);
}
