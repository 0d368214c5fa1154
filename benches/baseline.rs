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
