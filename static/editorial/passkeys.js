// Passkeys and security keys (WebAuthn) for the second factor, on the pages
// under /admin/mfa/ and in sign-off forms. Three hooks:
//   [data-passkey-register]  add a passkey, then go where the server says;
//   [data-passkey-verify]    the check after the password, then go on;
//   [data-passkey-step-up]   inside a sign-off form: the check, then submit
//                            the form again with the button first pressed.
// Each button names its begin and complete endpoints (data-begin-url,
// data-complete-url) and the element for its errors (data-error, role=alert).

const SUPPORTED =
  typeof PublicKeyCredential !== "undefined" &&
  typeof PublicKeyCredential.parseCreationOptionsFromJSON === "function";

function csrfToken() {
  const field = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (field) return field.value;
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

async function post(url, body) {
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: {
      "Content-Type": "application/json",
      Accept: "application/json",
      "X-CSRFToken": csrfToken(),
    },
    body: body === undefined ? "" : JSON.stringify(body),
  });
  let data = {};
  try {
    data = await response.json();
  } catch {
    // Not JSON: the status says enough.
  }
  if (!response.ok) {
    throw new Error(data.detail || `The server refused the passkey (${response.status}).`);
  }
  return data;
}

function withQuery(url, params) {
  const address = new URL(url, window.location.href);
  for (const [key, value] of Object.entries(params)) {
    if (value) address.searchParams.set(key, value);
  }
  return address.pathname + address.search;
}

function explain(error) {
  if (error.name === "NotAllowedError") {
    return "The passkey check was cancelled or timed out. Try again, or enter a code.";
  }
  if (error.name === "InvalidStateError") {
    return "This passkey or security key is already registered to your account.";
  }
  if (error.name === "SecurityError") {
    return "The browser refused passkeys on this address. Open the desk on its host name (such as http://localhost:8000), not an IP address.";
  }
  return error.message || String(error);
}

function report(button, message) {
  const box = document.getElementById(button.dataset.error || "");
  if (box) {
    box.textContent = message;
    box.hidden = !message;
  }
}

async function register(button) {
  const options = await post(button.dataset.beginUrl);
  const publicKey = PublicKeyCredential.parseCreationOptionsFromJSON(options);
  const credential = await navigator.credentials.create({ publicKey });
  const nameField = button.dataset.nameInput
    ? document.querySelector(button.dataset.nameInput)
    : null;
  const url = withQuery(button.dataset.completeUrl, {
    name: nameField ? nameField.value.trim() : "",
    next: button.dataset.next,
  });
  return post(url, credential.toJSON());
}

async function authenticate(button) {
  const options = await post(button.dataset.beginUrl);
  const publicKey = PublicKeyCredential.parseRequestOptionsFromJSON(options);
  const credential = await navigator.credentials.get({ publicKey });
  const url = withQuery(button.dataset.completeUrl, { next: button.dataset.next });
  return post(url, credential.toJSON());
}

function busy(button, running) {
  button.disabled = running;
  button.setAttribute("aria-busy", running ? "true" : "false");
}

// Run `ceremony` from a click on `button`, showing what goes wrong.
async function run(button, ceremony) {
  if (!SUPPORTED) {
    report(button, "This browser cannot use passkeys. Use an authenticator app code instead.");
    return null;
  }
  report(button, "");
  busy(button, true);
  try {
    return await ceremony(button);
  } catch (error) {
    report(button, explain(error));
    return null;
  } finally {
    busy(button, false);
  }
}

for (const button of document.querySelectorAll("[data-passkey-register]")) {
  button.addEventListener("click", async () => {
    const result = await run(button, register);
    if (result) window.location.assign(result.redirect_url);
  });
}

for (const button of document.querySelectorAll("[data-passkey-verify]")) {
  button.addEventListener("click", async () => {
    const result = await run(button, authenticate);
    if (result) window.location.assign(result.redirect_url);
  });
}

function submitButtons(form) {
  return [...form.elements].filter(
    (element) => element.type === "submit" && !element.disabled,
  );
}

for (const button of document.querySelectorAll("[data-passkey-step-up]")) {
  const form = button.form || button.closest("form");
  if (!form) continue;
  const codeField = form.querySelector("[name=step_up_code]");
  let pressed = null;
  let confirmed = false;

  const confirm = async () => {
    const result = await run(button, authenticate);
    if (!result) return;
    confirmed = true;
    const again = pressed || (submitButtons(form).length === 1 ? submitButtons(form)[0] : null);
    if (again) {
      form.requestSubmit(again);
    } else {
      report(button, "Confirmed. Now choose what to do again.");
    }
  };

  // A sign-off pressed with no code typed: check the passkey first, then
  // send the form as it was, with the button that was pressed.
  form.addEventListener("submit", (event) => {
    if (!SUPPORTED || confirmed || (codeField && codeField.value.trim())) return;
    event.preventDefault();
    pressed = event.submitter;
    confirm();
  });
  button.addEventListener("click", confirm);
}
