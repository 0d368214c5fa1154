//! Re-scoring old sheets under a new decision, through a crosswalk: `ocop rescore`.
//!
//! When a superseding decision is issued, a province wants to know now which of its products
//! would keep, gain or lose a star when re-rated under the new criteria, and what evidence each
//! must bring. [`Rescorer`] takes an old sheet (an [`Assessment`], or a council's sheets) and:
//!
//! 1. scores it under its own decision: the **old class**;
//! 2. carries each answer across the crosswalk ([`crate::crosswalk`]): a new criterion takes the
//!    new option that the old answer establishes. An old `none` stays `none` unless the crosswalk
//!    lists `none` under an option. A criterion marked `needs_new_evidence`, or whose old answer
//!    establishes no new option, is **open** (all its options are possible); one whose old answer
//!    establishes several options is open between those;
//! 3. scores the new form with every open criterion at its lowest option (the **low** class) and
//!    at its highest (the **high** class). Scoring follows the new form's stops, conditions,
//!    requirements, minimums and knock-outs, and nothing is assumed monotone: open criteria that
//!    a condition reads (a story gate, a stop, a knock-out) are tried in every combination of
//!    their options (up to [`MAX_COMBINATIONS`]; beyond that, each alone, and the result says it
//!    is not exact), with the other open criteria at their lowest for the low class and their
//!    highest for the high class. The class is monotone in a criterion no condition reads, so
//!    this finds the true bounds over the printed options (`none` is not tried);
//! 4. names the open criteria that decide between the bounds: those that the high class needs
//!    (lowering that one alone loses it) and those that lift the low class alone.
//!
//! Facts (knock-out and requirement facts) are carried when the new form has a fact of the same
//! id; a fact the old sheet set that the new form does not know is listed. A fact the old form did
//! not ask about is not triggered (ruling 3). The new decision's minimums all apply (no lodging
//! date is carried: the re-rating is a new dossier).
//!
//! [`run`] streams a CSV or JSON Lines archive (the input of `ocop bulk`) through a [`Rescorer`]
//! and counts the products per set and per (old class → new class range) in a [`Summary`].
//!
//! ```
//! use ocop_rating::{Catalog, crosswalk::Crosswalks, generate::SheetGenerator, rescore::Rescorer};
//!
//! let catalog = Catalog::embedded()?;
//! let crosswalks = Crosswalks::shipped(&catalog);
//! let mut rescorer = Rescorer::new(&catalog, &crosswalks, "26-2026")?;
//! let old_form = catalog.form("148-2023", "01", None)?;
//! let sheet = SheetGenerator::new(1).sheet(old_form);          // a 148 sheet of set 01
//! let r = rescorer.rescore_sheets("p1", std::slice::from_ref(&sheet), None)?;
//! assert_eq!(r.new_set.as_deref(), Some("01"));
//! let (old, low, high) = r.range();                            // old class, new class bounds
//! assert!(low <= high && old >= 1);
//! // 26/2026 adds the bilingual label (2.4): no 148 answer establishes it.
//! assert!(r.open.iter().any(|o| o.criterion == "2.4"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::assessment::Assessment;
use crate::catalog::Catalog;
use crate::crosswalk::{Crosswalk, Crosswalks, Mapping, latest_form};
use crate::diff::reads;
use crate::form::{Cond, Form};
use crate::score::{Outcome, Sheet};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::fmt;

/// The most combinations of interacting open criteria tried per bound; beyond it each is varied
/// alone and [`Rescored::exact`] is false.
pub const MAX_COMBINATIONS: usize = 4096;

/// Why a sheet could not be re-scored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RescoreError(pub String);

impl fmt::Display for RescoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RescoreError {}

fn err<T>(message: impl Into<String>) -> Result<T, RescoreError> {
    Err(RescoreError(message.into()))
}

/// A class reached: stars (`None`: disqualified, "Không đạt"), the total and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Bound {
    /// The final class; `None` when a knock-out disqualified the product.
    pub stars: Option<u8>,
    /// The class from the total alone.
    pub band_stars: u8,
    /// The exact total (a council's mean), as a decimal text.
    pub total: String,
    /// The knock-out that disqualified it.
    pub disqualified: Option<String>,
    /// Where the evaluation stopped (ruling 9).
    pub stopped_at: Option<String>,
    /// The criteria whose minimums held the class down.
    pub limited_by: Vec<String>,
    /// The answers given to the open criteria for this bound (`criterion=key`; a council's
    /// first member's).
    pub open_answers: Vec<String>,
}

impl Bound {
    /// The class as an ordered key: 0 for disqualified, else the stars.
    pub fn class_key(&self) -> u8 {
        self.stars.unwrap_or(0)
    }

    fn of(o: &Outcome<'_>) -> Bound {
        Bound {
            stars: o.stars(),
            band_stars: o.band_stars(),
            total: o.total().to_string(),
            disqualified: o.disqualified().map(|k| k.id().to_string()),
            stopped_at: o.stopped().map(|s| s.criterion.id().to_string()),
            limited_by: o.limited_by().map(|l| l.criterion.id().to_string()).collect(),
            open_answers: Vec::new(),
        }
    }
}

/// An open criterion of the new form: the old sheet does not settle its answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Open {
    /// The new criterion's id.
    pub criterion: String,
    /// Why it is open.
    pub reason: String,
    /// The options still possible.
    pub candidates: Vec<String>,
}

/// An open criterion that decides between the bounds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Deciding {
    /// The new criterion's id.
    pub criterion: String,
    /// The high class needs it: at its lowest (the rest as for the high class) the class drops.
    pub needed: bool,
    /// It lifts the low class alone: at its highest (the rest as for the low class) the class rises.
    pub lifts: bool,
}

