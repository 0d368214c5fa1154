#!/usr/bin/env python3
"""Self-check of the generated rule files (independent of the Rust engine).

    python3 tools/check_sums.py [rules/26-2026 rules/148-2023 …]

For every form of each decision folder it checks:
  - an option's points are at most the criterion max (unless the option records a `points` anomaly);
  - a pick criterion's max equals its highest option; a cumulative one the sum of its options;
    a group's max the sum of its children (unless the criterion records a `max` anomaly);
  - each section's max equals the sum of its criteria, each part's the sum of its sections, and
    the part max equals the decision's `parts` value (unless the node records a `max` anomaly);
  - anomalies: `applied` equals the node's value for `points` and `max`;
  - star markers: within a criterion, a higher class never marks an option worth fewer points
    than an option marked for a lower class;
  - conditions (applies_if, stops_section, knockouts): facts exist (form or decision), criteria exist
    and come EARLIER in the form (stops_section may also name its own criterion), option keys exist
    (or yes/no for yes_no criteria, or none);
  - ids are strings, every criterion has name_en, title_vi and source, yes_no has no options,
    group has children and no options, and only the DSL's field names are used.
Exit status 1 when anything fails.
"""
from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent

FORM_TOP = {"form", "facts", "knockouts", "minimums", "notes", "parts"}
FORM_HEAD = {"decision", "set", "name_vi", "name_en", "source", "in_force_from", "in_force_until", "version_note"}
PART = {"title_vi", "name_en", "max", "sections", "anomalies"}
SECTION = {"title_vi", "name_en", "max", "criteria", "description_vi", "notes_vi", "anomalies"}
CRITERION = {"title_vi", "name_en", "max", "kind", "options", "criteria", "cases", "applies_if",
             "stops_section", "source", "description_vi", "notes_vi", "anomalies"}
OPTION = {"points", "text_vi", "star", "case", "anomalies"}
ANOMALY = {"field", "printed", "applied", "reason"}
FIELDS = {"points", "max", "options", "title", "text", "heading", "case"}


def D(x) -> Decimal:
    return Decimal(str(x))


