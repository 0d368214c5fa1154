//! The printable HTML score sheet (`ocop_rating::html`): escaping, completeness against the
//! form, the numbers against the Report, councils, knock-outs and stops. The browser test
//! (tests/browser/check_sheets.py, run by .ci/run) checks the same sheets as printed.
#![cfg(feature = "html")]

use ocop_rating::html::{Lang, sheet};
use ocop_rating::report::{Exact, Report, ReportOptions};
use ocop_rating::{Assessment, Catalog, CriterionKind, Form};
use std::sync::OnceLock;

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| Catalog::embedded().expect("the shipped rules load"))
}

fn report(name: &str, yaml: &str) -> Report {
    let assessment = Assessment::from_text(name, yaml).expect("the assessment reads");
    catalog().report(&assessment, ReportOptions { trace: true }).expect("the assessment scores")
}

fn example() -> String {
    std::fs::read_to_string("examples/26-2026-01-rau-cai.yaml").expect("the example exists")
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("tests/browser/fixtures/{name}")).expect("the fixture exists")
}

/// Text as maud writes it into the page.
fn escaped(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// An exact figure as the Vietnamese sheet shows it.
fn shown(e: &Exact) -> String {
    e.to_string().replace('.', ",")
}

/// A sheet answering every criterion of `form` with the options of a seeded generator.
fn generated(form: &Form, seed: u64) -> String {
    let keys = ocop_rating::generate::SheetGenerator::new(seed).keys(form);
    let mut yaml = format!("decision: {}\nset: \"{}\"\nanswers:\n", form.decision().key(), form.set());
    for (c, key) in form.leaves().zip(keys) {
        let answer =
            if key.contains('+') { format!("[{}]", key.replace('+', ", ")) } else { format!("\"{key}\"") };
        yaml.push_str(&format!("  \"{}\": {answer}\n", c.id()));
    }
    yaml
}

#[test]
fn markup_in_a_product_or_member_name_comes_out_inert() {
    let hostile = example()
        .replace(
            "product: \"Rau cải ngọt — HTX Nông nghiệp Tân Lập\"",
            "product: \"<script>alert(1)</script>\\\"><img src=x onerror=alert(2)>\"",
        )
        .replace("answers:", "members:\n  - name: \"\\\"><img src=x onerror=alert(3)>\"\n    answers:")
        .lines()
        .map(|l| if l.starts_with("  \"") { format!("    {l}") } else { l.to_string() })
        .collect::<Vec<_>>()
        .join("\n");
    let r = report("<b>file</b>.yaml", &hostile);
    assert_eq!(r.product.as_deref(), Some("<script>alert(1)</script>\"><img src=x onerror=alert(2)>"));
    for lang in [Lang::Vi, Lang::En, Lang::Both] {
        let page = sheet(&r, lang);
        let lower = page.to_lowercase();
        assert!(!lower.contains("<script"), "no script element");
        assert!(!lower.contains("<img"), "no img element");
        assert!(!lower.contains("<b>file"), "the file name is escaped");
        assert!(
            page.contains(
                "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"
            )
        );
        assert!(page.contains("&quot;&gt;&lt;img src=x onerror=alert(3)&gt;"), "the member name is escaped");
        assert!(page.contains("&lt;b&gt;file&lt;/b&gt;.yaml"));
    }
}

#[test]
fn the_page_is_self_contained() {
    let page = sheet(&report("rau-cai.yaml", &example()), Lang::Vi);
    assert!(page.starts_with("<!DOCTYPE html>"));
    for fetch in ["src=", "href=", "url(", "@import", "<script", "<link"] {
        assert!(!page.contains(fetch), "the page fetches nothing: found {fetch}");
    }
    // The only URL is the SVG namespace, which is a name, not a fetch.
    assert_eq!(page.matches("http").count(), 1);
    assert!(page.contains("xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(page.contains("@page { size: A4;"));
    assert_eq!(page.matches("<section class=\"part").count(), 3, "one block per part, each a new page");
}

#[test]
fn every_criterion_and_every_option_of_each_26_2026_form_is_printed() {
    for (i, form) in catalog().forms_of("26-2026").iter().enumerate() {
        let r = report("generated.yaml", &generated(form, i as u64 + 1));
        let page = sheet(&r, Lang::Vi);
        for c in form.leaves() {
            assert!(
                page.contains(&format!("data-criterion=\"{}\"", escaped(c.id()))),
                "set {}: criterion {} is on the sheet",
                form.set(),
                c.id()
            );
            assert!(page.contains(&escaped(c.title_vi())), "set {}: title of {}", form.set(), c.id());
            for o in form.options(c) {
                assert!(
                    page.contains(&escaped(o.text_vi())),
                    "set {}: option {}{} is on the sheet: {}",
                    form.set(),
                    c.id(),
                    o.key(),
                    o.text_vi()
                );
            }
            if c.kind() == CriterionKind::YesNo {
                let block = page.split(&format!("data-criterion=\"{}\"", c.id())).nth(1).unwrap_or_default();
                assert!(block.contains("data-option=\"yes\"") && block.contains("data-option=\"no\""));
            }
        }
        // One tick per answered pick or yes/no criterion on a single sheet, none elsewhere.
        let ticked = page.matches("☑").count();
        let expected: usize = r
            .trace
            .iter()
            .flatten()
            .map(|e| if e.members[0].answer == "none" { 0 } else { e.members[0].answer.split('+').count() })
            .sum();
        assert_eq!(ticked, expected, "set {}: ticks", form.set());
    }
}

#[test]
fn the_numbers_on_the_page_are_the_reports() {
    for (name, yaml) in [
        ("single", example()),
        ("council", fixture("26-2026-01-council-7.yaml")),
        ("knocked-out", fixture("26-2026-01-knocked-out.yaml")),
    ] {
        let r = report(name, &yaml);
        let page = sheet(&r, Lang::Vi);
        assert!(page.contains(&format!("id=\"total\">{}<", shown(&r.total))), "{name}: total");
        for p in &r.parts {
            assert!(
                page.contains(&format!("data-part=\"{}\">{}<", p.id, shown(&p.points))),
                "{name}: part {}",
                p.id
            );
            assert!(page.contains(&format!("data-part-total=\"{}\">{}<", p.id, shown(&p.points))));
            assert!(page.contains(&format!("data-summary-part=\"{}\">{}<", p.id, shown(&p.points))));
        }
        for s in &r.sections {
            assert!(
                page.contains(&format!("data-section=\"{}\">{}<", s.id, shown(&s.points))),
                "{name}: section {}",
                s.id
            );
            assert!(page.contains(&format!("data-summary-section=\"{}\">{}<", s.id, shown(&s.points))));
        }
        for c in &r.criteria {
            // A section of one criterion is one row: its cell carries both.
            let merged =
                format!("data-criterion-points=\"{0}\" data-section=\"{0}\">{1}<", c.id, shown(&c.points));
            assert!(
                page.contains(&format!("data-criterion-points=\"{}\">{}<", c.id, shown(&c.points)))
                    || page.contains(&merged),
                "{name}: criterion {}",
                c.id
            );
        }
        match r.stars {
            Some(s) => {
                assert!(page.contains(&format!("id=\"stars\" data-stars=\"{s}\">{s}<")), "{name}: stars")
            }
            None => assert!(page.contains("id=\"stars\" data-stars=\"\">KHÔNG ĐẠT<")),
        }
        assert!(page.contains(&format!("id=\"band\" data-stars=\"{}\"", r.band_stars)));
    }
    // The README's example: 61 points, 3 stars.
    let r = report("rau-cai.yaml", &example());
    let page = sheet(&r, Lang::Vi);
    assert!(page.contains("id=\"total\">61<") && page.contains("data-stars=\"3\">3<"));
}

#[test]
fn a_council_has_a_column_per_member_the_mean_and_the_spread_flag() {
    let r = report("council.yaml", &fixture("26-2026-01-council-7.yaml"));
    let council = r.council.as_ref().expect("a council");
    assert_eq!(council.members.len(), 7);
    assert!(council.spread_exceeded, "the fixture's spread is over the limit");
    let page = sheet(&r, Lang::Vi);
    let head = page.split("<thead>").nth(1).and_then(|h| h.split("</thead>").next()).unwrap_or_default();
    assert_eq!(head.matches("class=\"m\"").count(), 7, "one column per member");
    assert!(head.contains("Trung bình"), "and the mean");
    for (i, m) in council.members.iter().enumerate() {
        assert!(page.contains(&escaped(&m.name)));
        let total = m.total.normalize().to_string().replace('.', ",");
        assert!(
            page.contains(&format!("data-member-total=\"{}\"><b>{total}</b>", i + 1)),
            "member {} total",
            i + 1
        );
    }
    // Every criterion row has each member's points.
    for e in r.trace.iter().flatten() {
        let block = page.split(&format!("data-criterion=\"{}\"", e.criterion)).nth(1).unwrap_or_default();
        let row = block.split("</tr>").find(|r| r.contains("c-row")).unwrap_or_default();
        assert_eq!(row.matches("class=\"num mv\"").count(), 7, "criterion {}", e.criterion);
    }
    let spread = council.spread.normalize().to_string().replace('.', ",");
    assert!(page.contains(&format!("id=\"spread\">{spread}<")));
    assert!(page.contains("id=\"spread-flag\""), "the spread over the limit is flagged");
    assert!(page.contains("id=\"spread-banner\""), "on the first page too");
    assert!(page.contains("CÁC THÀNH VIÊN HỘI ĐỒNG"));
    // A council within the limit shows no flag.
    let calm = fixture("26-2026-01-council-7.yaml")
        .replace("\"1.5\": d", "\"1.5\": b")
        .replace("\"2.2\": d", "\"2.2\": c");
    let calm = calm
        .replace("\"4.1\": c", "\"4.1\": b")
        .replace("\"5.2\": c", "\"5.2\": b")
        .replace("\"6.3\": d", "\"6.3\": c");
    let r = report("calm.yaml", &calm);
    assert!(!r.council.as_ref().expect("a council").spread_exceeded);
    assert!(!sheet(&r, Lang::Vi).contains("spread-flag"));
}

#[test]
fn a_knocked_out_sheet_says_so_with_the_reason() {
    let r = report("ko.yaml", &fixture("26-2026-01-knocked-out.yaml"));
    let k = r.knockout.as_ref().expect("knocked out");
    assert_eq!(r.stars, None);
    let page = sheet(&r, Lang::Vi);
    assert!(page.contains("id=\"knockout-banner\""));
    assert!(page.contains(&escaped(&k.text_vi)));
    assert!(page.contains("KHÔNG ĐẠT"));
    assert!(page.contains(&format!("nếu không bị loại: {} sao", r.class_after_minimums)));
    assert!(page.contains("Không cấp Giấy chứng nhận"));
}

#[test]
fn a_stopped_sheet_shows_where_and_greys_what_was_not_evaluated() {
    let text =
        std::fs::read_to_string("rules/26-2026/cases/01-impurities-stop.yaml").expect("the case exists");
    let case: serde_yaml::Value = serde_yaml::from_str(&text).expect("the case reads");
    let yaml = serde_yaml::to_string(&case["assessment"]).expect("it writes");
    let r = report("stop.yaml", &yaml);
    let stopped = r.stopped.as_ref().expect("stopped");
    assert_eq!(stopped.criterion, "6.1");
    let page = sheet(&r, Lang::Vi);
    assert!(page.contains("id=\"stop-banner\""));
    let at = page.split("data-criterion=\"6.1\"").nth(1).unwrap_or_default();
    let at = at.split("</tbody>").next().unwrap_or_default();
    assert!(at.contains("stop-here"), "the stop is marked on 6.1");
    for later in ["6.2", "7", "12"] {
        assert!(
            page.contains(&format!("class=\"blk crit ne\" data-criterion=\"{later}\"")),
            "{later} is greyed"
        );
        let block = page.split(&format!("data-criterion=\"{later}\"")).nth(1).unwrap_or_default();
        assert!(block.contains("Không đánh giá: dừng tại tiêu chí 6.1"), "{later} says why");
    }
    // The minimums the stop missed are shown unmet, and the class held by them.
    for l in &r.limited_by {
        assert!(page.contains(&format!("data-limit=\"{}\"", l.criterion)));
    }
    assert!(page.contains("class=\"mk unmet\""));
}

#[test]
fn english_and_both_show_the_english_names() {
    let r = report("rau-cai.yaml", &example());
    let en = sheet(&r, Lang::En);
    let both = sheet(&r, Lang::Both);
    let vi = sheet(&r, Lang::Vi);
    let part = &r.parts[0];
    assert!(en.contains("OCOP PRODUCT SCORE SHEET") && en.contains(&escaped(&part.name_en)));
    assert!(en.contains("lang=\"en\""));
    assert!(both.contains("PHIẾU ĐÁNH GIÁ SẢN PHẨM OCOP") && both.contains("OCOP PRODUCT SCORE SHEET"));
    assert!(both.contains(&escaped(&part.title_vi)) && both.contains(&escaped(&part.name_en)));
    assert!(!vi.contains("OCOP PRODUCT SCORE SHEET"));
    // Options are the law's text: Vietnamese in every language.
    let option = &r.trace.as_ref().expect("trace")[0].options[0].text_vi;
    assert!(en.contains(&escaped(option)));
    assert_eq!("both".parse::<Lang>(), Ok(Lang::Both));
    assert!("fr".parse::<Lang>().is_err());
}

#[test]
fn without_a_trace_the_sheet_prints_the_summary() {
    let assessment = Assessment::from_text("rau-cai.yaml", &example()).expect("reads");
    let r = catalog().report(&assessment, ReportOptions { trace: false }).expect("scores");
    let page = sheet(&r, Lang::Vi);
    assert!(page.contains("id=\"total\">61<"));
    assert!(!page.contains("data-criterion="));
}

#[test]
fn control_characters_in_input_are_written_as_text() {
    let text = example().replace(
        "product: \"Rau cải ngọt — HTX Nông nghiệp Tân Lập\"",
        "product: \"Rau \\e[31mđỏ\\e[0m\\u0007\"",
    );
    let page = sheet(&report("rau-cai.yaml", &text), Lang::Vi);
    assert!(!page.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r')));
    assert!(page.contains("Rau \\u{1b}[31mđỏ\\u{1b}[0m\\u{7}"));
}
