// A warning before leaving the article form with unsaved changes; none while
// the form itself is being submitted.

// Fields that say what to do with the form rather than what is in it.
const IGNORED = new Set([
  "csrfmiddlewaretoken",
  "CHANGE_FORM-action",
  "action",
  "_selected_action",
  "select_across",
  "index",
  "confirm_edit_in_review",
]);

function snapshot(form) {
  const parts = [];
  for (const element of form.elements) {
    const name = element.name;
    if (!name || IGNORED.has(name) || element.disabled) continue;
    if (element.type === "checkbox" || element.type === "radio") {
      parts.push([name, element.value, element.checked]);
    } else if (element.type === "file") {
      parts.push([name, [...element.files].map((f) => f.name + f.size)]);
    } else if (element.tagName === "SELECT" && element.multiple) {
      // The admin's two-box selector keeps the chosen items as unselected
      // options of the "_to" box until the form is submitted.
      const options = element.id.endsWith("_to")
        ? [...element.options]
        : [...element.selectedOptions];
      parts.push([name, options.map((o) => o.value)]);
    } else {
      parts.push([name, element.value]);
    }
  }
  return JSON.stringify(parts);
}

function init() {
  const body = document.getElementById("id_body");
  const form = body && body.form;
  if (!form || body.readOnly) return;
  let initial = null;
  let submitting = false;
  // A form shown again with errors holds text the server has not saved.
  const unsavedFromStart = Boolean(
    document.querySelector(".errornote, .edit-conflict"),
  );
  const take = () => {
    if (initial === null) initial = snapshot(form);
  };
  // The admin's widgets (two-box selectors, autocompletes) settle on load.
  if (document.readyState === "complete") setTimeout(take, 0);
  else window.addEventListener("load", () => setTimeout(take, 0));

  window.addEventListener("submit", (event) => {
    if (event.target === form && !event.defaultPrevented) submitting = true;
  });
  // A submission stopped before it left (a dialog cancelled) is not leaving.
  window.addEventListener("pageshow", () => (submitting = false));

  window.addEventListener("beforeunload", (event) => {
    if (submitting) return;
    const dirty = unsavedFromStart || (initial !== null && snapshot(form) !== initial);
    if (!dirty) return;
    event.preventDefault();
    event.returnValue = "";
  });
}

init();
