//! Excel in and out of the bulk engine (issue 15, section 3): a workbook written here with
//! rust_xlsxwriter is read by `xlsx::Workbook::run` and must give exactly what the CSV path gives
//! on the same rows; cells typed as numbers and dates; numeric headers; bad rows located by
//! sheet and Excel row; the limits; the xlsx output read back with calamine; the CLI.
#![cfg(feature = "excel")]

use calamine::{Data, Reader, Xlsx};
use ocop_rating::bulk::{self, InputFormat, Options};
use ocop_rating::generate::{SheetGenerator, lodging_window};
use ocop_rating::xlsx::{self, Limits, Workbook, XlsxOut, number_text};
use ocop_rating::{Catalog, Form};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook as Writer};
use std::io::Cursor;
use std::process::Command;

type Grid = (Vec<String>, Vec<Vec<String>>);

fn catalog() -> Catalog {
    Catalog::embedded().expect("the shipped rules load")
}

/// Rows of every form of the three decisions (`per_form` each), with a `lodged_on` in each
/// form's window, and the union of their criterion ids as columns.
fn generated(catalog: &Catalog, per_form: usize, seed: u64) -> Grid {
    let forms: Vec<(&Form, _)> = ["1048-2019", "148-2023", "26-2026"]
        .iter()
        .flat_map(|d| catalog.forms_of(d).iter())
        .filter_map(|f| lodging_window(f).map(|w| (f, w)))
        .collect();
    let mut ids: Vec<String> = Vec::new();
    for (f, _) in &forms {
        for c in f.leaves() {
            if !ids.iter().any(|i| i == c.id()) {
                ids.push(c.id().to_string());
            }
        }
    }
    let mut header: Vec<String> =
        ["id", "decision", "set", "lodged_on"].iter().map(|s| s.to_string()).collect();
    header.extend(ids.iter().cloned());
    let mut g = SheetGenerator::new(seed);
    let mut rows = Vec::new();
    for (n, (form, (first, last))) in forms.iter().cycle().take(forms.len() * per_form).enumerate() {
        let mut row = vec![String::new(); header.len()];
        row[0] = format!("p{n}");
        row[1] = form.decision().key().to_string();
        row[2] = form.set().to_string();
        // A dossier is judged by the decision in force on its lodging day (ruling 12): 148's
        // forms apply to dossiers lodged before 26/2026 came into force.
        let last = match catalog.decision_on(*last, None, false) {
            Ok(d) if d.key() != form.decision().key() => d.in_force_from().add_days(-1),
            _ => *last,
        };
        row[3] = g.day_between(*first, last).to_string();
        for (c, key) in form.leaves().zip(g.keys(form)) {
            let col = 4 + ids.iter().position(|i| i == c.id()).unwrap();
            row[col] = key;
        }
        rows.push(row);
    }
    (header, rows)
}