/// One old sheet re-scored under the new decision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Rescored {
    /// The product's id (the archive's `id`, or the assessment's `product`).
    pub id: String,
    /// The old decision.
    pub old_decision: String,
    /// The old set.
    pub old_set: String,
    /// The new decision.
    pub new_decision: String,
    /// The new set (`None`: no set of the new decision takes the product).
    pub new_set: Option<String>,
    /// The class under the old decision.
    pub old: Bound,
    /// The class with every open criterion at its lowest option.
    pub low: Option<Bound>,
    /// The class with every open criterion at its highest option.
    pub high: Option<Bound>,
    /// New criteria whose answer the old sheet settles.
    pub carried: usize,
    /// New criteria the old sheet does not settle.
    pub open: Vec<Open>,
    /// The open criteria that decide between the low and the high class.
    pub deciding: Vec<Deciding>,
    /// Facts the old sheet set that the new form does not know.
    pub facts_not_carried: Vec<String>,
    /// Whether the bounds come from every combination of the interacting open criteria.
    pub exact: bool,
}

impl Rescored {
    /// `(old class, low class, high class)` as class keys (0: disqualified; low and high 0 when
    /// no new set takes the product).
    pub fn range(&self) -> (u8, u8, u8) {
        (
            self.old.class_key(),
            self.low.as_ref().map_or(0, Bound::class_key),
            self.high.as_ref().map_or(0, Bound::class_key),
        )
    }
}

/// Re-scores one assessment under `crosswalk`'s new decision.
pub fn rescore(catalog: &Catalog, crosswalk: &Crosswalk, old: &Assessment) -> Result<Rescored, RescoreError> {
    let mut r = Rescorer::with(catalog, vec![crosswalk], crosswalk.to())?;
    r.rescore(old)
}

// ---------------------------------------------------------------------------------------------
// Plans: a crosswalk compiled for one old form and one new form.

/// One source of a new option: old leaf, the old options (bits) that establish it, and whether
/// `none` does.
#[derive(Clone, Debug)]
struct Source {
    /// The new option (`None`: the old answers meet no new option).
    option: Option<usize>,
    old_leaf: usize,
    mask: u64,
    none: bool,
}

#[derive(Clone, Debug)]
enum LeafPlan {
    Open(String),
    Mapped { old_leaf: usize, sources: Vec<Source>, none_carries: bool },
}

#[derive(Debug)]
struct Plan<'c> {
    old: &'c Form,
    new: Option<&'c Form>,
    new_decision: String,
    leaves: Vec<LeafPlan>,
    /// New leaves that a condition reads (gates, stops, requirements, knock-outs).
    referenced: Vec<bool>,
    /// Old fact index -> new fact index.
    facts: Vec<Option<usize>>,
    /// The new options' points, per leaf.
    points: Vec<Vec<i64>>,
}

fn compile<'c>(catalog: &'c Catalog, cw: &Crosswalk, old: &'c Form) -> Result<Plan<'c>, RescoreError> {
    let Some(map) = cw.set(old.set()) else {
        return err(format!(
            "the crosswalk {} → {} does not map set {} ({})",
            cw.from(),
            cw.to(),
            old.set(),
            cw.file()
        ));
    };
    if latest_form(catalog, cw.from(), old.set()).is_some_and(|f| !std::ptr::eq(f, old)) {
        return err(format!(
            "the crosswalk maps the last version of set {} of {}; this sheet is of the version in {}",
            old.set(),
            cw.from(),
            old.file()
        ));
    }
    let Some(to_set) = &map.to_set else {
        return Ok(Plan {
            old,
            new: None,
            new_decision: cw.to().to_string(),
            leaves: Vec::new(),
            referenced: Vec::new(),
            facts: Vec::new(),
            points: Vec::new(),
        });
    };
    let Some(new) = latest_form(catalog, cw.to(), to_set) else {
        return err(format!("{} has no set {to_set}", cw.to()));
    };
    let mut leaves = Vec::new();
    for c in new.leaves() {
        let plan = match map.criteria.iter().find(|m| m.id == c.id()) {
            None => LeafPlan::Open(format!("not in the crosswalk ({})", cw.file())),
            Some(m) => match &m.mapping {
                Mapping::NeedsNewEvidence(why) => LeafPlan::Open(format!("needs new evidence: {why}")),
                Mapping::From { criterion, options, .. } => mapped_leaf(cw, old, new, c, criterion, options)?,
            },
        };
        leaves.push(plan);
    }
    let referenced = referenced_leaves(new);
    let facts = old.facts().iter().map(|f| new.facts().iter().position(|n| n.id() == f.id())).collect();
    let points =
        new.leaves().map(|c| new.options(c).iter().map(|o| o.points().hundredths()).collect()).collect();
    Ok(Plan { old, new: Some(new), new_decision: cw.to().to_string(), leaves, referenced, facts, points })
}

/// The plan of new criterion `c`, mapped from old `criterion`: one source per listed new option.
fn mapped_leaf(
    cw: &Crosswalk,
    old: &Form,
    new: &Form,
    c: &crate::form::Criterion,
    criterion: &str,
    options: &[crate::crosswalk::OptionMap],
) -> Result<LeafPlan, RescoreError> {
    let Some(default) = old_leaf(old, criterion) else {
        return err(format!("set {} of {} has no criterion {criterion}", old.set(), cw.from()));
    };
    let new_options = new.options(c);
    let mut sources = Vec::new();
    let mut none_listed = false;
    for om in options {
        let option = if om.key == "none" {
            None
        } else {
            let Some(i) = new_options.iter().position(|o| o.key() == om.key) else {
                return err(format!("criterion {} of {} has no option {}", c.id(), cw.to(), om.key));
            };
            Some(i)
        };
        let leaf = match &om.criterion {
            Some(id) => old_leaf(old, id).ok_or_else(|| RescoreError(format!("no old criterion {id}")))?,
            None => default,
        };
        let (mask, none) = old_mask(cw, old, leaf, &om.keys)?;
        none_listed |= none && leaf == default;
        sources.push(Source { option, old_leaf: leaf, mask, none });
    }
    Ok(LeafPlan::Mapped { old_leaf: default, sources, none_carries: !none_listed })
}

