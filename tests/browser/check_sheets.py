#!/usr/bin/env python3
"""The HTML score sheet as a person sees it: rendered by headless Chromium (issue 15, section 4).

Run from the repository root (.ci/run does): python3 tests/browser/check_sheets.py

For a single sheet (examples/26-2026-01-rau-cai.yaml), a council of 7, a knocked-out product, a
stopped evaluation, the longest form of rules/ (most criteria) and the single sheet in both
languages, it

- prints the sheet to PDF and checks that the page count (pdfinfo) is the one the layout intends:
  the count found by paginating the page's unbreakable blocks as the print style sheet asks (a
  new page for each part and for the summary, no block split), measured in the DOM; and that
  each part and the summary start on the page that count says;
- checks that no text overflows its box (scrollWidth > clientWidth on table cells and text
  boxes, nothing sticking out of the sheet, chart labels clear of the bars), measured in the DOM
  of a test copy of the page with tests/browser/measure.js injected, read back with --dump-dom;
- checks that the numbers on the page (total, parts, sections, criteria, stars, band, members'
  totals and points, spread) and the ticked options equal the Report's (the Report serialised by
  the browser_sheets example, from the same assessment);
- takes a PNG screenshot at 1240x1754 (A4 at 150 dpi) and small PNGs of every PDF page, kept in
  target/browser/ (a CI artifact).

It also checks, in the DOM only, the English sheet and a product and member named with markup
(no element, script or handler may come of them), and that `ocop score --format html` writes the
same page as the library.

The round report of a bulk run (round.html, written by the same example from 2,000 random
sheets, knocked-out products, councils and bad rows) is printed to PDF and PNG too: at least one
page, no text overflowing its box or sticking out of the page, no injected element, and the
class counts on the page equal the run's (counted by the example from the output records).

Without Chromium it says so and exits 0 (.ci/run installs Debian's chromium and poppler-utils).
The closing line counts the checks: "N passed, N failed".
"""

import json
import os
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from html.parser import HTMLParser

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "target", "browser")
SHEETS = os.path.join(OUT, "sheets")
PAGES = os.path.join(OUT, "pages")

passed = 0
failed = 0


def check(ok, what, detail=""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print(f"FAIL {what}" + (f": {detail}" if detail else ""))
    return ok


def run(cmd, **kw):
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, **kw)


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def browser(exe, url, *args):
    cmd = [exe, "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
           "--no-first-run", "--no-default-browser-check", "--disable-extensions",
           "--run-all-compositor-stages-before-draw", *args, url]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


class Measure(HTMLParser):
    """Reads the JSON that measure.js left in <pre id="ocop-measure">."""

    def __init__(self):
        super().__init__()
        self.inside = False
        self.text = []

    def handle_starttag(self, tag, attrs):
        if tag == "pre" and ("id", "ocop-measure") in attrs:
            self.inside = True

    def handle_endtag(self, tag):
        if tag == "pre":
            self.inside = False

    def handle_data(self, data):
        if self.inside:
            self.text.append(data)


def measure(exe, name):
    page = open(os.path.join(SHEETS, f"{name}.html"), encoding="utf-8").read()
    script = open(os.path.join(ROOT, "tests", "browser", "measure.js"), encoding="utf-8").read()
    copy = os.path.join(SHEETS, f"{name}.measure.html")
    with open(copy, "w", encoding="utf-8") as f:
        f.write(page.replace("</body>", f"<script>{script}</script></body>"))
    dom = browser(exe, "file://" + copy, "--window-size=1240,1754", "--virtual-time-budget=5000", "--dump-dom")
    parser = Measure()
    parser.feed(dom.stdout)
    if not parser.text:
        raise RuntimeError(f"{name}: no measurement in the dumped DOM: {dom.stderr[-500:]}")
    return json.loads("".join(parser.text))


def shown(exact):
    """An Exact of the Report as the sheet shows it: the display value, ≈ when rounded."""
    value, display = Decimal(exact["value"]).normalize(), Decimal(exact["display"]).normalize()
    text = f"{display:f}"
    return text if exact["exact"] and value == display else "≈" + text


def number(text):
    """A number as the page shows it, in the Report's notation (decimal point)."""
    return None if text is None else text.replace(",", ".")


def dec(d):
    return f"{Decimal(d).normalize():f}"


