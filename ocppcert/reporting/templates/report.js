/* report.html: case filter and anchor handling. Vanilla JS, no network, works from file://. */
(function () {
  "use strict";
  var verdict = document.getElementById("f-verdict");
  var profile = document.getElementById("f-profile");
  var text = document.getElementById("f-text");
  var count = document.getElementById("f-count");
  var empty = document.getElementById("f-empty");
  var rows = Array.prototype.slice.call(document.querySelectorAll("#case-table tbody tr"));

  function matches(row, v, p, q) {
    var rv = row.getAttribute("data-verdict");
    if (v === "!PASS" ? rv === "PASS" : v && rv !== v) { return false; }
    if (p && row.getAttribute("data-profile") !== p) { return false; }
    if (q && row.getAttribute("data-search").indexOf(q) < 0) { return false; }
    return true;
  }

  function apply() {
    var v = verdict.value, p = profile.value, q = text.value.trim().toLowerCase();
    var shown = 0;
    rows.forEach(function (row) {
      var ok = matches(row, v, p, q);
      row.hidden = !ok;
      var section = document.getElementById(row.getAttribute("data-case"));
      if (section) { section.hidden = !ok; }
      if (ok) { shown += 1; }
    });
    count.textContent = shown + " of " + rows.length + " cases shown";
    empty.hidden = shown !== 0;
  }

  function openTarget() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    if (!id) { return; }
    var el = document.getElementById(id);
    if (!el) { return; }
    for (var node = el; node; node = node.parentElement) {
      if (node.tagName === "DETAILS") { node.open = true; }
      if (node.hidden) { node.hidden = false; }
    }
    el.scrollIntoView();
  }

  function setAll(open) {
    document.querySelectorAll("details.case").forEach(function (d) { d.open = open; });
  }

  verdict.addEventListener("change", apply);
  profile.addEventListener("change", apply);
  text.addEventListener("input", apply);
  document.getElementById("f-reset").addEventListener("click", function () {
    verdict.value = ""; profile.value = ""; text.value = ""; apply();
  });
  document.getElementById("expand-all").addEventListener("click", function () { setAll(true); });
  document.getElementById("collapse-all").addEventListener("click", function () { setAll(false); });
  document.querySelectorAll("[data-filter-verdict]").forEach(function (a) {
    a.addEventListener("click", function () {
      verdict.value = a.getAttribute("data-filter-verdict"); apply();
    });
  });
  window.addEventListener("hashchange", openTarget);
  apply();
  openTarget();
  window.ocppcertReport = { apply: apply, rows: rows };
}());
