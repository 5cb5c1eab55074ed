// Signup: suggest the site's address from the organisation's name until the visitor types
// one, and show that the organisation is being created while the form is sent.
(() => {
  const form = document.querySelector("form[data-signup]");
  if (!form) return;
  const slug = form.querySelector("[data-suggest-from]");
  const name = slug && form.elements[slug.dataset.suggestFrom];
  const button = form.querySelector("button[type=submit]");

  // "Lumière Pictures" -> "lumiere-pictures": Latin letters and digits, single hyphens,
  // starting with a letter (the server's rule); nothing when the name has no Latin letters.
  const suggest = (text) =>
    text
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^[^a-z]+/, "")
      .slice(0, 40)
      .replace(/-+$/, "");

  if (slug && name) {
    let typed = slug.value !== "";
    slug.addEventListener("input", () => {
      typed = slug.value !== "";
    });
    name.addEventListener("input", () => {
      if (!typed) slug.value = suggest(name.value);
    });
  }

  const label = button.textContent;
  form.addEventListener("submit", () => {
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    button.textContent = button.dataset.busyLabel;
  });
  // Back from the next page: the button works again.
  window.addEventListener("pageshow", () => {
    button.disabled = false;
    button.removeAttribute("aria-busy");
    button.textContent = label;
  });
})();
