// Where the caret of a textarea is on screen: a hidden copy of the textarea,
// styled alike, holds the text up to the caret, and a marker after it shows
// where the next character would go.

const COPIED = [
  "boxSizing", "width", "overflowY", "borderTopWidth", "borderRightWidth",
  "borderBottomWidth", "borderLeftWidth", "paddingTop", "paddingRight",
  "paddingBottom", "paddingLeft", "fontStyle", "fontVariant", "fontWeight",
  "fontStretch", "fontSize", "lineHeight", "fontFamily", "textAlign",
  "textTransform", "textIndent", "letterSpacing", "wordSpacing", "tabSize",
];

export function caretRect(textarea, position) {
  const style = window.getComputedStyle(textarea);
  const copy = document.createElement("div");
  for (const name of COPIED) copy.style[name] = style[name];
  Object.assign(copy.style, {
    position: "absolute",
    top: "0",
    left: "-9999px",
    visibility: "hidden",
    whiteSpace: "pre-wrap",
    overflowWrap: "break-word",
    height: "auto",
  });
  copy.textContent = textarea.value.slice(0, position);
  const marker = document.createElement("span");
  marker.textContent = "\u200b";
  copy.append(marker);
  document.body.append(copy);
  const top = marker.offsetTop + parseFloat(style.borderTopWidth);
  const left = marker.offsetLeft + parseFloat(style.borderLeftWidth);
  const height = marker.offsetHeight;
  copy.remove();
  const box = textarea.getBoundingClientRect();
  return {
    top: box.top + top - textarea.scrollTop,
    left: box.left + left - textarea.scrollLeft,
    height,
  };
}
