// The editor's drafts kept in this browser's localStorage, one per person,
// article and version: "editorial-draft:<owner>:<article>:v<version>". The
// owner is a value the server derives from the signed-in user (the form's
// data-draft-owner), so one person's text is never offered to another, and
// logging out or another person opening the form removes it.

export const PREFIX = "editorial-draft:";
export const SAVING = "editorial-draft-saving";

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
