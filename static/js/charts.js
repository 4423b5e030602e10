// Draws the charts of the dashboard and reports with the vendored Chart.js (static/vendor/chart.js).
// Each <canvas data-chart='{...}'> holds a Chart.js configuration; the table beside it has the same
// figures and stays the reference (and the fallback without JavaScript).
(() => {
  if (window.exchangeChartsLoaded) return; // the script may be included twice on a page
  window.exchangeChartsLoaded = true;
  document.addEventListener("DOMContentLoaded", () => {
    if (typeof window.Chart === "undefined") return;
    const reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    window.Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    window.Chart.defaults.color = "#212529";
    window.Chart.defaults.scales.linear.ticks.precision = 0; // counts: whole numbers only
    document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
      let config;
      try {
        config = JSON.parse(canvas.getAttribute("data-chart"));
      } catch (err) {
        return; // leave the table alone
      }
      config.options = config.options || {};
      config.options.responsive = true;
      config.options.maintainAspectRatio = false;
      if (reduceMotion) config.options.animation = false;
      new window.Chart(canvas, config);
      canvas.closest("[data-chart-box]")?.classList.add("chart-drawn");
    });
  });

  // Export links: say that the file is being prepared (downloads do not leave the page).
  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest("a[data-busy-link]");
    if (!link || link.getAttribute("aria-busy") === "true") return;
    link.setAttribute("aria-busy", "true");
    const note = document.createElement("span");
    note.className = "busy-note";
    note.setAttribute("role", "status");
    note.innerHTML = '<span class="spinner-border spinner-border-sm ms-1" aria-hidden="true"></span> preparing…';
    link.after(note);
    window.setTimeout(() => { link.removeAttribute("aria-busy"); note.remove(); }, 4000);
  });
})();
