// The plain-language panel beside the editor: reading ease and grade level,
// long sentences, passive voice and medical jargon (from the shipped list in
// editorial/jargon.json, with plain alternatives). Each finding is a button
// that selects the words in the textarea.
import { analyse, findJargon, LONG_SENTENCE } from "./prose.js";
import { debounce, editorParts, selectRange } from "./shell.js";

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
// API, which leaves markdownx's preview HTML untouched. Citation numbers and
// the reference list are left out of the text searched.
function highlightPreview(preview, groups) {
  if (!preview || !window.CSS || !CSS.highlights || typeof Highlight === "undefined") return;
  const root = preview.querySelector(".article-preview") || preview;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
    acceptNode: (node) =>
      node.parentElement.closest("section.references, sup, .preview-refused")
        ? NodeFilter.FILTER_REJECT
        : NodeFilter.FILTER_ACCEPT,
  });
  let flat = "";
  const where = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let i = 0; i < node.data.length; i++) where.push([node, i]);
    flat += node.data;
  }
  for (const [name, sentences] of Object.entries(groups)) {
    const highlight = new Highlight();
    for (const sentence of sentences) {
      const words = sentence.masked.match(/[\p{L}\p{N}]+/gu);
      if (!words) continue;
      const pattern = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("[^\\p{L}\\p{N}]+");
      const match = new RegExp(pattern, "u").exec(flat);
      if (!match) continue;
      const [startNode, startOffset] = where[match.index];
      const [endNode, endOffset] = where[match.index + match[0].length - 1];
      const range = new Range();
      range.setStart(startNode, startOffset);
      range.setEnd(endNode, endOffset + 1);
      highlight.add(range);
    }
    CSS.highlights.set(name, highlight);
  }
}

function init() {
  const parts = editorParts();
  if (!parts) return;
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

  let terms = [];

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

  let report = null;
  const mark = () =>
    report && highlightPreview(parts.preview, { "plain-long": report.long, "plain-passive": report.passive });
  parts.wrapper.addEventListener("markdownx.update", mark);

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

  textarea.addEventListener("input", debounce(render, 600));
  render();
  const url = (parts.config && parts.config.dataset.jargonUrl) || new URL("../jargon.json", import.meta.url);
  fetch(url, { credentials: "same-origin" })
    .then((response) => (response.ok ? response.json() : { terms: [] }))
    .then((data) => {
      terms = Array.isArray(data.terms) ? data.terms : [];
      render();
    })
    .catch(() => {});
}

init();
