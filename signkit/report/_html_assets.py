"""The HTML report's inline style and script (no external file, font or request)."""

CSS = """
* { box-sizing: border-box; }
body { font-family: system-ui, sans-serif; margin: 1em 1.5em; color: #222; line-height: 1.35; }
body, table, td, th, dd, code, summary { overflow-wrap: anywhere; }
h1 { font-size: 1.5em; margin: .2em 0; } h2 { font-size: 1.2em; margin: 1.2em 0 .4em; }
table { border-collapse: collapse; margin: .4em 0 1em; }
th, td { border: 1px solid #bbb; padding: .25em .5em; text-align: left; vertical-align: top; }
th { background: #eee; }
.status { font-weight: bold; }
.TOTAL_PASSED .status { color: #2e7d32; }
.INDETERMINATE .status { color: #b35400; }
.TOTAL_FAILED .status { color: #c62828; }
.reason { font-weight: bold; }
small { color: #555; }
ul { margin: .2em 0; padding-left: 1.2em; }
.summary { display: flex; flex-wrap: wrap; gap: 0 2em; align-items: flex-start; }
.summary > p, .summary > .counts { flex-basis: 100%; }
.summary table { max-width: 100%; }
.summary td.n { text-align: right; }
.controls { display: flex; flex-wrap: wrap; gap: .5em 1.5em; align-items: center;
            margin: .4em 0; }
.controls input { width: 22em; max-width: 100%; }
#files { width: 100%; table-layout: fixed; }
#files col.verdict { width: 11%; } #files col.file { width: 27%; }
#files col.signer { width: 16%; } #files col.time { width: 13%; }
#files col.level { width: 9%; } #files col.reason { width: 24%; }
#files td.t { overflow-wrap: normal; }  /* the date and the time break apart, not digits */
#files th { cursor: pointer; user-select: none; position: sticky; top: 0; }
#files th[aria-sort=ascending]::after { content: " \\25B2"; }
#files th[aria-sort=descending]::after { content: " \\25BC"; }
#files tr.TOTAL_PASSED td:first-child { border-left: .35em solid #2e7d32; }
#files tr.INDETERMINATE td:first-child { border-left: .35em solid #b35400; }
#files tr.TOTAL_FAILED td:first-child { border-left: .35em solid #c62828; }
details { border-left: .35em solid #bbb; padding: .2em 0 .2em .8em; margin: .3em 0; }
details.TOTAL_PASSED { border-color: #2e7d32; } details.INDETERMINATE { border-color: #b35400; }
details.TOTAL_FAILED { border-color: #c62828; }
summary { cursor: pointer; }
.sig { margin: .4em 0 .6em; }
.sig h3 { font-size: 1em; margin: .4em 0 .2em; }
dl { display: grid; grid-template-columns: minmax(8em, 14em) minmax(0, 1fr); gap: .1em 1em;
     margin: 0; }
dt { color: #555; } dd { margin: 0; }
"""

# Rows are sorted and filtered as arrays built once: a report of tens of thousands of files
# stays responsive. Without scripts the page still shows everything, unsorted.
SCRIPT = """
(function () {
  "use strict";
  var table = document.getElementById("files");
  if (!table) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var text = null;  // each row's words, read on the first text filter
  var details = null;  // by id, found on first use
  function detailsById() {
    if (!details) {
      details = {};
      Array.prototype.forEach.call(document.querySelectorAll("#details > details"),
        function (d) { details[d.id] = d; });
    }
    return details;
  }
  var query = document.getElementById("q");
  var verdict = document.getElementById("v");
  var shown = document.getElementById("shown");
  var collator = new Intl.Collator(document.documentElement.lang, {numeric: true});
  function keep(row, i) {
    var want = verdict.value, q = query.value.trim().toLowerCase();
    var status = row.getAttribute("data-status");
    if (want === "NOT_PASSED" ? status === "TOTAL_PASSED" : want && status !== want) {
      return false;
    }
    if (q && !text) {
      text = rows.map(function (r) { return r.textContent.toLowerCase(); });
    }
    return !q || text[i].indexOf(q) >= 0;
  }
  function count(n) {
    shown.textContent = shown.getAttribute("data-template")
      .replace("{shown}", n).replace("{total}", rows.length);
  }
  function filter() {
    var n = 0, byId = detailsById();
    rows.forEach(function (row, i) {
      var ok = keep(row, i);
      if (row.hidden === ok) {  // only what changes: a style pass over 10,000 rows is slow
        row.hidden = !ok;
        var d = byId[row.getAttribute("data-id")];
        if (d) { d.hidden = !ok; }
      }
      if (ok) { n += 1; }
    });
    count(n);
  }
  function sortBy(th) {
    var column = th.cellIndex;
    var descending = th.getAttribute("aria-sort") === "ascending";
    Array.prototype.forEach.call(th.parentNode.cells,
      function (c) { c.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", descending ? "descending" : "ascending");
    var keys = rows.map(function (row, i) {
      var cell = row.cells[column];
      return [cell.getAttribute("data-key") || cell.textContent, i];
    });
    keys.sort(function (a, b) {
      var c = collator.compare(a[0], b[0]);
      return (descending ? -c : c) || a[1] - b[1];
    });
    var fragment = document.createDocumentFragment();
    var order = keys.map(function (k) { return k[1]; });
    rows = order.map(function (i) { fragment.appendChild(rows[i]); return rows[i]; });
    if (text) { text = order.map(function (i) { return text[i]; }); }
    body.appendChild(fragment);
  }
  table.tHead.addEventListener("click", function (e) {
    var th = e.target.closest("th");
    if (th) { sortBy(th); }
  });
  query.addEventListener("input", filter);
  verdict.addEventListener("change", filter);
  document.addEventListener("click", function (e) {
    var link = e.target.closest("a[data-q]");
    if (link) { query.value = link.getAttribute("data-q"); verdict.value = ""; filter(); return; }
    link = e.target.closest("a[href^='#f']");
    var target = link && detailsById()[link.getAttribute("href").slice(1)];
    if (target) { target.open = true; }
  });
  count(rows.length);
}());
"""
