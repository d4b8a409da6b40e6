// Markdown edits as plain functions: each takes the text and the selection
// and returns one replacement {from, to, text, select: [start, end]}, with
// the selection given in the new text.

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

export function wrap(value, start, end, marker, placeholder) {
  const selected = value.slice(start, end);
  const m = marker.length;
  const char = marker[0];
  if (isWrapped(run(value, start, -1, char), run(value, end, 1, char), marker)) {
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

export function link(value, start, end) {
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
export function prefixLines(value, start, end, prefix, strip) {
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

export function heading(value, start, end) {
  return prefixLines(value, start, end, "## ", /^#{1,6}\s+/);
}

export function list(value, start, end) {
  return prefixLines(value, start, end, "- ", /^(?:[-*+]|\d+[.)])\s+/);
}

export function quote(value, start, end) {
  return prefixLines(value, start, end, "> ", /^>\s?/);
}

// A block (a table) on lines of its own, with a blank line either side.
export function block(value, start, end, body, selectInBody) {
  const before = value.slice(0, start);
  const after = value.slice(end);
  const lead = !before ? "" : before.endsWith("\n\n") ? "" : before.endsWith("\n") ? "\n" : "\n\n";
  const trail = !after ? "\n" : after.startsWith("\n\n") ? "" : after.startsWith("\n") ? "\n" : "\n\n";
  const text = lead + body + trail;
  const at = start + lead.length;
  return { from: start, to: end, text, select: [at + selectInBody[0], at + selectInBody[1]] };
}

export function table(value, start, end) {
  const body = "| Column 1 | Column 2 |\n| --- | --- |\n| Text | Text |";
  return block(value, start, end, body, [2, 10]);
}
