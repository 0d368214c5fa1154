//! The round report (feature `bulk`; the page needs `html` too): a summary of one bulk run,
//! built from the same rows the run writes, in bounded memory however many rows there are.
//!
//! A [`Tally`] is a [`bulk::Events`](crate::bulk::Events): the run hands it a [`RowFact`] for every
//! row it writes (class, band, the minimums that held the class down, the knock-out, a council's
//! spread) and every rejected row, as the rows stream. It keeps counts (per class, per set, per
//! held-down minimum, per knock-out: bounded by the catalog, not by the input) and capped lists
//! (councils flagged for spread, rejected rows: the first [`Caps`] of each in input order, and
//! how many more). [`page`] prints it as one self-contained HTML page (feature `html`): inline
//! style sheet and SVG histogram, no script, an A4 print layout. Every text from the input (ids,
//! messages, the input's name) is escaped by maud.
//!
//! ```
//! use ocop_rating::{Catalog, bulk, round};
//!
//! let catalog = Catalog::embedded()?;
//! // The example assessment `examples/26-2026-01-rau-cai.yaml` as a CSV row (61 points, 3★),
//! // and a row naming a decision that does not exist.
//! let header = "id,decision,set,1.1,1.2,1.3,1.4,1.5,1.6,1.7,2.1,2.2,2.3,2.4,3.1,3.2,3.3,3.4,3.5,\
//!               4.1,4.2,4.3,5.1,5.2,5.3,6.1,6.2,6.3,6.4,7,8,9,10,11,12";
//! let row = "rau-cai,26-2026,01,c,a,b,b,b,a,a,b,c,b,no,c,b,c,a,a,b,b,d,d,b,d,c,e,c,c,c,c,b,a,a,a";
//! let bad = "other,27-2030,01,c,a,b,b,b,a,a,b,c,b,no,c,b,c,a,a,b,b,d,d,b,d,c,e,c,c,c,c,b,a,a,a";
//! let input = format!("{header}\n{row}\n{bad}\n");
//! let options = bulk::Options::new("round.csv", bulk::InputFormat::Csv);
//! let mut tally = round::Tally::new(round::Caps::default());
//! bulk::run(&catalog, input.as_bytes(), &mut std::io::sink(), &options, &mut tally)?;
//! assert_eq!(tally.classes(), [0, 0, 0, 1, 0, 0]);
//! assert_eq!((tally.scored(), tally.rejected()), (1, 1));
//! # #[cfg(feature = "html")]
//! assert!(round::page(&tally, &round::RunInfo::new("round.csv")).contains("data-class-count=\"1\""));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

// Input paths: indexing that could panic on hostile data is not allowed here.
#![deny(clippy::indexing_slicing)]

use crate::award::CouncilSummary;
use crate::points::Points;
use crate::score::Outcome;
use std::collections::{BTreeMap, HashMap};
use std::fmt;

/// A short text kept inline, without the heap (a decision key, a set, a criterion id, an option
/// key): at most [`Tag::CAPACITY`] bytes; a longer text is cut at a character boundary and ends
/// with `…`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Tag {
    len: u8,
    bytes: [u8; Tag::CAPACITY],
}

impl Tag {
    /// The most bytes a tag keeps.
    pub const CAPACITY: usize = 31;

    /// The tag of `text` (cut with `…` past [`Tag::CAPACITY`] bytes).
    pub fn new(text: &str) -> Tag {
        let mut tag = Tag::default();
        let (kept, cut) = if text.len() <= Tag::CAPACITY {
            (text, false)
        } else {
            let mut end = Tag::CAPACITY - '…'.len_utf8();
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            (text.get(..end).unwrap_or_default(), true)
        };
        let mut len = 0;
        for part in [kept, if cut { "…" } else { "" }] {
            for (slot, byte) in tag.bytes.iter_mut().skip(len).zip(part.bytes()) {
                *slot = byte;
            }
            len += part.len();
        }
        tag.len = len.min(Tag::CAPACITY) as u8;
        tag
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        self.bytes.get(..usize::from(self.len)).and_then(|b| std::str::from_utf8(b).ok()).unwrap_or_default()
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

/// A minimum that held a product below its band class (ruling 2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Held {
    /// The criterion.
    pub criterion: Tag,
    /// The class it blocked.
    pub stars: u8,
    /// The points the minimum needs.
    pub needed: Points,
    /// The option that sets the minimum.
    pub option: Tag,
}

/// A council whose members' totals differ by more than the decision's limit (ruling 6).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spread {
    /// The product's id (the row's `id`), as given.
    pub id: String,
    /// How many members scored.
    pub members: u32,
    /// Highest minus lowest member total.
    pub spread: Points,
    /// The decision's limit.
    pub limit: Points,
}

