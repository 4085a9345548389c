/* Drop zone of clients/_upload.html: files go to the upload endpoint in batches that fit the
   request limit (each a multipart POST with the CSRF token); each file's row is shown as it
   comes back: imported, duplicate of a work, or error with its reason. No inline script (CSP). */
(function () {
  "use strict";
  var OVERHEAD = 64 * 1024;          // multipart headers and the token, per request
  var MAX_FILES = 20;                // files per request: progress moves, one failure costs little

  function setup(section) {
    if (section.dataset.ready) { return; }
    section.dataset.ready = "1";
    var url = section.dataset.uploadUrl;
    var limit = parseInt(section.dataset.maxBytes, 10) - OVERHEAD;
    var input = section.querySelector(".ca-upload-input");
    var zone = section.querySelector(".ca-dropzone");
    var bar = section.querySelector("progress");
    var count = section.querySelector(".ca-upload-count");
    var list = section.querySelector(".ca-upload-status");
    var token = section.querySelector(".ca-upload-csrf").value;
    var queue = [], done = 0, total = 0, busy = false;
    // The words, in the person's language (the .ca-upload-words block of _upload.html); English without it.
    var T = {imported: "imported", duplicate: "duplicate", error: "error", work: "work %(id)s",
             duplicate_of: "duplicate of work %(id)s (%(title)s), not added", progress: "%(done)s of %(total)s files",
             server_answered: "the server answered %(status)s", not_uploaded: "not uploaded",
             connection_failed: "the connection failed; try again",
             too_large: "larger than %(size)s MB, the most one upload takes; import it with `caseapp works import` instead"};
    try {
      var given = JSON.parse(section.querySelector(".ca-upload-words").textContent);
      Object.keys(given).forEach(function (k) { T[k] = given[k]; });
    } catch (e) { /* no words block: English */ }
    function fill(words, values) {
      return words.replace(/%\((\w+)\)s/g, function (all, name) { return values[name] !== undefined ? values[name] : all; });
    }

    function show(file, status, text) {
      var item = document.createElement("li");
      item.className = "ca-upload-" + status;
      var chip = document.createElement("b");
      chip.textContent = status === "imported" ? T.imported : status === "duplicate" ? T.duplicate : T.error;
      item.appendChild(chip);
      item.appendChild(document.createTextNode(" " + file + (text ? ": " + text : "")));
      list.appendChild(item);
    }

    function row(r) {
      if (r.status === "imported") { show(r.file, "imported", fill(T.work, {id: r.work})); }
      else if (r.status === "duplicate") {
        show(r.file, "duplicate", fill(T.duplicate_of, {id: r.duplicate_of, title: r.duplicate_title}));
      } else { show(r.file, "error", r.error); }
    }

    function progress() {
      bar.max = total || 1; bar.value = done;
      count.textContent = fill(T.progress, {done: done, total: total});
    }

    function nextBatch() {
      var batch = [], size = 0;
      while (queue.length && batch.length < MAX_FILES && (batch.length === 0 || size + queue[0].size <= limit)) {
        size += queue[0].size; batch.push(queue.shift());
      }
      return batch;
    }

    function send() {
      if (busy) { return; }
      var batch = nextBatch();
      if (!batch.length) { return; }
      busy = true;
      var body = new FormData();
      body.append("csrf_token", token);
      var keep = section.querySelector(".ca-upload-keep");
      if (keep && keep.checked) { body.append("keep_near_duplicates", "1"); }
      batch.forEach(function (f) { body.append("files", f, f.name); });
      fetch(url, {method: "POST", body: body, credentials: "same-origin",
                  headers: {"Accept": "application/json", "X-CSRFToken": token}})
        .then(function (response) {
          return response.json().catch(function () { return {ok: false, error: fill(T.server_answered, {status: response.status})}; });
        })
        .then(function (answer) {
          if (answer.rows) { answer.rows.forEach(row); }
          else { batch.forEach(function (f) { show(f.name, "error", answer.error || T.not_uploaded); }); }
        })
        .catch(function () { batch.forEach(function (f) { show(f.name, "error", T.connection_failed); }); })
        .then(function () { done += batch.length; progress(); busy = false; send(); });
    }

    function add(files) {
      section.querySelector(".ca-upload-progress").hidden = false;
      Array.prototype.forEach.call(files, function (f) {
        total += 1;
        if (f.size > limit) {
          done += 1;
          show(f.name, "error", fill(T.too_large, {size: Math.floor(limit / 1048576)}));
        } else { queue.push(f); }
      });
      progress(); send();
    }

    input.addEventListener("change", function () { add(input.files); input.value = ""; });
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (e) { e.preventDefault(); zone.classList.add("ca-drop-over"); });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function (e) { e.preventDefault(); zone.classList.remove("ca-drop-over"); });
    });
    zone.addEventListener("drop", function (e) { if (e.dataTransfer) { add(e.dataTransfer.files); } });
  }

  function init() { Array.prototype.forEach.call(document.querySelectorAll(".ca-upload"), setup); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
}());
