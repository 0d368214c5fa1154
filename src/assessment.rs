//! Assessments: the answers of one sheet or of a council, read from YAML or JSON, resolved
//! against the catalog, and scored.
//!
//! ```yaml
//! decision: 26-2026        # or "26/2026/QĐ-TTg"; or omit it and give lodged_on
//! set: "01"
//! product: "Mật ong hoa nhãn"
//! answers: {"1.1": c, "2.4": "yes", "3.3": none}
//! facts: {falsified_dossier: false}
//! ```
//!
//! A council gives `members: [{name: …, answers: {…}}, …]` instead of `answers`.

// Input paths: indexing that could panic on user data is not allowed here.
#![deny(clippy::indexing_slicing)]

use crate::catalog::Catalog;
use crate::date::Date;
use crate::diag::{Collector, Diagnostic, DiagnosticKind, Severity, did_you_mean, list_names, thousands};
use crate::doc::CriterionKind;
use crate::error::{AssessmentError, Fault, missing_form_reason};
use crate::form::Form;
use crate::locate::{DocPath, Locations};
use crate::read::{Limits, Reader, parse, read_file, scalar_text, type_name};
use crate::score::{Outcome, Sheet};
use crate::trace::Trace;
use serde_yaml::Value;
use std::path::Path;
use std::sync::{Arc, OnceLock};

