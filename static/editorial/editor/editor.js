/*
 * The article editor: the Markdown text, its toolbar and keys, the live
 * preview beside it (kept level with the caret), full screen, the slug from
 * the title, and the writing aids (word count, the plain-language panel,
 * the search result preview). It imports two modules that other pages share,
 * which the page names with <link rel="modulepreload"> so all three arrive
 * together (articles/admin/editor.py):
 *
 *   drafts.js  nothing is lost: drafts kept in this browser, and a warning
 *              before leaving with unsaved changes (the logged-out page
 *              removes the drafts with it);
 *   prose.js   prose out of Markdown: words, sentences, readability, jargon
 *              (the review comments find passages with it).
 *
 * The citation picker (../cite/) and the image dialog (../images/) load when
 * first needed: the caret in the text, their commands, or an image dropped
 * or pasted. Once everything is set up, <html data-editor="ready">.
 *
 * CONTRACT for the image dialog and the citation picker: the Image and Cite
 * buttons, and Ctrl/Cmd+Alt+I and Ctrl/Cmd+Alt+C, insert nothing themselves.
 * They dispatch on the body textarea (#id_body)
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
 * else (Ctrl+] and Ctrl+[ indent). A popup that needs Tab while it is open
 * sets aria-expanded="true" on the textarea; Tab then reaches its listeners.
 *
 * Ctrl/Cmd+S anywhere on the page is "Save and continue editing".
 *
 * The preview fires "markdownx.update" on the .markdownx wrapper each time
 * it changes (markdownx's own event, which the desk's modules listen for).
 */
import { keepDrafts, warnBeforeLeaving } from "./drafts.js";
import { analyse, countWords, findJargon, LONG_SENTENCE, mask } from "./prose.js";

// ---- The editor's parts ----------------------------------------------------

function part(wrapper, className, create) {
  let element = wrapper.querySelector(":scope > ." + className);
  if (!element) {
    element = create();
    element.classList.add(className);
  }
  return element;
}

function editorParts() {
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

const MAC = /Mac|iPhone|iPad/.test(navigator.platform);

// A toolbar button. One button of the toolbar is in the Tab order at a time
// (arrow keys move between them), so Tab goes from the toolbar to the text.
function addButton(toolbar, { label, command, keys, pressed }) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "editor-button editor-button-" + command;
  button.dataset.command = command;
  button.textContent = label;
  if (keys) {
    // Ctrl on Windows and Linux is Cmd on a Mac; the handlers accept either.
    button.setAttribute("aria-keyshortcuts", MAC ? keys.replace(/Control/g, "Meta") : keys);
    button.title = label + " (" + keys.replace(/Control/g, MAC ? "⌘" : "Ctrl") + ")";
  }
  if (pressed !== undefined) button.setAttribute("aria-pressed", String(pressed));
  button.tabIndex = toolbar.querySelector('button[tabindex="0"]') ? -1 : 0;
  toolbar.append(button);
  return button;
}

