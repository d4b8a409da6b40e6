// Edit a JSON list of names (or of texts) as rows: add, remove, drag to
// reorder, or move up and down with buttons. The JSON textarea the form
// posts stays the source of truth: every change writes the rows back to it.
// Without this module (or with JSON it cannot read) the textarea shows as is.

const editors = document.querySelectorAll(".row-editor[data-columns]");

function readRows(textarea, columns) {
  const text = textarea.value.trim();
  if (!text) return [];
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!Array.isArray(value)) return null;
  const scalar = columns.length === 1 && columns[0][0] === "value";
  const rows = [];
  for (const item of value) {
    if (scalar) {
      if (typeof item !== "string") return null;
      rows.push({ value: item });
    } else {
      if (item === null || typeof item !== "object" || Array.isArray(item)) return null;
      const known = new Set(columns.map(([key]) => key));
      if (Object.keys(item).some((key) => !known.has(key))) return null;
      if (Object.values(item).some((part) => typeof part !== "string")) return null;
      rows.push({ ...item });
    }
  }
  return rows;
}

function button(text, label, className) {
  const element = document.createElement("button");
  element.type = "button";
  element.className = `row-editor-button ${className}`;
  element.textContent = text;
  element.setAttribute("aria-label", label);
  element.title = label;
  return element;
}

function enhance(container) {
  const textarea = container.querySelector("textarea");
  const columns = JSON.parse(container.dataset.columns);
  const rowLabel = container.dataset.rowLabel || "Row";
  const scalar = columns.length === 1 && columns[0][0] === "value";
  const initial = readRows(textarea, columns);
  if (initial === null || !textarea) return; // leave unreadable JSON editable as text

  const table = document.createElement("table");
  table.className = "row-editor-table";
  const caption = document.createElement("caption");
  caption.className = "row-editor-sr-only";
  const label = document.querySelector(`label[for="${textarea.id}"]`);
  caption.textContent = label ? label.textContent.replace(/:$/, "") : rowLabel;
  table.append(caption);
  const head = table.createTHead().insertRow();
  for (const text of ["#", ...columns.map(([, title]) => title), "Actions"]) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = text;
    head.append(th);
  }
  const body = table.createTBody();
  const status = document.createElement("p");
  status.className = "row-editor-sr-only";
  status.setAttribute("role", "status");
  const add = button(`+ Add ${rowLabel.toLowerCase()}`, `Add ${rowLabel.toLowerCase()}`, "row-editor-add");

  let dragged = null;

  function serialise() {
    const values = [];
    for (const tr of body.rows) {
      const row = {};
      for (const input of tr.querySelectorAll("input[data-key]")) {
        const text = input.value.trim();
        if (text) row[input.dataset.key] = text;
      }
      if (scalar) {
        if (row.value) values.push(row.value);
      } else if (Object.keys(row).length) {
        if (row.family !== undefined && row.given === undefined) row.given = "";
        values.push(row);
      }
    }
    textarea.value = JSON.stringify(values);
  }

  function renumber() {
    [...body.rows].forEach((tr, index) => {
      const n = index + 1;
      tr.querySelector(".row-editor-number").textContent = n;
      for (const input of tr.querySelectorAll("input[data-key]")) {
        input.setAttribute("aria-label", `${input.dataset.title}, ${rowLabel.toLowerCase()} ${n}`);
      }
      tr.querySelector(".row-editor-up").setAttribute("aria-label", `Move ${rowLabel.toLowerCase()} ${n} up`);
      tr.querySelector(".row-editor-down").setAttribute("aria-label", `Move ${rowLabel.toLowerCase()} ${n} down`);
      tr.querySelector(".row-editor-remove").setAttribute("aria-label", `Remove ${rowLabel.toLowerCase()} ${n}`);
      tr.querySelector(".row-editor-up").disabled = index === 0;
      tr.querySelector(".row-editor-down").disabled = index === body.rows.length - 1;
    });
  }

  function changed(message) {
    renumber();
    serialise();
    if (message) status.textContent = message;
  }

  function move(tr, offset, focusClass) {
    const rows = [...body.rows];
    const target = rows.indexOf(tr) + offset;
    if (target < 0 || target >= rows.length) return;
    if (offset < 0) body.insertBefore(tr, rows[target]);
    else body.insertBefore(tr, rows[target].nextSibling);
    changed(`${rowLabel} moved to position ${target + 1}.`);
    const focus = tr.querySelector(focusClass);
    (focus.disabled ? tr.querySelector("input") : focus).focus();
  }

  function addRow(values = {}) {
    const tr = body.insertRow();
    tr.className = "row-editor-row";
    const handle = tr.insertCell();
    handle.className = "row-editor-handle";
    handle.draggable = true;
    handle.title = "Drag to reorder";
    const number = document.createElement("span");
    number.className = "row-editor-number";
    handle.append("⠿ ", number);
    for (const [key, title] of columns) {
      const cell = tr.insertCell();
      const input = document.createElement("input");
      input.type = "text";
      input.maxLength = 500;
      input.dataset.key = key;
      input.dataset.title = title;
      input.value = values[key] || "";
      input.className = `row-editor-${key}`;
      cell.append(input);
    }
    const actions = tr.insertCell();
    actions.className = "row-editor-actions";
    const up = button("↑", "Move up", "row-editor-up");
    const down = button("↓", "Move down", "row-editor-down");
    const remove = button("✕", "Remove", "row-editor-remove");
    up.addEventListener("click", () => move(tr, -1, ".row-editor-up"));
    down.addEventListener("click", () => move(tr, 1, ".row-editor-down"));
    remove.addEventListener("click", () => {
      const next = tr.nextElementSibling || tr.previousElementSibling;
      tr.remove();
      changed(`${rowLabel} removed.`);
      (next ? next.querySelector("input") : add).focus();
    });
    actions.append(up, down, remove);
    handle.addEventListener("dragstart", (event) => {
      dragged = tr;
      tr.classList.add("row-editor-dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", "");
      event.dataTransfer.setDragImage(tr, 10, 10);
    });
    handle.addEventListener("dragend", () => {
      tr.classList.remove("row-editor-dragging");
      if (dragged) changed(`${rowLabel} moved to position ${[...body.rows].indexOf(tr) + 1}.`);
      dragged = null;
    });
    tr.addEventListener("dragover", (event) => {
      if (!dragged || dragged === tr) return;
      event.preventDefault();
      const box = tr.getBoundingClientRect();
      const after = event.clientY > box.top + box.height / 2;
      body.insertBefore(dragged, after ? tr.nextSibling : tr);
    });
    tr.addEventListener("drop", (event) => event.preventDefault());
    return tr;
  }

  body.addEventListener("input", () => serialise());
  add.addEventListener("click", () => {
    const tr = addRow();
    changed(`${rowLabel} ${body.rows.length} added.`);
    tr.querySelector("input").focus();
  });

  for (const values of initial) addRow(values);
  renumber();
  textarea.hidden = true;
  const rows = document.createElement("div");
  rows.className = "row-editor-rows";
  rows.append(table, add, status);
  container.append(rows);
  // The admin's label points at the hidden textarea; send it to the first input.
  if (label) {
    label.addEventListener("click", (event) => {
      const first = body.querySelector("input") || add;
      event.preventDefault();
      first.focus();
    });
  }
}

for (const container of editors) enhance(container);
