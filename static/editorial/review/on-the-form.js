// The open comments at the top of the article form. "Show in the text" finds
// a comment's passage in the Markdown (the reviewer quoted the text as
// readers see it), selects it in the editor and marks it in the preview;
// "Resolve" resolves the comment in place, so unsaved text stays as it is.
// Without JavaScript the first opens the review screen at the comment and
// the second posts its form and comes back.
import { textOf } from "./anchors.js";
import { mask } from "../editor/prose.js";

const panel = document.querySelector("[data-open-comments]");
const announce = panel && panel.querySelector("[data-announce]");
const WORD = /\p{L}+|\p{N}+/gu;
const NUMBER = /^\p{N}+$/u;

function say(message) {
  if (announce) announce.textContent = message;
}

function tokens(text) {
  return [...text.matchAll(WORD)].map((m) => ({
    word: m[0].toLowerCase(),
    start: m.index,
    end: m.index + m[0].length,
    number: NUMBER.test(m[0]),
  }));
}

// How many words of `context` agree with `words`, read away from the match.
function agreement(words, context) {
  let n = 0;
  while (n < words.length && n < context.length && words[n].word === context[n].word) n += 1;
  return n;
}

// The quoted passage in `source` (Markdown, or text as shown): its words in
// order, markup, links' addresses and citation keys aside. The quote was taken
// from the page, where citations read "[1]": a number of the quote that the
// text lacks is passed over, and so is a number of the text that the quote
// lacks (a citation renumbered since). The occurrence whose surroundings best
// match the comment's prefix and suffix wins. Returns {start, end} or null.
export function findPassage(source, { quote, prefix = "", suffix = "" }, markdown = true) {
  const words = tokens(markdown ? mask(source) : source);
  const wanted = tokens(quote);
  if (!wanted.some((t) => !t.number)) return null;
  const before = tokens(prefix).reverse();
  const after = tokens(suffix);
  let best = null;
  for (let i = 0; i < words.length; i++) {
    const j = align(words, i, wanted);
    if (j <= i) continue;
    const score =
      agreement(before, words.slice(Math.max(0, i - before.length), i).reverse()) +
      agreement(after, words.slice(j, j + after.length));
    if (!best || score > best.score) best = { start: words[i].start, end: words[j - 1].end, score };
  }
  return best && { start: best.start, end: best.end };
}

// Where the quote's words, from words[i] on, end (one past), or -1.
function align(words, i, wanted) {
  let j = i;
  for (const token of wanted) {
    for (;;) {
      if (j < words.length && words[j].word === token.word) {
        j += 1;
        break;
      }
      if (token.number) break;
      if (j > i && j < words.length && words[j].number) {
        j += 1;
        continue;
      }
      return -1;
    }
  }
  return j;
}

// Where a character of the textarea's text is, in pixels from its top: a copy
// of the textarea wraps the text before it the same way.
function offsetTop(textarea, offset) {
  const style = getComputedStyle(textarea);
  const copy = document.createElement("div");
  for (const name of [
    "fontFamily", "fontSize", "fontWeight", "fontStyle", "letterSpacing", "lineHeight",
    "textTransform", "wordSpacing", "textIndent", "tabSize", "paddingTop",
    "paddingRight", "paddingBottom", "paddingLeft",
  ]) {
    copy.style[name] = style[name];
  }
  Object.assign(copy.style, {
    position: "absolute",
    visibility: "hidden",
    top: "0",
    left: "-10000px",
    boxSizing: "border-box",
    width: `${textarea.clientWidth}px`,
    whiteSpace: "pre-wrap",
    overflowWrap: "break-word",
  });
  copy.textContent = textarea.value.slice(0, offset);
  const caret = document.createElement("span");
  caret.textContent = "\u200b";
  copy.append(caret);
  document.body.append(copy);
  const top = caret.offsetTop;
  copy.remove();
  return top;
}

function editable(field) {
  return field && !field.readOnly && !field.matches(":disabled");
}

function selectIn(field, { start, end }) {
  field.focus({ preventScroll: true });
  field.setSelectionRange(start, end);
  if (field.tagName === "TEXTAREA") {
    field.scrollTop = Math.max(0, offsetTop(field, start) - field.clientHeight / 3);
    // The preview follows the caret (editor/layout.js).
    field.dispatchEvent(new CustomEvent("editor:caret", { bubbles: true }));
  }
}

function rangeIn(root, { start, end }) {
  const { segments } = textOf(root);
  const first = segments.find((s) => s.end > start);
  const last = segments.findLast((s) => s.start < end);
  if (!first || !last) return null;
  const range = new Range();
  range.setStart(first.node, start - first.start);
  range.setEnd(last.node, end - last.start);
  return range;
}

// Mark the passage in the preview with the CSS Custom Highlight API (the
// preview's HTML is markdownx's, left untouched), and scroll the preview to it.
function markInPreview(preview, anchor) {
  if (!preview) return false;
  const root = preview.querySelector(".article-preview") || preview;
  const found = findPassage(textOf(root).text, anchor, false);
  const range = found && rangeIn(root, found);
  if (window.CSS && CSS.highlights && typeof Highlight !== "undefined") {
    if (range) CSS.highlights.set("comment-passage", new Highlight(range));
    else CSS.highlights.delete("comment-passage");
  }
  if (!range) return false;
  // After the preview has followed the caret, so that this scroll stands.
  requestAnimationFrame(() =>
    requestAnimationFrame(() => {
      const top = range.getBoundingClientRect().top - preview.getBoundingClientRect().top;
      preview.scrollTop = Math.max(0, preview.scrollTop + top - preview.clientHeight / 3);
    }),
  );
  return true;
}