// `document.execCommand("insertText")` keeps the browser's undo history; the
// fallback does not, but still tells everyone listening that the text changed.
function replaceRange(textarea, from, to, text, selectFrom, selectTo) {
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

// ---- Edits: each takes the text and the selection and returns one
// replacement {from, to, text, select: [start, end]}, with the selection
// given in the new text. ---------------------------------------------------

function lineBounds(value, start, end) {
  const from = value.lastIndexOf("\n", start - 1) + 1;
  let to = value.indexOf("\n", end > start && value[end - 1] === "\n" ? end - 1 : end);
  if (to === -1) to = value.length;
  return [from, to];
}

// Runs of the marker's character either side of the selection: "*" italic
// and "**" bold share it, so italic is an odd run and bold a run of two+.
function run(value, index, step, char) {
  let count = 0;
  while (value[index + step * (count + (step < 0 ? 1 : 0))] === char) count += 1;
  return count;
}

function isWrapped(before, after, marker) {
  if (marker.length === 2) return before >= 2 && after >= 2;
  return before % 2 === 1 && after % 2 === 1;
}

function wrap(value, start, end, marker, placeholder) {
  const selected = value.slice(start, end);
  const m = marker.length;
  if (isWrapped(run(value, start, -1, marker[0]), run(value, end, 1, marker[0]), marker)) {
    return { from: start - m, to: end + m, text: selected, select: [start - m, end - m] };
  }
  const inner = selected || placeholder;
  return {
    from: start,
    to: end,
    text: marker + inner + marker,
    select: [start + m, start + m + inner.length],
  };
}

function link(value, start, end) {
  const selected = value.slice(start, end);
  if (/^https?:\/\/\S+$/.test(selected)) {
    const text = "[link text](" + selected + ")";
    return { from: start, to: end, text, select: [start + 1, start + 10] };
  }
  const label = selected || "link text";
  const text = "[" + label + "](https://)";
  const url = start + label.length + 3;
  return { from: start, to: end, text, select: [url, url + 8] };
}

// Toggle a prefix ("## ", "- ", "> ") on every line the selection touches.
function prefixLines(value, start, end, prefix, strip) {
  const [from, to] = lineBounds(value, start, end);
  const lines = value.slice(from, to).split("\n");
  const content = lines.filter((line) => line.trim());
  const all = content.length > 0 && content.every((line) => line.startsWith(prefix));
  const changed = lines.map((line) => {
    if (!line.trim() && lines.length > 1) return line;
    if (all) return line.slice(prefix.length);
    return prefix + line.replace(strip, "");
  });
  const text = changed.join("\n");
  if (lines.length === 1) {
    const shift = text.length - (to - from);
    const caret = Math.max(from, Math.min(from + text.length, end + shift));
    return { from, to, text, select: [start === end ? caret : from, caret] };
  }
  return { from, to, text, select: [from, from + text.length] };
}

// A block (a table) on lines of its own, with a blank line either side.
function block(value, start, end, body, selectInBody) {
  const before = value.slice(0, start);
  const after = value.slice(end);
  const lead = !before ? "" : before.endsWith("\n\n") ? "" : before.endsWith("\n") ? "\n" : "\n\n";
  const trail = !after ? "\n" : after.startsWith("\n\n") ? "" : after.startsWith("\n") ? "\n" : "\n\n";
  const text = lead + body + trail;
  const at = start + lead.length;
  return { from: start, to: end, text, select: [at + selectInBody[0], at + selectInBody[1]] };
}

const TABLE = "| Column 1 | Column 2 |\n| --- | --- |\n| Text | Text |";

// ---- The toolbar and its keys ------------------------------------------------

const COMMANDS = [
  {
    command: "heading",
    label: "Heading",
    keys: "Control+Alt+2",
    edit: (v, s, e) => prefixLines(v, s, e, "## ", /^#{1,6}\s+/),
  },
  { command: "bold", label: "Bold", keys: "Control+B", edit: (v, s, e) => wrap(v, s, e, "**", "bold text") },
  { command: "italic", label: "Italic", keys: "Control+I", edit: (v, s, e) => wrap(v, s, e, "*", "italic text") },
  { command: "link", label: "Link", keys: "Control+K", edit: link },
  {
    command: "list",
    label: "List",
    keys: "Control+Shift+8",
    edit: (v, s, e) => prefixLines(v, s, e, "- ", /^(?:[-*+]|\d+[.)])\s+/),
  },
  { command: "quote", label: "Quote", keys: "Control+Shift+9", edit: (v, s, e) => prefixLines(v, s, e, "> ", /^>\s?/) },
  { command: "table", label: "Table", keys: "Control+Alt+T", edit: (v, s, e) => block(v, s, e, TABLE, [2, 10]) },
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

function runCommand(textarea, spec) {
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

// Ctrl+] and Ctrl+[: a tab more or less at the start of every line the
// selection touches.
function indent(textarea, outdent) {
  const { selectionStart: start, selectionEnd: end, value } = textarea;
  const [from, to] = lineBounds(value, start, end);
  const lines = value.slice(from, to).split("\n");
  const changed = lines.map((line) => (outdent ? line.replace(/^(?:\t| {1,4})/, "") : "\t" + line));
  const text = changed.join("\n");
  const first = changed[0].length - lines[0].length;
  const caret = Math.max(from, start + first);
  replaceRange(textarea, from, to, text, caret, start === end ? caret : from + text.length);
}

function moveFocus(toolbar, event) {
  const buttons = [...toolbar.querySelectorAll("button:not([hidden])")];
  const index = buttons.indexOf(document.activeElement);
  if (index === -1) return;
  const next = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: buttons.length - 1 }[event.key];
  if (next === undefined) return;
  event.preventDefault();
  const target = buttons[(next + buttons.length) % buttons.length];
  buttons.forEach((b) => (b.tabIndex = b === target ? 0 : -1));
  target.focus();
}

function setUpToolbar({ textarea, toolbar, form, statusBar }) {
  for (const spec of COMMANDS) addButton(toolbar, spec);
  const hint = document.createElement("span");
  hint.className = "editor-hint";
  hint.textContent = (MAC ? "⌘S" : "Ctrl+S") + " saves; Tab leaves the text";
  statusBar.append(hint);
  toolbar.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-command]");
    const spec = button && COMMANDS.find((c) => c.command === button.dataset.command);
    if (spec) runCommand(textarea, spec);
  });
  toolbar.addEventListener("keydown", (event) => moveFocus(toolbar, event));
  textarea.addEventListener("keydown", (event) => {
    const spec = COMMANDS.find((c) => matches(event, c.keys));
    const indenting = (event.ctrlKey || event.metaKey) && !event.altKey && ["[", "]"].includes(event.key);
    if (spec) runCommand(textarea, spec);
    else if (indenting) indent(textarea, event.key === "[");
    else return;
    event.preventDefault();
  });
  document.addEventListener("keydown", (event) => {
    if (!matches(event, "Control+S")) return;
    event.preventDefault();
    const button = form.querySelector('input[name="_continue"], button[name="_continue"]');
    // Not while the form is locked (an article in review, before "Edit anyway").
    if (button && !button.matches(":disabled")) form.requestSubmit(button);
  });
}

