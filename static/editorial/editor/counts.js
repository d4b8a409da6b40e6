// Live word count and reading time of the body, under the editor.
import { countWords, mask } from "./prose.js";
import { debounce, editorParts } from "./shell.js";

// Adults read health information at about 200 words a minute.
const WORDS_PER_MINUTE = 200;

export function describe(words) {
  const count = words.toLocaleString("en-GB");
  const minutes = Math.max(1, Math.ceil(words / WORDS_PER_MINUTE));
  if (!words) return "No words yet";
  return (
    count + (words === 1 ? " word" : " words") +
    " · about " + minutes + (minutes === 1 ? " minute" : " minutes") + " to read"
  );
}

function init() {
  const parts = editorParts();
  if (!parts) return;
  const { textarea, statusBar } = parts;
  const output = document.createElement("span");
  output.className = "editor-counts";
  output.id = "editor-counts";
  statusBar.prepend(output);
  const update = () => {
    output.textContent = describe(countWords(mask(textarea.value)));
  };
  textarea.addEventListener("input", debounce(update, 250));
  update();
}

init();
