//! The rule files' citations resolve inside the repository.
//!
//! Every `reference/...` path cited anywhere under `rules/` (comments, `source:` strings, notes,
//! anomaly reasons, regression cases) must exist in `reference/`, and every line it cites
//! (`reference/X.txt, line N`, `lines N–M`, `lines N, M`, `reference/X.txt:N`) must be a line of that
//! file. A bare line citation (`line N`, `D line N`, `dòng N`) is read against the decision's
//! source text, the one named on the `# Source text: reference/...` line of the folder's
//! `decision.yaml`; a folder without one may not cite bare lines, and a `source:` string may never
//! (it must name its file). `NOTES-*.md` names must be notes in `reference/`. And nothing in the
//! maintained tree points outside the repository (the old shared folder, absolute paths).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The repository's `reference/` folder; its absence is a failure, not a skip.
fn reference_dir() -> PathBuf {
    let dir = root().join("reference");
    assert!(
        dir.is_dir(),
        "the legal reference material is missing: {} must hold the decisions' texts and the \
         transcriptions that the rule files cite (reference/README.md); restore it from git",
        dir.display()
    );
    dir
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// One citation of a line (or range) of a file, as written.
#[derive(Debug, PartialEq, Eq)]
struct Lines {
    first: usize,
    last: usize,
}

/// What one line of a rule file cites.
#[derive(Debug, Default, PartialEq, Eq)]
struct Cited {
    /// `reference/...` paths (without the `reference/` prefix) and the lines cited with them.
    paths: Vec<(String, Vec<Lines>)>,
    /// Line numbers cited without a file.
    bare: Vec<Lines>,
    /// `NOTES-*.md` names.
    notes: Vec<String>,
}

fn is_path_char(c: char) -> bool {
    !(c.is_whitespace() || ",;()\"'«»`[]{}".contains(c))
}

/// Reads `N`, `N–M`, `N-M`, `Nff.` and lists of them separated by `, ` at the start of `s`;
/// returns them and the number of bytes read.
fn line_numbers(s: &str) -> (Vec<Lines>, usize) {
    let mut found = Vec::new();
    let mut at = 0;
    loop {
        let digits = |from: usize| {
            let len = s[from..].chars().take_while(char::is_ascii_digit).count();
            (len > 0).then(|| (s[from..from + len].parse::<usize>().expect("digits"), from + len))
        };
        let Some((first, mut end)) = digits(at) else { break };
        let mut last = first;
        let range = ["–", "-"]
            .iter()
            .find_map(|dash| s[end..].strip_prefix(dash))
            .and_then(|rest| digits(s.len() - rest.len()));
        if let Some((n, e)) = range {
            last = n;
            end = e;
        }
        if s[end..].starts_with("ff.") {
            end += 3;
        }
        found.push(Lines { first, last });
        at = end;
        match s[at..].strip_prefix(", ") {
            Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit()) => at = s.len() - rest.len(),
            _ => break,
        }
    }
    (found, at)
}

/// Line numbers introduced by `line`/`lines`/`dòng` (optionally after `, ` or ` `) at the start
/// of `s`, and the bytes read; none when `s` does not start so.
fn introduced_lines(s: &str) -> (Vec<Lines>, usize) {
    for lead in [", ", " ", ""] {
        let Some(rest) = s.strip_prefix(lead) else { continue };
        for word in ["lines ", "line ", "dòng "] {
            if let Some(after) = rest.strip_prefix(word) {
                let (found, len) = line_numbers(after);
                if !found.is_empty() {
                    return (found, s.len() - after.len() + len);
                }
            }
        }
    }
    (Vec::new(), 0)
}

