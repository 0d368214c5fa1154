// Injected by check_sheets.py into a test copy of a sheet (never into the sheet itself), run
// by headless Chromium with --dump-dom. It measures the page as laid out and writes the result
// as JSON into <pre id="ocop-measure">, which the script reads back from the dumped DOM.
//
// - overflow: every table cell and text box whose content is wider than its box
//   (scrollWidth > clientWidth), every element that sticks out of the sheet, and chart labels
//   that run into the bars;
// - numbers: the figures as the page shows them (their text), keyed by what they are;
// - ticks: the options ticked per criterion (single sheet) or per member (council);
// - pages: the page count the layout intends on A4, found by paginating the unbreakable
//   blocks the way the print style sheet asks (a new page for each part and for the summary,
//   no block split, the table header repeated on a continuation page);
// - safety: the elements that input text could have injected.
(function () {
  "use strict";
  const MM = 96 / 25.4;
  const PAGE_H = (297 - 10 - 12) * MM; // A4 less the top and bottom @page margins of src/html.rs
  const out = { overflow: [], numbers: {}, ticks: {}, pages: {}, safety: {} };

  function describe(el) {
    let s = el.tagName.toLowerCase();
    if (el.id) s += "#" + el.id;
    if (el.className && typeof el.className === "string") s += "." + el.className.trim().split(/\s+/).join(".");
    const block = el.closest("[data-criterion]");
    if (block) s += " in criterion " + block.getAttribute("data-criterion");
    return s;
  }

  // ---- Overflow
  const boxes = "td, th, h1, h2, p.sub, .banner, .legend, .result, .council, .warnings, .sig, .sig-line, " +
    ".minimums, .mk, .desc, .note-vi, figcaption, .chart-legend, .signatures, li";
  for (const el of document.querySelectorAll(boxes)) {
    if (el.scrollWidth > el.clientWidth + 1) {
      out.overflow.push({ element: describe(el), scrollWidth: el.scrollWidth, clientWidth: el.clientWidth,
        text: el.textContent.trim().slice(0, 90) });
    }
  }
  const sheet = document.querySelector("main.sheet");
  const sr = sheet.getBoundingClientRect();
  const cs = getComputedStyle(sheet);
  const left = sr.left + parseFloat(cs.paddingLeft), right = sr.right - parseFloat(cs.paddingRight);
  for (const el of sheet.querySelectorAll("*")) {
    if (el.closest("svg") && el.tagName.toLowerCase() !== "svg") continue;
    const r = el.getBoundingClientRect();
    if (r.width > 0 && (r.right > right + 1 || r.left < left - 1)) {
      out.overflow.push({ element: describe(el), sticksOut: [r.left - left, r.right - right],
        text: el.textContent.trim().slice(0, 90) });
    }
  }
  for (const g of document.querySelectorAll("g[data-chart-section]")) {
    const label = g.querySelector("text.lbl"), bar = g.querySelector("rect.maxbar"), val = g.querySelector("text.val");
    const lb = label.getBBox(), bb = bar.getBBox(), vb = val.getBBox();
    if (lb.x + lb.width > bb.x - 1) out.overflow.push({ element: "chart label " + g.dataset.chartSection, text: label.textContent });
    if (vb.x + vb.width > 700) out.overflow.push({ element: "chart value " + g.dataset.chartSection, text: val.textContent });
  }

  // ---- Numbers, as shown
  const text = (el) => (el ? el.textContent.trim() : null);
  const all = (sel, attr) => {
    const o = {};
    for (const el of document.querySelectorAll(sel)) o[el.getAttribute(attr)] = text(el);
    return o;
  };
  const n = out.numbers;
  n.total = text(document.getElementById("total"));
  n.total_max = text(document.getElementById("total-max"));
  const stars = document.getElementById("stars");
  n.stars = stars ? stars.getAttribute("data-stars") : null;
  n.stars_text = text(stars);
  const band = document.getElementById("band");
  n.band = band ? band.getAttribute("data-stars") : null;
  n.parts = all("td[data-part]", "data-part");
  n.part_totals = all("td[data-part-total]", "data-part-total");
  n.summary_parts = all("[data-summary-part]", "data-summary-part");
  n.sections = all("td[data-section]", "data-section");
  n.summary_sections = all("[data-summary-section]", "data-summary-section");
  n.criteria = all("td[data-criterion-points]", "data-criterion-points");
  const firstHead = document.querySelector("table.form thead");
  n.member_columns = firstHead ? firstHead.querySelectorAll("th.m").length : 0;
  n.member_totals = all("[data-member-total]", "data-member-total");
  n.member_points = {};
  for (const block of document.querySelectorAll("tbody[data-criterion]")) {
    const cells = block.querySelectorAll("tr.c-row td.mv");
    if (cells.length) n.member_points[block.dataset.criterion] = Array.from(cells, text);
  }
  n.spread = text(document.getElementById("spread"));
  n.spread_flag = !!document.getElementById("spread-flag");
  n.knockout_banner = !!document.getElementById("knockout-banner");
  n.stop_banner = !!document.getElementById("stop-banner");
  const stopped = document.getElementById("stopped");
  n.stopped_at = stopped ? stopped.getAttribute("data-criterion") : null;
  n.not_evaluated = Array.from(document.querySelectorAll("tbody.crit.ne"), (b) => b.dataset.criterion);
  n.limits = Array.from(document.querySelectorAll("[data-limit]"), (el) => el.getAttribute("data-limit"));
  n.valid_until = text(document.getElementById("valid-until"));

  // ---- Ticks
  for (const block of document.querySelectorAll("tbody[data-criterion]")) {
    const rows = block.querySelectorAll("tr.o-row");
    const single = Array.from(rows).filter((r) => r.classList.contains("on")).map((r) => r.dataset.option);
    const perMember = [];
    for (const r of rows) {
      Array.from(r.querySelectorAll("td.tick")).forEach((td, m) => {
        perMember[m] = perMember[m] || [];
        if (td.textContent.trim() === "✓") perMember[m].push(r.dataset.option);
      });
    }
    out.ticks[block.dataset.criterion] = perMember.length ? perMember : [single];
  }

  // ---- Pages
  const chunks = [];
  const parts = Array.from(document.querySelectorAll("section.part"));
  const summary = document.querySelector("section.summary");
  const header = document.querySelector("header.head");
  const blocksOf = (section) => {
    const table = section.querySelector("table.form");
    const thead = table ? table.querySelector("thead") : null;
    const repeat = thead ? thead.getBoundingClientRect().height : 0;
    return Array.from(section.querySelectorAll(":scope > .blk, table.form > tbody.blk"), (el) => ({ el, repeat }));
  };
  parts.forEach((p, i) => {
    const blocks = blocksOf(p);
    if (i === 0) blocks.unshift({ el: header, repeat: 0 });
    chunks.push({ name: "part " + p.dataset.part, top: i === 0 ? sr.top + parseFloat(cs.paddingTop) : p.getBoundingClientRect().top, blocks });
  });
  if (summary) chunks.push({ name: "summary", top: summary.getBoundingClientRect().top, blocks: blocksOf(summary) });
  let pages = 0;
  const starts = {};
  const held = []; // per page, the blocks it holds
  const hold = (b) => {
    held[pages] = held[pages] || [];
    held[pages].push(b.el.dataset.criterion || b.el.className || b.el.tagName.toLowerCase());
  };
  for (const chunk of chunks) {
    pages += 1;
    starts[chunk.name] = pages;
    let top = chunk.top;
    for (const b of chunk.blocks) {
      const r = b.el.getBoundingClientRect();
      if (r.bottom - top > PAGE_H + 0.5 && r.top > top + 0.5) {
        pages += 1;
        top = r.top - b.repeat;
      }
      hold(b);
      while (r.bottom - top > PAGE_H + 0.5) { // a block taller than a page is split
        pages += 1;
        top += PAGE_H - b.repeat;
        hold(b);
      }
    }
  }
  // A page that holds nothing but a heading or a total is a layout fault.
  const lonely = [];
  held.forEach((names, page) => {
    if (names && names.every((n) => /part-foot|^h2|^blk$/.test(n))) lonely.push({ page, names });
  });
  out.pages = { intended: pages, starts, lonely, page_height_px: PAGE_H };

  // ---- Safety: what injected markup would have added
  out.safety = {
    scripts: document.querySelectorAll("script").length, // this one
    images: document.querySelectorAll("img").length,
    handlers: Array.from(document.querySelectorAll("*")).filter((el) =>
      Array.from(el.attributes).some((a) => a.name.startsWith("on"))).length,
    product: text(document.querySelector("#product b")),
    members: Array.from(document.querySelectorAll(".sig-line .who"), text),
  };

  const pre = document.createElement("pre");
  pre.id = "ocop-measure";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
