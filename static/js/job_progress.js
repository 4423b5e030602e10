// A background job's page follows the job: it asks GET /jobs/<id>/status once a second until the job is
// finished and updates the state, the bar, the count and the download link; a page that draws the job's
// result itself (an import's: data-reload-when-done) is reloaded when the job ends. Without JavaScript the
// page says to reload it.
(function () {
  "use strict";
  var box = document.getElementById("job-status");
  if (!box || box.dataset.finished === "true") return;
  var reload = box.querySelector("[data-job-reload]");
  if (reload) reload.hidden = true;
  var bar = box.querySelector("[data-job-bar]");
  function show(status) {
    box.querySelector("[data-job-state]").textContent = status.state_label;
    bar.value = status.percent;
    bar.textContent = status.percent + " %";
    box.querySelector("[data-job-count]").textContent = status.done + " / " + status.total;
    if (status.download) {
      var link = box.querySelector("[data-job-download]");
      link.querySelector("a").href = status.download;
      link.hidden = false;
    }
  }
  function poll() {
    fetch(box.dataset.statusUrl, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (status) {
        show(status);
        if (!status.finished) window.setTimeout(poll, 1000);
        else if (status.state === "failed" || box.dataset.reloadWhenDone === "true") window.location.reload();
      })
      .catch(function () { if (reload) reload.hidden = false; });
  }
  window.setTimeout(poll, 500);
})();
