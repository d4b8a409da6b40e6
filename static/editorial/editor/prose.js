// Prose out of Markdown, for word counts and the plain-language panel.
// `mask` blanks out markup, citations, links' addresses, code and images
// with spaces of the same length, so every offset found in the masked text
// is the same offset in the textarea.

const blank = (text) => text.replace(/[^\n]/g, " ");

export function mask(source) {
  return source
    .replace(/^ {0,3}(`{3,}|~{3,})[^\n]*\n[\s\S]*?^ {0,3}\1[^\n]*$/gm, blank)
    .replace(/<!--[\s\S]*?-->/g, blank)
    .replace(/<[^>\n]*>/g, blank)
    .replace(/!\[[^\]\n]*\]\([^)\n]*\)/g, blank)
    .replace(/\[-?@[^\]\n]*\]/g, blank)
    .replace(/\[([^\]\n]*)\]\([^)\n]*\)/g, (all, text) => " " + text + blank(all.slice(text.length + 1)))
    .replace(/\bhttps?:\/\/\S+/g, blank)
    .replace(/`[^`\n]*`/g, blank)
    .replace(/^[ \t]*(?:>[ \t]?)*(?:#{1,6}(?=[ \t]|$)|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t]))?/gm, blank)
    .replace(/[*_~|\\#]/g, " ");
}

const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)*(?:-[\p{L}\p{N}]+)*/gu;

export function countWords(text) {
  return (text.match(WORD) || []).length;
}

// English syllables by vowel groups: good enough for readability formulas.
export function syllables(word) {
  let w = word.toLowerCase().replace(/[^a-z]/g, "");
  if (!w) return 1;
  if (w.length <= 3) return 1;
  w = w.replace(/(?:[^laeiouy]es|[^laeiouy]ed|[^laeiouy]e)$/, "").replace(/^y/, "");
  const groups = w.match(/[aeiouy]+/g);
  return Math.max(1, groups ? groups.length : 0);
}

const ABBREVIATIONS = new Set([
  "e.g", "i.e", "etc", "vs", "dr", "mr", "mrs", "ms", "prof", "st", "al",
  "fig", "approx", "no", "vol", "pp", "ca", "cf", "mg", "ml",
]);

// Sentences of one block of prose, as [start, end) offsets into `masked`.
function sentencesIn(masked, from, to) {
  const found = [];
  const end = /[.!?]+['"’”)\]]*(?=\s|$)/g;
  end.lastIndex = from;
  let start = from;
  let match;
  while ((match = end.exec(masked)) && match.index < to) {
    const stop = match.index + match[0].length;
    const before = masked.slice(start, match.index).match(/([\p{L}.]+)$/u);
    const word = before ? before[1].toLowerCase() : "";
    const next = masked.slice(stop, to).match(/^\s*(\S)/);
    const abbreviation = match[0] === "." && (ABBREVIATIONS.has(word) || /^\p{L}$/u.test(word));
    const continues = next && /\p{Ll}/u.test(next[1]);
    if (abbreviation || continues) continue;
    found.push([start, stop]);
    start = stop;
  }
  if (masked.slice(start, to).trim()) found.push([start, to]);
  return found
    .map(([s, e]) => {
      while (s < e && /\s/.test(masked[s])) s++;
      while (e > s && /\s/.test(masked[e - 1])) e--;
      return [s, e];
    })
    .filter(([s, e]) => e > s && countWords(masked.slice(s, e)) > 0);
}

// Blocks of prose: paragraphs and list items; headings, tables and code are
// left out of the sentence statistics.
function proseBlocks(source, masked) {
  const blocks = [];
  let offset = 0;
  let current = null;
  const close = () => {
    if (current) blocks.push(current);
    current = null;
  };
  for (const line of source.split("\n")) {
    const start = offset;
    const end = offset + line.length;
    offset = end + 1;
    const text = masked.slice(start, end);
    if (!text.trim() || /^ {0,3}#{1,6}(?:\s|$)/.test(line) || /^\s*\|/.test(line)) {
      close();
      continue;
    }
    if (/^\s*(?:>\s*)*(?:[-*+]|\d{1,9}[.)])\s/.test(line)) close();
    if (current) current[1] = end;
    else current = [start, end];
  }
  close();
  return blocks;
}

const IRREGULAR =
  "known|shown|given|taken|made|done|seen|found|told|kept|left|held|brought|" +
  "caught|taught|written|born|chosen|driven|drawn|eaten|fallen|forgotten|hidden|" +
  "spoken|stolen|worn|understood|built|sent|spent|lost|paid|said|sold|thought|" +
  "bought|put|cut|hurt|spread|led|meant|felt|fed|bled|beaten|bitten|broken|" +
  "frozen|grown|thrown|undertaken|withdrawn|begun|torn|shaken|proven|forbidden|" +
  "set|read|run|got";
const NOT_PASSIVE = new Set([
  "tired", "worried", "interested", "concerned", "married", "excited", "bored",
  "scared", "pleased", "surprised", "supposed", "ashamed", "allowed",
]);
const PASSIVE = new RegExp(
  "\\b(?:am|is|are|was|were|be|been|being|isn't|aren't|wasn't|weren't)\\s+" +
    "(?:(?:not|also|often|usually|sometimes|always|never|\\w+ly)\\s+)?" +
    "(\\w+ed|" + IRREGULAR + ")\\b",
  "gi",
);

export function passivePhrase(sentence) {
  PASSIVE.lastIndex = 0;
  let match;
  while ((match = PASSIVE.exec(sentence))) {
    if (!NOT_PASSIVE.has(match[1].toLowerCase())) return match[0];
  }
  return null;
}

export const LONG_SENTENCE = 25;

// Reading ease, grade level, long and passive sentences of a Markdown text.
export function analyse(source) {
  const masked = mask(source);
  const sentences = [];
  for (const [from, to] of proseBlocks(source, masked)) {
    for (const [start, end] of sentencesIn(masked, from, to)) {
      const text = masked.slice(start, end);
      const words = text.match(WORD) || [];
      sentences.push({
        start,
        end,
        text: source.slice(start, end),
        masked: text,
        words: words.length,
        syllables: words.reduce((sum, w) => sum + syllables(w), 0),
        passive: passivePhrase(text),
      });
    }
  }
  const words = sentences.reduce((sum, s) => sum + s.words, 0);
  const syllableCount = sentences.reduce((sum, s) => sum + s.syllables, 0);
  let ease = null;
  let grade = null;
  if (words && sentences.length) {
    const perSentence = words / sentences.length;
    const perWord = syllableCount / words;
    ease = 206.835 - 1.015 * perSentence - 84.6 * perWord;
    grade = 0.39 * perSentence + 11.8 * perWord - 15.59;
  }
  return {
    masked,
    words: countWords(masked),
    sentences,
    ease,
    grade,
    long: sentences.filter((s) => s.words > LONG_SENTENCE),
    passive: sentences.filter((s) => s.passive),
  };
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

// Each listed term (and its spelling variants) found in the text, with the
// offsets of every use.
export function findJargon(masked, terms) {
  const found = [];
  // Most terms are not in a given text: a plain search for their first word
  // rules them out before the (slower) search for whole words.
  const lower = masked.toLowerCase();
  for (const entry of terms) {
    const names = [entry.term, ...(entry.variants || [])];
    if (!names.some((name) => lower.includes(name.toLowerCase().split(/\s+/)[0]))) continue;
    const pattern = names
      .map((name) => escapeRegExp(name).replace(/\s+/g, "\\s+"))
      .join("|");
    const regex = new RegExp("(?<![\\p{L}\\p{N}])(?:" + pattern + ")(?:s|es)?(?![\\p{L}\\p{N}])", "giu");
    const uses = [];
    let match;
    while ((match = regex.exec(masked))) uses.push([match.index, match.index + match[0].length]);
    if (uses.length) found.push({ term: entry.term, plain: entry.plain, uses });
  }
  return found.sort((a, b) => a.uses[0][0] - b.uses[0][0]);
}