// ---- Layout: the preview beside the text (CSS does the columns), kept
// level with the caret, and full screen (Ctrl/Cmd+Shift+F; Esc leaves). ------

const HEADING = /^ {0,3}#{1,6}(?:[ \t]|$)/;
// \x60 is the backtick: one in this file would look like the start of a
// template literal to collectstatic, which then leaves the imports after it
// unhashed (tests/site/test_static_files.py).
const FENCE = /^ {0,3}(\x60\x60\x60|~~~)/;

// Line numbers of the ATX headings, outside fenced code.
function headingLines(lines) {
  const found = [];
  let fence = null;
  lines.forEach((line, index) => {
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
  return element.getBoundingClientRect().top - container.getBoundingClientRect().top + container.scrollTop;
}

function followCaret(textarea, preview) {
  const value = textarea.value;
  const lines = value.split("\n");
  let line = 0;
  for (let at = value.indexOf("\n"); at !== -1 && at < textarea.selectionStart; at = value.indexOf("\n", at + 1)) {
    line += 1;
  }
  const sourceHeads = headingLines(lines);
  const references = preview.querySelector("section.references");
  const previewHeads = [...preview.querySelectorAll("h1, h2, h3, h4, h5, h6")].filter(
    (h) => !references || !references.contains(h),
  );
  const bodyEnd = references ? offsetIn(preview, references) : preview.scrollHeight;
  let target;
  if (sourceHeads.length === previewHeads.length) {
    const k = sourceHeads.filter((h) => h <= line).length;
    const fromLine = k ? sourceHeads[k - 1] : 0;
    const toLine = k < sourceHeads.length ? sourceHeads[k] : lines.length;
    const fromY = k ? offsetIn(preview, previewHeads[k - 1]) : 0;
    const toY = k < previewHeads.length ? offsetIn(preview, previewHeads[k]) : bodyEnd;
    target = fromY + ((line - fromLine) / Math.max(1, toLine - fromLine)) * (toY - fromY);
  } else {
    target = (line / Math.max(1, lines.length)) * bodyEnd;
  }
  const top = Math.max(0, target - preview.clientHeight / 3);
  if (Math.abs(preview.scrollTop - top) > 4) preview.scrollTop = top;
}

function setUpFullScreen({ wrapper, textarea, toolbar }) {
  const button = addButton(toolbar, {
    label: "Full screen",
    command: "fullscreen",
    keys: "Control+Shift+F",
    pressed: false,
  });
  button.classList.add("editor-button-end");
  const isOn = () => wrapper.classList.contains("editor-fullscreen-shell");
  function toggle(on) {
    document.documentElement.classList.toggle("editor-fullscreen", on);
    wrapper.classList.toggle("editor-fullscreen-shell", on);
    button.setAttribute("aria-pressed", String(on));
    button.textContent = on ? "Leave full screen" : "Full screen";
    wrapper.dispatchEvent(new CustomEvent("editor:fullscreen", { bubbles: true, detail: { on } }));
    textarea.focus();
  }
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

function setUpLayout(parts) {
  const { textarea, preview, wrapper } = parts;
  textarea.style.height = "";
  wrapper.classList.add("editor-split");
  if (preview) {
    // A scrolling region has to be reachable from the keyboard.
    preview.tabIndex = 0;
    preview.setAttribute("role", "region");
    preview.setAttribute("aria-label", "Preview");
    // Only while there is a caret: text changed from elsewhere leaves the
    // preview where the writer scrolled it.
    let frame = 0;
    const schedule = () => {
      if (document.activeElement !== textarea) return;
      cancelAnimationFrame(frame);
      // Checked again in the frame: the caret may have left meanwhile.
      frame = requestAnimationFrame(() => {
        if (document.activeElement === textarea) followCaret(textarea, preview);
      });
    };
    for (const type of ["keyup", "click", "input", "select", "focus", "editor:caret"]) {
      textarea.addEventListener(type, schedule);
    }
    wrapper.addEventListener("markdownx.update", schedule);
  }
  // The side column scrolls on its own: make it reachable from the keyboard.
  const status = document.querySelector("fieldset.editor-status");
  if (status) status.tabIndex = 0;
  setUpFullScreen(parts);
}

// ---- The live preview ----------------------------------------------------------
// The page comes with the preview of its text (articles/admin/editor.py); the
// server renders each change as readers will get it. A key sends the text at
// once unless a request is on its way, and the answer to that sends what was
// typed meanwhile: the preview keeps up while the keys keep coming, one
// request at a time, at most ten a second. A request that takes over a
// second no longer holds the next one back; answers are numbered, so an
// older one never replaces a newer one, and older requests still out are
// cancelled once a newer answer is shown. Only what changed is replaced, so
// the rest of the preview keeps its layout, its scroll position and what is
// marked in it.

const PREVIEW_GAP_MS = 100;
const PREVIEW_STALL_MS = 1000;

function sameElement(a, b) {
  if (a.nodeType !== Node.ELEMENT_NODE || b.nodeType !== Node.ELEMENT_NODE) return false;
  if (a.tagName !== b.tagName || a.attributes.length !== b.attributes.length) return false;
  return [...a.attributes].every((attribute) => b.getAttribute(attribute.name) === attribute.value);
}

// Make the children of current those of fresh (taken from it), replacing
// only the run between the children both start and end with alike; a
// single changed element is patched inside rather than replaced.
function patch(current, fresh) {
  const before = [...current.childNodes];
  const after = [...fresh.childNodes];
  let start = 0;
  while (start < before.length && start < after.length && before[start].isEqualNode(after[start])) start += 1;
  let end = before.length;
  let freshEnd = after.length;
  while (end > start && freshEnd > start && before[end - 1].isEqualNode(after[freshEnd - 1])) {
    end -= 1;
    freshEnd -= 1;
  }
  if (end - start === 1 && freshEnd - start === 1 && sameElement(before[start], after[start])) {
    patch(before[start], after[start]);
    return;
  }
  const next = before[end] || null;
  for (const node of before.slice(start, end)) node.remove();
  for (const node of after.slice(start, freshEnd)) current.insertBefore(node, next);
}

function livePreview({ textarea, wrapper, preview, form, statusBar }) {
  const url = textarea.dataset.markdownxUrlsPath;
  if (!preview || !url) return;
  const token = form.querySelector("input[name=csrfmiddlewaretoken]");
  const status = document.createElement("span");
  status.className = "editor-preview-status";
  status.setAttribute("role", "status");
  statusBar.append(status);
  const out = new Map(); // request number → its AbortController
  let sent = 0;
  let shown = 0;
  let sentText = textarea.defaultValue;
  let sentAt = -Infinity;
  let shownHtml = null;
  let timer = 0;

  function show(html) {
    if (html === shownHtml) return;
    shownHtml = html;
    const fresh = document.createElement("template");
    fresh.innerHTML = html;
    patch(preview, fresh.content);
    wrapper.dispatchEvent(new CustomEvent("markdownx.update", { bubbles: true, detail: html }));
  }

  async function send() {
    const number = ++sent;
    const controller = new AbortController();
    out.set(number, controller);
    sentText = textarea.value;
    sentAt = performance.now();
    try {
      const response = await fetch(url, {
        method: "POST",
        body: new URLSearchParams({ content: sentText }),
        headers: { "X-CSRFToken": token ? token.value : "" },
        credentials: "same-origin",
        signal: controller.signal,
      });
      if (!response.ok) throw new Error(String(response.status));
      const html = await response.text();
      if (number > shown) {
        shown = number;
        show(html);
        status.textContent = "";
        for (const [older, request] of out) if (older < number) request.abort();
      }
    } catch (error) {
      if (error.name === "AbortError") return;
      status.textContent = "The preview could not be updated (your session may have ended); your text is safe.";
    } finally {
      out.delete(number);
      if (number === sent) schedule();
    }
  }

  function schedule() {
    clearTimeout(timer);
    timer = 0;
    if (textarea.value === sentText) return;
    const waiting = out.has(sent);
    const free = Math.max(sentAt + PREVIEW_GAP_MS, waiting ? sentAt + PREVIEW_STALL_MS : 0);
    const now = performance.now();
    if (now >= free) send();
    else timer = setTimeout(schedule, free - now);
  }

  textarea.addEventListener("input", schedule);
  // Text the browser put back (history, autofill) differs from the page's.
  schedule();
}

// ---- The slug ------------------------------------------------------------------
// Filled in from the title as the admin's prepopulated_fields do (their
// settings come in the page, from prepopulated_fields_js.html), while the
// slug is empty or still what the title gave; folded to ASCII as Django's
// slugify() does on the server.

function slugify(text, maxLength, allowUnicode) {
  let slug = allowUnicode ? text.normalize("NFKC") : text.normalize("NFKD").replace(/[^\x00-\x7f]/g, "");
  slug = slug.toLowerCase().replace(allowUnicode ? /[^\p{L}\p{N}_\s-]/gu : /[^\w\s-]/g, "");
  slug = slug.trim().replace(/[-\s]+/g, "-").replace(/^[-_]+|[-_]+$/g, "");
  return slug.slice(0, maxLength).replace(/-+$/, "");
}

function followTitle() {
  const settings = document.getElementById("django-admin-prepopulated-fields-constants");
  for (const field of JSON.parse(settings?.dataset.prepopulatedFields || "[]")) {
    const target = document.querySelector(field.id);
    const sources = field.dependency_ids.map((id) => document.querySelector(id)).filter(Boolean);
    // As in the admin, a slug that comes filled in stays as it is.
    if (!target || !sources.length || target.value) continue;
    const derive = () =>
      slugify(
        sources.map((s) => s.value).filter(Boolean).join(" "),
        field.maxLength,
        field.allowUnicode,
      );
    let given = derive();
    const update = () => {
      const before = given;
      given = derive();
      if (target.value && target.value !== before) return; // changed by hand
      if (target.value === given) return;
      target.value = given;
      target.dispatchEvent(new Event("input", { bubbles: true }));
    };
    for (const source of sources) {
      source.addEventListener("input", update);
      source.addEventListener("change", update);
    }
  }
}

// ---- Accessible names for admin widgets that Django and select2 leave
// without one: the two-box selector's filter icons (aria-label on a plain
// span), select2's inline search box, file inputs labelled only by their
// fieldset's legend; and select2's misplaced clear button. -------------------

function nameWidgets(form) {
  for (const icon of form.querySelectorAll(".help-tooltip[aria-label]:not([role])")) {
    icon.setAttribute("role", "img");
  }
  for (const box of form.querySelectorAll(".select2-search__field:not([aria-label])")) {
    const container = box.closest(".select2-container");
    const select = container && container.previousElementSibling;
    const label = select && select.id && document.querySelector(`label[for="${select.id}"]`);
    const name = label ? label.textContent.replace(/:\s*$/, "").trim() : "";
    box.setAttribute("aria-label", name ? "Search " + name.toLowerCase() : "Search");
  }
  // select2 4.0 puts its "remove all" × inside the <ul> of chosen items, where
  // only list items may stand; it is a mouse shortcut (Backspace does the
  // same), so it becomes a hidden list item.
  for (const clear of form.querySelectorAll("ul > .select2-selection__clear:not([role])")) {
    clear.setAttribute("role", "listitem");
    clear.setAttribute("aria-hidden", "true");
  }
  for (const input of form.querySelectorAll("fieldset > legend ~ * input[type=file]")) {
    if (input.labels.length || input.hasAttribute("aria-label")) continue;
    const legend = input.closest("fieldset").querySelector(":scope > legend");
    if (legend) input.setAttribute("aria-label", legend.textContent.replace(/:\s*$/, "").trim());
  }
}

function nameWidgetsAsTheyCome() {
  const form = document.getElementById("article_form");
  if (!form) return;
  nameWidgets(form);
  // select2 and the two-box selector build their parts after load, and
  // select2 redraws its search box on every change; the preview is not theirs.
  new MutationObserver((records) => {
    if (records.some((record) => !record.target.closest(".markdownx-preview"))) nameWidgets(form);
  }).observe(form, { childList: true, subtree: true });
}

// ---- Citing and images, loaded when first needed ---------------------------

function loadInsertingWhenNeeded({ textarea, wrapper }) {
  let loading = null;
  let insertImages = null; // once they are here
  function load() {
    loading ??= Promise.all([import("../cite/picker.js"), import("../images/insert.js")]).then(
      ([cite, images]) => {
        const picker = cite.attach(textarea);
        insertImages = images.attach(textarea);
        // `[@` typed while they loaded.
        if (document.activeElement === textarea) picker.update();
      },
    );
    return loading;
  }
  textarea.addEventListener("focus", load);
  // A command given before they were here is given again once they are.
  textarea.addEventListener("editor:command", (event) => {
    const command = event.detail?.command;
    if (insertImages || !["cite", "image"].includes(command)) return;
    load().then(() =>
      textarea.dispatchEvent(new CustomEvent("editor:command", { bubbles: true, detail: { command } })),
    );
  });
  for (const type of ["drop", "paste"]) {
    wrapper.addEventListener(
      type,
      (event) => {
        const transfer = type === "drop" ? event.dataTransfer : event.clipboardData;
        const files = [...(transfer?.files || [])].filter((file) => file.type.startsWith("image/"));
        if (insertImages || !files.length) return;
        event.preventDefault();
        event.stopImmediatePropagation();
        load().then(() => insertImages(files));
      },
      true,
    );
  }
  // A file dropped beside the editor is not opened in place of the form.
  for (const type of ["dragover", "drop"]) {
    document.addEventListener(type, (event) => {
      const files = event.dataTransfer && [...event.dataTransfer.types].includes("Files");
      if (files && !event.defaultPrevented) event.preventDefault();
    });
  }
}

// ---- Writing aids: the word count and reading time under the text, the
// plain-language panel (reading ease and grade level, long sentences,
// passive voice, and medical jargon from the shipped list in
// editorial/jargon.json, with plain alternatives; each finding is a button
// that selects the words in the text), and under the SEO fields their
// character counts and a preview of the search result, cut where search
// engines cut. ------------------------------------------------------------------

function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

// Select a range of the textarea and scroll it into view.
function selectRange(textarea, from, to) {
  textarea.focus();
  const value = textarea.value;
  const line = value.slice(0, from).split("\n").length - 1;
  const lines = value.split("\n").length;
  const target = (line / Math.max(lines, 1)) * textarea.scrollHeight;
  textarea.scrollTop = Math.max(0, target - textarea.clientHeight / 3);
  textarea.setSelectionRange(from, to);
  textarea.dispatchEvent(new CustomEvent("editor:caret", { bubbles: true }));
}

// ---- Word count and reading time, under the text -----------------------------

// Adults read health information at about 200 words a minute.
const WORDS_PER_MINUTE = 200;

function describeCount(words) {
  const count = words.toLocaleString("en-GB");
  const minutes = Math.max(1, Math.ceil(words / WORDS_PER_MINUTE));
  if (!words) return "No words yet";
  return (
    count + (words === 1 ? " word" : " words") +
    " · about " + minutes + (minutes === 1 ? " minute" : " minutes") + " to read"
  );
}

function wordCount({ textarea, statusBar }) {
  const output = document.createElement("span");
  output.className = "editor-counts";
  output.id = "editor-counts";
  statusBar.prepend(output);
  const update = () => {
    output.textContent = describeCount(countWords(mask(textarea.value)));
  };
  textarea.addEventListener("input", debounce(update, 250));
  update();
}

// ---- The plain-language panel, in the side column ----------------------------

const TARGET_EASE = 80;
const TARGET_GRADE = 6;
const MAX_LISTED = 15;

function element(tag, attrs = {}, text = "") {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  if (text) node.textContent = text;
  return node;
}

function excerpt(text, limit = 110) {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > limit ? flat.slice(0, limit - 1) + "…" : flat;
}

function scoreRow(list, label, value, good, note) {
  list.append(element("dt", {}, label));
  const dd = element("dd", { class: value === null ? "" : good ? "score-good" : "score-poor" });
  dd.textContent = value === null ? "—" : value + (good ? " ✓ " : " ") + note;
  list.append(dd);
}

function findingList(panel, id, title, note, items, render) {
  const heading = element("h4", { id }, title + " (" + items.length + ")");
  panel.append(heading);
  if (note) panel.append(element("p", { class: "plain-note" }, note));
  if (!items.length) {
    panel.append(element("p", { class: "plain-none" }, "None found."));
    return;
  }
  const list = element("ul", { class: "plain-findings", "aria-labelledby": id });
  for (const item of items.slice(0, MAX_LISTED)) list.append(render(item));
  panel.append(list);
  if (items.length > MAX_LISTED) {
    panel.append(element("p", { class: "plain-none" }, "and " + (items.length - MAX_LISTED) + " more."));
  }
}

// Marks the flagged sentences in the preview with the CSS Custom Highlight
// API, which leaves the preview's HTML untouched. Citation numbers and the
// reference list are left out of the text searched.
function highlightPreview(preview, groups) {
  if (!preview || !window.CSS || !CSS.highlights || typeof Highlight === "undefined") return;
  const root = preview.querySelector(".article-preview") || preview;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
    acceptNode: (node) =>
      node.parentElement.closest("section.references, sup, .preview-refused")
        ? NodeFilter.FILTER_REJECT
        : NodeFilter.FILTER_ACCEPT,
  });
  // The text nodes, where each starts in the text they make together, and
  // that text's words joined by single spaces, each word's place in both.
  const nodes = [];
  const starts = [];
  let flat = "";
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    nodes.push(node);
    starts.push(flat.length);
    flat += node.data;
  }
  const words = [...flat.matchAll(/[\p{L}\p{N}]+/gu)];
  const joined = words.map((word) => word[0]).join(" ");
  const placed = [];
  let place = 0;
  for (const word of words) {
    placed.push(place);
    place += word[0].length + 1;
  }
  const last = (sorted, value) => {
    let low = 0;
    let high = sorted.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (sorted[middle] <= value) low = middle;
      else high = middle - 1;
    }
    return low;
  };
  const nodeAt = (offset) => {
    const index = last(starts, offset);
    return [nodes[index], offset - starts[index]];
  };
  const whole = (index, length) =>
    (index === 0 || joined[index - 1] === " ") &&
    (index + length === joined.length || joined[index + length] === " ");
  for (const [name, sentences] of Object.entries(groups)) {
    const highlight = new Highlight();
    // The sentences come in the order of the text: each is looked for after
    // the one before, so the text is read about once.
    let from = 0;
    for (const sentence of sentences) {
      const wanted = (sentence.masked.match(/[\p{L}\p{N}]+/gu) || []).join(" ");
      if (!wanted) continue;
      let index = joined.indexOf(wanted, from);
      while (index !== -1 && !whole(index, wanted.length)) index = joined.indexOf(wanted, index + 1);
      if (index === -1) continue;
      from = index + wanted.length;
      const first = words[last(placed, index)];
      const end = words[last(placed, index + wanted.length - 1)];
      const range = new Range();
      range.setStart(...nodeAt(first.index));
      const [endNode, endOffset] = nodeAt(end.index + end[0].length - 1);
      range.setEnd(endNode, endOffset + 1);
      highlight.add(range);
    }
    CSS.highlights.set(name, highlight);
  }
}