/// The leaf of the old form's criterion `id`.
fn old_leaf(old: &Form, id: &str) -> Option<usize> {
    old.leaves().position(|c| c.id() == id)
}

/// The old options `keys` of old leaf `leaf` as bits, and whether `none` is among them.
fn old_mask(cw: &Crosswalk, old: &Form, leaf: usize, keys: &[String]) -> Result<(u64, bool), RescoreError> {
    let old_c = old.leaves().nth(leaf).ok_or_else(|| RescoreError("old leaf".into()))?;
    let old_options = old.options(old_c);
    let (mut mask, mut none) = (0u64, false);
    for k in keys {
        if k == "none" {
            none = true;
        } else if let Some(i) = old_options.iter().position(|o| o.key() == k) {
            mask |= 1 << i;
        } else {
            return err(format!("criterion {} of {} has no option {k}", old_c.id(), cw.from()));
        }
    }
    Ok((mask, none))
}

/// The new form's leaves that a condition reads (gates, stops, requirements, knock-outs).
fn referenced_leaves(new: &Form) -> Vec<bool> {
    let mut referenced = vec![false; new.leaf_count()];
    let mut mark = |cond: &Cond| {
        for leaf in reads(cond) {
            if let Some(r) = referenced.get_mut(leaf) {
                *r = true;
            }
        }
    };
    let lv = &new.leaves;
    for cond in lv.applies_if.iter().chain(&lv.stops).chain(&lv.requirement).flatten() {
        mark(cond);
    }
    for k in new.knockouts() {
        mark(&k.when);
    }
    referenced
}

// ---------------------------------------------------------------------------------------------
// The rescorer

/// Re-scores old sheets under one new decision, through the crosswalks that lead to it.
/// Compiled plans are kept per old form, so an archive compiles each set once.
#[derive(Debug)]
pub struct Rescorer<'c> {
    catalog: &'c Catalog,
    crosswalks: Vec<&'c Crosswalk>,
    to: String,
    plans: HashMap<String, Plan<'c>>,
}

/// The answer of one member to one open leaf: its possible options, lowest points first.
type Candidates = Vec<usize>;

impl<'c> Rescorer<'c> {
    /// A rescorer to decision `to` (key or number) with every crosswalk of `crosswalks` that leads
    /// to it and checked without error.
    pub fn new(
        catalog: &'c Catalog,
        crosswalks: &'c Crosswalks,
        to: &str,
    ) -> Result<Rescorer<'c>, RescoreError> {
        let key = catalog
            .decision(to)
            .map(|d| d.key().to_string())
            .ok_or_else(|| RescoreError(format!("unknown decision `{to}`")))?;
        let list: Vec<&Crosswalk> =
            crosswalks.checks().filter(|(c, k)| c.to() == key && k.is_ok()).map(|(c, _)| c).collect();
        if list.is_empty() {
            return err(format!(
                "no crosswalk without errors leads to {key} (rules/{key}/crosswalk/<old>.yaml)"
            ));
        }
        Rescorer::with(catalog, list, &key)
    }

    fn with(
        catalog: &'c Catalog,
        crosswalks: Vec<&'c Crosswalk>,
        to: &str,
    ) -> Result<Rescorer<'c>, RescoreError> {
        Ok(Rescorer { catalog, crosswalks, to: to.to_string(), plans: HashMap::new() })
    }

    /// The decision re-scored to.
    pub fn to(&self) -> &str {
        &self.to
    }

    /// Re-scores an assessment: scored under its own decision (dates checked as `score` checks
    /// them), then carried across.
    pub fn rescore(&mut self, a: &Assessment) -> Result<Rescored, RescoreError> {
        let scored = self.catalog.score(a).map_err(|e| RescoreError(diagnostics_line(e.diagnostics())))?;
        let id = a.product().unwrap_or("").to_string();
        self.rescore_sheets(&id, scored.sheets(), a.lodged_on())
    }

    /// Re-scores the sheets of one product (one sheet, or a council's) of an old form; `on` is the
    /// old dossier's lodging date (for the old class's minimums).
    pub fn rescore_sheets(
        &mut self,
        id: &str,
        sheets: &[Sheet<'c>],
        on: Option<crate::Date>,
    ) -> Result<Rescored, RescoreError> {
        let Some(first) = sheets.first() else { return err("no sheet") };
        let old_form: &'c Form = first.form();
        let old_outcome = old_form
            .score_council_on(sheets, on)
            .map_err(|e| RescoreError(diagnostics_line(e.diagnostics())))?;
        let old = Bound::of(&old_outcome);
        let key = old_form.file().to_string();
        if !self.plans.contains_key(&key) {
            let from = old_form.decision().key();
            let Some(cw) = self.crosswalks.iter().find(|c| c.from() == from) else {
                return err(format!("no crosswalk from {from} to {} is loaded", self.to));
            };
            let plan = compile(self.catalog, cw, old_form)?;
            self.plans.insert(key.clone(), plan);
        }
        let Some(plan) = self.plans.get(&key) else { return err("no plan") };
        Ok(apply(plan, id, sheets, old))
    }
}

fn diagnostics_line(d: &[crate::Diagnostic]) -> String {
    let parts: Vec<String> = d.iter().filter(|d| d.is_error()).take(5).map(|d| d.message.clone()).collect();
    parts.join("; ")
}

/// One scoring of the new form: (class key, total in hundredths, the bound).
type Scoring = (u8, i64, Bound);

/// What one member's old answers settle for one new leaf.
enum Carried {
    Fixed(Option<usize>),
    Open(Candidates, String),
}