/// What the round report needs of one written row. The bulk run makes one per row, on the
/// scoring threads; only a held-down class, a knock-out or a flagged council allocates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowFact {
    /// The decision's key.
    pub decision: Tag,
    /// The product set.
    pub set: Tag,
    /// The class from the score alone (1–5).
    pub band: u8,
    /// The class after the minimums, before knock-outs.
    pub class: u8,
    /// The final class; `None` when a knock-out disqualified the product.
    pub stars: Option<u8>,
    /// The minimums that held the class below the band, when it was.
    pub held: Vec<Held>,
    /// The knock-out: its id and English name.
    pub knockout: Option<(Tag, String)>,
    /// The council's spread, when it exceeds the limit.
    pub spread: Option<Spread>,
}

impl RowFact {
    /// The fact of a written row: its id, its outcome and, for a council, the council summary.
    pub fn new(id: &str, outcome: &Outcome<'_>, council: Option<&CouncilSummary>) -> RowFact {
        let form = outcome.form();
        let held = if outcome.class_after_minimums() < outcome.band_stars() {
            outcome
                .limited_by()
                .map(|l| Held {
                    criterion: Tag::new(l.criterion.id()),
                    stars: l.stars,
                    needed: l.needed,
                    option: Tag::new(l.option_key),
                })
                .collect()
        } else {
            Vec::new()
        };
        RowFact {
            decision: Tag::new(form.decision().key()),
            set: Tag::new(form.set()),
            band: outcome.band_stars(),
            class: outcome.class_after_minimums(),
            stars: outcome.stars(),
            held,
            knockout: outcome.disqualified().map(|k| (Tag::new(k.id()), k.name_en().to_string())),
            spread: council.filter(|c| c.spread_exceeded).map(|c| Spread {
                id: id.to_string(),
                members: c.members.len() as u32,
                spread: c.spread,
                limit: c.spread_limit,
            }),
        }
    }
}

/// How many entries each capped list of a [`Tally`] keeps; the rest are counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Caps {
    /// Councils flagged for spread (default 100).
    pub councils: usize,
    /// Rejected rows (default 200).
    pub rejected: usize,
    /// The longest rejected-row message kept, in bytes (default 512; cut with `…`).
    pub message_bytes: usize,
    /// Held-down minimums shown on the page, the most frequent first (default 25).
    pub held_shown: usize,
}

impl Default for Caps {
    fn default() -> Caps {
        Caps { councils: 100, rejected: 200, message_bytes: 512, held_shown: 25 }
    }
}

/// The index of a class in [`Tally::classes`]: 0 for a knocked-out product, else the stars.
fn class_index(stars: Option<u8>) -> usize {
    stars.map_or(0, usize::from).min(5)
}

/// A minimum as counted: the decision, the set and what held the class down.
type HeldKey = (Tag, Tag, Held);

/// The round's counts, fed by the bulk run as rows stream (see the [module](self)). Memory is
/// bounded: the maps are keyed by what the catalog holds (forms, minimums, knock-outs), and the
/// lists are capped by [`Caps`].
#[derive(Clone, Debug)]
pub struct Tally {
    caps: Caps,
    scored: u64,
    rejected: u64,
    classes: [u64; 6],
    bands: [u64; 6],
    held_rows: u64,
    by_set: BTreeMap<(Tag, Tag), [u64; 6]>,
    held: HashMap<HeldKey, u64>,
    knockouts: BTreeMap<Tag, (String, u64)>,
    councils: Vec<(u64, Spread)>,
    councils_flagged: u64,
    rejected_rows: Vec<(u64, String)>,
    row_prefix: String,
}