class Checker:
    def __init__(self):
        self.errors: list[str] = []
        self.counts = {}

    def err(self, where, msg):
        self.errors.append(f"{where}: {msg}")

    def fields(self, where, d, allowed, required=()):
        if not isinstance(d, dict):
            self.err(where, "expected a map")
            return False
        for k in d:
            if not isinstance(k, str):
                self.err(where, f"id/key {k!r} is not a string (quote it)")
            elif k not in allowed:
                self.err(where, f"unknown field `{k}`")
        for k in required:
            if k not in d:
                self.err(where, f"missing `{k}`")
        return True

    def anomalies(self, where, node, field=None, value=None):
        out = {}
        for a in node.get("anomalies") or []:
            self.fields(where + ".anomalies", a, ANOMALY, ANOMALY)
            if a.get("field") not in FIELDS:
                self.err(where, f"anomaly field {a.get('field')!r} not one of {sorted(FIELDS)}")
            if not str(a.get("reason") or "").strip():
                self.err(where, "anomaly without a reason")
            out.setdefault(a.get("field"), []).append(a)
            self.n_anomalies += 1
        if field and field in out:
            for a in out[field]:
                if D(a["applied"]) != D(value):
                    self.err(where, f"anomaly on {field}: applied {a['applied']} != the node's {value}")
        return out

    def check_decision(self, folder: Path):
        dec = yaml.safe_load((folder / "decision.yaml").read_text(encoding="utf-8"))
        key = dec["decision"]["key"]
        parts_max = dec["parts"]
        dfacts = set((dec.get("facts") or {}).keys())
        for kid, ko in (dec.get("knockouts") or {}).items():
            self.condition(f"{key}/decision.yaml knockouts.{kid}", ko["when"], dfacts, None, None, None)
        stats = dict(forms=0, criteria=0, options=0, stars=0, anomalies=0, conditions=0, knockouts=0)
        for path in sorted(folder.glob("[0-9][0-9]-*.yaml")):
            self.n_anomalies = 0
            s = self.check_form(path, key, parts_max, dfacts)
            for k, v in s.items():
                stats[k] += v
            stats["anomalies"] += self.n_anomalies
        self.counts[key] = stats

    def check_form(self, path: Path, key, parts_max, dfacts):
        where0 = f"{path.parent.name}/{path.name}"
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        st = dict(forms=1, criteria=0, options=0, stars=0, conditions=0, knockouts=0)
        self.fields(where0, doc, FORM_TOP, ("form", "parts"))
        head = doc["form"]
        self.fields(where0 + " form", head, FORM_HEAD, ("decision", "set", "name_vi", "name_en", "source"))
        if head.get("decision") != key:
            self.err(where0, f"form.decision {head.get('decision')!r} != folder {key}")
        if not (isinstance(head.get("set"), str) and len(head["set"]) == 2 and path.name.startswith(head["set"])):
            self.err(where0, f"form.set {head.get('set')!r} is not the two-digit set of the file")
        facts = set(dfacts) | set((doc.get("facts") or {}).keys())
        for fid, f in (doc.get("facts") or {}).items():
            self.fields(f"{where0} facts.{fid}", f, {"text_vi", "name_en"}, ("text_vi", "name_en"))
            if fid in dfacts:
                self.err(where0, f"form fact {fid} shadows a decision fact")
        # collect criteria in form order
        order: list[str] = []
        crit: dict[str, dict] = {}
        sec_of: dict[str, str] = {}

        def collect(cs, sid):
            for cid, c in cs.items():
                order.append(cid)
                crit[cid] = c
                sec_of[cid] = sid
                if isinstance(c, dict) and c.get("criteria"):
                    collect(c["criteria"], sid)

        for pid, p in doc["parts"].items():
            for sid, s in (p.get("sections") or {}).items():
                collect(s.get("criteria") or {}, sid)
        if len(set(order)) != len(order):
            self.err(where0, "duplicate criterion ids")

        for pid, p in doc["parts"].items():
            w = f"{where0} parts.{pid}"
            self.fields(w, p, PART, ("title_vi", "name_en", "max", "sections"))
            an = self.anomalies(w, p, "max", p["max"])
            tot = sum(D(s["max"]) for s in p["sections"].values())
            if tot != D(p["max"]) and "max" not in an:
                self.err(w, f"sections add up to {tot}, part max {p['max']}")
            if D(p["max"]) != D(parts_max.get(pid, -1)):
                self.err(w, f"part max {p['max']} != decision part value {parts_max.get(pid)}")
            for sid, s in p["sections"].items():
                ws = f"{w}.sections.\"{sid}\""
                self.fields(ws, s, SECTION, ("title_vi", "name_en", "max", "criteria"))
                an = self.anomalies(ws, s, "max", s["max"])
                tot = sum(D(c["max"]) for c in s["criteria"].values())
                if tot != D(s["max"]) and "max" not in an:
                    self.err(ws, f"criteria add up to {tot}, section max {s['max']}")
                for cid, c in s["criteria"].items():
                    self.criterion(f"{ws}.criteria.\"{cid}\"", cid, c, st, order, crit, facts)
        # knock-outs of the form
        for kid, ko in (doc.get("knockouts") or {}).items():
            wk = f"{where0} knockouts.{kid}"
            self.fields(wk, ko, {"when", "text_vi", "name_en", "source"}, ("when", "text_vi", "name_en", "source"))
            self.condition(wk, ko["when"], facts, order, crit, None)
            st["knockouts"] += 1
        return st

    def criterion(self, w, cid, c, st, order, crit, facts):
        self.fields(w, c, CRITERION, ("title_vi", "name_en", "max"))
        if not c.get("source"):
            self.err(w, "no source")
        if not str(c.get("name_en") or "").strip() or c.get("name_en") == "?":
            self.err(w, "no name_en")
        st["criteria"] += 1
        kind = c.get("kind", "pick")
        if kind not in ("pick", "yes_no", "cumulative", "group"):
            self.err(w, f"unknown kind {kind}")
        an = self.anomalies(w, c, "max", c["max"])
        opts = c.get("options") or {}
        cases = c.get("cases") or {}
        if kind == "yes_no" and opts:
            self.err(w, "yes_no with options")
        if kind == "group":
            if opts or not c.get("criteria"):
                self.err(w, "group needs children and no options")
            tot = sum(D(x["max"]) for x in c["criteria"].values())
            if tot != D(c["max"]) and "max" not in an:
                self.err(w, f"children add up to {tot}, max {c['max']}")
            for k, x in c["criteria"].items():
                self.criterion(f"{w}.criteria.\"{k}\"", k, x, st, order, crit, facts)
        elif c.get("criteria"):
            self.err(w, "nested criteria on a non-group")
        if kind in ("pick", "cumulative"):
            if not opts:
                self.err(w, "no options")
            pts = []
            for ok, o in opts.items():
                wo = f"{w}.options.{ok}"
                self.fields(wo, o, OPTION, ("points", "text_vi"))
                st["options"] += 1
                p = o.get("points")
                if p is None or D(p) < 0 or D(p) != D(p).quantize(Decimal("0.01")):
                    self.err(wo, f"bad points {p!r}")
                    continue
                oan = self.anomalies(wo, o, "points", p)
                if D(p) > D(c["max"]) and "points" not in oan:
                    self.err(wo, f"points {p} above max {c['max']}")
                if o.get("case") is not None and str(o["case"]) not in cases:
                    self.err(wo, f"case {o['case']!r} not among {list(cases)}")
                if cases and o.get("case") is None:
                    self.err(wo, "criterion has cases but the option has none")
                if o.get("star") is not None:
                    st["stars"] += 1
                    if o["star"] not in (3, 4, 5):
                        self.err(wo, f"star {o['star']} not 3..5")
                pts.append(D(p))
            if pts:
                if kind == "pick" and max(pts) != D(c["max"]) and "max" not in an:
                    self.err(w, f"highest option {max(pts)} != max {c['max']}")
                if kind == "cumulative" and sum(pts) != D(c["max"]) and "max" not in an:
                    self.err(w, f"options add up to {sum(pts)} != max {c['max']}")
            # star markers: a higher class never needs fewer points than a lower one
            marked = [(o["star"], D(o["points"]), ok) for ok, o in opts.items() if o.get("star") is not None]
            for s1, p1, k1 in marked:
                for s2, p2, k2 in marked:
                    if s2 > s1 and p2 < p1:
                        self.err(w, f"star {s2} on {k2} ({p2}) needs less than star {s1} on {k1} ({p1})")
                    if s2 == s1 and k1 < k2:
                        self.err(w, f"two options marked {s1} stars ({k1}, {k2})")
        for gate in ("applies_if", "stops_section"):
            g = c.get(gate)
            if g is None:
                continue
            self.fields(f"{w}.{gate}", g, {"when", "note_vi"}, ("when", "note_vi"))
            self.condition(f"{w}.{gate}", g["when"], facts, order, crit, cid, allow_self=(gate == "stops_section"))
            st["conditions"] += 1

    def condition(self, w, cond, facts, order, crit, cid, allow_self=False):
        if not isinstance(cond, dict) or len(cond) == 0:
            self.err(w, f"bad condition {cond!r}")
            return
        if "fact" in cond:
            if cond["fact"] not in facts:
                self.err(w, f"unknown fact {cond['fact']!r}")
        elif "answer" in cond:
            a = cond["answer"]
            if order is None or a not in crit:
                self.err(w, f"unknown criterion {a!r}")
                return
            if cid is not None:
                ia, ic = order.index(a), order.index(cid)
                if ia > ic or (ia == ic and not allow_self):
                    self.err(w, f"condition on {a}, which is not earlier than {cid}")
            target = crit[a]
            kind = target.get("kind", "pick")
            valid = {"none"} | ({"yes", "no"} if kind == "yes_no" else set((target.get("options") or {}).keys()))
            keys = [k for k in ("in", "not_in") if k in cond]
            if len(keys) != 1:
                self.err(w, "an answer condition needs exactly one of in / not_in")
            for k in keys:
                for v in cond[k]:
                    if v not in valid:
                        self.err(w, f"option {v!r} of {a} does not exist (valid: {sorted(valid)})")
        elif "all" in cond or "any" in cond:
            for x in cond.get("all", cond.get("any")):
                self.condition(w, x, facts, order, crit, cid, allow_self)
        elif "not" in cond:
            self.condition(w, cond["not"], facts, order, crit, cid, allow_self)
        else:
            self.err(w, f"unknown condition {cond!r}")


def main(argv):
    folders = [Path(a) for a in argv] or [REPO / "rules" / "26-2026", REPO / "rules" / "148-2023"]
    ch = Checker()
    for f in folders:
        ch.check_decision(f)
    for key, s in ch.counts.items():
        print(f"{key}: " + ", ".join(f"{k} {v}" for k, v in s.items()))
    if ch.errors:
        print(f"{len(ch.errors)} problem(s):")
        for e in ch.errors:
            print("  " + e)
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
