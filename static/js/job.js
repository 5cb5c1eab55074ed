// Live progress of a recap job: polls its status and updates the page in place.
(() => {
  const box = document.getElementById("job");
  if (!box) return;
  const $ = (sel) => box.querySelector(sel);
  const render = (job) => {
    $("[data-job-state]").textContent = job.state_label;
    $("[data-job-percent]").textContent = job.percent;
    $("[data-job-progress]").value = job.percent;
    const failure = $("[data-job-failure]");
    failure.textContent = job.failure;
    failure.hidden = !job.failure;
    const recap = $("[data-job-recap]");
    if (job.recap_url) recap.querySelector("a").href = job.recap_url;
    recap.hidden = !job.recap_url;
    $("[data-job-cancel]").hidden = !job.active;
    $("[data-job-retry]").hidden = job.active || job.state === "done";
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