def check_numbers(name, report, m):
    n = m["numbers"]
    check(number(n["total"]) == shown(report["total"]), f"{name}: total", f"{n['total']} vs {shown(report['total'])}")
    check(number(n["total_max"]) == dec(report["total_max"]), f"{name}: total max")
    stars = report["stars"]
    check(n["stars"] == ("" if stars is None else str(stars)), f"{name}: stars", f"{n['stars']} vs {stars}")
    if stars is not None:
        check(n["stars_text"] == str(stars), f"{name}: stars as shown")
    check(n["band"] == str(report["band_stars"]), f"{name}: band")
    for p in report["parts"]:
        for key in ("parts", "part_totals", "summary_parts"):
            check(number(n[key].get(p["id"])) == shown(p["points"]), f"{name}: part {p['id']} ({key})",
                  f"{n[key].get(p['id'])} vs {shown(p['points'])}")
    for s in report["sections"]:
        for key in ("sections", "summary_sections"):
            check(number(n[key].get(s["id"])) == shown(s["points"]), f"{name}: section {s['id']} ({key})",
                  f"{n[key].get(s['id'])} vs {shown(s['points'])}")
    check(len(n["criteria"]) == len(report["criteria"]), f"{name}: every criterion has its points")
    for c in report["criteria"]:
        check(number(n["criteria"].get(c["id"])) == shown(c["points"]), f"{name}: criterion {c['id']}",
              f"{n['criteria'].get(c['id'])} vs {shown(c['points'])}")
    council = report.get("council")
    if council:
        members = council["members"]
        check(n["member_columns"] == len(members), f"{name}: one column per member", str(n["member_columns"]))
        for i, mem in enumerate(members, 1):
            check(number(n["member_totals"].get(str(i))) == dec(mem["total"]), f"{name}: member {i} total")
        for e in report["trace"] or []:
            want = [dec(cell["points"]) for cell in e["members"]]
            got = [number(t) for t in n["member_points"].get(e["criterion"], [])]
            check(got == want, f"{name}: members' points on {e['criterion']}", f"{got} vs {want}")
        check(number(n["spread"]) == dec(council["spread"]), f"{name}: spread")
        check(n["spread_flag"] == council["spread_exceeded"], f"{name}: spread flag shown iff exceeded")
    else:
        check(n["member_columns"] == 0, f"{name}: no member columns on a single sheet")
    check(n["knockout_banner"] == (report["knockout"] is not None), f"{name}: knock-out banner iff knocked out")
    stopped = report["stopped"]
    check(n["stop_banner"] == (stopped is not None), f"{name}: stop banner iff stopped")
    check(n["stopped_at"] == (stopped and stopped["criterion"]), f"{name}: where it stopped")
    ne = [e["criterion"] for e in report["trace"] or [] if all(c["status"] == "not_evaluated" for c in e["members"])]
    check(n["not_evaluated"] == ne, f"{name}: criteria not evaluated are marked", f"{n['not_evaluated']} vs {ne}")
    check(n["limits"] == [l["criterion"] for l in report["limited_by"]], f"{name}: what held the class down")
    until = report["award"]["valid_until"]
    if until:
        y, mo, d = until.split("-")
        check(n["valid_until"] in (f"{d}/{mo}/{y}", until), f"{name}: certificate validity")
    # Ticks: the options each member chose, as their answers say.
    for e in report["trace"] or []:
        want = [[] if c["answer"] == "none" else c["answer"].split("+") for c in e["members"]]
        check(m["ticks"].get(e["criterion"]) == want, f"{name}: ticks on {e['criterion']}",
              f"{m['ticks'].get(e['criterion'])} vs {want}")


def pdf_pages(pdf):
    info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True).stdout
    found = re.search(r"^Pages:\s+(\d+)", info, re.M)
    return int(found.group(1)) if found else -1


def page_text(pdf, page):
    return subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), pdf, "-"],
                          capture_output=True, text=True).stdout


def check_print(exe, name, lang, report, m):
    pdf = os.path.join(OUT, f"{name}.pdf")
    png = os.path.join(OUT, f"{name}.png")
    url = "file://" + os.path.join(SHEETS, f"{name}.html")
    browser(exe, url, "--no-pdf-header-footer", f"--print-to-pdf={pdf}")
    browser(exe, url, "--window-size=1240,1754", f"--screenshot={png}")
    check(os.path.exists(png) and os.path.getsize(png) > 10000, f"{name}: screenshot taken")
    pages = pdf_pages(pdf)
    intended = m["pages"]["intended"]
    check(pages == intended, f"{name}: PDF pages = the layout's", f"pdfinfo {pages}, intended {intended}")
    check(not m["pages"]["lonely"], f"{name}: no page holds only a heading or a total", json.dumps(m["pages"]["lonely"]))
    word = "PHẦN" if lang == "vi" else "PART"
    starts = m["pages"]["starts"]
    for p in report["parts"]:
        at = starts.get(f"part {p['id']}")
        check(at is not None and f"{word} {p['id']}:" in page_text(pdf, at), f"{name}: part {p['id']} starts on page {at}")
        if at and at > 1:
            check(f"{word} {p['id']}:" not in page_text(pdf, at - 1), f"{name}: part {p['id']} not before page {at}")
    summary = "TỔNG HỢP KẾT QUẢ" if lang != "en" else "RESULT"
    at = starts.get("summary")
    check(at is not None and summary in page_text(pdf, at), f"{name}: the summary starts on page {at}")
    last = page_text(pdf, pages)
    sign = "COUNCIL CHAIR" if lang == "en" else "CHỦ TỊCH HỘI ĐỒNG"
    check(sign in last, f"{name}: the signature block is on the last page")
    for p in range(1, pages + 1):
        words = len(page_text(pdf, p).split())
        check(words > 25, f"{name}: page {p} is not blank", f"{words} words")
    for old in os.listdir(PAGES):
        if old.startswith(name + "-"):
            os.remove(os.path.join(PAGES, old))
    subprocess.run(["pdftoppm", "-r", "50", "-png", pdf, os.path.join(PAGES, name)], check=False)
    return pages


