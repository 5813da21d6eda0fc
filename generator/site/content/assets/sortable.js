// Sortable tables: each header of a table.kk-sortable becomes a button that sorts
// its column. Without JavaScript the table stays readable in its original order.
(function () {
  "use strict";
  function value(cell, numeric) {
    var raw = cell.getAttribute("data-value") || cell.textContent.trim();
    if (!numeric) return raw.toLocaleLowerCase("sv");
    var number = parseFloat(raw.replace("−", "-").replace(",", "."));
    return isNaN(number) ? -Infinity : number;
  }
  function sort(table, column, numeric, header) {
    var body = table.tBodies[0];
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = value(a.cells[column], numeric), y = value(b.cells[column], numeric);
      var order = numeric ? x - y : String(x).localeCompare(String(y), "sv");
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) { th.removeAttribute("aria-sort"); });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }
  function setup() {
    document.querySelectorAll("table.kk-sortable").forEach(function (table) {
      if (table.dataset.sortable) return;
      table.dataset.sortable = "yes";
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, column) {
        var button = document.createElement("button");
        button.type = "button";
        while (th.firstChild) button.appendChild(th.firstChild);
        th.appendChild(button);
        button.addEventListener("click", function () {
          sort(table, column, th.getAttribute("data-type") === "number", th);
        });
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
