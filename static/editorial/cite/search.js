// Asks the server's citation search (articles/admin/citing.py) for up to ten
// references matching what the writer typed. Later questions cancel earlier
// ones, so answers never arrive out of order.

export class ReferenceSearch {
  constructor(url) {
    this.url = url;
    this.pending = null;
    this.answers = new Map();
  }

  async find(query) {
    if (this.pending) this.pending.abort();
    if (this.answers.has(query)) return this.answers.get(query);
    const controller = new AbortController();
    this.pending = controller;
    const address = new URL(this.url, window.location.href);
    address.searchParams.set("q", query);
    const response = await fetch(address, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      signal: controller.signal,
    });
    const type = response.headers.get("Content-Type") || "";
    if (!type.startsWith("application/json")) {
      throw new Error("Your session may have ended: reload the page to log in again.");
    }
    const answer = await response.json();
    if (!response.ok) {
      throw new Error(answer.error || "The reference search failed; try again.");
    }
    if (this.answers.size > 50) this.answers.clear();
    this.answers.set(query, answer);
    return answer;
  }
}
