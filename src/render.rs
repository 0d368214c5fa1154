//! Output: the score sheet a council secretary signs (text) and the JSON record of a result.
//!
//! Both show exact values. A council's means are shown rounded to the decision's display
//! places, marked `≈` when rounding changed them; comparisons never use the rounded value.

use crate::assessment::Scored;
use crate::form::Form;
use crate::points::{Mean, Points};
use crate::score::{Outcome, Status};
use crate::trace::{Trace, TraceLine};
use serde_json::{Value, json};
use std::fmt::Write;

fn mean_text(m: Mean, places: u32) -> String {
    let shown = m.display(places);
    if shown == m.to_decimal().normalize() { shown.to_string() } else { format!("≈{shown}") }
}

fn cut(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(width.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

/// Why the final class is what it is, in one or two sentences.
pub fn verdict(outcome: &Outcome<'_>) -> String {
    if let Some(k) = outcome.disqualified() {
        return format!(
            "NOT CLASSIFIED (Không đạt): knock-out `{}`: {} [{}]",
            k.id(),
            k.text_vi(),
            k.source()
        );
    }
    let stars = outcome.class_after_minimums();
    let mut out = format!("{stars} star{}", if stars == 1 { "" } else { "s" });
    if let Some(stop) = outcome.stopped() {
        if stop.sheets < outcome.members() {
            let _ = write!(
                out,
                ", the evaluation having stopped at {} on {} of {} sheets",
                stop.criterion.id(),
                stop.sheets,
                outcome.members()
            );
        } else {
            let _ =
                write!(out, ", on the points given before the evaluation stopped at {}", stop.criterion.id());
        }
    }
    if stars < outcome.band_stars() {
        let blocked = stars + 1;
        let reasons: Vec<String> = outcome
            .limited_by()
            .map(|l| {
                format!("{} needs {} (option {}), got {}", l.criterion.id(), l.needed, l.option_key, l.got)
            })
            .collect();
        let _ = write!(
            out,
            ", held below the {}-star band: the minimums for {blocked} stars are not met: {}",
            outcome.band_stars(),
            reasons.join("; ")
        );
    }
    out
}

/// One line: where the evaluation stopped and why (ruling 9).
pub fn stopped_text(stop: &crate::score::Stopped<'_>, members: u32) -> String {
    let reach = match stop.stop.scope() {
        crate::StopScope::Evaluation => "every later criterion was not evaluated",
        crate::StopScope::Section => "the rest of its section was not evaluated",
    };
    let whose = if stop.sheets < members {
        format!(
            "on {} of {members} sheets {reach} (the other sheets were evaluated in full; the means count those criteria at 0 on the stopped sheets)",
            stop.sheets
        )
    } else if members > 1 {
        format!("on every sheet {reach}")
    } else {
        reach.to_string()
    };
    format!(
        "Evaluation stopped at {} {}: {} — {whose}; the class rests on the points given (not a knock-out)",
        stop.criterion.id(),
        stop.criterion.title_vi(),
        stop.stop.note_vi()
    )
}

fn band_text(form: &Form, outcome: &Outcome<'_>) -> String {
    let total = outcome.total_mean();
    match form.decision().bands().iter().find(|b| b.stars == outcome.band_stars()) {
        Some(b) => format!(
            "{} stars ({} ≤ {} {} {})",
            b.stars,
            b.from,
            mean_text(total, 4),
            if b.inclusive { "≤" } else { "<" },
            b.upper
        ),
        None => format!("no band contains {}", mean_text(total, 4)),
    }
}

/// Appends one line of the text sheet, escaped for a terminal: whatever the data holds, it
/// stays on this line ([`crate::terminal::escape`]).
fn push_line(out: &mut String, args: std::fmt::Arguments<'_>) {
    let line = args.to_string();
    out.push_str(&crate::terminal::escape(&line));
    out.push('\n');
}

macro_rules! sheet_line {
    ($out:expr, $($arg:tt)*) => { push_line(&mut $out, format_args!($($arg)*)) };
}

/// The score sheet as text: header, every criterion with the chosen option and points/max,
/// section and part subtotals, the total, the band, the minimums, knock-outs and the verdict.
///
/// Each line is escaped for a terminal ([`crate::terminal::escape`]): a product name, member
/// name or rule-file text holding a line break or an escape sequence shows it as `\n` or
/// `\u{1b}`, and cannot forge or hide a line of the sheet.
pub fn text(scored: &Scored<'_>, trace: &Trace<'_>) -> String {
    let form = scored.form();
    let members = trace.members();
    let sheet = SheetText {
        form,
        outcome: trace.outcome(),
        places: form.decision().display_places(),
        members,
        council: members.len() > 1,
    };
    let mut out = String::new();
    sheet.header(&mut out, scored);
    let lines: Vec<TraceLine<'_, '_>> = trace.lines().collect();
    let member_parts = trace.member_parts();
    for (pi, part) in form.parts().iter().enumerate() {
        sheet.part(&mut out, pi, part, &lines, &member_parts);
    }
    sheet.totals(&mut out, trace);
    sheet.minimums(&mut out);
    sheet.verdict(&mut out, scored);
    out
}

/// What every step of the text sheet reads.
struct SheetText<'s, 'f> {
    form: &'f Form,
    outcome: &'s Outcome<'f>,
    places: u32,
    members: &'s [String],
    council: bool,
}

impl<'f> SheetText<'_, 'f> {
    /// The head of the sheet: product, decision, form, rule file, dates and council members.
    fn header(&self, out: &mut String, scored: &Scored<'_>) {
        let (form, d, a) = (self.form, self.form.decision(), scored.assessment());
        sheet_line!(*out, "OCOP SCORE SHEET — PHIẾU ĐÁNH GIÁ SẢN PHẨM OCOP");
        if let Some(p) = a.product() {
            sheet_line!(*out, "Product:   {p}");
        }
        sheet_line!(*out, "Decision:  {} ({}) — {}", d.number(), d.key(), d.title_en());
        sheet_line!(*out, "Form:      set {} — {} ({})", form.set(), form.name_vi(), form.name_en());
        sheet_line!(*out, "Source:    {}", form.source());
        sheet_line!(*out, "Rule file: {}  sha256 {}", form.file(), form.sha256());
        sheet_line!(*out, "Chosen by: {}", scored.chosen_by());
        if let Some(date) = a.lodged_on() {
            sheet_line!(*out, "Lodged on: {date}");
        }
        if let Some(date) = a.evaluated_on() {
            sheet_line!(*out, "Evaluated: {date}");
        }
        if self.council {
            sheet_line!(*out, "Council:   {} members: {}", self.members.len(), self.members.join(", "));
        }
        out.push('\n');
    }

    /// One part: its heading and mean, its sections, and (for a council) each member's points.
    fn part(
        &self,
        out: &mut String,
        pi: usize,
        part: &crate::form::Part,
        lines: &[TraceLine<'_, 'f>],
        member_parts: &[Vec<Points>],
    ) {
        let form = self.form;
        let part_mean = self.outcome.parts().nth(pi).map(|p| p.1).unwrap_or(Mean::new(Points::ZERO, 1));
        sheet_line!(
            *out,
            "PART {} — {} ({})  {} / {}",
            part.id(),
            part.title_vi(),
            part.name_en(),
            mean_text(part_mean, self.places),
            part.max()
        );
        for section in form.sections().iter().filter(|s| std::ptr::eq(&form.parts()[s.part], part)) {
            self.section(out, section, lines);
        }
        if self.council {
            let each: Vec<String> =
                self.members.iter().zip(member_parts).map(|(n, p)| format!("{n} {}", p[pi])).collect();
            sheet_line!(*out, "  part {} by member: {}", part.id(), each.join(", "));
        }
        out.push('\n');
    }

    /// One section: its heading and mean, then its criteria, each group heading once before
    /// its first child.
    fn section(&self, out: &mut String, section: &crate::form::Section, lines: &[TraceLine<'_, 'f>]) {
        let in_section: Vec<&TraceLine<'_, '_>> =
            lines.iter().filter(|l| std::ptr::eq(l.section, section)).collect();
        let sum: Points = in_section.iter().map(|l| l.mean.sum()).sum();
        sheet_line!(
            *out,
            "  {}. {} ({})  {} / {}",
            section.id(),
            section.title_vi(),
            section.name_en(),
            mean_text(Mean::new(sum, self.members.len() as u32), self.places),
            section.max()
        );
        let mut shown_groups = Vec::new();
        for line in in_section {
            // Print group headings once, before their first child.
            for group in self.form.criteria()[section.nodes.clone()].iter().filter(|c| c.leaf.is_none()) {
                if line.criterion.id().starts_with(&format!("{}.", group.id()))
                    && !shown_groups.contains(&group.id())
                {
                    shown_groups.push(group.id());
                    sheet_line!(
                        *out,
                        "    {} {} ({})  max {}",
                        group.id(),
                        group.title_vi(),
                        group.name_en(),
                        group.max()
                    );
                }
            }
            self.criterion(out, line);
        }
    }

    /// One answered criterion: the answer (each member's, for a council) and points, then why
    /// any sheet scores it 0, then its printed anomalies.
    fn criterion(&self, out: &mut String, line: &TraceLine<'_, 'f>) {
        let indent = "  ".repeat(usize::from(line.criterion.depth()));
        let c = line.criterion;
        if self.council {
            let answers: Vec<String> = (0..self.members.len())
                .map(|m| format!("{}={}", line.answer_text(m), line.cells[m].points))
                .collect();
            sheet_line!(
                *out,
                "    {indent}{:<7} {}  [{}]  mean {} / {}",
                c.id(),
                cut(c.title_vi(), 48),
                answers.join(" "),
                mean_text(line.mean, self.places),
                c.max()
            );
        } else {
            let chosen = line.chosen(0);
            let text: Vec<&str> = chosen.iter().map(|o| o.text_vi()).collect();
            let option =
                if text.is_empty() { "(no printed option met)".to_string() } else { text.join(" + ") };
            sheet_line!(
                *out,
                "    {indent}{:<7} {}  → {}  {} / {}  {}",
                c.id(),
                cut(c.title_vi(), 48),
                line.answer_text(0),
                line.mean,
                c.max(),
                cut(&option, 70)
            );
        }
        for (m, member) in self.members.iter().enumerate() {
            if let Some(reason) = line.reason_zero(m) {
                let who = if self.council { format!("{member}: ") } else { String::new() };
                sheet_line!(*out, "    {indent}        {who}0 points, {}", cut(&reason, 110));
            }
        }
        for anomaly in c.anomalies() {
            sheet_line!(
                *out,
                "    {indent}        printed anomaly ({}): printed `{}`, applied `{}`: {}",
                anomaly.field,
                anomaly.printed,
                anomaly.applied,
                anomaly.reason
            );
        }
    }

    /// The members' totals (a council), the total with its parts, and the band.
    fn totals(&self, out: &mut String, trace: &Trace<'_>) {
        let (outcome, places) = (self.outcome, self.places);
        if self.council {
            let totals = trace.member_totals();
            let each: Vec<String> =
                self.members.iter().zip(&totals).map(|(n, t)| format!("{n} {t}")).collect();
            sheet_line!(*out, "Member totals: {}", each.join(", "));
        }
        let parts: Vec<String> =
            outcome.parts().map(|(id, m)| format!("{id} {}", mean_text(m, places))).collect();
        sheet_line!(
            *out,
            "TOTAL: {} / {}   ({})",
            mean_text(outcome.total_mean(), places),
            self.form.decision().total_max(),
            parts.join(", ")
        );
        if self.council {
            sheet_line!(*out, "Exact mean total: {}", outcome.total());
        }
        sheet_line!(*out, "Band:  {}", band_text(self.form, outcome));
    }

    /// The minimums: those not yet in force for this dossier, those met, and each one that
    /// holds the class down.
    fn minimums(&self, out: &mut String) {
        let (form, outcome) = (self.form, self.outcome);
        let later: Vec<&crate::form::Minimum> =
            form.minimums().iter().filter(|m| !m.applies_on(outcome.judged_on())).collect();
        if let (Some(on), Some(first)) = (outcome.judged_on(), later.first()) {
            let from = first.in_force_from().map(|d| d.to_string()).unwrap_or_default();
            sheet_line!(
                *out,
                "Minimums: {} not applied, added from {from}, after this dossier was lodged on {on}",
                later.len()
            );
        }
        let minimum_count = form.minimums().len() - later.len();
        if minimum_count > 0 && outcome.limited_by().next().is_none() {
            sheet_line!(
                *out,
                "Minimums: every minimum up to {} stars met ({} minimums in this form)",
                outcome.band_stars(),
                minimum_count
            );
        }
        for l in outcome.limited_by() {
            let origin = match &l.minimum.origin {
                crate::form::MinimumOrigin::Marker => {
                    format!("option {} is marked {}", l.option_key, "*".repeat(l.stars.into()))
                }
                crate::form::MinimumOrigin::Table { text_vi, source } => format!("{text_vi} [{source}]"),
            };
            sheet_line!(
                *out,
                "Minimum not met for {} stars: {} {} needs {}, got {} ({origin})",
                l.stars,
                l.criterion.id(),
                l.criterion.title_vi(),
                l.needed,
                l.got
            );
        }
    }

    /// The end of the sheet: the stop, the knock-outs, the final class, the council's spread
    /// and quorum, and the award.
    fn verdict(&self, out: &mut String, scored: &Scored<'_>) {
        let outcome = self.outcome;
        if let Some(stop) = outcome.stopped() {
            sheet_line!(*out, "{}", stopped_text(&stop, outcome.members()));
        }
        match outcome.disqualified() {
            Some(k) => {
                sheet_line!(*out, "Knock-out: {} — {} ({})", k.id(), k.text_vi(), k.name_en());
            }
            None => {
                sheet_line!(*out, "Knock-outs: none triggered ({} checked)", self.form.knockouts().len());
            }
        }
        sheet_line!(*out, "FINAL CLASS: {}", verdict(outcome));
        if self.council {
            let c = scored.council();
            sheet_line!(
                *out,
                "Council spread: {} (highest {} {}, lowest {} {}); limit {}{}",
                c.spread,
                c.highest.join(", "),
                c.members.iter().map(|m| m.1).max().unwrap_or_default(),
                c.lowest.join(", "),
                c.members.iter().map(|m| m.1).min().unwrap_or_default(),
                c.spread_limit,
                if c.spread_exceeded { " — EXCEEDED: the council discusses and re-scores" } else { "" }
            );
            if let Some(q) = &c.quorum_problem {
                sheet_line!(*out, "Quorum: {q}");
            }
        }
        let award = scored.award();
        match award.valid_until {
            Some(until) => sheet_line!(*out, "Award: {}; certificate valid until {until}", award.note),
            None => sheet_line!(*out, "Award: {}", award.note),
        }
        if let Some(below) = &award.if_scored_below {
            sheet_line!(*out, "  {below}");
        }
        // The certificate's dates after issue (ruling 13), each with its source.
        for line in award.lifecycle.iter().flat_map(|l| &l.lines).skip(1) {
            sheet_line!(*out, "  {line}");
        }
    }
}

fn status_name(status: Status) -> &'static str {
    match status {
        Status::Scored => "scored",
        Status::NotApplicable => "not_applicable",
        Status::Stopped { .. } => "not_evaluated",
        Status::RequirementUnmet => "requirement_unmet",
    }
}