def check_safety(name, report, m):
    s = m["safety"]
    check(s["scripts"] == 1, f"{name}: no script but the measuring one", str(s["scripts"]))
    check(s["images"] == 0, f"{name}: no image element", str(s["images"]))
    check(s["handlers"] == 0, f"{name}: no event handler attribute", str(s["handlers"]))
    check(s["product"] == report["product"], f"{name}: the product name is shown as text", repr(s["product"]))
    names = [e["member"] for e in (report["trace"] or [])[0]["members"]]
    check([re.sub(r"^\d+\.\s*", "", w) for w in s["members"]] == names, f"{name}: member names shown as text")


def check_cli(name):
    """`ocop score FILE --format html --out X` writes the library's page (when the CLI has it)."""
    exe = os.path.join(ROOT, "target", "release", "ocop")
    help_text = run([exe, "score", "--help"]).stdout
    if "html" not in help_text:
        print(f"note: `ocop score --format html` is not in this build; the CLI check is skipped")
        return
    out = os.path.join(OUT, f"{name}.cli.html")
    res = run([exe, "score", os.path.join(SHEETS, f"{name}.yaml"), "--format", "html", "--out", out])
    check(res.returncode == 0, "cli: ocop score --format html --out", res.stderr[-300:])
    if res.returncode == 0:
        page = open(out, encoding="utf-8").read()
        lib = open(os.path.join(SHEETS, f"{name}.html"), encoding="utf-8").read()
        # The file name differs (the CLI names the file as given); the rest is the same page.
        norm = lambda t: re.sub(r'id="file"[^>]*>[^<]*<', "", t)
        check(norm(page) == norm(lib), "cli: the same page as the library")


ROUND_JS = r"""
(function () {
  const out = { overflow: [], counts: {}, images: document.querySelectorAll("img").length,
    scripts: document.querySelectorAll("script").length };
  for (const el of document.querySelectorAll("td, th, p, h1, h2, figcaption")) {
    if (el.scrollWidth > el.clientWidth + 1) {
      out.overflow.push({ element: el.tagName + (el.id ? "#" + el.id : ""), text: el.textContent.trim().slice(0, 90) });
    }
  }
  const sheet = document.querySelector("main.sheet");
  const sr = sheet.getBoundingClientRect(), cs = getComputedStyle(sheet);
  const left = sr.left + parseFloat(cs.paddingLeft), right = sr.right - parseFloat(cs.paddingRight);
  for (const el of sheet.querySelectorAll("*")) {
    if (el.closest("svg") && el.tagName.toLowerCase() !== "svg") continue;
    const r = el.getBoundingClientRect();
    if (r.width > 0 && (r.right > right + 1 || r.left < left - 1)) {
      out.overflow.push({ element: el.tagName, sticksOut: [r.left - left, r.right - right], text: el.textContent.trim().slice(0, 90) });
    }
  }
  for (const el of document.querySelectorAll("[data-class-count]")) {
    out.counts[el.getAttribute("data-class")] = el.textContent.trim();
  }
  out.bars = {};
  for (const g of document.querySelectorAll("g[data-bar]")) {
    out.bars[g.getAttribute("data-bar")] = g.querySelector("text.val").textContent.trim();
  }
  const pre = document.createElement("pre");
  pre.id = "ocop-measure";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
"""


