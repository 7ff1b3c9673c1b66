/* Review workspace: keyboard shortcuts, draft autosave with conflict handling, live weighted
   score, bulk selection. No inline scripts anywhere (the pages run under a strict CSP); this
   file is loaded with `defer` and wires itself to data-* attributes. */
(function () {
  "use strict";

  function typing(event) {
    var el = event.target;
    if (!el || !el.tagName) { return false; }
    var tag = el.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || el.isContentEditable;
  }

  function go(selector) {
    var link = document.querySelector(selector);
    if (link && link.href) { window.location.href = link.href; return true; }
    return false;
  }

  /* ---- Dashboard: row navigation and bulk selection ---------------------------------------- */
  function setupTable() {
    var table = document.querySelector("[data-nav-table]");
    var rows = table ? Array.prototype.slice.call(table.querySelectorAll("tr[data-row]")) : [];
    var current = -1;

    function focusRow(index) {
      if (!rows.length) { return; }
      index = Math.max(0, Math.min(rows.length - 1, index));
      if (current >= 0 && rows[current]) { rows[current].classList.remove("is-current"); }
      current = index;
      rows[current].classList.add("is-current");
      rows[current].scrollIntoView({ block: "nearest" });
      var link = rows[current].querySelector(".rv-title a");
      if (link) { link.focus({ preventScroll: true }); }
    }

    var bulk = document.querySelector("[data-bulk]");
    function updateBulk() {
      if (!bulk) { return; }
      var checked = bulk.querySelectorAll("input[name=proposals]:checked").length;
      var button = bulk.querySelector("[data-bulk-submit]");
      if (button) {
        button.disabled = checked === 0;
        button.textContent = checked ? "Decide " + checked + " selected…" : "Decide selected…";
      }
    }
    if (bulk) { bulk.addEventListener("change", updateBulk); updateBulk(); }

    document.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey) { return; }
      if (event.key === "/" && !typing(event)) {
        var search = document.getElementById("id_q");
        if (search) { event.preventDefault(); search.focus(); search.select(); }
        return;
      }
      if (typing(event) || !rows.length) { return; }
      if (event.key === "j") {
        event.preventDefault(); focusRow(current + 1);
      } else if (event.key === "k") {
        event.preventDefault(); focusRow(current - 1);
      } else if ((event.key === "o" || event.key === "Enter") && current >= 0) {
        event.preventDefault(); window.location.href = rows[current].getAttribute("data-href");
      } else if (event.key === "x" && current >= 0) {
        var box = rows[current].querySelector("input[type=checkbox]");
        if (box) { event.preventDefault(); box.checked = !box.checked; updateBulk(); }
      }
    });
  }

  /* ---- Review page: shortcuts --------------------------------------------------------------- */
  function setupPager() {
    var help = document.getElementById("rv-help");
    var toggle = document.querySelector("[data-help-toggle]");
    function flipHelp() {
      if (!help) { return; }
      help.hidden = !help.hidden;
      if (toggle) { toggle.setAttribute("aria-expanded", String(!help.hidden)); }
    }
    if (toggle) { toggle.addEventListener("click", flipHelp); }
    if (!document.querySelector("[data-pager]")) { return; }

    document.addEventListener("keydown", function (event) {
      var form = document.querySelector("[data-review-form]");
      if ((event.ctrlKey || event.metaKey) && event.key === "Enter" && form) {
        event.preventDefault();
        var next = form.querySelector("[data-submit-next]");
        if (next) { next.click(); }
        return;
      }
      if ((event.ctrlKey || event.metaKey) && (event.key === "s" || event.key === "S") && form) {
        event.preventDefault();
        if (form.rvSaveNow) { form.rvSaveNow(); }
        return;
      }
      if (event.key === "Escape" && typing(event)) { event.target.blur(); return; }
      if (event.ctrlKey || event.metaKey || event.altKey || typing(event)) { return; }
      if (event.key === "j" || event.key === "n") {
        if (go("[data-key-next]")) { event.preventDefault(); }
      } else if (event.key === "k" || event.key === "p") {
        if (go("[data-key-prev]")) { event.preventDefault(); }
      } else if (event.key === "u") {
        if (go("[data-key-up]")) { event.preventDefault(); }
      } else if (event.key === "?") {
        event.preventDefault(); flipHelp();
      }
    });
  }

  /* ---- Review form: weighted score, autosave, local backup --------------------------------- */
  function setupReviewForm() {
    var form = document.querySelector("[data-review-form]");
    if (!form) { return; }
    var url = form.getAttribute("data-autosave-url");
    var scaleMax = parseFloat(form.getAttribute("data-scale-max")) || 5;
    var status = form.querySelector("[data-autosave-status]");
    var conflict = form.querySelector("[data-autosave-conflict]");
    var draftInput = form.querySelector("input[name=expected_draft_version]");
    var storageKey = "expo-review-draft:" + url;
    var timer = null;
    var dirty = false;
    var saving = false;
    var blocked = false;  // a newer draft exists elsewhere: stop autosaving until the chair chooses

    function say(text, isError) {
      if (!status) { return; }
      status.textContent = text;
      status.classList.toggle("is-error", !!isError);
    }

    function weighted() {
      var out = form.querySelector("[data-weighted]");
      if (!out) { return; }
      var total = 0, weights = 0, complete = true;
      form.querySelectorAll("[data-criterion]").forEach(function (set) {
        var checked = set.querySelector("input[type=radio]:checked");
        var low = parseFloat(set.getAttribute("data-scale-min"));
        var high = parseFloat(set.getAttribute("data-scale-top"));
        var weight = parseFloat(set.querySelector("input[type=radio]").getAttribute("data-weight")) || 1;
        if (!checked) { complete = false; return; }
        total += weight * (parseFloat(checked.value) - low) / (high - low);
        weights += weight;
      });
      out.textContent = complete && weights ? (1 + (scaleMax - 1) * total / weights).toFixed(2) : "–";
    }

    function snapshot() {
      var data = {};
      new FormData(form).forEach(function (value, key) {
        if (key !== "csrfmiddlewaretoken") { data[key] = value; }
      });
      return data;
    }

    function backup() {
      try {
        localStorage.setItem(storageKey, JSON.stringify({
          at: new Date().toISOString(), draftVersion: draftInput ? draftInput.value : "", data: snapshot()
        }));
      } catch (e) { /* storage full or disabled: the server draft still works */ }
    }

    function clearBackup() {
      try { localStorage.removeItem(storageKey); } catch (e) { /* ignore */ }
    }

    function save(force) {
      if (saving || (blocked && !force)) { return; }
      saving = true;
      var body = new FormData(form);
      body.delete("action");
      if (force) { body.set("force", "1"); }
      say("Saving draft…");
      fetch(url, {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "X-Requested-With": "fetch", "Accept": "application/json" }
      }).then(function (response) {
        return response.json().then(function (json) { return { status: response.status, json: json }; });
      }).then(function (result) {
        saving = false;
        if (result.status === 200 && result.json.ok) {
          if (draftInput) { draftInput.value = result.json.draft_version; }
          dirty = false; blocked = false;
          if (conflict) { conflict.hidden = true; }
          clearBackup();
          say("Draft saved " + result.json.saved_at + ". The other chairs do not see drafts.");
        } else if (result.status === 409) {
          blocked = true;
          if (conflict) {
            conflict.hidden = false;
            conflict.querySelector("[data-autosave-conflict-text]").textContent =
              result.json.message + " (saved " + result.json.saved_at + "). What you typed here is " +
              "kept in this tab and in this browser until you choose.";
          }
          say("Not saved: a newer draft exists.", true);
        } else {
          var errors = result.json.errors;
          var text = Array.isArray(errors) ? errors.join(" ") : "Check the highlighted fields.";
          say("Draft not saved: " + text, true);
        }
      }).catch(function () {
        saving = false;
        say("Draft not saved (offline?). Your text stays in this page and this browser; retrying…", true);
        window.setTimeout(function () { if (dirty) { save(false); } }, 10000);
      });
    }

    function changed() {
      dirty = true;
      weighted();
      backup();
      if (timer) { window.clearTimeout(timer); }
      timer = window.setTimeout(function () { save(false); }, 1500);
    }

    form.rvSaveNow = function () { if (timer) { window.clearTimeout(timer); } save(false); };
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    form.addEventListener("submit", function () { dirty = false; clearBackup(); });
    var overwrite = form.querySelector("[data-autosave-overwrite]");
    if (overwrite) { overwrite.addEventListener("click", function () { save(true); }); }
    var draftButton = form.querySelector("[data-save-draft]");
    if (draftButton) {
      draftButton.addEventListener("click", function (event) { event.preventDefault(); form.rvSaveNow(); });
    }
    window.addEventListener("beforeunload", function (event) {
      if (dirty) { event.preventDefault(); event.returnValue = ""; }
    });

    // Text typed here earlier but never saved (tab closed offline, crash): offer it back.
    var restore = form.querySelector("[data-restore]");
    try {
      var kept = JSON.parse(localStorage.getItem(storageKey) || "null");
      var current = JSON.stringify(snapshot());
      if (kept && restore && JSON.stringify(kept.data) !== current) {
        restore.hidden = false;
        restore.querySelector("[data-restore-time]").textContent = new Date(kept.at).toLocaleString();
        restore.querySelector("[data-restore-apply]").addEventListener("click", function () {
          Object.keys(kept.data).forEach(function (name) {
            if (/^expected_|^list_query$/.test(name)) { return; }
            var fields = form.querySelectorAll("[name='" + name + "']");
            fields.forEach(function (field) {
              if (field.type === "radio") { field.checked = field.value === kept.data[name]; }
              else { field.value = kept.data[name]; }
            });
          });
          restore.hidden = true;
          changed();
        });
        restore.querySelector("[data-restore-discard]").addEventListener("click", function () {
          clearBackup(); restore.hidden = true;
        });
      } else if (kept) {
        clearBackup();
      }
    } catch (e) { /* no storage */ }

    weighted();
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupTable();
    setupPager();
    setupReviewForm();
  });
}());