/// The JSON record of a result: `total`, `parts`, `band_stars`, `stars`, `disqualified`,
/// `limited_by`, `stopped`, `ruleset`, and `trace` when given. Decimals are strings, exact.
pub fn json(scored: &Scored<'_>, trace: Option<&Trace<'_>>) -> Value {
    let form = scored.form();
    let outcome = scored.outcome();
    let mut record = outcome_json(outcome);
    let a = scored.assessment();
    if let Value::Object(map) = &mut record {
        map.insert("file".into(), json!(a.file()));
        map.insert("product".into(), json!(a.product()));
        map.insert("chosen_by".into(), json!(scored.chosen_by()));
        if scored.sheets().len() == 1 {
            // One shape for every record: a single sheet has no council.
            map.insert("council".into(), Value::Null);
        } else {
            let c = scored.council();
            let places = form.decision().display_places();
            map.insert(
                "council".into(),
                json!({
                    "members": c.members.iter().map(|(n, t)| json!({"name": n, "total": t.to_string()})).collect::<Vec<_>>(),
                    "mean_total": c.mean.to_decimal().normalize().to_string(),
                    "mean_total_display": c.mean.display(places).to_string(),
                    "spread": c.spread.to_string(),
                    "spread_limit": c.spread_limit.to_string(),
                    "spread_exceeded": c.spread_exceeded,
                    "highest": c.highest,
                    "lowest": c.lowest,
                    "council_size": c.council_size,
                    "quorum_problem": c.quorum_problem,
                }),
            );
        }
        let award = scored.award();
        map.insert(
            "award".into(),
            json!({
                "level": award.level,
                "certificate": award.certificate,
                "potential": award.potential,
                "valid_until": award.valid_until.map(|d| d.to_string()),
                "note": award.note,
                "if_scored_below": award.if_scored_below,
                "lifecycle": award.lifecycle.as_ref().map(|l| json!({
                    "recognised_on": l.recognised_on.to_string(),
                    "valid_until": l.valid_until.to_string(),
                    "renewal_decision": l.renewal_decision,
                    "re_rating_from": l.re_rating_window.map(|w| w.0.to_string()),
                    "re_rating_until": l.re_rating_window.map(|w| w.1.to_string()),
                    "extended_at_most_until": l.extended_at_most_until.map(|d| d.to_string()),
                    "lines": l.lines,
                })),
            }),
        );
        if let Some(trace) = trace {
            map.insert("trace".into(), trace_json(form, trace));
            if trace.members().len() > 1 {
                let totals: Vec<String> = trace.member_totals().iter().map(|t| t.to_string()).collect();
                map.insert("member_totals".into(), json!(totals));
            }
        }
    }
    record
}

