//! The decision timeline (ruling 12), checked across every loaded decision at once.
//!
//! Each decision is used for dossiers lodged from its `in_force_from` to the day before a loaded
//! decision that supersedes it starts, or to its own `in_force_until`, whichever comes first: a
//! superseding decision ends the old one's lodging period without the old file being edited. Two
//! decisions' own periods may overlap only where the later one supersedes the earlier and its
//! transition (26/2026 Điều 12.2) covers the overlap: the old rules then run on for dossiers
//! lodged before the change, and for nothing else.
//!
//! The checks, each a located error in the decision file that can fix it:
//! - a `supersedes` entry names a loaded decision, one that came into force earlier (a chain can
//!   therefore never be circular);
//! - a transition belongs to a decision that supersedes another, and starts the day it does;
//! - the own periods of two decisions overlap only through such a transition, and no further
//!   than it lets the old rules run;
//! - a gap between decisions (days on which no decision is in force) is a warning.

use crate::date::Date;
use crate::diag::{Diagnostic, DiagnosticKind};
use crate::form::Decision;
use crate::locate::DocPath;

/// A finding, to be located at `path` in `file` (a decision file).
pub(crate) struct Finding {
    pub(crate) file: String,
    pub(crate) path: DocPath,
    pub(crate) diagnostic: Diagnostic,
}

