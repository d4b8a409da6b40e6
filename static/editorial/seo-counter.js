// Live character counts for the SEO title and meta description, with the
// guidance ranges. Out-of-range lengths are warnings, never errors.
"use strict";
(function () {
  const rules = {
    id_seo_title: { min: 1, max: 60, label: "about 60" },
    id_meta_description: { min: 120, max: 160, label: "120–160" },
  };
  function attach(id) {
    const field = document.getElementById(id);
    if (!field) return;
    const rule = rules[id];
    const output = document.createElement("span");
    output.className = "seo-count";
    output.id = id + "_count";
    output.setAttribute("aria-live", "polite");
    field.setAttribute("aria-describedby", output.id);
    field.insertAdjacentElement("afterend", output);
    const title = document.getElementById("id_title");
    function update() {
      let value = field.value;
      let note = "";
      if (id === "id_seo_title" && !value && title) {
        value = title.value;
        note = " (using the title)";
      }
      const length = [...value].length;
      const outside = length < rule.min || length > rule.max;
      output.textContent =
        length + " characters" + note + "; aim for " + rule.label + "." +
        (outside && length ? " Search results may cut or rewrite it." : "");
      output.classList.toggle("out-of-range", outside);
    }
    field.addEventListener("input", update);
    if (title && id === "id_seo_title") title.addEventListener("input", update);
    update();
  }
  function init() {
    Object.keys(rules).forEach(attach);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
