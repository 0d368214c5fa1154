//! The printable score sheet ("Phiếu đánh giá"): one self-contained HTML page, printed from a
//! [`Report`] (feature `html`).
//!
//! The page needs nothing from the network: fonts come from the system stack, the style sheet
//! and the chart (inline SVG) are in the page, and there is no script. It prints on A4: the
//! header and part A on the first page, each later part on a new page, then the summary (totals,
//! band, class, minimums, knock-out, stop, award, the chart and the signature block). A council's
//! sheet has one column per member and the mean, the spread and a flag when it exceeds the limit.
//!
//! The sheet is a printer of the report: it shows what the report holds and derives nothing from
//! the form. Build the report with the trace (`ReportOptions { trace: true }`): without it the
//! sheet shows the totals but no criteria. Every text from input (product, member and file names)
//! and from the rule files is escaped by [maud](https://maud.lambda.xyz/), so a product name
//! cannot inject markup.
//!
//! ```
//! use ocop_rating::{Assessment, Catalog, html::{self, Lang}, report::ReportOptions};
//!
//! let catalog = Catalog::embedded()?;
//! let text = std::fs::read_to_string("examples/26-2026-01-rau-cai.yaml")?;
//! let assessment = Assessment::from_text("rau-cai.yaml", &text)?;
//! let report = catalog.report(&assessment, ReportOptions { trace: true })?;
//! let page = html::sheet(&report, Lang::Vi);
//! assert!(page.starts_with("<!DOCTYPE html>"));
//! assert!(page.contains("PHIẾU ĐÁNH GIÁ SẢN PHẨM OCOP"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::report::{Cell, Council, Exact, Limit, OptionLine, Report, Status, Subtotal, TraceEntry};
use maud::{DOCTYPE, Markup, PreEscaped, html};
use rust_decimal::Decimal;

/// The sheet's language: Vietnamese (the form as printed), English names, or both.
///
/// The printed texts of options, notes and knock-outs are the law's and stay in Vietnamese in
/// every language; `En` and `Both` change the labels and show the English names of parts,
/// sections and criteria. Numbers use a decimal comma in `Vi` and `Both`, a point in `En`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    /// Vietnamese, as the form is printed.
    #[default]
    Vi,
    /// English labels and names.
    En,
    /// Vietnamese first, English beside it.
    Both,
}

impl std::str::FromStr for Lang {
    type Err = String;

    /// `vi`, `en` or `both`.
    fn from_str(s: &str) -> Result<Lang, String> {
        match s {
            "vi" => Ok(Lang::Vi),
            "en" => Ok(Lang::En),
            "both" => Ok(Lang::Both),
            other => Err(format!("unknown language `{other}`: expected vi, en or both")),
        }
    }
}

/// The score sheet of `report` as one self-contained HTML page. See the [module](self).
///
/// Control characters in the input (an escape sequence in a product name) are written as
/// `\u{1b}` text: HTML has no use for them, and the page may be printed to a terminal.
pub fn sheet(report: &Report, lang: Lang) -> String {
    without_stray_controls(page(&Ctx::new(report, lang)).into_string())
}

/// `page` with every control character but line breaks and tabs written as `\u{1b}` text.
pub(crate) fn without_stray_controls(page: String) -> String {
    if !page.chars().any(stray_control) {
        return page;
    }
    let mut clean = String::with_capacity(page.len() + 16);
    for ch in page.chars() {
        if stray_control(ch) {
            clean.push_str(&format!("\\u{{{:x}}}", u32::from(ch)));
        } else {
            clean.push(ch);
        }
    }
    clean
}

fn stray_control(ch: char) -> bool {
    ch.is_control() && !matches!(ch, '\n' | '\t' | '\r')
}

/// What every part of the page needs: the report, the language and the number of sheets.
struct Ctx<'r> {
    r: &'r Report,
    lang: Lang,
    /// Member names, in member order (one for a single sheet).
    members: Vec<&'r str>,
    council: bool,
}

impl<'r> Ctx<'r> {
    fn new(r: &'r Report, lang: Lang) -> Ctx<'r> {
        let members: Vec<&str> = match (&r.council, r.trace.as_ref().and_then(|t| t.first())) {
            (Some(c), _) => c.members.iter().map(|m| m.name.as_str()).collect(),
            (None, Some(e)) => e.members.iter().map(|c| c.member.as_str()).collect(),
            (None, None) => vec![""],
        };
        let council = r.council.is_some() && members.len() > 1;
        Ctx { r, lang, members, council }
    }

    /// A label in the sheet's language.
    fn t(&self, vi: &'static str, en: &'static str) -> Markup {
        match self.lang {
            Lang::Vi => html! { (vi) },
            Lang::En => html! { (en) },
            Lang::Both => html! { (vi) span.en { " / " (en) } },
        }
    }

    /// A label as plain text (for attributes and the title).
    fn s(&self, vi: &'static str, en: &'static str) -> &'static str {
        if self.lang == Lang::En { en } else { vi }
    }

    /// A printed name and its English name.
    fn name(&self, vi: &str, en: &str) -> Markup {
        match self.lang {
            Lang::Vi => html! { (vi) },
            Lang::En if !en.is_empty() => html! { (en) },
            Lang::En => html! { (vi) },
            Lang::Both if en.is_empty() => html! { (vi) },
            Lang::Both => html! { (vi) span.en.block { (en) } },
        }
    }

    /// A printed name and its English name, on one line.
    fn name_inline(&self, vi: &str, en: &str) -> Markup {
        match self.lang {
            Lang::Both if !en.is_empty() => html! { (vi) span.en { " / " (en) } },
            _ => self.name(vi, en),
        }
    }

    /// A decimal with the language's separator.
    fn num(&self, d: Decimal) -> String {
        self.local(d.normalize().to_string())
    }

    /// An exact mean as shown: rounded to the decision's places, `≈` when rounding changed it.
    fn exact(&self, e: &Exact) -> String {
        self.local(e.to_string())
    }

    fn local(&self, s: String) -> String {
        if self.lang == Lang::En { s } else { s.replace('.', ",") }
    }

    /// A date as the language writes it.
    fn date(&self, d: &crate::Date) -> String {
        let iso = d.to_string();
        if self.lang == Lang::En {
            return iso;
        }
        let mut it = iso.splitn(3, '-');
        match (it.next(), it.next(), it.next()) {
            (Some(y), Some(m), Some(day)) => format!("{day}/{m}/{y}"),
            _ => iso,
        }
    }

    /// Columns after the text column: points, one per member (council), and the result.
    fn columns(&self) -> usize {
        if self.council { 4 + self.members.len() } else { 4 }
    }
}

