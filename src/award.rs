//! Councils and the award: the spread between members, the quorum, who may award the class,
//! and how long the certificate runs (rulings 6 and 7). All of it is data of the decision file.

use crate::date::Date;
use crate::form::{Decision, Stated};
use crate::points::{Mean, Points};
use crate::score::{Outcome, Sheet};

/// What the council's sheets say beyond the mean: each member's total, the spread, the quorum.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CouncilSummary {
    /// Each member's name and total, in input order.
    pub members: Vec<(String, Points)>,
    /// The exact mean total.
    pub mean: Mean,
    /// Highest minus lowest member total.
    pub spread: Points,
    /// The decision's limit (1048 Phụ lục II: members may not differ by more than 10 points).
    pub spread_limit: Points,
    /// Whether the spread is more than the limit: the council must discuss and re-score.
    pub spread_exceeded: bool,
    /// The members with the highest total.
    pub highest: Vec<String>,
    /// The members with the lowest total.
    pub lowest: Vec<String>,
    /// The council's full size, when given.
    pub council_size: Option<u32>,
    /// A problem with the number of sheets against the council size, if any.
    pub quorum_problem: Option<String>,
}

/// Summarises a council's sheets (already checked: same form, complete).
pub(crate) fn council(
    decision: &Decision,
    sheets: &[Sheet<'_>],
    names: &[String],
    mean: Mean,
    council_size: Option<u32>,
) -> CouncilSummary {
    let members: Vec<(String, Points)> = sheets
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let total = s.form.run(std::slice::from_ref(s), &mut crate::score::NoTrace, None).total_sum();
            let name = names
                .get(i)
                .filter(|n| !n.is_empty())
                .cloned()
                .unwrap_or_else(|| format!("member {}", i + 1));
            (name, total)
        })
        .collect();
    let high = members.iter().map(|m| m.1).max().unwrap_or(Points::ZERO);
    let low = members.iter().map(|m| m.1).min().unwrap_or(Points::ZERO);
    let spread = high - low;
    let quorum_problem = council_size.and_then(|size| {
        let n = members.len() as u32;
        if n > size {
            Some(format!("{n} sheets for a council of {size} members"))
        } else if let Some((num, den, source)) = &decision.quorum {
            // Whole members: at least ceil(size × num / den).
            let need = (size * num).div_ceil(*den);
            (n < need).then(|| format!("{n} of {size} members scored; the quorum is {need} ({source})"))
        } else {
            None
        }
    });
    CouncilSummary {
        highest: members.iter().filter(|m| m.1 == high).map(|m| m.0.clone()).collect(),
        lowest: members.iter().filter(|m| m.1 == low).map(|m| m.0.clone()).collect(),
        members,
        mean,
        spread,
        spread_limit: decision.spread_limit,
        spread_exceeded: spread > decision.spread_limit,
        council_size,
        quorum_problem,
    }
}

/// Who awards the class reached, whether a certificate is issued, and until when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Award {
    /// The class reached (None when disqualified).
    pub stars: Option<u8>,
    /// The level that may recognise that class on the date (`district`, `province`, `central`).
    pub level: Option<String>,
    /// Whether a certificate is issued for the class (never for 1 or 2 stars).
    pub certificate: bool,
    /// When the evaluating level cannot award the class reached: the class, to be proposed to
    /// [`Award::level`] ("potential 5★").
    pub potential: Option<u8>,
    /// Recognition date + the decision's certificate months, when a recognition date is given.
    pub valid_until: Option<Date>,
    /// The rule applied, in words, with its source.
    pub note: String,
    /// The certificate's life after issue, when a certificate is issued and a recognition date
    /// is given (ruling 13).
    pub lifecycle: Option<CertificateLife>,
    /// For a class the evaluating level can only propose ("potential 5★"): what the decision
    /// says when the higher council scores it below its threshold (26/2026 Điều 7.4.g), or why
    /// it says nothing.
    pub if_scored_below: Option<String>,
}

/// A certificate's dates (ruling 13): until when it is valid, when its re-rating is lodged, and
/// how long it may run on while a change of decision delays that.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateLife {
    /// The recognition date.
    pub recognised_on: Date,
    /// Its expiry: the recognition date plus the decision's months.
    pub valid_until: Date,
    /// The decision whose rules govern the re-rating: the one whose lodging period holds the
    /// expiry date (often a later decision than the one the product was rated under).
    pub renewal_decision: String,
    /// The first and last day to lodge the re-rating dossier, when that decision states them.
    pub re_rating_window: Option<(Date, Date)>,
    /// When the renewal decision is not the rating decision and it grants one: the latest day the
    /// certificate may stay valid while its re-rating is pending, if the window could not be met
    /// because of the change of decision.
    pub extended_at_most_until: Option<Date>,
    /// Each rule in words, with its source or why it is not stated.
    pub lines: Vec<String>,
}