/// The JSON record of an outcome alone (no trace), as in `ocop bulk --format jsonl`.
pub fn outcome_json(outcome: &Outcome<'_>) -> Value {
    serde_json::to_value(OutcomeRecord::new(outcome, None)).unwrap_or(Value::Null)
}

/// [`outcome_json`] with an `id`, written as one line of JSON Lines (with its newline) straight
/// to `out`: the same keys and values as the [`Value`], without building one (4× faster in
/// `ocop bulk`).
pub fn write_outcome_json_line(outcome: &Outcome<'_>, id: &str, out: &mut Vec<u8>) {
    // Serialising borrowed strings and integers to a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, &OutcomeRecord::new(outcome, Some(id)));
    out.push(b'\n');
}

/// The outcome's JSON record. Fields are in alphabetical order, the order `serde_json::Value`
/// objects print in, so both paths give the same bytes. Numbers are written straight from the
/// exact means ([`Shown`]) and the ruleset from its text serialised once per form: a bulk run
/// writes millions of these.
#[derive(serde::Serialize)]
struct OutcomeRecord<'a> {
    band_stars: u8,
    disqualified: Option<&'a str>,
    disqualified_reason: Option<ReasonRecord<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    limited_by: Vec<LimitRecord<'a>>,
    parts: PartsRecord<'a>,
    ruleset: Ruleset<'a>,
    stars: Option<u8>,
    stopped: Option<StoppedRecord<'a>>,
    total: Shown,
}

