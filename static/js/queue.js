/* The case queue (matches/templates/triage/queue.html): tick every case of the page, move between rows with
   j and k (x ticks the row in focus), and bring the last bulk action's result into view. The page works
   without this script: every control is a real link, checkbox or button. */
(function () {
  "use strict";
  var table = document.getElementById("case-queue");
  var result = document.getElementById("bulk-result");
  if (result) { result.focus(); }
  if (!table) { return; }
  var all = document.getElementById("tick-all");
  var ticks = function () { return Array.prototype.slice.call(table.querySelectorAll("input.case-tick")); };
  if (all) {
    all.hidden = false;
    all.addEventListener("change", function () {
      ticks().forEach(function (box) { box.checked = all.checked; });
    });
  }
  var keys = table.querySelector(".queue-keys");
  if (keys) { keys.hidden = false; }
  var rows = function () { return Array.prototype.slice.call(table.tBodies[0].rows); };
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.altKey || event.ctrlKey || event.metaKey || /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName) &&
        target.type !== "checkbox") { return; }
    if (["j", "k", "x"].indexOf(event.key) < 0) { return; }
    var list = rows();
    var current = list.indexOf(target.closest ? target.closest("tr") : null);
    if (event.key === "x") {
      if (current < 0) { return; }
      var box = list[current].querySelector("input.case-tick");
      box.checked = !box.checked;
      event.preventDefault();
      return;
    }
    var next = event.key === "j" ? current + 1 : current - 1;
    if (current < 0) { next = 0; }
    if (next < 0 || next >= list.length) { return; }
    var link = list[next].querySelector("td a");
    if (link) { link.focus(); event.preventDefault(); }
  });
})();
