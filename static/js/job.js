// Live progress of a background job (templates/portal/job_detail.html): polls the status
// URL every second and reloads the page when the job is finished, to show the result.
(function () {
  "use strict";
  var box = document.querySelector("[data-job-status-url]");
  if (!box || box.dataset.finished === "1") { return; }
  var url = box.dataset.jobStatusUrl;
  function set(selector, text) {
    var el = box.querySelector(selector);
    if (el) { el.textContent = text; }
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (job) {
        box.querySelector("[data-job-bar]").value = job.percent;
        set("[data-job-state]", job.state_display);
        // No count until the job knows how many there are (排队中: nothing to count yet).
        set("[data-job-count]", job.total ? job.done + " / " + job.total : "");
        set("[data-job-message]", job.message ? "· " + job.message : "");
        if (job.finished) { window.location.reload(); } else { window.setTimeout(poll, 1000); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
})();
