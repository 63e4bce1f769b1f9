// What the console's pages need a browser for.
//
// After a form comes back refused, the cursor goes to the first field in error, so a keyboard
// user (and a screen reader) lands where the fix is, not at the top of the page. On a page
// load and after htmx swaps a refused form in.
//
// A form sent after the session ended lands on the sign-in page, and its typed values would
// be lost: each form's values are kept in this tab (sessionStorage) as it is sent, and put
// back into the same page's empty fields when the reader returns there from signing in.
(function () {
  var KEPT = "erp-console-kept-form";

  function focusFirstError(root) {
    var field = root.querySelector('[aria-invalid="true"], .invalid input, .invalid select, .invalid textarea');
    if (field && typeof field.focus === "function") {
      field.focus();
    }
  }

  function keep(form) {
    if (form.closest("header") || form.action.indexOf("/sign-in") !== -1) {
      return;
    }
    var values = {};
    Array.prototype.forEach.call(form.elements, function (field) {
      var kept = field.name && field.type !== "hidden" && field.type !== "password";
      if (kept && (field.type !== "checkbox" && field.type !== "radio" || field.checked)) {
        values[field.name] = field.value;
      }
    });
    sessionStorage.setItem(KEPT, JSON.stringify({path: location.pathname, values: values}));
  }

  function restore() {
    var kept = JSON.parse(sessionStorage.getItem(KEPT) || "null");
    sessionStorage.removeItem(KEPT);
    var fromSignIn = document.referrer.indexOf("/sign-in") !== -1;
    if (!kept || !fromSignIn || kept.path !== location.pathname) {
      return;
    }
    Object.keys(kept.values).forEach(function (name) {
      var fields = document.getElementsByName(name);
      Array.prototype.forEach.call(fields, function (field) {
        if (field.type === "checkbox" || field.type === "radio") {
          field.checked = field.value === kept.values[name];
        } else if (!field.value) {
          field.value = kept.values[name];
        }
      });
    });
  }

  document.addEventListener("submit", function (event) {
    keep(event.target);
  }, true);
  // An order page follows the order's feed (Server-Sent Events): each status event asks for
  // the page's live part once, and the every-second asking is skipped while the feed is open.
  // When the feed ends or fails (the order became final, the token ran out), the asking
  // simply goes on as before.
  function follow() {
    var live = document.getElementById("order-live");
    if (!live || !live.dataset.feed || !window.EventSource) {
      return;
    }
    var source = new EventSource(live.dataset.feed);
    var open = false;
    source.addEventListener("open", function () {
      open = true;
    });
    source.addEventListener("status", function () {
      var current = document.getElementById("order-live");
      if (current && window.htmx) {
        htmx.trigger(current, "refresh");
      }
    });
    source.addEventListener("error", function () {
      open = false;
      source.close();
    });
    document.addEventListener("htmx:beforeRequest", function (event) {
      var asked = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
      if (open && event.detail.elt.id === "order-live" && !asked) {
        event.preventDefault();
      }
    });
  }

  // The session cannot be renewed past the end its cookie names: five minutes before, the
  // page says so, while there is still time to send a form.
  function warnBeforeTheSessionEnds() {
    var warning = document.getElementById("session-ending");
    var found = document.cookie.match(/(?:^|; )erp_session_ends=(\d+)/);
    if (!warning || !found) {
      return;
    }
    var ends = parseInt(found[1], 10) * 1000;
    function check() {
      if (ends - Date.now() <= 5 * 60 * 1000) {
        warning.hidden = false;
      } else {
        setTimeout(check, 30 * 1000);
      }
    }
    check();
  }

  // A webhook's signing secret is shown once, in the answer to the form that made it: the
  // address bar is set to the webhook's own page, so a reload shows that page (without the
  // secret) instead of sending the form again, which would make another webhook.
  function showSecretOnce() {
    var shown = document.querySelector("[data-secret-shown-once]");
    if (shown && window.history && history.replaceState) {
      history.replaceState(null, "", shown.dataset.address);
    }
  }

  // A "Copy" button puts the named field's text on the clipboard, saying so on itself; where
  // the clipboard is out of reach (a page not served over https), the text is selected.
  function copy(button) {
    var field = document.getElementById(button.dataset.copy);
    field.focus();
    field.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(function () {
        button.textContent = button.dataset.copied;
      });
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-copy]");
    if (button) {
      copy(button);
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    if (location.pathname.indexOf("/sign-in") === -1) {
      restore();
    }
    focusFirstError(document);
    follow();
    warnBeforeTheSessionEnds();
    showSecretOnce();
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    focusFirstError(event.detail.target || document);
  });
})();
