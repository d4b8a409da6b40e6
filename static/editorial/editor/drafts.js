// Nothing is lost. The article form's text goes to this browser's
// localStorage every few seconds, as "editorial-draft:<owner>:<article>:v<version>":
// keyed by whose text it is (the form's data-draft-owner, which the server
// derives from the signed-in user), the article and the edit version the
// form was loaded at. On return, a draft that differs from what the server
// gave is offered back, to the same person only: opening the form removes
// anyone else's, and logging out removes all (logged-out.js). A successful
// save clears it. Restoring text written against an older version puts that
// version back in the form, so the server's stale-save check shows what
// changed since instead of overwriting it. And leaving the form with
// unsaved changes asks first; saving does not.

export const PREFIX = "editorial-draft:";
export const SAVING = "editorial-draft-saving";

// The slug goes with the title, so a restored new article can be saved.
const FIELDS = [
  "title",
  "slug",
  "summary",
  "body",
  "change_note",
  "seo_title",
  "meta_description",
  "social_image_alt",
  "disclosures",
];
// Chosen from lists: the two-box selectors and the references' autocomplete.
const CHOICES = ["topics", "authors", "references"];
const SAVE_BUTTONS = new Set(["_save", "_continue", "_addanother", "_saveasnew"]);
const INTERVAL_MS = 2000;

export function storage(kind) {
  try {
    const store = window[kind];
    store.getItem("x");
    return store;
  } catch {
    return null;
  }
}

export function draftKey(owner, article, version) {
  return PREFIX + owner + ":" + article + ":v" + version;
}

// The keys of `owner`'s drafts of `article`.
export function draftKeys(local, owner, article) {
  const start = PREFIX + owner + ":" + article + ":";
  const keys = [];
  for (let i = 0; local && i < local.length; i++) {
    const key = local.key(i);
    if (key && key.startsWith(start)) keys.push(key);
  }
  return keys;
}

// Remove every draft that is not `owner`'s; with no owner (logged out),
// every draft there is.
export function forgetDrafts(owner = "") {
  const local = storage("localStorage");
  const keep = owner ? PREFIX + owner + ":" : null;
  for (let i = local ? local.length - 1 : -1; i >= 0; i--) {
    const key = local.key(i);
    if (key && key.startsWith(PREFIX) && !(keep && key.startsWith(keep))) {
      local.removeItem(key);
    }
  }
  if (!owner) {
    const session = storage("sessionStorage");
    if (session) session.removeItem(SAVING);
  }
}

function read(local, key) {
  try {
    return JSON.parse(local.getItem(key));
  } catch {
    return null;
  }
}

// After a save, the next page (the change form again, the list, or the
// form with errors) decides whether the saved draft can go.
function settlePreviousSave(local, session) {
  const key = session.getItem(SAVING);
  if (!key) return;
  session.removeItem(SAVING);
  const saved = document.querySelector(".messagelist .success");
  const failed = document.querySelector(".errornote, .errorlist, .edit-conflict");
  if (saved && !failed) local.removeItem(key);
}

function formatTime(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "earlier";
  return date.toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
}

// What is chosen in a list, as [value, label] pairs: the two-box selector
// keeps it as the options of its "_to" box, select2 as selected options.
function chosen(name) {
  const to = document.getElementById("id_" + name + "_to");
  const select = to || document.getElementById("id_" + name);
  if (!select || select.disabled) return null;
  const options = to ? [...to.options] : [...select.selectedOptions];
  return options.map((option) => [option.value, option.text]);
}

function choose(name, pairs) {
  const wanted = new Set(pairs.map(([value]) => value));
  const from = document.getElementById("id_" + name + "_from");
  const to = document.getElementById("id_" + name + "_to");
  if (from && to) {
    // The two-box selector moves the selected options on a double click.
    for (const [box, selectIfWanted] of [[from, true], [to, false]]) {
      let first = null;
      for (const option of box.options) {
        option.selected = wanted.has(option.value) === selectIfWanted;
        if (option.selected) first ??= option;
      }
      first?.dispatchEvent(new MouseEvent("dblclick", { bubbles: true }));
    }
    return;
  }
  const select = document.getElementById("id_" + name);
  if (!select) return;
  // select2 holds only what is chosen: the other references come back as options.
  const present = new Set([...select.options].map((option) => option.value));
  for (const [value, label] of pairs) {
    if (!present.has(value)) select.add(new Option(label, value));
  }
  for (const option of select.options) option.selected = wanted.has(option.value);
  select.dispatchEvent(new Event("change", { bubbles: true }));
}

