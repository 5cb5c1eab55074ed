// Live progress of a recap job: polls its one status endpoint and updates the page in place.
// Everything shown (state, percent, estimate, the movie's badge, which actions are offered)
// comes from the same answer, so no two parts of the page can disagree.
(() => {
  const box = document.getElementById("job");
  if (!box) return;
  const $ = (sel) => box.querySelector(sel);
  const badge = document.querySelector("[data-movie-status]");
  const start = document.querySelector("[data-start-recap]");
  const render = (job) => {
    $("[data-job-state]").textContent = job.state_label;
    $("[data-job-percent]").textContent = job.percent;
    $("[data-job-progress]").value = job.percent;
    $("[data-job-detail]").textContent = job.detail;
    $("[data-job-detail-box]").hidden = !job.detail;
    const failure = $("[data-job-failure]");
    failure.textContent = job.failure;
    failure.hidden = !job.failure;
    const recap = $("[data-job-recap]");
    if (job.recap_url) recap.querySelector("a").href = job.recap_url;
    recap.hidden = !job.recap_url;
    $("[data-job-cancel]").hidden = !job.active;
    if (badge) {
      badge.textContent = job.movie_status_label;
      badge.className = `badge status-${job.movie_status}`;
    }
    if (start) {
      start.hidden = job.active;
      start.querySelector("[data-start-new]").hidden = job.ended;
      start.querySelector("[data-start-again]").hidden = !job.ended;
    }
    if (!job.active) {
      // A message from starting the job ("on its way") would now contradict the card.
      document.querySelectorAll(".messages .message.success").forEach((item) => item.remove());
    }
  };
  const poll = async () => {
    try {
      const response = await fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" } });
      if (response.ok) {
        const job = await response.json();
        render(job);
        if (!job.active) return;
      }
    } catch (error) {
      // A dropped connection: try again on the next tick.
    }
    setTimeout(poll, 1000);
  };
  const initial = JSON.parse(document.getElementById("job-data").textContent);
  if (initial && initial.active) setTimeout(poll, 1000);
})();
