// Images in the body: drop a file on the editor, paste one, or use the
// toolbar's image command (`editor:command` {command: "image"}), which opens
// a file picker. The upload starts at once; a dialog asks for alt text and an
// optional caption; then `![alt](url "caption")` goes in on a line of its
// own, with a blank line either side. A captioned image alone in its
// paragraph renders as a figure with a figcaption. The editor
// (../editor/editor.js) attaches it when the writer first needs it.

import { insertBlock } from "../cite/text.js";
import { ImageDialog } from "./dialog.js";
import { ACCEPTED, uploadImage } from "./upload.js";

let dialog = null;

function oneLine(text) {
  return text.replace(/\s+/g, " ").trim();
}

export function imageMarkdown({ url, alt, caption }) {
  const safeAlt = oneLine(alt).replace(/[\\[\]]/g, "\\$&");
  const title = caption ? ` "${oneLine(caption).replace(/["\\]/g, "\\$&")}"` : "";
  return `![${safeAlt}](${url}${title})`;
}

async function insertImages(textarea, files) {
  const url = textarea.dataset.markdownxUploadUrlsPath;
  dialog ??= new ImageDialog();
  // Where the caret was when the image came: the dialog takes the focus.
  let caret = textarea.selectionEnd;
  for (const file of files) {
    const upload = uploadImage(url, file);
    upload.catch(() => {}); // reported in the dialog
    const answer = await dialog.ask(file, upload);
    if (!answer) break;
    insertBlock(textarea, imageMarkdown(answer), caret);
    caret = textarea.selectionEnd;
  }
  textarea.focus();
}

function images(fileList) {
  return [...(fileList || [])].filter((file) => ACCEPTED.includes(file.type));
}

// Returns what inserts files handed over by the editor before this was here.
export function attach(textarea) {
  const editor = textarea.closest(".markdownx") || textarea.parentElement;
  // The dialog's styles sit beside this module.
  const styles = document.createElement("link");
  styles.rel = "stylesheet";
  styles.href = new URL("./images.css", import.meta.url).href;
  document.head.append(styles);
  const picker = Object.assign(document.createElement("input"), {
    type: "file",
    accept: ACCEPTED.join(","),
    multiple: true,
    hidden: true,
  });
  picker.setAttribute("aria-hidden", "true");
  picker.tabIndex = -1;
  document.body.append(picker);
  picker.addEventListener("change", () => {
    const files = images(picker.files);
    picker.value = "";
    if (files.length) insertImages(textarea, files);
  });
  textarea.addEventListener("editor:command", (event) => {
    if (event.detail?.command === "image") picker.click();
  });
  // Capturing on the editor, before the browser's own drop and paste.
  for (const type of ["drop", "paste"]) {
    editor.addEventListener(
      type,
      (event) => {
        const transfer = type === "drop" ? event.dataTransfer : event.clipboardData;
        const files = images(transfer && transfer.files);
        if (!files.length) return;
        event.preventDefault();
        event.stopPropagation();
        insertImages(textarea, files);
      },
      true,
    );
  }
  return (files) => insertImages(textarea, images(files));
}
