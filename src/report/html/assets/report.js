// exdoctor report: sorting of the host table, the filters, copy buttons. The page
// reads without this script; nothing is loaded from elsewhere.
(function () {
  "use strict";
  var each = function (selector, f) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), f);
  };

  // Sorting: click a column header (again to reverse).
  var table = document.getElementById("hosts-table");
  if (table && table.tHead) {
    var headers = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(headers, function (th, column) {
      if (!th.getAttribute("data-sort")) return;
      th.tabIndex = 0;
      var sort = function () {
        var numeric = th.getAttribute("data-sort") === "number";
        var ascending = numeric ? th.getAttribute("aria-sort") === "descending" : th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(headers, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var key = function (row) {
          var cell = row.cells[column];
          var value = cell.hasAttribute("data-value") ? cell.getAttribute("data-value") : cell.textContent.trim();
          return numeric ? (parseFloat(value) || 0) : value.toLowerCase();
        };
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows).map(function (row, i) { return [key(row), i, row]; });
        rows.sort(function (a, b) {
          var c = a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
          return (ascending ? c : -c) || a[1] - b[1];
        });
        rows.forEach(function (r) { body.appendChild(r[2]); });
      };
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sort(); }
      });
    });
  }

  // Filters: host name, lowest severity, rule; they apply to the table, the host
  // sections, their findings and the rule table.
  var host = document.getElementById("filter-host");
  var severity = document.getElementById("filter-severity");
  var rule = document.getElementById("filter-rule");
  var count = document.getElementById("filter-count");
  var reset = document.getElementById("filter-reset");
  var keeps = function (el, text, min, id) {
    if (text && (el.getAttribute("data-host") || "").indexOf(text) < 0) return false;
    if (min > 0 && Number(el.getAttribute("data-worst") || 0) < min) return false;
    if (id && (" " + (el.getAttribute("data-rules") || "") + " ").indexOf(" " + id + " ") < 0) return false;
    return true;
  };
  var apply = function () {
    var text = host.value.trim().toLowerCase();
    var min = Number(severity.value);
    var id = rule.value;
    var shown = 0, total = 0;
    each("#hosts-table tbody tr", function (row) {
      var keep = keeps(row, text, min, id);
      row.classList.toggle("hidden", !keep);
      total += 1;
      shown += keep ? 1 : 0;
    });
    each("section.host", function (section) {
      section.classList.toggle("hidden", !keeps(section, text, min, id));
    });
    each("article.finding", function (finding) {
      var keep = Number(finding.getAttribute("data-severity")) >= min && (!id || finding.getAttribute("data-rule") === id);
      finding.classList.toggle("hidden", !keep);
    });
    each("table.rules tbody tr", function (row) {
      row.classList.toggle("hidden", !!id && row.getAttribute("data-rule") !== id);
    });
    count.textContent = text || min || id ? shown + " of " + total + " hosts" : "";
  };
  if (host && severity && rule && count) {
    [host, severity, rule].forEach(function (el) {
      el.addEventListener("input", apply);
      el.addEventListener("change", apply);
    });
    if (reset) {
      reset.addEventListener("click", function () {
        host.value = "";
        severity.value = "0";
        rule.value = "";
        apply();
      });
    }
  }

  // Copy buttons: the evidence line as the text report writes it.
  document.addEventListener("click", function (e) {
    var button = e.target && e.target.closest ? e.target.closest("button.copy") : null;
    if (!button) return;
    var text = button.getAttribute("data-copy") || "";
    var done = function () {
      button.textContent = "copied";
      button.classList.add("done");
      setTimeout(function () { button.textContent = "copy"; button.classList.remove("done"); }, 1200);
    };
    var fallback = function () {
      var area = document.createElement("textarea");
      area.value = text;
      document.body.appendChild(area);
      area.select();
      try { if (document.execCommand("copy")) done(); } catch (err) { /* selection stays for Ctrl+C */ }
      document.body.removeChild(area);
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(done, fallback);
    } else {
      fallback();
    }
  });
})();