impl Tally {
    /// An empty tally.
    pub fn new(caps: Caps) -> Tally {
        Tally {
            caps,
            scored: 0,
            rejected: 0,
            classes: [0; 6],
            bands: [0; 6],
            held_rows: 0,
            by_set: BTreeMap::new(),
            held: HashMap::new(),
            knockouts: BTreeMap::new(),
            councils: Vec::new(),
            councils_flagged: 0,
            rejected_rows: Vec::new(),
            row_prefix: "row ".to_string(),
        }
    }

    /// How rows are named on the page: `row ` by default (`row 7`); an Excel run sets
    /// `Sheet1!row ` (`Sheet1!row 7`).
    pub fn set_row_prefix(&mut self, prefix: &str) {
        self.row_prefix = prefix.to_string();
    }

    /// Counts one written row.
    pub fn add(&mut self, row: u64, fact: &RowFact) {
        self.scored += 1;
        let class = class_index(fact.stars);
        if let Some(n) = self.classes.get_mut(class) {
            *n += 1;
        }
        if let Some(n) = self.bands.get_mut(usize::from(fact.band).min(5)) {
            *n += 1;
        }
        if let Some(n) = self.by_set.entry((fact.decision, fact.set)).or_insert([0; 6]).get_mut(class) {
            *n += 1;
        }
        if !fact.held.is_empty() {
            self.held_rows += 1;
        }
        for held in &fact.held {
            *self.held.entry((fact.decision, fact.set, *held)).or_insert(0) += 1;
        }
        if let Some((id, name)) = &fact.knockout {
            self.knockouts.entry(*id).or_insert_with(|| (name.clone(), 0)).1 += 1;
        }
        if let Some(spread) = &fact.spread {
            self.councils_flagged += 1;
            if self.councils.len() < self.caps.councils {
                self.councils.push((row, spread.clone()));
            }
        }
    }

    /// Counts one rejected row and keeps its message (up to the caps).
    pub fn reject(&mut self, row: u64, message: &str) {
        self.rejected += 1;
        if self.rejected_rows.len() < self.caps.rejected {
            let mut text = message.to_string();
            if text.len() > self.caps.message_bytes {
                let mut cut = self.caps.message_bytes;
                while !text.is_char_boundary(cut) {
                    cut -= 1;
                }
                text.truncate(cut);
                text.push('…');
            }
            self.rejected_rows.push((row, text));
        }
    }

    /// Rows scored and written.
    pub fn scored(&self) -> u64 {
        self.scored
    }

    /// Rows rejected.
    pub fn rejected(&self) -> u64 {
        self.rejected
    }

    /// Rows per final class: index 0 counts the knocked-out ("Không đạt"), 1–5 the stars.
    pub fn classes(&self) -> [u64; 6] {
        self.classes
    }

    /// Rows per band class (the score alone), indexed as [`Tally::classes`] (index 0 unused).
    pub fn bands(&self) -> [u64; 6] {
        self.bands
    }

    /// Rows whose class a minimum held below the band.
    pub fn held_rows(&self) -> u64 {
        self.held_rows
    }

    /// Rows per (decision, set), each counted per class as in [`Tally::classes`].
    pub fn by_set(&self) -> impl Iterator<Item = (&str, &str, [u64; 6])> + '_ {
        self.by_set.iter().map(|((d, s), n)| (d.as_str(), s.as_str(), *n))
    }

    /// The minimums that held products down, the most frequent first (then by decision, set,
    /// criterion): (decision, set, minimum, products held by it).
    pub fn held(&self) -> Vec<(Tag, Tag, Held, u64)> {
        let mut all: Vec<(Tag, Tag, Held, u64)> =
            self.held.iter().map(|((d, s, h), n)| (*d, *s, *h, *n)).collect();
        all.sort_by(|a, b| b.3.cmp(&a.3).then_with(|| (a.0, a.1, a.2).cmp(&(b.0, b.1, b.2))));
        all
    }

    /// Knock-outs by reason: (id, English name, rows).
    pub fn knockouts(&self) -> impl Iterator<Item = (&str, &str, u64)> + '_ {
        self.knockouts.iter().map(|(id, (name, n))| (id.as_str(), name.as_str(), *n))
    }

    /// The councils flagged for spread (the first [`Caps::councils`], with their rows), and how
    /// many were flagged in all.
    pub fn councils(&self) -> (&[(u64, Spread)], u64) {
        (&self.councils, self.councils_flagged)
    }

    /// The rejected rows kept (the first [`Caps::rejected`]), with their messages.
    pub fn rejected_rows(&self) -> &[(u64, String)] {
        &self.rejected_rows
    }
}

