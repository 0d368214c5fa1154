#!/usr/bin/env python3
"""Convert the 1048/QĐ-TTg (2019, amended by 781/QĐ-TTg 2020) forms into the rule DSL.

    python3 tools/convert_1048.py            # writes rules/1048-2019/*.yaml (27 forms)
    python3 tools/convert_1048.py --check    # exits 1 if a written file would change

Inputs
  /work/shared/reference/1048-781/NN-*.yaml            reference transcriptions (26 forms)
  /work/shared/reference/1048-781/source/qd-1048-2019-QD-TTg.txt   text of the decision ("D")
  tools/names_en_1048.yaml                              Vietnamese title -> short English name

Outputs (docs/rule-dsl.md)
  rules/1048-2019/<same file name as the reference>.yaml   26 forms
  rules/1048-2019/26-dich-vu-du-lich-truyen-thong-le-hoi.yaml
      the original 1048 tourism form (2019-08-21 .. 2020-06-07), which exists only in D; it is
      transcribed by hand in ORIGINAL_TOURISM below (structure and points typed by hand, every
      Vietnamese text read from the cited line of D).

How a form is built (sets 01-25)
  * Structure, option keys and points come from the reference file; sets 10 and 16 there were
    already corrected from D (NOTES-1048-crosscheck §3).
  * Every Vietnamese text (criterion and section titles, option texts, descriptions, notes) is
    read from D, at the line that the script locates by the criterion's number: "the text wins".
    The only exceptions are the mis-encoded places of the Word extraction (TEXT_ARTIFACTS); there
    the reference text is kept and a note says so. Each criterion's `source` cites its line.
  * Gate and knock-out notes are typed from the hand tables GATES and HEADER_KNOCKOUTS, which
    name the line of D that prints them; every gate-like line of D must be claimed by a table
    entry, else the script stops.
  * Printed inconsistencies are applied from ANOMALIES (never silently).
  * 781 minimums (Mục 6, Phụ lục II) from MINIMUMS, only the rows that map without doubt.
  Set 26 (the 781 tourism form) exists only in the reference copy S1; it is converted as is.

Re-running reproduces the files exactly; never edit the output by hand.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from pathlib import Path

import yaml

TOOLS = Path(__file__).resolve().parent
REPO = TOOLS.parent
REF = Path("/work/shared/reference/1048-781")
SRC = REF / "source" / "qd-1048-2019-QD-TTg.txt"
OUT = REPO / "rules" / "1048-2019"
NAMES = TOOLS / "names_en_1048.yaml"

DECISION = "1048-2019"
PART_MAX = {"A": 35, "B": 25, "C": 40}
PART_TITLES = {  # D: "Phần A: SẢN PHẨM VÀ SỨC MẠNH CỦA CỘNG ĐỒNG (35 Điểm)" etc. in every form 01-25
    "A": "SẢN PHẨM VÀ SỨC MẠNH CỦA CỘNG ĐỒNG",
    "B": "KHẢ NĂNG TIẾP THỊ",
    "C": "CHẤT LƯỢNG SẢN PHẨM",
}
SRC_NAME = "1048/QĐ-TTg, Phụ lục III"
M781 = "781/QĐ-TTg, Mục 6, Phụ lục II (bổ sung vào 1048/QĐ-TTg; nguyên văn theo bản tóm tắt của Cổng thông tin tỉnh Yên Bái, NOTES-1048-crosscheck §8)"


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def squash(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


def caps(s: str) -> str:
    """Headings set in capitals: the Word file keeps a few letters lower-case under its all-caps
    formatting («Tổ CHỨC», «SẢN PHẩM»); they print as capitals."""
    letters = [c for c in s if c.isalpha()]
    if letters and sum(c.isupper() for c in letters) >= 0.7 * len(letters):
        return s.upper()
    return s


def norm(s: str) -> str:
    """Loose comparison key: case, whitespace and punctuation ignored."""
    s = nfc(s).replace("…", "...").lower()
    return re.sub(r"[^\w<>≥≤%/]", "", s)


# ============================================================================================
# The decision text (D)
# ============================================================================================


class Source:
    def __init__(self, path: Path):
        self.lines = [""] + [nfc(l.rstrip("\n")) for l in path.open(encoding="utf-8")]
        self.starts = {}
        for i in range(1001, len(self.lines)):
            m = re.match(r"^(\d+)\. Bộ sản phẩm", self.lines[i])
            if m:
                self.starts[int(m.group(1))] = i

    def range(self, n: int) -> tuple[int, int]:
        return self.starts[n], self.starts.get(n + 1, len(self.lines)) - 1

    def __getitem__(self, i: int) -> str:
        return self.lines[i]

    @staticmethod
    def cell(text: str) -> str:
        """A table cell's text without the leading '|', '□' and a trailing '| N Điểm' cell."""
        t = text.strip()
        t = re.sub(r"^\|\s*", "", t)
        t = re.sub(r"^□\s*", "", t)
        t = re.sub(r"\s*\|\s*\d+(?:[.,]\d+)?\s*[ĐđD][iỉ]ểm\s*$", "", t)
        return squash(t)

    def find(self, pattern: str, start: int, end: int) -> int | None:
        rx = re.compile(pattern)
        for i in range(start, end + 1):
            if rx.search(self.lines[i]):
                return i
        return None


def id_pattern(num: str) -> str:
    return r"^[\s|]*" + re.escape(num) + r"\.?\s+(?![0-9]*\s*[Đđ]iểm)"


POINTS_ONLY = re.compile(r"^\s*\|?\s*\d+\s*[ĐđD][iỉ]ểm\s*$")
STRUCTURAL = re.compile(r"^\s*\|?\s*(Tổng [Đđ]iểm|Phần [ABC]|Kết quả|KHẢ NĂNG TIẾP THỊ|CHẤT LƯỢNG SẢN PHẨM \()")

# ============================================================================================
# Hand tables
# ============================================================================================

# Places where D's text layer is mis-encoded (legacy-font conversion: ư->ý, ơ->õ, À->AÌ …): the
# reference text is kept. Key: (set, criterion id, option key or "title"/"description").
TEXT_ARTIFACTS = {
    (4, "§4", "title"): "D line {line} prints «{d}» (mis-encoded «THỊ», as in «THEO trường» for «thị trường» in set 05)",
    (4, "§11", "title"): "D line {line} prints «{d}» (mis-encoded «TOÀN»)",
    (4, "11", "title"): "D line {line} prints «{d}» (mis-encoded «TOÀN»)",
    (5, "§8", "title"): "D line {line} prints «{d}» (mis-encoded «BỐ»)",
    (7, "§8", "title"): "D line {line} prints «{d}» (mis-encoded «BỐ»)",
    (9, "§8", "title"): "D line {line} prints «{d}» (mis-encoded «BỐ»)",
    (11, "§8", "title"): "D line {line} prints «{d}» (mis-encoded «BỐ»)",
    (11, "§2", "title"): "D line {line} prints «{d}» (mis-encoded «TRIỂN»)",
    (5, "10", "c"): "D line {line} prints «{d}» (mis-encoded «thị trường», «Mỹ, Nhật»)",
    (11, "1.3", "description"): "D line {line} prints «{d}» (mis-encoded «Khả năng»)",
    (11, "3.2", "description"): "D line {line} prints «{d}» (mis-encoded «Lựa chọn»)",
    (13, "6.3", "a"): "D line {line} prints «{d}» (ơ mis-encoded as õ)",
    (14, "6.2.1", "a"): "D line {line} prints «{d}» (ơ mis-encoded as õ)",
}

# Form names as printed on each form's title line of D, except where mis-encoded.
FORM_NAME_ARTIFACTS = {
    15: ("Rượu trắng", "the form's title line {line} prints «Rýợu trắng» (mis-encoded); the table of contents (line 1019) prints «Rượu trắng»"),
}

# Facts outside the form. id -> (name_en). Their text_vi is the verbatim clause that uses them.
FACT_NAMES = {
    "no_food_safety_certificate": "No food-safety certificate (or equivalent)",
    "no_food_safety_test_report": "No food-safety test report",
    "entry_dossier_noncompliant": "Dossier does not meet the round's rules",
    "no_production_certificate": "No production-eligibility certificate",
    "no_cosmetics_production_certificate": "No cosmetics production-eligibility certificate",
    "no_drug_registration_or_declaration_receipt": "No drug registration number or product-declaration receipt",
    "all_imported_or_unknown_origin_materials": "All raw materials imported or of unknown origin",
    "unacceptable_impurities": "Unacceptable (food-safety risk) impurities found",
    "food_safety_certificate_noncompliant": "Food-safety certificate not in order",
    "production_certificate_noncompliant": "Production-eligibility certificate not in order",
    "no_cosmetic_notification_receipt": "No cosmetic product notification receipt",
    "no_standard_declaration_receipt": "No receipt for the declared applicable standard",
    "no_standard_declaration_dossier": "No product-standard declaration dossier",
    "ip_infringement": "Product infringes intellectual property",
}