fn page(c: &Ctx<'_>) -> Markup {
    let r = c.r;
    let title = match &r.product {
        Some(p) => format!("{} — {p}", c.s("Phiếu đánh giá sản phẩm OCOP", "OCOP score sheet")),
        None => c.s("Phiếu đánh giá sản phẩm OCOP", "OCOP score sheet").to_string(),
    };
    html! {
        (DOCTYPE)
        html lang=(if c.lang == Lang::En { "en" } else { "vi" }) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="generator" content=(concat!("ocop-rating ", env!("CARGO_PKG_VERSION")));
                title { (title) }
                style { (PreEscaped(PAGE_CSS)) (PreEscaped(CSS)) (PreEscaped(page_footer_css(c))) }
            }
            body {
                main.sheet data-format=(r.format) {
                    (header(c))
                    @if r.trace.is_none() {
                        p.notice { (c.t(
                            "Báo cáo không kèm chi tiết từng tiêu chí (trace): chỉ in phần tổng hợp.",
                            "The report carries no trace: only the summary is printed."
                        )) }
                    }
                    @for (i, part) in r.parts.iter().enumerate() {
                        (part_block(c, i, part))
                    }
                    (summary(c))
                }
            }
        }
    }
}

/// The page footer (CSS margin boxes): static words and page counters only, never input text.
fn page_footer_css(c: &Ctx<'_>) -> String {
    let (left, page) = match c.lang {
        Lang::Vi => ("Phiếu đánh giá sản phẩm OCOP", "Trang "),
        Lang::En => ("OCOP score sheet", "Page "),
        Lang::Both => ("Phiếu đánh giá sản phẩm OCOP / OCOP score sheet", "Trang / Page "),
    };
    format!(
        "@page{{@bottom-left{{content:\"{left}\";font-size:7.5pt;color:#555}}\
         @bottom-right{{content:\"{page}\" counter(page) \"/\" counter(pages);font-size:7.5pt;color:#555}}}}"
    )
}

// ---------------------------------------------------------------------------------------------
// Header

fn header(c: &Ctx<'_>) -> Markup {
    let r = c.r;
    let rs = &r.ruleset;
    let sha = rs.sha256.get(..12).unwrap_or(&rs.sha256);
    html! {
        header.head.blk {
            div.letterhead {
                div {
                    @if c.lang != Lang::En {
                        b { "HỘI ĐỒNG ĐÁNH GIÁ, PHÂN HẠNG" }
                        br;
                        b { "SẢN PHẨM OCOP" }
                    }
                    @if c.lang != Lang::Vi {
                        @if c.lang == Lang::Both { br; }
                        b.en[c.lang == Lang::Both] { "OCOP RATING COUNCIL" }
                    }
                    div.rule {}
                }
                div {
                    b { "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" }
                    br;
                    b.motto { "Độc lập - Tự do - Hạnh phúc" }
                    div.rule {}
                }
            }
            h1 { (c.t("PHIẾU ĐÁNH GIÁ SẢN PHẨM OCOP", "OCOP PRODUCT SCORE SHEET")) }
            p.sub {
                (c.t("Bộ sản phẩm", "Product set")) " " (rs.set) ": "
                (c.name(&rs.set_name_vi, &rs.set_name_en))
            }
            p.sub.small {
                "(" (c.t("Theo Quyết định số", "Under Decision No.")) " " (rs.number)
                @if !rs.decision_title_vi.is_empty() {
                    " — " (c.name_inline(&rs.decision_title_vi, &rs.decision_title_en))
                }
                ")"
            }
            @if c.council {
                p.sub.small id="council-note" {
                    (c.t("Tổng hợp phiếu của", "Summary of the sheets of")) " " (c.members.len()) " "
                    (c.t("thành viên Hội đồng", "council members"))
                }
            }
            table.info {
                colgroup { col.k; col; col.k; col; }
                tr {
                    th { (c.t("Tên sản phẩm", "Product")) }
                    td colspan="3" #product {
                        @match &r.product { Some(p) => b { (p) }, None => span.fill {} }
                    }
                }
                tr {
                    th { (c.t("Chủ thể OCOP", "Producer")) }
                    td colspan="3" { span.fill {} }
                }
                tr {
                    th { (c.t("Ngày nộp hồ sơ", "Lodged on")) }
                    td { (date_or_fill(c, r.dates.lodged_on.as_ref())) }
                    th { (c.t("Ngày đánh giá", "Evaluated on")) }
                    td { (date_or_fill(c, r.dates.evaluated_on.as_ref())) }
                }
                tr {
                    th { (c.t("Ngày công nhận", "Recognised on")) }
                    td { (date_or_fill(c, r.dates.recognised_on.as_ref())) }
                    th { (c.t("Căn cứ áp dụng", "Form chosen")) }
                    td.small { (r.dates.chosen_by) }
                }
                tr {
                    th { (c.t("Tệp quy tắc", "Rule file")) }
                    td.mono.small { (rs.file) }
                    th { "SHA-256" }
                    td.mono.small title=(rs.sha256) #sha { (sha) "…" }
                }
                tr {
                    th { (c.t("Tệp đánh giá", "Assessment file")) }
                    td.mono.small colspan="3" #file { (r.file) }
                }
            }
            @if c.council { (member_legend(c)) }
            (banners(c))
        }
    }
}

fn date_or_fill(c: &Ctx<'_>, d: Option<&crate::Date>) -> Markup {
    match d {
        Some(d) => html! { (c.date(d)) },
        None => html! { span.fill.short {} },
    }
}

/// The council's members, numbered as the columns are.
fn member_legend(c: &Ctx<'_>) -> Markup {
    html! {
        div.legend {
            b { (c.t("Thành viên Hội đồng", "Council members")) ": " }
            @for (i, m) in c.members.iter().enumerate() {
                span.member data-member=(i + 1) { b { (i + 1) "." } " " (m) }
            }
        }
    }
}

