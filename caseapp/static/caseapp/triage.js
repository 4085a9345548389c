/* The triage page: one key per decision, the hit's work and sighting side by side or
   overlaid (fade, flicker), selections, undo. Decisions go to the server with fetch; each
   answer carries the page's numbers as they are now (tabs, the selection's total, the last
   decision), put in place without a reload. The page reloads only when its hits are all
   decided, a rule changed many of them, or an undo brought back hits it does not list.
   keys.js reads window.caTriage.keys for the legend and the key handling. */
(function () {
  "use strict";
  var page = document.getElementById("triage");
  if (!page) { return; }
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr.ca-hit"));
  var at = -1;
  var canDecide = page.getAttribute("data-can-decide") === "1";
  var expect = page.getAttribute("data-expect");
  var lastDecision = null;
  var pending = null;             // a confirmation waiting for Enter
  var modes = ["side", "fade", "flicker"];
  var mode = 0;
  var flicker = null;
  // The words the script says, in the person's language (triage.html's #triage-words); English
  // when the block is missing. %(name)s stands for a value, put in by fill().
  var T = {
    legal: "Legal (licensed)", illegal: "Illegal", whitelisted: "Whitelisted", no_match: "No match", "new": "To decide",
    unknown: "unknown", generic_domain: "(a generic domain: find the site owner's address)",
    cluster_sighting: "this picture matches %(num)s works", cluster_site: "this work on %(num)s pages of %(site)s",
    single: "a single hit", feasible: "feasible", not_feasible: "not feasible", claim: "claim %(amount)s",
    expected: "expected value %(value)s", mode_side: "side by side · O overlays",
    mode_fade: "faded onto the work · O flickers", mode_flicker: "flickering on the work · O side by side",
    server_answered: "The server answered %(status)s. Reload the page and try again.",
    unreachable: "The server cannot be reached. Nothing was changed; try again.", open_cases: "Open %(refs)s.",
    whitelist_one: "Whitelist %(site)s for %(client)s: %(count)s hit to decide on it becomes whitelisted, and no new hits are made on it for this client.",
    whitelist_many: "Whitelist %(site)s for %(client)s: %(count)s hits to decide on it become whitelisted, and no new hits are made on it for this client.",
    whitelist: "Whitelist", cancel: "Cancel",
    nothing_to_undo: "Nothing to undo: you have made no decision on this page.",
    key_next: "next hit", key_previous: "previous hit", key_overlay: "overlay: side by side, faded, flickering",
    key_site: "select by site", key_select: "select or unselect this hit",
    key_page: "select every hit on this page (again: none)",
    key_legal: "legal: licensed (this hit, or the selected ones)", key_illegal: "illegal: goes into a draft case",
    key_whitelist: "whitelist this site for the client (asks first)", key_no_match: "no match",
    key_undo: "undo your last decision", key_confirm: "confirm (when asked)", key_cancel: "cancel (when asked)"
  };
  try {
    var given = JSON.parse(document.getElementById("triage-words").textContent);
    Object.keys(given).forEach(function (k) { T[k] = given[k]; });
  } catch (e) { /* no words block: English */ }
  function fill(words, values) {
    return words.replace(/%\((\w+)\)s/g, function (all, name) { return values[name] !== undefined ? values[name] : all; });
  }
  var WORDS = {legal: T.legal, illegal: T.illegal, whitelisted: T.whitelisted, no_match: T.no_match, "new": T["new"]};

  function $(id) { return document.getElementById(id); }
  function current() { return at >= 0 ? rows[at] : null; }
  function text(el, value) { if (el) { el.textContent = value; } }

  function say(message, bad, html) {
    var box = $("triage-status");
    if (!box) { return; }
    box.className = "ca-toast " + (bad ? "bad" : "good");
    if (html) { box.innerHTML = html; } else { box.textContent = message; }
  }
  function sayAfterReload(message) {
    try { sessionStorage.setItem("caTriageSay", message); } catch (e) { /* private mode: no message */ }
    window.location.reload();
  }
  try {
    var carried = sessionStorage.getItem("caTriageSay");
    if (carried) { sessionStorage.removeItem("caTriageSay"); say(carried, false); }
  } catch (e) { /* ignore */ }

  function chip(status) {
    return '<span class="verdict verdict-' + status + '">' + (WORDS[status] || status) + "</span>";
  }
  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }
  function caseLink(ref) {
    var url = rows.length ? rows[0].getAttribute("data-case-url").replace("REF", encodeURIComponent(ref)) : "#";
    return '<a class="ca-caselink" href="' + url + '">' + escapeHtml(ref) + "</a>";
  }

  function show(i, still) {
    if (!rows.length) { return; }
    at = Math.max(0, Math.min(rows.length - 1, i));
    rows.forEach(function (r, n) {
      r.classList.toggle("selected", n === at);
      r.setAttribute("aria-selected", n === at ? "true" : "false");
    });
    var r = rows[at];
    var d = function (k) { return r.getAttribute("data-" + k); };
    ["work-img", "ov-work"].forEach(function (id) { $(id).src = d("work-img"); });
    ["sight-img", "ov-sight"].forEach(function (id) { $(id).src = d("sight-img"); });
    var link = $("f-page");
    link.href = d("page");
    text(link, d("page"));
    text($("f-site"), d("site"));
    text($("f-country"), d("country") === "ZZ" ? T.unknown : d("country"));
    text($("f-country-from"), d("country") === "ZZ" ? T.generic_domain
                                                    : "(" + d("country-from") + ")");
    text($("f-work"), d("work") + " · " + d("client-name"));
    text($("f-score"), d("score"));
    text($("f-how"), d("how"));
    text($("f-found"), d("found"));
    var cluster = [];
    if (+d("cluster-sighting") > 1) {
      cluster.push('<a href="' + d("sighting-url") + '">' + escapeHtml(fill(T.cluster_sighting, {num: d("cluster-sighting")})) + "</a>");
    }
    if (+d("cluster-site") > 1) {
      cluster.push('<a href="' + d("site-url") + '">' + escapeHtml(fill(T.cluster_site, {num: d("cluster-site"), site: d("site")})) + "</a>");
    }
    $("f-cluster").innerHTML = cluster.length ? cluster.join(" · ") : '<span class="muted">' + escapeHtml(T.single) + "</span>";
    var feasible = d("feasible") === "yes";
    $("f-feasible").innerHTML = '<span class="verdict verdict-' + (feasible ? "legal" : "illegal") + '">' +
      escapeHtml(feasible ? T.feasible : T.not_feasible) + "</span> · " + escapeHtml(d("route")) +
      (d("amount") ? " · " + escapeHtml(fill(T.claim, {amount: d("amount")})) + " · " +
        fill(escapeHtml(T.expected), {value: "<b>" + escapeHtml(d("expected")) + "</b>"}) : "") +
      (d("why") ? '<br><span class="muted">' + escapeHtml(d("why")) + "</span>" : "");
    $("f-verdict").innerHTML = r.querySelector(".ca-verdict").innerHTML;
    placeSighting();
    // moving brings the row into view; opening the page does not (stacked, the hit is above)
    if (!still) { r.scrollIntoView({block: "nearest"}); }
  }

  // The sighting laid on the work where the engine found it: its homography (sighting 0..1 ->
  // work 0..1) scaled to the overlay's box and given to CSS as a 3D matrix. Without one the
  // sighting is stretched over the work's frame.
  function placeSighting() {
    var top = $("ov-sight");
    var r = current();
    var raw = r ? r.getAttribute("data-transform") : "";
    var t = null;
    try { t = raw ? JSON.parse(raw) : null; } catch (e) { t = null; }
    if (!t || t.length !== 9 || modes[mode] === "side") { top.style.transform = ""; return; }
    var box = $("ov-work");
    var W = box.clientWidth || 1, Hb = box.clientHeight || 1;
    var a = t[0], b = t[1], c = t[2], d = t[3], e = t[4], f = t[5], g = t[6], h = t[7], i = t[8];
    var m = [a, d * Hb / W, 0, g / W,
             b * W / Hb, e, 0, h / Hb,
             0, 0, 1, 0,
             c * W, f * Hb, 0, i];
    top.style.transform = "matrix3d(" + m.join(",") + ")";
  }

  function setMode(n) {
    mode = n % modes.length;
    var pair = $("pair");
    pair.className = "ca-pair mode-" + modes[mode];
    $("fade-control").hidden = modes[mode] !== "fade";
    if (flicker) { clearInterval(flicker); flicker = null; }
    var top = $("ov-sight");
    if (modes[mode] === "fade") { top.style.opacity = $("fade").value / 100; }
    if (modes[mode] === "flicker") {
      var on = true;
      top.style.opacity = 1;
      flicker = setInterval(function () { on = !on; top.style.opacity = on ? 1 : 0; }, 450);
    }
    text($("mode-label"), {side: T.mode_side, fade: T.mode_fade, flicker: T.mode_flicker}[modes[mode]]);
    placeSighting();
  }
  window.addEventListener("resize", function () { if (rows.length) { placeSighting(); } });
  var fade = $("fade");
  if (fade) { fade.addEventListener("input", function () { $("ov-sight").style.opacity = fade.value / 100; }); }

  function post(url, data) {
    var body = new FormData();
    body.append("csrf_token", $("csrf").value);
    body.append("view", window.location.search.replace(/^\?/, ""));   // whose numbers to send back
    Object.keys(data).forEach(function (k) {
      [].concat(data[k]).forEach(function (v) { body.append(k, v); });
    });
    return fetch(url, {method: "POST", body: body, credentials: "same-origin",
                       headers: {"Accept": "application/json"}})
      .then(function (resp) {
        return resp.json().catch(function () {
          return {ok: false, error: fill(T.server_answered, {status: resp.status})};
        });
      }, function () { return {ok: false, error: T.unreachable}; });
  }

  // The numbers of the page as the server counted them after the change.
  function showNow(res) {
    if (res.counts) {
      Object.keys(res.counts.by_status).forEach(function (status) {
        document.querySelectorAll('[data-count="' + status + '"]').forEach(function (el) {
          el.textContent = res.counts.by_status[status];
        });
      });
      document.querySelectorAll('[data-count="total"]').forEach(function (el) { el.textContent = res.counts.total; });
    }
    if (res.last !== undefined) {
      lastDecision = res.last ? res.last.id : null;
      var box = $("last-decision");
      if (box) {
        box.hidden = !res.last;
        box.querySelector("input[name=decision]").value = res.last ? res.last.id : "";
        text($("last-words"), res.last ? res.last.words : "");
      }
    }
  }

  function checked() { return rows.filter(function (r) { return r.querySelector(".ca-check").checked; }); }

  function nextOpen() {
    for (var n = 1; n <= rows.length; n++) {
      var i = (at + n) % rows.length;
      if (rows[i].getAttribute("data-status") === expect || !expect) { return i; }
    }
    return -1;
  }

  var busy = false;                // one request at a time: a key pressed twice decides once
  function decide(status) {
    if (!canDecide || busy) { return; }
    var chosen = checked();
    if (!chosen.length && current()) { chosen = [current()]; }
    if (!chosen.length) { return; }
    busy = true;
    post(page.getAttribute("data-decide-url"), {
      hit: chosen.map(function (r) { return r.getAttribute("data-id"); }), verdict: status, expect: expect
    }).then(function (res) {
      busy = false;
      if (!res.ok) { say(res.error, true); return; }
      showNow(res);                      // U undoes the last decision that changed something
      var changed = {};
      res.changed.forEach(function (id) { changed[id] = true; });
      chosen.forEach(function (r) {
        r.querySelector(".ca-check").checked = false;
        var id = r.getAttribute("data-id");
        if (!changed[id]) { return; }
        r.setAttribute("data-status", status);
        r.classList.add("decided");
        var ref = res.case_of[id];
        r.querySelector(".ca-verdict").innerHTML = chip(status) + (ref ? " " + caseLink(ref) : "");
      });
      var refs = (res.cases || []).map(caseLink).join(", ");
      say(res.message, false, escapeHtml(res.message) + (refs ? " " + fill(escapeHtml(T.open_cases), {refs: refs}) : ""));
      var next = nextOpen();
      if (next < 0 || (expect && rows[next].getAttribute("data-status") !== expect)) {
        sayAfterReload(res.message);    // the page is done: the next hits to decide
        return;
      }
      show(next);
    });
  }

  function whitelist() {
    var r = current();
    if (!canDecide || !r) { return; }
    var site = r.getAttribute("data-site");
    var client = r.getAttribute("data-client");
    var url = page.getAttribute("data-preview-url") + "?site=" + encodeURIComponent(site) + "&client=" + client;
    fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (resp) { return resp.json(); })
      .then(function (res) {
        if (!res.ok) { say(res.error, true); return; }
        var box = $("confirm");
        box.innerHTML = fill(escapeHtml(res.count === 1 ? T.whitelist_one : T.whitelist_many), {
          site: "<b>" + escapeHtml(res.site) + "</b>", client: escapeHtml(r.getAttribute("data-client-name")),
          count: "<b>" + res.count + "</b>"}) + " " +
          '<button type="button" class="btn btn-primary" id="confirm-yes">' + escapeHtml(T.whitelist) + ' <kbd>Enter</kbd></button> ' +
          '<button type="button" class="btn btn-link" id="confirm-no">' + escapeHtml(T.cancel) + ' <kbd>Esc</kbd></button>';
        box.hidden = false;
        pending = function () {
          post(page.getAttribute("data-whitelist-url"), {site: res.site, client: client}).then(function (done) {
            if (!done.ok) { say(done.error, true); return; }
            sayAfterReload(done.message);
          });
        };
        $("confirm-yes").addEventListener("click", confirm);
        $("confirm-no").addEventListener("click", function () { cancel(); });
        $("confirm-yes").focus();
      });
  }
  function confirm() {
    if (!pending) { return false; }
    var go = pending;
    cancel();
    go();
  }
  function cancel() {
    if (!pending) { return false; }
    pending = null;
    var box = $("confirm");
    box.hidden = true;
    box.innerHTML = "";
  }

  function undo() {
    if (!canDecide || busy) { return; }
    var shown = document.querySelector("#last-decision input[name=decision]");
    var decision = lastDecision || (shown && shown.value);   // the one named: never "whatever was last"
    if (!decision) { say(T.nothing_to_undo, true); return; }
    busy = true;
    post(page.getAttribute("data-undo-url"), {decision: decision}).then(function (res) {
      busy = false;
      if (!res.ok) { say(res.error, true); return; }
      var restored = res.restored || {};
      var ids = Object.keys(restored);
      var byId = {};
      rows.forEach(function (r, n) { byId[r.getAttribute("data-id")] = n; });
      if (ids.some(function (id) { return byId[id] === undefined; })) {
        sayAfterReload(res.message);     // hits this page does not list came back: show them
        return;
      }
      showNow(res);
      ids.forEach(function (id) {
        var r = rows[byId[id]];
        r.setAttribute("data-status", restored[id]);
        r.classList.remove("decided");
        r.querySelector(".ca-verdict").innerHTML = chip(restored[id]);
      });
      say(res.message, false);
      if (ids.length) { show(byId[ids[0]]); }
    });
  }

  function toggleCheck() {
    var r = current();
    if (r) { var box = r.querySelector(".ca-check"); box.checked = !box.checked; }
  }
  function checkAll() {
    var all = checked().length < rows.length;
    rows.forEach(function (r) { r.querySelector(".ca-check").checked = all; });
    var head = $("check-all");
    if (head) { head.checked = all; }
  }
  var head = $("check-all");
  if (head) { head.addEventListener("change", function () {
    rows.forEach(function (r) { r.querySelector(".ca-check").checked = head.checked; });
  }); }

  rows.forEach(function (r, n) {
    r.addEventListener("click", function (e) {
      if (e.target.tagName !== "INPUT" && e.target.tagName !== "A") { show(n); }
    });
  });
  document.querySelectorAll("[data-decide]").forEach(function (b) {
    b.addEventListener("click", function () { decide(b.getAttribute("data-decide")); });
  });
  document.querySelectorAll("[data-whitelist]").forEach(function (b) { b.addEventListener("click", whitelist); });

  var keys = {
    "j": [T.key_next, function () { show(at + 1); }],
    "k": [T.key_previous, function () { show(at - 1); }],
    "o": [T.key_overlay, function () { setMode(mode + 1); }],
    "/": [T.key_site, function () { var f = $("f-site-filter"); if (f) { f.focus(); } }]
  };
  if (canDecide) {                 // the keys of what the person's role may do, and only those
    keys.x = [T.key_select, toggleCheck];
    keys.a = [T.key_page, checkAll];
    keys.l = [T.key_legal, function () { decide("legal"); }];
    keys.i = [T.key_illegal, function () { decide("illegal"); }];
    keys.w = [T.key_whitelist, whitelist];
    keys.n = [T.key_no_match, function () { decide("no_match"); }];
    keys.u = [T.key_undo, undo];
    keys.Enter = [T.key_confirm, confirm];
    keys.Escape = [T.key_cancel, cancel];
  }
  window.caTriage = {keys: keys};

  var start = 0;
  if (window.location.hash.indexOf("#hit-") === 0) {
    rows.forEach(function (r, n) { if ("#hit-" + r.getAttribute("data-id") === window.location.hash) { start = n; } });
  }
  show(start, start === 0);
})();