/// One answer as written.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Written {
    Key(String),
    Keys(Vec<String>),
    Bad(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct WrittenSheet {
    name: Option<String>,
    answers: Vec<(String, Written, DocPath)>,
    path: DocPath,
}

/// An assessment as read, not yet tied to a form.
#[derive(Clone, Debug)]
pub struct Assessment {
    file: String,
    /// The text it was read from, scanned for line and column only when a problem is reported.
    text: Arc<str>,
    locations: OnceLock<Locations>,
    limits: Limits,
    /// Where the assessment sits in its text (`assessment` in a case file, the root otherwise).
    base: DocPath,
    decision: Option<String>,
    set: String,
    product: Option<String>,
    lodged_on: Option<Date>,
    evaluated_on: Option<Date>,
    recognised_on: Option<Date>,
    re_evaluation: bool,
    evaluating_level: Option<String>,
    council_size: Option<u32>,
    sheets: Vec<WrittenSheet>,
    facts: Vec<(String, bool, DocPath)>,
}

/// The fields of an assessment, in the order the format documents them.
pub(crate) const FIELDS: &[&str] = &[
    "decision",
    "set",
    "product",
    "id",
    "lodged_on",
    "evaluated_on",
    "recognised_on",
    "re_evaluation",
    "evaluating_level",
    "council_size",
    "answers",
    "members",
    "facts",
];

impl Assessment {
    /// Reads an assessment from YAML or JSON text. `file` names it in messages. A text whose
    /// first character (after white space) is `{` or `[` is JSON: its syntax errors are the
    /// JSON parser's, at its line and column.
    ///
    /// ```
    /// let a = ocop_rating::Assessment::from_text("a.yaml", "decision: 26-2026\nset: \"01\"\nanswers: {}\n")?;
    /// assert_eq!(a.set(), "01");
    /// # Ok::<(), ocop_rating::AssessmentError>(())
    /// ```
    pub fn from_text(file: &str, text: &str) -> Result<Assessment, AssessmentError> {
        Assessment::from_bytes(file, text.as_bytes(), &Limits::default())
    }

    /// Reads an assessment from bytes under explicit size limits.
    pub fn from_bytes(file: &str, bytes: &[u8], limits: &Limits) -> Result<Assessment, AssessmentError> {
        let (text, value) = parse(file, bytes, limits).map_err(|d| AssessmentError::new(vec![d]))?;
        let mut r = Reader::with_limits(file, &text, *limits);
        let a = read(&mut r, &value, file, &text);
        if r.has_errors() {
            return Err(AssessmentError::new(r.into_diagnostics()));
        }
        a.ok_or_else(|| AssessmentError::new(r.into_diagnostics()))
    }

    /// Reads an assessment file (YAML or JSON) under explicit limits: at most
    /// [`Limits::max_bytes`] are read, whatever the file is ([`Limits::read_file`]).
    ///
    /// ```
    /// use ocop_rating::{Assessment, Limits};
    /// let a = Assessment::from_file("examples/26-2026-01-rau-cai.yaml", &Limits::default())?;
    /// assert_eq!(a.set(), "01");
    /// # Ok::<(), ocop_rating::AssessmentError>(())
    /// ```
    pub fn from_file(path: impl AsRef<Path>, limits: &Limits) -> Result<Assessment, AssessmentError> {
        let path = path.as_ref();
        let bytes = read_file(path, limits.max_bytes).map_err(|d| AssessmentError::new(vec![d]))?;
        Assessment::from_bytes(&path.display().to_string(), &bytes, limits)
    }

    /// Reads an assessment from an already parsed value (a case file's `assessment:`).
    pub(crate) fn from_value(
        r: &mut Reader,
        value: &Value,
        base: &DocPath,
        file: &str,
        text: &str,
    ) -> Option<Assessment> {
        read_at(r, value, base, file, text)
    }

    /// The file it was read from.
    pub fn file(&self) -> &str {
        &self.file
    }
    /// The decision as written (key or number), if given.
    pub fn decision(&self) -> Option<&str> {
        self.decision.as_deref()
    }
    /// The product set.
    pub fn set(&self) -> &str {
        &self.set
    }
    /// The product's label.
    pub fn product(&self) -> Option<&str> {
        self.product.as_deref()
    }
    /// When the dossier was lodged.
    pub fn lodged_on(&self) -> Option<Date> {
        self.lodged_on
    }
    /// When it was evaluated.
    pub fn evaluated_on(&self) -> Option<Date> {
        self.evaluated_on
    }
    /// When the class was recognised (for certificate validity).
    pub fn recognised_on(&self) -> Option<Date> {
        self.recognised_on
    }
    /// Whether this is a re-evaluation (shorter transition period).
    pub fn re_evaluation(&self) -> bool {
        self.re_evaluation
    }
    /// The level evaluating (`district`, `province`, `central`), if given.
    pub fn evaluating_level(&self) -> Option<&str> {
        self.evaluating_level.as_deref()
    }
    /// The council's size, if given (for the quorum check).
    pub fn council_size(&self) -> Option<u32> {
        self.council_size
    }
    /// Whether it is a council (`members`) rather than one sheet.
    pub fn is_council(&self) -> bool {
        self.sheets.first().is_some_and(|s| s.name.is_some())
    }

    fn diag(&self, path: &DocPath, d: Diagnostic) -> Diagnostic {
        let mut d = d;
        d.file = self.file.clone();
        if d.path.is_empty() {
            d.path = path.to_string();
        }
        let locations = self.locations.get_or_init(|| Locations::scan(&self.text));
        if let Some((line, column)) = locations.find(path) {
            d.line = Some(line);
            d.column = Some(column);
        }
        d
    }
}

fn read(r: &mut Reader, value: &Value, file: &str, text: &str) -> Option<Assessment> {
    read_at(r, value, &DocPath::root(), file, text)
}

fn read_at(r: &mut Reader, value: &Value, base: &DocPath, file: &str, text: &str) -> Option<Assessment> {
    let o = r.object(value, base, "an assessment", &["set"], FIELDS)?;
    let decision = match o.get("decision") {
        None | Some(Value::Null) => None,
        Some(v) => r.id(v, &o.at("decision"), "the decision"),
    };
    let set = match o.get("set") {
        Some(Value::Number(n)) => match n.as_u64() {
            Some(k @ 1..=99) => Some(format!("{k:02}")),
            _ => r.id(&Value::Number(n.clone()), &o.at("set"), "the set"),
        },
        Some(v) => r.id(v, &o.at("set"), "the set"),
        None => None,
    };
    let product = match o.get("product") {
        Some(v) => scalar_text(v),
        None => o.get("id").and_then(scalar_text),
    };
    let lodged_on = r.opt_date(o.get("lodged_on"), &o.at("lodged_on"));
    let evaluated_on = r.opt_date(o.get("evaluated_on"), &o.at("evaluated_on"));
    let recognised_on = r.opt_date(o.get("recognised_on"), &o.at("recognised_on"));
    let re_evaluation =
        o.get("re_evaluation").and_then(|v| r.boolean(v, &o.at("re_evaluation"))).unwrap_or(false);
    let evaluating_level = o.opt_text(r, "evaluating_level");
    if let Some(level) = &evaluating_level
        && !["district", "province", "central"].contains(&level.as_str())
    {
        let d = Diagnostic::error(DiagnosticKind::InvalidValue, "", format!("unknown level `{level}`"))
            .expected("district, province or central")
            .suggest_opt(did_you_mean(level, ["district", "province", "central"]));
        r.push(&o.at("evaluating_level"), d);
    }
    let council_size = o
        .get("council_size")
        .and_then(|v| r.integer(v, &o.at("council_size"), "the council size", 1, 1000))
        .map(|n| n as u32);
    if decision.is_none() && lodged_on.is_none() && o.get("decision").is_none() {
        let d = Diagnostic::error(
            DiagnosticKind::MissingField,
            "",
            "the assessment names no decision and no lodging date",
        )
        .expected("`decision: 26-2026` (key or official number), or `lodged_on: YYYY-MM-DD`");
        r.push(base, d);
    }
    let mut sheets = Vec::new();
    match (o.get("answers"), o.get("members")) {
        (Some(a), None) => sheets.push(WrittenSheet {
            name: None,
            answers: read_answers(r, a, &o.at("answers")),
            path: o.at("answers"),
        }),
        (None, Some(m)) => {
            let max = r.limits().max_members;
            if let Some(items) = r.list(m, &o.at("members"), "council members") {
                if items.len() > max {
                    // Not read at all: a council this size is refused whole, in bounded time.
                    let d = Diagnostic::error(
                        DiagnosticKind::Limit,
                        "",
                        format!(
                            "the council lists {} members, more than the limit of {max}",
                            thousands(items.len() as u64)
                        ),
                    )
                    .expected(format!("at most {max} members (Limits::max_members)"));
                    r.push(&o.at("members"), d);
                    return None;
                }
                if items.is_empty() {
                    let d =
                        Diagnostic::error(DiagnosticKind::MissingAnswer, "", "the council has no members")
                            .expected("at least one member with answers");
                    r.push(&o.at("members"), d);
                }
                for (i, item) in items.iter().enumerate() {
                    let p = o.at("members").index(i);
                    let Some(m) = r.object(item, &p, "a council member", &["name", "answers"], &[]) else {
                        continue;
                    };
                    let name =
                        m.get("name").and_then(scalar_text).unwrap_or_else(|| format!("member {}", i + 1));
                    let answers =
                        m.get("answers").map(|a| read_answers(r, a, &m.at("answers"))).unwrap_or_default();
                    sheets.push(WrittenSheet { name: Some(name), answers, path: m.at("answers") });
                }
            }
        }
        (Some(_), Some(_)) => {
            let d =
                Diagnostic::error(DiagnosticKind::InvalidValue, "", "both `answers` and `members` are given")
                    .expected("`answers` for one sheet, or `members` for a council");
            r.push(base, d);
        }
        (None, None) => {
            let d = Diagnostic::error(DiagnosticKind::MissingField, "", "the assessment has no answers")
                .expected("`answers: {\"1.1\": c, …}`, or `members: [{name, answers}, …]`");
            r.push(base, d);
        }
    }
    let mut facts = Vec::new();
    if let Some(v) = o.get("facts").filter(|v| !v.is_null()) {
        for (id, v) in r.id_map(v, &o.at("facts"), "fact") {
            let p = o.at("facts").key(&id);
            if let Some(b) = r.boolean(v, &p) {
                facts.push((id, b, p));
            }
        }
    }
    Some(Assessment {
        base: base.clone(),
        file: file.to_string(),
        text: Arc::from(text),
        locations: OnceLock::new(),
        limits: *r.limits(),
        decision,
        set: set?,
        product,
        lodged_on,
        evaluated_on,
        recognised_on,
        re_evaluation,
        evaluating_level,
        council_size,
        sheets,
        facts,
    })
}

fn read_answers(r: &mut Reader, v: &Value, path: &DocPath) -> Vec<(String, Written, DocPath)> {
    let mut out = Vec::new();
    for (id, v) in r.id_map(v, path, "criterion") {
        let p = path.key(&id);
        let written = match v {
            Value::String(s) => Written::Key(s.trim().to_string()),
            Value::Bool(true) => Written::Key("yes".into()),
            Value::Bool(false) => Written::Key("no".into()),
            Value::Sequence(items) => {
                let keys: Vec<String> = items.iter().filter_map(scalar_text).collect();
                if keys.len() == items.len() {
                    Written::Keys(keys)
                } else {
                    Written::Bad("a list with something other than option keys".into())
                }
            }
            Value::Null => Written::Bad("nothing (write `none` when no option is met)".into()),
            other => Written::Bad(type_name(other).to_string()),
        };
        out.push((id, written, p));
    }
    out
}

/// A scored assessment: the form used, every member's sheet, and the outcome.
#[derive(Clone, Debug)]
pub struct Scored<'c> {
    form: &'c Form,
    /// The decision whose rules govern the certificate's re-rating (ruling 13), when a
    /// recognition date is given.
    renewal: Option<&'c crate::form::Decision>,
    sheets: Vec<Sheet<'c>>,
    names: Vec<String>,
    outcome: Outcome<'c>,
    assessment: Assessment,
    chosen_by: String,
}

