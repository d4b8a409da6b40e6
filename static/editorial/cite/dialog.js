// The "Cite" dialog: the toolbar's Cite button (or its shortcut) sends
// `editor:command` with {command: "cite"} to the body textarea, and this
// dialog searches the same library as the `[@` autocomplete. Choosing a
// reference inserts `[@key]` where the caret was, or after the selected text;
// right after another citation it joins it: `[@a; @key]`.

import { describeCount, ReferenceList } from "./listbox.js";
import { replaceText } from "./text.js";

const DELAY = 150;
const GROUP_BEFORE = /\[@[^\[\]\n]*\]$/;

function element(tag, properties = {}, attributes = {}) {
  const node = Object.assign(document.createElement(tag), properties);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

export class CiteDialog {
  constructor(search) {
    this.search = search;
    this.textarea = null;
    this.timer = null;
    this.list = new ReferenceList({
      label: "Matching references",
      onChoose: (result) => this.choose(result),
    });
    this.dialog = element("dialog", { className: "cite-dialog" }, {
      "aria-labelledby": "cite-dialog-title",
    });
    const title = element("h2", { id: "cite-dialog-title", textContent: "Cite a source" });
    const label = element("label", {
      htmlFor: "cite-dialog-search",
      textContent: "Search the reference library",
    });
    this.input = element("input", { id: "cite-dialog-search", type: "search" }, {
      role: "combobox",
      autocomplete: "off",
      spellcheck: "false",
      maxlength: "100",
      "aria-autocomplete": "list",
      "aria-expanded": "false",
      "aria-controls": this.list.id,
      "aria-describedby": "cite-dialog-help",
    });
    const help = element("p", {
      id: "cite-dialog-help",
      className: "help",
      textContent: "By key, first author, year, title or DOI. Arrow keys move, Enter cites.",
    });
    this.status = element("p", { className: "cite-message" }, { role: "status" });
    this.addLink = element("a", { target: "_blank", rel: "noopener" });
    this.addLink.textContent = "Add a reference to the library (opens a new tab)";
    this.addParagraph = element("p", { className: "cite-add", hidden: true });
    this.addParagraph.append(this.addLink);
    const cancel = element("button", { type: "button", className: "button", textContent: "Cancel" });
    const buttons = element("div", { className: "cite-dialog-buttons" });
    buttons.append(cancel);
    this.dialog.append(title, label, this.input, help, this.list.element, this.status, this.addParagraph, buttons);
    document.body.append(this.dialog);

    this.input.addEventListener("input", () => this.queue());
    this.input.addEventListener("keydown", (event) => this.keydown(event));
    cancel.addEventListener("click", () => this.dialog.close());
    this.dialog.addEventListener("close", () => this.restoreFocus());
    // Esc closes the dialog alone, not the full-screen editor behind it.
    this.dialog.addEventListener("keydown", (event) => {
      if (event.key !== "Escape") return;
      event.preventDefault();
      this.dialog.close();
    });
  }

  open(textarea) {
    this.textarea = textarea;
    this.selection = [textarea.selectionStart, textarea.selectionEnd];
    this.chosenKey = null;
    this.dialog.showModal();
    this.input.select();
    this.lookUp(this.input.value.trim());
  }

  queue() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.lookUp(this.input.value.trim()), DELAY);
  }

  async lookUp(query) {
    try {
      const answer = await this.search.find(query);
      if (query !== this.input.value.trim()) return;
      this.list.show(answer.results);
      this.status.textContent = describeCount(answer.results, query);
      if (answer.add_url) this.addLink.href = answer.add_url;
      this.addParagraph.hidden = !answer.add_url;
    } catch (error) {
      if (error.name === "AbortError") return;
      this.list.show([]);
      this.status.textContent = error.message;
    }
    this.input.setAttribute("aria-expanded", String(this.list.results.length > 0));
    this.point();
  }

  point() {
    const id = this.list.activeId();
    if (id) this.input.setAttribute("aria-activedescendant", id);
    else this.input.removeAttribute("aria-activedescendant");
  }

  keydown(event) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      this.list.move(event.key === "ArrowDown" ? 1 : -1);
      this.point();
    } else if (event.key === "Enter") {
      if (this.list.chosen()) this.choose(this.list.chosen());
    } else {
      return;
    }
    event.preventDefault();
  }

  choose(result) {
    this.chosenKey = result.key;
    this.dialog.close();
  }

  restoreFocus() {
    const textarea = this.textarea;
    if (!textarea) return;
    this.textarea = null;
    const [start, end] = this.selection;
    if (!this.chosenKey) {
      textarea.focus();
      textarea.setSelectionRange(start, end);
      return;
    }
    const before = textarea.value.slice(0, end);
    if (GROUP_BEFORE.test(before)) {
      replaceText(textarea, end - 1, end - 1, `; @${this.chosenKey}`);
      textarea.setSelectionRange(end + this.chosenKey.length + 3, end + this.chosenKey.length + 3);
      return;
    }
    const space = /[^\s([]$/.test(before) ? " " : "";
    replaceText(textarea, end, end, `${space}[@${this.chosenKey}]`);
  }
}