fn carry(plan: &Plan<'_>, leaf: usize, sheet: &Sheet<'_>) -> Carried {
    let n_options = plan.points.get(leaf).map_or(0, Vec::len);
    let all = || -> Candidates { (0..n_options).collect() };
    match plan.leaves.get(leaf) {
        None => Carried::Open(all(), "not in the crosswalk".into()),
        Some(LeafPlan::Open(why)) => Carried::Open(all(), why.clone()),
        Some(LeafPlan::Mapped { old_leaf, sources, none_carries }) => {
            let mut mask = 0u64;
            let mut to_none = false;
            for s in sources {
                let answer = sheet.answers.get(s.old_leaf).copied().unwrap_or(0);
                if answer & s.mask != 0 || (answer == 0 && s.none) {
                    match s.option {
                        Some(o) => mask |= 1 << o,
                        None => to_none = true,
                    }
                }
            }
            let answer = sheet.answers.get(*old_leaf).copied().unwrap_or(0);
            match mask.count_ones() {
                1 if !to_none => Carried::Fixed(Some(mask.trailing_zeros() as usize)),
                0 if to_none => Carried::Fixed(None),
                0 if answer == 0 && *none_carries => Carried::Fixed(None),
                0 => {
                    let old_c = plan.old.leaves().nth(*old_leaf);
                    let shown = old_c.map_or_else(String::new, |c| {
                        let keys: Vec<&str> = plan
                            .old
                            .options(c)
                            .iter()
                            .enumerate()
                            .filter(|(i, _)| answer >> i & 1 == 1)
                            .map(|(_, o)| o.key())
                            .collect();
                        let k = if keys.is_empty() { "none".to_string() } else { keys.join("+") };
                        format!("old answer {} of {} establishes no option", k, c.id())
                    });
                    Carried::Open(all(), shown)
                }
                _ => {
                    let c: Candidates = (0..n_options).filter(|i| mask >> i & 1 == 1).collect();
                    Carried::Open(c, "the old answer establishes several options".into())
                }
            }
        }
    }
}

/// One open leaf of one product: per member, its fixed answer or its candidates.
struct OpenLeaf {
    leaf: usize,
    members: Vec<Result<Option<usize>, Candidates>>,
    /// The union of the members' candidates, lowest points first.
    domain: Candidates,
    reason: String,
}

fn sort_by_points(c: &mut Candidates, points: &[i64]) {
    c.sort_by_key(|i| (points.get(*i).copied().unwrap_or(0), *i));
}

impl OpenLeaf {
    /// The answer of member `m` when the leaf is set to option `v`: `v` itself when possible,
    /// else the member's nearest candidate by points (its fixed answer when not open).
    fn member_value(&self, m: usize, v: usize, points: &[i64]) -> Option<usize> {
        match self.members.get(m) {
            Some(Ok(fixed)) => *fixed,
            Some(Err(c)) => {
                if c.contains(&v) {
                    return Some(v);
                }
                let p = points.get(v).copied().unwrap_or(0);
                let below = c.iter().rev().find(|i| points.get(**i).copied().unwrap_or(0) <= p);
                below.or_else(|| c.first()).copied()
            }
            None => None,
        }
    }
    fn lowest(&self) -> usize {
        self.domain.first().copied().unwrap_or(0)
    }
    fn highest(&self) -> usize {
        self.domain.last().copied().unwrap_or(0)
    }
}

fn apply(plan: &Plan<'_>, id: &str, sheets: &[Sheet<'_>], old: Bound) -> Rescored {
    let mut out = Rescored {
        id: id.to_string(),
        old_decision: plan.old.decision().key().to_string(),
        old_set: plan.old.set().to_string(),
        new_decision: plan.new_decision.clone(),
        new_set: plan.new.map(|f| f.set().to_string()),
        old,
        low: None,
        high: None,
        carried: 0,
        open: Vec::new(),
        deciding: Vec::new(),
        facts_not_carried: facts_not_carried(plan, sheets),
        exact: true,
    };
    let Some(new) = plan.new else { return out };
    let mut base = carried_facts(plan, new, sheets);
    let open = carry_answers(plan, new, sheets, &mut base, &mut out.carried);
    out.open = open
        .iter()
        .map(|o| Open {
            criterion: new.leaves().nth(o.leaf).map_or_else(String::new, |c| c.id().to_string()),
            reason: o.reason.clone(),
            candidates: option_keys(new, o.leaf, &o.domain),
        })
        .collect();
    let mut trial = Trial { plan, new, open: &open, sheets: base };
    let (best_low, best_high) = trial.bounds(&mut out.exact);
    let (Some(low), Some(high)) = (best_low, best_high) else { return out };
    if low.0 < high.0 {
        out.deciding = trial.deciding(&low, &high, &out.open);
    }
    out.low = Some(low.2);
    out.high = Some(high.2);
    out
}

/// The facts the old sheets set that the new form does not know, each once.
fn facts_not_carried(plan: &Plan<'_>, sheets: &[Sheet<'_>]) -> Vec<String> {
    let mut v = Vec::new();
    for s in sheets {
        for (i, f) in plan.old.facts().iter().enumerate() {
            if s.facts >> i & 1 == 1
                && plan.facts.get(i).copied().flatten().is_none()
                && !v.contains(&f.id().to_string())
            {
                v.push(f.id().to_string());
            }
        }
    }
    v
}

/// One blank sheet of the new form per member, with the facts carried.
fn carried_facts<'n>(plan: &Plan<'_>, new: &'n Form, sheets: &[Sheet<'_>]) -> Vec<Sheet<'n>> {
    let mut base: Vec<Sheet<'_>> = Vec::with_capacity(sheets.len());
    for s in sheets {
        let mut n = new.sheet();
        for (i, target) in plan.facts.iter().enumerate() {
            if let Some(t) = target
                && s.facts >> i & 1 == 1
            {
                n.facts |= 1 << t;
            }
        }
        base.push(n);
    }
    base
}

