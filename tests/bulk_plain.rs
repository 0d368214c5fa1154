//! The bulk CSV reader takes a plain line (no quote, ended by `\n` or `\r\n`, within the caps)
//! straight from its read buffer and leaves the cells to be split by the scoring tasks; every
//! other record goes through the full scanner. The two must read every row alike.
//!
//! Each input here is written twice: as plain lines, and with every cell in quotes, which sends
//! every record through the full scanner (a quoted cell holds the same text). Both must give the
//! same output bytes and the same bad rows, with the same numbers and messages. The rows are
//! random sheets of every 26/2026 form and of 1048's set 26 (which needs `lodged_on`), with
//! mistakes a spreadsheet makes: spaces around keys, capitals, unknown keys, empty and extra
//! cells, a missing cell, a cell of another set, `\r\n` line ends, blank lines, bytes that are
//! not UTF-8, and an unknown decision.

use ocop_rating::bulk::{self, InputFormat};
use ocop_rating::generate::{SheetGenerator, lodging_window};
use ocop_rating::{Catalog, CriterionKind, Form};

/// One row's cells (without line end), and the line end and blank lines written after it.
struct Row {
    cells: Vec<Vec<u8>>,
    end: &'static [u8],
}

fn header(forms: &[&Form]) -> Vec<String> {
    let mut columns: Vec<String> = vec!["id".into(), "decision".into(), "set".into(), "lodged_on".into()];
    for form in forms {
        for c in form.leaves() {
            if !columns.iter().any(|x| x == c.id()) {
                columns.push(c.id().to_string());
            }
        }
    }
    columns
}

/// A random row of `form` under `columns`, perhaps with a mistake.
fn row(g: &mut SheetGenerator, form: &Form, columns: &[String], n: usize) -> Row {
    let keys = g.keys(form);
    let mut cells: Vec<Vec<u8>> = columns
        .iter()
        .map(|column| match column.as_str() {
            "id" => format!("p{n}").into_bytes(),
            "decision" => form.decision().key().as_bytes().to_vec(),
            "set" => form.set().as_bytes().to_vec(),
            "lodged_on" => match lodging_window(form) {
                Some((first, last)) if form.decision().key() != "26-2026" => {
                    g.day_between(first, last).to_string().into_bytes()
                }
                _ => Vec::new(),
            },
            id => form
                .leaves()
                .position(|c| c.id() == id)
                .map_or(Vec::new(), |leaf| keys[leaf].clone().into_bytes()),
        })
        .collect();
    let answered: Vec<usize> = (4..cells.len()).filter(|&i| !cells[i].is_empty()).collect();
    let empty: Vec<usize> = (4..cells.len()).filter(|&i| cells[i].is_empty()).collect();
    let pick = |g: &mut SheetGenerator, from: &[usize]| from[g.below(from.len())];
    match g.below(24) {
        0 => {
            let i = pick(g, &answered);
            cells[i] = [b"  ", &cells[i][..], b" "].concat();
        }
        1 => {
            let i = pick(g, &answered);
            cells[i] = cells[i].to_ascii_uppercase();
        }
        2 => cells[pick(g, &answered)] = b"z".to_vec(),
        3 => cells[pick(g, &answered)] = Vec::new(),
        4 => cells.push(b"x".to_vec()),
        5 => {
            cells.pop();
        }
        6 if !empty.is_empty() => cells[pick(g, &empty)] = b"a".to_vec(),
        7 => cells[0] = vec![b'p', 0xff, b'q'],
        8 => cells[pick(g, &answered)] = vec![0xc3],
        9 => cells[1] = b"27-2030".to_vec(),
        10 => cells[pick(g, &answered)] = b" none ".to_vec(),
        11 => cells[pick(g, &answered)] = b"\t".to_vec(),
        _ => {}
    }
    let end: &'static [u8] = match g.below(8) {
        0 => b"\r\n",
        1 => b"\n\n",
        2 => b"\r\n\r\n",
        _ => b"\n",
    };
    Row { cells, end }
}

/// The input written with plain cells, or with every cell quoted.
fn text(columns: &[String], rows: &[Row], quoted: bool) -> Vec<u8> {
    let mut out = columns.join(",").into_bytes();
    out.push(b'\n');
    for r in rows {
        for (i, cell) in r.cells.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            if quoted {
                out.push(b'"');
            }
            out.extend_from_slice(cell);
            if quoted {
                out.push(b'"');
            }
        }
        out.extend_from_slice(r.end);
    }
    out
}

fn run(catalog: &Catalog, input: &[u8], chunk_rows: usize) -> (Vec<u8>, Vec<(u64, String)>, bulk::Summary) {
    let mut options = bulk::Options::new("rows.csv", InputFormat::Csv);
    options.limits.chunk_rows = chunk_rows;
    let (mut out, mut bad) = (Vec::new(), Vec::new());
    let summary = bulk::run(catalog, input, &mut out, &options, &mut bad).unwrap();
    (out, bad, summary)
}