#[derive(serde::Serialize)]
struct StoppedRecord<'a> {
    criterion: &'a str,
    note_vi: &'a str,
    scope: &'a str,
    sheets: u32,
}

#[derive(serde::Serialize)]
struct ReasonRecord<'a> {
    name_en: &'a str,
    source: &'a str,
    text_vi: &'a str,
}

#[derive(serde::Serialize)]
struct LimitRecord<'a> {
    criterion: &'a str,
    got: Shown,
    needed: ShownPoints,
    option: &'a str,
    stars: u8,
}

#[derive(serde::Serialize)]
struct RulesetRecord<'a> {
    decision: &'a str,
    decision_sha256: &'a str,
    file: &'a str,
    number: &'a str,
    set: &'a str,
    sha256: &'a str,
}

/// The ruleset object: as serialised once for the form, or serialised now.
#[derive(serde::Serialize)]
#[serde(untagged)]
enum Ruleset<'a> {
    Once(&'a serde_json::value::RawValue),
    Now(RulesetRecord<'a>),
}

fn ruleset_record(form: &Form) -> RulesetRecord<'_> {
    let d = form.decision();
    RulesetRecord {
        decision: d.key(),
        decision_sha256: d.sha256(),
        file: form.file(),
        number: d.number(),
        set: form.set(),
        sha256: form.sha256(),
    }
}

