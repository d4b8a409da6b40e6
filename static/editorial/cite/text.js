// Changing the body textarea the way typing does: through the browser's
// editing commands where it can (so Ctrl+Z undoes an insertion), and always
// with an `input` event, so the preview, the counters and autosave hear of it.

export function replaceText(textarea, start, end, text) {
  textarea.focus();
  textarea.setSelectionRange(start, end);
  const typed = document.execCommand("insertText", false, text);
  if (!typed) {
    textarea.setRangeText(text, start, end, "end");
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }
  const caret = start + text.length;
  textarea.setSelectionRange(caret, caret);
}

// Put a block (an image, say) on its own line with a blank line either side:
// before the line the caret starts, or after the line the caret is in, so a
// sentence is never split and the block never runs into a heading.
export function insertBlock(textarea, block, caret = textarea.selectionEnd) {
  const value = textarea.value;
  let at = Math.min(caret, value.length);
  const lineStart = value.lastIndexOf("\n", at - 1) + 1;
  if (at !== lineStart) {
    const lineEnd = value.indexOf("\n", at);
    at = lineEnd === -1 ? value.length : lineEnd;
  }
  const before = value.slice(0, at);
  const after = value.slice(at);
  let lead = "\n\n";
  if (before === "" || before.endsWith("\n\n")) lead = "";
  else if (before.endsWith("\n")) lead = "\n";
  let trail = "\n\n";
  if (after.startsWith("\n\n")) trail = "";
  else if (after === "" || after.startsWith("\n")) trail = "\n";
  replaceText(textarea, at, at, lead + block + trail);
}
