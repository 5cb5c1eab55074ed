// Small progressive enhancement: pages work without it.
document.documentElement.classList.add("js");
document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
  select.addEventListener("change", () => select.form.submit());
});
// Destructive actions ask first: a form with data-confirm submits only once confirmed.
document.querySelectorAll("form[data-confirm]").forEach((form) => {
  form.addEventListener("submit", (event) => {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
});
// The header's menu on phones: the button shows and hides the rest of the header (the CSS reads
// its aria-expanded); Escape closes it and puts the focus back on the button.
document.querySelectorAll("[data-menu-toggle]").forEach((button) => {
  const open = () => button.getAttribute("aria-expanded") === "true";
  const show = (shown) => button.setAttribute("aria-expanded", String(shown));
  button.addEventListener("click", () => show(!open()));
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || !open() || !button.getClientRects().length) return;
    show(false);
    button.focus();
  });
});
