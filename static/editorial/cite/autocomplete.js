// Typing `[@` in the body opens a list of references matching what follows
// (`[@naj` finds najmabadi2021); choosing one completes the citation as
// `[@najmabadi2021]`. In a multi-source citation, `[@a; @co` completes the
// second key. The textarea keeps focus throughout and points at the
// highlighted option with aria-activedescendant (the combobox pattern, on a
// multi-line text field); arrow keys move, Enter or Tab chooses, Esc closes.

import { caretRect } from "./caret.js";
import { describeCount, ReferenceList } from "./listbox.js";
import { replaceText } from "./text.js";

// `[@partial` or `[@a; @partial` just before the caret, on one line.
const TRIGGER = /\[@(?:[^\[\]\n]*;\s*@)?([^\s\[\];@]{0,80})$/;
const KEY_CHARACTER = /[\w:.\-/]/;
const DELAY = 120;

export class CitationAutocomplete {
  constructor(textarea, search) {
    this.textarea = textarea;
    this.search = search;
    this.trigger = null;
    this.dismissed = -1;
    this.timer = null;
    this.list = new ReferenceList({
      label: "References matching your citation",
      onChoose: (result) => this.choose(result),
    });
    this.popup = document.createElement("div");
    this.popup.className = "cite-popup";
    // The top layer: above the page, and above a full-screen editor too.
    this.popup.popover = "manual";
    this.message = document.createElement("p");
    this.message.className = "cite-message";
    this.popup.append(this.list.element, this.message);
    // Scrolling the list with the mouse keeps the caret in the textarea.
    this.popup.addEventListener("mousedown", (event) => event.preventDefault());
    this.status = document.createElement("p");
    this.status.className = "cite-status";
    this.status.setAttribute("role", "status");
    // Kept out of the editor's own layout: the list shows in the top layer.
    document.body.append(this.popup, this.status);
    textarea.setAttribute("aria-autocomplete", "list");

    textarea.addEventListener("input", () => this.update());
    textarea.addEventListener("click", () => this.update());
    textarea.addEventListener("blur", () => this.close());
    textarea.addEventListener("scroll", () => this.place());
    window.addEventListener("resize", () => this.place());
    // Captured on the window, before markdownx and the toolbar see the keys
    // (Tab, Enter, Esc), so while the list is open they drive the list alone.
    window.addEventListener("keydown", (event) => this.keydown(event), true);
  }

  currentTrigger() {
    const { value, selectionStart, selectionEnd } = this.textarea;
    if (selectionStart !== selectionEnd) return null;
    const before = value.slice(Math.max(0, selectionStart - 200), selectionStart);
    const match = TRIGGER.exec(before);
    if (!match) return null;
    return { start: selectionStart - match[1].length, query: match[1] };
  }

  update() {
    const trigger = this.currentTrigger();
    if (!trigger) this.dismissed = -1;
    if (!trigger || trigger.start === this.dismissed) {
      this.close();
      return;
    }
    this.trigger = trigger;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.lookUp(trigger.query), DELAY);
  }

  async lookUp(query) {
    let answer;
    try {
      answer = await this.search.find(query);
    } catch (error) {
      if (error.name === "AbortError") return;
      this.show([], error.message);
      return;
    }
    if (this.trigger && this.trigger.query === query) {
      this.show(answer.results, describeCount(answer.results, query));
    }
  }

  show(results, message) {
    if (document.activeElement !== this.textarea) return;
    this.list.show(results);
    this.message.textContent = results.length ? "" : message;
    this.message.hidden = Boolean(results.length);
    this.status.textContent = message;
    if (!this.popup.matches(":popover-open")) this.popup.showPopover();
    this.textarea.setAttribute("aria-controls", this.list.id);
    this.point();
    this.place();
  }

  point() {
    const id = this.list.activeId();
    if (id) this.textarea.setAttribute("aria-activedescendant", id);
    else this.textarea.removeAttribute("aria-activedescendant");
  }

  place() {
    if (!this.trigger || !this.popup.matches(":popover-open")) return;
    const caret = caretRect(this.textarea, this.trigger.start);
    const box = this.textarea.getBoundingClientRect();
    const top = Math.min(Math.max(caret.top, box.top), box.bottom - caret.height);
    const below = top + caret.height + 4;
    const height = this.popup.offsetHeight;
    const fitsBelow = below + height <= window.innerHeight;
    this.popup.style.top = `${fitsBelow ? below : Math.max(4, top - height - 4)}px`;
    const width = this.popup.offsetWidth;
    this.popup.style.left = `${Math.max(4, Math.min(caret.left, window.innerWidth - width - 4))}px`;
  }

  isOpen() {
    return this.popup.matches(":popover-open");
  }

  close() {
    clearTimeout(this.timer);
    this.trigger = null;
    if (this.isOpen()) this.popup.hidePopover();
    this.textarea.removeAttribute("aria-activedescendant");
    this.textarea.removeAttribute("aria-controls");
    this.status.textContent = "";
  }

  keydown(event) {
    if (event.target !== this.textarea || !this.isOpen() || event.isComposing) return;
    const result = this.list.chosen();
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      this.list.move(event.key === "ArrowDown" ? 1 : -1);
      this.point();
    } else if ((event.key === "Enter" || event.key === "Tab") && result && !event.shiftKey) {
      this.choose(result);
    } else if (event.key === "Escape") {
      this.dismissed = this.trigger ? this.trigger.start : -1;
      this.close();
    } else {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
  }

  choose(result) {
    const trigger = this.currentTrigger() || this.trigger;
    if (!trigger || !result) return;
    const { value } = this.textarea;
    let end = this.textarea.selectionStart;
    while (end < value.length && KEY_CHARACTER.test(value[end])) end += 1;
    const closed = value[end] === "]" || value[end] === ";";
    this.close();
    replaceText(this.textarea, trigger.start, end, result.key + (closed ? "" : "]"));
    if (closed && value[end] === "]") {
      const after = trigger.start + result.key.length + 1;
      this.textarea.setSelectionRange(after, after);
    }
  }
}