# "Bị loại khi: …" under each form's header. The first clause (Giả mạo hồ sơ) is the decision's
# knock-out falsified_dossier; each other clause is a fact of the form. (fact, clause as printed)
FOOD_HEADER = [
    ("no_food_safety_certificate", r"không có giấy chứng nhận đủ điều kiện (?:an toàn thực phẩm \(ATTP\) hoặc tương đương|ATTP \(hoặc tương đương\))"),
    ("no_food_safety_test_report", r"không có phiếu kiểm nghiệm các chỉ tiêu ATTP"),
    ("entry_dossier_noncompliant", r"không đáp ứng quy định hồ sơ dự thi \(theo quy định cụ thể tại m(?:ỗi|ọi) cuộc thi\)"),
]
DOSSIER = ("entry_dossier_noncompliant", r"không đáp ứng quy định hồ sơ dự thi \(theo quy định cụ thể tại mỗi cuộc thi\)")
PROD_CERT = ("no_production_certificate", r"không có giấy chứng nhận đủ điều kiện sản xuất(?= hoặc)")
HEADER_KNOCKOUTS = {n: FOOD_HEADER for n in range(1, 19)}
HEADER_KNOCKOUTS.update({
    19: [PROD_CERT,
         ("no_drug_registration_or_declaration_receipt", r"không có số đăng ký thuốc/giấy tiếp nhận đăng ký bản công bố sản phẩm"),
         DOSSIER],
    20: [("no_cosmetics_production_certificate", r"không có giấy chứng nhận đủ điều kiện sản xuất mỹ phẩm"), DOSSIER],
    21: [PROD_CERT, DOSSIER], 22: [PROD_CERT, DOSSIER], 23: [PROD_CERT, DOSSIER], 24: [PROD_CERT, DOSSIER],
    25: [DOSSIER],
})

# Gates and knock-outs printed as notes. One entry per printed note; `line` is D's line.
#   kind: story (applies_if on 5.1 != a) | stop (stops_section) | knockout | part_stop (applies_if
#   on every later criterion of the part: the note heads part C)
#   when: a DSL condition; fact: the fact the condition uses (declared in the form's facts)
# `none` on 5.1 (no printed option met) does not establish a story either.
STORY = {"answer": "5.1", "not_in": ["a", "none"]}


def fact(f):
    return {"fact": f}


def zero(*ids):
    """'0 điểm' at any of these criteria: their 0-point option a, or no option met."""
    conds = [{"answer": i, "in": ["a", "none"]} for i in ids]
    return conds[0] if len(conds) == 1 else {"any": conds}


IMPORTED = ("1.1", "knockout", fact("all_imported_or_unknown_origin_materials"))
GATES = {
    1: [(1047, *IMPORTED), (1142, "5.2", "story", STORY), (1148, "5.3", "story", STORY),
        (1211, "10", "stop", fact("food_safety_certificate_noncompliant"))],
    2: [(1253, *IMPORTED), (1284, "2.1", "knockout", {"answer": "2.1", "in": ["a"]}),
        (1349, "5.2", "story", STORY), (1355, "5.3", "story", STORY),
        (1367, "6.1", "stop", fact("unacceptable_impurities")),
        (1413, "10", "stop", fact("food_safety_certificate_noncompliant"))],
    3: [(1456, *IMPORTED), (1550, "5.2", "story", STORY), (1556, "5.3", "story", STORY),
        (1569, "6.1", "stop", fact("unacceptable_impurities")),
        (1622, "10", "stop", fact("food_safety_certificate_noncompliant"))],
    4: [(1668, *IMPORTED), (1821, "5.2", "story", STORY), (1827, "5.3", "story", STORY),
        (1848, "6.1", "stop", fact("unacceptable_impurities")),
        (1936, "10", "stop", fact("food_safety_certificate_noncompliant"))],
    5: [(1993, *IMPORTED), (2143, "5.2", "story", STORY), (2149, "5.3", "story", STORY),
        (2167, "6.1", "stop", fact("unacceptable_impurities")),
        (2259, "9", "stop", fact("food_safety_certificate_noncompliant"))],
    6: [(2312, *IMPORTED), (2465, "5.2", "story", STORY), (2472, "5.3", "story", STORY),
        (2493, "6.1", "stop", {"answer": "6.1", "in": ["a"]}),
        (2584, "9", "stop", fact("food_safety_certificate_noncompliant"))],
    7: [(2637, *IMPORTED), (2788, "5.2", "story", STORY), (2795, "5.3", "story", STORY),
        (2812, "6.1", "stop", zero("6.1")),
        (2903, "9", "stop", fact("food_safety_certificate_noncompliant"))],
    8: [(2956, *IMPORTED), (3109, "5.2", "story", STORY), (3116, "5.3", "story", STORY),
        (3132, "6.1", "stop", fact("unacceptable_impurities")),
        (3220, "9", "stop", fact("food_safety_certificate_noncompliant"))],
    9: [(3279, *IMPORTED), (3432, "5.2", "story", STORY), (3439, "5.3", "story", STORY),
        (3460, "6.1", "stop", {"answer": "6.1", "in": ["a"]}),
        (3551, "9", "stop", fact("food_safety_certificate_noncompliant"))],
    10: [(3604, *IMPORTED), (3757, "5.2", "story", STORY), (3764, "5.3", "story", STORY),
         (3783, "6.1", "stop", fact("unacceptable_impurities")),
         (3874, "9", "stop", fact("food_safety_certificate_noncompliant"))],
    11: [(3927, *IMPORTED), (4076, "5.2", "story", STORY), (4083, "5.3", "story", STORY),
         (4102, "6.1", "stop", fact("unacceptable_impurities")),
         (4186, "9", "stop", fact("food_safety_certificate_noncompliant"))],
    12: [(4244, *IMPORTED), (4339, "5.2", "story", STORY), (4345, "5.3", "story", STORY),
         (4359, "6.1.1", "stop", fact("unacceptable_impurities")),
         (4410, "9", "stop", fact("food_safety_certificate_noncompliant"))],
    13: [(4457, *IMPORTED), (4552, "5.2", "story", STORY), (4558, "5.3", "story", STORY),
         (4571, "6.1", "stop", fact("unacceptable_impurities")),
         (4622, "9", "stop", fact("food_safety_certificate_noncompliant"))],
    14: [(4669, *IMPORTED), (4764, "5.2", "story", STORY), (4770, "5.3", "story", STORY),
         (4784, "6.1.1", "stop", fact("unacceptable_impurities")),
         (4841, "9", "stop", fact("food_safety_certificate_noncompliant"))],
    15: [(4887, *IMPORTED), (4980, "5.2", "story", STORY), (4986, "5.3", "story", STORY),
         (4998, "6.1", "stop", {"answer": "6.1", "in": ["a"]}),
         (5040, "9", "stop", fact("food_safety_certificate_noncompliant"))],
    16: [(5087, *IMPORTED), (5181, "5.2", "story", STORY), (5187, "5.3", "story", STORY),
         (5200, "6.1", "stop", {"answer": "6.1", "in": ["a"]}),
         (5243, "9", "stop", fact("food_safety_certificate_noncompliant"))],
    17: [(5290, *IMPORTED), (5384, "5.2", "story", STORY), (5390, "5.3", "story", STORY),
         (5414, "6.4", "stop", zero("6.1", "6.2", "6.3", "6.4")),
         (5440, "9", "stop", fact("food_safety_certificate_noncompliant"))],
    18: [(5487, *IMPORTED), (5581, "5.2", "story", STORY), (5587, "5.3", "story", STORY),
         (5600, "6.1", "stop", fact("unacceptable_impurities")),
         (5640, "9", "stop", fact("food_safety_certificate_noncompliant"))],
    19: [(5687, *IMPORTED), (5781, "5.2", "story", STORY), (5787, "5.3", "story", STORY),
         (5794, "6", "part_stop", {"not": fact("no_drug_registration_or_declaration_receipt")}),
         (5836, "12", "stop", fact("no_production_certificate"))],
    20: [(5873, *IMPORTED), (5966, "5.2", "story", STORY), (5972, "5.3", "story", STORY),
         (5984, "6", "stop", fact("no_cosmetic_notification_receipt")),
         (6026, "12", "stop", fact("production_certificate_noncompliant"))],
    21: [(6064, *IMPORTED), (6156, "5.2", "story", STORY), (6162, "5.3", "story", STORY),
         (6172, "6", "stop", fact("no_standard_declaration_receipt")),
         (6206, "12", "stop", fact("no_production_certificate"))],
    22: [(6242, *IMPORTED), (6335, "5.2", "story", STORY), (6341, "5.3", "story", STORY),
         (6351, "6", "stop", fact("no_standard_declaration_dossier")),
         (6386, "12", "stop", fact("no_production_certificate"))],
    23: [(6422, *IMPORTED), (6515, "5.2", "story", STORY), (6521, "5.3", "story", STORY),
         (6537, "6.2", "knockout", fact("ip_infringement"))],
    24: [(6599, *IMPORTED), (6691, "5.2", "story", STORY), (6697, "5.3", "story", STORY),
         (6713, "6.2", "knockout", fact("ip_infringement"))],
    25: [(6781, *IMPORTED), (6873, "5.2", "story", STORY), (6879, "5.3", "story", STORY),
         (6898, "6.2", "knockout", fact("ip_infringement"))],
}
GATE_WORDS = re.compile(r"Bị loại|bị loại|Chỉ áp dụng|không đánh giá|Không đánh giá|Không xem xét|không xem xét")

