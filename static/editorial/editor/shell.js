// The parts of the article editor that several modules share: the body
// textarea, its markdownx wrapper and preview, the toolbar and the status bar.
// Each module asks for them here, so none depends on another's load order.

export function editorParts() {
  const textarea = document.getElementById("id_body");
  const wrapper = textarea && textarea.closest(".markdownx");
  if (!wrapper || textarea.readOnly || textarea.disabled) return null;
  return {
    textarea,
    wrapper,
    form: textarea.form,
    preview: wrapper.querySelector(".markdownx-preview"),
    config: document.getElementById("article-editor-config"),
    toolbar: part(wrapper, "editor-toolbar", () => {
      const bar = document.createElement("div");
      bar.setAttribute("role", "toolbar");
      bar.setAttribute("aria-label", "Formatting");
      bar.setAttribute("aria-controls", textarea.id);
      wrapper.prepend(bar);
      return bar;
    }),
    statusBar: part(wrapper, "editor-statusbar", () => {
      const bar = document.createElement("div");
      wrapper.append(bar);
      return bar;
    }),
  };
}

function part(wrapper, className, create) {
  let element = wrapper.querySelector(":scope > ." + className);
  if (!element) {
    element = create();
    element.classList.add(className);
  }
  return element;
}

// A toolbar button. One button of the toolbar is in the Tab order at a time
// (arrow keys move between them), so Tab goes from the toolbar to the text.
export function addButton(toolbar, { label, command, keys, pressed }) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "editor-button editor-button-" + command;
  button.dataset.command = command;
  button.textContent = label;
  if (keys) {
    // Ctrl on Windows and Linux is Cmd on a Mac; the handlers accept either.
    const mac = /Mac|iPhone|iPad/.test(navigator.platform);
    button.setAttribute("aria-keyshortcuts", mac ? keys.replace(/Control/g, "Meta") : keys);
    button.title = label + " (" + keys.replace(/Control/g, mac ? "⌘" : "Ctrl") + ")";
  }
  if (pressed !== undefined) button.setAttribute("aria-pressed", String(pressed));
  button.tabIndex = toolbar.querySelector('button[tabindex="0"]') ? -1 : 0;
  toolbar.append(button);
  return button;
}

// `document.execCommand("insertText")` keeps the browser's undo history; the
// fallback does not, but still tells everyone listening that the text changed.
export function replaceRange(textarea, from, to, text, selectFrom, selectTo) {
  textarea.focus();
  textarea.setSelectionRange(from, to);
  let done = false;
  try {
    done = document.execCommand("insertText", false, text);
  } catch {
    done = false;
  }
  if (!done || textarea.value.slice(from, from + text.length) !== text) {
    textarea.setRangeText(text, from, to, "end");
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }
  textarea.setSelectionRange(selectFrom, selectTo);
}

// Select a range of the textarea and scroll it into view.
export function selectRange(textarea, from, to) {
  textarea.focus();
  const value = textarea.value;
  const line = value.slice(0, from).split("\n").length - 1;
  const lines = value.split("\n").length;
  const target = (line / Math.max(lines, 1)) * textarea.scrollHeight;
  textarea.scrollTop = Math.max(0, target - textarea.clientHeight / 3);
  textarea.setSelectionRange(from, to);
  textarea.dispatchEvent(new CustomEvent("editor:caret", { bubbles: true }));
}

export function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}