impl<'c> Scored<'c> {
    /// The form used.
    pub fn form(&self) -> &'c Form {
        self.form
    }
    /// The outcome.
    pub fn outcome(&self) -> &Outcome<'c> {
        &self.outcome
    }
    /// The assessment as read.
    pub fn assessment(&self) -> &Assessment {
        &self.assessment
    }
    /// Why this decision and form were used ("named in the assessment", "in force on …").
    pub fn chosen_by(&self) -> &str {
        &self.chosen_by
    }
    /// The sheets, one per member.
    pub fn sheets(&self) -> &[Sheet<'c>] {
        &self.sheets
    }
    /// Member names (empty names for a single sheet).
    pub fn member_names(&self) -> &[String] {
        &self.names
    }
    /// Council figures: each member's total, the spread and its limit, the quorum.
    pub fn council(&self) -> crate::award::CouncilSummary {
        crate::award::council(
            self.form.decision(),
            &self.sheets,
            &self.names,
            self.outcome.total_mean(),
            self.assessment.council_size,
        )
    }
    /// Who awards the class, the certificate and its validity, on the evaluation date (or the
    /// lodging date).
    pub fn award(&self) -> crate::award::Award {
        let a = &self.assessment;
        crate::award::award(
            &self.outcome,
            a.evaluated_on.or(a.lodged_on),
            a.evaluating_level.as_deref(),
            a.recognised_on,
            self.renewal,
        )
    }
    /// The audit trace (computed on demand; the sheets were checked when scored).
    pub fn trace(&self) -> Result<Trace<'c>, AssessmentError> {
        self.form.trace_on(&self.sheets, &self.names, self.assessment.lodged_on)
    }
}