#[test]
fn plain_lines_read_as_the_full_scanner_reads_them() {
    let catalog = Catalog::embedded().unwrap();
    let mut forms: Vec<&Form> = catalog.forms_of("26-2026").iter().collect();
    forms.extend(catalog.forms_of("1048-2019").iter().filter(|f| f.set() == "26"));
    let columns = header(&forms);
    let mut g = SheetGenerator::new(2026);
    let rows: Vec<Row> = (0..3000).map(|n| row(&mut g, forms[n % forms.len()], &columns, n)).collect();
    let (plain, quoted) = (text(&columns, &rows, false), text(&columns, &rows, true));
    let reference = run(&catalog, &quoted, 4096);
    // Bad rows of every kind were met, and good rows were scored.
    assert!(reference.2.scored > 1500 && reference.2.rejected > 300, "{:?}", reference.2);
    for chunk_rows in [4096, 7, 1] {
        let (out, bad, summary) = run(&catalog, &plain, chunk_rows);
        assert_eq!(summary, reference.2, "chunks of {chunk_rows} rows");
        assert_eq!(bad, reference.1, "chunks of {chunk_rows} rows");
        assert!(out == reference.0, "chunks of {chunk_rows} rows: the outputs differ");
    }
}

/// A line longer than the read buffer, or than the caps, is left to the full scanner, which
/// reports the caps as before.
#[test]
fn long_lines_keep_their_caps() {
    let catalog = Catalog::embedded().unwrap();
    let form = catalog.form("26-2026", "01", None).unwrap();
    let columns = header(&[form]);
    let mut g = SheetGenerator::new(7);
    let mut rows: Vec<Row> = (0..20).map(|n| row(&mut g, form, &columns, n)).collect();
    rows[3].cells[0] = vec![b'x'; 70 << 10]; // over the 64 KiB cell cap
    rows[5].cells[0] = vec![b'y'; 200 << 10]; // over the read buffer, under the record cap
    let plain = text(&columns, &rows, false);
    let (_, bad, _) = run(&catalog, &plain, 4096);
    let messages: Vec<&str> = bad.iter().map(|(_, m)| m.as_str()).collect();
    assert!(bad.iter().any(|(row, m)| *row == 5 && m.contains("longer than 65536 bytes")), "{messages:?}");
    assert!(bad.iter().any(|(row, _)| *row == 7), "{messages:?}");
}

/// The cells a spreadsheet may hold for a criterion: the reader sets the common ones (one
/// letter, `none`) in place and gives the rest to `Sheet::set_leaf_key`; either way a row must
/// score as the ordinary reader scores the same answers, and be refused when it refuses them.
#[test]
fn every_cell_reads_as_the_ordinary_reader_reads_it() {
    use ocop_rating::Assessment;
    const CELLS: [&str; 16] =
        ["a", "b", "c", "d", "e", "f", "A", " b", "none", "None", "yes", "no", "\t", "z", "a+b", "ab"];
    let catalog = Catalog::embedded().unwrap();
    let mut g = SheetGenerator::new(99);
    let mut checked = (0, 0);
    for (f, form) in catalog.forms().enumerate() {
        let ids: Vec<&str> = form.leaves().map(|c| c.id()).collect();
        let mut input = format!("id,decision,set,lodged_on,{}\n", ids.join(","));
        let mut expected = Vec::new();
        for n in 0..40 {
            let mut keys = g.keys(form);
            let changed = g.below(keys.len());
            keys[changed] = CELLS[(n + f) % CELLS.len()].to_string();
            let on = lodging_window(form).map(|(first, last)| g.day_between(first, last).to_string());
            let on = if form.decision().key() == "26-2026" { None } else { on };
            input.push_str(&format!(
                "r{n},{},{},{},{}\n",
                form.decision().key(),
                form.set(),
                on.clone().unwrap_or_default(),
                keys.join(",")
            ));
            // A cumulative criterion's cell `a+c` is the list `[a, c]` of the ordinary format.
            let answers: serde_json::Map<String, serde_json::Value> = form
                .leaves()
                .zip(&keys)
                .map(|(c, k)| {
                    let value = if c.kind() == CriterionKind::Cumulative && k.trim() != "none" {
                        k.trim().split('+').map(|p| serde_json::Value::from(p.trim())).collect()
                    } else {
                        serde_json::Value::from(k.as_str())
                    };
                    (c.id().to_string(), value)
                })
                .collect();
            let mut json =
                serde_json::json!({"decision": form.decision().key(), "set": form.set(), "answers": answers});
            if let Some(on) = &on {
                json["lodged_on"] = on.as_str().into();
            }
            let ordinary =
                Assessment::from_text("row.json", &json.to_string()).and_then(|a| catalog.score(&a));
            expected.push(ordinary.map(|s| {
                let o = s.outcome();
                let stars = o.stars().map_or(String::new(), |s| s.to_string());
                format!("r{n},{},{},{stars}", o.total(), o.band_stars())
            }));
        }
        let (out, bad, _) = run(&catalog, input.as_bytes(), 4096);
        let out = String::from_utf8(out).unwrap();
        let mut good = out.lines().skip(1);
        for (n, want) in expected.iter().enumerate() {
            let refused = bad.iter().any(|(row, _)| *row == n as u64 + 2);
            match want {
                Ok(want) => {
                    assert!(
                        !refused,
                        "{} set {} row {n}: refused: {bad:?}",
                        form.decision().key(),
                        form.set()
                    );
                    let line = good.next().unwrap();
                    let cells: Vec<&str> = line.split(',').collect();
                    let got = format!("{},{},{},{}", cells[0], cells[1], cells[5], cells[6]);
                    assert_eq!(&got, want, "{} set {}", form.decision().key(), form.set());
                    checked.0 += 1;
                }
                Err(e) => {
                    assert!(
                        refused,
                        "{} set {} row {n}: scored, but the ordinary reader says {e}",
                        form.decision().key(),
                        form.set()
                    );
                    checked.1 += 1;
                }
            }
        }
    }
    assert!(checked.0 > 1000 && checked.1 > 500, "{checked:?}");
}