function bringIntoView(element) {
  const top = element.getBoundingClientRect().top + window.scrollY - 8;
  window.scrollTo({ top: Math.max(0, top), behavior: "instant" });
}

function anchorOf(item) {
  return { quote: item.dataset.quote, prefix: item.dataset.prefix, suffix: item.dataset.suffix };
}

// The body first, then the title and the summary the reviewer also saw.
function showPassage(item) {
  const anchor = anchorOf(item);
  const status = item.querySelector("[data-anchor-status]");
  const body = document.getElementById("id_body");
  const wrapper = body && body.closest(".markdownx");
  const preview = wrapper && wrapper.querySelector(".markdownx-preview");
  const inBody = body && findPassage(body.value, anchor);
  if (inBody) {
    bringIntoView(wrapper);
    if (editable(body)) selectIn(body, inBody);
    markInPreview(preview, anchor);
    if (status) status.textContent = "";
    say("The passage is selected in the text.");
    return;
  }
  for (const id of ["id_title", "id_summary"]) {
    const field = document.getElementById(id);
    const found = field && findPassage(field.value, anchor);
    if (found) {
      bringIntoView(field.closest(".form-row") || field);
      if (editable(field)) selectIn(field, found);
      say("The passage is selected.");
      return;
    }
  }
  if (markInPreview(preview, anchor)) {
    bringIntoView(wrapper);
    say("The passage is marked in the preview.");
    return;
  }
  if (status) status.textContent = "· passage not in the current text (rewritten or removed)";
  say("The passage is no longer in the text: it was rewritten or removed.");
}

// Counts in the panel and in the checklist's first item follow resolving.
function updateCounts(open) {
  const heading = panel.querySelector("[data-open-heading]");
  if (heading) heading.textContent = `${open} open comment${open === 1 ? "" : "s"} on the text`;
  const check = document.querySelector("[data-sent-back-check]");
  if (!check) return;
  const note = check.querySelector("[data-open-note]");
  if (note) {
    note.textContent = open
      ? `Comments still open on the text: ${open} (resolve each once fixed).`
      : "No comment on the text is open.";
  }
  if (!open && check.dataset.revised === "1") {
    check.classList.replace("check-unmet", "check-passed");
    check.querySelector("[aria-hidden]").textContent = "✓";
    const label = check.querySelector("[data-label]");
    if (label) label.textContent = check.dataset.doneLabel;
  }
}

function showMessage(text) {
  let list = document.querySelector("ul.messagelist");
  if (!list) {
    list = document.createElement("ul");
    list.className = "messagelist";
    document.getElementById("content")?.before(list);
  }
  const message = document.createElement("li");
  message.className = "success";
  message.textContent = text;
  list.append(message);
}

async function resolve(form) {
  const id = form.id.replace("resolve-comment-", "");
  const item = document.getElementById(`open-comment-${id}`);
  const buttons = document.querySelectorAll(`[form="${form.id}"]`);
  for (const button of buttons) button.disabled = true;
  let response = null;
  try {
    response = await fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
  } catch {
    response = null;
  }
  if (!response || !response.ok) {
    for (const button of buttons) button.disabled = false;
    const status = item && item.querySelector("[data-anchor-status]");
    const problem = response ? `error ${response.status}` : "the server could not be reached";
    if (status) status.textContent = `· not resolved (${problem}): try again`;
    say("The comment was not resolved.");
    return;
  }
  const data = await response.json().catch(() => ({}));
  if (item) {
    delete item.dataset.open;
    item.classList.add("comment-is-resolved");
    const actions = item.querySelector(".comment-actions");
    if (actions) actions.textContent = data.resolved_by ? `Resolved by ${data.resolved_by}.` : "Resolved.";
  }
  form.remove();
  const open = panel.querySelectorAll("li[data-open]").length;
  updateCounts(open);
  const quote = item ? item.dataset.quote : "";
  showMessage(`Comment on “${quote.length > 60 ? quote.slice(0, 60) : quote}” resolved.`);
  say("Comment resolved.");
  if (!open && !panel.classList.contains("sent-back")) panel.remove();
}

// Say at once which passages are gone, once the preview shows the text too.
function checkPassages(preview) {
  const fields = ["id_body", "id_title", "id_summary"]
    .map((id) => document.getElementById(id))
    .filter(Boolean);
  const root = preview && (preview.querySelector(".article-preview") || preview);
  const shown = root ? textOf(root).text : "";
  for (const item of panel.querySelectorAll("li[data-comment-id]")) {
    const anchor = anchorOf(item);
    const found =
      fields.some((field) => findPassage(field.value, anchor)) || findPassage(shown, anchor, false);
    const status = item.querySelector("[data-anchor-status]");
    if (!found && status) status.textContent = "· passage not in the current text (rewritten or removed)";
  }
}

if (panel) {
  const body = document.getElementById("id_body");
  // A form without the editor (read only) keeps the links to the review screen.
  if (body && body.tagName === "TEXTAREA") {
    for (const link of panel.querySelectorAll("[data-show-passage]")) {
      link.addEventListener("click", (event) => {
        event.preventDefault();
        showPassage(link.closest("li[data-comment-id]"));
      });
    }
    const wrapper = body.closest(".markdownx");
    const preview = wrapper && wrapper.querySelector(".markdownx-preview");
    if (preview && !preview.textContent.trim()) {
      wrapper.addEventListener("markdownx.update", () => checkPassages(preview), { once: true });
    } else {
      checkPassages(preview);
    }
  }
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!form.matches || !form.matches("form.resolve-form")) return;
    event.preventDefault();
    resolve(form);
  });
}