/// What a reader must not miss, at the top of the first page.
fn banners(c: &Ctx<'_>) -> Markup {
    let r = c.r;
    html! {
        @if let Some(k) = &r.knockout {
            div.banner.bad #knockout-banner {
                b { (c.t("KHÔNG ĐẠT — HỒ SƠ BỊ LOẠI", "NOT CLASSIFIED — KNOCKED OUT")) ": " }
                (k.text_vi)
            }
        }
        @if let Some(s) = &r.stopped {
            div.banner.warn #stop-banner {
                b { (c.t("Dừng đánh giá tại tiêu chí", "Evaluation stopped at criterion")) " " (s.criterion) }
                ": " (s.note_vi)
            }
        }
        @if let Some(council) = &r.council {
            @if council.spread_exceeded {
                div.banner.bad #spread-banner {
                    b { (c.t("Chênh lệch điểm vượt giới hạn", "Spread over the limit")) ": " }
                    (c.num(council.spread)) " > " (c.num(council.spread_limit)) " — "
                    (c.t("Hội đồng thảo luận và chấm lại", "the council discusses and re-scores"))
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Parts, sections, criteria

fn part_block(c: &Ctx<'_>, index: usize, part: &Subtotal) -> Markup {
    let r = c.r;
    let sections: Vec<(usize, &Subtotal)> =
        r.sections.iter().enumerate().filter(|(_, s)| s.part.as_deref() == Some(part.id.as_str())).collect();
    let entries: Vec<&TraceEntry> = r.trace.iter().flatten().filter(|e| e.part == part.id).collect();
    html! {
        section.part.first[index == 0] data-part=(part.id) {
            table.form {
                (colgroup(c))
                (table_head(c))
                tbody.blk.part-head {
                    (part_row(c, index, part))
                }
                @for (si, section) in &sections {
                    @let in_section: Vec<&TraceEntry> =
                        entries.iter().copied().filter(|e| e.section == section.id).collect();
                    @if in_section.is_empty() {
                        tbody.blk { (section_row(c, *si, section)) }
                    }
                    // A section of one criterion numbered as the section (7, 8… of part C) is
                    // printed as one row, as the form prints it.
                    @let merged = in_section.len() == 1 && in_section[0].criterion == section.id;
                    @for (k, e) in in_section.iter().enumerate() {
                        @let place = Place {
                            previous: if k == 0 { None } else { in_section.get(k - 1).copied() },
                            opens_section: (k == 0).then_some((*si, *section)),
                            merged,
                            closes_part: std::ptr::eq(*e, entries.last().copied().unwrap_or(*e)).then(|| part_total(c, index, part)),
                        };
                        (criterion_block(c, e, place))
                    }
                }
                @if entries.is_empty() {
                    tbody.blk.part-foot { (part_total(c, index, part)) }
                }
            }
        }
    }
}

/// The part's total row, printed with the part's last criterion so that it never stands alone
/// on a page.
fn part_total(c: &Ctx<'_>, index: usize, part: &Subtotal) -> Markup {
    html! {
        tr.part-total {
            td colspan="2" { b { (c.t("Cộng phần", "Total of part")) " " (part.id) } }
            td.num { (c.num(part.max)) }
            (member_values(c, |m| m.parts.get(index).copied()))
            td.got data-part-total=(part.id) { (c.exact(&part.points)) }
        }
    }
}

/// Where a criterion block stands: what it follows, and the headings and total it carries.
struct Place<'a> {
    /// The criterion printed before it in the section.
    previous: Option<&'a TraceEntry>,
    /// The section it opens (its first criterion), with the section's index in the report.
    opens_section: Option<(usize, &'a Subtotal)>,
    /// Whether the section is this one criterion, printed as one row.
    merged: bool,
    /// The part's total row, on the part's last criterion.
    closes_part: Option<Markup>,
}

fn colgroup(c: &Ctx<'_>) -> Markup {
    html! {
        colgroup {
            col.c-id;
            col.c-text;
            col.c-pts;
            @if c.council { @for _ in &c.members { col.c-m; } }
            col.c-got;
        }
    }
}

fn table_head(c: &Ctx<'_>) -> Markup {
    html! {
        thead {
            tr {
                th { (c.t("TT", "No.")) }
                th { (c.t("Tiêu chí đánh giá", "Criterion")) }
                th { (c.t("Điểm", "Points")) }
                @if c.council {
                    @for (i, m) in c.members.iter().enumerate() {
                        th.m title=(m) data-member=(i + 1) { (c.t("TV", "M")) (i + 1) }
                    }
                    th { (c.t("Trung bình", "Mean")) }
                } @else {
                    th { (c.t("Điểm đạt", "Given")) }
                }
            }
        }
    }
}

fn part_row(c: &Ctx<'_>, index: usize, part: &Subtotal) -> Markup {
    html! {
        tr.part-row {
            td colspan="2" {
                b { (c.t("PHẦN", "PART")) " " (part.id) ": " (c.name(&part.title_vi, &part.name_en)) }
            }
            td.num { b { (c.num(part.max)) } }
            (member_values(c, |m| m.parts.get(index).copied()))
            td.got data-part=(part.id) { (c.exact(&part.points)) }
        }
    }
}

fn section_row(c: &Ctx<'_>, index: usize, s: &Subtotal) -> Markup {
    html! {
        tr.sec-row {
            td.id { b { (s.id) } }
            td { b { (c.name(&s.title_vi, &s.name_en)) } }
            td.num { b { (c.num(s.max)) } }
            (member_values(c, |m| m.sections.get(index).copied()))
            td.got data-section=(s.id) { (c.exact(&s.points)) }
        }
    }
}

/// One cell per member (council only), from each member's subtotals.
fn member_values(c: &Ctx<'_>, value: impl Fn(&crate::report::Member) -> Option<Decimal>) -> Markup {
    let members = c.r.council.as_ref().map(|council| council.members.as_slice()).unwrap_or_default();
    html! {
        @if c.council {
            @for (i, m) in members.iter().enumerate() {
                td.num.mv data-member=(i + 1) { @if let Some(v) = value(m) { (c.num(v)) } }
            }
        }
    }
}

/// A criterion as one unbreakable block: the section and group headings it opens, its row,
/// its options, and the notes on why it scored 0, anomalies and a stop.
fn criterion_block(c: &Ctx<'_>, e: &TraceEntry, place: Place<'_>) -> Markup {
    let Place { previous, opens_section, merged, closes_part } = place;
    let section = opens_section.filter(|_| merged).map(|(_, s)| s.id.as_str());
    let status = block_status(e);
    let new_group =
        e.group.as_ref().filter(|g| previous.and_then(|p| p.group.as_ref()).map(|pg| &pg.id) != Some(&g.id));
    let stopped_here = c.r.stopped.as_ref().is_some_and(|s| s.criterion == e.criterion);
    html! {
        tbody class=(format!("blk crit {status}").trim_end()) data-criterion=(e.criterion) {
            @if let Some((si, s)) = opens_section.filter(|_| !merged) { (section_row(c, si, s)) }
            @if let Some(g) = new_group {
                tr.group-row {
                    td.id { (g.id) }
                    td { b { (c.name(&g.title_vi, &g.name_en)) } }
                    td.num { (c.num(g.max)) }
                    @if c.council { @for _ in &c.members { td {} } }
                    td {}
                }
            }
            tr.c-row.sec-row[section.is_some()] {
                td.id.depth[e.depth > 0] { (e.criterion) }
                td.title {
                    b { (c.name(&e.title_vi, &e.name_en)) }
                    @if let Some(d) = &e.description_vi { div.desc { (d) } }
                    @for n in &e.notes_vi { div.note-vi { (n) } }
                    @if let Some(a) = e.applies_if_vi.as_ref().filter(|a| !e.notes_vi.contains(a)) {
                        div.note-vi { (a) }
                    }
                    @if let Some(q) = e.requirement_vi.as_ref().filter(|q| !e.notes_vi.contains(q)) {
                        div.note-vi { (q) }
                    }
                    @if let Some(s) = e.stop_vi.as_ref().filter(|s| !e.notes_vi.contains(s)) {
                        div.note-vi { (s) }
                    }
                    (markers(c, e))
                }
                td.num.max { (c.num(e.max)) }
                @if c.council {
                    @for (i, cell) in e.members.iter().enumerate() {
                        td.num.mv data-member=(i + 1) { (c.num(cell.points)) }
                    }
                }
                td.got data-criterion-points=(e.criterion) data-section=[section] { (c.exact(&e.points)) }
            }
            (options(c, e))
            (reasons(c, e))
            @for a in &e.anomalies {
                tr.anomaly {
                    td {}
                    td colspan=(c.columns() - 1) {
                        b { (c.t("Bất thường trong văn bản", "Printed anomaly")) " (" (a.field) "): " }
                        (c.t("in", "printed")) " «" (a.printed) "», "
                        (c.t("áp dụng", "applied")) " «" (a.applied) "». " span.reason { (a.reason) }
                    }
                }
            }
            @if stopped_here {
                tr.stop-here {
                    td {}
                    td colspan=(c.columns() - 1) {
                        b { "■ " (c.t("Dừng đánh giá tại đây", "The evaluation stops here")) }
                        @if let Some(s) = &c.r.stopped {
                            @if c.council {
                                " (" (s.sheets) "/" (s.of) " " (c.t("phiếu", "sheets")) ")"
                            }
                        }
                        ": "
                        (c.t(
                            "các tiêu chí sau không được đánh giá (0 điểm); điểm đã chấm trước đó được giữ, không phải loại hồ sơ.",
                            "every later criterion is not evaluated (0 points); the points given before stand; this is not a knock-out."
                        ))
                    }
                }
            }
            @if let Some(total) = closes_part { (total) }
        }
    }
}

/// The classes of a criterion block: how its cells were scored.
fn block_status(e: &TraceEntry) -> &'static str {
    let all = |s: &str| !e.members.is_empty() && e.members.iter().all(|m| m.status == s);
    if all("not_evaluated") {
        "ne"
    } else if all("not_applicable") {
        "na"
    } else if all("requirement_unmet") {
        "ru"
    } else {
        ""
    }
}

/// The minimums of a criterion (its star markers, or 781 table rows), met or not.
fn markers(c: &Ctx<'_>, e: &TraceEntry) -> Markup {
    let mins: Vec<&Limit> = c.r.minimums.iter().filter(|m| m.criterion == e.criterion).collect();
    html! {
        @if !mins.is_empty() {
            div.minimums {
                (c.t("Yêu cầu tối thiểu", "Minimum")) ": "
                @for m in mins {
                    @let met = m.met.unwrap_or(false);
                    // Unmet minimums of classes far above the product's are not what held it.
                    @let later = m.stars > c.r.band_stars.max(c.r.class_after_minimums + 1);
                    span.mk.met[met].unmet[!met].later[!met && later] data-stars=(m.stars) data-met=(met) {
                        (stars_marker(m.stars)) " ≥" (c.num(m.needed)) " "
                        @if met { "✓ " (c.t("đạt", "met")) } @else { "✗ " (c.t("chưa đạt", "not met")) }
                    }
                    " "
                }
            }
        }
    }
}

fn stars_marker(n: u8) -> String {
    "*".repeat(usize::from(n))
}

/// The printed options, the chosen ones ticked (per member in a council).
fn options(c: &Ctx<'_>, e: &TraceEntry) -> Markup {
    if e.kind == "yes_no" {
        return yes_no(c, e);
    }
    html! {
        @for (i, o) in e.options.iter().enumerate() {
            @if let Some(case) = o.case.as_ref().filter(|k| i == 0 || e.options[i - 1].case.as_ref() != Some(*k)) {
                tr.case-row {
                    td {}
                    td colspan=(c.columns() - 1) {
                        i { (e.cases.iter().find(|t| &t.key == case).map_or(case.as_str(), |t| t.title_vi.as_str())) }
                    }
                }
            }
            (option_row(c, e, o))
        }
    }
}

fn chose(cell: &Cell, key: &str) -> bool {
    cell.answer.split('+').any(|k| k == key)
}

fn option_row(c: &Ctx<'_>, e: &TraceEntry, o: &OptionLine) -> Markup {
    let single = e.members.first().filter(|_| !c.council);
    let ticked = single.is_some_and(|cell| chose(cell, &o.key));
    html! {
        tr.o-row.on[ticked] data-option=(o.key) {
            td.key { (o.key) }
            td.opt {
                @if !c.council {
                    span.box { @if ticked { "☑" } @else { "☐" } }
                    " "
                }
                (o.text_vi)
                @if let Some(star) = o.star { " " span.star title=(format!("{star}★")) { (stars_marker(star)) } }
            }
            td.num { (c.num(o.points)) }
            @if c.council {
                @for cell in &e.members {
                    td.tick { @if chose(cell, &o.key) { "✓" } }
                }
            }
            td.num.pick { @if ticked { "✓" } }
        }
    }
}

/// A yes/no criterion: two lines, "Có" (the maximum) and "Không" (0).
fn yes_no(c: &Ctx<'_>, e: &TraceEntry) -> Markup {
    let lines = [("yes", c.t("Có", "Yes"), e.max), ("no", c.t("Không", "No"), Decimal::ZERO)];
    html! {
        @for (key, label, points) in &lines {
            @let ticked = !c.council && e.members.first().is_some_and(|m| m.answer == *key);
            tr.o-row.on[ticked] data-option=(key) {
                td.key {}
                td.opt {
                    @if !c.council { span.box { @if ticked { "☑" } @else { "☐" } } " " }
                    (label)
                }
                td.num { (c.num(*points)) }
                @if c.council {
                    @for cell in &e.members { td.tick { @if cell.answer == *key { "✓" } } }
                }
                td.num.pick { @if ticked { "✓" } }
            }
        }
    }
}

/// Why a criterion scored 0 whatever its answer: not applicable, not evaluated (a stop) or a
/// requirement unmet; once when every member shares the reason, else per member.
fn reasons(c: &Ctx<'_>, e: &TraceEntry) -> Markup {
    let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
    for (i, cell) in e.members.iter().enumerate() {
        if let Some(text) = reason(c, e, cell) {
            match groups.iter_mut().find(|(t, _)| *t == text) {
                Some((_, who)) => who.push(i + 1),
                None => groups.push((text, vec![i + 1])),
            }
        }
    }
    let everyone = groups.len() == 1 && groups[0].1.len() == e.members.len();
    html! {
        @for (text, who) in &groups {
            tr.reason-row {
                td {}
                td colspan=(c.columns() - 1) {
                    @if c.council && !everyone {
                        b { (c.t("TV", "M")) " " (who.iter().map(|w| w.to_string()).collect::<Vec<_>>().join(", ")) ": " }
                    }
                    "0 " (c.t("điểm", "points")) " — " (text)
                }
            }
        }
    }
}

fn reason(c: &Ctx<'_>, e: &TraceEntry, cell: &Cell) -> Option<String> {
    let english = cell.reason_zero.clone();
    let vi = match cell.status.as_str() {
        "not_applicable" => format!(
            "Không áp dụng: {}",
            e.applies_if_vi.as_deref().unwrap_or("điều kiện áp dụng không thỏa mãn")
        ),
        "not_evaluated" => {
            let by = cell.stopped_by.as_deref().unwrap_or("?");
            let note =
                c.r.trace.iter().flatten().find(|t| t.criterion == by).and_then(|t| t.stop_vi.as_deref());
            format!(
                "Không đánh giá: dừng tại tiêu chí {by}{}",
                note.map(|n| format!(" — {n}")).unwrap_or_default()
            )
        }
        "requirement_unmet" => format!(
            "Không đạt yêu cầu: {}",
            e.requirement_vi.as_deref().unwrap_or("yêu cầu in trên tiêu chí")
        ),
        _ => return english,
    };
    Some(match (c.lang, english) {
        (Lang::Vi, _) | (_, None) => vi,
        (Lang::En, Some(en)) => en,
        (Lang::Both, Some(en)) => format!("{vi} / {en}"),
    })
}

// ---------------------------------------------------------------------------------------------
// Summary

fn summary(c: &Ctx<'_>) -> Markup {
    html! {
        section.summary {
            h2.blk { (c.t("TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ", "RESULT")) }
            (result_box(c))
            @if let Some(council) = &c.r.council { (council_box(c, council)) }
            (warnings(c))
            (subtotal_table(c))
            // The chart and the signatures stay together: a signature page never stands alone.
            div.blk.closing {
                (chart(c))
                (signatures(c))
            }
        }
    }
}

fn star_glyphs(n: u8) -> String {
    let n = usize::from(n.min(5));
    format!("{}{}", "★".repeat(n), "☆".repeat(5 - n))
}

fn result_box(c: &Ctx<'_>) -> Markup {
    let r = c.r;
    let band = r.bands.iter().find(|b| b.stars == r.band_stars);
    html! {
        div.result.blk {
            table.kv {
                tr {
                    th { (c.t("Tổng điểm", "Total")) @if c.council { " (" (c.t("trung bình", "mean")) ")" } }
                    td {
                        b.big #total { (c.exact(&r.total)) }
                        " / " span #total-max { (c.num(r.total_max)) }
                        @if !r.total.exact || r.total.display != r.total.value {
                            span.small { " (= " (c.num(r.total.sum)) " / " (r.total.count) ")" }
                        }
                        span.small {
                            " — "
                            @for (i, p) in r.parts.iter().enumerate() {
                                @if i > 0 { ", " }
                                (c.t("Phần", "Part")) " " (p.id) ": " span data-summary-part=(p.id) { (c.exact(&p.points)) } "/" (c.num(p.max))
                            }
                        }
                    }
                }
                tr {
                    th { (c.t("Hạng theo điểm", "Band")) }
                    td #band data-stars=(r.band_stars) {
                        (r.band_stars) " " (c.t("sao", "stars"))
                        @if let Some(b) = band {
                            " (" (c.num(b.from)) " ≤ " (c.exact(&r.total)) " " (if b.inclusive { "≤" } else { "<" }) " " (c.num(b.upper)) ")"
                        }
                    }
                }
                tr {
                    th { (c.t("Yêu cầu tối thiểu", "Minimums")) }
                    td #minimums { (minimums_text(c)) }
                }
                @if let Some(s) = &r.stopped {
                    tr.warn-row {
                        th { (c.t("Dừng đánh giá", "Stopped")) }
                        td #stopped data-criterion=(s.criterion) {
                            (c.t("Tại tiêu chí", "At criterion")) " " b { (s.criterion) } " " (s.title_vi) ": " (s.note_vi)
                            @if c.council { " (" (s.sheets) "/" (s.of) " " (c.t("phiếu", "sheets")) ")" }
                            ". "
                            (c.t(
                                "Các tiêu chí sau không được đánh giá; sản phẩm được xếp hạng theo điểm đã chấm trước khi dừng.",
                                "Every later criterion was not evaluated; the product is classed on the points given before the stop."
                            ))
                        }
                    }
                }
                tr.bad-row[r.knockout.is_some()] {
                    th { (c.t("Điều kiện loại", "Knock-outs")) }
                    td #knockout {
                        @match &r.knockout {
                            Some(k) => {
                                b { (c.t("Hồ sơ bị loại", "Knocked out")) ": " } (k.text_vi)
                                span.small { " [" (k.source) "]" }
                                @if c.lang != Lang::Vi { span.en.block { (k.name_en) } }
                            },
                            None => { (c.t("Không có", "None triggered")) },
                        }
                    }
                }
                tr.final {
                    th { (c.t("XẾP HẠNG", "FINAL CLASS")) }
                    td {
                        @match r.stars {
                            Some(s) => {
                                span.stars aria-hidden="true" { (star_glyphs(s)) } " "
                                b.big #stars data-stars=(s) { (s) } " " b { (c.t("sao", "stars")) }
                                " " span.small #status { (status_text(c)) }
                            },
                            None => {
                                b.big.bad #stars data-stars="" { (c.t("KHÔNG ĐẠT", "NOT CLASSIFIED")) }
                                " " span.small #status {
                                    (c.t("(không xếp hạng do điều kiện loại; nếu không bị loại:", "(unclassified by a knock-out; without it:"))
                                    " " (r.class_after_minimums) " " (c.t("sao", "stars")) ")"
                                }
                            },
                        }
                    }
                }
                tr {
                    th { (c.t("Công nhận", "Award")) }
                    td #award { (award_text(c)) }
                }
            }
        }
    }
}

