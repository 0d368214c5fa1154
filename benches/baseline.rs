//! A hand-written scorer for one form, 26/2026/QĐ-TTg set 01 (Rau, củ, quả, hạt tươi), with no
//! engine at all: the points, markers and bands typed in from the decision. The benchmarks
//! report the engine's cost as a ratio to this function, measured in the same run; a test
//! checks that both give the same results on random sheets.

/// Option indices per criterion (0 = a, 1 = b, …; `NONE` for none; for 2.4: 0 = no, 1 = yes),
/// in printed order: 1.1–1.7, 2.1–2.4, 3.1–3.5, 4.1–4.3, 5.1–5.3, 6.1–6.4, 7, 8, 9, 10, 11, 12.
pub type Answers = [u8; 32];

/// No printed option met.
pub const NONE: u8 = u8::MAX;

/// Points of each option, per criterion (Phụ lục II, Bộ sản phẩm 01).
const POINTS: [&[u8]; 32] = [
    &[1, 2, 3],       // 1.1
    &[0, 1, 2],       // 1.2
    &[1, 2, 3],       // 1.3
    &[1, 2, 3],       // 1.4
    &[0, 1, 2, 3],    // 1.5
    &[1, 2, 3],       // 1.6
    &[0, 1],          // 1.7
    &[0, 1, 3],       // 2.1
    &[0, 1, 2, 3],    // 2.2
    &[1, 2, 3],       // 2.3
    &[0, 1],          // 2.4 (yes/no)
    &[1, 2, 3],       // 3.1
    &[0, 1],          // 3.2
    &[1, 2, 3],       // 3.3
    &[1, 2],          // 3.4
    &[1, 2, 3],       // 3.5
    &[1, 2, 3, 5],    // 4.1
    &[0, 1, 2, 3],    // 4.2
    &[0, 1, 2, 3, 5], // 4.3
    &[0, 1, 2, 3, 5], // 5.1
    &[0, 1, 2],       // 5.2 (only when a story exists: 5.1 not a)
    &[0, 1, 3, 5],    // 5.3
    &[0, 1, 2],       // 6.1
    &[0, 1, 2, 3, 4], // 6.2
    &[0, 1, 2, 3],    // 6.3
    &[0, 1, 2, 3],    // 6.4
    &[0, 1, 3],       // 7
    &[0, 1, 3, 5],    // 8
    &[2, 4, 5],       // 9
    &[1, 3, 5],       // 10
    &[1, 2],          // 11
    &[1, 2, 3],       // 12
];

/// Star markers as (criterion index, class, points needed).
const MARKERS: [(usize, u8, u8); 22] = [
    (2, 5, 3),  // 1.3 c *****
    (4, 4, 2),  // 1.5 c ****
    (4, 5, 3),  // 1.5 d *****
    (5, 4, 1),  // 1.6 a ****
    (7, 4, 3),  // 2.1 c ****
    (8, 3, 2),  // 2.2 c ***
    (9, 3, 1),  // 2.3 a ***
    (9, 4, 3),  // 2.3 c ****
    (14, 4, 2), // 3.4 b ****
    (15, 3, 1), // 3.5 a ***
    (15, 4, 2), // 3.5 b ****
    (16, 3, 2), // 4.1 b ***
    (16, 4, 3), // 4.1 c ****
    (16, 5, 5), // 4.1 d *****
    (19, 4, 5), // 5.1 e ****
    (21, 3, 1), // 5.3 b ***
    (22, 4, 2), // 6.1 c ****
    (23, 4, 3), // 6.2 d ****
    (27, 4, 3), // 8 c ****
    (28, 3, 2), // 9 a ***
    (29, 3, 1), // 10 a ***
    (29, 4, 3), // 10 b ****
];

/// Part of each criterion: 0 = A (1.1–3.5), 1 = B (4.1–5.3), 2 = C (6.1–12).
const fn part(i: usize) -> usize {
    if i < 16 {
        0
    } else if i < 22 {
        1
    } else {
        2
    }
}

/// Total and part points, band class and final class (no knock-outs: no facts here).
pub fn score(answers: &Answers) -> (u32, [u32; 3], u8, u8) {
    let mut got = [0u8; 32];
    let mut parts = [0u32; 3];
    for i in 0..32 {
        let a = answers[i];
        let mut p = if a == NONE { 0 } else { POINTS[i][a as usize] };
        if i == 20 && (answers[19] == 0 || answers[19] == NONE) {
            p = 0; // 5.2 applies only when there is a story
        }
        got[i] = p;
        parts[part(i)] += u32::from(p);
    }
    let total = parts[0] + parts[1] + parts[2];
    let band = match total {
        0..=29 => 1,
        30..=49 => 2,
        50..=69 => 3,
        70..=89 => 4,
        _ => 5,
    };
    let mut class = band;
    for k in 3..=band {
        if MARKERS.iter().any(|&(i, s, need)| s == k && got[i] < need) {
            class = k - 1;
            break;
        }
    }
    (total, parts, band, class)
}