function plainLanguagePanel(parts) {
  const { textarea } = parts;
  const column = document.querySelector("fieldset.editor-status");
  const panel = element("section", { class: "plain-language", "aria-labelledby": "plain-language-heading" });
  panel.append(element("h3", { id: "plain-language-heading" }, "Plain language"));
  const results = element("div", { class: "plain-results" });
  panel.append(
    element(
      "p",
      { class: "plain-target" },
      "Health writing aims at a reading age of 9 to 11 (US grade 4 to 6): " +
        "a reading ease of " + TARGET_EASE + " or more and a grade level of " +
        TARGET_GRADE + " or less.",
    ),
    results,
  );
  if (column) column.append(panel);
  else textarea.closest(".form-row").after(panel);

  let terms;

  function select(start, end, text) {
    // The text may have changed since the last analysis: find it again.
    let from = start;
    if (textarea.value.slice(start, end) !== text) {
      const again = textarea.value.indexOf(text);
      if (again === -1) return;
      from = again;
    }
    selectRange(textarea, from, from + text.length);
  }

  function sentenceButton(sentence, detail) {
    const li = element("li");
    const button = element("button", { type: "button", class: "plain-finding" }, excerpt(sentence.text));
    button.addEventListener("click", () => select(sentence.start, sentence.end, sentence.text));
    li.append(button, element("span", { class: "plain-detail" }, detail));
    return li;
  }

  // Marked a moment after the preview changes, not at every key.
  let report = null;
  const mark = () =>
    report && highlightPreview(parts.preview, { "plain-long": report.long, "plain-passive": report.passive });
  parts.wrapper.addEventListener("markdownx.update", debounce(mark, 300));

  function render() {
    report = analyse(textarea.value);
    mark();
    const jargon = findJargon(report.masked, terms);
    results.replaceChildren();
    const scores = element("dl", { class: "plain-scores" });
    scoreRow(
      scores,
      "Reading ease",
      report.ease === null ? null : Math.round(report.ease),
      report.ease !== null && report.ease >= TARGET_EASE,
      "(aim for " + TARGET_EASE + "+; higher is easier)",
    );
    scoreRow(
      scores,
      "Grade level",
      report.grade === null ? null : Math.max(0, report.grade).toFixed(1),
      report.grade !== null && report.grade <= TARGET_GRADE,
      "(aim for " + TARGET_GRADE + " or less)",
    );
    results.append(scores);
    findingList(
      results,
      "plain-long-heading",
      "Long sentences",
      "Over " + LONG_SENTENCE + " words; marked yellow in the preview.",
      report.long,
      (s) => sentenceButton(s, s.words + " words"),
    );
    findingList(
      results,
      "plain-passive-heading",
      "Passive voice",
      "Marked blue in the preview. Say who does what.",
      report.passive,
      (s) =>
      sentenceButton(s, "“" + s.passive.replace(/\s+/g, " ") + "”"),
    );
    findingList(
      results,
      "plain-jargon-heading",
      "Medical terms",
      "Explain them or use the plain word.",
      jargon,
      (found) => {
      const li = element("li");
      const button = element("button", { type: "button", class: "plain-finding plain-term" }, found.term);
      let next = 0;
      button.addEventListener("click", () => {
        const use = found.uses[next % found.uses.length];
        next += 1;
        const text = textarea.value.slice(use[0], use[1]);
        select(use[0], use[1], text);
      });
      li.append(
        button,
        element(
          "span",
          { class: "plain-detail" },
          "→ " + found.plain + (found.uses.length > 1 ? " (" + found.uses.length + " uses)" : ""),
        ),
      );
      return li;
    });
  }

  // The list comes in the page, beside the text (articles/admin/editor.py).
  const list = document.getElementById("editor-jargon");
  try {
    terms = JSON.parse(list ? list.textContent : "{}").terms || [];
  } catch {
    terms = [];
  }
  textarea.addEventListener("input", debounce(render, 600));
  render();
}

