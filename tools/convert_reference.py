#!/usr/bin/env python3
"""Convert the reference transcriptions of one decision's forms into the rule DSL.

    python3 tools/convert_reference.py /work/shared/reference/26-2026 [--out rules]
    python3 tools/convert_reference.py /work/shared/reference/148-2023

Reads every `NN-*.yaml` form of the reference folder and writes `rules/<key>/<same name>.yaml`
(docs/rule-dsl.md). Everything that is not a mechanical mapping lives in the tables below
(ANOMALIES, KNOCKOUT_CLAUSES, …) or in tools/names_en.yaml, so that re-running the script
reproduces the rule files exactly. Never hand-edit the output.

Mapping (reference -> DSL):
  kind single -> pick (kind omitted); group -> group with nested criteria (from `parent`);
  yes_no_unprinted -> yes_no plus an anomaly on `options`; star_marker -> star;
  cases -> cases {"1": …, "2": …} + `case:` per option; section_level criteria stay a section
  holding one criterion of the same id; `mandatory`, `min_option_for_stars` are dropped.
  Gate notes ("Chỉ áp dụng khi…", "… không đánh giá các bước tiếp theo") become applies_if /
  stops_section; knock-out notes ("Bị loại nếu…", "Hồ sơ bị loại khi…") become form knockouts.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import yaml

TOOLS = Path(__file__).resolve().parent
REPO = TOOLS.parent

# --------------------------------------------------------------------------------------------
# Decisions
# --------------------------------------------------------------------------------------------

DECISIONS = {
    "26-2026": {
        "number": "26/2026/QĐ-TTg",
        "annex": "Phụ lục II",
        "secondary": False,
        # facts declared in rules/26-2026/decision.yaml (not edited here)
        "decision_facts": {
            "falsified_dossier", "registration_dossier_noncompliant",
            "food_safety_certificate_noncompliant", "production_licence_missing",
            "mandatory_production_conditions_unmet", "product_declaration_missing",
        },
    },
    "148-2023": {
        "number": "148/QĐ-TTg",
        "annex": "Phụ lục III",
        "secondary": True,
        # facts declared in rules/148-2023/decision.yaml (written by hand, see the report)
        "decision_facts": {"food_safety_certificate_noncompliant"},
    },
}

SECONDARY_SOURCE = "bản sao thứ cấp: github.com/augustine-tran/ocop@d76e5ad, db/ocop/"

# --------------------------------------------------------------------------------------------
# Knock-outs printed in "Hồ sơ bị loại khi: …" (26/2026 only; 148's copy has no header lines).
# The first clause (Giả mạo hồ sơ) and the last (… hồ sơ đăng ký …) are the decision's own
# knock-outs; each middle clause maps to a fact. Order matters: longer texts first.
# --------------------------------------------------------------------------------------------

DISQ_FIRST = ["Giả mạo hồ sơ"]
DISQ_LAST = [
    "không đáp ứng về hồ sơ đăng ký theo quy định",
    "không đáp ứng về Hồ sơ đăng ký theo quy định",
    "không đáp ứng quy định hồ sơ đăng ký theo quy định",
    "không đáp ứng quy định Hồ sơ đăng ký theo quy định",
]
KNOCKOUT_CLAUSES = [
    ("không tuân thủ đầy đủ các quy định về giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm theo quy định",
     "food_safety_certificate_noncompliant", "Food-safety establishment certificate not in order", None),
    ("không tuân thủ đầy đủ các quy định về giấy chứng nhận cơ sở đủ điều kiện sản xuất sản phẩm (GMP đối với thực phẩm bảo vệ hoặc tương đương)",
     "gmp_certificate_noncompliant", "Production-eligibility (GMP) certificate not in order", None),
    ("Hồ sơ đăng ký bản đăng ký công bố chất lượng sản phẩm, ghi nhãn sản phẩm, quảng cáo sản phẩm",
     "product_dossiers_noncompliant", "Quality-declaration, labelling or advertising dossier not in order",
     "The clause \"Hồ sơ đăng ký bản đăng ký công bố chất lượng sản phẩm, ghi nhãn sản phẩm, quảng cáo "
     "sản phẩm\" of \"Hồ sơ bị loại khi\" is garbled (no verb); it is read as a knock-out when these "
     "dossiers are missing or not in order (form fact product_dossiers_noncompliant)."),
    ("không có giấy phép sản xuất theo quy định",
     "production_licence_missing", "No production licence where one is required", None),
    ("giấy phép sản xuất theo quy định",
     "production_licence_missing", "No production licence where one is required",
     "The clause \"hoặc giấy phép sản xuất theo quy định\" of \"Hồ sơ bị loại khi\" lacks its verb; it is "
     "read as \"không có giấy phép sản xuất theo quy định\", as printed under set 15 (decision fact "
     "production_licence_missing)."),
    ("không có đủ điều kiện bắt buộc để sản xuất sản phẩm theo quy định quản lý chuyên ngành của Bộ Y tế",
     "mandatory_production_conditions_unmet", "Mandatory production conditions of the sector not met", None),
    ("không có đủ điều kiện bắt buộc để sản xuất sản phẩm theo quy định quản lý chuyên ngành",
     "mandatory_production_conditions_unmet", "Mandatory production conditions of the sector not met", None),
    ("không có Bản công bố sản phẩm (hoặc tương đương)",
     "product_declaration_missing", "No product declaration (or equivalent)", None),
    ("không có bản công bố sản phẩm (hoặc tương đương)",
     "product_declaration_missing", "No product declaration (or equivalent)", None),
]

# Knock-outs printed as criterion notes ("Bị loại nếu …"). Each gets a form fact whose text_vi
# is the printed note verbatim.
NOTE_KNOCKOUTS = [
    (re.compile(r"Bị loại nếu sử dụng toàn bộ nguyên liệu nhập khẩu"),
     "all_materials_imported_or_unknown_origin",
     "All raw materials imported or of unknown origin", None),
    (re.compile(r"Bị loại nếu phát hiện giống hệt sản phẩm"),
     "identical_to_another_producers_product",
     "Identical to another producer's product (only name/producer changed)", None),
    (re.compile(r"vi phạm sở hữu trí tuệ, sẽ bị loại bỏ"),
     "intellectual_property_infringed",
     "The product infringes intellectual property", None),
    (re.compile(r"Không đánh giá những sản phẩm có tính phổ biến"),
     "common_product_without_distinction",
     "Common key product without outstanding quality or distinctiveness",
     "\"Không đánh giá những sản phẩm có tính phổ biến của nhóm sản phẩm chủ lực … mà không có sự nổi "
     "trội …\" (note on 2.1) excludes such products from rating; it is encoded as a knock-out on the "
     "form fact common_product_without_distinction (an interpretation: the form does not say whether "
     "the product is unclassified or simply not scored)."),
]

STORY_NOTE = re.compile(r"^Chỉ áp dụng khi có câu chuyện")
IMPURITY_NOTE = re.compile(r"tạp chất.*(không đánh giá các bước tiếp theo|sẽ không đánh giá)|Không xem xét các chỉ tiêu khác nếu sản phẩm có các tạp chất|Không đánh giá các bước tiếp theo nếu phát hiện tạp chất", re.I)
ZERO_NOTE = re.compile(r"Nếu được 0 điểm tại một trong các chỉ tiêu trên")
DECLARATION_NOTE = re.compile(r"Không đánh giá các bước tiếp theo nếu không có Phiếu công bố sản phẩm")
FOODSAFETY_NOTE = re.compile(r"Không đánh giá các bước tiếp theo nếu (Giấy )?[Cc]hứng nhận đủ điều kiện ATTP")
# notes that are printed and kept, with no typed effect (listed in the form notes)
UNTYPED_NOTES = [
    (re.compile(r"trường hợp không bắt buộc, thì đánh giá điểm tối đa"),
     "\"… trường hợp không bắt buộc, thì đánh giá điểm tối đa\" (criterion {id}): when periodic testing is "
     "not mandatory the council gives the top option. Not typed: the DSL has no fact-driven scoring; the "
     "council answers the top option."),
]

# --------------------------------------------------------------------------------------------
# Printed anomalies. Key: (decision, set, criterion id, option key or None, field).
# `applied` is what the rule file then uses.
# --------------------------------------------------------------------------------------------

ANOMALIES = {
    ("26-2026", "04", "7", "c", "points"): dict(
        printed="13", applied=3,
        reason="The criterion maximum is 3 and the other options are 0 and 1; the section is worth 3 and "
               "the part adds up only with 3. The printed 13 is read as a typo for 3 (the same option "
               "scores 3 in the other sets)."),
    ("26-2026", "11", "6.1.1", "b", "points"): dict(
        printed="11", applied=1,
        reason="The criterion maximum is 2 and the options are 0, 11, 2; only 1 fits between 0 and 2 "
               "(the 148/QĐ-TTg form of the same set scores this option 1). The printed 11 is read as 1."),
    ("26-2026", "04", "1.2", "a", "points"): "EMPTY_12",
    ("26-2026", "07", "1.2", "a", "points"): "EMPTY_12",
    ("26-2026", "10", "1.2", "a", "points"): "EMPTY_12",
    ("26-2026", "11", "1.2", "a", "points"): "EMPTY_12",
    ("26-2026", "07", "3.1", "b", "points"): dict(
        printed="1", applied=2,
        reason="Options print 1, 1, 3. In the other 25 forms of this decision the same option text "
               "(\"Công ty TNHH; hoặc doanh nghiệp tư nhân; …\") scores 2 between 1 and 3; 2 is applied."),
    ("26-2026", "23", "6.2", "a", "points"): dict(
        printed="1", applied=0,
        reason="Options print 1, 1, 3, 5 (a \"Chấp nhận được\" and b \"Phù hợp với đặc tính sản phẩm\" "
               "both 1). The 148/QĐ-TTg form of the same set scores a 0 and b 1, and set 25 of this "
               "decision scores \"Phù hợp với đặc tính sản phẩm\" 1; so a is read as 0. Doubtful: check "
               "the signed PDF."),
    ("26-2026", "23", "9", None, "max"): dict(
        printed="4 1", applied=4,
        reason="The points cell of heading 9 holds two numbers, 4 and 1 (a layout glitch). The options "
               "are 2 and 4, and Part C adds up to 35 only with 4."),
    ("26-2026", "26", "part:A", None, "max"): dict(
        printed="35", applied=40,
        reason="The heading prints \"Phần A … (35 Điểm)\" but the points cell prints 40; the sections "
               "below add up to 40, Điều 3.1 gives Part A 40 points, and the total is 100 only with 40."),
    ("148-2023", "17", "1.4", "b", "points"): dict(
        printed="l", applied=1,
        reason="The points cell reads the letter \"l\", a mistyped 1: the options are 0, l, 2, 3 and the "
               "same option scores 1 in the other forms of this copy."),
    ("148-2023", "18", "1.2", "b", "points"): dict(
        printed="t", applied=1,
        reason="The points cell reads the letter \"t\", a mistyped 1: the options are 0, t, 2, 3 and the "
               "same option (\"Chế biến đơn giản\") scores 1 in the other forms of this copy."),
    ("148-2023", "07", "6.4", None, "max"): dict(
        printed="4", applied=4,
        reason="Gap in the secondary copy: the maximum prints 4 but the options reach only 3 (1, 2, 3), "
               "so no answer scores 4. The maximum is kept at 4 because section 6 and Part C add up "
               "only with it; an option row or a point value was probably lost."),
    ("148-2023", "11", "part:C", None, "max"): "GAP_C",
    ("148-2023", "12", "part:C", None, "max"): "GAP_C",
    ("148-2023", "13", "part:C", None, "max"): "GAP_C",
    ("148-2023", "13", "6.1", None, "max"): dict(
        printed="(no maximum printed)", applied=10,
        reason="Gap in the secondary copy: the group \"a) Ngoại hình\" prints no maximum; 10 is the sum "
               "of its five sub-criteria (2 each)."),
    ("148-2023", "13", "6.2", None, "max"): dict(
        printed="(no maximum printed)", applied=4,
        reason="Gap in the secondary copy: the group \"b) Nước pha\" prints no maximum; 4 is the sum of "
               "its two sub-criteria (2 each)."),
}
EMPTY_12 = dict(
    printed="", applied=0,
    reason="The points cell of \"Không được cấp giấy chứng nhận chất lượng\" is empty. 0 is applied: the "
           "other options are 1 and 2 (maximum 2), and the same option scores 0 in every other form "
           "of this decision.")
YES_NO = dict(
    field="options", printed="(no options printed)", applied="yes = max, no = 0",
    reason="The form prints the criterion and its maximum but no options (□). It is read as yes/no: "
           "a bilingual label scores the maximum, none scores 0.")

# --------------------------------------------------------------------------------------------
# YAML writer (block style; ids always double-quoted; text plain when it round-trips)
# --------------------------------------------------------------------------------------------

NUMERIC_LIKE = re.compile(r"^[0-9][0-9.]*$")


def q(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def key(k: str) -> str:
    if NUMERIC_LIKE.match(k) or k in ("yes", "no", "null", "true", "false", "on", "off", "y", "n"):
        return q(k)
    return k


def scalar(v, flow=False) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        if float(v).is_integer():
            return str(int(v))
        return repr(float(v))
    s = str(v)
    if flow or not s or "\n" in s:
        return q(s)
    if NUMERIC_LIKE.match(s):
        return q(s)
    try:
        if yaml.safe_load("k: " + s) == {"k": s} and not s.startswith(("'", '"', "-", "?", "*", "&", "!", "|", ">", "%", "@", "`", "[", "{")):
            return s
    except yaml.YAMLError:
        pass
    return q(s)


class Flow:
    """A value written in flow style on one line."""

    def __init__(self, v):
        self.v = v


def flow(v) -> str:
    if isinstance(v, dict):
        return "{" + ", ".join(f"{key(str(k))}: {flow(x)}" for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ", ".join(flow(x) for x in v) + "]"
    if isinstance(v, str) and re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", v) and v not in ("yes", "no", "null", "true", "false"):
        return v
    return scalar(v, flow=True)


def emit(v, indent=0, out=None) -> list[str]:
    out = [] if out is None else out
    pad = "  " * indent
    if isinstance(v, dict):
        for k, x in v.items():
            if isinstance(x, Flow):
                out.append(f"{pad}{key(str(k))}: {flow(x.v)}")
            elif isinstance(x, dict):
                if not x:
                    out.append(f"{pad}{key(str(k))}: {{}}")
                else:
                    out.append(f"{pad}{key(str(k))}:")
                    emit(x, indent + 1, out)
            elif isinstance(x, list):
                if not x:
                    out.append(f"{pad}{key(str(k))}: []")
                else:
                    out.append(f"{pad}{key(str(k))}:")
                    emit(x, indent + 1, out)
            else:
                out.append(f"{pad}{key(str(k))}: {scalar(x)}")
    elif isinstance(v, list):
        for x in v:
            if isinstance(x, Flow):
                out.append(f"{pad}- {flow(x.v)}")
            elif isinstance(x, dict):
                sub = emit(x, indent + 1, [])
                out.append(f"{pad}- {sub[0].lstrip()}")
                out.extend(sub[1:])
            else:
                out.append(f"{pad}- {scalar(x)}")
    return out


def plain(v):
    """The Python value that the emitted YAML must load back to."""
    if isinstance(v, Flow):
        return plain(v.v)
    if isinstance(v, dict):
        return {str(k): plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [plain(x) for x in v]
    return v


# --------------------------------------------------------------------------------------------
# Conversion
# --------------------------------------------------------------------------------------------


class Names:
    def __init__(self, path: Path):
        d = yaml.safe_load(path.read_text(encoding="utf-8"))
        self.forms = d.get("forms") or {}
        self.titles = d.get("titles") or {}
        self.overrides = d.get("overrides") or {}
        self.missing: list[str] = []

    def title(self, vi: str, where: str) -> str:
        if where in self.overrides:
            return self.overrides[where]
        en = self.titles.get(vi)
        if en is None:
            self.missing.append(f"{where}: {vi}")
            return "?"
        return en

    def form(self, vi: str, where: str) -> str:
        en = self.forms.get(vi)
        if en is None:
            self.missing.append(f"{where} (form): {vi}")
            return "?"
        return en


def num(v):
    if v is None:
        return None
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


class Converter:
    def __init__(self, key: str, names: Names):
        self.key = key
        self.d = DECISIONS[key]
        self.names = names
        self.stats = dict(forms=0, criteria=0, options=0, stars=0, anomalies=0, conditions=0, knockouts=0)
        self.used_anomalies: set = set()
        self.untyped: list[str] = []

    # -- helpers ---------------------------------------------------------------------------
    def src(self, set_id, part=None, item=None, extra=None):
        s = f"{self.d['number']}, {self.d['annex']}, Bộ sản phẩm {set_id}"
        if part:
            s += f", Phần {part}"
        if item:
            s += f", mục {item}"
        if extra:
            s += f", {extra}"
        if self.d["secondary"]:
            s += " (bản sao thứ cấp)"
        return s

    def anomaly(self, set_id, cid, opt, field):
        k = (self.key, set_id, cid, opt, field)
        a = ANOMALIES.get(k)
        if a is None:
            return None
        self.used_anomalies.add(k)
        if a == "EMPTY_12":
            a = EMPTY_12
        elif a == "GAP_C":
            a = "GAP_C"
        return a

    # -- one form --------------------------------------------------------------------------
    def convert(self, path: Path) -> dict:
        ref = yaml.safe_load(path.read_text(encoding="utf-8"))
        set_id = path.name[:2]
        self.set_id = set_id
        self.facts: dict = {}
        self.knockouts: dict = {}
        self.notes: list[str] = []
        self.order: list[str] = []  # criterion ids in form order (for condition checks)
        self.options_of: dict = {}
        self.stats["forms"] += 1

        name_vi = ref["name_vi"]
        if self.d["secondary"]:
            csv = ref["name_in_source_vi"]
            fsrc = f"{self.d['number']}, {self.d['annex']}, Bộ sản phẩm {set_id} ({SECONDARY_SOURCE}OCOP - {csv}.csv)"
        else:
            fsrc = f"{self.d['number']}, {self.d['annex']}, Bộ sản phẩm {set_id} ({ref['classification_code']})"
        form = {
            "decision": self.key,
            "set": set_id,
            "name_vi": name_vi,
            "name_en": self.names.form(name_vi, f"{self.key}/{set_id}"),
            "source": fsrc,
        }

        if not self.d["secondary"]:
            self.disqualification(ref, set_id)

        parts = {}
        for p in ref["parts"]:
            parts[p["part"]] = self.part(p, set_id)

        # the reference's own remarks, except its format boilerplate
        for n in ref.get("notes") or []:
            if any(n.startswith(b) or n.lstrip("'").startswith(b) for b in BOILERPLATE):
                continue
            if any(m in n for m in REPRESENTED):
                continue
            self.notes.append("Reference transcription: " + n)

        if self.key == "26-2026" and set_id == "26":
            self.notes.append(
                "No \"Hồ sơ bị loại khi\" note is printed under this form; the decision-level knock-outs "
                "(falsified_dossier, registration_dossier_noncompliant) still apply to it, as to every form.")
            self.notes.append(
                "The star legend (\"Dấu sao là yêu cầu tối thiểu…\") is not printed under this form; the "
                "legend of the other 25 forms is assumed (each marked option records it as an anomaly).")
        if self.d["secondary"]:
            self.notes.append(
                "Secondary copy (a council app's CSV), not the signed decision. Criterion ids are positional "
                "(the copy labels criteria a), b), c)…); the copy has no \"Hồ sơ bị loại khi\" line and no "
                "star legend, so this form has no header knock-outs.")
            self.notes.append(
                "The copy prints \"****\" on the title \"Sở hữu trí tuệ\" (3.6), not on an option; it is "
                "encoded as star 4 on the lowest option a (anomaly on the criterion).")
        self.notes.extend(self.untyped)
        self.untyped = []

        doc = {"form": form}
        if self.facts:
            doc["facts"] = self.facts
        if self.knockouts:
            doc["knockouts"] = self.knockouts
        if self.notes:
            doc["notes"] = self.notes
        doc["parts"] = parts
        return doc

    def disqualification(self, ref, set_id):
        lines = ref.get("disqualification_vi") or []
        seen = set()
        for line in lines:
            rest = line
            for first in DISQ_FIRST:
                rest = rest.replace(first, "", 1)
            for last in DISQ_LAST:
                rest = rest.replace(last, "")
            for text, fact, en, note in KNOCKOUT_CLAUSES:
                if text in rest:
                    rest = rest.replace(text, "", 1)
                    if fact in seen:
                        continue
                    seen.add(fact)
                    self.add_knockout(fact, en, "Hồ sơ bị loại khi: … " + text,
                                      self.src(set_id, extra="ghi chú \"Hồ sơ bị loại khi\""),
                                      fact_text=text)
                    if note:
                        self.notes.append(note)
            leftover = re.sub(r"(Hồ sơ bị loại khi:|Bị loại khi:|hoặc|[;:,. ])", "", rest)
            if leftover:
                raise SystemExit(f"{self.key}/{set_id}: unmatched part of \"Hồ sơ bị loại khi\": {rest!r}")

    def add_knockout(self, fact, en, text_vi, source, fact_text):
        if fact not in self.d["decision_facts"] and fact not in self.facts:
            self.facts[fact] = {"text_vi": fact_text, "name_en": en}
        if fact in self.knockouts:
            return
        self.knockouts[fact] = {
            "when": Flow({"fact": fact}),
            "text_vi": text_vi,
            "name_en": en,
            "source": source,
        }
        self.stats["knockouts"] += 1

    def add_fact(self, fact, text_vi, en):
        if fact not in self.d["decision_facts"] and fact not in self.facts:
            self.facts[fact] = {"text_vi": text_vi, "name_en": en}

    def part(self, p, set_id):
        pid = p["part"]
        out = {
            "title_vi": p["title_vi"],
            "name_en": self.names.title(p["title_vi"], f"{self.key}/{set_id}/part {pid}"),
            "max": num(p["max_points"]),
        }
        secs = {}
        for s in p["sections"]:
            secs[s["id"]] = self.section(s, pid, set_id)
        total = sum(x["max"] for x in secs.values())
        a = self.anomaly(set_id, f"part:{pid}", None, "max")
        if a == "GAP_C":
            a = dict(printed=str(num(p["max_points"])), applied=num(p["max_points"]),
                     reason=f"Gap in the secondary copy: Part C prints {num(p['max_points'])} (as Điều 3 of the "
                            f"decision and every other form) but its sections add up to {num(total)}; a criterion "
                            f"or a point value was probably lost in the transcription (see the 148-2023 README).")
        if a:
            out["max"] = a["applied"]
            out["anomalies"] = [{"field": "max", **a}]
            self.stats["anomalies"] += 1
        out["sections"] = secs
        return out

    def section(self, s, pid, set_id):
        out = {
            "title_vi": s["title_vi"],
            "name_en": self.names.title(s["title_vi"], f"{self.key}/{set_id}/{s['id']}"),
            "max": num(s["max_points"]),
        }
        crits = s["criteria"]
        desc = s.get("description_vi")
        if desc and not (len(crits) == 1 and crits[0].get("description_vi") == desc):
            out["description_vi"] = desc
        sec_notes = list(s.get("notes_vi") or [])
        gate_notes = [n for n in sec_notes if FOODSAFETY_NOTE.search(n)]
        sec_notes = [n for n in sec_notes if n not in gate_notes]
        if sec_notes:
            out["notes_vi"] = sec_notes
        # nest groups
        by_id = {}
        top = {}
        for c in crits:
            node = self.criterion(c, pid, s["id"], set_id)
            by_id[c["id"]] = node
            if c.get("parent"):
                by_id[c["parent"]].setdefault("criteria", {})[c["id"]] = node
            else:
                top[c["id"]] = node
        # move `source`/`anomalies` after nested criteria for readability
        for node in by_id.values():
            if "criteria" in node:
                for k in ("source", "anomalies"):
                    if k in node:
                        node[k] = node.pop(k)
        # section-level gate notes (148: "Không đánh giá các bước tiếp theo nếu … ATTP …")
        for n in gate_notes:
            if len(top) != 1:
                raise SystemExit(f"{self.key}/{set_id}/{s['id']}: section gate note on a section with {len(top)} criteria")
            (cid, node), = top.items()
            self.gate_foodsafety(node, cid, n)
            top[cid] = reorder(node)
        self.stops_scope(s["id"], top)
        out["criteria"] = top
        return out

    def criterion(self, c, pid, sid, set_id):
        cid = c["id"]
        self.order.append(cid)
        kind = c["kind"]
        node = {
            "title_vi": c["title_vi"],
            "name_en": self.names.title(c["title_vi"], f"{self.key}/{set_id}/{cid}"),
        }
        if c.get("description_vi"):
            node["description_vi"] = c["description_vi"]
        notes = list(c.get("notes_vi") or [])
        node["max"] = num(c["max_points"])
        anomalies = []

        if kind == "single":
            pass
        elif kind == "group":
            node["kind"] = "group"
        elif kind == "yes_no_unprinted":
            node["kind"] = "yes_no"
            anomalies.append(dict(YES_NO))
        else:
            raise SystemExit(f"{self.key}/{set_id}/{cid}: unknown kind {kind}")

        a = self.anomaly(set_id, cid, None, "max")
        if a:
            node["max"] = a["applied"]
            anomalies.append({"field": "max", **a})

        if c.get("cases"):
            node["cases"] = {}
            for cs in c["cases"]:
                m = re.match(r"Trường hợp (\d+)", cs["title_vi"])
                node["cases"][m.group(1)] = Flow({"title_vi": cs["title_vi"]})
            case_ids = {cs["case"]: re.match(r"Trường hợp (\d+)", cs["title_vi"]).group(1) for cs in c["cases"]}

        # 148: "****" printed on the criterion title
        title_star = c.get("star_marker_on_criterion")

        options = {}
        for i, o in enumerate(c.get("options") or []):
            ok = o["key"]
            pts = num(o["points"])
            opt = {"points": pts, "text_vi": o["text_vi"]}
            star = o.get("star_marker")
            if title_star and i == 0:
                if star:
                    raise SystemExit(f"{self.key}/{set_id}/{cid}: title star and option star")
                star = title_star
            if star:
                opt["star"] = star
                self.stats["stars"] += 1
            if o.get("case"):
                opt["case"] = case_ids[o["case"]]
            oa = []
            a = self.anomaly(set_id, cid, ok, "points")
            if a:
                if pts is not None and str(pts) != a["printed"]:
                    raise SystemExit(f"{self.key}/{set_id}/{cid}.{ok}: anomaly printed {a['printed']} but reference has {pts}")
                if pts is None:
                    src_pts = o.get("points_in_source_vi")
                    if src_pts is not None and src_pts != a["printed"]:
                        raise SystemExit(f"{self.key}/{set_id}/{cid}.{ok}: printed {src_pts!r} != {a['printed']!r}")
                opt["points"] = a["applied"]
                oa.append({"field": "points", **a})
            elif pts is None:
                raise SystemExit(f"{self.key}/{set_id}/{cid}.{ok}: points missing and no anomaly recorded")
            if star and self.key == "26-2026" and set_id == "26":
                oa.append({"field": "text", "printed": "*" * star + " (no star legend under this form)",
                           "applied": f"star: {star}",
                           "reason": "The form prints the marker but not the legend \"Dấu sao là yêu cầu tối "
                                     "thiểu phải đạt theo các cấp độ sao\" printed under the other 25 forms; "
                                     "that legend is assumed to apply here too."})
            if oa:
                opt["anomalies"] = oa
                self.stats["anomalies"] += len(oa)
                options[ok] = opt
            else:
                options[ok] = Flow(opt)
            self.stats["options"] += 1
        if title_star:
            anomalies.append({
                "field": "title", "printed": c["title_vi"] + "*" * title_star,
                "applied": f"star: {title_star} on option a (the lowest option)",
                "reason": "The copy puts the marker on the criterion title, not on an option. Read as: for "
                          f"{title_star} stars the criterion must be met at all, i.e. at least its lowest option "
                          "a (an interpretation; the 26/2026 form marks options of the same criterion)."})
        self.options_of[cid] = {k: (plain(v)["points"]) for k, v in options.items()}

        # ---- gates and knock-outs from the printed notes ----
        kept = []
        for n in notes:
            if STORY_NOTE.search(n):
                self.gate_story(node, cid, n)
                continue
            if IMPURITY_NOTE.search(n):
                self.gate_impurity(node, cid, n, options)
                continue
            if ZERO_NOTE.search(n):
                self.gate_zero(node, cid, n, sid)
                continue
            if DECLARATION_NOTE.search(n):
                self.gate_declaration(node, cid, n)
                continue
            if FOODSAFETY_NOTE.search(n):
                self.gate_foodsafety(node, cid, n)
                continue
            for rx, fact, en, note in NOTE_KNOCKOUTS:
                if rx.search(n):
                    self.add_fact(fact, n, en)
                    if fact not in self.knockouts:
                        self.knockouts[fact] = {
                            "when": Flow({"fact": fact}),
                            "text_vi": n,
                            "name_en": en,
                            "source": self.src(set_id, pid, cid, "ghi chú"),
                        }
                        self.stats["knockouts"] += 1
                        if note and note not in self.notes:
                            self.notes.append(note)
            kept.append(n)  # knock-out notes stay on the criterion where they are printed
        # story condition printed in the description (148)
        if c.get("description_vi") and STORY_NOTE.search(c["description_vi"]) and "applies_if" not in node:
            self.gate_story(node, cid, c["description_vi"])
        for n in kept + [c.get("description_vi") or ""]:
            for rx, msg in UNTYPED_NOTES:
                if rx.search(n):
                    self.untyped.append(msg.format(id=cid))
        if kept:
            node["notes_vi"] = kept

        if kind == "group":
            pass
        elif kind != "yes_no_unprinted":
            node["options"] = options
        label = c.get("label_in_source_vi")
        node["source"] = self.src(set_id, pid, cid, f"nhãn \"{label.strip()}\"" if label else None)
        if anomalies:
            node["anomalies"] = anomalies
            self.stats["anomalies"] += len(anomalies)
        self.stats["criteria"] += 1
        return reorder(node)

    # ---- gates ----
    def gate_story(self, node, cid, note):
        story = "5.1"
        if story not in self.options_of or self.order.index(story) >= self.order.index(cid):
            raise SystemExit(f"{self.key}/{self.set_id}/{cid}: story note but no earlier 5.1")
        # the options of 5.1 that mean "no story"
        no = [k for k, (t) in self.texts_of(story).items() if t.startswith("Không có câu chuyện")]
        if len(no) != 1:
            raise SystemExit(f"{self.key}/{self.set_id}/5.1: expected one 'no story' option, got {no}")
        # `none` on 5.1 (no printed option met) does not establish a story either.
        node["applies_if"] = {"when": Flow({"answer": story, "not_in": no + ["none"]}), "note_vi": note}
        self.stats["conditions"] += 1

    def texts_of(self, cid):
        return self._texts[cid]

    def gate_impurity(self, node, cid, note, options):
        bad = [k for k, v in options.items()
               if plain(v)["points"] == 0 and plain(v)["text_vi"].startswith("Có tạp chất")
               and "chấp nhận được" not in plain(v)["text_vi"]]
        if bad:
            when = {"answer": cid, "in": bad}
        else:
            fact = "unacceptable_impurities_found"
            self.add_fact(fact, note, "Unacceptable impurities (a food-safety risk) found")
            when = {"fact": fact}
            msg = (f"Criterion {cid}: no option of it means \"unacceptable impurities\" (those printed are "
                   "size/shape options or impurities \"chấp nhận được\"), so its impurity stop note is typed "
                   "on the form fact unacceptable_impurities_found.")
            self.untyped.append(msg)
        node["stops_section"] = {"when": Flow(when), "note_vi": note}
        self.stats["conditions"] += 1

    def gate_zero(self, node, cid, note, sid):
        anys = []
        for other in self.order[: self.order.index(cid) + 1]:
            if other.split(".")[0] != sid:
                continue
            zero = [k for k, p in self.options_of.get(other, {}).items() if p == 0]
            if zero:
                anys.append({"answer": other, "in": zero})
        node["stops_section"] = {"when": Flow({"any": anys}), "note_vi": note}
        self.stats["conditions"] += 1

    def gate_declaration(self, node, cid, note):
        node["stops_section"] = {"when": Flow({"fact": "product_declaration_missing"}), "note_vi": note}
        self.stats["conditions"] += 1
        self.untyped.append(
            f"Criterion {cid}: \"Không đánh giá các bước tiếp theo nếu không có Phiếu công bố sản phẩm …\" is "
            "typed on the decision fact product_declaration_missing: the criterion's options grade the product "
            "standard dossier (\"hồ sơ công bố tiêu chuẩn sản phẩm\"), not the product declaration itself. The "
            "same fact is also a knock-out of this form (\"không có Bản công bố sản phẩm\").")

    def gate_foodsafety(self, node, cid, note):
        node["stops_section"] = {"when": Flow({"fact": "food_safety_certificate_noncompliant"}), "note_vi": note}
        self.stats["conditions"] += 1
        self.untyped.append(
            f"Criterion {cid}: the food-safety certificate gate is typed on the fact "
            "food_safety_certificate_noncompliant (no option of the criterion is about the certificate).")

    def stops_scope(self, sid, top):
        """One note per stops_section gate: what it stops in the DSL, what it cannot."""
        flat = []

        def walk(cs):
            for k, v in cs.items():
                flat.append((k, v))
                if v.get("criteria"):
                    walk(v["criteria"])

        walk(top)
        for i, (cid, node) in enumerate(flat):
            if "stops_section" not in node:
                continue
            after = [k for k, _ in flat[i + 1:]]
            if after:
                msg = (f"Criterion {cid}: the printed stop (\"…không đánh giá các bước tiếp theo\" or \"không xem "
                       f"xét các chỉ tiêu khác\") is encoded as stops_section and zeroes {', '.join(after)} of "
                       f"section {sid}. Whether it also stops later sections is not said; it is read as stopping "
                       "the rest of the section only, as DOMAIN.md reads «không đánh giá các bước tiếp theo» (a "
                       "wider stop could be written as applies_if on the later criteria).")
            else:
                msg = (f"Criterion {cid} is the last of section {sid}, so its stops_section (\"không đánh giá "
                       "các bước tiếp theo\") has no scoring effect: a stop ends its section, as DOMAIN.md reads it, "
                       "and the following steps printed here are in later sections. Kept for the trace; the "
                       "later sections are still scored.")
            self.untyped.append(msg)


# reference notes whose content is already an anomaly or a gate of the rule file
REPRESENTED = [
    "has NO printed options", "EMPTY points cell", "highest option (", "not strictly increasing",
    "Part A heading says", "star-marker legend", "MISMATCH", "SOURCE ANOMALY", "points cell reads",
    "no maximum printed", "several numbers in its points cell", "option points not in increasing order",
]

BOILERPLATE = [
    "Numbering (ids) is exactly as printed",
    "Star-marker rule as implemented-ready reading",
    "kind: single = choose one option",
    "Option text is verbatim except",
    "Transcribed by machine parsing",
    "Criterion ids are positional",
    "Where a section carries options directly",
    "Star markers (***, ****, *****) are moved",
    "Knock-out and gate notes",
    "Text kept verbatim",
    "An earlier copy of this form",
]

ORDER = ["title_vi", "name_en", "description_vi", "notes_vi", "max", "kind", "cases", "applies_if",
         "stops_section", "options", "criteria", "source", "anomalies"]


def reorder(node):
    return {k: node[k] for k in sorted(node, key=lambda k: ORDER.index(k) if k in ORDER else 99)}


def convert_folder(ref_dir: Path, out_root: Path, names: Names, check_only=False):
    key = ref_dir.name
    if key not in DECISIONS:
        raise SystemExit(f"unknown decision folder {ref_dir}")
    conv = Converter(key, names)
    out_dir = out_root / key
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted(ref_dir.glob("[0-9][0-9]-*.yaml")):
        ref = yaml.safe_load(path.read_text(encoding="utf-8"))
        # option texts by criterion (for typed conditions)
        conv._texts = {}
        for p in ref["parts"]:
            for s in p["sections"]:
                for c in s["criteria"]:
                    conv._texts[c["id"]] = {o["key"]: o["text_vi"] for o in c.get("options") or []}
        doc = conv.convert(path)
        text = "\n".join(header(key, path) + emit(doc)) + "\n"
        back = yaml.safe_load(text)
        if back != plain(doc):
            raise SystemExit(f"{path.name}: the emitted YAML does not load back to the same data")
        target = out_dir / path.name
        target.write_text(text, encoding="utf-8")
        written.append(target)
    missing_anoms = set(k for k in ANOMALIES if k[0] == key) - conv.used_anomalies
    if missing_anoms:
        raise SystemExit(f"anomalies in the table that matched nothing: {sorted(missing_anoms)}")
    if names.missing:
        raise SystemExit("titles missing from tools/names_en.yaml:\n  " + "\n  ".join(sorted(set(names.missing))))
    return written, conv.stats


def header(key, path):
    return [
        f"# Generated by tools/convert_reference.py from shared/reference/{key}/{path.name}.",
        "# Do not edit by hand: change the script or tools/names_en.yaml and re-run it.",
    ]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("reference", nargs="+", type=Path, help="reference folder(s), e.g. /work/shared/reference/26-2026")
    ap.add_argument("--out", type=Path, default=REPO / "rules", help="rules folder (default: rules/)")
    ap.add_argument("--names", type=Path, default=TOOLS / "names_en.yaml")
    args = ap.parse_args(argv)
    names = Names(args.names)
    for ref in args.reference:
        written, stats = convert_folder(ref, args.out, names)
        print(f"{ref.name}: wrote {len(written)} files to {args.out / ref.name}; " +
              ", ".join(f"{k} {v}" for k, v in stats.items()))


if __name__ == "__main__":
    main()
