// Chapter list: click to seek the recap player.
(() => {
  const video = document.getElementById("recap-video");
  if (!video) return;
  document.querySelectorAll("[data-seek]").forEach((button) => {
    button.addEventListener("click", () => {
      video.currentTime = parseFloat(button.dataset.seek);
      video.play().catch(() => {});
      video.focus();
    });
  });
})();