fn status_text(c: &Ctx<'_>) -> Markup {
    match c.r.status {
        Status::Classified => c.t("(theo hạng điểm)", "(the band's class)"),
        Status::HeldDown => {
            c.t("(bị giữ dưới hạng điểm do yêu cầu tối thiểu)", "(held below the band by minimums)")
        }
        Status::Stopped => {
            c.t("(trên điểm chấm trước khi dừng đánh giá)", "(on the points given before the stop)")
        }
        Status::Disqualified => c.t("(không đạt)", "(not classified)"),
    }
}

fn minimums_text(c: &Ctx<'_>) -> Markup {
    let r = c.r;
    html! {
        @if r.limited_by.is_empty() {
            @if r.minimums.is_empty() {
                (c.t("Bộ tiêu chí không quy định yêu cầu tối thiểu", "The form sets no minimums"))
            } @else {
                (c.t("Đạt mọi yêu cầu tối thiểu đến hạng", "Every minimum met up to")) " " (r.band_stars) " " (c.t("sao", "stars"))
            }
        } @else {
            b { (c.t("Hạng bị giữ ở", "Held at")) " " (r.class_after_minimums) " " (c.t("sao", "stars")) } ": "
            ul.limits {
                @for l in &r.limited_by {
                    li data-limit=(l.criterion) {
                        (c.t("Tiêu chí", "Criterion")) " " b { (l.criterion) } " " (l.title_vi) " — "
                        (c.t("cần", "needs")) " ≥ " (c.num(l.needed)) " (" (c.t("phương án", "option")) " " (l.option) ", "
                        @if l.origin == "marker" { (stars_marker(l.stars)) } @else { (l.origin) }
                        ") " (c.t("để đạt", "for")) " " (l.stars) " " (c.t("sao", "stars")) "; "
                        (c.t("đạt", "got")) " " @if let Some(g) = &l.got { (c.exact(g)) }
                    }
                }
            }
        }
        @if !r.minimums_not_applied.is_empty() {
            div.small {
                (r.minimums_not_applied.len()) " "
                (c.t("yêu cầu tối thiểu bổ sung sau ngày nộp hồ sơ không áp dụng", "minimums added after the lodging date not applied"))
            }
        }
    }
}