def check_round(exe):
    """The round report: printed, measured, and its class counts against the run's."""
    page = os.path.join(SHEETS, "round.html")
    if not os.path.exists(page):
        print("note: no round report in this build (feature `bulk` off); its checks are skipped")
        return None
    counts = json.load(open(os.path.join(SHEETS, "round.counts.json"), encoding="utf-8"))
    copy = os.path.join(SHEETS, "round.measure.html")
    with open(copy, "w", encoding="utf-8") as f:
        f.write(open(page, encoding="utf-8").read().replace("</body>", f"<script>{ROUND_JS}</script></body>"))
    dom = browser(exe, "file://" + copy, "--window-size=1240,1754", "--virtual-time-budget=5000", "--dump-dom")
    parser = Measure()
    parser.feed(dom.stdout)
    if not check(bool(parser.text), "round: measured in the browser", dom.stderr[-300:]):
        return None
    m = json.loads("".join(parser.text))
    check(not m["overflow"], "round: no text overflows its box", json.dumps(m["overflow"][:5], ensure_ascii=False))
    check(m["images"] == 0 and m["scripts"] == 1, "round: no injected element", f"{m['images']} images, {m['scripts']} scripts")
    for cls, n in counts.items():
        check(m["counts"].get(cls) == str(n), f"round: class {cls} count on the page = the run's",
              f"{m['counts'].get(cls)} vs {n}")
        check(m["bars"].get(cls) == str(n), f"round: class {cls} bar label = the run's", f"{m['bars'].get(cls)} vs {n}")
    pdf = os.path.join(OUT, "round.pdf")
    png = os.path.join(OUT, "round.png")
    url = "file://" + page
    browser(exe, url, "--no-pdf-header-footer", f"--print-to-pdf={pdf}")
    browser(exe, url, "--window-size=1240,1754", f"--screenshot={png}")
    check(os.path.exists(png) and os.path.getsize(png) > 10000, "round: screenshot taken")
    pages = pdf_pages(pdf)
    check(pages >= 1, "round: the PDF has at least one page", str(pages))
    check("BÁO CÁO ĐỢT ĐÁNH GIÁ" in page_text(pdf, 1), "round: the title is on page 1")
    for old in os.listdir(PAGES):
        if old.startswith("round-"):
            os.remove(os.path.join(PAGES, old))
    subprocess.run(["pdftoppm", "-r", "50", "-png", pdf, os.path.join(PAGES, "round")], check=False)
    return pages


def main():
    exe = chromium()
    if exe is None:
        print("SKIP: the browser test needs Chromium (Debian package `chromium`) and pdfinfo "
              "(`poppler-utils`); neither was found, so no sheet was rendered.")
        return 0
    if shutil.which("pdfinfo") is None:
        print("SKIP: the browser test needs pdfinfo (Debian package `poppler-utils`).")
        return 0
    os.makedirs(SHEETS, exist_ok=True)
    os.makedirs(PAGES, exist_ok=True)
    # --no-build: use the binaries already in target/release (when iterating on the checks).
    build = run(["true"]) if "--no-build" in sys.argv else run(
        ["cargo", "build", "--release", "--quiet", "--example", "browser_sheets", "--bin", "ocop"])
    if build.returncode != 0:
        print(build.stderr[-3000:])
        print("0 passed, 1 failed")
        return 1
    gen = run([os.path.join(ROOT, "target", "release", "examples", "browser_sheets"), SHEETS])
    if gen.returncode != 0:
        print(gen.stderr[-3000:])
        print("0 passed, 1 failed")
        return 1
    index = json.load(open(os.path.join(SHEETS, "index.json"), encoding="utf-8"))
    summary = []
    for entry in index:
        name = entry["name"]
        report = json.load(open(os.path.join(SHEETS, f"{name}.report.json"), encoding="utf-8"))
        m = measure(exe, name)
        check(not m["overflow"], f"{name}: no text overflows its box", json.dumps(m["overflow"][:5], ensure_ascii=False))
        check_numbers(name, report, m)
        if name == "hostile":
            check_safety(name, report, m)
        else:
            check(m["safety"]["images"] == 0 and m["safety"]["handlers"] == 0, f"{name}: no injected element")
        pages = check_print(exe, name, entry["lang"], report, m) if entry["print"] else None
        summary.append((name, entry["criteria"], entry["members"], pages, m["pages"]["intended"], m["pages"]["starts"]))
    check_cli("single")
    round_pages = check_round(exe)
    print()
    print(f"{'sheet':<12} {'criteria':>8} {'members':>7} {'PDF pages':>9} {'intended':>8}  starts")
    for name, criteria, members, pages, intended, starts in summary:
        shown_pages = "-" if pages is None else str(pages)
        print(f"{name:<12} {criteria:>8} {members:>7} {shown_pages:>9} {intended:>8}  "
              + ", ".join(f"{k} p{v}" for k, v in starts.items()))
    if round_pages is not None:
        print(f"round report: {round_pages} PDF pages")
    print(f"screenshots: {OUT}/*.png; PDF pages as PNG: {PAGES}/")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
