// "Copy" buttons: <button data-copy="#input-id">. Copies the input's value (the clipboard API
// where the page is a secure context, else the selected text), and says so on the button.
(function () {
  "use strict";
  function copied(button, ok) {
    button.textContent = ok ? "Copied" : "Select it and press Ctrl+C";
  }
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var input = document.querySelector(button.getAttribute("data-copy"));
      if (!input) { return; }
      input.select();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(
          function () { copied(button, true); },
          function () { copied(button, document.execCommand("copy")); });
      } else {
        copied(button, document.execCommand("copy"));
      }
    });
  });
})();
