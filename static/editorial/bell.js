// The notification bell: without JavaScript it is a link to the notifications
// page; with it, a button that opens the recent notifications under it.
// Opening a notification (a plain link) marks it read on the server.

const root = document.querySelector("[data-bell]");

function enhance(bell) {
  const link = bell.querySelector("[data-bell-toggle]");
  const panel = bell.querySelector("[data-bell-panel]");
  if (!link || !panel) return;
  const button = document.createElement("button");
  button.type = "button";
  button.className = link.className;
  button.setAttribute("aria-label", link.getAttribute("aria-label"));
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-controls", panel.id);
  button.dataset.bellToggle = "";
  button.append(...link.childNodes);
  link.replaceWith(button);

  const isOpen = () => !panel.hidden;
  function open() {
    panel.hidden = false;
    button.setAttribute("aria-expanded", "true");
  }
  function close(returnFocus) {
    panel.hidden = true;
    button.setAttribute("aria-expanded", "false");
    if (returnFocus) button.focus();
  }
  button.addEventListener("click", () => (isOpen() ? close(false) : open()));
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && isOpen()) close(panel.contains(document.activeElement));
  });
  document.addEventListener("click", (event) => {
    if (isOpen() && !bell.contains(event.target)) close(false);
  });
  bell.addEventListener("focusout", (event) => {
    if (isOpen() && event.relatedTarget && !bell.contains(event.relatedTarget)) close(false);
  });
}

if (root) enhance(root);