KNOCKOUT_IDS = {  # knock-out id per gate criterion/kind (fact-based ones use the fact id)
    ("2.1", "knockout"): ("identical_to_other_producers_product",
                          "Identical to another producer's product, only renamed"),
}

# Why a condition reads an answer, or a fact (form notes).
CONDITION_NOTES = {
    2: ["Knock-out under 2.1 («Bị loại nếu phát hiện giống hệt sản phẩm của nhà sản xuất khác, chỉ thay đổi tên sản phẩm, nhà sản xuất», line 1284) is typed on the answer 2.1 = a («…chỉ thay đổi nhãn hiệu»): that option describes the same product (another producer's product under a new name). An interpretation."],
    6: ["Stop under 6.1 (line 2493, hazardous impurities) is typed on 6.1 = a «Có tạp chất, không nhận được» (sic, for «không chấp nhận được»), the only option describing unacceptable impurities."],
    7: ["Stop under 6.1 «Nếu bị 0 Điểm» (line 2812) is typed on 6.1 = a (0 points) or no option met (none, 0 points)."],
    9: ["Stop under 6.1 (line 3460, hazardous impurities) is typed on 6.1 = a «Có tạp chất, không nhận được» (sic), the only option describing unacceptable impurities."],
    15: ["Stop under 6.1 (line 4998, impurities with a food-safety risk) is typed on 6.1 = a «Có tạp chất» (0 points), the option set against «Có rất ít tạp chất/có cặn, chấp nhận được»: read as unacceptable impurities."],
    16: ["Stop under 6.1 (line 5200, impurities with a food-safety risk) is typed on 6.1 = a «Có tạp chất, không nhận được» (sic), the only option describing unacceptable impurities."],
    17: ["Stop «Nếu được 0 điểm tại một trong các chỉ tiêu trên» (line 5414, printed after 6.4) is typed on 6.1–6.4 = a (their 0-point options) or none. 6.4 is the last criterion of section 6, so the stop has no scoring effect as read here (a stop ends its section, as DOMAIN.md reads it); kept for the trace."],
    19: ["The note heading part C «không đánh giá các bước tiếp theo nếu không có số đăng ký thuốc/giấy tiếp nhận đăng ký bản công bố sản phẩm (hoặc tương đương)» (line 5794) is typed as applies_if on every criterion of part C. The same missing document is also a header knock-out, so the product is unclassified anyway; the gate only zeroes part C in the trace."],
}

# Printed anomalies and the values applied. (set, criterion, option or None) -> dict with
# `anomaly` entries and optional overrides of the reference values.
ANOMALIES = {
    (4, "9.1", None): {"max": 2, "anomaly": {
        "field": "max", "printed": "3", "applied": 2,
        "reason": "D prints 3 điểm as the maximum of 9.1 (line {line}; in the text layer this table's points column is printed apart from its rows, the cell «3 điểm» at line 1914, the options 0/1/2 at lines 1915–1917; NOTES-1048-crosscheck §4), but the options are 0, 1, 2; with 3 part C would add up to 41, not the 40 printed in its heading and in Điều 1. The highest option, 2, is applied (as in the reference copy)."}},
    (13, "6.3", None): {"max": 3, "anomaly": {
        "field": "max", "printed": "2", "applied": 3,
        "reason": "D line {line} prints 2 Điểm, but the options are 0, 1, 2, 3; with 2 part C would add up to 39, not 40. The highest option, 3, is applied (as in the reference copy)."}},
    (17, "6.1", None): {"max": 3, "anomaly": {
        "field": "max", "printed": "5", "applied": 3,
        "reason": "D line {line} prints 5 Điểm, but the options are 0 and 3; with 5 part C would add up to 42, not 40. The highest option, 3, is applied (as in the reference copy)."}},
    (25, "6.5", None): {"max": 5, "anomaly": {
        "field": "max", "printed": "3", "applied": 5,
        "reason": "D line {line} prints 3 Điểm, but the options are 0, 1, 3, 5; with 3 part C would add up to 38, not 40. The highest option, 5, is applied (as in the reference copy)."}},
    (19, "10", None): {"max": 5, "anomaly": {
        "field": "max", "printed": "5 (highest option printed: 3)", "applied": 5,
        "reason": "D prints 10. KIỂM TRA ĐỊNH KỲ (line {line}) with 5 Điểm (line 5819) and options 0, 1, 3 (lines 5820–5822). Part C adds up to the 40 of its heading and of Điều 1 only with 5, and every other section of the form is consistent, so the maximum 5 is kept and the top option is read as worth it (see option c). The reference copy (S1) took 3, leaving part C at 38."}},
    (19, "10", "c"): {"points": 5, "anomaly": {
        "field": "points", "printed": "3", "applied": 5,
        "reason": "«Có, đạt đầy đủ» is the best answer of a criterion printed with 5 Điểm; with 3 no product could reach the part C total of 40 (Điều 1). 5 is applied; an interpretation (the alternative reading caps the criterion at 3 and part C at 38)."}},
    (6, "6.2", "c"): {"anomaly": {
        "field": "points", "printed": "3", "applied": 3,
        "reason": "D prints «Tương đối đồng đều» (line {line}) with 3 Điểm, the same as the better option d «Đồng đều» (points column of 6.2 at lines 2520–2524: 3 | 0, 1, 3, 3). Probably meant 2 (one later database typed 2), but 3 breaks no rule of the form (it does not exceed the maximum 3) and both the decision and the reference copy print 3; kept as printed."}},
    (7, "3.1", None): {"anomaly": {
        "field": "options", "printed": "2 options (1 Điểm, 2 Điểm) under a 3 Điểm heading",
        "applied": "option c (3 points) from the reference copy",
        "reason": "D (lines {line}ff.) omits the option «HTX … ≥ 51%» that every other form prints under this criterion; without it the printed maximum 3 is unreachable and part A cannot reach 35. The reference copy's third option is kept; its text is not in D."}},
    (10, "7", None): {"anomaly": {
        "field": "max", "printed": "5", "applied": 5,
        "reason": "Corrected from the decision text: D prints 7. TÍNH ĐỘC ĐÁO (line {line}) with 5 Điểm (line 3835) and options 0/1/3/5 (lines 3840–3843; the points column is printed apart from the rows). The reference copy S1 had 3 (0/1/2/3), which left part C at 38 (NOTES-1048-crosscheck §3); the reference file was corrected from D."}},
    (16, "6.2", None): {"anomaly": {
        "field": "options", "printed": "Màu tổng hợp 0 / Tương đối phù hợp… 1 / Phù hợp… 2 / Rất phù hợp… 3 (max 3)", "applied": "as printed",
        "reason": "Corrected from the decision text (D line {line}): the reference copy S1 had pasted the Màu sắc criterion of set 18 here (NOTES-1048-crosscheck §3)."}},
    (16, "6.3", None): {"anomaly": {
        "field": "options", "printed": "0 / 1 / 2 / 4 / 6 (max 6)", "applied": "as printed",
        "reason": "Corrected from the decision text (D line {line}): the reference copy S1 had pasted the Mùi criterion of set 18 here (0/2/4/6) (NOTES-1048-crosscheck §3)."}},
    (16, "6.5", None): {"anomaly": {
        "field": "options", "printed": "0 / 1 / 3 / 5 / 8 (max 8)", "applied": "as printed",
        "reason": "Corrected from the decision text (D line {line}): the reference copy S1 had pasted the Vị criterion of set 18 here (0/2/4/6) (NOTES-1048-crosscheck §3)."}},
    (16, "7", "b"): {"anomaly": {
        "field": "points", "printed": "2", "applied": 2,
        "reason": "Corrected from the decision text (D line {line}): the reference copy S1 had 1 for «Tương đối độc đáo»; with D's values part C adds up to 40 (NOTES-1048-crosscheck §3)."}},
    (3, "8", None): {"anomaly": {
        "field": "title", "printed": "CÔNG BỐ CHẤT LƯỢNG SẢN PHẨM", "applied": "kept verbatim; scored as uniqueness (TÍNH ĐỘC ĐÁO)",
        "reason": "D line {line} heads section 8 «CÔNG BỐ CHẤT LƯỢNG SẢN PHẨM», but its description and options are those of TÍNH ĐỘC ĐÁO in every other food form; section 9 is the real quality declaration. A copy slip in the heading; points are unaffected."}},
    (3, "3.2", "b"): {"anomaly": {
        "field": "text", "printed": "(Ban giám đốc, HĐQT, 2 Điểm HĐTV)", "applied": "kept verbatim",
        "reason": "D line {line} has a stray «2 Điểm» inside the sentence (the points cell run into the text); the option is worth 2 points."}},
}
# Ids that cannot be the printed number (the map needs unique keys).
RENAMED_IDS = {
    (14, "6.1.3#2"): ("6.1.3b", {
        "field": "heading", "printed": "6.1.3. Mùi", "applied": "id 6.1.3b",
        "reason": "D (line {line}) numbers two criteria 6.1.3 (Màu sắc, then Mùi). Ids must be unique, so the second is keyed 6.1.3b; its printed number is 6.1.3."}),
}
# Group rows printed in D above nested criteria (sets 12 and 14): parent number -> D title.
GROUPS = {12: ["6.1", "6.2"], 14: ["6.1", "6.2"]}

