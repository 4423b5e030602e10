/* A searchable checklist (class "checklist" with a "checklist-filter" box): typing hides the options whose
   label does not contain the words; without this script every option stays shown and ticked boxes are sent. */
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll(".checklist"), function (list) {
    var box = list.querySelector(".checklist-filter");
    var count = list.querySelector(".checklist-count");
    if (!box) { return; }
    box.hidden = false;
    var label = list.querySelector("label[for='" + box.id + "']");
    if (label) { label.hidden = false; }
    var items = Array.prototype.slice.call(list.querySelectorAll(".checklist-item"));
    box.addEventListener("input", function () {
      var words = box.value.toLocaleLowerCase().trim();
      var shown = 0;
      items.forEach(function (item) {
        var visible = !words || item.textContent.toLocaleLowerCase().indexOf(words) >= 0;
        item.hidden = !visible;
        if (visible) { shown += 1; }
      });
      if (count) { count.textContent = count.getAttribute("data-template").replace("%d", shown); }
    });
  });
})();
