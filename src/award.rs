//! Councils and the award: the spread between members, the quorum, who may award the class,
//! and how long the certificate runs (rulings 6 and 7). All of it is data of the decision file.

use crate::date::Date;
use crate::form::Decision;
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
    Award {
        stars: Some(stars),
        level: Some(awarding.level.clone()),
        certificate,
        potential,
        valid_until,
        note,
    }
}