/// A recognition comes after the lodging and the evaluation, and its certificate's term must be
/// a real date (a recognition on 9999-12-31 would end in year 10002).
fn check_recognition(recognised: Date, a: &Assessment, d: &crate::Decision) -> Result<(), Diagnostic> {
    for (earlier, what) in [(a.lodged_on, "lodged"), (a.evaluated_on, "evaluated")] {
        if let Some(earlier) = earlier
            && recognised < earlier
        {
            return Err(Diagnostic::error(
                DiagnosticKind::InvalidValue,
                "",
                format!("recognised on {recognised}, before the dossier was {what} on {earlier}"),
            )
            .expected(format!("a date on or after {earlier}")));
        }
    }
    let until = recognised.add_months(d.certificate_months());
    if until.to_string().len() != 10 || until < recognised {
        return Err(Diagnostic::error(
            DiagnosticKind::InvalidValue,
            "",
            format!(
                "recognised on {recognised}: a {}-month certificate would end after 9999-12-31",
                d.certificate_months()
            ),
        )
        .expected("a recognition date that leaves room for the certificate's term"));
    }
    Ok(())
}

impl Catalog {
    /// Picks the form for an assessment: by its decision (key or number) and set, or by the
    /// decision in force on `lodged_on`.
    pub fn resolve(&self, a: &Assessment) -> Result<(&Form, String), AssessmentError> {
        let wrap = |d: Diagnostic, path: &str| {
            let p = a.base.key(path);
            AssessmentError::new(vec![a.diag(&p, Diagnostic { path: String::new(), ..d })])
        };
        let (decision_key, chosen_by) = match &a.decision {
            Some(reference) => {
                let Some(d) = self.decision(reference) else {
                    let err = self
                        .form(reference, &a.set, None)
                        .err()
                        .and_then(|e| e.diagnostics().first().cloned());
                    let d = err.unwrap_or_else(|| {
                        Diagnostic::error(
                            DiagnosticKind::NoApplicableForm,
                            "",
                            format!("unknown decision `{reference}`"),
                        )
                    });
                    return Err(wrap(d, "decision"));
                };
                if let Some(lodged) = a.lodged_on {
                    // Ruling 12: the decision named must be the one in force on the lodging date
                    // (or, lodged before its successor took effect, the superseded one within the
                    // transition, which decision_on also checks), with the same date checks as
                    // an unnamed one.
                    match self.decision_on(lodged, a.evaluated_on, a.re_evaluation) {
                        Ok(by_date) if by_date.key() != d.key() => {
                            let diag = Diagnostic::error(
                                DiagnosticKind::NoApplicableForm,
                                "",
                                format!(
                                    "decision {} does not apply to a dossier lodged on {lodged}: decision {} is in force from {}",
                                    d.key(),
                                    by_date.key(),
                                    by_date.in_force_from()
                                ),
                            )
                            .expected(format!("decision {} for a dossier lodged on {lodged}", by_date.key()))
                            .suggest("name the decision the lodging date gives, or leave `decision` out");
                            return Err(wrap(diag, "decision"));
                        }
                        Err(diag) => {
                            let field = diag.path.clone();
                            return Err(wrap(diag, &field));
                        }
                        Ok(_) => {}
                    }
                } else if let Some(evaluated) = a.evaluated_on
                    && !d.in_force_on(evaluated)
                {
                    let diag = Diagnostic::error(
                        DiagnosticKind::NoApplicableForm,
                        "",
                        format!("evaluated on {evaluated}, outside the period of decision {}", d.key()),
                    )
                    .expected(format!(
                        "an evaluation date from {}{}",
                        d.in_force_from(),
                        d.in_force_until().map_or(String::new(), |u| format!(" to {u}"))
                    ));
                    return Err(wrap(diag, "evaluated_on"));
                }
                (d.key().to_string(), format!("decision {} named in the assessment", d.number()))
            }
            None => {
                let Some(lodged) = a.lodged_on else {
                    let d = Diagnostic::error(
                        DiagnosticKind::MissingField,
                        "",
                        "no decision and no lodging date",
                    );
                    return Err(wrap(d, "decision"));
                };
                match self.decision_on(lodged, a.evaluated_on, a.re_evaluation) {
                    Ok(d) => (
                        d.key().to_string(),
                        format!("decision {} in force on {lodged} (lodged_on)", d.number()),
                    ),
                    Err(diag) => {
                        let field = diag.path.clone();
                        return Err(wrap(diag, &field));
                    }
                }
            }
        };
        if let Some(recognised) = a.recognised_on
            && let Some(d) = self.decision(&decision_key)
        {
            check_recognition(recognised, a, d).map_err(|diag| wrap(diag, "recognised_on"))?;
        }
        match self.form(&decision_key, &a.set, a.lodged_on) {
            Ok(f) => Ok((f, chosen_by)),
            Err(e) => {
                let Some(d) = e.diagnostics().first().cloned() else { return Err(e) };
                // A rule file that does not compile: told as it is, in the rule file's terms,
                // not as a problem of the assessment. (A missing form is the assessment's set.)
                if d.kind != DiagnosticKind::MissingForm && e.fault() != Fault::Input {
                    return Err(e);
                }
                let field = if d.path.is_empty() { "set".to_string() } else { d.path.clone() };
                let d = match self.missing_form(&decision_key, &a.set, &d) {
                    Some(missing) => missing,
                    None => d,
                };
                Err(wrap(d, &field))
            }
        }
    }