fn csv_text(header: &[String], rows: &[Vec<String>]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header).unwrap();
    for r in rows {
        w.write_record(r).unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

/// How a cell is typed in the workbook.
#[derive(Clone, Copy)]
enum Typed {
    Text,
    Number,
    Date,
}

/// A workbook whose sheet `name` holds `header` and `rows` from row `first_row` (0-based), each
/// cell typed by `typed(row, col, text)`; an empty cell is not written; `blank_after` rows get
/// an empty row after them.
fn workbook(
    sheets: &[(&str, &Grid)],
    first_row: u32,
    blank_after: &[usize],
    typed: impl Fn(usize, usize, &str) -> Typed,
) -> Vec<u8> {
    let mut book = Writer::new();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (name, (header, rows)) in sheets {
        let sheet = book.add_worksheet();
        sheet.set_name(*name).unwrap();
        let mut excel_row = first_row;
        let all = std::iter::once(header).chain(rows.iter());
        for (i, cells) in all.enumerate() {
            for (col, text) in cells.iter().enumerate() {
                if text.is_empty() {
                    continue;
                }
                let c = col as u16;
                match typed(i, col, text) {
                    Typed::Text => sheet.write_string(excel_row, c, text).map(|_| ()),
                    Typed::Number => {
                        sheet.write_number(excel_row, c, text.parse::<f64>().unwrap()).map(|_| ())
                    }
                    Typed::Date => sheet
                        .write_datetime_with_format(
                            excel_row,
                            c,
                            ExcelDateTime::parse_from_str(text).unwrap(),
                            &date,
                        )
                        .map(|_| ()),
                }
                .unwrap();
            }
            excel_row += 1;
            if i > 0 && blank_after.contains(&(i - 1)) {
                excel_row += 1;
            }
        }
    }
    book.save_to_buffer().unwrap()
}

type Run = (String, Vec<(u64, String)>, bulk::Summary);

fn run_csv(catalog: &Catalog, text: &str) -> Run {
    let mut out = Vec::new();
    let mut bad = Vec::new();
    let opts = Options::new("t.csv", InputFormat::Csv);
    let summary = bulk::run(catalog, text.as_bytes(), &mut out, &opts, &mut bad).unwrap();
    (String::from_utf8(out).unwrap(), bad, summary)
}

fn run_xlsx(
    catalog: &Catalog,
    bytes: &[u8],
    sheet: Option<&str>,
    limits: &Limits,
) -> Result<Run, bulk::Error> {
    let book =
        Workbook::from_reader(Cursor::new(bytes.to_vec()), bytes.len() as u64, "t.xlsx", sheet, limits)?;
    let mut out = Vec::new();
    let mut bad = Vec::new();
    let opts = Options::new("t.xlsx", InputFormat::Csv);
    let summary = book.run(catalog, &mut out, &opts, &mut bad)?;
    Ok((String::from_utf8(out).unwrap(), bad, summary))
}

/// A date column is typed as a date; a numeric id as a number; the rest as text.
fn natural(_row: usize, col: usize, text: &str) -> Typed {
    if col == 3 && text.len() == 10 && text.as_bytes()[4] == b'-' {
        Typed::Date
    } else if col == 0 && text.parse::<u64>().is_ok() {
        Typed::Number
    } else {
        Typed::Text
    }
}

#[test]
fn a_workbook_scores_exactly_as_the_same_rows_in_csv() {
    let catalog = catalog();
    let (header, mut rows) = generated(&catalog, 3, 11);
    // Numeric ids (typed as numbers in the workbook), and two bad rows.
    for (i, row) in rows.iter_mut().enumerate().step_by(7) {
        row[0] = (1000 + i).to_string();
    }
    rows[5][4] = "zz".into();
    rows[9][1] = "27-2030".into();
    let decisions: std::collections::BTreeSet<&str> = rows.iter().map(|r| r[1].as_str()).collect();
    assert!(decisions.is_superset(&["1048-2019", "148-2023", "26-2026"].into()), "{decisions:?}");
    let grid = (header, rows);
    let csv = run_csv(&catalog, &csv_text(&grid.0, &grid.1));
    let book = workbook(&[("Sheet1", &grid)], 0, &[], natural);
    let xlsx = run_xlsx(&catalog, &book, None, &Limits::default()).unwrap();
    assert_eq!(csv.2.rejected, 2);
    assert!(csv.2.scored > 200, "{:?}", csv.2);
    assert_eq!(xlsx.0, csv.0, "the outputs differ");
    assert_eq!(xlsx.1, csv.1, "the rejections differ");
    assert_eq!(xlsx.2, csv.2);
}

#[test]
fn cells_typed_as_numbers_read_as_a_person_typed_them() {
    assert_eq!(number_text(2.0), "2");
    assert_eq!(number_text(1.1), "1.1");
    // The 17-digit form some writers store for a typed 1.1 (the same number as 1.1).
    assert_eq!(number_text("1.1000000000000001".parse().unwrap()), "1.1");
    assert_eq!(number_text(1.100_000_000_000_002), "1.1");
    assert_eq!(number_text(0.1 + 0.2), "0.3");
    assert_eq!(number_text(-7.25), "-7.25");
    assert_eq!(number_text(123456789.0), "123456789");
    // An answer typed as a number is the text of that number, rejected as in CSV; a set typed
    // as the number 1 is `1`, not `01` (the message says which sets exist), as in CSV.
    let catalog = catalog();
    let (header, rows) = generated(&catalog, 3, 5);
    let mut rows: Vec<Vec<String>> =
        rows.into_iter().filter(|r| r[1] == "26-2026" && r[2] == "01").take(3).collect();
    rows[0][4] = "2".into();
    rows[1][2] = "1".into();
    let grid = (header, rows);
    let csv = run_csv(&catalog, &csv_text(&grid.0, &grid.1));
    let numbers = |_: usize, col: usize, text: &str| {
        if (col, text) == (4, "2") || (col, text) == (2, "1") { Typed::Number } else { natural(0, col, text) }
    };
    let xlsx = run_xlsx(&catalog, &workbook(&[("Sheet1", &grid)], 0, &[], numbers), None, &Limits::default())
        .unwrap();
    assert_eq!(csv.1.len(), 2, "{:?}", csv.1);
    assert!(csv.1[0].1.contains("`2`"), "{:?}", csv.1);
    assert_eq!(xlsx.1, csv.1);
    assert_eq!(xlsx.0, csv.0);
}

#[test]
fn a_numeric_header_naming_a_criterion_is_read_and_one_naming_none_is_an_error() {
    let catalog = catalog();
    let (header, rows) = generated(&catalog, 1, 3);
    let rows: Vec<Vec<String>> = rows.into_iter().filter(|r| r[1] == "26-2026").take(5).collect();
    assert_eq!(rows.len(), 5);
    let grid = (header.clone(), rows.clone());
    let csv = run_csv(&catalog, &csv_text(&grid.0, &grid.1));
    // 1.1, 2.1 and 10 typed as numbers name criteria: the same results.
    let numeric_ids = |row: usize, col: usize, text: &str| {
        if row == 0 && ["1.1", "2.1", "10"].contains(&text) { Typed::Number } else { natural(row, col, text) }
    };
    let xlsx =
        run_xlsx(&catalog, &workbook(&[("Sheet1", &grid)], 0, &[], numeric_ids), None, &Limits::default());
    assert_eq!(xlsx.unwrap().0, csv.0);
    // A number that names no criterion.
    let mut bad_header = header.clone();
    let col = bad_header.iter().position(|h| h == "1.1").unwrap();
    bad_header[col] = "9.9".into();
    let grid = (bad_header, rows.clone());
    let typed = |row: usize, col: usize, text: &str| {
        if row == 0 && text == "9.9" { Typed::Number } else { natural(row, col, text) }
    };
    let err = run_xlsx(&catalog, &workbook(&[("Sheet1", &grid)], 0, &[], typed), None, &Limits::default())
        .expect_err("an error")
        .to_string();
    let letter = xlsx::column_letters(col as u32);
    assert!(err.contains(&format!("Sheet1!{letter}1 is the number 9.9, which names no criterion")), "{err}");
    assert!(err.contains("entered as text"), "{err}");
    // A number repeating another header (1.10 typed as a number is 1.1).
    let mut twice = header.clone();
    twice.push("1.1".into());
    let rows2: Vec<Vec<String>> =
        rows.iter().map(|r| r.iter().cloned().chain([String::new()]).collect()).collect();
    let last = twice.len() - 1;
    let grid = (twice, rows2);
    let typed = move |row: usize, col: usize, text: &str| {
        if row == 0 && col == last { Typed::Number } else { natural(row, col, text) }
    };
    let err = run_xlsx(&catalog, &workbook(&[("Sheet1", &grid)], 0, &[], typed), None, &Limits::default())
        .expect_err("an error")
        .to_string();
    assert!(err.contains("is the number 1.1, the same as column"), "{err}");
}

#[test]
fn a_bad_row_is_located_by_its_excel_row() {
    let catalog = catalog();
    let (header, rows) = generated(&catalog, 1, 9);
    let mut rows: Vec<Vec<String>> = rows.into_iter().filter(|r| r[1] == "148-2023").take(8).collect();
    assert_eq!(rows.len(), 8);
    // Header on Excel row 2 (row 1 empty); an empty row after data rows 1 and 2: data row 4
    // (0-based) is on Excel row 2 + 1 + 4 + 2 = 9.
    rows[4][4] = "zz".into();
    let grid = (header, rows);
    let book = workbook(&[("Other", &grid), ("Sổ 2", &grid)], 1, &[1, 2], natural);
    let (_, bad, summary) = run_xlsx(&catalog, &book, Some("Sổ 2"), &Limits::default()).unwrap();
    assert_eq!(summary.rejected, 1);
    assert_eq!(bad[0].0, 9, "{bad:?}");
    let err = run_xlsx(&catalog, &book, Some("Nope"), &Limits::default()).err().unwrap().to_string();
    assert!(err.contains("no sheet `Nope`") && err.contains("Other, Sổ 2"), "{err}");
}

#[test]
fn a_workbook_over_a_limit_is_refused() {
    let catalog = catalog();
    let grid = generated(&catalog, 1, 4);
    let book = workbook(&[("Sheet1", &grid)], 0, &[], natural);
    let limits = |f: fn(&mut Limits)| {
        let mut l = Limits::default();
        f(&mut l);
        l
    };
    for (l, says) in [
        (limits(|l| l.file_bytes = 1000), "xlsx::Limits::file_bytes"),
        (limits(|l| l.whole_parts_bytes = 1000), "xlsx::Limits::whole_parts_bytes"),
        (limits(|l| l.cells = 500), "xlsx::Limits::cells"),
    ] {
        match run_xlsx(&catalog, &book, None, &l) {
            Err(e @ bulk::Error::Limit(_)) => assert!(e.to_string().contains(says), "{e}"),
            other => panic!("{says}: {:?}", other.map(|r| r.2)),
        }
    }
}

/// A cell read back from the output workbook, as the CSV output writes it.
fn text_of(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) => number_text(*f),
        Data::Int(i) => i.to_string(),
        other => panic!("unexpected cell {other:?}"),
    }
}

