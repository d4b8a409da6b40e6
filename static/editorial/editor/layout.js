// Editor layout: the preview beside the text (CSS does the columns), kept
// level with the caret, and a distraction-free full-screen mode
// (Ctrl/Cmd+Shift+F or the toolbar button; Esc leaves it).
import { addButton, editorParts } from "./shell.js";

const HEADING = /^ {0,3}#{1,6}(?:[ \t]|$)/;
const FENCE = /^ {0,3}(```|~~~)/;

// Line numbers of the ATX headings, outside fenced code.
export function headingLines(text) {
  const found = [];
  let fence = null;
  text.split("\n").forEach((line, index) => {
    const open = line.match(FENCE);
    if (open) {
      fence = fence === null ? open[1] : fence === open[1] ? null : fence;
      return;
    }
    if (fence === null && HEADING.test(line)) found.push(index);
  });
  return found;
}

function offsetIn(container, element) {
  return (
    element.getBoundingClientRect().top -
    container.getBoundingClientRect().top +
    container.scrollTop
  );
}

function syncPreview(textarea, preview) {
  const value = textarea.value;
  const line = value.slice(0, textarea.selectionStart).split("\n").length - 1;
  const total = value.split("\n").length;
  const sourceHeads = headingLines(value);
  const references = preview.querySelector("section.references");
  const previewHeads = [...preview.querySelectorAll("h1, h2, h3, h4, h5, h6")].filter(
    (h) => !references || !references.contains(h),
  );
  const bodyEnd = references ? offsetIn(preview, references) : preview.scrollHeight;
  let target;
  if (sourceHeads.length === previewHeads.length) {
    const k = sourceHeads.filter((h) => h <= line).length;
    const fromLine = k ? sourceHeads[k - 1] : 0;
    const toLine = k < sourceHeads.length ? sourceHeads[k] : total;
    const fromY = k ? offsetIn(preview, previewHeads[k - 1]) : 0;
    const toY = k < previewHeads.length ? offsetIn(preview, previewHeads[k]) : bodyEnd;
    const fraction = (line - fromLine) / Math.max(1, toLine - fromLine);
    target = fromY + fraction * (toY - fromY);
  } else {
    target = (line / Math.max(1, total)) * bodyEnd;
  }
  const top = Math.max(0, target - preview.clientHeight / 3);
  if (Math.abs(preview.scrollTop - top) > 4) preview.scrollTop = top;
}

function setupFullScreen(parts) {
  const { wrapper, textarea, toolbar } = parts;
  const button = addButton(toolbar, {
    label: "Full screen",
    command: "fullscreen",
    keys: "Control+Shift+F",
    pressed: false,
  });
  button.classList.add("editor-button-end");
  function toggle(on) {
    document.documentElement.classList.toggle("editor-fullscreen", on);
    wrapper.classList.toggle("editor-fullscreen-shell", on);
    button.setAttribute("aria-pressed", String(on));
    button.textContent = on ? "Leave full screen" : "Full screen";
    wrapper.dispatchEvent(new CustomEvent("editor:fullscreen", { bubbles: true, detail: { on } }));
    textarea.focus();
  }
  const isOn = () => wrapper.classList.contains("editor-fullscreen-shell");
  button.addEventListener("click", () => toggle(!isOn()));
  document.addEventListener("keydown", (event) => {
    const primary = event.ctrlKey || event.metaKey;
    if (primary && event.shiftKey && !event.altKey && event.code === "KeyF") {
      event.preventDefault();
      toggle(!isOn());
    } else if (event.key === "Escape" && isOn() && !event.defaultPrevented) {
      event.preventDefault();
      toggle(false);
    }
  });
}

function init() {
  const parts = editorParts();
  if (!parts) return;
  const { textarea, preview, wrapper } = parts;
  // The textarea keeps a fixed height beside the preview; markdownx would
  // grow it to its content. This runs before markdownx starts (modules run
  // before DOMContentLoaded).
  textarea.setAttribute("data-markdownx-editor-resizable", "False");
  textarea.style.height = "";
  wrapper.classList.add("editor-split");
  if (preview) {
    // A scrolling region has to be reachable from the keyboard.
    preview.tabIndex = 0;
    preview.setAttribute("role", "region");
    preview.setAttribute("aria-label", "Preview");
    let frame = 0;
    const schedule = () => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => syncPreview(textarea, preview));
    };
    for (const type of ["keyup", "click", "input", "select", "focus", "editor:caret"]) {
      textarea.addEventListener(type, schedule);
    }
    wrapper.addEventListener("markdownx.update", () => {
      if (document.activeElement === textarea) schedule();
    });
  }
  const status = document.querySelector("fieldset.editor-status");
  if (status) {
    // The side column scrolls on its own: make it reachable from the keyboard.
    status.tabIndex = 0;
  }
  setupFullScreen(parts);
}

init();