/// Carries every member's answers to each new leaf: a settled answer is set on `base` (and
/// counted in `carried`); the leaves left open are returned, in leaf order.
fn carry_answers(
    plan: &Plan<'_>,
    new: &Form,
    sheets: &[Sheet<'_>],
    base: &mut [Sheet<'_>],
    carried: &mut usize,
) -> Vec<OpenLeaf> {
    let mut open: Vec<OpenLeaf> = Vec::new();
    for leaf in 0..new.leaf_count() {
        let points = plan.points.get(leaf).map_or(&[][..], Vec::as_slice);
        let mut members = Vec::with_capacity(sheets.len());
        let mut reason = None;
        for (m, s) in sheets.iter().enumerate() {
            match carry(plan, leaf, s) {
                Carried::Fixed(v) => {
                    let _ = base[m].set_leaf(leaf, v);
                    members.push(Ok(v));
                }
                Carried::Open(mut c, why) => {
                    sort_by_points(&mut c, points);
                    reason.get_or_insert(why);
                    members.push(Err(c));
                }
            }
        }
        match reason {
            None => *carried += 1,
            Some(reason) => {
                let mut domain: Candidates = Vec::new();
                for c in members.iter().filter_map(|m| m.as_ref().err()) {
                    for i in c {
                        if !domain.contains(i) {
                            domain.push(*i);
                        }
                    }
                }
                sort_by_points(&mut domain, points);
                open.push(OpenLeaf { leaf, members, domain, reason });
            }
        }
    }
    open
}

/// The keys of options `c` of the new form's leaf `leaf`.
fn option_keys(new: &Form, leaf: usize, c: &[usize]) -> Vec<String> {
    new.leaves()
        .nth(leaf)
        .map(|crit| c.iter().filter_map(|i| new.options(crit).get(*i)).map(|o| o.key().to_string()).collect())
        .unwrap_or_default()
}

/// The best scoring found for a bound, with the choice (one value per open leaf) that gave it.
type Best = (u8, i64, Bound, Vec<usize>);

/// The new form's sheets with the settled answers carried, scored for choices of the open
/// leaves' values.
struct Trial<'p, 'n> {
    plan: &'p Plan<'n>,
    new: &'n Form,
    open: &'p [OpenLeaf],
    sheets: Vec<Sheet<'n>>,
}

impl Trial<'_, '_> {
    /// Scores a choice of one value per open leaf (indices into `open`).
    fn score(&mut self, choice: &[usize]) -> Option<Scoring> {
        let (plan, new, open) = (self.plan, self.new, self.open);
        for (o, &v) in open.iter().zip(choice) {
            let points = plan.points.get(o.leaf).map_or(&[][..], Vec::as_slice);
            for (m, s) in self.sheets.iter_mut().enumerate() {
                let _ = s.set_leaf(o.leaf, o.member_value(m, v, points));
            }
        }
        let outcome = new.score_council(&self.sheets).ok()?;
        let mut b = Bound::of(&outcome);
        b.open_answers = open
            .iter()
            .zip(choice)
            .map(|(o, &v)| {
                let id = new.leaves().nth(o.leaf).map_or("", |c| c.id());
                let key = option_keys(new, o.leaf, &[v]).pop().unwrap_or_default();
                format!("{id}={key}")
            })
            .collect();
        Some((b.class_key(), outcome.total_sum().hundredths(), b))
    }

    /// The lowest and the highest scoring: every combination of the interacting open leaves'
    /// values (the others at their lowest or highest), or beyond [`MAX_COMBINATIONS`] each
    /// interacting leaf varied alone (and `exact` set false).
    fn bounds(&mut self, exact: &mut bool) -> (Option<Best>, Option<Best>) {
        let open = self.open;
        let low_choice: Vec<usize> = open.iter().map(OpenLeaf::lowest).collect();
        let high_choice: Vec<usize> = open.iter().map(OpenLeaf::highest).collect();
        let interacting: Vec<usize> = (0..open.len())
            .filter(|i| self.plan.referenced.get(open[*i].leaf).copied().unwrap_or(false))
            .collect();
        let combos =
            interacting.iter().try_fold(1usize, |acc, i| acc.checked_mul(open[*i].domain.len().max(1)));
        let mut best = (None, None);
        match combos {
            Some(n) if n <= MAX_COMBINATIONS => {
                for k in 0..n.max(1) {
                    let mut rest = k;
                    let mut low = low_choice.clone();
                    let mut high = high_choice.clone();
                    for &i in &interacting {
                        let d = &open[i].domain;
                        let v = d.get(rest % d.len().max(1)).copied().unwrap_or(0);
                        rest /= d.len().max(1);
                        low[i] = v;
                        high[i] = v;
                    }
                    self.consider(&mut best, low, true);
                    self.consider(&mut best, high, false);
                }
            }
            _ => {
                *exact = false;
                self.consider(&mut best, low_choice.clone(), true);
                self.consider(&mut best, high_choice.clone(), false);
                for &i in &interacting {
                    for &v in &open[i].domain {
                        let mut low = low_choice.clone();
                        low[i] = v;
                        self.consider(&mut best, low, true);
                        let mut high = high_choice.clone();
                        high[i] = v;
                        self.consider(&mut best, high, false);
                    }
                }
            }
        }
        best
    }

    /// Scores `choice` and keeps it as the best low (`low`) or high bound if it is lower or
    /// higher than the one kept.
    fn consider(&mut self, best: &mut (Option<Best>, Option<Best>), choice: Vec<usize>, low: bool) {
        let Some((class, total, bound)) = self.score(&choice) else { return };
        if low {
            if best.0.as_ref().is_none_or(|b| (class, total) < (b.0, b.1)) {
                best.0 = Some((class, total, bound, choice));
            }
        } else if best.1.as_ref().is_none_or(|b| (class, total) > (b.0, b.1)) {
            best.1 = Some((class, total, bound, choice));
        }
    }

    /// The open leaves that decide between the bounds: the high class needs it (at its lowest
    /// the class drops), or it lifts the low class alone (at its highest the class rises).
    fn deciding(&mut self, low: &Best, high: &Best, open_out: &[Open]) -> Vec<Deciding> {
        let mut deciding = Vec::new();
        for (i, o) in self.open.iter().enumerate() {
            let mut down = high.3.clone();
            down[i] = o.lowest();
            let needed = self.score(&down).is_some_and(|s| s.0 < high.0);
            let mut up = low.3.clone();
            up[i] = o.highest();
            let lifts = self.score(&up).is_some_and(|s| s.0 > low.0);
            if needed || lifts {
                deciding.push(Deciding { criterion: open_out[i].criterion.clone(), needed, lifts });
            }
        }
        deciding
    }
}

// ---------------------------------------------------------------------------------------------
// Summary

/// Products counted per set and per (old class → new class range).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// The old decision(s) and the new.
    pub to: String,
    /// Rows read.
    pub rows: u64,
    /// Rows re-scored.
    pub rescored: u64,
    /// Rows that could not be read or re-scored (reported one by one).
    pub rejected: u64,
    /// Per old set (`decision/set → new set`).
    pub sets: BTreeMap<String, SetSummary>,
    /// Over every set.
    pub all: SetSummary,
}

/// The counts of one old set.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SetSummary {
    /// Products.
    pub products: u64,
    /// Products per `old → low..high` (classes as `3★`, `KO` for disqualified, `none` when no
    /// new set takes the product).
    pub ranges: BTreeMap<String, u64>,
    /// How often each new criterion was open.
    pub open: BTreeMap<String, u64>,
    /// How often each new criterion decided between the bounds.
    pub deciding: BTreeMap<String, u64>,
    /// Products whose bounds are not exact (too many interacting combinations).
    pub inexact: u64,
}

