// The citation picker on every Markdown body field that names a search URL
// (data-cite-url): the `[@` autocomplete, and the Cite dialog that the
// toolbar opens with `editor:command` {command: "cite"}.

import { CitationAutocomplete } from "./autocomplete.js";
import { CiteDialog } from "./dialog.js";
import { ReferenceSearch } from "./search.js";

let dialog = null;
const fields = document.querySelectorAll("textarea[data-cite-url]");

if (fields.length) {
  // The picker's own styles sit beside it.
  const styles = document.createElement("link");
  styles.rel = "stylesheet";
  styles.href = new URL("./cite.css", import.meta.url).href;
  document.head.append(styles);
}

for (const textarea of fields) {
  const search = new ReferenceSearch(textarea.dataset.citeUrl);
  new CitationAutocomplete(textarea, search);
  textarea.addEventListener("editor:command", (event) => {
    if (event.detail?.command !== "cite") return;
    dialog ??= new CiteDialog(search);
    dialog.open(textarea);
  });
}