const sameChoice = (a, b) =>
  a.length === b.length && a.every(([value]) => b.some(([other]) => other === value));

// Drafts of the article form; `body` is its Markdown text (absent or
// read-only on a form the person may only look at).
export function keepDrafts(body) {
  const local = storage("localStorage");
  const session = storage("sessionStorage");
  if (!local) return;
  if (session) settlePreviousSave(local, session);
  const config = document.getElementById("article-editor-config");
  const owner = config ? config.dataset.draftOwner : "";
  if (!owner || !body) return;
  // Someone else's text is neither offered nor left here for anyone to read.
  forgetDrafts(owner);
  if (body.readOnly) return;
  const form = body.form;
  const article = config.dataset.article || "new";
  const versionField = document.getElementById("id_base_version");
  const version = versionField ? versionField.value || "0" : "0";
  const key = draftKey(owner, article, version);
  const fields = FIELDS.map((name) => document.getElementById("id_" + name)).filter(Boolean);
  const lists = CHOICES.filter((name) => chosen(name) !== null);
  const current = () => ({
    fields: Object.fromEntries(fields.map((f) => [f.name, f.value])),
    choices: Object.fromEntries(lists.map((name) => [name, chosen(name)])),
  });
  const server = current();
  const differs = (draft) =>
    fields.some((f) => (draft.fields[f.name] ?? server.fields[f.name]) !== server.fields[f.name]) ||
    lists.some((name) => draft.choices?.[name] && !sameChoice(draft.choices[name], server.choices[name]));

  // A form shown again with errors holds text the server has not saved:
  // it is kept as it stands, and nothing is offered over it.
  const unsavedPage = Boolean(document.querySelector(".errornote, .edit-conflict"));
  let paused = false;
  let leaving = false;
  let changed = unsavedPage;
  const status = document.createElement("span");
  status.className = "editor-autosave";
  const bar = document.querySelector(".markdownx .editor-statusbar");
  (bar || body.parentElement).append(status);

  function write() {
    if (paused || leaving || !changed) return;
    changed = false;
    const draft = current();
    try {
      if (!differs(draft) && !unsavedPage) {
        local.removeItem(key);
        status.textContent = "";
        return;
      }
      const savedAt = new Date().toISOString();
      const base = versionField ? versionField.value || version : version;
      local.setItem(key, JSON.stringify({ version: base, savedAt, ...draft }));
      status.textContent = "Unsaved text kept in this browser at " + formatTime(savedAt) + ".";
    } catch {
      status.textContent = "This browser could not keep a copy of your text: save often.";
    }
  }

  form.addEventListener("input", () => {
    changed = true;
    leaving = false;
  });
  // The two-box selector moves options without an event of its own.
  for (const type of ["change", "click", "dblclick"]) {
    form.addEventListener(type, () => (changed = true));
  }
  setInterval(write, INTERVAL_MS);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") write();
  });
  // Logging out leaves nothing behind, not even what this page would write
  // as it closes (if the leave prompt keeps them here, typing counts again).
  const logout = document.getElementById("logout-form");
  if (logout) logout.addEventListener("submit", () => (leaving = true));
  form.addEventListener("submit", (event) => {
    const name = event.submitter && event.submitter.name;
    if (!SAVE_BUTTONS.has(name)) return;
    changed = true;
    paused = false;
    write();
    if (session) session.setItem(SAVING, key);
  });

  // The newest kept draft of this article that differs from the form.
  const drafts = draftKeys(local, owner, article)
    .map((k) => ({ key: k, draft: read(local, k) }))
    .filter((d) => d.draft && d.draft.fields)
    .sort((a, b) => String(b.draft.savedAt).localeCompare(String(a.draft.savedAt)));
  const offer = unsavedPage ? null : drafts.find((d) => differs(d.draft));
  for (const d of drafts) {
    if (d !== offer && d.key !== key && !differs(d.draft)) local.removeItem(d.key);
  }
  if (unsavedPage) write();
  if (offer) {
    paused = true;
    showOffer(offer);
  }

  function showOffer({ key: offerKey, draft }) {
    const box = document.createElement("div");
    box.className = "draft-restore";
    box.setAttribute("role", "region");
    box.setAttribute("aria-labelledby", "draft-restore-title");
    const older = draft.version !== version;
    box.innerHTML =
      '<p><strong id="draft-restore-title">Restore unsaved text?</strong> ' +
      '<span class="draft-restore-detail"></span></p>' +
      '<p><button type="button" class="button draft-restore-yes">Restore</button> ' +
      '<button type="button" class="button draft-restore-no">Discard</button></p>';
    box.querySelector(".draft-restore-detail").textContent =
      "This browser kept text from " +
      formatTime(draft.savedAt) +
      " that was not saved." +
      (older
        ? " It was written against an earlier version of the article, which has" +
          " been saved since; saving it will show you those changes first."
        : "");
    const row = body.closest(".form-row") || body.parentElement;
    row.before(box);

    function done(message) {
      box.replaceChildren();
      box.classList.add("draft-restore-done");
      const note = document.createElement("p");
      note.setAttribute("role", "status");
      note.textContent = message;
      box.append(note);
      paused = false;
    }

    box.querySelector(".draft-restore-yes").addEventListener("click", () => {
      // In FIELDS' order: the title (which may fill the slug in) first.
      for (const field of fields) {
        const value = draft.fields[field.name];
        if (typeof value === "string" && value !== field.value) {
          field.value = value;
          field.dispatchEvent(new Event("input", { bubbles: true }));
        }
      }
      for (const name of lists) {
        const pairs = draft.choices?.[name];
        if (Array.isArray(pairs)) choose(name, pairs);
      }
      if (older && versionField) versionField.value = draft.version;
      if (offerKey !== key) local.removeItem(offerKey);
      changed = true;
      done("Text restored. Save to keep it.");
      write();
      body.focus();
    });
    box.querySelector(".draft-restore-no").addEventListener("click", () => {
      local.removeItem(offerKey);
      done("Unsaved text discarded.");
      body.focus();
    });
  }
}