fn level_name(c: &Ctx<'_>, level: &str) -> Markup {
    match level {
        "district" => c.t("cấp huyện", "district"),
        "province" => c.t("cấp tỉnh", "province"),
        "central" => c.t("cấp trung ương", "central"),
        _ => html! { (level.to_string()) },
    }
}

fn award_text(c: &Ctx<'_>) -> Markup {
    let a = &c.r.award;
    html! {
        @if a.certificate {
            b { (c.t("Được cấp Giấy chứng nhận", "Certificate issued")) }
            @if let Some(level) = &a.level { " — " (c.t("công nhận", "recognised by")) " " (level_name(c, level)) }
            @match &a.valid_until {
                Some(until) => { "; " (c.t("hiệu lực đến hết ngày", "valid until")) " " b #valid-until { (c.date(until)) } },
                None => { "; " (c.t("hiệu lực tính từ ngày công nhận", "validity runs from the recognition date")) },
            }
        } @else {
            (c.t("Không cấp Giấy chứng nhận", "No certificate"))
        }
        @if let Some(p) = a.potential {
            div #potential {
                b { (c.t("Sản phẩm tiềm năng", "Potential")) " " (p) " " (c.t("sao", "stars")) }
                @if let Some(level) = &a.level { ": " (c.t("đề nghị", "proposed to")) " " (level_name(c, level)) }
            }
        }
        div.small.note { (a.note) }
        @if let Some(below) = &a.if_scored_below { div.small.note #if-below { (below) } }
        // The certificate's dates after issue (ruling 13), each with its source; the first
        // line (the validity) is said above.
        @if let Some(life) = &a.lifecycle {
            @for line in life.lines.iter().skip(1) { div.small.note.lifecycle { (line) } }
        }
    }
}

fn subtotal_table(c: &Ctx<'_>) -> Markup {
    let r = c.r;
    let council = r.council.as_ref();
    let members = council.map(|k| k.members.as_slice()).unwrap_or_default();
    html! {
        table.subtotals.blk {
            thead {
                tr {
                    th { (c.t("Phần / mục", "Part / section")) }
                    th { (c.t("Tối đa", "Max")) }
                    @if c.council { @for (i, m) in members.iter().enumerate() { th.m title=(m.name) { (c.t("TV", "M")) (i + 1) } } }
                    th { @if c.council { (c.t("Trung bình", "Mean")) } @else { (c.t("Điểm đạt", "Given")) } }
                }
            }
            tbody {
                @for (pi, p) in r.parts.iter().enumerate() {
                    tr.part-row {
                        td { b { (c.t("Phần", "Part")) " " (p.id) ": " (c.name(&p.title_vi, &p.name_en)) } }
                        td.num { (c.num(p.max)) }
                        @if c.council { @for m in members { td.num { @if let Some(v) = m.parts.get(pi) { (c.num(*v)) } } } }
                        td.num.got { b { (c.exact(&p.points)) } }
                    }
                    @for (si, s) in r.sections.iter().enumerate().filter(|(_, s)| s.part.as_deref() == Some(p.id.as_str())) {
                        tr {
                            td.indent { (s.id) ". " (c.name(&s.title_vi, &s.name_en)) }
                            td.num { (c.num(s.max)) }
                            @if c.council { @for m in members { td.num { @if let Some(v) = m.sections.get(si) { (c.num(*v)) } } } }
                            td.num data-summary-section=(s.id) { (c.exact(&s.points)) }
                        }
                    }
                }
                tr.total-row {
                    td { b { (c.t("TỔNG CỘNG", "TOTAL")) } }
                    td.num { b { (c.num(r.total_max)) } }
                    @if c.council {
                        @for (i, m) in members.iter().enumerate() {
                            td.num data-member-total=(i + 1) { b { (c.num(m.total)) } }
                        }
                    }
                    td.num.got { b { (c.exact(&r.total)) } }
                }
            }
        }
    }
}

fn council_box(c: &Ctx<'_>, council: &Council) -> Markup {
    html! {
        div.council.blk.bad-box[council.spread_exceeded] {
            b { (c.t("Chênh lệch tổng điểm giữa các thành viên", "Spread of the members' totals")) ": " }
            span #spread { (c.num(council.spread)) }
            " (" (c.t("giới hạn", "limit")) " " span #spread-limit { (c.num(council.spread_limit)) } ")"
            @if council.spread_exceeded {
                " " b.bad #spread-flag {
                    "⚠ " (c.t("VƯỢT GIỚI HẠN: Hội đồng thảo luận và chấm lại", "OVER THE LIMIT: the council discusses and re-scores"))
                }
            } @else {
                " — " (c.t("trong giới hạn", "within the limit"))
            }
            @if let Some(size) = council.council_size {
                div.small { (c.t("Số thành viên Hội đồng", "Council size")) ": " (size) "; " (c.t("số phiếu", "sheets")) ": " (council.members.len()) }
            }
            @if let Some(q) = &council.quorum_problem { div.bad { (q) } }
        }
    }
}

