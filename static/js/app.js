// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // The menu folds under its button on small screens (base.html); without this file it stays open.
  const menuToggle = document.querySelector(".site-menu-toggle");
  if (menuToggle && window.bootstrap) {
    document.querySelectorAll(".site-menu-part").forEach((part) => part.classList.add("collapse"));
    menuToggle.hidden = false;
  }
  // Lists on a phone: each row of a list table a card, each cell named by its column (the CSS applies under
  // 576 px). Without this file the table scrolls sideways in its container.
  document.querySelectorAll("main table.table").forEach((table) => {
    const heads = Array.from(table.querySelectorAll("thead th")).map((th) => th.textContent.trim());
    if (heads.length < 3 || table.closest(".matrix-wrap") || table.hasAttribute("data-no-cards")) return;
    table.querySelectorAll("tbody tr").forEach((row) => {
      Array.from(row.children).forEach((cell, i) => {
        if (heads[i] && !cell.hasAttribute("data-label")) cell.setAttribute("data-label", heads[i]);
      });
    });
    table.classList.add("table-cards");
  });
  // The error summary (macros/forms.html) takes the focus; its links move it to the field they name (a
  // group's first input), not only scroll to it.
  const summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
    summary.querySelectorAll("a[href^='#']").forEach((link) => {
      link.addEventListener("click", (event) => {
        const target = document.getElementById(link.getAttribute("href").slice(1));
        if (!target) return;
        const input = target.matches("input, select, textarea") ? target : target.querySelector("input, select, textarea");
        event.preventDefault();
        (input || target).focus();
        (target.closest("fieldset") || target).scrollIntoView({ block: "start" });
      });
    });
  }
  // Ask before irreversible actions (buttons carrying data-confirm).
  document.querySelectorAll("[data-confirm]").forEach((el) => {
    el.addEventListener("click", (event) => {
      if (!window.confirm(el.getAttribute("data-confirm"))) event.preventDefault();
    });
  });
  // Show a busy state on forms that take a while (data-busy).
  document.querySelectorAll("form[data-busy]").forEach((form) => {
    form.addEventListener("submit", () => {
      form.querySelectorAll("button[type=submit]").forEach((b) => {
        b.disabled = true;
        b.insertAdjacentHTML("afterbegin", '<span class="spinner-border spinner-border-sm me-1" aria-hidden="true"></span>');
      });
      form.setAttribute("aria-busy", "true");
    });
  });
});