#[test]
fn the_xlsx_output_reads_back_as_the_csv_output() {
    let catalog = catalog();
    let (header, mut rows) = generated(&catalog, 2, 21);
    rows[0][0] = "id, with \"quotes\"\nand a line".into();
    let text = csv_text(&header, &rows);
    let (csv_out, _, _) = run_csv(&catalog, &text);
    let mut out = XlsxOut::new(None).unwrap();
    let mut bad = Vec::new();
    let opts = Options::new("t.csv", InputFormat::Csv);
    bulk::run(&catalog, text.as_bytes(), &mut out, &opts, &mut bad).unwrap();
    let mut bytes = Vec::new();
    out.finish(&mut bytes).unwrap();
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
    assert_eq!(book.sheet_names(), ["results"]);
    let range = book.worksheet_range("results").unwrap();
    let mut expected = csv::Reader::from_reader(csv_out.as_bytes());
    let want_header: Vec<String> = expected.headers().unwrap().iter().map(String::from).collect();
    let mut got = range.rows();
    let got_header: Vec<String> = got.next().unwrap().iter().map(text_of).collect();
    assert_eq!(got_header, want_header);
    let mut n = 0;
    for (want, got) in expected.records().zip(got) {
        let want: Vec<String> = want.unwrap().iter().map(String::from).collect();
        let mut got: Vec<String> = got.iter().map(text_of).collect();
        got.resize(want.len(), String::new());
        assert_eq!(got, want);
        // Totals and classes are numbers in the workbook.
        assert!(matches!(range.get((n + 1, 1)), Some(Data::Float(_))), "{:?}", range.get((n + 1, 1)));
        n += 1;
    }
    assert_eq!(n, rows.len());
    assert_eq!(range.height(), rows.len() + 1);
}