impl crate::bulk::Events for Tally {
    fn bad_row(&mut self, row: u64, message: &str) -> std::io::Result<()> {
        self.reject(row, message);
        Ok(())
    }

    fn scored(&mut self, row: u64, fact: &RowFact) {
        self.add(row, fact);
    }
}

/// What the page says about the run besides the tally.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunInfo {
    /// The input's name (a file name; for a workbook, with the sheet).
    pub input: String,
    /// When the run was made, as the caller wants it shown (the library reads no clock).
    pub when: Option<String>,
    /// Whether the run stopped at the first bad row (`--strict`).
    pub stopped: bool,
}

impl RunInfo {
    /// The run of `input`, with no time and not stopped.
    pub fn new(input: &str) -> RunInfo {
        RunInfo { input: input.to_string(), when: None, stopped: false }
    }
}

#[cfg(feature = "html")]
pub use page::page;

#[cfg(feature = "html")]
mod page {
    use super::{Held, RunInfo, Tally};
    use maud::{DOCTYPE, Markup, PreEscaped, html};

    /// The class labels, indexed as [`Tally::classes`].
    const CLASSES: [&str; 6] = ["Không đạt", "1★", "2★", "3★", "4★", "5★"];

    /// The bars' colours, indexed as [`Tally::classes`].
    const COLOURS: [&str; 6] = ["#b00000", "#9e9e9e", "#7f8fa6", "#4a7ab5", "#2f6f3e", "#b8860b"];

    /// The round report of `tally` as one self-contained HTML page. See the [module](super).
    ///
    /// Control characters in the input (an escape sequence in an id) are written as `\u{1b}`
    /// text, as on the score sheet.
    pub fn page(tally: &Tally, info: &RunInfo) -> String {
        crate::html::without_stray_controls(markup(tally, info).into_string())
    }

    fn percent(n: u64, of: u64) -> String {
        if of == 0 {
            return "–".into();
        }
        // Integer arithmetic: tenths of a percent, rounded half up.
        let tenths = (u128::from(n) * 1000 + u128::from(of) / 2) / u128::from(of);
        format!("{}.{}%", tenths / 10, tenths % 10)
    }