/// The form's ruleset object as JSON text, kept with the form's scoring plan.
pub(crate) fn ruleset_json(form: &Form) -> Option<Box<serde_json::value::RawValue>> {
    serde_json::value::to_raw_value(&ruleset_record(form)).ok()
}

/// An exact mean as a JSON string, as its normalised decimal prints (`2.5`, `0`, `89.666…`):
/// written straight from the integer for one sheet, without an allocation.
struct Shown(Mean);

impl serde::Serialize for Shown {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.0.count() == 1 {
            // One sheet: `Points`' Display is the normalised decimal of the hundredths.
            serializer.collect_str(&self.0.sum())
        } else {
            serializer.collect_str(&self.0.to_decimal().normalize())
        }
    }
}

/// Points as a JSON string (`2`, `2.5`).
struct ShownPoints(Points);

impl serde::Serialize for ShownPoints {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

/// Part id → exact mean, sorted by id as a JSON object prints.
struct PartsRecord<'a>(Vec<(&'a str, Shown)>);

impl serde::Serialize for PartsRecord<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

impl<'a> OutcomeRecord<'a> {
    fn new(outcome: &Outcome<'a>, id: Option<&'a str>) -> OutcomeRecord<'a> {
        let form = outcome.form();
        let mut parts: Vec<(&'a str, Shown)> = outcome.parts().map(|(id, m)| (id, Shown(m))).collect();
        parts.sort_by(|a, b| a.0.cmp(b.0));
        OutcomeRecord {
            band_stars: outcome.band_stars(),
            disqualified: outcome.disqualified().map(|k| k.id()),
            disqualified_reason: outcome.disqualified().map(|k| ReasonRecord {
                name_en: k.name_en(),
                source: k.source(),
                text_vi: k.text_vi(),
            }),
            id,
            limited_by: outcome
                .limited_by()
                .map(|l| LimitRecord {
                    criterion: l.criterion.id(),
                    got: Shown(l.got),
                    needed: ShownPoints(l.needed),
                    option: l.option_key,
                    stars: l.stars,
                })
                .collect(),
            parts: PartsRecord(parts),
            ruleset: match &form.plan().ruleset_json {
                Some(raw) => Ruleset::Once(raw),
                None => Ruleset::Now(ruleset_record(form)),
            },
            stars: outcome.stars(),
            stopped: outcome.stopped().map(|s| StoppedRecord {
                criterion: s.criterion.id(),
                note_vi: s.stop.note_vi(),
                scope: s.stop.scope().as_str(),
                sheets: s.sheets,
            }),
            total: Shown(outcome.total_mean()),
        }
    }
}

