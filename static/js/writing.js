// The entry form: a copy of every keystroke kept on this device, autosave nudges, Ctrl/Cmd+Enter,
// tag suggestions. The server-side draft is htmx's job (#autosave-status); this file covers the
// moments htmx cannot: a closed tab, a lost network, an expired session.
(function () {
  "use strict";
  var PREFIX = "somnia-draft:";

  function storageKey(form) { return PREFIX + location.pathname; }
  function read(key) {
    try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }
  function write(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* full or private */ }
  }
  function forget(key) { try { localStorage.removeItem(key); } catch (e) { /* ignore */ } }

  function snapshot(form) {
    var fields = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "hidden" || /^(accept|reject|motif_)/.test(el.name)) return;
      if (el.type === "checkbox") fields[el.name] = el.checked;
      else if (el.type === "radio") { if (el.checked) fields[el.name] = el.value; }
      else fields[el.name] = el.value;
    });
    return { draftKey: form.dataset.draftKey, savedAt: Date.now(), fields: fields };
  }

  function apply(form, fields) {
    Object.keys(fields).forEach(function (name) {
      var els = form.querySelectorAll('[name="' + name + '"]');
      Array.prototype.forEach.call(els, function (el) {
        if (el.type === "checkbox") el.checked = !!fields[name];
        else if (el.type === "radio") el.checked = el.value === fields[name];
        else el.value = fields[name];
      });
    });
    form.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function differs(form, saved) {
    var now = snapshot(form).fields;
    return Object.keys(saved.fields).some(function (name) { return saved.fields[name] !== now[name]; });
  }

  function forgetSavedDraft() {
    var meta = document.querySelector('meta[name="somnia-saved-draft"]');
    if (!meta) return;
    try {
      Object.keys(localStorage).forEach(function (key) {
        if (key.indexOf(PREFIX) !== 0) return;
        var saved = read(key);
        if (saved && saved.draftKey === meta.content) forget(key);
      });
    } catch (e) { /* ignore */ }
  }

  function setUp(form) {
    var key = storageKey(form);
    var status = document.getElementById("autosave-status");
    var offer = document.querySelector("[data-local-draft-offer]");
    var saved = read(key);
    var body = form.querySelector('[name="body"]');
    var dirty = false;
    var submitting = false;
    form.addEventListener("submit", function () { submitting = true; write(key, snapshot(form)); });

    // Offer words this device kept that the form does not show (a closed tab, a failed save).
    if (saved && saved.fields && (saved.fields.body || "").trim() && differs(form, saved) && offer) {
      offer.querySelector("[data-local-draft-text]").textContent =
        (saved.fields.title ? saved.fields.title + " — " : "") + saved.fields.body.slice(0, 200);
      offer.hidden = false;
      offer.querySelector("[data-local-draft-restore]").addEventListener("click", function () {
        apply(form, saved.fields);
        offer.hidden = true;
        body.focus();
      });
      offer.querySelector("[data-local-draft-dismiss]").addEventListener("click", function () {
        offer.hidden = true;
        forget(key);
      });
    }

    form.addEventListener("input", function () {
      dirty = true;
      write(key, snapshot(form));
    });
    form.addEventListener("change", function () { write(key, snapshot(form)); });

    // Debounced autosave waits for a pause; a long unbroken burst still saves every 5 seconds.
    setInterval(function () {
      if (dirty && status && window.htmx) { dirty = false; htmx.trigger(status, "autosave"); }
    }, 5000);
    document.body.addEventListener("htmx:afterRequest", function (event) {
      if (event.detail.elt === status && event.detail.successful) dirty = false;
    });
    document.body.addEventListener("htmx:responseError", function (event) {
      if (event.detail.elt === status) {
        status.textContent = event.detail.xhr.responseText || "Not saved to the server. Kept on this device.";
      }
    });
    document.body.addEventListener("htmx:sendError", function (event) {
      if (event.detail.elt === status) status.textContent = "Offline: kept on this device, will save when you are back.";
    });

    // Leaving or hiding the page: one last save that outlives the page.
    function flush() {
      if (submitting) return;  // the save itself carries the words; a late draft would outlive it
      write(key, snapshot(form));
      if (!(body.value.trim() || (form.elements.title && form.elements.title.value.trim()))) return;
      if (navigator.sendBeacon) navigator.sendBeacon(form.dataset.autosaveUrl, new FormData(form));
    }
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") flush();
    });
    window.addEventListener("pagehide", flush);

    form.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        form.requestSubmit ? form.requestSubmit() : form.submit();
      }
    });

    // Words selected in the narrative can become a motif of the author's own.
    var maker = document.querySelector("[data-make-motif]");
    function offerMotif() {
      if (!maker) return;
      var words = body.value.slice(body.selectionStart, body.selectionEnd).replace(/\s+/g, " ").trim();
      if (!words || words.length > 80) return;
      maker.hidden = false;
      maker.querySelector("[data-selected-words]").textContent = words;
      form.querySelector('[name="motif_words"]').value = words;
      form.querySelector('[name="motif_name"]').value = words.charAt(0).toUpperCase() + words.slice(1);
    }
    body.addEventListener("mouseup", offerMotif);
    body.addEventListener("keyup", function (event) { if (event.shiftKey) offerMotif(); });
    body.addEventListener("select", offerMotif);

    // A suggested tag replaces the half-typed one.
    form.addEventListener("click", function (event) {
      var button = event.target.closest("[data-add-tag]");
      if (!button) return;
      var input = form.querySelector('[name="tags"]');
      var parts = input.value.split(",");
      parts[parts.length - 1] = " " + button.dataset.addTag;
      input.value = parts.map(function (p) { return p.trim(); }).filter(Boolean).join(", ") + ", ";
      input.focus();
      input.dispatchEvent(new Event("input", { bubbles: true }));
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    forgetSavedDraft();
    var form = document.querySelector("[data-writing-form]");
    if (form) setUp(form);
  });
})();
