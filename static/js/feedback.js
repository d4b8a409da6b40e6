// "Is this page useful?" and "Report a problem", sent inline. Without this
// module both are plain forms that answer with a page of their own
// (articles/public/feedback.py); with it they post the same fields and read
// JSON. What the reader selected in the article is offered as the quote.

const QUOTE_LIMIT = 1000;

function selectedText(article) {
  const selection = document.getSelection();
  if (!selection || selection.isCollapsed || !article) return "";
  const range = selection.getRangeAt(0);
  if (!article.contains(range.commonAncestorContainer)) return "";
  return selection.toString().replace(/\s+/g, " ").trim().slice(0, QUOTE_LIMIT);
}

// The form's fields are read before its buttons are disabled: FormData
// leaves out disabled controls, the submitter too.
async function send(form, body) {
  const response = await fetch(form.action, {
    method: "POST",
    body,
    headers: { Accept: "application/json" },
    credentials: "omit",
  });
  let answer = {};
  try {
    answer = await response.json();
  } catch {
    answer = { ok: false, message: "Your feedback was not sent. Please try again." };
  }
  return answer;
}

function showErrors(form, errors) {
  form.querySelectorAll("[data-feedback-error]").forEach((node) => node.remove());
  form.querySelectorAll("[aria-invalid]").forEach((node) => node.removeAttribute("aria-invalid"));
  let first = null;
  for (const [name, messages] of Object.entries(errors || {})) {
    const field = form.querySelector(`[name="${name}"]`);
    if (!field) continue;
    const note = document.createElement("p");
    note.className = "field-error";
    note.dataset.feedbackError = "";
    note.id = `feedback-error-${name}`;
    note.textContent = messages.join(" ");
    const anchor = name === "category" ? form.querySelector("fieldset legend") : field;
    anchor.after(note);
    if (name !== "category") {
      field.setAttribute("aria-invalid", "true");
      field.setAttribute("aria-describedby", note.id);
    }
    first = first || field;
  }
  if (first) first.focus();
}

function setUp(section) {
  const article = document.querySelector("main article");
  const status = section.querySelector("[data-feedback-status]");
  const vote = section.querySelector(".feedback-vote");
  const details = section.querySelector("[data-feedback-details]");
  const report = details.querySelector("form");
  const quote = report.querySelector("[data-feedback-quote]");
  let lastSelection = "";

  // The selection is gone once the reader clicks a button: keep the last one.
  document.addEventListener("selectionchange", () => {
    const text = selectedText(article);
    if (text) lastSelection = text;
  });
  const offerQuote = () => {
    if (lastSelection && !quote.value.trim()) quote.value = lastSelection;
  };
  details.addEventListener("toggle", () => {
    if (details.open) offerQuote();
  });

  vote.addEventListener("submit", async (event) => {
    event.preventDefault();
    const submitter = event.submitter;
    const useful = submitter?.value;
    const body = new FormData(vote, submitter);
    vote.querySelectorAll("button").forEach((button) => (button.disabled = true));
    let answer;
    try {
      answer = await send(vote, body);
    } catch {
      answer = { ok: false, message: "Your answer was not sent. Please try again." };
    }
    if (!answer.ok) {
      status.textContent = answer.message;
      vote.querySelectorAll("button").forEach((button) => (button.disabled = false));
      return;
    }
    vote.hidden = true;
    if (useful === "no") {
      status.textContent = "Thank you. What was wrong? You can tell us below.";
      details.open = true;
      offerQuote();
      report.querySelector("input[name=category]")?.focus();
    } else {
      status.textContent = "Thank you for your feedback.";
    }
  });

  report.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = report.querySelector("button[type=submit]");
    const body = new FormData(report, event.submitter);
    button.disabled = true;
    let answer;
    try {
      answer = await send(report, body);
    } catch {
      answer = { ok: false, message: "Your report was not sent. Please try again." };
    }
    button.disabled = false;
    if (answer.ok) {
      details.hidden = true;
      vote.hidden = true;
      status.textContent = "Thank you. Our editors will read your report.";
      return;
    }
    // Everything the reader typed stays where it is.
    status.textContent = answer.message || "Please check what you entered.";
    showErrors(report, answer.errors);
  });
}

document.querySelectorAll("[data-feedback]").forEach(setUp);