fn trace_json(form: &Form, trace: &Trace<'_>) -> Value {
    let members = trace.members().len();
    let lines: Vec<Value> = trace
        .lines()
        .map(|line| {
            let c = line.criterion;
            let per_member: Vec<Value> = (0..members)
                .map(|m| {
                    let chosen = line.chosen(m);
                    json!({
                        "member": trace.members()[m],
                        "answer": line.answer_text(m),
                        "option_text_vi": chosen.iter().map(|o| o.text_vi()).collect::<Vec<_>>(),
                        "points": line.cells[m].points.to_string(),
                        "status": status_name(line.cells[m].status),
                        "reason_zero": line.reason_zero(m),
                    })
                })
                .collect();
            let anomalies: Vec<Value> = c
                .anomalies()
                .iter()
                .map(|a| json!({"field": a.field, "printed": a.printed, "applied": a.applied, "reason": a.reason}))
                .collect();
            let mut entry = json!({
                "criterion": c.id(),
                "part": line.part.id(),
                "section": line.section.id(),
                "title_vi": c.title_vi(),
                "name_en": c.name_en(),
                "points": line.mean.to_decimal().normalize().to_string(),
                "max": c.max().to_string(),
                "source": c.source(),
                "anomalies": anomalies,
            });
            if let Value::Object(map) = &mut entry {
                if members == 1 {
                    if let Some(Value::Object(one)) = per_member.into_iter().next() {
                        for (k, v) in one {
                            if k != "member" && k != "points" {
                                map.insert(k, v);
                            }
                        }
                    }
                } else {
                    map.insert("members".into(), Value::Array(per_member));
                }
            }
            entry
        })
        .collect();
    let _ = form;
    Value::Array(lines)
}
