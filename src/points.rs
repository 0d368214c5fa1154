//! Exact points: fixed point in hundredths, and exact means of several sheets.

use rust_decimal::Decimal;
use std::cmp::Ordering;
use std::fmt;

/// Points with two decimal places, stored as an integer number of hundredths.
///
/// Every form prints whole points; two decimals leave room for a decision that prints halves.
/// Arithmetic on `Points` is integer arithmetic: exact, and fast in the scoring loop.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Points(pub(crate) i64);

impl Points {
    /// Zero points.
    pub const ZERO: Points = Points(0);

    /// Whole points.
    pub const fn whole(points: i64) -> Points {
        Points(points * 100)
    }

    /// From hundredths of a point.
    pub const fn from_hundredths(hundredths: i64) -> Points {
        Points(hundredths)
    }

    /// The number of hundredths.
    pub const fn hundredths(self) -> i64 {
        self.0
    }

    /// As a decimal, e.g. `3` or `2.5`.
    pub fn to_decimal(self) -> Decimal {
        Decimal::new(self.0, 2).normalize()
    }

    /// From a decimal with at most two decimal places.
    pub fn from_decimal(value: Decimal) -> Option<Points> {
        let scaled = value.checked_mul(Decimal::ONE_HUNDRED)?;
        if scaled.fract() != Decimal::ZERO {
            return None;
        }
        i64::try_from(scaled.trunc()).ok().map(Points)
    }
}

impl fmt::Display for Points {
    /// `3`, `2.5`, `0.25`: the shortest exact form (integer arithmetic, no decimal type).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let (whole, cents) = (abs / 100, abs % 100);
        if cents == 0 {
            write!(f, "{sign}{whole}")
        } else if cents % 10 == 0 {
            write!(f, "{sign}{whole}.{}", cents / 10)
        } else {
            write!(f, "{sign}{whole}.{cents:02}")
        }
    }
}

impl Points {
    /// Appends the text [`Display`](fmt::Display) gives (`3`, `2.5`, `0.25`, `-1.05`) without
    /// the formatting machinery: the bulk writer prints millions of these.
    #[cfg_attr(not(feature = "bulk"), allow(dead_code))]
    pub(crate) fn write_ascii(self, out: &mut Vec<u8>) {
        if self.0 < 0 {
            out.push(b'-');
        }
        let abs = self.0.unsigned_abs();
        let (whole, cents) = (abs / 100, (abs % 100) as u8);
        write_u64(out, whole);
        if cents != 0 {
            out.push(b'.');
            out.push(b'0' + cents / 10);
            if cents % 10 != 0 {
                out.push(b'0' + cents % 10);
            }
        }
    }
}

/// Appends `n` in decimal digits.
#[cfg_attr(not(feature = "bulk"), allow(dead_code))]
pub(crate) fn write_u64(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        if let Some(d) = digits.get_mut(at) {
            *d = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(digits.get(at..).unwrap_or_default());
}

impl std::ops::Add for Points {
    type Output = Points;
    fn add(self, other: Points) -> Points {
        Points(self.0 + other.0)
    }
}

impl std::ops::Sub for Points {
    type Output = Points;
    fn sub(self, other: Points) -> Points {
        Points(self.0 - other.0)
    }
}

impl serde::Serialize for Points {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.to_decimal())
    }
}

impl<'de> serde::Deserialize<'de> for Points {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Points, D::Error> {
        let value = <Decimal as serde::Deserialize>::deserialize(d)?;
        Points::from_decimal(value).ok_or_else(|| {
            serde::de::Error::custom(format!("{value} is not points with at most two decimals"))
        })
    }
}

impl std::iter::Sum for Points {
    fn sum<I: Iterator<Item = Points>>(iter: I) -> Points {
        iter.fold(Points::ZERO, |a, b| a + b)
    }
}

/// An exact score: the sum of `count` sheets' points, read as their mean.
///
/// A single sheet is a mean over one. Comparisons cross-multiply, so a council mean such as
/// 269/3 = 89.666… is compared with 90 exactly, with no rounding ever (ruling 1).
#[derive(Clone, Copy, Debug)]
pub struct Mean {
    sum: Points,
    count: u32,
}

impl Mean {
    /// The mean of `count` sheets whose points add up to `sum`. `count` is at least 1.
    pub fn new(sum: Points, count: u32) -> Mean {
        Mean { sum, count: count.max(1) }
    }

    /// The sum over all sheets.
    pub fn sum(self) -> Points {
        self.sum
    }

    /// How many sheets.
    pub fn count(self) -> u32 {
        self.count
    }

    /// Whether the mean is at least `threshold`.
    pub fn at_least(self, threshold: Points) -> bool {
        self.sum.0 >= threshold.0 * i64::from(self.count)
    }

    /// The mean as a decimal. Exact when it has at most 26 decimals; a repeating mean
    /// (200/3) is cut at 26 places. Never used for comparisons.
    pub fn to_decimal(self) -> Decimal {
        Decimal::new(self.sum.0, 2) / Decimal::from(self.count)
    }

    /// The mean rounded half away from zero to `places` decimals, for display.
    pub fn display(self, places: u32) -> Decimal {
        self.to_decimal()
            .round_dp_with_strategy(places, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
            .normalize()
    }
}

impl From<Points> for Mean {
    fn from(points: Points) -> Mean {
        Mean::new(points, 1)
    }
}

impl PartialEq for Mean {
    fn eq(&self, other: &Mean) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Mean {}

impl PartialOrd for Mean {
    fn partial_cmp(&self, other: &Mean) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Mean {
    fn cmp(&self, other: &Mean) -> Ordering {
        (i128::from(self.sum.0) * i128::from(other.count))
            .cmp(&(i128::from(other.sum.0) * i128::from(self.count)))
    }
}

impl fmt::Display for Mean {
    /// Exact for one sheet; a council's mean rounded to two places (for display only).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.count == 1 { write!(f, "{}", self.sum) } else { write!(f, "{}", self.display(2)) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn means_compare_exactly() {
        let m = Mean::new(Points::whole(269), 3); // 89.666…
        assert!(!m.at_least(Points::whole(90)));
        assert!(m.at_least(Points::from_hundredths(8966)));
        assert_eq!(m.display(2).to_string(), "89.67");
        assert_eq!(m.to_string(), "89.67");
        for (h, text) in [(0, "0"), (300, "3"), (250, "2.5"), (25, "0.25"), (-105, "-1.05"), (1000, "10")] {
            assert_eq!(Points(h).to_string(), text);
        }
        assert_eq!(Mean::new(Points::whole(150), 2), Mean::new(Points::whole(75), 1));
        // The bulk writer's digits are Display's, on every value a sheet can reach and the
        // extremes of the type.
        let extremes = [i64::MIN, i64::MIN + 1, -1, i64::MAX, i64::MAX - 99, 1_000_000_007];
        for h in (-20_000..=20_000).chain(extremes) {
            let mut out = Vec::new();
            Points(h).write_ascii(&mut out);
            assert_eq!(String::from_utf8(out).unwrap(), Points(h).to_string(), "{h}");
        }
        assert_eq!(Points::from_decimal("2.5".parse().unwrap()), Some(Points(250)));
        assert_eq!(Points::from_decimal("2.555".parse().unwrap()), None);
    }
}