fn class_label(k: u8) -> String {
    if k == 0 { "KO".into() } else { format!("{k}★") }
}

impl Summary {
    /// A summary of re-scoring to `to`.
    pub fn new(to: &str) -> Summary {
        Summary { to: to.to_string(), ..Summary::default() }
    }

    /// Counts one product.
    pub fn add(&mut self, r: &Rescored) {
        self.rows += 1;
        self.rescored += 1;
        let key =
            format!("{} {} → {}", r.old_decision, r.old_set, r.new_set.as_deref().unwrap_or("(no set)"));
        let (old, low, high) = r.range();
        let range = match (&r.low, low == high) {
            (None, _) => format!("{} → none", class_label(old)),
            (Some(_), true) => format!("{} → {}", class_label(old), class_label(low)),
            (Some(_), false) => format!("{} → {}..{}", class_label(old), class_label(low), class_label(high)),
        };
        for s in [self.sets.entry(key).or_default(), &mut self.all] {
            s.products += 1;
            *s.ranges.entry(range.clone()).or_default() += 1;
            for o in &r.open {
                *s.open.entry(o.criterion.clone()).or_default() += 1;
            }
            for d in &r.deciding {
                *s.deciding.entry(d.criterion.clone()).or_default() += 1;
            }
            s.inexact += u64::from(!r.exact);
        }
    }

    /// Counts a row that could not be re-scored.
    pub fn reject(&mut self) {
        self.rows += 1;
        self.rejected += 1;
    }

    /// The summary as text.
    pub fn text(&self) -> String {
        use std::fmt::Write as _;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "rescore to {}: {} rows, {} re-scored, {} rejected",
            self.to, self.rows, self.rescored, self.rejected
        );
        let top = |m: &BTreeMap<String, u64>| {
            let mut v: Vec<(&String, &u64)> = m.iter().collect();
            v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            v.iter().take(8).map(|(k, n)| format!("{k} ({n})")).collect::<Vec<_>>().join(", ")
        };
        let mut section = |name: &str, s: &SetSummary| {
            let _ = writeln!(out, "\n{name}: {}", crate::diag::plural(s.products, "product", "products"));
            for (range, n) in &s.ranges {
                let _ = writeln!(out, "  {range:<16} {n}");
            }
            if !s.deciding.is_empty() {
                let _ = writeln!(out, "  deciding: {}", top(&s.deciding));
            }
            if !s.open.is_empty() {
                let _ = writeln!(out, "  open:     {}", top(&s.open));
            }
            if s.inexact > 0 {
                let _ = writeln!(
                    out,
                    "  {} product(s) with bounds not exact (over {MAX_COMBINATIONS} combinations)",
                    s.inexact
                );
            }
        };
        for (k, s) in &self.sets {
            section(&format!("set {k}"), s);
        }
        section("all sets", &self.all);
        out
    }
}

// ---------------------------------------------------------------------------------------------
// Archives

/// The format of the rows written by [`run`].
#[cfg(feature = "bulk")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowFormat {
    /// `id,old_decision,old_set,new_set,old_stars,old_total,low_stars,low_total,high_stars,high_total,carried,open,deciding,exact`.
    Csv,
    /// One [`Rescored`] per line.
    Jsonl,
}

/// The longest JSON Lines line read (1 MiB), as `ocop bulk`.
#[cfg(feature = "bulk")]
const MAX_LINE: usize = 1 << 20;

/// Re-scores every row of an archive (`ocop bulk`'s input: CSV with `id,decision,set,[lodged_on,]`
/// and a column per criterion, or JSON Lines of assessments), streaming. Each re-scored row is
/// written to `rows` (when given) in `format`; each bad row goes to `bad` with its row number
/// (the CSV header is row 1) and is counted. Returns the summary.
#[cfg(feature = "bulk")]
pub fn run<'a, R: std::io::Read>(
    rescorer: &mut Rescorer<'_>,
    input: R,
    jsonl: bool,
    rows: Option<(&'a mut dyn std::io::Write, RowFormat)>,
    bad: &'a mut dyn FnMut(u64, &str),
) -> Result<Summary, RescoreError> {
    let mut sink = Sink { summary: Summary::new(rescorer.to()), rows, bad };
    if let Some((w, RowFormat::Csv)) = sink.rows.as_mut() {
        writeln!(w, "id,old_decision,old_set,new_set,old_stars,old_total,low_stars,low_total,high_stars,high_total,carried,open,deciding,exact")
            .map_err(|e| RescoreError(format!("output: {e}")))?;
    }
    if jsonl {
        run_jsonl(rescorer, input, &mut sink)?;
    } else {
        run_csv(rescorer, input, &mut sink)?;
    }
    Ok(sink.summary)
}

