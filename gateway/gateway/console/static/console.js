// After a form comes back refused, the cursor goes to the first field in error, so a keyboard
// user (and a screen reader) lands where the fix is, not at the top of the page. On a page
// load and after htmx swaps a refused form in.
(function () {
  function focusFirstError(root) {
    var field = root.querySelector('[aria-invalid="true"], .invalid input, .invalid select, .invalid textarea');
    if (field && typeof field.focus === "function") {
      field.focus();
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    focusFirstError(document);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    focusFirstError(event.detail.target || document);
  });
})();
