// Progressive enhancement of the request form: a live summary in section 5 ("Review and send") of what
// has been filled in and what a submission still needs. The form works the same without this file.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("request-form");
  const review = document.getElementById("request-review");
  if (!form || !review) return;

  const text = (name) => (form.elements[name] && form.elements[name].value || "").trim();
  const checkedLabels = (name) => Array.from(form.querySelectorAll(`input[name="${name}"]:checked`))
    .map((box) => (form.querySelector(`label[for="${box.id}"]`) || {}).textContent || box.value);

  function row(list, label, value, missing) {
    const dt = document.createElement("dt");
    dt.textContent = label;
    const dd = document.createElement("dd");
    dd.textContent = value || (missing ? "Missing: needed before you submit" : "Not given");
    if (!value && missing) dd.className = "review-missing";
    list.append(dt, dd);
  }

  function render() {
    const list = document.createElement("dl");
    list.className = "mb-0 facts";
    const description = text("description");
    row(list, "Title", text("title"), true);
    row(list, "Institution that benefits", text("beneficiary"), false);
    row(list, "What is needed", description ? `${description.length} characters` : "", true);
    row(list, "Themes", checkedLabels("themes").join(", "), true);
    row(list, "Kinds of assistance", checkedLabels("modalities").join(", "), true);
    row(list, "Languages", checkedLabels("languages").map((l) => l.replace(" (UN official language)", "")).join(", "), true);
    row(list, "Dates", [text("desired_start"), text("desired_end")].filter(Boolean).join(" to "), false);
    row(list, "Estimated budget", text("estimated_budget_usd") && `US$ ${text("estimated_budget_usd")}`, false);
    const heading = document.createElement("h3");
    heading.className = "h6";
    heading.textContent = "Your request so far";
    review.replaceChildren(heading, list);
  }

  form.addEventListener("input", render);
  form.addEventListener("change", render);
  render();
});