/// [`run`] over JSON Lines: one assessment per line; a line longer than [`MAX_LINE`] is read
/// through and rejected.
#[cfg(feature = "bulk")]
fn run_jsonl<R: std::io::Read>(
    rescorer: &mut Rescorer<'_>,
    input: R,
    sink: &mut Sink<'_>,
) -> Result<(), RescoreError> {
    use std::io::{BufRead, Read as _};
    let mut reader = std::io::BufReader::with_capacity(64 << 10, input);
    let mut line = Vec::new();
    let mut number = 0u64;
    loop {
        line.clear();
        let n = (&mut reader)
            .take(MAX_LINE as u64 + 1)
            .read_until(b'\n', &mut line)
            .map_err(|e| RescoreError(format!("input: {e}")))?;
        if n == 0 {
            break;
        }
        number += 1;
        if line.len() > MAX_LINE && !line.ends_with(b"\n") {
            // Read through the rest of the long line.
            let mut rest = Vec::new();
            loop {
                rest.clear();
                let m = (&mut reader)
                    .take(MAX_LINE as u64)
                    .read_until(b'\n', &mut rest)
                    .map_err(|e| RescoreError(format!("input: {e}")))?;
                if m == 0 || rest.ends_with(b"\n") {
                    break;
                }
            }
            sink.emit(err(format!("line longer than {MAX_LINE} bytes")), number)?;
            continue;
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let r = Assessment::from_bytes(&format!("line {number}"), &line, &crate::read::Limits::default())
            .map_err(|e| RescoreError(diagnostics_line(e.diagnostics())))
            .and_then(|a| rescorer.rescore(&a));
        sink.emit(r, number)?;
    }
    Ok(())
}

/// The columns of an archive's CSV header: the names, the `lodged_on` column, and the column of
/// each criterion id.
#[cfg(feature = "bulk")]
struct CsvColumns {
    names: Vec<String>,
    lodged: Option<usize>,
    criteria: HashMap<String, usize>,
}

/// Per form (by file): the column of each leaf, and the criterion columns that the form does
/// not have.
#[cfg(feature = "bulk")]
type Layouts = HashMap<String, (Vec<Option<usize>>, Vec<usize>)>;

/// [`run`] over CSV: the header, then one sheet per row.
#[cfg(feature = "bulk")]
fn run_csv<R: std::io::Read>(
    rescorer: &mut Rescorer<'_>,
    input: R,
    sink: &mut Sink<'_>,
) -> Result<(), RescoreError> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(input);
    let mut records = reader.byte_records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => return err(format!("header: {e}")),
        None => return err("the input is empty: a header `id,decision,set,…` was expected"),
    };
    let columns = csv_columns(&header)?;
    let mut number = 1u64;
    let mut layouts: Layouts = HashMap::new();
    for rec in records {
        number += 1;
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                sink.emit(err(format!("unreadable row: {e}")), number)?;
                continue;
            }
        };
        let r = rescore_csv_row(rescorer, &columns, &mut layouts, &rec);
        sink.emit(r, number)?;
    }
    Ok(())
}

/// Reads the CSV header: it starts `id,decision,set`, then an optional `lodged_on`, then
/// criterion ids.
#[cfg(feature = "bulk")]
fn csv_columns(header: &csv::ByteRecord) -> Result<CsvColumns, RescoreError> {
    let names: Vec<String> = header.iter().map(|c| String::from_utf8_lossy(c).trim().to_string()).collect();
    if names.len() < 3 || names[0] != "id" || names[1] != "decision" || names[2] != "set" {
        return err(
            "the header must start with `id,decision,set` (then an optional `lodged_on`, then criterion ids)",
        );
    }
    let lodged = names.iter().position(|n| n == "lodged_on");
    let criteria: HashMap<String, usize> = names
        .iter()
        .enumerate()
        .skip(3)
        .filter(|(i, _)| Some(*i) != lodged)
        .map(|(i, n)| (n.clone(), i))
        .collect();
    Ok(CsvColumns { names, lodged, criteria })
}

/// Cell `i` of a CSV row, trimmed (`U+FFFD` when not UTF-8, empty when absent).
#[cfg(feature = "bulk")]
fn csv_cell(rec: &csv::ByteRecord, i: usize) -> &str {
    std::str::from_utf8(rec.get(i).unwrap_or_default()).map(str::trim).unwrap_or("\u{fffd}")
}

/// Re-scores one CSV row: its form (by decision, set and lodging date), its answers, then the
/// sheet.
#[cfg(feature = "bulk")]
fn rescore_csv_row(
    rescorer: &mut Rescorer<'_>,
    columns: &CsvColumns,
    layouts: &mut Layouts,
    rec: &csv::ByteRecord,
) -> Result<Rescored, RescoreError> {
    let cell = |i: usize| csv_cell(rec, i);
    let on = match columns.lodged.map(cell).filter(|c| !c.is_empty()) {
        Some(d) => Some(d.parse::<crate::Date>().map_err(|e| RescoreError(format!("lodged_on: {e}")))?),
        None => None,
    };
    let form = rescorer
        .catalog
        .form(cell(1), cell(2), on)
        .map_err(|e| RescoreError(diagnostics_line(e.diagnostics())))?;
    let layout = layouts.entry(form.file().to_string()).or_insert_with(|| {
        let leaves: Vec<Option<usize>> =
            form.leaves().map(|c| columns.criteria.get(c.id()).copied()).collect();
        let used: Vec<usize> = leaves.iter().flatten().copied().collect();
        // In column order, so that the messages about them come out the same on every run.
        let mut extra: Vec<usize> =
            columns.criteria.values().copied().filter(|i| !used.contains(i)).collect();
        extra.sort_unstable();
        (leaves, extra)
    });
    let sheet = csv_sheet(form, layout, &columns.names, rec)?;
    rescorer.rescore_sheets(cell(0), std::slice::from_ref(&sheet), on)
}

