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
  // A form that puts its field first (autofocus: a second-factor code, the log-in name)
  // keeps the focus there when the summary has one thing to say, about that field or the
  // form as a whole (the summary is a live alert: it is read all the same).
  var links = summary.querySelectorAll("a[href^='#']");
  var auto = document.querySelector("[autofocus]");
  var one = summary.querySelectorAll("li").length === 1;
  if (auto && one && (links.length === 0 ||
      decodeURIComponent(links[0].hash.slice(1)) === auto.id)) {
    auto.focus();
  } else {
    summary.focus();
  }
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
