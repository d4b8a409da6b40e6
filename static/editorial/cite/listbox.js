// A listbox of references (key, first author, year, title, DOI), driven from
// the field that keeps focus: the field moves the highlighted option with the
// arrow keys and points at it with aria-activedescendant.

let lists = 0;

function part(className, text) {
  const span = document.createElement("span");
  span.className = className;
  span.textContent = text;
  return span;
}

export class ReferenceList {
  constructor({ label, onChoose }) {
    lists += 1;
    this.id = `cite-listbox-${lists}`;
    this.element = document.createElement("ul");
    this.element.id = this.id;
    this.element.className = "cite-listbox";
    this.element.setAttribute("role", "listbox");
    this.element.setAttribute("aria-label", label);
    this.element.hidden = true;
    this.results = [];
    this.active = -1;
    this.onChoose = onChoose;
    // Keep focus (and the caret) in the field while the mouse picks.
    this.element.addEventListener("mousedown", (event) => event.preventDefault());
    this.element.addEventListener("click", (event) => {
      const option = event.target.closest("[role=option]");
      if (option) this.onChoose(this.results[Number(option.dataset.index)]);
    });
  }

  show(results) {
    this.results = results;
    this.element.replaceChildren(
      ...results.map((result, index) => {
        const option = document.createElement("li");
        option.id = `${this.id}-${index}`;
        option.className = "cite-option";
        option.dataset.index = String(index);
        option.dataset.key = result.key;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        const byline = [result.author, result.year].filter(Boolean).join(", ");
        option.append(part("cite-key", `@${result.key}`));
        if (byline) option.append(part("cite-byline", byline));
        if (result.retracted) option.append(part("cite-retracted", "Retracted"));
        option.append(part("cite-title", result.title));
        if (result.doi) option.append(part("cite-doi", `doi:${result.doi}`));
        return option;
      }),
    );
    // An empty listbox is hidden: it would be a list with no options.
    this.element.hidden = results.length === 0;
    this.highlight(results.length ? 0 : -1);
  }

  highlight(index) {
    const options = this.element.querySelectorAll("[role=option]");
    options.forEach((option, i) => option.setAttribute("aria-selected", String(i === index)));
    this.active = index;
    if (index >= 0) options[index].scrollIntoView({ block: "nearest" });
  }

  move(step) {
    const count = this.results.length;
    if (!count) return;
    this.highlight((this.active + step + count) % count);
  }

  activeId() {
    return this.active >= 0 ? `${this.id}-${this.active}` : "";
  }

  chosen() {
    return this.active >= 0 ? this.results[this.active] : null;
  }
}

export function describeCount(results, query) {
  if (!results.length) {
    return query ? `No reference matches “${query}”.` : "The reference library is empty.";
  }
  const noun = results.length === 1 ? "reference" : "references";
  return `${results.length} ${noun}; arrow keys to move, Enter to cite, Esc to close.`;
}
