// Accessible names for admin widgets on the article form that Django and
// select2 leave without one: the two-box selector's filter icons (aria-label
// on a plain span), select2's inline search box, and file inputs that are
// labelled only by their fieldset's legend; and select2's misplaced clear button.

function nameTooltips(root) {
  for (const icon of root.querySelectorAll(".help-tooltip[aria-label]:not([role])")) {
    icon.setAttribute("role", "img");
  }
}

function nameSearchBoxes(root) {
  for (const box of root.querySelectorAll(".select2-search__field:not([aria-label])")) {
    const container = box.closest(".select2-container");
    const select = container && container.previousElementSibling;
    const label = select && select.id && document.querySelector(`label[for="${select.id}"]`);
    const name = label ? label.textContent.replace(/:\s*$/, "").trim() : "";
    box.setAttribute("aria-label", name ? "Search " + name.toLowerCase() : "Search");
  }
}

// select2 4.0 puts its "remove all" × inside the <ul> of chosen items, where
// only list items may stand; it is a mouse shortcut (Backspace does the same),
// so it becomes a hidden list item.
function fixClearButtons(root) {
  for (const clear of root.querySelectorAll("ul > .select2-selection__clear:not([role])")) {
    clear.setAttribute("role", "listitem");
    clear.setAttribute("aria-hidden", "true");
  }
}

function nameLegendInputs(root) {
  for (const input of root.querySelectorAll("fieldset > legend ~ * input[type=file]")) {
    if (input.labels.length || input.hasAttribute("aria-label")) continue;
    const legend = input.closest("fieldset").querySelector(":scope > legend");
    if (legend) input.setAttribute("aria-label", legend.textContent.replace(/:\s*$/, "").trim());
  }
}

function nameAll() {
  const form = document.querySelector("#article_form");
  if (!form) return;
  nameTooltips(form);
  nameSearchBoxes(form);
  fixClearButtons(form);
  nameLegendInputs(form);
}

function init() {
  const form = document.querySelector("#article_form");
  if (!form) return;
  nameAll();
  // select2 and the two-box selector build their parts after load, and
  // select2 redraws its search box on every change.
  new MutationObserver(nameAll).observe(form, { childList: true, subtree: true });
}

init();
