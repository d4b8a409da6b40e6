// Autosave: the article's text goes to this browser's localStorage every few
// seconds, keyed by whose text it is, the article and the edit version the
// form was loaded at (./drafts.js). On return, text that differs from what
// the server gave is offered back, to the same person only: opening the form
// removes anyone else's, and logging out removes all. A successful save
// clears it. Restoring text written against an older version puts that
// version back in the form, so the server's stale-save check shows what
// changed since instead of overwriting it.
import { draftKey, draftKeys, forgetDrafts, SAVING, storage } from "./drafts.js";

const FIELDS = [
  "title",
  "summary",
  "body",
  "change_note",
  "seo_title",
  "meta_description",
  "social_image_alt",
  "disclosures",
];
const SAVE_BUTTONS = new Set(["_save", "_continue", "_addanother", "_saveasnew"]);
const INTERVAL_MS = 2000;

const local = storage("localStorage");
const session = storage("sessionStorage");

function read(key) {
  try {
    return JSON.parse(local.getItem(key));
  } catch {
    return null;
  }
}

// After a save, the next page (the change form again, the list, or the
// form with errors) decides whether the saved draft can go.
function settlePreviousSave() {
  if (!session || !local) return;
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

function init() {
  settlePreviousSave();
  const config = document.getElementById("article-editor-config");
  const body = document.getElementById("id_body");
  const owner = config ? config.dataset.draftOwner : "";
  if (!local || !owner || !body) return;
  // Someone else's text is neither offered nor left here for anyone to read.
  forgetDrafts(owner);
  if (body.readOnly) return;
  const form = body.form;
  const article = config.dataset.article || "new";
  const versionField = document.getElementById("id_base_version");
  const version = versionField ? versionField.value || "0" : "0";
  const key = draftKey(owner, article, version);
  const fields = FIELDS.map((name) => document.getElementById("id_" + name)).filter(Boolean);
  const server = Object.fromEntries(fields.map((f) => [f.name, f.value]));
  const current = () => Object.fromEntries(fields.map((f) => [f.name, f.value]));
  const differs = (text) => fields.some((f) => (text[f.name] ?? server[f.name]) !== server[f.name]);

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
    const text = current();
    try {
      if (!differs(text) && !unsavedPage) {
        local.removeItem(key);
        status.textContent = "";
        return;
      }
      const savedAt = new Date().toISOString();
      const base = versionField ? versionField.value || version : version;
      local.setItem(key, JSON.stringify({ version: base, savedAt, fields: text }));
      status.textContent = "Unsaved text kept in this browser at " + formatTime(savedAt) + ".";
    } catch {
      status.textContent = "This browser could not keep a copy of your text: save often.";
    }
  }

  form.addEventListener("input", (event) => {
    if (fields.includes(event.target)) changed = true;
    leaving = false;
  });
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
    .map((k) => ({ key: k, draft: read(k) }))
    .filter((d) => d.draft && d.draft.fields)
    .sort((a, b) => String(b.draft.savedAt).localeCompare(String(a.draft.savedAt)));
  const offer = unsavedPage ? null : drafts.find((d) => differs(d.draft.fields));
  for (const d of drafts) {
    if (d !== offer && d.key !== key && !differs(d.draft.fields)) local.removeItem(d.key);
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
      "This browser kept text from " + formatTime(draft.savedAt) +
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
      for (const field of fields) {
        const value = draft.fields[field.name];
        if (typeof value === "string" && value !== field.value) {
          field.value = value;
          field.dispatchEvent(new Event("input", { bubbles: true }));
        }
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

init();
