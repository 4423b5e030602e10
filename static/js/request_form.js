// Progressive enhancement of the request form: a live summary in section 5 ("Review and send") of what
// has been filled in and what a submission still needs. The form works the same without this file. Its
// words come translated in the summary's data- attributes (requests/form.html).
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("request-form");
  const review = document.getElementById("request-review");
  if (!form || !review) return;
  const words = review.dataset;
  const fill = (pattern, values) => pattern.replace(/\{(\w+)\}/g, (_, key) => values[key] ?? "");

  const text = (name) => (form.elements[name] && form.elements[name].value || "").trim();
  const checkedLabels = (name) => Array.from(form.querySelectorAll(`input[name="${name}"]:checked`))
    .map((box) => (form.querySelector(`label[for="${box.id}"]`) || {}).textContent || box.value);

  function row(list, label, value, missing) {
    const dt = document.createElement("dt");
    dt.textContent = label;
    const dd = document.createElement("dd");
    dd.textContent = value || (missing ? words.missing : words.notGiven);
    if (!value && missing) dd.className = "review-missing";
    list.append(dt, dd);
  }

  function render() {
    const list = document.createElement("dl");
    list.className = "mb-0 facts";
    const description = text("description");
    const start = text("desired_start");
    const end = text("desired_end");
    row(list, words.labelTitle, text("title"), true);
    row(list, words.labelBeneficiary, text("beneficiary"), false);
    row(list, words.labelDescription, description ? fill(words.characters, { num: description.length }) : "", true);
    row(list, words.labelThemes, checkedLabels("themes").join(", "), true);
    row(list, words.labelModalities, checkedLabels("modalities").join(", "), true);
    // A UN language's label ends with its note in brackets ("(UN official language)"): the summary leaves it out.
    row(list, words.labelLanguages, checkedLabels("languages").map((l) => l.replace(/\s*[(（][^()（）]*[)）]\s*$/, "")).join(", "), true);
    row(list, words.labelDates, start && end ? fill(words.dates, { start, end }) : start || end, false);
    row(list, words.labelBudget, text("estimated_budget_usd") && fill(words.budget, { amount: text("estimated_budget_usd") }), false);
    const heading = document.createElement("h3");
    heading.className = "h6";
    heading.textContent = words.heading;
    review.replaceChildren(heading, list);
  }

  form.addEventListener("input", render);
  form.addEventListener("change", render);
  render();
});

// The language of the text (request and offer forms): until the person chooses it in the select, the select
// follows the language detected in the title and description as they type (the server detects it). The
// hidden `content_language_shown` keeps what the page proposed, so that a choice left as proposed still
// lets the text decide when the form is saved.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("form[data-text-language-url]").forEach((form) => {
    const select = form.elements.content_language;
    const shown = form.elements.content_language_shown;
    if (!select || !shown) return;
    let chosen = false;
    let timer = null;
    select.addEventListener("change", () => { chosen = true; });

    function ask() {
      if (chosen) return;
      const body = new FormData();
      for (const name of ["title", "description", "csrf_token"]) {
        if (form.elements[name]) body.append(name, form.elements[name].value);
      }
      fetch(form.dataset.textLanguageUrl, { method: "POST", body, credentials: "same-origin",
                                            headers: { Accept: "application/json" } })
        .then((response) => (response.ok ? response.json() : null))
        .then((answer) => {
          const code = answer && answer.language;
          if (chosen || !code || !Array.from(select.options).some((option) => option.value === code)) return;
          select.value = code;
          shown.value = code;
        })
        .catch(() => {});
    }

    for (const name of ["title", "description"]) {
      if (!form.elements[name]) continue;
      form.elements[name].addEventListener("input", () => {
        clearTimeout(timer);
        timer = setTimeout(ask, 700);
      });
    }
  });
});
