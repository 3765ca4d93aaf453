// 有误 form (templates/records/discrepancy_create.html): only the rows the student ticked
// show their 正确信息 box and its change policy; without this script every row shows.
// After a refused submit the error summary takes the focus, so a screen reader says it.
(function () {
  "use strict";
  var form = document.querySelector("[data-report-form]");
  if (!form) { return; }
  form.querySelectorAll("[data-report-row]").forEach(function (row) {
    var box = row.querySelector("input[type=checkbox]");
    var value = row.querySelector("[data-report-value]");
    function sync() {
      value.hidden = !box.checked;
      box.setAttribute("aria-expanded", box.checked ? "true" : "false");
    }
    box.addEventListener("change", function () {
      sync();
      if (box.checked) {
        var input = value.querySelector("input, select");
        if (input) { input.focus(); }
      }
    });
    sync();
  });
  var summary = form.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }
})();
