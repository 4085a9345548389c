/* Keyboard first: single keys with a visible legend; "?" shows them all. No modals. */
(function () {
  "use strict";
  var page = document.querySelector("[data-keys]");
  if (!page) { return; }
  var kind = page.getAttribute("data-keys");
  // The words this script says, in the reader's language: the page passes them as JSON
  // (<script type="application/json" id="ca-key-words">, cases/_legend.html); English without it.
  // (every page's common words in ca-key-words-common, caseapp/base.html).
  var words = {};
  ["ca-key-words-common", "ca-key-words"].forEach(function (id) {
    var block = document.getElementById(id);
    if (!block) { return; }
    try {
      var found = JSON.parse(block.textContent) || {};
      Object.keys(found).forEach(function (k) { words[k] = found[k]; });
    } catch (err) { /* English, as written below */ }
  });
  function say(key, english) { return words[key] || english; }

  var NOT_TYPED = {checkbox: 1, radio: 1, range: 1, button: 1, submit: 1, reset: 1, color: 1, file: 1};
  function typing(e) {   // keys go to the field, except on checkboxes, sliders and buttons
    var t = e.target;
    if (!t) { return false; }
    if (t.tagName === "INPUT") { return !NOT_TYPED[(t.type || "text").toLowerCase()]; }
    return t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable;
  }
  function go(href) { if (href) { window.location.href = href; } }
  function click(sel) { var el = document.querySelector(sel); if (el) { el.click(); return true; } return false; }
  function focus(sel) { var el = document.querySelector(sel); if (el) { el.focus(); return true; } return false; }

  var keys = {};
  if (kind === "queue") {
    var rows = Array.prototype.slice.call(document.querySelectorAll("tr.ca-row"));
    var at = -1;
    function select(i) {
      if (!rows.length) { return; }
      at = Math.max(0, Math.min(rows.length - 1, i));
      rows.forEach(function (r, n) { r.classList.toggle("selected", n === at); });
      rows[at].querySelector("a").focus();
    }
    rows.forEach(function (r) {
      r.addEventListener("click", function (e) { if (e.target.tagName !== "A") { go(r.getAttribute("data-href")); } });
    });
    keys = {
      "j": [say("next_case", "next case"), function () { select(at + 1); }],
      "k": [say("previous_case", "previous case"), function () { select(at - 1); }],
      "Enter": [say("open_selected", "open the selected case"), function () { if (at >= 0) { go(rows[at].getAttribute("data-href")); } }],
      "t": [say("take_next", "take the next unassigned case"), function () { click("#take-next"); }],
      "m": [say("my_cases", "my cases"), function () { click(".ca-tabs a:nth-child(1)"); }],
      "u": [say("unassigned", "unassigned cases"), function () { click(".ca-tabs a:nth-child(2)"); }],
      "o": [say("my_overdue", "my overdue cases"), function () { click(".ca-tabs a:nth-child(3)"); }],
      "/": [say("filter", "filter by country"), function () { focus("#f-country"); }],
      "n": [say("next_page", "next page"), function () { click("#next-page"); }]
    };
  } else if (kind === "case") {
    keys = {
      "n": [say("note", "write a note"), function () { focus("#note-text"); }],
      "e": [say("edit", "edit claim or due date"), function () {
        var d = document.querySelector("#edit-claim"); if (d) { d.open = true; focus("#claimed"); } }],
      "c": [say("close", "close the case (asks for the reason)"), function () { return click("#close-open"); }],
      "r": [say("reopen", "reopen the case (asks for the reason)"), function () { return click("#reopen-open"); }],
      "q": [say("back", "back to the queue"), function () { go("/queue/"); }]
    };
  } else if (kind === "triage" && window.caTriage) {
    keys = window.caTriage.keys;   // triage.js: decisions, overlay, selection, undo
  }
  keys["?"] = [say("help", "show or hide this list"), toggleHelp];
  // The page's legend lists the keys its reader may use (the permission matrix decides, on the
  // server): only those are bound, so no key does what the role may not.
  var listed = document.querySelectorAll(".ca-legend [data-key]");
  if (listed.length) {
    var allowed = {"?": 1};
    Array.prototype.forEach.call(listed, function (el) { allowed[el.getAttribute("data-key")] = 1; });
    Object.keys(keys).forEach(function (k) { if (!allowed[k]) { delete keys[k]; } });
  }

  var help = null;
  function text(s) {   // words go into the help's HTML as text
    return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }
  function toggleHelp() {
    if (help) { help.remove(); help = null; return; }
    help = document.createElement("div");
    help.className = "ca-keyhelp";
    help.setAttribute("role", "dialog");
    help.setAttribute("aria-label", say("shortcuts", "Keyboard shortcuts"));
    var rowsHtml = Object.keys(keys).map(function (k) {
      return "<tr><td><kbd>" + (k === "Enter" ? say("enter", "Enter") : k === "Escape" ? say("escape", "Esc") : k.toUpperCase()) + "</kbd></td><td>" + text(keys[k][0]) + "</td></tr>";
    }).join("");
    help.innerHTML = "<b>" + text(say("keys", "Keys")) + "</b><table>" + rowsHtml + "</table><small>" +
      text(say("esc_closes", "Esc closes")) + "</small>";
    document.body.appendChild(help);
  }

  document.addEventListener("keydown", function (e) {
    if (document.querySelector("dialog[open]")) { return; }   // a dialog has the keys (Esc closes it)
    if (e.key === "Escape" && help) { toggleHelp(); return; }
    if (e.key === "Escape" && typing(e)) { e.target.blur(); return; }   // back to the page's keys
    if (typing(e) || e.ctrlKey || e.metaKey || e.altKey) { return; }
    var key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    if (e.key === "?") { key = "?"; }
    var entry = keys[key];
    // a handler that returns false did nothing: the key keeps its usual meaning
    if (entry && entry[1](e) !== false) { e.preventDefault(); }
  });
  page.setAttribute("data-keys-ready", "1");   // the keys work from now on (tests wait for it)
})();
