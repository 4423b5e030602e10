// Draws the charts of the dashboard and reports with the vendored Chart.js (static/vendor/chart.js).
// Each <canvas data-chart='{...}'> holds a Chart.js configuration, its words already in the page's language;
// the table beside it has the same figures and stays the reference (and the fallback without JavaScript).
// On a right-to-left page (data-rtl), the legend and tooltips run right to left and the category axis of a
// vertical bar chart (months, pillars: what runs across) is reversed, horizontal bars grow from the right, so that it reads from the right.
// The few words this script shows itself come from the page (<script type="application/json" data-chart-words>).
(() => {
  if (window.exchangeChartsLoaded) return; // the script may be included twice on a page
  window.exchangeChartsLoaded = true;

  const words = () => {
    const block = document.querySelector("script[data-chart-words]");
    try {
      return block ? JSON.parse(block.textContent) : {};
    } catch (err) {
      return {};
    }
  };

  const rightToLeft = (config) => {
    const options = config.options;
    options.plugins = options.plugins || {};
    options.plugins.legend = Object.assign({ rtl: true, textDirection: "rtl" }, options.plugins.legend);
    options.plugins.tooltip = Object.assign({ rtl: true, textDirection: "rtl" }, options.plugins.tooltip);
    options.scales = options.scales || {};
    // Vertical bars: the categories (months, pillars) run from the right. Horizontal bars (indexAxis "y"):
    // they grow from the right. Either way the x axis is reversed and the y axis stands on the right.
    options.scales.x = Object.assign({ reverse: true }, options.scales.x);
    options.scales.y = Object.assign({ position: "right" }, options.scales.y);
  };

  document.addEventListener("DOMContentLoaded", () => {
    if (typeof window.Chart === "undefined") return;
    const reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    window.Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    window.Chart.defaults.color = "#212529";
    window.Chart.defaults.scales.linear.ticks.precision = 0; // counts: whole numbers only
    const locale = document.documentElement.lang || undefined;
    if (locale) window.Chart.defaults.locale = locale; // numbers on axes and tooltips as the page writes them
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
      if (canvas.dataset.rtl === "true") rightToLeft(config);
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
    const spinner = document.createElement("span");
    spinner.className = "spinner-border spinner-border-sm ms-1";
    spinner.setAttribute("aria-hidden", "true");
    note.append(spinner, " ", words().preparing || "…");
    link.after(note);
    window.setTimeout(() => { link.removeAttribute("aria-busy"); note.remove(); }, 4000);
  });
})();