/// The sheet of one CSV row of `form`: every leaf answered, no answer in a column the form
/// does not have; else every problem, in one error.
#[cfg(feature = "bulk")]
fn csv_sheet<'f>(
    form: &'f Form,
    layout: &(Vec<Option<usize>>, Vec<usize>),
    names: &[String],
    rec: &csv::ByteRecord,
) -> Result<Sheet<'f>, RescoreError> {
    let cell = |i: usize| csv_cell(rec, i);
    let mut sheet = form.sheet();
    let mut missing = Vec::new();
    let mut problems = Vec::new();
    for (leaf, (c, col)) in form.leaves().zip(&layout.0).enumerate() {
        let text = col.map(cell).unwrap_or("");
        if text.is_empty() {
            missing.push(c.id());
            continue;
        }
        if let Err(e) = sheet.set_leaf_key(leaf, text) {
            problems.push(format!("{}: {e}", c.id()));
        }
    }
    if !missing.is_empty() {
        problems.push(format!(
            "{} not answered: {}",
            crate::diag::plural(missing.len(), "criterion", "criteria"),
            crate::diag::list_names(&missing, 20)
        ));
    }
    for &i in &layout.1 {
        if !cell(i).is_empty() {
            problems.push(format!(
                "column {} holds `{}`, but set {} of {} has no such criterion",
                names[i],
                cell(i),
                form.set(),
                form.decision().key()
            ));
        }
    }
    if !problems.is_empty() {
        return err(problems.join("; "));
    }
    Ok(sheet)
}

/// Where [`run`] puts each row: the summary, the rows' output, the bad rows.
#[cfg(feature = "bulk")]
struct Sink<'a> {
    summary: Summary,
    rows: Option<(&'a mut dyn std::io::Write, RowFormat)>,
    bad: &'a mut dyn FnMut(u64, &str),
}

#[cfg(feature = "bulk")]
impl Sink<'_> {
    fn emit(&mut self, r: Result<Rescored, RescoreError>, row: u64) -> Result<(), RescoreError> {
        match r {
            Ok(r) => {
                self.summary.add(&r);
                if let Some((w, f)) = self.rows.as_mut() {
                    write_row(&mut **w, *f, &r).map_err(|e| RescoreError(format!("output: {e}")))?;
                }
            }
            Err(e) => {
                self.summary.reject();
                (self.bad)(row, &crate::terminal::escape(&e.0));
            }
        }
        Ok(())
    }
}

#[cfg(feature = "bulk")]
fn write_row(w: &mut dyn std::io::Write, format: RowFormat, r: &Rescored) -> std::io::Result<()> {
    match format {
        RowFormat::Jsonl => {
            serde_json::to_writer(&mut *w, r).map_err(std::io::Error::other)?;
            w.write_all(b"\n")
        }
        RowFormat::Csv => {
            let stars = |b: Option<&Bound>| {
                b.map_or_else(String::new, |b| b.stars.map_or("KO".to_string(), |s| s.to_string()))
            };
            let total = |b: Option<&Bound>| b.map_or_else(String::new, |b| b.total.clone());
            let open: Vec<&str> = r.open.iter().map(|o| o.criterion.as_str()).collect();
            let deciding: Vec<&str> = r.deciding.iter().map(|d| d.criterion.as_str()).collect();
            let mut c = csv::Writer::from_writer(w);
            c.write_record([
                r.id.as_str(),
                &r.old_decision,
                &r.old_set,
                r.new_set.as_deref().unwrap_or(""),
                &stars(Some(&r.old)),
                &r.old.total,
                &stars(r.low.as_ref()),
                &total(r.low.as_ref()),
                &stars(r.high.as_ref()),
                &total(r.high.as_ref()),
                &r.carried.to_string(),
                &open.join(" "),
                &deciding.join(" "),
                if r.exact { "true" } else { "false" },
            ])?;
            c.flush()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::SheetGenerator;

    /// The bounds are the lowest and highest class over every combination of the open criteria's
    /// options, found by brute force on generated 148 sheets of every set: the enumeration of the
    /// interacting criteria and the extremes of the others lose nothing.
    #[test]
    fn bounds_are_the_extremes_over_every_combination() {
        let catalog = Catalog::embedded().unwrap();
        let shipped = Crosswalks::shipped(&catalog);
        let mut r = Rescorer::new(&catalog, &shipped, "26-2026").unwrap();
        let mut g = SheetGenerator::new(7);
        let (mut checked, mut with_gate) = (0, 0);
        for form in catalog.forms_of("148-2023") {
            for _ in 0..12 {
                let sheet = g.sheet(form);
                let res = r.rescore_sheets("x", std::slice::from_ref(&sheet), None).unwrap();
                let plan = r.plans.get(form.file()).unwrap();
                let Some(new) = plan.new else { continue };
                let mut base = new.sheet();
                let mut open: Vec<(usize, Vec<usize>)> = Vec::new();
                for leaf in 0..new.leaf_count() {
                    match carry(plan, leaf, &sheet) {
                        Carried::Fixed(v) => base.set_leaf(leaf, v).unwrap(),
                        Carried::Open(c, _) => open.push((leaf, c)),
                    }
                }
                let combos: usize = open.iter().map(|o| o.1.len()).product();
                if combos > 5_000 {
                    continue;
                }
                let (mut lo, mut hi) = (u8::MAX, 0u8);
                for k in 0..combos {
                    let mut rest = k;
                    for (leaf, d) in &open {
                        base.set_leaf(*leaf, Some(d[rest % d.len()])).unwrap();
                        rest /= d.len();
                    }
                    let class = new.score(&base).unwrap().stars().unwrap_or(0);
                    lo = lo.min(class);
                    hi = hi.max(class);
                }
                let got = (res.low.as_ref().unwrap().class_key(), res.high.as_ref().unwrap().class_key());
                assert_eq!(got, (lo, hi), "{} set {}: {:?}", form.decision().key(), form.set(), res.open);
                checked += 1;
                with_gate += usize::from(open.iter().any(|(leaf, _)| plan.referenced[*leaf]));
            }
        }
        assert!(checked > 200, "{checked}");
        assert!(with_gate > 20, "{with_gate}");
    }
}
