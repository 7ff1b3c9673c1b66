/* Proposal check panel: re-checks the proposal text while the sponsor types.
 *
 * Progressive enhancement: the page already shows the check of the text it was opened with
 * (rendered by the server); this script posts the title, abstract, outline, format and
 * topics to the panel's data-check-url 600 ms after the last change and swaps the returned
 * partial in. Nothing here can block or change the form. No inline code (strict CSP).
 */
(function () {
  "use strict";

  var DELAY_MS = 600;
  var FIELDS = ["title", "abstract", "outline", "format", "topics"];

  function start() {
    var panel = document.getElementById("insights-panel");
    if (!panel || !window.fetch) {
      return;
    }
    var form = panel.closest("form");
    var report = panel.querySelector("[data-insights-report]");
    var status = panel.querySelector("[data-insights-status]");
    var url = panel.getAttribute("data-check-url");
    if (!form || !report || !url) {
      return;
    }
    var timer = null;
    var controller = null;
    var sequence = 0;

    function csrfToken() {
      var input = form.querySelector("input[name=csrfmiddlewaretoken]");
      return input ? input.value : "";
    }

    function payload() {
      var data = new URLSearchParams();
      data.append("csrfmiddlewaretoken", csrfToken());
      Array.prototype.forEach.call(form.elements, function (element) {
        if (FIELDS.indexOf(element.name) === -1 || element.disabled) {
          return;
        }
        if ((element.type === "checkbox" || element.type === "radio") && !element.checked) {
          return;
        }
        data.append(element.name, element.value);
      });
      return data;
    }

    function say(message) {
      status.textContent = message;
    }

    function check() {
      var mine = ++sequence;
      if (controller) {
        controller.abort();
      }
      controller = window.AbortController ? new AbortController() : null;
      say("Checking…");
      fetch(url, {
        method: "POST",
        body: payload(),
        credentials: "same-origin",
        redirect: "manual",
        headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true" },
        signal: controller ? controller.signal : undefined
      })
        .then(function (response) {
          if (response.type === "opaqueredirect") {
            say("Log in again to update the check. Your form is not affected.");
            return null;
          }
          if (response.ok) {
            return response.text();
          }
          if (response.status === 403 || response.status === 429) {
            return response.text().then(function (html) {
              var holder = document.createElement("div");
              holder.innerHTML = html;
              var root = holder.querySelector("[data-summary]");
              say(root ? root.getAttribute("data-summary") : "The check is paused.");
              return null;
            });
          }
          say("The check is unavailable just now. Your form is not affected.");
          return null;
        })
        .then(function (html) {
          if (html === null || mine !== sequence) {
            return;
          }
          // The server escapes everything the sponsor typed; the CSP forbids inline script.
          report.innerHTML = html;
          var root = report.querySelector("[data-summary]");
          say(root ? "Updated: " + root.getAttribute("data-summary") : "Updated.");
        })
        .catch(function (error) {
          if (error && error.name === "AbortError") {
            return;
          }
          say("The check is unavailable just now. Your form is not affected.");
        });
    }

    function schedule(event) {
      if (!event.target || FIELDS.indexOf(event.target.name) === -1) {
        return;
      }
      window.clearTimeout(timer);
      timer = window.setTimeout(check, DELAY_MS);
    }

    form.addEventListener("input", schedule);
    form.addEventListener("change", schedule);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