# 781 Mục 6 minimums that map to a criterion without doubt (see the report and decision notes).
Q3 = "Hồ sơ công bố chất lượng sản phẩm có công bố tiêu chuẩn sản phẩm theo quy định"
MINIMUMS = {
    **{n: [(3, "9.1", "c", Q3)] for n in (1, 2, 3, 4)},
    **{n: [(3, "8.1", "d", Q3)] for n in range(5, 19)},
    20: [(3, "6", "b", Q3)],
    21: [(3, "6", "a", Q3)],
    22: [(3, "6", "a", Q3)],
    23: [(3, "6.1", "c", "Mức độ tinh xảo/sắc nét: Nhóm 5: Có giá trị mỹ thuật, kỹ thuật"), (3, "7", "c", Q3)],
    24: [(3, "6.1", "c", "Mức độ tinh xảo/sắc nét: Nhóm 5: Có giá trị mỹ thuật, kỹ thuật"), (3, "7", "c", Q3)],
}
MINIMUM_NOTES = {
    "9.1": "Minimum (781 Mục 6, 3★): «{t}» is read as option c «Có Tiêu chuẩn sản phẩm, có Bản công bố tiêu chuẩn/chất lượng», the lowest option with a published declaration.",
    "8.1": "Minimum (781 Mục 6, 3★): «{t}» is read as option d «Có bản tự công bố (hoặc tương đương), có tiêu chuẩn sản phẩm», the only option with a complete self-declaration (b is «…nhưng thiếu», c has a standard but no declaration).",
    "6": "Minimum (781 Mục 6, 3★): «{t}» is read as the lowest option of criterion 6 that has a declaration dossier of the product standard.",
    "7": "Minimum (781 Mục 6, 3★): «{t}» is read as option c «Có hồ sơ công bố sản phẩm đầy đủ theo quy định».",
    "6.1": "Minimum (781 Mục 6, 3★, nhóm 5): «{t}» is read as option c, the lowest option that prints «có giá trị mỹ thuật, kỹ thuật».",
}
UNMAPPED_MINIMUMS = [
    "781 Mục 6 rows not typed (no option maps without doubt): 3★ «Bảo đảm chất lượng sản phẩm: Nhóm 1, 2, 3 và 4: Có kế hoạch kiểm soát nội bộ gắn với truy suất nguồn gốc theo quy định của pháp luật» (no option of ĐẢM BẢO CHẤT LƯỢNG mentions traceability); 4★ «Tính độc đáo: Nhóm 1, 2, 3 và 4: Chất lượng sản phẩm độc đáo, mang tính đặc…» (the row is cut off in the only copy). Every part-A and part-B row and every 5★ row are unknown.",
]
FORM_UNMAPPED = {
    19: "781 Mục 6, 3★ «" + Q3 + "»: this form has no quality-declaration criterion (part C: nguyên liệu, cảm quan, tiện lợi, hiệu quả, kiểm tra định kỳ, độc đáo, đảm bảo chất lượng, cơ hội thị trường); not typed.",
    23: "781 Mục 6, 2★ «Hồ sơ công bố chất lượng sản phẩm nhóm 4 và 5, có bản mô tả về tiêu chuẩn chất lượng sản phẩm»: no option of 7 speaks of a description of the quality standard (b is «Có hồ sơ công bố nhưng thiếu»); not typed.",
    24: "781 Mục 6, 2★ «Hồ sơ công bố chất lượng sản phẩm nhóm 4 và 5, có bản mô tả về tiêu chuẩn chất lượng sản phẩm»: no option of 7 speaks of a description of the quality standard (b is «Có hồ sơ công bố nhưng thiếu»); not typed.",
    25: "781 Mục 6, 2★ «…nhóm 4 và 5, có bản mô tả về tiêu chuẩn chất lượng sản phẩm» and 3★ «" + Q3 + "»: this form has no quality-declaration criterion; not typed.",
}

EXTRA_NOTES = {
    3: ["Criterion 10 (ĐẢM BẢO CHẤT LƯỢNG SẢN PHẨM) has options worth 0, 1, 2, 3, 5 (no 4-point option, no export-certificate option as in set 01); as printed.",
        "Case 2 of 3.2 is printed «b Trường hợp 2» (no dot); the case titles here omit the «a.»/«b» labels."],
    15: ["Section 6 is numbered 6.1, 6.2, 6.3, 6.5 (no 6.4) in D and in the reference copy; the printed numbers are kept."],
    16: ["Section 6 is numbered 6.1, 6.2, 6.3, 6.5 (no 6.4) in D and in the reference copy; the printed numbers are kept."],
    19: ["The reference copy marks this form «completeness: partial» because of criterion 10; see its anomalies."],
}


# ============================================================================================
# YAML output
# ============================================================================================


class Flow(dict):
    """A mapping written in flow style."""


def q(s) -> str:
    return json.dumps(str(s), ensure_ascii=False)


def key(k) -> str:
    k = str(k)
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", k) and k not in ("yes", "no", "null", "true", "false", "on", "off", "y", "n"):
        return k
    return q(k)