    /// When the catalog has no form for `set` of `decision` (`found`, a `no-applicable-form`
    /// error at `set`) although the decision has that set ([`missing_form_reason`]): the
    /// `missing-form` error that says so, the rules' fault rather than the client's.
    fn missing_form(&self, decision: &str, set: &str, found: &Diagnostic) -> Option<Diagnostic> {
        if found.kind != DiagnosticKind::NoApplicableForm || found.path != "set" {
            return None;
        }
        let forms = self.forms_of(decision);
        if forms.iter().any(|f| f.set() == set) {
            // Versions of the set exist (none for the date, or several to choose from).
            return None;
        }
        let why = missing_form_reason(forms.iter().map(|f| f.set()), set)?;
        Some(Diagnostic::missing_form(decision, set, &why))
    }

    /// Reads nothing, resolves the form, checks every answer and scores.
    ///
    /// ```
    /// let catalog = ocop_rating::Catalog::embedded()?;
    /// let text = std::fs::read_to_string("examples/26-2026-01-rau-cai.yaml")?;
    /// let assessment = ocop_rating::Assessment::from_text("rau-cai.yaml", &text)?;
    /// let scored = catalog.score(&assessment)?;
    /// assert_eq!(scored.outcome().band_stars(), 3);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn score(&self, a: &Assessment) -> Result<Scored<'_>, AssessmentError> {
        let (form, chosen_by) = self.resolve(a)?;
        let mut diagnostics = Collector::new(a.limits.max_diagnostics);
        let mut sheets = Vec::new();
        let mut names = Vec::new();
        for ws in &a.sheets {
            let mut sheet = form.sheet();
            let who = ws.name.as_ref().map(|n| format!("member `{n}`: ")).unwrap_or_default();
            for (id, written, path) in &ws.answers {
                if form.criterion(id).is_none() && !diagnostics.would_keep(Severity::Error) {
                    // Past the cap an unknown criterion is only counted: no message is built.
                    diagnostics.count(Severity::Error);
                    continue;
                }
                let result = match (written, form.criterion(id).map(|c| c.kind)) {
                    (Written::Bad(what), _) => Err(format!("found {what}")),
                    (Written::Keys(keys), Some(CriterionKind::Cumulative)) => form
                        .answer_many(id, keys.iter().map(String::as_str))
                        .map(|x| sheet.set_answer(x))
                        .map_err(|e| e.to_string()),
                    (Written::Keys(_), Some(_)) => {
                        Err(format!("criterion {id} takes one answer, not a list"))
                    }
                    (Written::Keys(_), None) => {
                        form.answer(id, "none").map(|_| ()).map_err(|e| e.to_string())
                    }
                    (Written::Key(k), Some(CriterionKind::Cumulative)) if k != "none" => form
                        .answer_many(id, [k.as_str()])
                        .map(|x| sheet.set_answer(x))
                        .map_err(|e| e.to_string()),
                    (Written::Key(k), _) => {
                        form.answer(id, k).map(|x| sheet.set_answer(x)).map_err(|e| e.to_string())
                    }
                };
                if let Err(message) = result {
                    if !diagnostics.would_keep(Severity::Error) {
                        diagnostics.count(Severity::Error);
                        continue;
                    }
                    let kind = if form.criterion(id).is_none() {
                        DiagnosticKind::UnknownReference
                    } else {
                        DiagnosticKind::InvalidAnswer
                    };
                    let mut d = Diagnostic::error(kind, "", format!("{who}{message}"));
                    if let Some(c) = form.criterion(id).filter(|c| c.leaf.is_some()) {
                        d = d.expected(format!(
                            "{}{}",
                            if c.kind == CriterionKind::Cumulative { "a list of " } else { "one of " },
                            list_names(&form.valid_keys(c), 20)
                        ));
                    }
                    diagnostics.push(a.diag(path, d));
                }
            }
            let missing: Vec<&str> = form
                .leaves()
                .filter(|c| !ws.answers.iter().any(|(id, ..)| id == c.id()))
                .map(|c| c.id())
                .collect();
            if !missing.is_empty() {
                let d = Diagnostic::error(
                    DiagnosticKind::MissingAnswer,
                    "",
                    format!(
                        "{who}{} not answered: {}",
                        crate::diag::plural(missing.len(), "criterion", "criteria"),
                        list_names(&missing, 60)
                    ),
                )
                .expected("an answer to every criterion (`none` when no printed option is met)");
                diagnostics.push(a.diag(&ws.path, d));
            }
            for (id, value, path) in &a.facts {
                if let Err(e) = sheet.set_fact(id, *value)
                    && (ws.name.is_none() || sheets.is_empty())
                {
                    let d = Diagnostic::error(DiagnosticKind::UnknownReference, "", e.message.clone())
                        .expected(format!("one of {}", list_names(&e.valid, 20)))
                        .suggest_opt(e.suggestion.clone());
                    diagnostics.push(a.diag(path, d));
                }
            }
            names.push(ws.name.clone().unwrap_or_default());
            sheets.push(sheet);
        }
        if !diagnostics.is_empty() {
            return Err(AssessmentError::new(diagnostics.finish(&a.file)));
        }
        let outcome = form.score_council_on(&sheets, a.lodged_on)?;
        let renewal = a.recognised_on.and_then(|d| self.renewal_decision(form.decision(), d));
        Ok(Scored { form, renewal, sheets, names, outcome, assessment: a.clone(), chosen_by })
    }
}
