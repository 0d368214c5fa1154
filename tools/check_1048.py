#!/usr/bin/env python3
"""Check the 1048/QĐ-TTg rule files written by tools/convert_1048.py.

    python3 tools/check_1048.py            # every form in rules/1048-2019/
    python3 tools/check_1048.py FILE...    # only these

Checks, for every form (docs/rule-dsl.md):
  * only known fields; ids are quoted strings; every node has title_vi and a real name_en;
    every criterion has a source;
  * an option never exceeds its criterion's max (unless the option records an anomaly on points);
  * pick: max = highest option; cumulative: options add up to max; group: children add up to max;
    section and part: children add up to max (each unless the node records an anomaly on max);
  * part maxima A 35 / B 25 / C 40 (the decision's), in that order;
  * an anomaly on points/max states the value the node applies; every anomaly has a reason;
  * cases: every option of a criterion with cases names one of them, and none without;
  * conditions (applies_if, stops_section, knock-outs): facts exist (form or decision), criteria
    exist and come earlier in the form (stops_section may read its own answer), keys are option
    keys of that criterion (or yes/no for yes_no, or none);
  * minimums name an existing answered criterion and one of its options (or yes);
  * Vietnamese texts of the forms taken from the decision text occur verbatim in it (within the
    form's lines), unless a note or anomaly of the form quotes them as kept from the reference;
  * the files are what tools/convert_1048.py produces (re-run with --check).
Exit status 1 when anything is found.
"""
from __future__ import annotations

import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import yaml

TOOLS = Path(__file__).resolve().parent
REPO = TOOLS.parent
RULES = REPO / "rules" / "1048-2019"
SRC = Path("/work/shared/reference/1048-781/source/qd-1048-2019-QD-TTg.txt")
PART_MAX = {"A": 35, "B": 25, "C": 40}

FORM_KEYS = {"form", "parts", "facts", "knockouts", "minimums", "notes"}
HEAD_KEYS = {"decision", "set", "name_vi", "name_en", "source", "in_force_from", "in_force_until", "version_note"}
PART_KEYS = {"title_vi", "name_en", "max", "sections", "anomalies"}
SECTION_KEYS = {"title_vi", "name_en", "max", "criteria", "description_vi", "notes_vi", "anomalies"}
CRIT_KEYS = {"title_vi", "name_en", "max", "kind", "options", "criteria", "cases", "applies_if", "stops_section",
             "source", "description_vi", "notes_vi", "anomalies"}
OPTION_KEYS = {"points", "text_vi", "star", "case", "anomalies"}
ANOMALY_KEYS = {"field", "printed", "applied", "reason"}
ANOMALY_FIELDS = {"points", "max", "options", "title", "text", "heading", "case"}


class StrLoader(yaml.SafeLoader):
    """Keeps every scalar as text, so that an unquoted 1.1 or 01 can be caught."""


def _str(loader, node):
    return loader.construct_scalar(node)


for tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool",
            "tag:yaml.org,2002:null", "tag:yaml.org,2002:timestamp"):
    StrLoader.add_constructor(tag, _str)


def nfc(s):
    return unicodedata.normalize("NFC", s)


def squash(s):
    return re.sub(r"\s+", " ", nfc(s)).strip()