/// The life of a certificate recognised on `recognised_on` under `rating`, renewed under the
/// rules of `renewal` (the same decision, or the one in force when it expires).
pub(crate) fn certificate_life(
    rating: &Decision,
    renewal: &Decision,
    recognised_on: Date,
) -> CertificateLife {
    let months = rating.certificate_months();
    let valid_until = recognised_on.add_months(months);
    let mut lines = vec![match &rating.lifecycle().validity_source {
        Stated::Stated { source, .. } => {
            format!("valid {months} months from {recognised_on}, until {valid_until} [{source}]")
        }
        Stated::NotStated(why) => {
            format!("valid {months} months from {recognised_on}, until {valid_until} ({why})")
        }
    }];
    let under = if renewal.key == rating.key { String::new() } else { format!(" under {}", renewal.number) };
    let re_rating_window = match &renewal.lifecycle().re_rating_window {
        Stated::Stated { rule, source } => {
            let from = valid_until.add_days(-i64::from(rule.earliest_days_before));
            let to = valid_until.add_days(-i64::from(rule.latest_days_before));
            lines.push(format!(
                "re-rating{under}: lodge the dossier from {from} to {to} ({} to {} days before expiry) [{source}]",
                rule.earliest_days_before, rule.latest_days_before
            ));
            if from < renewal.in_force_from {
                lines.push(format!(
                    "the window opens before {} takes effect ({})",
                    renewal.number, renewal.in_force_from
                ));
            }
            Some((from, to))
        }
        Stated::NotStated(why) => {
            lines.push(format!("re-rating{under}: no lodging window ({why})"));
            None
        }
    };
    let extended_at_most_until = match (&renewal.lifecycle().missed_window_grace, renewal.key == rating.key) {
        (Stated::Stated { rule, source }, false) => {
            let until = valid_until.add_days(i64::from(rule.days_after_expiry));
            lines.push(format!(
                "if that window could not be met because of the change of decision, the certificate stays valid                  until the new result, at most until {until} ({} days past expiry) [{source}]",
                rule.days_after_expiry
            ));
            Some(until)
        }
        _ => None,
    };
    CertificateLife {
        recognised_on,
        valid_until,
        renewal_decision: renewal.key.clone(),
        re_rating_window,
        extended_at_most_until,
        lines,
    }
}

/// What the decision says of a proposed class scored below its threshold by the higher council.
fn if_scored_below(decision: &Decision, stars: u8) -> String {
    match &decision.lifecycle().central_below_threshold {
        Stated::Stated { rule, source } => {
            let classes: Vec<String> = rule.stars.iter().map(|s| format!("{s}★")).collect();
            format!(
                "if the higher council scores it below {}, the province may recognise {} on that council's result [{source}]",
                rule.below,
                classes.join(" or ")
            )
        }
        Stated::NotStated(why) => format!("{stars}★ scored below the threshold by the higher council: {why}"),
    }
}

const LEVELS: [&str; 3] = ["district", "province", "central"];

fn rank(level: &str) -> usize {
    LEVELS.iter().position(|l| *l == level).unwrap_or(LEVELS.len())
}

/// Applies the decision's award rules to an outcome.
pub(crate) fn award(
    outcome: &Outcome<'_>,
    date: Option<Date>,
    evaluating_level: Option<&str>,
    recognised_on: Option<Date>,
    renewal: Option<&Decision>,
) -> Award {
    let decision = outcome.form().decision();
    let Some(stars) = outcome.stars() else {
        return Award {
            stars: None,
            level: None,
            certificate: false,
            potential: None,
            valid_until: None,
            note: "disqualified: no class, no certificate".into(),
            lifecycle: None,
            if_scored_below: None,
        };
    };
    let in_period = |l: &&crate::form::AwardLevel| match date {
        Some(d) => l.from.is_none_or(|f| f <= d) && l.until.is_none_or(|u| d <= u),
        None => l.until.is_none(),
    };
    let awarding = decision.award_levels().iter().filter(in_period).find(|l| l.stars.contains(&stars));
    let Some(awarding) = awarding else {
        let note = if stars < 3 {
            format!("{stars} star(s): no certificate is issued")
        } else if decision.award_levels().is_empty() {
            "the decision file records no award levels".into()
        } else {
            format!("no award level for {stars} stars in force on the date")
        };
        return Award {
            stars: Some(stars),
            level: None,
            certificate: false,
            potential: None,
            valid_until: None,
            note,
            lifecycle: None,
            if_scored_below: None,
        };
    };
    // Without an evaluating level, the first level that evaluates (the lowest awarding level in
    // force) is assumed: under 26/2026 a province that scores 90 or more proposes 5 stars.
    let lowest =
        decision.award_levels().iter().filter(in_period).map(|l| l.level.as_str()).min_by_key(|l| rank(l));
    let evaluating_level = evaluating_level.or(lowest);
    let potential = evaluating_level.filter(|e| rank(e) < rank(&awarding.level)).map(|_| stars);
    let certificate = potential.is_none();
    let valid_until =
        recognised_on.filter(|_| certificate).map(|d| d.add_months(decision.certificate_months()));
    let note = match (potential, evaluating_level) {
        (Some(_), Some(e)) => format!(
            "potential {stars}★: the {e} level cannot award {stars} stars; to be proposed to the {} level [{}]",
            awarding.level, awarding.source
        ),
        _ => format!(
            "{stars}★ recognised by the {} level; certificate valid {} months [{}]",
            awarding.level,
            decision.certificate_months(),
            awarding.source
        ),
    };
    let lifecycle = recognised_on
        .filter(|_| certificate)
        .map(|d| certificate_life(decision, renewal.unwrap_or(decision), d));
    Award {
        stars: Some(stars),
        level: Some(awarding.level.clone()),
        certificate,
        potential,
        valid_until,
        note,
        lifecycle,
        if_scored_below: potential.map(|p| if_scored_below(decision, p)),
    }
}
