// The portal's enhancements; every page works without them. Behaviour is bound by data-* attributes only (the
// CSP allows no inline script): data-focus-on-load moves focus to the error summary after a failed submit, and
// data-confirm-name keeps a type-to-confirm form's submit button disabled until the name is typed.
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector("[data-focus-on-load]");
  if (summary) {
    summary.focus();
  }
  document.querySelectorAll("form[data-confirm-name]").forEach(function (form) {
    var expected = form.getAttribute("data-confirm-name");
    var input = form.querySelector("input[name=confirm_name]");
    var button = form.querySelector("button[type=submit]");
    if (!input || !button) {
      return;
    }
    var update = function () {
      button.disabled = input.value.trim() !== expected;
    };
    input.addEventListener("input", update);
    update();
  });
});
