// A long form refused by the server: its error summary (components/_form_errors.html)
// takes the focus, so that a screen reader says what to fix and a keyboard starts there.
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }
})();
