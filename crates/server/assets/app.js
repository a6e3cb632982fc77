// Virtual Plant page behaviour that HTML alone cannot give. Every page works
// without it; it only makes dialogs modal and sends the anti-forgery token with
// htmx requests.
(function () {
  "use strict";

  // htmx requests carry the session's anti-forgery token as a header; forms also
  // carry it as a hidden field, for when htmx is not there.
  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) {
      event.detail.headers["X-CSRF-Token"] = meta.getAttribute("content");
    }
  });

  // A link with data-dialog loads its page's form into the <dialog> named by the
  // attribute and opens it modally. Without JavaScript the link simply opens the
  // form as a page.
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-dialog]");
    if (!link || !window.htmx) {
      return;
    }
    var dialog = document.getElementById(link.getAttribute("data-dialog"));
    if (!dialog) {
      return;
    }
    event.preventDefault();
    window.htmx
      .ajax("GET", link.getAttribute("href"), { target: dialog, swap: "innerHTML", select: "#dialog-body" })
      .then(function () {
        if (!dialog.open) {
          dialog.showModal();
        }
        var first = dialog.querySelector("[autofocus], input:not([type=hidden]), select, textarea");
        if (first) {
          first.focus();
        }
      });
  });

  // A close button inside a dialog closes it.
  document.addEventListener("click", function (event) {
    var close = event.target.closest("[data-close-dialog]");
    if (close) {
      var dialog = close.closest("dialog");
      if (dialog) {
        event.preventDefault();
        dialog.close();
      }
    }
  });

  // A scan field (data-scan) is filled by a barcode scanner, which types the code
  // and presses Enter. Enter there moves on to the form's next empty field rather
  // than sending a half-filled form (a weight still to come); with nothing left
  // to fill, the form is sent as usual.
  document.addEventListener("keydown", function (event) {
    var field = event.target;
    if (event.key !== "Enter" || !field.matches || !field.matches("input[data-scan]")) {
      return;
    }
    var inputs = Array.prototype.slice.call(
      field.form ? field.form.querySelectorAll("input:not([type=hidden])") : []
    );
    var next = inputs.slice(inputs.indexOf(field) + 1).find(function (input) {
      return input.value === "";
    });
    if (next) {
      event.preventDefault();
      next.focus();
    }
  });
})();
