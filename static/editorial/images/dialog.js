// Asks for an image's alt text (required) and an optional caption before the
// image goes into the article, while the upload runs. Nothing typed is lost
// if the upload fails: the dialog stays open with the message.

let dialogs = 0;

function element(tag, properties = {}, attributes = {}) {
  const node = Object.assign(document.createElement(tag), properties);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

function field(id, labelText, helpText, required) {
  const label = element("label", { htmlFor: id, textContent: labelText });
  if (required) label.className = "required";
  const input = element("input", { id, type: "text", maxLength: 300, required }, {
    "aria-describedby": `${id}-help`,
  });
  const help = element("p", { id: `${id}-help`, className: "help", textContent: helpText });
  return { label, input, help };
}

const ALT_HELP =
  "Required. Say in a sentence what the image shows and why it is here, as you " +
  "would to someone on the phone: the finding of a chart, what to notice in a " +
  "photo. Don't start with “Image of” and don't repeat the caption.";
const CAPTION_HELP =
  "Optional. Shown under the image to every reader: what to notice, its source " +
  "or credit. You can cite with [@key].";

export class ImageDialog {
  constructor() {
    dialogs += 1;
    const id = `image-dialog-${dialogs}`;
    this.dialog = element("dialog", { className: "image-dialog" }, {
      "aria-labelledby": `${id}-title`,
    });
    this.form = element("form", { noValidate: true });
    const title = element("h2", { id: `${id}-title`, textContent: "Describe the image" });
    this.thumbnail = element("img", { className: "image-dialog-thumbnail", alt: "" });
    this.progress = element("p", { className: "image-dialog-status" }, { role: "status" });
    this.alt = field(`${id}-alt`, "Alt text", ALT_HELP, true);
    this.error = element("p", { id: `${id}-alt-error`, className: "errornote", hidden: true });
    this.caption = field(`${id}-caption`, "Caption", CAPTION_HELP, false);
    this.insert = element("button", { type: "submit", className: "button default", textContent: "Insert image" });
    const cancel = element("button", { type: "button", className: "button", textContent: "Cancel" });
    const buttons = element("div", { className: "image-dialog-buttons" });
    buttons.append(this.insert, cancel);
    this.form.append(
      title, this.thumbnail, this.progress,
      this.alt.label, this.alt.input, this.error, this.alt.help,
      this.caption.label, this.caption.input, this.caption.help, buttons,
    );
    this.dialog.append(this.form);
    document.body.append(this.dialog);
    cancel.addEventListener("click", () => this.dialog.close());
    // Esc closes the dialog alone, not the full-screen editor behind it.
    this.dialog.addEventListener("keydown", (event) => {
      if (event.key !== "Escape") return;
      event.preventDefault();
      this.dialog.close();
    });
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    this.dialog.addEventListener("close", () => this.finish(null));
    this.alt.input.addEventListener("input", () => {
      if (this.alt.input.value.trim()) this.showError("");
    });
  }

  // Resolves to {url, alt, caption}, or null when the writer cancels.
  ask(file, upload) {
    this.upload = upload;
    this.alt.input.value = "";
    this.caption.input.value = "";
    this.showError("");
    this.insert.disabled = false;
    this.progress.textContent = `Uploading ${file.name}…`;
    this.thumbnail.hidden = true;
    const reader = new FileReader();
    reader.addEventListener("load", () => {
      this.thumbnail.src = reader.result;
      this.thumbnail.hidden = false;
    });
    reader.readAsDataURL(file);
    upload.then(
      () => { this.progress.textContent = `${file.name} is uploaded.`; },
      (error) => { this.progress.textContent = error.message; },
    );
    this.dialog.showModal();
    this.alt.input.focus();
    return new Promise((resolve) => { this.resolve = resolve; });
  }

  showError(message) {
    this.error.textContent = message;
    this.error.hidden = !message;
    const described = [message ? this.error.id : "", `${this.alt.input.id}-help`];
    this.alt.input.setAttribute("aria-describedby", described.join(" ").trim());
    if (message) this.alt.input.setAttribute("aria-invalid", "true");
    else this.alt.input.removeAttribute("aria-invalid");
  }

  async submit() {
    const alt = this.alt.input.value.trim();
    if (!alt) {
      this.showError("Write the alt text first: readers who can't see the image depend on it.");
      this.alt.input.focus();
      return;
    }
    this.showError("");
    this.insert.disabled = true;
    let url;
    try {
      url = await this.upload;
    } catch (error) {
      this.progress.textContent = `${error.message} Your alt text and caption are kept; cancel and try another file.`;
      this.insert.disabled = false;
      return;
    }
    this.finish({ url, alt, caption: this.caption.input.value.trim() });
    this.dialog.close();
  }

  finish(answer) {
    if (!this.resolve) return;
    const resolve = this.resolve;
    this.resolve = null;
    resolve(answer);
  }
}