fn cited(line: &str) -> Cited {
    let mut out = Cited::default();
    let mut i = 0;
    while i < line.len() {
        let tail = &line[i..];
        let starts_word =
            line[..i].chars().next_back().is_none_or(|c| !(c.is_alphanumeric() || "/_-.".contains(c)));
        if starts_word && tail.starts_with("reference/") {
            let body = &tail["reference/".len()..];
            let mut len = body.find(|c: char| !is_path_char(c)).unwrap_or(body.len());
            // `reference/x.txt:120`: the colon starts a line number.
            let colon = body[..len].find(':');
            let mut lines = Vec::new();
            let mut used = "reference/".len();
            if let Some(c) = colon {
                let (found, n) = line_numbers(&body[c + 1..]);
                if !found.is_empty() {
                    lines = found;
                    used += c + 1 + n;
                    len = c;
                } else {
                    used += len;
                }
            } else {
                let path_len = len;
                // A sentence may end right after the path.
                len = body[..path_len].trim_end_matches('.').len();
                let (found, n) = introduced_lines(&body[path_len..]);
                lines = found;
                used += path_len + n;
            }
            let path = body[..len].trim_end_matches('/').to_string();
            out.paths.push((path, lines));
            i += used;
            continue;
        }
        if starts_word && ["line", "dòng"].iter().any(|w| tail.starts_with(w)) {
            let (found, n) = introduced_lines(tail);
            if !found.is_empty() {
                out.bare.extend(found);
                i += n;
                continue;
            }
        }
        if starts_word && tail.starts_with("NOTES-") {
            let len = tail.find(|c: char| !(c.is_alphanumeric() || c == '-')).unwrap_or(tail.len());
            out.notes.push(tail[..len].to_string());
            i += len;
            continue;
        }
        i += tail.chars().next().map_or(1, char::len_utf8);
    }
    out
}

/// The number of lines of each cited text file, read once.
struct Texts {
    reference: PathBuf,
    lines: BTreeMap<String, Result<Vec<bool>, String>>,
}

impl Texts {
    /// Whether each line of `path` (under `reference/`) has any text.
    fn lines(&mut self, path: &str) -> &Result<Vec<bool>, String> {
        let full = self.reference.join(path);
        self.lines.entry(path.to_string()).or_insert_with(|| {
            std::fs::read_to_string(&full)
                .map(|t| t.lines().map(|l| !l.trim().is_empty()).collect())
                .map_err(|e| format!("reference/{path}: {e}"))
        })
    }

    fn check(&mut self, path: &str, cited: &[Lines], at: &str, problems: &mut Vec<String>) {
        let full = self.reference.join(path);
        if path.is_empty() || !full.exists() {
            problems.push(format!("{at}: cites reference/{path}, which does not exist"));
            return;
        }
        if cited.is_empty() {
            return;
        }
        let lines = match self.lines(path) {
            Ok(lines) => lines,
            Err(e) => {
                problems.push(format!("{at}: cites lines of {e}"));
                return;
            }
        };
        for l in cited {
            if l.first == 0 || l.last < l.first || l.last > lines.len() {
                let shown = if l.first == l.last {
                    format!("line {}", l.first)
                } else {
                    format!("lines {}–{}", l.first, l.last)
                };
                problems.push(format!(
                    "{at}: cites {shown} of reference/{path}, which has {} lines",
                    lines.len()
                ));
            } else if !lines[l.first - 1] {
                problems.push(format!("{at}: cites line {} of reference/{path}, which is blank", l.first));
            }
        }
    }
}

/// The source text a decision folder's bare line citations refer to: the `reference/...` path on
/// its decision file's `# Source text:` line.
fn source_text(folder: &Path) -> Option<String> {
    let text = std::fs::read_to_string(folder.join("decision.yaml")).ok()?;
    let line = text.lines().take_while(|l| l.starts_with('#')).find(|l| l.starts_with("# Source text:"))?;
    cited(line).paths.into_iter().next().map(|(p, _)| p)
}

fn rel(path: &Path) -> String {
    path.strip_prefix(root()).unwrap_or(path).display().to_string()
}

