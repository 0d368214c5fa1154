//! `ocop bulk --advise` (issue 12): every row gets the plan to the next class in one line. The
//! plan is checked the way a consultant would use it: its changes are typed into the row, the
//! row is scored again by the ordinary bulk path, and it must reach the class and the total the
//! line promised.

mod common;
use ocop_rating::bulk::{self, InputFormat, Options};
use ocop_rating::{Catalog, generate::SheetGenerator};

fn catalog() -> &'static Catalog {
    static CATALOG: std::sync::LazyLock<Catalog> =
        std::sync::LazyLock::new(|| Catalog::embedded().unwrap_or_else(|e| panic!("{e}")));
    &CATALOG
}

/// Generated rows of every current form of `decision` (`ocop generate`'s CSV layout).
fn rows(decision: &str, n: usize, seed: u64) -> String {
    let forms: Vec<_> =
        catalog().forms_of(decision).iter().filter(|f| f.in_force_until().is_none()).collect();
    let ids = common::criterion_columns(&forms);
    let mut w = csv::Writer::from_writer(Vec::new());
    let dated = forms.iter().any(|f| f.in_force_from().is_some());
    let mut header = vec!["id", "decision", "set"];
    if dated {
        header.push("lodged_on");
    }
    header.extend(ids.iter().copied());
    w.write_record(&header).unwrap_or_else(|e| panic!("{e}"));
    let mut g = SheetGenerator::new(seed);
    for i in 0..n {
        let form = forms[i % forms.len()];
        let mut row = vec![String::new(); header.len()];
        row[0] = format!("r{i}");
        row[1] = decision.to_string();
        row[2] = form.set().to_string();
        if dated {
            row[3] = form.in_force_from().map_or("2023-01-01".to_string(), |d| d.to_string());
        }
        for (c, key) in form.leaves().zip(g.keys(form)) {
            let col = header.iter().position(|h| *h == c.id()).unwrap_or_else(|| panic!("{}", c.id()));
            row[col] = key;
        }
        w.write_record(&row).unwrap_or_else(|e| panic!("{e}"));
    }
    String::from_utf8(w.into_inner().unwrap_or_else(|e| panic!("{e}"))).unwrap_or_else(|e| panic!("{e}"))
}

fn run(input: &str, advise: bool) -> Vec<csv::StringRecord> {
    let opts = Options { advise, ..Options::new("rows.csv", InputFormat::Csv) };
    let mut out = Vec::new();
    let mut events: Vec<(u64, String)> = Vec::new();
    bulk::run(catalog(), input.as_bytes(), &mut out, &opts, &mut events).unwrap_or_else(|e| panic!("{e}"));
    assert!(events.is_empty(), "{events:?}");
    let mut reader = csv::Reader::from_reader(out.as_slice());
    reader.records().map(|r| r.unwrap_or_else(|e| panic!("{e}"))).collect()
}

/// A plan read back from its line: the class, the changes (criterion, new answer), the total.
type PlanLine = (u8, Vec<(String, String)>, String);

/// `4★: 1.2 b→d, 4.1 none→a+c → 70` or `4★ (reaches 5★): … → 91`.
fn parse_plan(advice: &str) -> Option<PlanLine> {
    let (head, rest) = advice.split_once(": ")?;
    let class = head.split('★').next()?.parse().ok()?;
    let reaches = head.split("(reaches ").nth(1).and_then(|r| r.split('★').next()?.parse().ok());
    let (changes, total) = rest.rsplit_once(" → ")?;
    let changes = changes
        .split(", ")
        .map(|c| {
            let (id, move_) = c.split_once(' ')?;
            let (_, to) = move_.split_once('→')?;
            Some((id.to_string(), to.to_string()))
        })
        .collect::<Option<Vec<_>>>()?;
    Some((reaches.unwrap_or(class), changes, total.to_string()))
}

#[test]
fn every_plan_typed_back_into_its_row_reaches_what_it_promised() {
    let mut checked = 0;
    for decision in ["1048-2019", "148-2023", "26-2026"] {
        let input = rows(decision, 120, 41);
        let advised = run(&input, true);
        let plain = run(&input, false);
        assert_eq!(advised.len(), 120, "{decision}");
        let mut lines: Vec<Vec<String>> = csv::Reader::from_reader(input.as_bytes())
            .records()
            .map(|r| r.unwrap_or_else(|e| panic!("{e}")).iter().map(str::to_string).collect())
            .collect();
        let header: Vec<String> = csv::Reader::from_reader(input.as_bytes())
            .headers()
            .unwrap_or_else(|e| panic!("{e}"))
            .iter()
            .map(str::to_string)
            .collect();
        for (i, (row, before)) in advised.iter().zip(&plain).enumerate() {
            // The advice column is added; every other column is the plain run's.
            assert_eq!(row.len(), before.len() + 1);
            assert!(row.iter().zip(before.iter()).all(|(a, b)| a == b), "{decision} row {i}");
            let advice = &row[row.len() - 1];
            assert!(!advice.is_empty(), "{decision} row {i}: no advice");
            let Some((class, changes, total)) = parse_plan(advice) else {
                assert!(advice.ends_with("reached") || advice.contains("unreachable"), "{advice}");
                continue;
            };
            for (id, to) in &changes {
                let col = header.iter().position(|h| h == id).unwrap_or_else(|| panic!("{id}"));
                lines[i][col] = to.clone();
            }
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(&header).unwrap_or_else(|e| panic!("{e}"));
            w.write_record(&lines[i]).unwrap_or_else(|e| panic!("{e}"));
            let one = String::from_utf8(w.into_inner().unwrap_or_else(|e| panic!("{e}"))).unwrap_or_default();
            let after = run(&one, false);
            let stars: u8 = after[0][6].parse().unwrap_or(0);
            assert_eq!(stars, class, "{decision} row {i}: `{advice}` gave {:?}", after[0]);
            assert_eq!(&after[0][1], total.as_str(), "{decision} row {i}: `{advice}`");
            assert!(class > before[6].parse::<u8>().unwrap_or(0), "{decision} row {i}: the next class");
            checked += 1;
        }
    }
    assert!(checked > 200, "only {checked} plans checked");
}
