// The SEO panel: live character counts for the SEO title and the meta
// description with the guidance ranges (warnings, never errors), and a
// preview of the search result, cut where search engines cut.

const RULES = {
  id_seo_title: { min: 1, max: 60, label: "about 60" },
  id_meta_description: { min: 120, max: 160, label: "120–160" },
};
// Desktop results cut titles at about 600 px of 20 px Arial and
// descriptions at about 920 px of 14 px Arial (roughly 160 characters).
const TITLE_PX = 600;
const DESCRIPTION_PX = 920;

let canvas = null;
function widthOf(text, font) {
  canvas = canvas || document.createElement("canvas");
  const context = canvas.getContext("2d");
  if (!context) return text.length * (font.startsWith("20") ? 10 : 6.5);
  context.font = font;
  return context.measureText(text).width;
}

export function cut(text, limit, font) {
  const flat = text.replace(/\s+/g, " ").trim();
  if (widthOf(flat, font) <= limit) return flat;
  let end = flat.length;
  while (end > 0 && widthOf(flat.slice(0, end) + " …", font) > limit) end -= 1;
  const space = flat.lastIndexOf(" ", end);
  return flat.slice(0, space > end * 0.6 ? space : end).trimEnd() + " …";
}

function attachCounter(id) {
  const field = document.getElementById(id);
  if (!field) return null;
  const rule = RULES[id];
  const output = document.createElement("span");
  output.className = "seo-count";
  output.id = id + "_count";
  const described = field.getAttribute("aria-describedby");
  field.setAttribute("aria-describedby", (described ? described + " " : "") + output.id);
  field.insertAdjacentElement("afterend", output);
  const title = document.getElementById("id_title");
  function update() {
    let value = field.value;
    let note = "";
    if (id === "id_seo_title" && !value && title) {
      value = title.value;
      note = " (using the title)";
    }
    const length = [...value.trim()].length;
    const outside = length < rule.min || length > rule.max;
    output.textContent =
      length + " characters" + note + "; aim for " + rule.label + "." +
      (outside && length ? " Search results may cut or rewrite it." : "");
    output.classList.toggle("out-of-range", outside);
  }
  field.addEventListener("input", update);
  if (title && id === "id_seo_title") title.addEventListener("input", update);
  update();
  return field;
}

function attachSnippet() {
  const description = document.getElementById("id_meta_description");
  if (!description) return;
  const config = document.getElementById("article-editor-config");
  const site = (config && config.dataset.siteUrl) || location.origin;
  const siteName = (config && config.dataset.siteName) || "";
  const get = (name) => document.getElementById("id_" + name);
  const box = document.createElement("section");
  box.className = "serp-preview";
  box.setAttribute("aria-labelledby", "serp-preview-heading");
  box.innerHTML =
    '<h3 id="serp-preview-heading">Search result preview</h3>' +
    '<div class="serp">' +
    '<div class="serp-site"><span class="serp-name"></span> <span class="serp-url"></span></div>' +
    '<div class="serp-title"></div>' +
    '<div class="serp-description"></div>' +
    "</div>" +
    '<p class="serp-note">Cut where desktop results usually cut. Search engines may rewrite the title or description.</p>';
  const row = description.closest(".form-row") || description.parentElement;
  row.after(box);
  const parts = {
    name: box.querySelector(".serp-name"),
    url: box.querySelector(".serp-url"),
    title: box.querySelector(".serp-title"),
    description: box.querySelector(".serp-description"),
  };
  function update() {
    const slug = (get("slug") && get("slug").value.trim()) || "…";
    const host = site.replace(/^https?:\/\//, "").replace(/\/$/, "");
    parts.name.textContent = siteName;
    parts.url.textContent = [host, "articles", slug].join(" › ");
    const heading = (get("seo_title") && get("seo_title").value.trim()) || (get("title") && get("title").value.trim()) || "";
    const full = heading ? heading + (siteName ? " | " + siteName : "") : "Untitled";
    parts.title.textContent = cut(full, TITLE_PX, "20px Arial");
    const meta = description.value.trim();
    const summary = get("summary") ? get("summary").value.trim() : "";
    parts.description.textContent = cut(meta || summary, DESCRIPTION_PX, "14px Arial");
    parts.description.classList.toggle("serp-fallback", !meta);
    if (!meta) {
      parts.description.prepend(
        Object.assign(document.createElement("em"), {
          textContent: summary
            ? "No meta description; search engines may show the summary: "
            : "No meta description yet.",
        }),
      );
    }
  }
  for (const name of ["title", "seo_title", "meta_description", "slug", "summary"]) {
    const field = get(name);
    if (field) {
      field.addEventListener("input", update);
      field.addEventListener("change", update);
    }
  }
  // The admin fills the slug in from the title on key up.
  const title = get("title");
  if (title) title.addEventListener("keyup", update);
  update();
}

function init() {
  Object.keys(RULES).forEach(attachCounter);
  attachSnippet();
}

init();
