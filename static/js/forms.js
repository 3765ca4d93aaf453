// Every form's error summary (templates/components/_form_errors.html, WCAG 3.3.1): after a
// refused submit it takes the focus, so that a screen reader reads it first and a keyboard
// starts from it; each of its links moves the focus to its field and brings the field's
// label (or its group's legend) into view with it, which a plain #id jump would scroll away.
(function () {
  "use strict";
  // Each summary includes this file; a page with two refused forms runs it once.
  if (window.portalErrorSummary) { return; }
  window.portalErrorSummary = true;
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) { return; }
  summary.focus();
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-error-summary] a[href^='#']");
    if (!link) { return; }
    var field = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!field) { return; }
    event.preventDefault();
    var group = field.closest("fieldset.choice-group, fieldset.radio-group");
    var caption = (group && group.querySelector("legend")) ||
      document.querySelector("label[for='" + CSS.escape(field.id) + "']");
    (caption || field).scrollIntoView({ block: "start" });
    field.focus({ preventScroll: true });
  });
})();