// ---- Leaving with unsaved changes asks first ---------------------------------

// Fields that say what to do with the form rather than what is in it.
const IGNORED = new Set([
  "csrfmiddlewaretoken",
  "CHANGE_FORM-action",
  "action",
  "_selected_action",
  "select_across",
  "index",
  "confirm_edit_in_review",
]);

function snapshot(form) {
  const parts = [];
  for (const element of form.elements) {
    const name = element.name;
    if (!name || IGNORED.has(name) || element.disabled) continue;
    if (element.type === "checkbox" || element.type === "radio") {
      parts.push([name, element.value, element.checked]);
    } else if (element.type === "file") {
      parts.push([name, [...element.files].map((f) => f.name + f.size)]);
    } else if (element.tagName === "SELECT" && element.multiple) {
      // The admin's two-box selector keeps the chosen items as unselected
      // options of the "_to" box until the form is submitted.
      const options = element.id.endsWith("_to") ? [...element.options] : [...element.selectedOptions];
      parts.push([name, options.map((o) => o.value)]);
    } else {
      parts.push([name, element.value]);
    }
  }
  return JSON.stringify(parts);
}

export function warnBeforeLeaving(form) {
  let initial = null;
  let submitting = false;
  // A form shown again with errors holds text the server has not saved.
  const unsavedFromStart = Boolean(document.querySelector(".errornote, .edit-conflict"));
  const take = () => {
    if (initial === null) initial = snapshot(form);
  };
  // The admin's widgets (two-box selectors, autocompletes) settle on load.
  if (document.readyState === "complete") setTimeout(take, 0);
  else window.addEventListener("load", () => setTimeout(take, 0));

  window.addEventListener("submit", (event) => {
    if (event.target === form && !event.defaultPrevented) submitting = true;
  });
  // A submission stopped before it left (a dialog cancelled) is not leaving.
  window.addEventListener("pageshow", () => (submitting = false));

  window.addEventListener("beforeunload", (event) => {
    if (submitting) return;
    const dirty = unsavedFromStart || (initial !== null && snapshot(form) !== initial);
    if (!dirty) return;
    event.preventDefault();
    event.returnValue = "";
  });
}
