/* The progress of a background job (templates/caseapp/_job.html): polls the section's
   data-job-url (/jobs/<id>, JSON) until the job is done or failed, showing done of total, the
   job's message, and at the end its outcome (a link when the result has a "url"). Polls every
   second for a minute, then every five. No inline script (CSP). */
(function () {
  "use strict";

  function fill(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_m, key) { return values[key] === undefined ? "" : values[key]; });
  }

  function setup(section) {
    if (section.dataset.ready) { return; }
    section.dataset.ready = "1";
    var url = section.dataset.jobUrl;
    var bar = section.querySelector("progress");
    var state = section.querySelector(".ca-job-state");
    var count = section.querySelector(".ca-job-count");
    var message = section.querySelector(".ca-job-message");
    var link = section.querySelector(".ca-job-link");
    var T = {queued: "Waiting for a worker…", running: "Working…", done: "Done.", failed: "Failed:",
             progress: "%(done)s of %(total)s", open: "Open the result",
             lost: "The job's state could not be read (%(status)s); reload the page."};
    try {
      var given = JSON.parse(section.querySelector(".ca-job-words").textContent);
      Object.keys(given).forEach(function (k) { T[k] = given[k]; });
    } catch (e) { /* no words block: English */ }
    var polls = 0;

    function show(job) {
      section.dataset.state = job.state;
      state.textContent = T[job.state] || job.state;
      if (job.total) {
        bar.max = job.total;
        bar.value = Math.min(job.done, job.total);
        count.textContent = fill(T.progress, {done: job.done, total: job.total});
      } else if (job.state === "done") {
        bar.max = 1; bar.value = 1; count.textContent = "";
      } else {
        bar.removeAttribute("value");   // indeterminate: no total known yet
      }
      message.textContent = job.message || "";
      if (job.state === "done" && job.result && section.dataset.doneWords) {
        count.textContent = "";                                               // the counts below say it
        message.textContent = fill(section.dataset.doneWords, job.result);   // e.g. the import's counts
      }
      if (job.state === "done" && job.result && job.result.url) {
        link.href = job.result.url;
        link.textContent = T.open;
        link.hidden = false;
      }
    }

    function poll() {
      polls += 1;
      fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (answer) {
          if (!answer.ok) { throw new Error(String(answer.status)); }
          return answer.json();
        })
        .then(function (job) {
          show(job);
          if (job.state !== "done" && job.state !== "failed") {
            setTimeout(poll, polls < 60 ? 1000 : 5000);
          }
        })
        .catch(function (error) {
          section.dataset.state = "lost";
          state.textContent = fill(T.lost, {status: error.message});
        });
    }
    poll();
  }

  function start() { document.querySelectorAll(".ca-job[data-job-url]").forEach(setup); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