/// The last day a dossier can be lodged under `d`: its own end, or the day before the earliest
/// loaded decision that supersedes it starts; `None` when open-ended.
pub(crate) fn lodging_until(d: &Decision, all: &[&Decision]) -> Option<Date> {
    let ended_by = all
        .iter()
        .filter(|s| s.key != d.key && s.supersedes.contains(&d.key) && s.in_force_from > d.in_force_from)
        .map(|s| s.in_force_from.add_days(-1))
        .min();
    match (d.in_force_until, ended_by) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The last day the old rules may be used under `t` (the longer of its two windows).
fn transition_end(t: &crate::form::Transition) -> Date {
    t.lodged_before.add_days(i64::from(t.first_rating_days.max(t.re_evaluation_days)))
}

/// Every timeline finding of `decisions` (in any order).
pub(crate) fn check(decisions: &[&Decision]) -> Vec<Finding> {
    let mut sorted: Vec<&Decision> = decisions.to_vec();
    sorted.sort_by_key(|d| d.in_force_from);
    let mut out = Vec::new();
    for d in &sorted {
        check_supersedes(d, &sorted, &mut out);
        check_transition(d, &mut out);
    }
    for (i, early) in sorted.iter().enumerate() {
        for late in sorted.iter().skip(i + 1) {
            check_overlap(early, late, &mut out);
        }
    }
    check_gaps(&sorted, &mut out);
    out
}

fn at(file: &str, path: DocPath, diagnostic: Diagnostic) -> Finding {
    Finding { file: file.to_string(), path, diagnostic }
}

fn decision_path() -> DocPath {
    DocPath::root().key("decision")
}

/// Every `supersedes` entry names a loaded decision that came into force earlier.
fn check_supersedes(d: &Decision, all: &[&Decision], out: &mut Vec<Finding>) {
    for (i, s) in d.supersedes.iter().enumerate() {
        let path = decision_path().key("supersedes").index(i);
        let Some(old) = all.iter().find(|o| o.key == *s) else {
            let loaded: Vec<&str> = all.iter().map(|o| o.key.as_str()).filter(|k| *k != d.key).collect();
            let diagnostic = Diagnostic::error(
                DiagnosticKind::UnknownReference,
                path.to_string(),
                format!("decision `{}` supersedes `{s}`, which is not loaded", d.key),
            )
            .expected(if loaded.is_empty() {
                "the key of a loaded decision (none other is loaded)".to_string()
            } else {
                format!("the key of a loaded decision: {}", loaded.join(", "))
            })
            .suggest(format!(
                "load `{s}` too (`--rules DIR --with-shipped` adds the shipped decisions), or remove it from `supersedes`"
            ));
            out.push(at(&d.file, path, diagnostic));
            continue;
        };
        if old.key != d.key && old.in_force_from >= d.in_force_from {
            let diagnostic = Diagnostic::error(
                DiagnosticKind::InvalidValue,
                path.to_string(),
                format!(
                    "`{}` (in force from {}) supersedes `{s}`, which comes into force on {}, not before it",
                    d.key, d.in_force_from, old.in_force_from
                ),
            )
            .expected("only decisions that came into force earlier")
            .suggest(format!("check `in_force_from` and `supersedes` here and in {}", old.file));
            out.push(at(&d.file, path, diagnostic));
        }
    }
}

/// A transition belongs to a superseding decision and starts when it does.
fn check_transition(d: &Decision, out: &mut Vec<Finding>) {
    let Some(t) = &d.transition else { return };
    if d.supersedes.is_empty() {
        let path = DocPath::root().key("transition");
        let diagnostic = Diagnostic::error(
            DiagnosticKind::InvalidValue,
            path.to_string(),
            format!("decision `{}` declares a transition but supersedes no decision", d.key),
        )
        .expected("a transition only in a decision whose `supersedes` names the decision it replaces")
        .suggest("add the old decision to `decision.supersedes`, or remove `transition`");
        out.push(at(&d.file, path, diagnostic));
    }
    if t.lodged_before != d.in_force_from {
        let path = DocPath::root().key("transition").key("lodged_before");
        let diagnostic = Diagnostic::error(
            DiagnosticKind::InvalidValue,
            path.to_string(),
            format!(
                "the transition starts on {}, but `{}` comes into force on {}",
                t.lodged_before, d.key, d.in_force_from
            ),
        )
        .expected(format!("lodged_before: {} (the decision's `in_force_from`)", d.in_force_from))
        .suggest("a transition covers the dossiers lodged before the new decision took effect: give both the same date");
        out.push(at(&d.file, path, diagnostic));
    }
}

/// The own periods of `early` and `late` (which starts no earlier) overlap only through a
/// transition of `late` that supersedes `early`, and no further than that transition runs.
fn check_overlap(early: &Decision, late: &Decision, out: &mut Vec<Finding>) {
    let early_end = early.in_force_until.unwrap_or(Date::MAX);
    if early_end < late.in_force_from {
        return;
    }
    let supersedes = late.supersedes.contains(&early.key) && early.in_force_from < late.in_force_from;
    if !supersedes {
        let path = decision_path().key("in_force_from");
        let diagnostic = Diagnostic::error(
            DiagnosticKind::InvalidValue,
            path.to_string(),
            format!(
                "`{}` comes into force on {} while `{}` ({}) is in force until {}, and does not supersede it",
                late.key,
                late.in_force_from,
                early.key,
                early.file,
                early.in_force_until.map_or("further notice".to_string(), |u| u.to_string()),
            ),
        )
        .expected("decisions whose periods do not overlap, or a later one that supersedes the earlier")
        .suggest(format!(
            "add `{}` to `decision.supersedes` (with a `transition` if its rules run on for dossiers already lodged), \
             or end `{}` the day before",
            early.key, early.key
        ));
        out.push(at(&late.file, path, diagnostic));
        return;
    }
    let Some(own_end) = early.in_force_until else { return };
    // The old decision's own end runs past the new one's start: only a transition allows it.
    let path = decision_path().key("in_force_until");
    let diagnostic = match &late.transition {
        None => Diagnostic::error(
            DiagnosticKind::InvalidValue,
            path.to_string(),
            format!(
                "`{}` is in force until {own_end}, but `{}` supersedes it from {} and declares no transition",
                early.key, late.key, late.in_force_from
            ),
        )
        .expected(format!("in_force_until: {} or earlier", late.in_force_from.add_days(-1)))
        .suggest(format!("or declare the transition in {} (`transition:`, docs/rule-dsl.md)", late.file)),
        Some(t) if own_end > transition_end(t) => Diagnostic::error(
            DiagnosticKind::InvalidValue,
            path.to_string(),
            format!(
                "`{}` is in force until {own_end}, past the end of the transition of `{}` ({}: the old rules \
                 may be used until {})",
                early.key,
                late.key,
                t.source,
                transition_end(t)
            ),
        )
        .expected(format!("in_force_until: {} or earlier", transition_end(t)))
        .suggest(format!("check this date against the transition in {}", late.file)),
        Some(_) => return,
    };
    out.push(at(&early.file, path, diagnostic));
}

/// Days on which no decision is in force, between the first decision and the last.
fn check_gaps(sorted: &[&Decision], out: &mut Vec<Finding>) {
    let mut covered_until: Option<Date> = None;
    let mut first = true;
    for d in sorted {
        if !first
            && let Some(until) = covered_until
            && until < Date::MAX
            && d.in_force_from > until.add_days(1)
        {
            let path = decision_path().key("in_force_from");
            let diagnostic = Diagnostic::warning(
                DiagnosticKind::InvalidValue,
                path.to_string(),
                format!(
                    "no decision is in force from {} to {}: dossiers lodged then cannot be scored",
                    until.add_days(1),
                    d.in_force_from.add_days(-1)
                ),
            )
            .suggest("check `in_force_from` here and `in_force_until` of the decision before");
            out.push(at(&d.file, path, diagnostic));
        }
        first = false;
        let end = d.in_force_until.unwrap_or(Date::MAX);
        covered_until = Some(covered_until.map_or(end, |c| c.max(end)));
    }
}
