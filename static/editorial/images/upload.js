// Sends one image to the editor's upload view (articles/admin/editor.py),
// which re-encodes it and answers with its URL, or with a message saying
// why it was refused.

export const ACCEPTED = ["image/jpeg", "image/png", "image/webp"];

function csrfToken() {
  const field = document.querySelector("input[name=csrfmiddlewaretoken]");
  return field ? field.value : "";
}

export async function uploadImage(url, file) {
  const data = new FormData();
  data.append("image", file);
  const response = await fetch(url, {
    method: "POST",
    body: data,
    credentials: "same-origin",
    headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
  });
  const type = response.headers.get("Content-Type") || "";
  if (!type.startsWith("application/json")) {
    throw new Error(
      response.status === 403
        ? "You may not upload images here, or your session has ended: reload the page."
        : "The upload failed; check your connection and try again.",
    );
  }
  const answer = await response.json();
  if (!response.ok || !answer.url) {
    throw new Error((answer.image || ["The upload failed; try again."]).join(" "));
  }
  return answer.url;
}
