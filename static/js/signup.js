// Signup: the web address follows the organisation's name until it is edited by hand, and the
// button says the organisation is being created while the request runs (it takes a moment).
(() => {
  const form = document.getElementById("signup-form");
  if (!form) return;
  const name = form.querySelector("input[name=name]");
  const slug = form.querySelector("input[name=slug][data-suggest]");
  const suggest = (text) =>
    text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40).replace(/-+$/, "");
  if (name && slug) {
    let edited = slug.value !== "" && slug.value !== suggest(name.value);
    slug.addEventListener("input", () => { edited = slug.value !== ""; });
    name.addEventListener("input", () => { if (!edited) slug.value = suggest(name.value); });
  }
  form.addEventListener("submit", () => {
    const button = form.querySelector("button[type=submit]");
    if (!button || !button.dataset.busyLabel) return;
    // Disabled after this tick, so the browser still sends the form.
    setTimeout(() => {
      button.disabled = true;
      button.textContent = button.dataset.busyLabel;
      form.setAttribute("aria-busy", "true");
    }, 0);
  });
})();