fn ocop(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ocop")).args(args).output().unwrap()
}

#[test]
fn the_cli_reads_and_writes_workbooks_and_writes_the_round_report() {
    let catalog = catalog();
    let (header, rows) = generated(&catalog, 1, 17);
    let mut rows: Vec<Vec<String>> = rows.into_iter().take(12).collect();
    rows[3][4] = "zz".into();
    let grid = (header, rows);
    let dir = std::env::temp_dir().join(format!("ocop-excel-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("in.xlsx");
    std::fs::write(&input, workbook(&[("First", &grid), ("Đợt 2", &grid)], 0, &[], natural)).unwrap();
    let csv_in = dir.join("in.csv");
    std::fs::write(&csv_in, csv_text(&grid.0, &grid.1)).unwrap();
    let out = dir.join("out.xlsx");
    let report = dir.join("round.html");
    let run = ocop(&[
        "bulk",
        input.to_str().unwrap(),
        "--sheet",
        "Đợt 2",
        "--out",
        out.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("Đợt 2!row 5: column "), "{stderr}");
    assert!(stderr.contains("11 rows scored, 1 rejected"), "{stderr}");
    let mut book: Xlsx<_> = calamine::open_workbook(&out).unwrap();
    assert_eq!(book.worksheet_range("results").unwrap().height(), 12);
    let page = std::fs::read_to_string(&report).unwrap();
    assert!(page.contains("Đợt 2!row 5"), "the report names the rejected row");
    // The same rows as CSV, to standard output: the same results.
    let from_csv = ocop(&["bulk", csv_in.to_str().unwrap()]);
    let from_xlsx = ocop(&["bulk", input.to_str().unwrap(), "--sheet", "Đợt 2"]);
    assert_eq!(String::from_utf8_lossy(&from_xlsx.stdout), String::from_utf8_lossy(&from_csv.stdout));
    // Usage errors.
    let no_sheet = ocop(&["bulk", input.to_str().unwrap(), "--sheet", "Nope"]);
    assert!(!no_sheet.status.success());
    assert!(String::from_utf8_lossy(&no_sheet.stderr).contains("no sheet `Nope`"));
    let jsonl =
        ocop(&["bulk", csv_in.to_str().unwrap(), "--format", "jsonl", "--out", out.to_str().unwrap()]);
    assert!(!jsonl.status.success());
    assert!(String::from_utf8_lossy(&jsonl.stderr).contains("cannot go to a workbook"));
    let sheet_of_csv = ocop(&["bulk", csv_in.to_str().unwrap(), "--sheet", "x"]);
    assert!(String::from_utf8_lossy(&sheet_of_csv.stderr).contains("is not an .xlsx workbook"));
    std::fs::remove_dir_all(&dir).ok();
}