class Checker:
    def __init__(self):
        self.problems: list[str] = []
        self.counts = {"forms": 0, "criteria": 0, "groups": 0, "options": 0, "minimums": 0, "anomalies": 0,
                       "conditions": 0, "knockouts": 0, "facts": 0}
        dec = yaml.safe_load((RULES / "decision.yaml").read_text(encoding="utf-8"))
        self.decision_facts = set((dec.get("facts") or {}).keys())
        self.decision_knockouts = set((dec.get("knockouts") or {}).keys())
        self.src_lines = [""] + [squash(l) for l in SRC.open(encoding="utf-8")]

    def err(self, where, msg):
        self.problems.append(f"{where}: {msg}")

    # ------------------------------------------------------------------
    def check_file(self, path: Path):
        name = path.name
        text = path.read_text(encoding="utf-8")
        raw = yaml.safe_load(text)           # typed, for numbers
        strs = yaml.load(text, Loader=StrLoader)  # all text, for ids
        self.counts["forms"] += 1
        self.keys(name, raw, FORM_KEYS, "the file")
        head = raw.get("form") or {}
        self.keys(name, head, HEAD_KEYS, "form")
        if strs["form"].get("set") is None or not re.fullmatch(r"\d\d", str(raw["form"].get("set", ""))):
            self.err(name, "form.set must be a quoted two-digit text")
        if head.get("decision") != "1048-2019":
            self.err(name, "form.decision is not 1048-2019")
        for k in ("name_vi", "name_en", "source"):
            if not head.get(k):
                self.err(name, f"form.{k} missing")
        facts = set((raw.get("facts") or {}).keys())
        self.counts["facts"] += len(facts)
        clash = facts & self.decision_facts
        if clash:
            self.err(name, f"facts already declared by the decision: {sorted(clash)}")
        all_facts = facts | self.decision_facts
        for fid, f in (raw.get("facts") or {}).items():
            if not (f.get("text_vi") and f.get("name_en")) or set(f) - {"text_vi", "name_en"}:
                self.err(name, f"fact {fid}: needs exactly text_vi and name_en")

        # the answered criteria, in form order, with their option keys
        self.leaves: list[tuple[str, str, set]] = []   # (id, kind, keys)
        self.all_ids: set[str] = set()
        self.file = name
        self.form_facts = all_facts
        self.notes_text = " ".join(raw.get("notes") or [])
        d_range = self.d_range(head)
        parts = raw.get("parts") or {}
        if list(parts.keys()) != ["A", "B", "C"]:
            self.err(name, f"parts {list(parts.keys())}, expected A, B, C")
        gates = []
        for pid, part in parts.items():
            where = f"{name}: parts.{pid}"
            self.keys(where, part, PART_KEYS, "part")
            self.names(where, part)
            amax = self.anomalies(where, part.get("anomalies"), "max", part.get("max"))
            if part.get("max") != PART_MAX.get(pid):
                self.err(where, f"max {part.get('max')} but the decision gives {PART_MAX.get(pid)}")
            ssum = 0
            for sid, sec in (part.get("sections") or {}).items():
                swhere = f"{where}.sections.{sid}"
                if not isinstance(self.strkey(strs, ["parts", pid, "sections"], sid), str):
                    self.err(swhere, "section id not quoted")
                self.keys(swhere, sec, SECTION_KEYS, "section")
                self.names(swhere, sec)
                smax_anom = self.anomalies(swhere, sec.get("anomalies"), "max", sec.get("max"))
                csum = 0
                for cid, c in (sec.get("criteria") or {}).items():
                    csum += c.get("max", 0)
                    self.criterion(f"{swhere}.criteria.{cid}", cid, c, gates, d_range)
                if csum != sec.get("max") and not smax_anom:
                    self.err(swhere, f"criteria add up to {csum}, max {sec.get('max')}")
                ssum += sec.get("max", 0)
            if ssum != part.get("max") and not amax:
                self.err(where, f"sections add up to {ssum}, max {part.get('max')}")
        # ids quoted: every criteria key must load as text in the typed load too
        self.quoted_ids(name, raw)
        # conditions
        order = [l[0] for l in self.leaves]
        for where, cid, kind, gate in gates:
            if set(gate) != {"when", "note_vi"} or not gate.get("note_vi"):
                self.err(where, f"{kind} needs exactly when and note_vi")
            limit = order.index(cid) + (1 if kind == "stops_section" else 0)
            self.condition(where + "." + kind + ".when", gate.get("when"), limit)
            self.counts["conditions"] += 1
        for kid, k in (raw.get("knockouts") or {}).items():
            where = f"{name}: knockouts.{kid}"
            if set(k) != {"when", "text_vi", "name_en", "source"}:
                self.err(where, f"fields {sorted(k)}")
            if kid in self.decision_knockouts:
                self.err(where, "already declared by the decision")
            self.condition(where + ".when", k.get("when"), len(order))
            self.counts["knockouts"] += 1
        for i, m in enumerate(raw.get("minimums") or []):
            where = f"{name}: minimums[{i}]"
            if set(m) != {"stars", "criterion", "at_least", "text_vi", "source"}:
                self.err(where, f"fields {sorted(m)}")
            leaf = [l for l in self.leaves if l[0] == m.get("criterion")]
            if not leaf:
                self.err(where, f"unknown criterion {m.get('criterion')}")
            elif m.get("at_least") not in leaf[0][2] or m.get("at_least") == "none":
                self.err(where, f"criterion {m.get('criterion')} has no option {m.get('at_least')}")
            if m.get("stars") not in (2, 3, 4, 5):
                self.err(where, f"stars {m.get('stars')}")
            if not isinstance(strs["minimums"][i]["criterion"], str) or not isinstance(m.get("criterion"), str):
                self.err(where, "criterion id not quoted")
            self.counts["minimums"] += 1

    # ------------------------------------------------------------------
    def criterion(self, where, cid, c, gates, d_range):
        if not isinstance(cid, str):
            self.err(where, "criterion id is not a text (quote it)")
            cid = str(cid)
        self.keys(where, c, CRIT_KEYS, "criterion")
        self.names(where, c)
        if cid in self.all_ids:
            self.err(where, "duplicate id")
        self.all_ids.add(cid)
        if not c.get("source"):
            self.err(where, "no source")
        kind = c.get("kind", "pick")
        if kind not in ("pick", "yes_no", "cumulative", "group"):
            self.err(where, f"kind {kind}")
        mx = c.get("max")
        max_anom = self.anomalies(where, c.get("anomalies"), "max", mx)
        self.texts(where, c, d_range)
        if kind == "group":
            self.counts["groups"] += 1
            if c.get("options") or not c.get("criteria"):
                self.err(where, "a group has children and no options")
            if c.get("applies_if") or c.get("stops_section"):
                self.err(where, "a group has no condition")
            total = 0
            for k, child in c["criteria"].items():
                total += child.get("max", 0)
                self.criterion(f"{where}.criteria.{k}", k, child, gates, d_range)
            if total != mx and not max_anom:
                self.err(where, f"children add up to {total}, max {mx}")
            return
        self.counts["criteria"] += 1
        opts = c.get("options") or {}
        if kind == "yes_no":
            if opts:
                self.err(where, "yes_no has no options")
            keys = {"yes", "no", "none"}
        else:
            if not opts:
                self.err(where, "no options")
            keys = set(opts) | {"none"}
        cases = c.get("cases") or {}
        for cs, v in cases.items():
            if set(v) != {"title_vi"} or not v.get("title_vi"):
                self.err(where, f"case {cs}: needs title_vi only")
        pts = []
        for k, o in opts.items():
            ow = f"{where}.options.{k}"
            self.counts["options"] += 1
            if not re.fullmatch(r"[a-z]", str(k)) or k in ("yes", "no", "none"):
                self.err(ow, "option keys are a, b, c…")
            self.keys(ow, o, OPTION_KEYS, "option")
            p = o.get("points")
            if not isinstance(p, (int, float)) or p < 0 or round(p * 100) != p * 100:
                self.err(ow, f"points {p!r}")
                continue
            p_anom = self.anomalies(ow, o.get("anomalies"), "points", p)
            if p > mx and not p_anom:
                self.err(ow, f"{p} points above the max {mx}")
            pts.append(p)
            if not o.get("text_vi"):
                self.err(ow, "empty text_vi")
            if cases:
                if o.get("case") not in cases:
                    self.err(ow, f"case {o.get('case')!r} not one of {list(cases)}")
            elif "case" in o:
                self.err(ow, "case without cases")
            if "star" in o and o["star"] not in (3, 4, 5):
                self.err(ow, f"star {o['star']}")
        if pts:
            want = sum(pts) if kind == "cumulative" else max(pts)
            if want != mx and not max_anom:
                rule = "options add up to" if kind == "cumulative" else "highest option is"
                self.err(where, f"{rule} {want}, max {mx}")
        self.leaves.append((cid, kind, keys))
        for g in ("applies_if", "stops_section"):
            if g in c:
                gates.append((where, cid, g, c[g]))

    def condition(self, where, cond, limit):
        if not isinstance(cond, dict) or len(cond) == 0:
            self.err(where, f"not a condition: {cond!r}")
            return
        if "fact" in cond:
            if set(cond) != {"fact"}:
                self.err(where, f"fields {sorted(cond)}")
            if cond["fact"] not in self.form_facts:
                self.err(where, f"unknown fact {cond['fact']}")
        elif "answer" in cond:
            if set(cond) not in ({"answer", "in"}, {"answer", "not_in"}):
                self.err(where, f"fields {sorted(cond)}")
            aid = cond["answer"]
            ids = [l[0] for l in self.leaves]
            if aid not in ids:
                self.err(where, f"unknown criterion {aid}")
                return
            i = ids.index(aid)
            if i >= limit:
                self.err(where, f"criterion {aid} is not earlier in the form")
            keys = self.leaves[i][2]
            for k in cond.get("in", cond.get("not_in", [])):
                if k not in keys:
                    self.err(where, f"{aid} has no option {k}")
        elif set(cond) in ({"all"}, {"any"}):
            for j, c in enumerate(next(iter(cond.values()))):
                self.condition(f"{where}[{j}]", c, limit)
        elif set(cond) == {"not"}:
            self.condition(where + ".not", cond["not"], limit)
        else:
            self.err(where, f"unknown condition {sorted(cond)}")

    def anomalies(self, where, items, field, value) -> bool:
        found = False
        for i, a in enumerate(items or []):
            aw = f"{where}.anomalies[{i}]"
            self.counts["anomalies"] += 1
            if set(a) != ANOMALY_KEYS:
                self.err(aw, f"fields {sorted(a)}")
            if a.get("field") not in ANOMALY_FIELDS:
                self.err(aw, f"field {a.get('field')}")
            if not str(a.get("reason", "")).strip():
                self.err(aw, "no reason")
            if a.get("field") == field:
                found = True
                if a.get("applied") != value:
                    self.err(aw, f"applied {a.get('applied')!r} but the node's {field} is {value!r}")
        return found

    def keys(self, where, node, allowed, what):
        if not isinstance(node, dict):
            self.err(where, f"{what} is not a mapping")
            return
        extra = set(node) - allowed
        if extra:
            self.err(where, f"unknown fields {sorted(extra)} in {what}")

    def names(self, where, node):
        if not node.get("title_vi"):
            self.err(where, "no title_vi")
        en = node.get("name_en")
        if not en or en == "?":
            self.err(where, "no name_en")

    def quoted_ids(self, name, raw):
        def walk(m, path):
            for k, v in m.items():
                if not isinstance(k, str):
                    self.err(name, f"{path}: id {k!r} is not quoted")
                if isinstance(v, dict) and "criteria" in v:
                    walk(v["criteria"], f"{path}.{k}")
        for pid, p in raw.get("parts", {}).items():
            for sid, s in p.get("sections", {}).items():
                if not isinstance(sid, str):
                    self.err(name, f"section id {sid!r} is not quoted")
                walk(s.get("criteria", {}), f"{pid}.{sid}")

    @staticmethod
    def strkey(strs, path, key):
        node = strs
        for p in path:
            node = node[p]
        return key if key in node else None

    # ------------------------------------------------------------------ verbatim texts
    def d_range(self, head):
        m = re.search(r"source text lines (\d+)–(\d+)", head.get("source", ""))
        if not m:
            return None
        return int(m.group(1)), int(m.group(2))

    def texts(self, where, c, d_range):
        if d_range is None:
            return
        s, e = d_range
        blob = "\n".join(self.src_lines[s:e + 1])
        kept = self.notes_text + " " + " ".join(str(a) for a in (c.get("anomalies") or []))
        items = [("title_vi", c.get("title_vi"))]
        if c.get("description_vi"):
            items.append(("description_vi", c["description_vi"]))
        items += [("notes_vi", n) for n in c.get("notes_vi") or []]
        for g in ("applies_if", "stops_section"):
            if g in c:
                items.append((g, c[g]["note_vi"]))
        for k, o in (c.get("options") or {}).items():
            items.append((f"options.{k}", o.get("text_vi")))
        for k, v in (c.get("cases") or {}).items():
            items.append((f"cases.{k}", v.get("title_vi")))
        for what, t in items:
            if not t:
                continue
            t2 = squash(t)
            if t2 in blob or t2.lower() in blob.lower():
                continue
            if f"«{t}»" in kept or (what.startswith("options.") and "from the reference copy" in kept):
                continue
            self.err(where, f"{what} «{t}» is not in the decision text (lines {s}–{e})")


def main(argv):
    files = [Path(a) for a in argv] or sorted(p for p in RULES.glob("*.yaml") if p.name != "decision.yaml")
    ck = Checker()
    for f in files:
        try:
            ck.check_file(f)
        except Exception as exc:  # a malformed file
            ck.err(f.name, f"cannot check: {exc!r}")
    if not argv:
        r = subprocess.run([sys.executable, str(TOOLS / "convert_1048.py"), "--check"], capture_output=True, text=True)
        if r.returncode != 0:
            ck.err("convert_1048.py --check", (r.stdout + r.stderr).strip())
    for p in ck.problems:
        print(p)
    c = ck.counts
    print(f"{c['forms']} forms, {c['criteria']} criteria (+{c['groups']} groups), {c['options']} options, "
          f"{c['minimums']} minimums, {c['anomalies']} anomalies, {c['conditions']} conditions, "
          f"{c['knockouts']} knock-outs, {c['facts']} facts; {len(ck.problems)} problem(s)")
    return 1 if ck.problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