// ---- Search and social: character counts with the guidance ranges
// (warnings, never errors) and the search result preview --------------------

const RULES = {
  id_seo_title: { min: 1, max: 60, label: "about 60" },
  id_meta_description: { min: 120, max: 160, label: "120–160" },
};
// Desktop results cut titles at about 600 px of 20 px Arial and
// descriptions at about 920 px of 14 px Arial (roughly 160 characters).
const TITLE_PX = 600;
const DESCRIPTION_PX = 920;

let canvas = null;
function widthOf(text, font) {
  canvas = canvas || document.createElement("canvas");
  const context = canvas.getContext("2d");
  if (!context) return text.length * (font.startsWith("20") ? 10 : 6.5);
  context.font = font;
  return context.measureText(text).width;
}

function cut(text, limit, font) {
  const flat = text.replace(/\s+/g, " ").trim();
  if (widthOf(flat, font) <= limit) return flat;
  let end = flat.length;
  while (end > 0 && widthOf(flat.slice(0, end) + " …", font) > limit) end -= 1;
  const space = flat.lastIndexOf(" ", end);
  return flat.slice(0, space > end * 0.6 ? space : end).trimEnd() + " …";
}

function attachCounter(id) {
  const field = document.getElementById(id);
  if (!field) return null;
  const rule = RULES[id];
  const output = document.createElement("span");
  output.className = "seo-count";
  output.id = id + "_count";
  const described = field.getAttribute("aria-describedby");
  field.setAttribute("aria-describedby", (described ? described + " " : "") + output.id);
  field.insertAdjacentElement("afterend", output);
  const title = document.getElementById("id_title");
  function update() {
    let value = field.value;
    let note = "";
    if (id === "id_seo_title" && !value && title) {
      value = title.value;
      note = " (using the title)";
    }
    const length = [...value.trim()].length;
    const outside = length < rule.min || length > rule.max;
    output.textContent =
      length + " characters" + note + "; aim for " + rule.label + "." +
      (outside && length ? " Search results may cut or rewrite it." : "");
    output.classList.toggle("out-of-range", outside);
  }
  field.addEventListener("input", update);
  if (title && id === "id_seo_title") title.addEventListener("input", update);
  update();
  return field;
}

