// Comments on the text of the review screen: select a passage, choose
// "Comment", write, and it is saved (POST with the form's CSRF token) and
// listed beside the article; open comments are highlighted in the text.
import { describe, highlight, locate, textOf } from "./anchors.js";

const MAX_QUOTE = 1000;

const root = document.querySelector("[data-comment-root]");
const form = document.getElementById("comment-form");
const list = document.getElementById("comment-list");
const announce = document.querySelector("[data-announce]");

function say(message) {
  if (announce) announce.textContent = message;
}

function anchor(item) {
  const found = locate(textOf(root).text, {
    quote: item.dataset.quote,
    prefix: item.dataset.prefix,
    suffix: item.dataset.suffix,
  });
  const status = item.querySelector("[data-anchor-status]");
  if (!found) {
    if (status) status.textContent = "· passage not in this revision (rewritten or removed)";
    return;
  }
  const id = item.dataset.commentId;
  const marks = highlight(root, found, (mark) => {
    mark.className = "comment-mark";
    mark.dataset.commentId = id;
  });
  if (!marks.length || !status) return;
  marks[0].id = `comment-mark-${id}`;
  marks[0].tabIndex = -1;
  const link = document.createElement("a");
  link.href = `#comment-mark-${id}`;
  link.textContent = "show in the text";
  link.addEventListener("click", (event) => {
    event.preventDefault();
    marks[0].scrollIntoView({ block: "center" });
    marks[0].focus();
  });
  status.append("· ", link);
}

function listItem(comment) {
  const item = document.createElement("li");
  item.className = "comment";
  item.id = `comment-${comment.id}`;
  Object.assign(item.dataset, {
    commentId: comment.id,
    quote: comment.quote,
    prefix: comment.prefix,
    suffix: comment.suffix,
    open: "",
  });
  const quote = document.createElement("blockquote");
  quote.className = "comment-quote";
  quote.textContent = comment.quote.length > 240 ? `${comment.quote.slice(0, 239)}…` : comment.quote;
  const body = document.createElement("p");
  body.className = "comment-body";
  body.textContent = comment.body;
  const meta = document.createElement("p");
  meta.className = "comment-meta";
  meta.textContent = `${comment.author} · ${comment.created} · revision ${comment.revision} `;
  const status = document.createElement("span");
  status.className = "comment-anchor";
  status.dataset.anchorStatus = "";
  meta.append(status);
  item.append(quote, body, meta);
  if (comment.resolve_url) {
    const resolve = document.createElement("form");
    resolve.method = "post";
    resolve.action = comment.resolve_url;
    resolve.className = "comment-resolve";
    const token = form.querySelector("[name=csrfmiddlewaretoken]").cloneNode();
    const next = form.querySelector("[name=next]").cloneNode();
    const button = document.createElement("button");
    button.type = "submit";
    button.className = "button";
    button.textContent = "Resolve";
    resolve.append(token, next, button);
    item.append(resolve);
  }
  return item;
}

let pending = null;
const trigger = document.createElement("button");
trigger.type = "button";
trigger.className = "button comment-trigger";
trigger.textContent = "Comment";
trigger.hidden = true;
// The same for keyboard users: select with Shift and the arrow keys (caret
// browsing, F7), then Tab to this button in the comments panel.
const panelButton = document.createElement("button");
panelButton.type = "button";
panelButton.className = "button";
panelButton.textContent = "Comment on the selected text";
const hint = document.createElement("p");
hint.className = "help";
hint.hidden = true;
hint.textContent = "First select a passage of the article.";

function selectedPassage() {
  const selection = document.getSelection();
  if (!selection || selection.isCollapsed || !selection.rangeCount) return null;
  const range = selection.getRangeAt(0);
  if (!root.contains(range.commonAncestorContainer)) return null;
  const passage = describe(root, range);
  return passage ? { passage, rect: range.getBoundingClientRect() } : null;
}

function placeTrigger() {
  const selected = selectedPassage();
  if (!selected) {
    if (![trigger, panelButton].includes(document.activeElement)) {
      trigger.hidden = true;
      pending = null;
    }
    return;
  }
  hint.hidden = true;
  pending = selected.passage;
  const box = root.parentElement.getBoundingClientRect();
  trigger.style.top = `${selected.rect.bottom - box.top + 6}px`;
  trigger.style.left = `${Math.max(0, selected.rect.left - box.left)}px`;
  trigger.hidden = false;
}

function openForm() {
  // Read the selection now: the selectionchange event and the frame that
  // places the button may not have run yet when a fast hand presses Enter.
  const selected = selectedPassage();
  if (selected) pending = selected.passage;
  if (!pending) {
    hint.hidden = false;
    return;
  }
  const error = form.querySelector("[data-form-error]");
  error.hidden = true;
  if (pending.quote.length > MAX_QUOTE) {
    error.textContent = `Select a shorter passage: up to ${MAX_QUOTE} characters.`;
    error.hidden = false;
    form.hidden = false;
    return;
  }
  for (const name of ["quote", "prefix", "suffix"]) form.elements[name].value = pending[name];
  form.querySelector("[data-form-quote]").textContent = `“${pending.quote}”`;
  form.hidden = false;
  trigger.hidden = true;
  form.elements.body.focus();
}

async function submit(event) {
  event.preventDefault();
  const error = form.querySelector("[data-form-error]");
  error.hidden = true;
  let response;
  try {
    response = await fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
  } catch {
    error.textContent = "The server could not be reached. Your comment is still here: try again.";
    error.hidden = false;
    return;
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    error.textContent = data.error || `The comment was not saved (error ${response.status}). Your text is still here.`;
    error.hidden = false;
    return;
  }
  const item = listItem(data);
  list.append(item);
  document.querySelector("[data-comment-none]")?.remove();
  const count = document.querySelector("[data-open-count]");
  if (count) count.textContent = String(list.querySelectorAll("li[data-open]").length);
  anchor(item);
  form.reset();
  form.hidden = true;
  pending = null;
  say("Comment added.");
}

if (root && form && list) {
  // Beside the article, not in it, so its label is not part of the text.
  root.after(trigger);
  form.before(panelButton, hint);
  for (const item of list.querySelectorAll("li[data-open]")) anchor(item);
  // Selecting by dragging fires many events: place the button once a frame.
  let queued = false;
  document.addEventListener("selectionchange", () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      placeTrigger();
    });
  });
  // Keep the selection when the button is pressed with the mouse.
  trigger.addEventListener("mousedown", (event) => event.preventDefault());
  trigger.addEventListener("click", openForm);
  panelButton.addEventListener("mousedown", (event) => event.preventDefault());
  panelButton.addEventListener("click", openForm);
  form.addEventListener("submit", submit);
  form.querySelector("[data-cancel]").addEventListener("click", () => {
    form.hidden = true;
    pending = null;
  });
  root.addEventListener("click", (event) => {
    const mark = event.target.closest("mark.comment-mark");
    if (!mark) return;
    const item = document.getElementById(`comment-${mark.dataset.commentId}`);
    if (item) item.scrollIntoView({ block: "nearest" });
  });
}
