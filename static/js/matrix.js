// The needs matrix (reports/matrix.html): a region's link folds or unfolds its countries at once, and the
// address keeps the folded regions (`fold`), as following the link would without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  const table = document.getElementById("needs-matrix");
  if (!table) return;
  const folded = () => new Set((new URL(window.location.href).searchParams.get("fold") || "").split(",").filter(Boolean));
  table.querySelectorAll("a.mx-fold").forEach((link) => {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      const code = link.dataset.region;
      const now = folded();
      const fold = !now.has(code);
      if (fold) now.add(code); else now.delete(code);
      table.querySelectorAll(`tbody[data-region="${code}"] tr.mx-row`).forEach((row) => { row.hidden = fold; });
      link.setAttribute("aria-expanded", fold ? "false" : "true");
      const url = new URL(window.location.href);
      if (now.size) url.searchParams.set("fold", Array.from(now).sort().join(",")); else url.searchParams.delete("fold");
      url.hash = "";
      window.history.replaceState(null, "", url.toString());
    });
  });
});