fn warnings(c: &Ctx<'_>) -> Markup {
    let kind = |k: &str| match k {
        "spread-exceeded" => c.t("Chênh lệch điểm", "Spread"),
        "quorum" => c.t("Số thành viên", "Quorum"),
        "partial-stop" => c.t("Dừng đánh giá một phần", "Partial stop"),
        "anomaly" => c.t("Bất thường trong văn bản", "Printed anomaly"),
        other => html! { (other.to_string()) },
    };
    html! {
        @if !c.r.warnings.is_empty() {
            div.warnings.blk {
                b { (c.t("Lưu ý", "Notes")) }
                ul {
                    @for w in &c.r.warnings {
                        li data-warning=(w.kind) { b { (kind(&w.kind)) ": " } (w.message) }
                    }
                }
            }
        }
    }
}

fn signatures(c: &Ctx<'_>) -> Markup {
    let r = c.r;
    html! {
        div.signatures.blk {
            p.place {
                "……………, "
                @match &r.dates.evaluated_on {
                    Some(d) => { (c.date(d)) },
                    None => { (c.t("ngày …… tháng …… năm ……", "date …………")) },
                }
            }
            div.sig-row {
                div.sig {
                    b { (c.t("THƯ KÝ HỘI ĐỒNG", "COUNCIL SECRETARY")) }
                    div.small { (c.t("(Ký, ghi rõ họ tên)", "(signature and full name)")) }
                }
                div.sig {
                    b { (c.t("CHỦ TỊCH HỘI ĐỒNG", "COUNCIL CHAIR")) }
                    div.small { (c.t("(Ký, ghi rõ họ tên)", "(signature and full name)")) }
                }
            }
            div.members-sign {
                b { @if c.council { (c.t("CÁC THÀNH VIÊN HỘI ĐỒNG", "COUNCIL MEMBERS")) } @else { (c.t("THÀNH VIÊN CHẤM ĐIỂM", "SCORING MEMBER")) } }
                div.sig-grid.three[c.members.len() > 4] {
                    @for (i, m) in c.members.iter().enumerate() {
                        div.sig-line data-member=(i + 1) {
                            span.who { (i + 1) ". " (m) }
                            span.line {}
                        }
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Chart

/// Points against maxima per section, as inline SVG bars, with the points the minimums of the
/// class reached (solid) and of the next class (dashed) need in each section.
fn chart(c: &Ctx<'_>) -> Markup {
    let r = c.r;
    if r.sections.is_empty() {
        return html! {};
    }
    let reached = if r.stars.is_some() { r.class_after_minimums } else { r.band_stars };
    let next = (reached < 5).then_some(reached + 1);
    let scale = r.sections.iter().map(|s| s.max).max().unwrap_or(Decimal::ONE).max(Decimal::ONE);
    let (label_w, x0, bar_w, row_h) = (190u32, 196u32, 400u32, 15u32);
    let height = row_h * r.sections.len() as u32 + 8;
    let x = |v: Decimal| -> String {
        let px = Decimal::from(x0) + v * Decimal::from(bar_w) / scale;
        px.round_dp(1).to_string()
    };
    html! {
        figure.chart.blk {
            figcaption {
                b { (c.t("Điểm đạt so với điểm tối đa theo mục", "Points against maxima per section")) }
            }
            svg xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 700 {height}")) width="100%" role="img"
                aria-label=(c.s("Biểu đồ điểm theo mục", "Chart of points per section")) {
                @for (i, s) in r.sections.iter().enumerate() {
                    @let y = row_h * i as u32 + 4;
                    g data-chart-section=(s.id) {
                        text.lbl x="0" y=(y + 10) { (chart_label(c, s, label_w)) }
                        rect.maxbar x=(x0) y=(y + 2) width=(width(x(s.max), x0)) height="10" {}
                        rect.got x=(x0) y=(y + 2) width=(width(x(s.points.display.min(s.max)), x0)) height="10" {}
                        @if let Some(need) = required(r, &s.id, reached).filter(|n| !n.is_zero()) {
                            line.need x1=(x(need)) x2=(x(need)) y1=(y) y2=(y + 14) {}
                        }
                        @if let Some(need) = next.and_then(|k| required(r, &s.id, k)).filter(|n| !n.is_zero()) {
                            line.need-next x1=(x(need)) x2=(x(need)) y1=(y) y2=(y + 14) {}
                        }
                        text.val x=(x0 + bar_w + 8) y=(y + 10) { (c.exact(&s.points)) " / " (c.num(s.max)) }
                    }
                }
            }
            div.chart-legend.small {
                span.sw.sw-got {} " " (c.t("điểm đạt", "points")) "   "
                span.sw.sw-max {} " " (c.t("tối đa", "maximum")) "   "
                @if reached >= 3 {
                    span.sw.sw-need {} " " (c.t("tổng điểm tối thiểu (dấu sao) cho", "points the minimums need for")) " " (reached) "★ "
                    (c.t("(hạng đạt)", "(class reached)")) "   "
                }
                @if let Some(n) = next.filter(|n| *n >= 3) {
                    span.sw.sw-next {} " " (c.t("cho", "for")) " " (n) "★ " (c.t("(hạng kế tiếp)", "(next class)"))
                }
            }
        }
    }
}

/// The width of a bar from `x0` to the position `x` (both in user units).
fn width(x: String, x0: u32) -> String {
    match x.parse::<Decimal>() {
        Ok(v) => (v - Decimal::from(x0)).max(Decimal::ZERO).to_string(),
        Err(_) => "0".to_string(),
    }
}

/// A section's label in the chart, cut to fit its column (the full title is in the tables).
fn chart_label(c: &Ctx<'_>, s: &Subtotal, width: u32) -> String {
    let name = match c.lang {
        Lang::En if !s.name_en.is_empty() => s.name_en.clone(),
        _ => lower_title(&s.title_vi),
    };
    let full = format!("{}. {name}", s.id);
    // About 5.3 user units per character at the chart's font size.
    let fits = (width / 53 * 10) as usize;
    if full.chars().count() <= fits {
        full
    } else {
        let cut: String = full.chars().take(fits.saturating_sub(1)).collect();
        format!("{}…", cut.trim_end())
    }
}

/// "TỔ CHỨC SẢN XUẤT" as "Tổ chức sản xuất": capitals are hard to read in a narrow label.
fn lower_title(s: &str) -> String {
    let lower = s.to_lowercase();
    let mut chars = lower.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The points the minimums of class `k` (and of the classes below it) need in a section: per
/// criterion the highest `needed` among them, summed.
fn required(r: &Report, section: &str, k: u8) -> Option<Decimal> {
    if k < 3 {
        return None;
    }
    let mut sum = Decimal::ZERO;
    for cp in r.criteria.iter().filter(|cp| cp.section == section) {
        let need = r
            .minimums
            .iter()
            .filter(|m| m.criterion == cp.id && m.stars <= k)
            .map(|m| m.needed)
            .max()
            .unwrap_or(Decimal::ZERO);
        sum += need;
    }
    Some(sum)
}

// ---------------------------------------------------------------------------------------------
// Style

/// The page itself, shared with the round report: A4 print, the screen showing the same page on
/// a grey desk. Content width is 186 mm in both, so the screen's layout is the printed one.
pub(crate) const PAGE_CSS: &str = r#"
@page { size: A4; margin: 10mm 12mm 12mm 12mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; background: #d6d6d6; color: #000;
  font-family: "Times New Roman", Tinos, "Liberation Serif", "Noto Serif", "DejaVu Serif", serif;
  font-size: 10pt; line-height: 1.25; }
.sheet { width: 210mm; margin: 6mm auto; padding: 12mm; background: #fff;
  box-shadow: 0 1px 6px rgba(0,0,0,.35); }
@media print {
  body { background: none; }
  .sheet { width: auto; margin: 0; padding: 0; box-shadow: none; }
}
"#;

/// The score sheet's own style, after [`PAGE_CSS`].
const CSS: &str = r#"
.en { color: #444; font-style: italic; font-weight: normal; }
.en.block { display: block; }
.small { font-size: 8.5pt; }
.mono { font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 8pt; }
td, th, .banner, .legend, .result, .council, .warnings, .sig, .sig-line { overflow-wrap: anywhere; }
.letterhead { display: flex; justify-content: space-between; text-align: center; font-size: 10pt; }
.letterhead > div { width: 48%; }
.letterhead .rule { width: 40%; margin: 2px auto 0; border-top: 1px solid #000; }
.motto { font-weight: bold; }
h1 { text-align: center; font-size: 15pt; margin: 5mm 0 1mm; letter-spacing: .02em; }
h2 { text-align: center; font-size: 13pt; margin: 0 0 2.5mm; padding-top: 1.5mm; }
p.sub { text-align: center; margin: 0 0 1mm; font-size: 11pt; font-weight: bold; }
p.sub.small { font-size: 9pt; font-weight: normal; font-style: italic; }
table { border-collapse: collapse; width: 100%; }
table.info { margin: 3mm 0 2mm; font-size: 9.5pt; table-layout: fixed; }
table.info col.k { width: 27mm; }
table.info th { text-align: left; font-weight: normal; color: #333; padding: 1px 3px; vertical-align: top; }
table.info td { padding: 1px 3px; vertical-align: top; }
.fill { display: inline-block; width: 100%; border-bottom: 1px dotted #000; height: 1.1em; }
.fill.short { width: 30mm; }
.legend { font-size: 9pt; margin: 1mm 0 2mm; }
.legend .member { display: inline-block; margin-right: 4mm; }
.banner { border: 1.5px solid #000; padding: 1.5mm 2.5mm; margin: 1.5mm 0; font-size: 9.5pt; }
.banner.bad { border-color: #b00000; background: #fde8e8; }
.banner.warn { border-color: #a86400; background: #fff3dc; }
.notice { border: 1px dashed #888; padding: 2mm; }
section.part { break-before: page; }
.blk { break-inside: avoid; }
section.part.first { break-before: auto; margin-top: 2mm; }
section.summary { break-before: page; }
table.form { table-layout: fixed; font-size: 8.5pt; line-height: 1.2; }
table.form col.c-id { width: 11mm; }
table.form col.c-pts { width: 10mm; }
table.form col.c-m { width: 7.5mm; }
table.form col.c-got { width: 15mm; }
table.form th { border: 1px solid #000; background: #e9e9e9; padding: 0.8mm 0.5mm; font-size: 8pt; }
table.form td { border-left: 1px solid #000; border-right: 1px solid #000; padding: 0.2mm 1mm; vertical-align: top; }
table.form tbody.blk { break-inside: avoid; }
table.form tbody.blk > tr:first-child > td { border-top: 1px solid #000; }
table.form tbody.blk:last-child > tr:last-child > td { border-bottom: 1px solid #000; }
tr.part-row td { background: #d9e2ec; padding-top: 0.8mm; padding-bottom: 0.8mm; font-size: 9.5pt; }
tr.sec-row td { background: #eef2f6; }
tr.group-row td { background: #f6f6f6; }
tr.c-row td { padding-top: 0.6mm; font-size: 9pt; }
td.id { font-weight: bold; white-space: nowrap; }
td.id.depth { padding-left: 2mm; font-weight: normal; }
td.num, td.got, td.tick { text-align: center; }
td.got { font-weight: bold; font-size: 10pt; background: #fafafa; }
tr.part-row td.got, tr.part-total td.got { background: #d9e2ec; }
tr.part-total td { background: #f0f0f0; border-top: 1px solid #000; }
td.mv { font-size: 8.5pt; }
td.key { color: #777; text-align: right; font-size: 8pt; }
td.opt { padding-left: 2mm; }
tr.o-row td.num { color: #333; }
tr.o-row.on td.opt { font-weight: bold; }
tr.o-row.on td { background: #eef7ee; }
td.tick { font-weight: bold; }
td.pick { font-weight: bold; }
.box { font-family: "DejaVu Sans", sans-serif; font-size: 9pt; }
.star { font-weight: bold; color: #7a5200; white-space: nowrap; }
.desc, .note-vi { font-style: italic; font-size: 8pt; color: #222; }
.minimums { font-size: 8pt; margin-top: 0.5mm; }
.mk { display: inline-block; border: 1px solid; border-radius: 2px; padding: 0 1mm; margin-right: 1mm; white-space: nowrap; }
.mk.met { border-color: #2e7d32; color: #1b5e20; }
.mk.unmet { border-color: #b00000; color: #b00000; background: #fde8e8; }
.mk.later { border-color: #999; color: #666; background: none; }
tr.case-row td { font-size: 8.5pt; color: #333; }
tr.reason-row td, tr.anomaly td, tr.stop-here td { font-size: 8pt; }
tr.reason-row td { color: #7a3b00; font-style: italic; }
tr.anomaly td { color: #4a148c; }
tr.stop-here td { background: #fff3dc; border-top: 1px dashed #a86400; }
tbody.ne tr.c-row td, tbody.ne tr.o-row td { color: #888; }
tbody.na tr.c-row td, tbody.na tr.o-row td { color: #666; }
.result { border: 1.5px solid #000; padding: 1.5mm 2mm; margin-bottom: 3mm; }
table.kv th { text-align: left; width: 36mm; vertical-align: top; padding: 0.8mm 1mm; font-size: 9.5pt; }
table.kv td { padding: 0.8mm 1mm; vertical-align: top; }
table.kv tr + tr th, table.kv tr + tr td { border-top: 1px solid #ccc; }
tr.final th, tr.final td { font-size: 11pt; background: #f3f3f3; }
tr.bad-row td, tr.bad-row th { background: #fde8e8; }
tr.warn-row td, tr.warn-row th { background: #fff3dc; }
.big { font-size: 14pt; }
.bad { color: #b00000; }
.stars { font-size: 15pt; color: #b07800; letter-spacing: 1px; font-family: "DejaVu Sans", sans-serif; }
ul.limits { margin: 0.5mm 0 0; padding-left: 5mm; }
.note { color: #444; margin-top: 0.5mm; }
table.subtotals { font-size: 8.5pt; line-height: 1.15; margin-bottom: 2.5mm; table-layout: fixed; }
table.subtotals th { border: 1px solid #000; background: #e9e9e9; padding: 0.6mm 1mm; }
table.subtotals th:first-child { width: auto; }
table.subtotals th:not(:first-child) { width: 13mm; }
table.subtotals th.m { width: 8mm; }
table.subtotals td { border: 1px solid #000; padding: 0.2mm 1mm; }
table.subtotals td.indent { padding-left: 4mm; }
table.subtotals tr.part-row td { background: #d9e2ec; }
table.subtotals tr.total-row td { background: #e9e9e9; font-size: 9.5pt; }
figure.chart { margin: 0 0 3mm; }
figure.chart figcaption { margin-bottom: 1mm; }
svg text { font-family: "Times New Roman", Tinos, "Liberation Serif", "DejaVu Serif", serif; font-size: 10.5px; }
svg text.val { font-size: 10px; }
svg rect.maxbar { fill: #fff; stroke: #555; stroke-width: 0.8; }
svg rect.got { fill: #4f7fb0; }
svg line.need { stroke: #b00000; stroke-width: 2; }
svg line.need-next { stroke: #b00000; stroke-width: 1.4; stroke-dasharray: 2.5 2; }
.chart-legend { margin-top: 1mm; }
.sw { display: inline-block; width: 5mm; height: 2.5mm; vertical-align: middle; border: 0.8px solid #555; }
.sw-got { background: #4f7fb0; border-color: #4f7fb0; }
.sw-max { background: #fff; }
.sw-need { width: 0; border: none; border-left: 2px solid #b00000; height: 3.5mm; }
.sw-next { width: 0; border: none; border-left: 1.5px dashed #b00000; height: 3.5mm; }
.council { border: 1px solid #000; padding: 1.5mm 2mm; margin-bottom: 3mm; font-size: 9.5pt; }
.council.bad-box { border: 2px solid #b00000; background: #fde8e8; }
.warnings { font-size: 8.5pt; margin-bottom: 3mm; }
.warnings ul { margin: 0.5mm 0 0; padding-left: 5mm; }
.signatures { margin-top: 2mm; }
.signatures .place { text-align: right; font-style: italic; margin: 0 0 2mm; }
.sig-row { display: flex; justify-content: space-around; text-align: center; }
.sig { width: 45%; height: 21mm; }
.members-sign { margin-top: 1mm; }
.sig-grid { display: grid; grid-template-columns: 1fr 1fr; column-gap: 8mm; row-gap: 0; }
.sig-grid.three { grid-template-columns: 1fr 1fr 1fr; column-gap: 5mm; }
.sig-line { display: flex; align-items: flex-end; height: 9mm; font-size: 9pt; }
.sig-line .who { flex: 0 1 auto; max-width: 60%; }
.sig-line .line { flex: 1 1 auto; border-bottom: 1px dotted #000; margin-left: 2mm; height: 1em; }
"#;
