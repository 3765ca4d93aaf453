// 有误 form (templates/records/discrepancy_create.html): a field's row shows its label, the
// value on record and the tick box; only a ticked row opens its 正确信息 box (with what a
// correction needs), and the explanation and evidence show once something is ticked. Without
// this script everything shows. Ticking moves no focus: the opened box is simply next in
// the tab order. A row or part that came back with an error stays open.
(function () {
  "use strict";
  var form = document.querySelector("[data-report-form]");
  if (!form) { return; }
  var rows = Array.prototype.slice.call(form.querySelectorAll("[data-report-row]"));
  var more = form.querySelector("[data-report-more]");
  // A part that came back with an error stays open until she changes a tick box there.
  function hasError(el) {
    return el.classList.contains("has-error") || el.querySelector(".has-error, .field-error") !== null;
  }
  var moreError = more !== null && hasError(more);
  rows.forEach(function (row) {
    var box = row.querySelector("input[type=checkbox]");
    var value = row.querySelector("[data-report-value]");
    var keepOpen = hasError(row);
    function syncRow() {
      var open = box.checked || keepOpen;
      value.hidden = !open;
      box.setAttribute("aria-expanded", open ? "true" : "false");
    }
    box.addEventListener("change", function () {
      keepOpen = false;
      syncRow();
      syncMore();
    });
    syncRow();
  });
  function syncMore() {
    if (!more) { return; }
    var anyTicked = rows.some(function (row) { return row.querySelector("input[type=checkbox]").checked; });
    more.hidden = !(anyTicked || moreError);
  }
  syncMore();
})();
