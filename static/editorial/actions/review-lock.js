// Editing an article in review asks first: the form stays read-only until
// the user chooses "Edit anyway", whose notice says what saving will do
// (return the article to draft, withdraw the review request, tell the
// reviewers). The choice ticks the confirmation the server requires.

const notice = document.querySelector("[data-review-lock]");

// The fieldsets holding fields to edit; read-only panels stay usable.
function editableFieldsets(form) {
  return [...form.querySelectorAll("fieldset")].filter((fieldset) =>
    fieldset.querySelector("input:not([type=hidden]), textarea, select"),
  );
}

function lockForm(form, locked) {
  for (const fieldset of editableFieldsets(form)) {
    fieldset.disabled = locked;
  }
  for (const button of form.querySelectorAll(".submit-row [type=submit]")) {
    button.disabled = locked;
  }
  form.classList.toggle("review-locked", locked);
}

function firstField(form) {
  return form.querySelector(
    "fieldset input:not([type=hidden]), fieldset textarea, fieldset select",
  );
}

if (notice) {
  const form = notice.closest("form");
  const confirmation = notice.querySelector("[name=confirm_edit_in_review]");
  const choice = notice.querySelector(".review-lock-choice");
  const status = notice.querySelector(".review-lock-status");
  if (form && confirmation && !confirmation.checked) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button review-lock-edit";
    button.textContent = notice.dataset.editLabel;
    choice.hidden = true;
    choice.after(button);
    lockForm(form, true);
    button.addEventListener("click", () => {
      confirmation.checked = true;
      lockForm(form, false);
      button.remove();
      status.textContent = notice.dataset.editingText;
      firstField(form)?.focus();
    });
  }
}