def scalar(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    if v is None:
        return "null"
    if isinstance(v, str) and re.fullmatch(r"[a-z][a-z0-9_]*", v) and v not in (
            "yes", "no", "y", "n", "on", "off", "true", "false", "null"):
        return v
    if isinstance(v, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
        return v
    if isinstance(v, str) and re.fullmatch(r"[0-9]+-[0-9]+", v):
        return v
    return q(v)


def flow(v) -> str:
    if isinstance(v, dict):
        return "{" + ", ".join(f"{key(k)}: {flow(x)}" for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ", ".join(flow(x) for x in v) + "]"
    return scalar(v)


def emit(v, indent=0, out=None) -> list[str]:
    out = [] if out is None else out
    pad = "  " * indent
    if isinstance(v, dict):
        for k, x in v.items():
            if isinstance(x, Flow):
                out.append(f"{pad}{key(k)}: {flow(x)}")
            elif isinstance(x, dict):
                if not x:
                    out.append(f"{pad}{key(k)}: {{}}")
                else:
                    out.append(f"{pad}{key(k)}:")
                    emit(x, indent + 1, out)
            elif isinstance(x, list):
                if not x:
                    out.append(f"{pad}{key(k)}: []")
                elif all(not isinstance(i, (dict, list)) for i in x) and k not in ("notes", "notes_vi"):
                    out.append(f"{pad}{key(k)}: {flow(x)}")
                else:
                    out.append(f"{pad}{key(k)}:")
                    for i in x:
                        if isinstance(i, Flow):
                            out.append(f"{pad}  - {flow(i)}")
                        elif isinstance(i, dict):
                            sub = emit(i, indent + 2)
                            out.append(f"{pad}  - " + sub[0].lstrip())
                            out.extend(sub[1:])
                        else:
                            out.append(f"{pad}  - {scalar(i) if not isinstance(i, str) else q(i)}")
            else:
                out.append(f"{pad}{key(k)}: {scalar(x)}")
    return out


# ============================================================================================
# Names
# ============================================================================================


class Names:
    def __init__(self, path: Path):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        self.forms = {nfc(k): v for k, v in data["forms"].items()}
        self.titles = {nfc(k): v for k, v in data["titles"].items()}
        self.overrides = {k: v for k, v in (data.get("overrides") or {}).items()}
        self.missing: list[str] = []

    def title(self, vi: str, where: str) -> str:
        if where in self.overrides:
            return self.overrides[where]
        t = self.titles.get(nfc(vi))
        if t is None:
            self.missing.append(f"{where}: {vi}")
            return "?"
        return t

    def form(self, vi: str) -> str:
        t = self.forms.get(nfc(vi))
        if t is None:
            self.missing.append(f"form: {vi}")
            return "?"
        return t


# ============================================================================================
# Conversion of one reference form (sets 01-25 from D; 26 from S1)
# ============================================================================================


def num(v):
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


class FormBuilder:
    def __init__(self, src: Source, names: Names, path: Path):
        self.src = src
        self.names = names
        self.path = path
        self.ref = yaml.safe_load(path.read_text(encoding="utf-8"))
        self.set = int(self.ref["set"][:2])
        self.is781 = self.set == 26
        self.facts: dict = {}
        self.knockouts: dict = {}
        self.notes: list[str] = []
        self.text_notes: list[str] = []
        self.lines: dict[str, int] = {}      # criterion / section id -> D line
        self.bounds: dict[str, tuple[int, int]] = {}
        self.used_lines: set[int] = set()

    # ------------------------------------------------------------------ D alignment
    def locate(self):
        n = self.set
        s, e = self.src.range(n)
        cur = self.src.find(r"^\s*\|?\s*Phần A", s, e)
        order = []  # (line, id, is_section)
        for p in self.ref["parts"]:
            for sec in p["sections"]:
                sl = self.src.find(id_pattern(sec["id"]), cur, e)
                assert sl, (n, "section", sec["id"])
                self.lines["§" + sec["id"]] = sl
                order.append((sl, "§" + sec["id"]))
                cur = sl
                for c in sec["criteria"]:
                    cid = c["id"].split("#")[0]
                    par = c.get("parent_vi")
                    if par:
                        pid = re.match(r"^(\d+\.\d+)", par).group(1)
                        if pid not in self.lines:
                            gl = self.src.find(id_pattern(pid), cur, e)
                            assert gl, (n, "group", pid)
                            self.lines[pid] = gl
                            order.append((gl, pid))
                            cur = gl
                    if cid == sec["id"]:
                        cl = sl
                    else:
                        cl = self.src.find(id_pattern(cid), cur + (1 if "#" in c["id"] else 0), e)
                    assert cl, (n, "criterion", c["id"])
                    self.lines[c["id"]] = cl
                    order.append((cl, c["id"]))
                    cur = cl
        # each node's text runs to the next located line or a structural line
        order.sort()
        for i, (ln, nid) in enumerate(order):
            nxt = e + 1
            for ln2, _ in order[i + 1:]:
                if ln2 > ln:
                    nxt = ln2
                    break
            for j in range(ln + 1, nxt):
                if STRUCTURAL.search(self.src[j]):
                    nxt = j
                    break
            self.bounds[nid] = (ln, nxt)

    def d_title(self, nid: str, num_: str) -> str:
        ln = self.lines[nid]
        t = re.sub(r"^[\s|]*" + re.escape(num_) + r"\.?\s*", "", self.src[ln])
        return caps(Source.cell(t))

    def d_body(self, nid: str):
        """(options, before, after) lines of a criterion in D: (line, text)."""
        a, b = self.bounds[nid]
        opts, before, after = [], [], []
        for i in range(a + 1, b):
            raw = self.src[i]
            if not raw.strip() or POINTS_ONLY.match(raw):
                continue
            t = Source.cell(raw)
            if not t or re.fullmatch(r"\d+\s*[ĐđD][iỉ]ểm", t):
                continue
            if "□" in raw:
                opts.append((i, t))
            elif opts:
                after.append((i, t))
            else:
                before.append((i, t))
        return opts, before, after

    # ------------------------------------------------------------------ helpers
    def src_ref(self, part, cid, line=None) -> str:
        base = f"{SRC_NAME}, Bộ sản phẩm {self.set:02d}, Phần {part}, mục {cid}"
        if self.is781:
            return f"781/QĐ-TTg (phiếu thay thế Bộ sản phẩm 26 của 1048/QĐ-TTg), Phần {part}, mục {cid} (bản sao thứ cấp S1)"
        return base + (f" (source text line {line})" if line else "")

    def artifact(self, cid, what, dtext, line, keep):
        rule = TEXT_ARTIFACTS.get((self.set, cid, what))
        if rule is None:
            return None
        self.text_notes.append(f"{cid} {what}: " + rule.format(line=line, d=dtext) + f"; the reference copy's «{keep}» is used.")
        return keep

    def add_fact(self, fid, text_vi):
        if fid not in self.facts:
            self.facts[fid] = {"text_vi": text_vi, "name_en": FACT_NAMES[fid]}

    # ------------------------------------------------------------------ form
    def build(self) -> dict:
        n = self.set
        if not self.is781:
            self.locate()
        s, e = self.src.range(n) if not self.is781 else (None, None)
        if self.is781:
            name_vi = self.ref["name_vi"]
            form = {
                "decision": DECISION, "set": f"{n:02d}", "name_vi": name_vi,
                "name_en": self.names.form(name_vi),
                "source": "781/QĐ-TTg (8/6/2020), phiếu «Dịch vụ du lịch cộng đồng và điểm du lịch» thay thế Bộ sản phẩm 26 của 1048/QĐ-TTg; nội dung theo bản sao thứ cấp S1 (github.com/tranquangduc24011999/ommani_ocop@41b9b54, mysql/init.sql)",
                "in_force_from": "2020-06-08",
                "version_note": "781/QĐ-TTg replaced the 1048 tourism form «Dịch vụ du lịch - truyền thống - lễ hội» (rules/1048-2019/26-dich-vu-du-lich-truyen-thong-le-hoi.yaml, in force 2019-08-21 to 2020-06-07) by this form from 2020-06-08. The text of 781 itself was not available: this form comes from a council app's seed (S1, 2022), unchecked against the decision.",
            }
        else:
            title_line = self.src[s]
            name_vi = squash(re.sub(r"^\d+\. Bộ sản phẩm:\s*", "", title_line))
            if n in FORM_NAME_ARTIFACTS:
                fixed, why = FORM_NAME_ARTIFACTS[n]
                self.text_notes.append("Form name: " + why.format(line=s) + f"; «{fixed}» is used.")
                name_vi = fixed
            form = {
                "decision": DECISION, "set": f"{n:02d}", "name_vi": name_vi,
                "name_en": self.names.form(name_vi),
                "source": f"{SRC_NAME}, Bộ sản phẩm {n:02d} (source text lines {s}–{e})",
            }
        if not self.is781:
            self.header_knockouts()
        parts = {}
        for p in self.ref["parts"]:
            parts[p["part"]] = self.part(p)
        doc = {"form": form}
        if self.facts:
            doc["facts"] = self.facts
        if self.knockouts:
            doc["knockouts"] = self.knockouts
        mins = self.minimums(parts)
        if mins:
            doc["minimums"] = mins
        doc["notes"] = self.form_notes()
        doc["parts"] = parts
        if not self.is781:
            self.check_gate_lines()
        return doc

    def header_knockouts(self):
        n = self.set
        s, e = self.src.range(n)
        hl = self.src.find(r"^Bị loại khi\s*:", s, e)
        assert hl, n
        line = self.src[hl]
        self.used_lines.add(hl)
        assert "Giả mạo hồ sơ" in line
        for fid, rx in HEADER_KNOCKOUTS[n]:
            m = re.search(rx, line)
            assert m, (n, fid, line)
            clause = m.group(0)
            self.add_fact(fid, clause)
            self.knockouts[fid] = {
                "when": Flow(fact(fid)),
                "text_vi": f"Bị loại khi: {clause}",
                "name_en": FACT_NAMES[fid],
                "source": f"{SRC_NAME}, Bộ sản phẩm {n:02d}, dòng «Bị loại khi» (source text line {hl})",
            }

    def check_gate_lines(self):
        s, e = self.src.range(self.set)
        for i in range(s, e + 1):
            t = self.src[i]
            if GATE_WORDS.search(t) and i not in self.used_lines:
                raise SystemExit(f"set {self.set}: gate-like line {i} not claimed by GATES: {t}")

    # ------------------------------------------------------------------ parts and sections
    def part(self, p) -> dict:
        pid = p["part"]
        title = p["title_vi"] if self.is781 else PART_TITLES[pid]
        node = {"title_vi": title, "name_en": self.names.title(title, f"part {pid}"), "max": PART_MAX[pid]}
        sections = {}
        for sec in p["sections"]:
            sections[sec["id"]] = self.section(sec, pid)
        node["sections"] = sections
        total = sum(s["max"] for s in sections.values())
        assert p["max_points"] == PART_MAX[pid]
        if total != PART_MAX[pid]:
            raise SystemExit(f"set {self.set} part {pid}: sections add up to {total}")
        return node

    def section(self, sec, pid) -> dict:
        sid = sec["id"]
        if self.is781:
            title = sec["title_vi"]
        else:
            dt = self.d_title("§" + sid, sid)
            title = self.artifact("§" + sid, "title", dt, self.lines["§" + sid], sec["title_vi"]) or dt
            if title == dt and norm(dt) != norm(sec["title_vi"]) and sec["title_vi"] not in ("Ngoại hình", "Nước pha"):
                self.text_notes.append(f"§{sid} title: «{dt}» (line {self.lines['§' + sid]}); reference copy: «{sec['title_vi']}»")
        node = {"title_vi": title, "name_en": self.names.title(title, f"set {self.set} section {sid}")}
        criteria = {}
        groups = GROUPS.get(self.set, [])
        for c in sec["criteria"]:
            par = c.get("parent_vi")
            if par and not self.is781:
                gid = re.match(r"^(\d+\.\d+)", par).group(1)
                assert gid in groups
                if gid not in criteria:
                    gtitle = self.d_title(gid, gid)
                    criteria[gid] = {"title_vi": gtitle, "name_en": self.names.title(gtitle, f"set {self.set} {gid}"),
                                     "max": 0, "kind": "group", "criteria": {},
                                     "source": self.src_ref(pid, gid, self.lines[gid])}
                child = self.criterion(c, pid, sid)
                cid = self.rename(c["id"])
                criteria[gid]["criteria"][cid] = child
                criteria[gid]["max"] += child["max"]
            else:
                criteria[self.rename(c["id"])] = self.criterion(c, pid, sid)
        # check the printed group maxima (D prints them on the group row)
        for gid in groups:
            if gid in criteria:
                m = re.search(r"\|\s*(\d+)\s*Điểm", self.src[self.lines[gid]])
                assert m and int(m.group(1)) == criteria[gid]["max"], (self.set, gid)
                g = criteria[gid]
                criteria[gid] = {k: g[k] for k in ("title_vi", "name_en", "max", "kind", "source", "criteria")}
        node["max"] = sum(c["max"] for c in criteria.values())
        node["criteria"] = criteria
        return node

    def rename(self, cid):
        r = RENAMED_IDS.get((self.set, cid))
        return r[0] if r else cid

    # ------------------------------------------------------------------ criteria
    def criterion(self, c, pid, sid) -> dict:
        n = self.set
        cid = c["id"]
        shown = cid.split("#")[0]
        line = self.lines.get(cid)
        if self.is781:
            title = c["title_vi"]
        else:
            dt = self.d_title(cid, shown)
            title = self.artifact(cid, "title", dt, line, c["title_vi"]) or dt
            if title == dt and norm(dt) != norm(c["title_vi"]):
                self.text_notes.append(f"{cid} title: «{dt}» (line {line}); reference copy: «{c['title_vi']}»")
        node = {"title_vi": title,
                "name_en": self.names.title(title, f"set {n} {cid}")}
        options = {}
        cases = {}
        description = None
        notes_vi = []
        gates = [g for g in GATES.get(n, []) if g[1] == cid]
        ref_opts = c["options"]
        if self.is781:
            description = c.get("note_vi")
            for o in ref_opts:
                options[o["key"]] = {"points": num(o["points"]), "text_vi": o["text_vi"]}
                if "case" in o:
                    options[o["key"]]["case"] = str(o["case"])
            if c.get("alternative_cases"):
                cases = {"1": {"title_vi": "Trường hợp 1"}, "2": {"title_vi": "Trường hợp 2"}}
        else:
            d_opts, before, after = self.d_body(cid)
            # the reference's options, with D's texts
            extra_ref = []
            if len(d_opts) != len(ref_opts):
                assert (n, cid) == (7, "3.1"), (n, cid, len(d_opts), len(ref_opts))
                extra_ref = ref_opts[len(d_opts):]
            for (ln, dt), o in zip(d_opts, ref_opts):
                text = self.artifact(cid, o["key"], dt, ln, o["text_vi"]) or dt
                if text == dt and norm(dt) != norm(o["text_vi"]):
                    self.text_notes.append(f"{cid} {o['key']}: «{dt}» (line {ln}); reference copy: «{o['text_vi']}»")
                options[o["key"]] = {"points": num(o["points"]), "text_vi": text}
                if "case" in o:
                    options[o["key"]]["case"] = str(o["case"])
            for o in extra_ref:
                options[o["key"]] = {"points": num(o["points"]), "text_vi": o["text_vi"]}
            # description and notes
            case_titles = {}
            desc_parts = []
            for ln, t in before + after:
                if any(g[0] == ln for g in gates):
                    self.used_lines.add(ln)
                    continue
                m = re.match(r"^([ab])\.?\s+(Trường hợp [12]:.*)$", t)
                if m:
                    case_titles["1" if m.group(1) == "a" else "2"] = m.group(2)
                    continue
                if (ln, t) in before:
                    fixed = self.artifact(cid, "description", t, ln, c.get("note_vi") or t)
                    desc_parts.append(fixed or t)
                else:
                    notes_vi.append(t)
            if desc_parts:
                description = " ".join(desc_parts)
            if any(o.get("case") for o in ref_opts):
                assert set(case_titles) == {"1", "2"}, (n, cid, case_titles)
                cases = {k: {"title_vi": case_titles[k]} for k in ("1", "2")}
        if description:
            node["description_vi"] = description
        if notes_vi:
            node["notes_vi"] = notes_vi
        max_ = num(c["max_points"])
        node["max"] = max_
        if cases:
            node["cases"] = cases
        # gates
        for g in gates:
            ln, _, kind, when = g
            text = Source.cell(self.src[ln]) if not self.is781 else None
            self.used_lines.add(ln)
            self.gate(node, cid, kind, when, text, ln, pid)
        node["options"] = {k: Flow(v) for k, v in options.items()}
        node["source"] = self.src_ref(pid, shown, line)
        # anomalies
        anomalies = []
        a = ANOMALIES.get((n, cid, None))
        if a:
            if "max" in a:
                node["max"] = a["max"]
            anomalies.append(self.fmt_anomaly(a["anomaly"], line))
        for k, o in list(node["options"].items()):
            oa = ANOMALIES.get((n, cid, k))
            if oa:
                o = dict(o)
                if "points" in oa:
                    o["points"] = oa["points"]
                ln = self.option_line(cid, k)
                o["anomalies"] = [self.fmt_anomaly(oa["anomaly"], ln)]
                node["options"][k] = o
        rn = RENAMED_IDS.get((n, cid))
        if rn:
            anomalies.append(self.fmt_anomaly(rn[1], line))
        if self.is781 and cases:
            anomalies.append({
                "field": "case",
                "printed": "(no case labels in the copy)" if cid != "3.2" else "Lựa chọn một trong hai trường hợp sau: (case labels not in the copy)",
                "applied": "Trường hợp 1 / Trường hợp 2",
                "reason": "The copy lists two option sets one after the other (points restart). They are typed as two alternative cases, one pick per criterion; the labels «Trường hợp 1/2» follow the 1048 forms' wording and are not printed here. By their wording case 1 reads as a tourism community, case 2 as a single tourist site (an inference).",
            })
        if anomalies:
            node["anomalies"] = anomalies
        return self.order(node)

    def option_line(self, cid, k):
        if self.is781:
            return None
        d_opts, _, _ = self.d_body(cid)
        keys = "abcdefghij"
        i = keys.index(k)
        return d_opts[i][0] if i < len(d_opts) else None

    def fmt_anomaly(self, a, line):
        out = dict(a)
        out["reason"] = a["reason"].format(line=line)
        return out

    @staticmethod
    def order(node):
        keys = ["title_vi", "name_en", "description_vi", "notes_vi", "max", "kind", "cases", "applies_if",
                "stops_section", "options", "criteria", "source", "anomalies"]
        return {k: node[k] for k in keys if k in node}

    # ------------------------------------------------------------------ gates
    def gate(self, node, cid, kind, when, text, ln, pid):
        n = self.set
        for f in facts_of(when):
            self.add_fact(f, self.fact_text(f, text))
        if kind == "story":
            node["applies_if"] = {"when": Flow(when), "note_vi": text}
        elif kind == "stop":
            node["stops_section"] = {"when": Flow(when), "note_vi": text}
        elif kind == "knockout":
            kid, en = KNOCKOUT_IDS.get((cid, kind), (None, None)) if "answer" in when else (None, None)
            if kid is None:
                kid = facts_of(when)[0]
                en = FACT_NAMES[kid]
            self.knockouts[kid] = {
                "when": Flow(when), "text_vi": text, "name_en": en,
                "source": f"{SRC_NAME}, Bộ sản phẩm {n:02d}, Phần {pid}, mục {cid}, ghi chú (source text line {ln})",
            }
        elif kind == "part_stop":
            self.part_stop = (when, text)
        else:
            raise ValueError(kind)

    def fact_text(self, f, note):
        """The condition clause of a note («… nếu X …»), verbatim; the whole note otherwise."""
        m = re.search(r"[Nn]ếu (.+)$", note)
        if not m:
            return note
        x = re.split(r",?\s*(?:\.\.\.|…)?\s*sẽ (?:không|bị)", m.group(1))[0]
        return x.strip().rstrip(".").strip()


def facts_of(cond) -> list[str]:
    if "fact" in cond:
        return [cond["fact"]]
    if "not" in cond:
        return facts_of(cond["not"])
    for k in ("any", "all"):
        if k in cond:
            return [f for c in cond[k] for f in facts_of(c)]
    return []


# ---------------------------------------------------------------------------------------------
# Form-level post-processing: part stops, minimums, notes
# ---------------------------------------------------------------------------------------------


def apply_part_stop(fb: FormBuilder, parts: dict):
    ps = getattr(fb, "part_stop", None)
    if not ps:
        return
    when, text = ps
    for sec in parts["C"]["sections"].values():
        for cid, c in sec["criteria"].items():
            assert "applies_if" not in c
            c["applies_if"] = {"when": Flow(when), "note_vi": text}
            sec["criteria"][cid] = FormBuilder.order(c)


def _minimums(self, parts):
    out = []
    for stars, cid, at, text in MINIMUMS.get(self.set, []):
        crit = find_criterion(parts, cid)
        assert crit and at in crit["options"], (self.set, cid, at)
        out.append({"stars": stars, "criterion": cid, "at_least": at, "text_vi": text, "source": M781,
                    "in_force_from": "2020-06-08"})
    return out


FormBuilder.minimums = _minimums


def find_criterion(parts, cid):
    for p in parts.values():
        for s in p["sections"].values():
            for k, c in s["criteria"].items():
                if k == cid:
                    return c
                for k2, c2 in (c.get("criteria") or {}).items():
                    if k2 == cid:
                        return c2
    return None


def _form_notes(self) -> list[str]:
    n = self.set
    notes = []
    if self.is781:
        notes += [
            "Source: the only copy of this 781 form is S1, a council app's database seed (2022), not the decision; text and points are unchecked. The part titles are the copy's group labels, not the form's printed headings (not seen).",
            "Part C sections 6–18 each hold one unnumbered criterion; its id is the section number.",
            "781 Mục 6 (minimum criteria per class) does not apply to this set («trừ nhóm sản phẩm Dịch vụ du lịch cộng đồng và điểm du lịch»): no minimums.",
            "The copy prints no «Bị loại khi» line and no gate notes; only the decision's shared knock-out applies.",
            "Suspected typo kept verbatim: 5.3 b «địa bàn xà» (for «xã»).",
        ]
        return notes
    notes.append(f"Text: every Vietnamese text is read from the decision text (D, lines cited in each `source`). Structure and points come from the reference transcription, which agrees with D except where an anomaly says otherwise.")
    notes.append("Decision 781/QĐ-TTg (2020) amended «một số Phụ lục» of 1048; its text was not available. The wording here is D's (2019); where the reference copy (S1, a 2022 app seed) words a text differently (beyond punctuation), the «Wording» notes below list S1's; whether 781 changed the wording is unknown. Capitalisation slips of D's text layer inside sentences (e.g. «hóa CHẤT») are kept as they are.")
    notes.extend(EXTRA_NOTES.get(n, []))
    notes.extend(CONDITION_NOTES.get(n, []))
    # gates that cannot act
    for ln, cid, kind, when in GATES.get(n, []):
        if kind == "stop" and "fact" in when and cid not in ("6.1", "6.1.1"):
            notes.append(f"Stop under {cid} (line {ln}) is typed on the fact {when['fact']}: no option of {cid} is about that document. {cid} is the last criterion of its section, so the stop has no scoring effect as read here (a stop ends its section, as DOMAIN.md reads it; the following steps printed here are in later sections); kept for the trace.")
        if kind == "stop" and "fact" in when and cid in ("6.1", "6.1.1"):
            notes.append(f"Stop under {cid} (line {ln}) is typed on the fact unacceptable_impurities: every printed option of {cid} is an acceptable state. It zeroes the rest of section 6; whether «các bước tiếp theo» also covers later sections is not said, and it is read as stopping the rest of the section only, as DOMAIN.md reads it.")
        if kind == "stop" and "answer" in str(when) and cid in ("6.1",):
            notes.append(f"Stop under 6.1 (line {ln}) zeroes the rest of section 6 only; whether it also covers later sections is not said (DSL limit).")
    for ln, cid, kind, when in GATES.get(n, []):
        if kind == "story":
            notes.append(f"Story gate on {cid} (line {ln}, «Chỉ áp dụng khi có câu chuyện»): typed as 5.1 not a and not none; option a «Không có câu chuyện, hoặc có nhưng không được tư liệu hóa» is read as «no story», every other option (including b «Có tài liệu giới thiệu về sản phẩm») as a story.")
            break
    if MINIMUMS.get(n):
        for stars, cid, at, text in MINIMUMS[n]:
            key_ = cid if cid in MINIMUM_NOTES else None
            notes.append(MINIMUM_NOTES[key_].format(t=text))
        notes.append("781 Mục 6 minimums were added on 2020-06-08 (in_force_from): a dossier lodged before that day is judged without them; an assessment with no lodging date is judged with them (the rules since 781).")
    if n in FORM_UNMAPPED:
        notes.append(FORM_UNMAPPED[n])
    notes.extend(UNMAPPED_MINIMUMS)
    s, e = self.src.range(n)
    foot = self.src.find(r"^Giới hạn các chỉ tiêu kiểm nghiệm", s, e)
    if foot:
        notes.append(f"Footer (line {foot}, not scored): «{squash(self.src[foot])}» followed by the list of regulations (QCVN 8-3:2012/BYT, QCVN 8-2:2011/BYT, QCVN 8-1:2011/BYT, Quyết định 46/2007/QĐ-BYT, local regulations, TCVN/Codex).")
    for t in self.text_notes:
        notes.append("Wording " + t)
    return notes


FormBuilder.form_notes = _form_notes


# ============================================================================================
# The original 1048 tourism form (set 26, 2019-08-21 .. 2020-06-07), hand transcription
# ============================================================================================
# (criterion id, title line, max, [(option line, points)], description line or None)
# Every text is read from the cited line of D (lines 6951-7086).
ORIGINAL_TOURISM = {
    "A": {"heading": 6961, "sections": [
        ("1", 6962, [
            ("1.1", 6963, 6, [(6964, 0), (6965, 1), (6966, 3), (6967, 6)]),
            ("1.2", 6968, 10, [(6969, 1), (6970, 3), (6971, 5), (6972, 10)]),
            ("1.3", 6973, 3, [(6974, 0), (6975, 1), (6976, 3)]),
        ]),
        ("2", 6977, [
            ("2.1", 6978, 3, [(6979, 1), (6980, 2), (6981, 3)]),
            ("2.2", 6982, 3, [(6983, 0), (6984, 1), (6985, 3)]),
        ]),
        ("3", 6986, [
            ("3.1", 6987, 3, [(6988, 1), (6989, 2), (6990, 3)]),
            ("3.2", 6991, 2, [(6994, 1, "1"), (6995, 2, "1"), (6997, 0, "2"), (6998, 1, "2")],
             {"description": 6992, "cases": {"1": 6993, "2": 6996}}),
            ("3.3", 6999, 1, [(7000, 0), (7001, 1)]),
            ("3.4", 7002, 1, [(7003, 0), (7004, 1)]),
            ("3.5", 7005, 2, [(7006, 0), (7007, 1), (7008, 2)]),
        ]),
    ]},
    "B": {"heading": 7012, "sections": [
        ("4", 7013, [
            ("4.1", 7014, 5, [(7015, 1), (7016, 2), (7017, 3), (7018, 5)]),
            ("4.2", 7019, 5, [(7021, 0), (7022, 1), (7023, 3), (7024, 5)], {"description": 7020}),
            ("4.3", 7025, 5, [(7026, 0), (7027, 1), (7028, 2), (7029, 3), (7030, 5)]),
        ]),
        ("5", 7031, [
            ("5.1", 7032, 5, [(7033, 0), (7034, 1), (7035, 2), (7036, 3), (7037, 4), (7038, 5)]),
            ("5.2", 7039, 3, [(7041, 0), (7042, 1), (7043, 2), (7044, 3)], {"story": 7040}),
            ("5.3", 7045, 2, [(7047, 1), (7048, 2)], {"story": 7046}),
        ]),
    ]},
    "C": {"heading": 7053, "cumulative": 7054, "sections": [
        ("6", 7055, [("6", 7055, 5, [(7056, 1), (7057, 1), (7058, 2), (7059, 1)])]),
        ("7", 7060, [("7", 7060, 6, [(7061, 1), (7062, 1), (7063, 2), (7064, 2)])]),
        ("8", 7065, [("8", 7065, 6, [(7066, 2), (7067, 2), (7068, 2)])]),
        ("9", 7069, [("9", 7069, 5, [(7070, 2), (7071, 1), (7072, 2)])]),
        ("10", 7073, [("10", 7073, 5, [(7074, 1), (7075, 2), (7076, 1), (7077, 1)])]),
        ("11", 7078, [("11", 7078, 5, [(7079, 2), (7080, 2), (7081, 1)])]),
        ("12", 7082, [("12", 7082, 8, [(7083, 2), (7084, 3), (7085, 3)])]),
    ]},
}


def original_tourism(src: Source, names: Names) -> dict:
    s, e = 6951, 7086
    assert src[s].startswith("26. Bộ sản phẩm: Dịch vụ du lịch - truyền thống - lễ hội")
    name_vi = squash(re.sub(r"^\d+\. Bộ sản phẩm:\s*", "", src[s]))
    where = f"{SRC_NAME}, Bộ sản phẩm 26 (nguyên bản 1048, source text lines {s}–{e})"
    doc = {"form": {
        "decision": DECISION, "set": "26", "name_vi": name_vi, "name_en": names.form(name_vi),
        "source": where,
        "in_force_from": "2019-08-21", "in_force_until": "2020-06-07",
        "version_note": "The original tourism form of 1048/QĐ-TTg, in force from 2019-08-21 until 781/QĐ-TTg replaced it by «Dịch vụ du lịch cộng đồng và điểm du lịch» from 2020-06-08 (rules/1048-2019/26-dich-vu-du-lich-cong-dong-va-diem-du-lich.yaml). Transcribed by hand from the decision text; it exists in no reference file.",
    }}
    parts = {}
    for pid, p in ORIGINAL_TOURISM.items():
        head = squash(re.sub(r"^Phần [ABC]:\s*", "", src[p["heading"]]))
        m = re.match(r"^(.*?)\s*\((\d+) Điểm\)$", head)
        title, printed = m.group(1), int(m.group(2))
        assert printed == PART_MAX[pid]
        part = {"title_vi": title, "name_en": names.title(title, f"26orig part {pid}"), "max": PART_MAX[pid]}
        sections = {}
        for sid, sline, crits in p["sections"]:
            stitle = Source.cell(re.sub(r"^[\s|]*" + re.escape(sid) + r"\.\s*", "", src[sline]))
            sec = {"title_vi": stitle, "name_en": names.title(stitle, f"26orig section {sid}")}
            cmap = {}
            for crit in crits:
                cid, cline, cmax, opts = crit[:4]
                extra = crit[4] if len(crit) > 4 else {}
                ctitle = Source.cell(re.sub(r"^[\s|]*" + re.escape(cid) + r"\.\s*", "", src[cline]))
                pm = re.search(r"\|\s*(\d+)\s*Điểm\s*$", src[cline])
                assert pm and int(pm.group(1)) == cmax, (cid, src[cline])
                node = {"title_vi": ctitle, "name_en": names.title(ctitle, f"26orig {cid}")}
                if "description" in extra:
                    node["description_vi"] = Source.cell(src[extra["description"]])
                node["max"] = cmax
                if pid == "C":
                    node["kind"] = "cumulative"
                if "cases" in extra:
                    node["cases"] = {k: {"title_vi": re.sub(r"^[ab]\.\s*", "", Source.cell(src[v]))}
                                     for k, v in extra["cases"].items()}
                if "story" in extra:
                    node["applies_if"] = {"when": Flow(STORY), "note_vi": Source.cell(src[extra["story"]])}
                options = {}
                for i, o in enumerate(opts):
                    ln, pts = o[0], o[1]
                    raw = src[ln]
                    assert "□" in raw, ln
                    pm = re.search(r"\|\s*(\d+)\s*Điểm\s*$", raw.rstrip())
                    assert pm and int(pm.group(1)) == pts, (ln, raw)
                    opt = {"points": pts, "text_vi": Source.cell(raw)}
                    if len(o) > 2:
                        opt["case"] = o[2]
                    options["abcdefgh"[i]] = Flow(opt)
                node["options"] = options
                tot = sum(o[1] for o in opts) if pid == "C" else max(o[1] for o in opts)
                assert tot == cmax, (cid, tot, cmax)
                node["source"] = f"{SRC_NAME}, Bộ sản phẩm 26 (nguyên bản), Phần {pid}, mục {cid} (source text lines {cline}–{opts[-1][0]})"
                cmap[cid] = FormBuilder.order(node)
            sec["max"] = sum(c["max"] for c in cmap.values())
            sec["criteria"] = cmap
            sections[sid] = sec
        total = sum(x["max"] for x in sections.values())
        if total != PART_MAX[pid]:
            part["anomalies"] = [{
                "field": "max", "printed": str(printed), "applied": PART_MAX[pid],
                "reason": f"The heading (line {p['heading']}) prints {printed} Điểm and Điều 1 gives part {pid} {PART_MAX[pid]} points, but the criteria printed under it add up to {total} (1.1 6 + 1.2 10 + 1.3 3 + 2.1 3 + 2.2 3 + 3.1 3 + 3.2 2 + 3.3 1 + 3.4 1 + 3.5 2). No criterion can be singled out as misprinted, so the maximum stays {PART_MAX[pid]} as printed; the form can reach at most {total} in this part and 99 in total.",
            }]
        part["sections"] = sections
        parts[pid] = part
    doc["notes"] = [
        "Hand transcription of the 1048 (2019) tourism form from the decision text, lines 6951–7086; every Vietnamese text is read from the line cited in each `source`.",
        "Part C is printed «(Được cộng tổng điểm các nội dung ghi Có)» (line 7054): each of its criteria is cumulative, every ticked item adds its points and the items of each criterion add up to its maximum.",
        "Part A adds up to 34, not the 35 of its heading (anomaly on part A): the form's best total is 99.",
        "The form prints no «Bị loại khi» line and no other knock-out or stop note. The decision's shared knock-out (falsified_dossier) still applies to it: the DSL applies decision knock-outs to every form.",
        "781 Mục 6 minimums did not exist while this form was in force (and exclude the tourism set): no minimums.",
        "Story gates on 5.2 (line 7040) and 5.3 (line 7046): typed as 5.1 not a and not none, as in the other forms.",
        "Typos kept verbatim: 4.1 «Khu vực khách hành chính» (probably «khách hàng chính»), 3.2 «cao cao cấp», 5.1 «cốt chuyện».",
    ]
    doc["parts"] = parts
    return doc


# ============================================================================================
# Driver
# ============================================================================================


def render(doc: dict, origin: str) -> str:
    head = [
        f"# Generated by tools/convert_1048.py from {origin}.",
        "# Do not edit by hand: change the script or tools/names_en_1048.yaml and re-run it.",
    ]
    return "\n".join(head + emit(doc)) + "\n"


def build_all(src: Source, names: Names) -> dict[Path, str]:
    out = {}
    for path in sorted(REF.glob("[0-9][0-9]-*.yaml")):
        fb = FormBuilder(src, names, path)
        doc = fb.build()
        apply_part_stop(fb, doc["parts"])
        out[OUT / path.name] = render(doc, f"shared/reference/1048-781/{path.name} and the decision text")
    doc = original_tourism(src, names)
    out[OUT / "26-dich-vu-du-lich-truyen-thong-le-hoi.yaml"] = render(
        doc, "the decision text (shared/reference/1048-781/source/qd-1048-2019-QD-TTg.txt, lines 6951-7086), hand transcription")
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="only report files that would change")
    args = ap.parse_args(argv)
    src = Source(SRC)
    names = Names(NAMES)
    files = build_all(src, names)
    if names.missing:
        print("missing English names in tools/names_en_1048.yaml:", file=sys.stderr)
        for m in sorted(set(names.missing)):
            print("  " + m, file=sys.stderr)
        return 1
    changed = 0
    for path, text in files.items():
        old = path.read_text(encoding="utf-8") if path.exists() else None
        if old != text:
            changed += 1
            if not args.check:
                path.write_text(text, encoding="utf-8")
    print(f"{len(files)} forms, {changed} {'would change' if args.check else 'written'}")
    return 1 if (args.check and changed) else 0


if __name__ == "__main__":
    sys.exit(main())