#[test]
fn every_citation_in_the_rule_files_resolves_in_reference() {
    let reference = reference_dir();
    let mut texts = Texts { reference: reference.clone(), lines: BTreeMap::new() };
    let mut problems = Vec::new();
    let (mut paths, mut lines, mut bare) = (0, 0, 0);
    let rules = root().join("rules");
    let mut folders: Vec<PathBuf> = std::fs::read_dir(&rules)
        .expect("rules/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    folders.sort();
    assert!(!folders.is_empty(), "no decision folders in rules/");
    for folder in &folders {
        let text = source_text(folder);
        let mut files = Vec::new();
        files_under(folder, &mut files);
        for file in files.iter().filter(|f| f.extension().is_some_and(|e| e == "yaml" || e == "yml")) {
            let content = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            for (n, line) in content.lines().enumerate() {
                let at = format!("{}:{}", rel(file), n + 1);
                let c = cited(line);
                for (path, cited_lines) in &c.paths {
                    paths += 1;
                    lines += cited_lines.len();
                    texts.check(path, cited_lines, &at, &mut problems);
                }
                for note in &c.notes {
                    let name = if note.ends_with(".md") { note.clone() } else { format!("{note}.md") };
                    if !reference.join(&name).is_file() {
                        problems.push(format!("{at}: names {note}, which is not a note in reference/"));
                    }
                }
                if c.bare.is_empty() {
                    continue;
                }
                bare += c.bare.len();
                let key = line.trim_start().trim_start_matches("- ").split(':').next().unwrap_or("");
                if key.ends_with("source") {
                    problems.push(format!(
                        "{at}: a `{key}` citation names a line without its file (write reference/<file>, line N)"
                    ));
                } else if let Some(text) = &text {
                    texts.check(text, &c.bare, &at, &mut problems);
                } else {
                    problems.push(format!(
                        "{at}: cites a line without a file, and {}/decision.yaml names no `# Source text: reference/...`",
                        rel(folder)
                    ));
                }
            }
        }
    }
    println!("{paths} reference paths cited, {lines} with line numbers, {bare} bare line citations");
    assert!(paths > 0, "no reference/ citation found under rules/: the parser is broken");
    assert!(problems.is_empty(), "{} citation problem(s):\n{}", problems.len(), problems.join("\n"));
}

#[test]
fn nothing_points_outside_the_repository() {
    // Spelled in pieces so that this file does not match itself.
    let forbidden = [["shared", "/reference"].concat(), ["/wo", "rk/"].concat()];
    let mut files = Vec::new();
    for dir in ["rules", "src", "tests", "docs", ".ci"] {
        let dir = root().join(dir);
        if dir.is_dir() {
            files_under(&dir, &mut files);
        }
    }
    files.push(root().join("README.md"));
    let mut problems = Vec::new();
    for file in &files {
        let Ok(content) = std::fs::read_to_string(file) else { continue };
        for (n, line) in content.lines().enumerate() {
            for f in &forbidden {
                if line.contains(f.as_str()) {
                    problems.push(format!("{}:{}: `{f}`", rel(file), n + 1));
                }
            }
        }
    }
    assert!(problems.is_empty(), "paths outside the repository:\n{}", problems.join("\n"));
}

#[test]
fn the_citation_reader_reads_each_form() {
    let path = |p: &str, l: &[(usize, usize)]| {
        (p.to_string(), l.iter().map(|&(first, last)| Lines { first, last }).collect::<Vec<_>>())
    };
    let c = cited(r#"  source: "1048/QĐ-TTg, mục 1.1 (reference/1048-781/source/a.txt, line 5083)""#);
    assert_eq!(c.paths, [path("1048-781/source/a.txt", &[(5083, 5083)])]);
    let c =
        cited("(reference/a.txt, lines 224, 233–240, 257) and reference/b.txt:12; see reference/148-2023.");
    assert_eq!(
        c.paths,
        [
            path("a.txt", &[(224, 224), (233, 240), (257, 257)]),
            path("b.txt", &[(12, 12)]),
            path("148-2023", &[])
        ]
    );
    let c = cited("D line 5201 and (lines 2702ff.); NOTES-1048-crosscheck §3, reference/NOTES-1048-781.md");
    assert_eq!(c.bare, [Lines { first: 5201, last: 5201 }, Lines { first: 2702, last: 2702 }]);
    assert_eq!(c.notes, ["NOTES-1048-crosscheck"]);
    assert_eq!(c.paths, [path("NOTES-1048-781.md", &[])]);
    assert_eq!(cited("rules/reference/x and the «Bị loại khi» line").paths, []);
    assert_eq!(cited("the «Bị loại khi» line and no other").bare, []);
}

#[test]
fn a_citation_that_does_not_resolve_is_reported() {
    let reference = reference_dir();
    let mut texts = Texts { reference, lines: BTreeMap::new() };
    let mut problems = Vec::new();
    let length = match texts.lines("1048-781/source/qd-1048-2019-QD-TTg.txt") {
        Ok(lines) => lines.len(),
        Err(e) => panic!("{e}"),
    };
    texts.check("None", &[], "x", &mut problems);
    texts.check(
        "1048-781/source/qd-1048-2019-QD-TTg.txt",
        &[Lines { first: length + 1, last: length + 1 }],
        "y",
        &mut problems,
    );
    texts.check(
        "1048-781/source/qd-1048-2019-QD-TTg.txt",
        &[Lines { first: 5083, last: 5083 }],
        "z",
        &mut problems,
    );
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].starts_with("x: cites reference/None"), "{problems:?}");
    assert!(problems[1].starts_with("y: cites line "), "{problems:?}");
}