    fn markup(tally: &Tally, info: &RunInfo) -> Markup {
        let total = tally.scored();
        let classes = tally.classes();
        let held = tally.held();
        let (councils, flagged) = tally.councils();
        let rejected_shown = tally.rejected_rows();
        html! {
            (DOCTYPE)
            html lang="vi" {
                head {
                    meta charset="utf-8";
                    title { "Báo cáo đợt đánh giá OCOP — " (info.input) }
                    style { (PreEscaped(crate::html::PAGE_CSS)) (PreEscaped(CSS)) }
                }
                body {
                    main.sheet.round {
                        h1 { "BÁO CÁO ĐỢT ĐÁNH GIÁ SẢN PHẨM OCOP" }
                        p.sub.small { "Round report" }
                        table.info {
                            tr { th { "Input" } td #input { (info.input) } }
                            @if let Some(when) = &info.when { tr { th { "Run" } td { (when) } } }
                            tr { th { "Rows scored" } td #scored data-count=(total) { (total) } }
                            tr { th { "Rows rejected" } td #rejected data-count=(tally.rejected()) { (tally.rejected()) } }
                            tr { th { "Held below band" } td #held data-count=(tally.held_rows()) {
                                (tally.held_rows()) " (" (percent(tally.held_rows(), total)) " of the rows scored)"
                            } }
                        }
                        @if info.stopped {
                            p.banner.bad { "The run stopped at the first bad row (--strict): the rows after it were not read." }
                        }
                        section.blk #classes {
                            h2 { "Phân hạng — Classes" }
                            (histogram(&classes))
                            table.grid {
                                thead { tr { th { "Class" } th.num { "Products" } th.num { "Share" } th.num { "Band (score alone)" } } }
                                tbody {
                                    @for (i, label) in CLASSES.iter().enumerate().rev() {
                                        @let n = classes.get(i).copied().unwrap_or(0);
                                        tr {
                                            td { (label) }
                                            td.num data-class=(i) data-class-count=(n) { (n) }
                                            td.num { (percent(n, total)) }
                                            td.num { @if i > 0 { (tally.bands().get(i).copied().unwrap_or(0)) } @else { "–" } }
                                        }
                                    }
                                    tr.total { td { "Total" } td.num #class-total { (total) } td.num { (percent(total, total)) } td.num { (total) } }
                                }
                            }
                            p.small { "Không đạt: disqualified by a knock-out (ruling 3). The band is the class from the score alone; the class is capped by the minimums (ruling 2)." }
                        }
                        section #sets {
                            h2 { "Theo bộ sản phẩm — Per set" }
                            table.grid {
                                thead { tr { th { "Decision" } th { "Set" }
                                    @for i in (0..6).rev() { th.num { (CLASSES.get(i).copied().unwrap_or("")) } }
                                    th.num { "Total" } } }
                                tbody {
                                    @for (decision, set, n) in tally.by_set() {
                                        tr data-set=(format!("{decision}/{set}")) {
                                            td { (decision) } td { (set) }
                                            @for i in (0..6).rev() { td.num { (n.get(i).copied().unwrap_or(0)) } }
                                            td.num { (n.iter().sum::<u64>()) }
                                        }
                                    }
                                }
                            }
                        }
                        section #held-down {
                            h2 { "Tiêu chí giữ hạng — Minimums that held products below their band" }
                            @if held.is_empty() {
                                p { "No product was held below its band class." }
                            } @else {
                                table.grid {
                                    thead { tr { th { "Decision" } th { "Set" } th { "Criterion" } th { "Blocked" } th { "Minimum" } th.num { "Products" } } }
                                    tbody {
                                        @for (decision, set, h, n) in held.iter().take(tally.caps.held_shown) {
                                            (held_row(decision.as_str(), set.as_str(), h, *n))
                                        }
                                    }
                                }
                                @if held.len() > tally.caps.held_shown {
                                    p.small.more { "… and " (held.len() - tally.caps.held_shown) " more minimums, each holding fewer products." }
                                }
                            }
                        }
                        section.blk #knockouts {
                            h2 { "Loại — Knock-outs by reason" }
                            @if classes.first().copied().unwrap_or(0) == 0 {
                                p { "No product was knocked out." }
                            } @else {
                                table.grid {
                                    thead { tr { th { "Knock-out" } th { "Reason" } th.num { "Products" } } }
                                    tbody {
                                        @for (id, name, n) in tally.knockouts() {
                                            tr { td.mono { (id) } td { (name) } td.num data-knockout-count=(n) { (n) } }
                                        }
                                    }
                                }
                            }
                        }
                        section #councils {
                            h2 { "Hội đồng — Councils flagged for spread" }
                            @if flagged == 0 {
                                p { "No council's members differ by more than the limit." }
                            } @else {
                                p { (flagged) " councils' members differ by more than the decision's limit (ruling 6): the council re-scores." }
                                table.grid {
                                    thead { tr { th.num { "Row" } th { "Product" } th.num { "Members" } th.num { "Spread" } th.num { "Limit" } } }
                                    tbody {
                                        @for (row, s) in councils {
                                            tr { td.num { (tally.row_prefix) (row) } td { (s.id) } td.num { (s.members) } td.num { (s.spread) } td.num { (s.limit) } }
                                        }
                                    }
                                }
                                @if flagged > councils.len() as u64 {
                                    p.small.more { "… and " (flagged - councils.len() as u64) " more (the first " (councils.len()) " are listed)." }
                                }
                            }
                        }
                        section #rejected-rows {
                            h2 { "Dòng bị từ chối — Rejected rows" }
                            @if tally.rejected() == 0 {
                                p { "No row was rejected." }
                            } @else {
                                table.grid.rejects {
                                    colgroup { col.c-row; col; }
                                    thead { tr { th { "Row" } th { "Why" } } }
                                    tbody {
                                        @for (row, message) in rejected_shown {
                                            tr { td.row { (tally.row_prefix) (row) } td.why { (message) } }
                                        }
                                    }
                                }
                                @if tally.rejected() > rejected_shown.len() as u64 {
                                    p.small.more { "… and " (tally.rejected() - rejected_shown.len() as u64) " more rejected rows (the first " (rejected_shown.len()) " are listed)." }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    fn held_row(decision: &str, set: &str, h: &Held, n: u64) -> Markup {
        html! {
            tr {
                td { (decision) } td { (set) } td.mono { (h.criterion) }
                td { (h.stars) "★" }
                td { "≥ " (h.needed) " points (option " (h.option) ")" }
                td.num { (n) }
            }
        }
    }

    /// The class distribution as an inline SVG bar chart.
    fn histogram(classes: &[u64; 6]) -> Markup {
        let max = classes.iter().copied().max().unwrap_or(0).max(1);
        let (w, h, top, bottom) = (600u64, 180u64, 18u64, 30u64);
        let slot = w / 6;
        let bar_w = slot * 6 / 10;
        html! {
            figure.histogram {
                svg xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 {w} {h}")) width="100%" role="img" aria-label="Class distribution" {
                    line x1="0" y1=(h - bottom) x2=(w) y2=(h - bottom) stroke="#000" stroke-width="1" {}
                    @for (i, n) in classes.iter().enumerate() {
                        @let height = (h - top - bottom) * n / max;
                        @let x = slot * i as u64 + (slot - bar_w) / 2;
                        g data-bar=(i) {
                            rect x=(x) y=(h - bottom - height) width=(bar_w) height=(height)
                                fill=(COLOURS.get(i).copied().unwrap_or("#777")) {}
                            text.val x=(x + bar_w / 2) y=(h - bottom - height - 4) text-anchor="middle" font-size="12" { (n) }
                            text.lbl x=(x + bar_w / 2) y=(h - bottom + 18) text-anchor="middle" font-size="12" {
                                (CLASSES.get(i).copied().unwrap_or(""))
                            }
                        }
                    }
                }
                figcaption { "Products per class (Không đạt: knocked out)" }
            }
        }
    }

    /// The report's own style after the score sheet's page ([`crate::html::PAGE_CSS`]: A4, 186 mm
    /// of content, a grey desk on screen): tables whose header repeats on each printed page and
    /// whose rows are not split.
    const CSS: &str = r#"
td, th, p, .banner, figcaption { overflow-wrap: anywhere; }
h1 { text-align: center; font-size: 15pt; margin: 2mm 0 1mm; letter-spacing: .02em; }
h2 { font-size: 12pt; margin: 5mm 0 2mm; break-after: avoid; }
p.sub.small { text-align: center; margin: 0 0 3mm; font-size: 9pt; font-style: italic; }
.small { font-size: 8.5pt; }
.mono { font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 8pt; }
table { border-collapse: collapse; width: 100%; }
table.info { margin: 2mm 0; font-size: 9.5pt; table-layout: fixed; }
table.info th { width: 35mm; text-align: left; font-weight: normal; color: #333; padding: 1px 3px; vertical-align: top; }
table.info td { padding: 1px 3px; vertical-align: top; }
table.grid { font-size: 9pt; table-layout: fixed; }
table.grid th { border: 1px solid #000; background: #e9e9e9; padding: 0.8mm 1mm; text-align: left; }
table.grid td { border: 1px solid #000; padding: 0.5mm 1mm; vertical-align: top; }
table.grid thead { display: table-header-group; }
table.grid tr { break-inside: avoid; }
table.grid .num { text-align: right; }
tr.total td { font-weight: bold; background: #f0f0f0; }
table.rejects col.c-row { width: 32mm; }
table.rejects td.why { font-size: 8.5pt; }
.blk { break-inside: avoid; }
.banner { border: 1.5px solid #000; padding: 1.5mm 2.5mm; margin: 1.5mm 0; font-size: 9.5pt; }
.banner.bad { border-color: #b00000; background: #fde8e8; }
figure.histogram { margin: 0 0 2mm; }
figure.histogram svg { display: block; max-height: 60mm; }
figcaption { text-align: center; font-size: 8.5pt; color: #333; }
p.more { font-style: italic; }
"#;
}