/// One option key as written in the JSON of an assessment of set 01: a printed option (`a`…),
/// or `none`.
#[derive(Clone, Copy, Debug, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Key {
    A,
    B,
    C,
    D,
    E,
    None,
}

/// The answer to the yes/no criterion 2.4.
#[derive(Clone, Copy, Debug, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum YesNo {
    No,
    Yes,
    None,
}

/// The answers of set 01, one field per criterion (every field required).
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct Answers01 {
    #[serde(rename = "1.1")]
    c1_1: Key,
    #[serde(rename = "1.2")]
    c1_2: Key,
    #[serde(rename = "1.3")]
    c1_3: Key,
    #[serde(rename = "1.4")]
    c1_4: Key,
    #[serde(rename = "1.5")]
    c1_5: Key,
    #[serde(rename = "1.6")]
    c1_6: Key,
    #[serde(rename = "1.7")]
    c1_7: Key,
    #[serde(rename = "2.1")]
    c2_1: Key,
    #[serde(rename = "2.2")]
    c2_2: Key,
    #[serde(rename = "2.3")]
    c2_3: Key,
    #[serde(rename = "2.4")]
    c2_4: YesNo,
    #[serde(rename = "3.1")]
    c3_1: Key,
    #[serde(rename = "3.2")]
    c3_2: Key,
    #[serde(rename = "3.3")]
    c3_3: Key,
    #[serde(rename = "3.4")]
    c3_4: Key,
    #[serde(rename = "3.5")]
    c3_5: Key,
    #[serde(rename = "4.1")]
    c4_1: Key,
    #[serde(rename = "4.2")]
    c4_2: Key,
    #[serde(rename = "4.3")]
    c4_3: Key,
    #[serde(rename = "5.1")]
    c5_1: Key,
    #[serde(rename = "5.2")]
    c5_2: Key,
    #[serde(rename = "5.3")]
    c5_3: Key,
    #[serde(rename = "6.1")]
    c6_1: Key,
    #[serde(rename = "6.2")]
    c6_2: Key,
    #[serde(rename = "6.3")]
    c6_3: Key,
    #[serde(rename = "6.4")]
    c6_4: Key,
    #[serde(rename = "7")]
    c7: Key,
    #[serde(rename = "8")]
    c8: Key,
    #[serde(rename = "9")]
    c9: Key,
    #[serde(rename = "10")]
    c10: Key,
    #[serde(rename = "11")]
    c11: Key,
    #[serde(rename = "12")]
    c12: Key,
}

/// A one-sheet assessment of set 01 as JSON: `{"decision": "26-2026", "set": "01", "answers":
/// {…}}`, the texts borrowed from the input.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assessment01<'a> {
    /// The decision, as written.
    #[serde(borrow)]
    pub decision: &'a str,
    /// The set, as written.
    #[serde(borrow)]
    pub set: &'a str,
    /// The answers.
    pub answers: Answers01,
}

impl Key {
    fn index(self) -> u8 {
        match self {
            Key::A => 0,
            Key::B => 1,
            Key::C => 2,
            Key::D => 3,
            Key::E => 4,
            Key::None => NONE,
        }
    }
}

impl Answers01 {
    /// As baseline answers (option indices), `None` when a key is not an option of its
    /// criterion (e.g. `e` for a three-option criterion).
    pub fn to_answers(&self) -> Option<Answers> {
        let keys = [
            self.c1_1, self.c1_2, self.c1_3, self.c1_4, self.c1_5, self.c1_6, self.c1_7, self.c2_1,
            self.c2_2, self.c2_3,
        ];
        let rest = [
            self.c3_1, self.c3_2, self.c3_3, self.c3_4, self.c3_5, self.c4_1, self.c4_2, self.c4_3,
            self.c5_1, self.c5_2, self.c5_3, self.c6_1, self.c6_2, self.c6_3, self.c6_4, self.c7, self.c8,
            self.c9, self.c10, self.c11, self.c12,
        ];
        let mut out = [NONE; 32];
        for (i, k) in keys.iter().enumerate() {
            out[i] = k.index();
        }
        out[10] = match self.c2_4 {
            YesNo::No => 0,
            YesNo::Yes => 1,
            YesNo::None => NONE,
        };
        for (i, k) in rest.iter().enumerate() {
            out[11 + i] = k.index();
        }
        for (i, &a) in out.iter().enumerate() {
            if a != NONE && usize::from(a) >= POINTS[i].len() {
                return None;
            }
        }
        Some(out)
    }
}

/// JSON text to result by hand: parse with the derived struct, check the form, score.
pub fn score_json(json: &[u8]) -> Result<(u32, [u32; 3], u8, u8), String> {
    let a: Assessment01<'_> = serde_json::from_slice(json).map_err(|e| e.to_string())?;
    if a.decision != "26-2026" || a.set != "01" {
        return Err(format!("not set 01 of 26-2026: {} {}", a.decision, a.set));
    }
    let answers = a.answers.to_answers().ok_or("an option that the criterion does not have")?;
    Ok(score(&answers))
}
