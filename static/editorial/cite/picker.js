// The citation picker on a Markdown body field that names a search URL
// (data-cite-url): the `[@` autocomplete, and the Cite dialog that the
// toolbar opens with `editor:command` {command: "cite"}. The editor
// (../editor/editor.js) attaches it when the writer first needs it.

import { CitationAutocomplete } from "./autocomplete.js";
import { CiteDialog } from "./dialog.js";
import { ReferenceSearch } from "./search.js";

let dialog = null;

// The picker's own styles sit beside it.
function addStyles() {
  if (document.querySelector("link[data-cite-styles]")) return;
  const styles = document.createElement("link");
  styles.rel = "stylesheet";
  styles.href = new URL("./cite.css", import.meta.url).href;
  styles.dataset.citeStyles = "";
  document.head.append(styles);
}

// Returns the autocomplete, whose update() looks again at the caret.
export function attach(textarea) {
  if (!textarea.dataset.citeUrl) return { update() {} };
  addStyles();
  const search = new ReferenceSearch(textarea.dataset.citeUrl);
  const autocomplete = new CitationAutocomplete(textarea, search);
  textarea.addEventListener("editor:command", (event) => {
    if (event.detail?.command !== "cite") return;
    dialog ??= new CiteDialog(search);
    dialog.open(textarea);
  });
  return autocomplete;
}
