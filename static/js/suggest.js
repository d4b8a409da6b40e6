// Suggestions as a reader types in a search box (an input with data-suggest,
// the address of /search/suggest/): the ARIA 1.2 combobox pattern. The input
// keeps focus; the arrow keys move through a listbox of titles and topics,
// pointed at with aria-activedescendant; Enter opens the chosen one (or, with
// none chosen, searches as the plain form does); Escape closes the list. A
// polite live region says how many there are. Everything shown is text.

const MIN_LENGTH = 2;
const PAUSE_MS = 120;

function normalise(value) {
  return value.trim().split(/\s+/).join(" ").toLowerCase();
}

function countMessage(count) {
  if (count === 0) return "No suggestions.";
  const noun = count === 1 ? "suggestion" : "suggestions";
  return `${count} ${noun}. Use the up and down arrows to choose, Enter to open.`;
}

class Suggestions {
  constructor(input) {
    this.input = input;
    this.endpoint = input.dataset.suggest;
    this.id = `${input.id}-suggestions`;
    this.results = [];
    this.active = -1;
    this.answers = new Map();
    this.pending = null;
    this.timer = 0;

    this.list = document.createElement("ul");
    this.list.id = this.id;
    this.list.className = "suggest-list";
    this.list.setAttribute("role", "listbox");
    this.list.setAttribute("aria-label", "Suggestions");
    this.list.hidden = true;
    // A polite live region, but not role=status: a page's own status message
    // (the search page's count of results) stays the one status on it.
    this.status = document.createElement("p");
    this.status.className = "visually-hidden";
    this.status.setAttribute("aria-live", "polite");
    input.after(this.list, this.status);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", this.id);
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("autocomplete", "off");

    input.addEventListener("input", () => this.typed());
    input.addEventListener("keydown", (event) => this.key(event));
    input.addEventListener("blur", () => this.close());
    // Keep focus in the input while the mouse picks an option.
    this.list.addEventListener("mousedown", (event) => event.preventDefault());
    this.list.addEventListener("click", (event) => {
      const option = event.target.closest("[role=option]");
      if (option) this.open(Number(option.dataset.index));
    });
  }

  typed() {
    window.clearTimeout(this.timer);
    const query = normalise(this.input.value);
    if (query.length < MIN_LENGTH) {
      this.pending?.abort();
      this.show([], "");
      return;
    }
    if (this.answers.has(query)) {
      this.show(this.answers.get(query), query);
      return;
    }
    this.timer = window.setTimeout(() => this.fetch(query), PAUSE_MS);
  }

  async fetch(query) {
    this.pending?.abort();
    const pending = new AbortController();
    this.pending = pending;
    const address = `${this.endpoint}?q=${encodeURIComponent(query)}`;
    let results;
    try {
      const response = await fetch(address, {
        signal: pending.signal,
        headers: { Accept: "application/json" },
      });
      if (!response.ok) return;
      results = (await response.json()).suggestions;
    } catch {
      return; // aborted by newer typing, or offline: the form still searches
    }
    if (!Array.isArray(results)) return;
    this.answers.set(query, results);
    if (normalise(this.input.value) === query) this.show(results, query);
  }

  show(results, query) {
    this.results = results;
    this.active = -1;
    this.input.removeAttribute("aria-activedescendant");
    this.list.replaceChildren(
      ...results.map((result, index) => {
        const option = document.createElement("li");
        option.id = `${this.id}-${index}`;
        option.className = "suggest-option";
        option.dataset.index = String(index);
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        const label = document.createElement("span");
        label.textContent = result.label;
        option.append(label);
        if (result.kind === "topic") {
          const kind = document.createElement("span");
          kind.className = "suggest-kind";
          kind.textContent = " (topic)";
          option.append(kind);
        }
        return option;
      }),
    );
    const expanded = results.length > 0 && document.activeElement === this.input;
    this.list.hidden = !expanded;
    this.input.setAttribute("aria-expanded", String(expanded));
    this.status.textContent = query ? countMessage(results.length) : "";
  }

  highlight(index) {
    const options = this.list.querySelectorAll("[role=option]");
    options.forEach((option, i) => option.setAttribute("aria-selected", String(i === index)));
    this.active = index;
    if (index >= 0) {
      this.input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    } else {
      this.input.removeAttribute("aria-activedescendant");
    }
  }

  move(step) {
    const count = this.results.length;
    if (!count) return;
    if (this.list.hidden) {
      this.list.hidden = false;
      this.input.setAttribute("aria-expanded", "true");
    }
    const from = this.active < 0 && step < 0 ? count : this.active;
    this.highlight((from + step + count) % count);
  }

  close() {
    this.highlight(-1);
    this.list.hidden = true;
    this.input.setAttribute("aria-expanded", "false");
  }

  open(index) {
    const chosen = this.results[index];
    if (chosen) window.location.assign(chosen.url);
  }

  key(event) {
    const open = !this.list.hidden;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      this.move(event.key === "ArrowDown" ? 1 : -1);
    } else if (event.key === "Enter" && open && this.active >= 0) {
      event.preventDefault();
      this.open(this.active);
    } else if (event.key === "Escape" && open) {
      // Closes the list; the text stays (a second Escape clears it, as usual).
      event.preventDefault();
      this.close();
    }
  }
}

for (const input of document.querySelectorAll("input[data-suggest]")) {
  new Suggestions(input);
}
