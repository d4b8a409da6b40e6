// Text-quote anchors: a passage is remembered by its words and a little text
// on either side, and found again in the text as shown. Deleted words (<del>)
// are not part of the text: comments are on what the new revision says.

const CONTEXT = 32;

function shown(node) {
  return !node.parentElement.closest("del");
}

// The text of `root` as one string, with each text node's place in it.
export function textOf(root) {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
    acceptNode: (node) => (shown(node) ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_REJECT),
  });
  const segments = [];
  let text = "";
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    segments.push({ node, start: text.length, end: text.length + node.data.length });
    text += node.data;
  }
  return { text, segments };
}

// The quote, prefix and suffix of a range inside `root`, or null.
export function describe(root, range) {
  const { text, segments } = textOf(root);
  let start = null;
  let end = null;
  for (const segment of segments) {
    if (!range.intersectsNode(segment.node)) continue;
    const from = segment.node === range.startContainer ? segment.start + range.startOffset : segment.start;
    const to = segment.node === range.endContainer ? segment.start + range.endOffset : segment.end;
    if (start === null) start = from;
    end = to;
  }
  if (start === null || end <= start) return null;
  while (start < end && /\s/.test(text[start])) start += 1;
  while (end > start && /\s/.test(text[end - 1])) end -= 1;
  if (end <= start) return null;
  return {
    quote: text.slice(start, end),
    prefix: text.slice(Math.max(0, start - CONTEXT), start),
    suffix: text.slice(end, end + CONTEXT),
  };
}

function sharedEnd(a, b) {
  let n = 0;
  while (n < a.length && n < b.length && a[a.length - 1 - n] === b[b.length - 1 - n]) n += 1;
  return n;
}

function sharedStart(a, b) {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n += 1;
  return n;
}

// Where the quote is in `text`: the occurrence whose surroundings best match.
export function locate(text, { quote, prefix = "", suffix = "" }) {
  if (!quote) return null;
  let best = null;
  let bestScore = -1;
  for (let at = text.indexOf(quote); at !== -1; at = text.indexOf(quote, at + 1)) {
    const before = text.slice(Math.max(0, at - prefix.length), at);
    const after = text.slice(at + quote.length, at + quote.length + suffix.length);
    const score = sharedEnd(before, prefix) + sharedStart(after, suffix);
    if (score > bestScore) {
      best = at;
      bestScore = score;
    }
  }
  return best === null ? null : { start: best, end: best + quote.length };
}

// Wrap the text from `start` to `end` in <mark> elements (one per text node).
export function highlight(root, { start, end }, decorate) {
  const { segments } = textOf(root);
  const marks = [];
  for (const segment of segments) {
    if (segment.end <= start || segment.start >= end) continue;
    let node = segment.node;
    const from = Math.max(start, segment.start) - segment.start;
    const to = Math.min(end, segment.end) - segment.start;
    if (!node.data.slice(from, to).trim()) continue; // whitespace between blocks
    if (to < node.data.length) node.splitText(to);
    if (from > 0) node = node.splitText(from);
    const mark = document.createElement("mark");
    decorate(mark);
    node.parentNode.insertBefore(mark, node);
    mark.appendChild(node);
    marks.push(mark);
  }
  return marks;
}