function attachSnippet() {
  const description = document.getElementById("id_meta_description");
  if (!description) return;
  const config = document.getElementById("article-editor-config");
  const site = (config && config.dataset.siteUrl) || location.origin;
  const siteName = (config && config.dataset.siteName) || "";
  const get = (name) => document.getElementById("id_" + name);
  const box = document.createElement("section");
  box.className = "serp-preview";
  box.setAttribute("aria-labelledby", "serp-preview-heading");
  box.innerHTML =
    '<h3 id="serp-preview-heading">Search result preview</h3>' +
    '<div class="serp">' +
    '<div class="serp-site"><span class="serp-name"></span> <span class="serp-url"></span></div>' +
    '<div class="serp-title"></div>' +
    '<div class="serp-description"></div>' +
    "</div>" +
    '<p class="serp-note">Cut where desktop results usually cut. Search engines may rewrite the title or description.</p>';
  const row = description.closest(".form-row") || description.parentElement;
  row.after(box);
  const parts = {
    name: box.querySelector(".serp-name"),
    url: box.querySelector(".serp-url"),
    title: box.querySelector(".serp-title"),
    description: box.querySelector(".serp-description"),
  };
  function update() {
    const slug = (get("slug") && get("slug").value.trim()) || "…";
    const host = site.replace(/^https?:\/\//, "").replace(/\/$/, "");
    parts.name.textContent = siteName;
    parts.url.textContent = [host, "articles", slug].join(" › ");
    const heading = (get("seo_title") && get("seo_title").value.trim()) || (get("title") && get("title").value.trim()) || "";
    const full = heading ? heading + (siteName ? " | " + siteName : "") : "Untitled";
    parts.title.textContent = cut(full, TITLE_PX, "20px Arial");
    const meta = description.value.trim();
    const summary = get("summary") ? get("summary").value.trim() : "";
    parts.description.textContent = cut(meta || summary, DESCRIPTION_PX, "14px Arial");
    parts.description.classList.toggle("serp-fallback", !meta);
    if (!meta) {
      parts.description.prepend(
        Object.assign(document.createElement("em"), {
          textContent: summary
            ? "No meta description; search engines may show the summary: "
            : "No meta description yet.",
        }),
      );
    }
  }
  for (const name of ["title", "seo_title", "meta_description", "slug", "summary"]) {
    const field = get(name);
    if (field) {
      field.addEventListener("input", update);
      field.addEventListener("change", update);
    }
  }
  // The admin fills the slug in from the title on key up.
  const title = get("title");
  if (title) title.addEventListener("keyup", update);
  update();
}

// The SEO fields are there even when the text may not be edited.
function startAids(parts) {
  Object.keys(RULES).forEach(attachCounter);
  attachSnippet();
  if (!parts) return;
  wordCount(parts);
  plainLanguagePanel(parts);
}

// ---- The review lock ----------------------------------------------------
// Editing an article in review asks first: the form stays read-only until
// the user chooses "Edit anyway", whose notice says what saving will do
// (return the article to draft, withdraw the review request, tell the
// reviewers). The choice ticks the confirmation the server requires.

// The fieldsets holding fields to edit; read-only panels stay usable.
function editableFieldsets(form) {
  return [...form.querySelectorAll("fieldset")].filter((fieldset) =>
    fieldset.querySelector("input:not([type=hidden]), textarea, select"),
  );
}

function lockForm(form, locked) {
  for (const fieldset of editableFieldsets(form)) fieldset.disabled = locked;
  for (const button of form.querySelectorAll(".submit-row [type=submit]")) {
    button.disabled = locked;
  }
  form.classList.toggle("review-locked", locked);
}

function lockForReview() {
  const notice = document.querySelector("[data-review-lock]");
  const form = notice?.closest("form");
  const confirmation = notice?.querySelector("[name=confirm_edit_in_review]");
  if (!form || !confirmation || confirmation.checked) return;
  const choice = notice.querySelector(".review-lock-choice");
  const status = notice.querySelector(".review-lock-status");
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
    form
      .querySelector("fieldset input:not([type=hidden]), fieldset textarea, fieldset select")
      ?.focus();
  });
}

// ---- Start -----------------------------------------------------------------

function init() {
  lockForReview();
  const body = document.getElementById("id_body");
  const parts = editorParts();
  nameWidgetsAsTheyCome();
  keepDrafts(body);
  startAids(parts);
  if (parts) {
    setUpToolbar(parts);
    setUpLayout(parts);
    livePreview(parts);
    followTitle();
    warnBeforeLeaving(parts.form);
    loadInsertingWhenNeeded(parts);
  }
  document.documentElement.dataset.editor = "ready";
  performance.mark("editor-ready");
}

init();
