/*
 * The body editor's toolbar and keyboard shortcuts.
 *
 * CONTRACT for the image dialog and the citation picker (their own modules):
 * the Image and Cite buttons, and Ctrl/Cmd+Alt+I and Ctrl/Cmd+Alt+C, insert
 * nothing themselves. They dispatch on the body textarea (#id_body)
 *
 *     new CustomEvent("editor:command", {bubbles: true, detail: {command: "image"}})
 *
 * (or detail.command "cite"). Listen for it on the textarea or an ancestor,
 * insert at the textarea's selection and dispatch an "input" event, so the
 * preview, autosave and counts follow. The built-in commands (heading, bold,
 * italic, link, list, quote, table) dispatch the same event, cancelable,
 * before they edit: call preventDefault() to handle one yourself.
 *
 * Tab is never trapped in the textarea: it moves the focus, as everywhere
 * else (markdownx's own Tab-inserts-a-tab is stopped; Ctrl+] and Ctrl+[
 * still indent). A popup that needs Tab while it is open sets
 * aria-expanded="true" on the textarea; Tab then reaches its listeners.
 *
 * Ctrl/Cmd+S anywhere on the page is "Save and continue editing".
 */
import * as edits from "./edits.js";
import { addButton, editorParts, replaceRange } from "./shell.js";

const COMMANDS = [
  { command: "heading", label: "Heading", keys: "Control+Alt+2", edit: edits.heading },
  { command: "bold", label: "Bold", keys: "Control+B", edit: (v, s, e) => edits.wrap(v, s, e, "**", "bold text") },
  { command: "italic", label: "Italic", keys: "Control+I", edit: (v, s, e) => edits.wrap(v, s, e, "*", "italic text") },
  { command: "link", label: "Link", keys: "Control+K", edit: edits.link },
  { command: "list", label: "List", keys: "Control+Shift+8", edit: edits.list },
  { command: "quote", label: "Quote", keys: "Control+Shift+9", edit: edits.quote },
  { command: "table", label: "Table", keys: "Control+Alt+T", edit: edits.table },
  { command: "image", label: "Image", keys: "Control+Alt+I" },
  { command: "cite", label: "Cite", keys: "Control+Alt+C" },
];

function matches(event, keys) {
  const parts = keys.split("+");
  const key = parts.pop();
  const primary = event.ctrlKey || event.metaKey;
  if (!primary || event.getModifierState("AltGraph")) return false;
  if (parts.includes("Alt") !== event.altKey) return false;
  if (parts.includes("Shift") !== event.shiftKey) return false;
  // With Alt or Shift held, event.key is a symbol; the physical key is meant.
  if (/^\d$/.test(key)) return event.code === "Digit" + key;
  if (event.altKey) return event.code === "Key" + key;
  return event.key.toLowerCase() === key.toLowerCase();
}

function run(parts, spec) {
  const { textarea } = parts;
  const request = new CustomEvent("editor:command", {
    bubbles: true,
    cancelable: true,
    detail: { command: spec.command },
  });
  const go = textarea.dispatchEvent(request);
  if (!go || !spec.edit) return;
  const { selectionStart: start, selectionEnd: end, value } = textarea;
  const change = spec.edit(value, start, end);
  replaceRange(textarea, change.from, change.to, change.text, ...change.select);
}

function save(form) {
  const button = form.querySelector('input[name="_continue"], button[name="_continue"]');
  // Not while the form is locked (an article in review, before "Edit anyway").
  if (button && !button.matches(":disabled")) form.requestSubmit(button);
}

function moveFocus(toolbar, event) {
  const buttons = [...toolbar.querySelectorAll("button:not([hidden])")];
  const index = buttons.indexOf(document.activeElement);
  if (index === -1) return;
  const next = {
    ArrowRight: index + 1,
    ArrowLeft: index - 1,
    Home: 0,
    End: buttons.length - 1,
  }[event.key];
  if (next === undefined) return;
  event.preventDefault();
  const target = buttons[(next + buttons.length) % buttons.length];
  buttons.forEach((b) => (b.tabIndex = b === target ? 0 : -1));
  target.focus();
}

function init() {
  const parts = editorParts();
  if (!parts) return;
  const { textarea, toolbar, wrapper, form, statusBar } = parts;
  for (const spec of COMMANDS) addButton(toolbar, spec);
  const mac = /Mac|iPhone|iPad/.test(navigator.platform);
  const hint = document.createElement("span");
  hint.className = "editor-hint";
  hint.textContent = (mac ? "⌘S" : "Ctrl+S") + " saves; Tab leaves the text";
  statusBar.append(hint);
  toolbar.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-command]");
    const spec = button && COMMANDS.find((c) => c.command === button.dataset.command);
    if (spec) run(parts, spec);
  });
  toolbar.addEventListener("keydown", (event) => moveFocus(toolbar, event));

  textarea.addEventListener("keydown", (event) => {
    const spec = COMMANDS.find((c) => matches(event, c.keys));
    if (!spec) return;
    event.preventDefault();
    run(parts, spec);
  });

  // Captured above the textarea, so markdownx never turns Tab into a tab
  // character; the browser then moves the focus as usual.
  wrapper.addEventListener(
    "keydown",
    (event) => {
      if (
        event.key === "Tab" &&
        event.target === textarea &&
        !event.ctrlKey && !event.altKey && !event.metaKey &&
        textarea.getAttribute("aria-expanded") !== "true"
      ) {
        event.stopPropagation();
      }
    },
    true,
  );

  document.addEventListener("keydown", (event) => {
    if (matches(event, "Control+S")) {
      event.preventDefault();
      save(form);
    }
  });
}

init();
