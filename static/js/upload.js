// Resumable movie upload (tus 1.0.0) for the upload page: plain JS, no dependencies.
// Chunks go up one at a time; after a dropped connection or a server error the client asks the
// server where it stands (HEAD) and continues from there, so nothing is sent twice.
(() => {
  "use strict";

  const form = document.getElementById("upload-form");
  if (!form) return;

  const TUS_VERSION = "1.0.0";
  const DELAYS = [1000, 2000, 4000, 8000, 15000, 30000, 30000, 30000];
  const text = JSON.parse(document.getElementById("upload-text").textContent);
  const byId = (id) => document.getElementById(id);
  const ui = {
    file: byId("movie-file"),
    title: byId("movie-title"),
    language: byId("movie-language"),
    target: byId("recap-target"),
    targetHelp: byId("recap-target-help"),
    subtitle: byId("subtitle-file"),
    subtitleLanguage: byId("subtitle-language"),
    progress: byId("upload-progress"),
    progressText: byId("upload-progress-text"),
    status: byId("upload-status"),
    error: byId("upload-error"),
    start: byId("upload-start"),
    pause: byId("upload-pause"),
    resume: byId("upload-resume"),
    recap: byId("recap-form"),
  };
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const locale = document.documentElement.lang || undefined;
  const state = { file: null, url: null, offset: 0, movieId: null, subtitlesSent: false,
    paused: false, xhr: null, cancelWait: null, attempt: 0 };

  class Aborted extends Error {}
  class Retryable extends Error {}
  class Refused extends Error {}

  // ---- small helpers -------------------------------------------------------------------
  const fill = (template, values) =>
    template.replace(/\{(\w+)\}/g, (mark, key) => (key in values ? String(values[key]) : mark));

  function size(bytes) {
    const units = [["gigabyte", 1e9], ["megabyte", 1e6], ["kilobyte", 1e3]];
    for (const [unit, scale] of units) {
      if (bytes >= scale) {
        return new Intl.NumberFormat(locale, { style: "unit", unit, maximumFractionDigits: 1 })
          .format(bytes / scale);
      }
    }
    return new Intl.NumberFormat(locale, { style: "unit", unit: "byte" }).format(bytes);
  }

  function showProgress(sent) {
    const total = state.file ? state.file.size : 0;
    const percent = total ? Math.min(100, Math.floor((sent / total) * 100)) : 0;
    ui.progress.value = percent;
    ui.progressText.textContent = fill(text.progress, {
      percent: new Intl.NumberFormat(locale).format(percent),
      sent: size(sent),
      total: size(total),
    });
  }

  const setStatus = (message) => { ui.status.textContent = message || ""; };
  // Refusals may carry an address (the plan's upgrade page): it becomes a link.
  function showError(message) {
    ui.error.replaceChildren();
    for (const part of (message || "").split(/(https?:\/\/[^\s]+[^\s.,;:!?)])/)) {
      if (/^https?:\/\//.test(part)) {
        const link = document.createElement("a");
        link.href = part;
        link.textContent = part;
        ui.error.append(link);
      } else if (part) {
        ui.error.append(part);
      }
    }
    ui.error.hidden = !message;
  }

  // The running time from the file's own metadata, read by the browser before any byte is
  // sent (null when it cannot tell: the server's probe decides after the upload then).
  function readDuration(file) {
    return new Promise((resolve) => {
      const video = document.createElement("video");
      const url = URL.createObjectURL(file);
      let settled = false;
      const done = (value) => {
        if (settled) return;
        settled = true;
        URL.revokeObjectURL(url);
        video.removeAttribute("src");
        resolve(value);
      };
      video.preload = "metadata";
      video.onloadedmetadata = () =>
        done(Number.isFinite(video.duration) && video.duration > 0 ? video.duration : null);
      video.onerror = () => done(null);
      setTimeout(() => done(null), 5000);
      video.src = url;
    });
  }

  // One reading per chosen file: the length check and the upload's metadata share it.
  const durations = new WeakMap();
  function durationOf(file) {
    if (!durations.has(file)) durations.set(file, readDuration(file));
    return durations.get(file);
  }

  // A running time as the server writes it (web.formats.clock): m:ss, h:mm:ss from an hour on.
  function clock(seconds) {
    const whole = Math.max(0, Math.round(seconds));
    const hours = Math.floor(whole / 3600);
    const minutes = Math.floor((whole % 3600) / 60);
    const secs = String(whole % 60).padStart(2, "0");
    return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${secs}` : `${minutes}:${secs}`;
  }

  // The server refuses a fixed length as long as the movie or longer
  // (pipeline.select.longer_than_movie): those options are not offered once the running time is
  // known. Unknown (null): every length is offered and the server decides after the upload.
  function limitLengths(seconds) {
    let limited = false;
    for (const option of ui.target.options) {
      const length = Number(option.value);
      option.disabled = Boolean(seconds) && Number.isFinite(length) && length >= seconds;
      limited = limited || option.disabled;
    }
    const chosen = ui.target.selectedOptions[0];
    if (chosen && chosen.disabled) ui.target.value = "auto";
    ui.targetHelp.textContent = limited ? fill(text.lengths_limited, { duration: clock(seconds) }) : "";
  }

  function buttons(mode) {
    // mode: "idle" | "running" | "paused" | "continue"
    const focused = document.activeElement;
    ui.start.hidden = mode === "running" || mode === "paused";
    ui.start.textContent = mode === "continue" ? text.continue : ui.start.dataset.label;
    ui.pause.hidden = mode !== "running";
    ui.resume.hidden = mode !== "paused";
    // Keep keyboard focus on the button that replaced the one just pressed.
    if (focused && focused.hidden) {
      const next = [ui.pause, ui.resume, ui.start].find((button) => !button.hidden);
      if (next) next.focus();
    }
    for (const input of [ui.file, ui.title, ui.language]) input.disabled = mode !== "idle";
  }

  const storageKey = (file) =>
    `recap-upload:${form.dataset.endpoint}:${file.name}:${file.size}:${file.lastModified}`;
  function remember(file, url) {
    try { localStorage.setItem(storageKey(file), url); } catch (err) { /* private mode */ }
  }
  function forget(file) {
    try { localStorage.removeItem(storageKey(file)); } catch (err) { /* private mode */ }
  }
  function recall(file) {
    try { return localStorage.getItem(storageKey(file)); } catch (err) { return null; }
  }

  function base64(value) {
    let binary = "";
    for (const byte of new TextEncoder().encode(value)) binary += String.fromCharCode(byte);
    return btoa(binary);
  }

  function errorOf(xhr) {
    try { return JSON.parse(xhr.responseText).error || text.failed; } catch (err) { return text.failed; }
  }

  const urlFor = (template, id) => template.replace(form.dataset.placeholder, String(id));

  function wait(ms) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { state.cancelWait = null; resolve(); }, ms);
      state.cancelWait = () => { clearTimeout(timer); state.cancelWait = null; reject(new Aborted()); };
    });
  }

  // ---- tus requests ------------------------------------------------------------------------
  function send(method, url, { headers = {}, body = null, onProgress = null } = {}) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      state.xhr = xhr;
      xhr.open(method, url);
      xhr.setRequestHeader("Tus-Resumable", TUS_VERSION);
      xhr.setRequestHeader("X-CSRFToken", csrf);
      for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
      if (onProgress) xhr.upload.onprogress = (event) => onProgress(event.loaded);
      xhr.onload = () => { state.xhr = null; resolve(xhr); };
      xhr.onerror = () => { state.xhr = null; reject(new Retryable()); };
      xhr.ontimeout = xhr.onerror;
      xhr.onabort = () => { state.xhr = null; reject(new Aborted()); };
      xhr.send(body);
    });
  }

  async function create(file) {
    const pairs = [
      ["filename", file.name],
      ["title", ui.title.value.trim() || file.name],
      ["language", ui.language.value],
      ["kind", "movie"],
    ];
    const seconds = await durationOf(file);
    if (seconds) pairs.push(["duration", seconds.toFixed(3)]);
    const metadata = pairs.map(([key, value]) => `${key} ${base64(value)}`).join(",");
    const xhr = await send("POST", form.dataset.endpoint, {
      headers: { "Upload-Length": String(file.size), "Upload-Metadata": metadata },
    });
    if (xhr.status >= 500) throw new Retryable();
    if (xhr.status !== 201) throw new Refused(errorOf(xhr));
    state.url = xhr.getResponseHeader("Location");
    state.offset = 0;
    remember(file, state.url);
  }

  async function learnOffset() {
    const xhr = await send("HEAD", state.url);
    if (xhr.status >= 500) throw new Retryable();
    if (xhr.status !== 200) {
      forget(state.file);
      // A HEAD answer has no body: say something general.
      throw new Refused(text.failed);
    }
    state.offset = Number(xhr.getResponseHeader("Upload-Offset"));
    state.movieId = xhr.getResponseHeader("Movie-Id") || state.movieId;
    showProgress(state.offset);
  }

  async function sendChunk() {
    const file = state.file;
    const start = state.offset;
    const end = Math.min(start + (Number(form.dataset.chunkSize) || 8 * 1024 * 1024), file.size);
    const xhr = await send("PATCH", state.url, {
      headers: { "Content-Type": "application/offset+octet-stream", "Upload-Offset": String(start) },
      body: file.slice(start, end),
      onProgress: (loaded) => {
        showProgress(start + loaded);
        if (start + loaded >= file.size) setStatus(text.checking);
      },
    });
    if (xhr.status === 204) {
      state.offset = Number(xhr.getResponseHeader("Upload-Offset"));
      state.movieId = xhr.getResponseHeader("Movie-Id") || state.movieId;
      showProgress(state.offset);
      return;
    }
    // 409: another tab or an earlier attempt moved the offset; ask the server where it is.
    if (xhr.status >= 500 || xhr.status === 409) throw new Retryable();
    forget(file);
    throw new Refused(errorOf(xhr));
  }

  async function sendAll(needOffset) {
    let checkFirst = needOffset;
    while (!state.movieId) {
      if (state.paused) throw new Aborted();
      try {
        if (checkFirst) {
          await learnOffset();
          checkFirst = false;
          setStatus(text.uploading);
          continue;
        }
        await sendChunk();
        state.attempt = 0;
      } catch (err) {
        if (!(err instanceof Retryable)) throw err;
        if (state.attempt >= DELAYS.length) throw new Refused(text.failed);
        const delay = DELAYS[state.attempt];
        state.attempt += 1;
        setStatus(fill(text.retrying, { seconds: Math.round(delay / 1000) }));
        await wait(delay);
        checkFirst = true;
      }
    }
  }

  // ---- after the movie: subtitles, then the recap ---------------------------------------------
  async function finish() {
    ui.pause.hidden = true; // the movie is up: nothing left to pause
    const subtitle = ui.subtitle.files[0];
    if (subtitle && !state.subtitlesSent) {
      setStatus(text.subtitles);
      const body = new FormData();
      body.append("file", subtitle);
      body.append("language", ui.subtitleLanguage.value);
      let response;
      try {
        response = await fetch(urlFor(form.dataset.subtitlesUrl, state.movieId), {
          method: "POST", body, headers: { "X-CSRFToken": csrf }, credentials: "same-origin",
        });
      } catch (err) {
        throw new Refused(text.failed);
      }
      if (!response.ok) {
        let message = text.failed;
        try { message = (await response.json()).error || message; } catch (err) { /* keep it */ }
        throw new Refused(`${message} ${text.subtitles_refused}`);
      }
      state.subtitlesSent = true;
    }
    setStatus(text.starting);
    ui.recap.action = urlFor(form.dataset.recapUrl, state.movieId);
    ui.recap.elements.target.value = ui.target.value;
    ui.recap.elements.language.value = ui.language.value;
    ui.recap.submit();
  }

  async function run(resuming) {
    buttons("running");
    showError("");
    try {
      if (!resuming && !state.url) {
        const saved = recall(state.file);
        if (saved) {
          state.url = saved;
          try {
            await learnOffset();
            setStatus(text.resuming);
          } catch (err) {
            if (!(err instanceof Refused)) throw err;
            state.url = null; // gone on the server: start afresh
          }
        }
        if (!state.url) {
          setStatus(text.preparing);
          await create(state.file);
        }
        setStatus(state.offset ? text.resuming : text.uploading);
      }
      await sendAll(resuming);
      forget(state.file);
      await finish();
    } catch (err) {
      if (err instanceof Aborted && state.paused) {
        setStatus(text.paused);
        buttons("paused");
        return;
      }
      showError(err instanceof Refused ? err.message : text.failed);
      setStatus("");
      if (state.movieId) {
        buttons("continue");
        return;
      }
      if (!(err instanceof Retryable)) state.url = null;
      buttons("idle");
    }
  }

  // ---- wiring ----------------------------------------------------------------------------------
  ui.start.dataset.label = ui.start.textContent;
  ui.file.addEventListener("change", () => {
    const file = ui.file.files[0];
    if (file && !ui.title.value.trim()) ui.title.value = file.name.replace(/\.[^.]+$/, "");
    state.url = null;
    state.offset = 0;
    showError("");
    if (file) { state.file = file; showProgress(0); }
    limitLengths(null);
    if (file) {
      durationOf(file).then((seconds) => {
        if (ui.file.files[0] === file) limitLengths(seconds);
      });
    }
  });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (state.movieId) {
      buttons("running");
      showError("");
      finish().catch((err) => {
        showError(err instanceof Refused ? err.message : text.failed);
        setStatus("");
        buttons("continue");
      });
      return;
    }
    const file = ui.file.files[0];
    if (!file) {
      showError(text.choose_file);
      ui.file.focus();
      return;
    }
    state.file = file;
    state.paused = false;
    state.attempt = 0;
    run(false);
  });

  ui.pause.addEventListener("click", () => {
    state.paused = true;
    if (state.xhr) state.xhr.abort();
    if (state.cancelWait) state.cancelWait();
  });

  ui.resume.addEventListener("click", () => {
    state.paused = false;
    state.attempt = 0;
    // Paused before the server knew the upload: open it now; otherwise ask where it stands.
    run(Boolean(state.url));
  });
})();
