/* In-page dialogs for actions that ask once (close a case, reopen it): a button with
   data-dialog="<id>" opens the <dialog> of that id as a modal. Focus goes into it (its first
   field), Escape or Cancel closes it and gives focus back to the button, and its form submits
   once (the submit button is disabled while the page goes). */
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("[data-dialog]"), function (opener) {
    var dialog = document.getElementById(opener.getAttribute("data-dialog"));
    if (!dialog || typeof dialog.showModal !== "function") { return; }
    opener.addEventListener("click", function () {
      dialog.showModal();
      var first = dialog.querySelector("[autofocus], input:not([type=hidden]), textarea, select");
      if (first) { first.focus(); }
    });
    dialog.addEventListener("close", function () { opener.focus(); });
    Array.prototype.forEach.call(dialog.querySelectorAll("[data-dialog-cancel]"), function (cancel) {
      cancel.addEventListener("click", function () { dialog.close(); });
    });
    var form = dialog.querySelector("form");
    if (form) {
      form.addEventListener("submit", function () {
        Array.prototype.forEach.call(form.querySelectorAll("button[type=submit]"), function (b) {
          b.disabled = true;   // one submit: a second press sends nothing
        });
      });
    }
  });
  // A refused reopening comes back with what was typed: its dialog opens again, nothing lost.
  var again = document.querySelector("dialog[data-open-on-load]");
  if (again && typeof again.showModal === "function") { again.showModal(); }
})();
