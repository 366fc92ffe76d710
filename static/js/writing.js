// The entry form's safety net. htmx saves drafts to the server (#autosave-status); this file
// keeps a copy of every keystroke in this browser for the moments htmx cannot cover (a closed
// tab, no network, an expired session), nudges autosave during long bursts, saves once more
// when the page is hidden, and handles Ctrl/Cmd+Enter, tag suggestions and new motifs.
//
// Copies are keyed by user, page and form instance (its draft key), so opening the form again
// never overwrites words an earlier tab kept, and one user never sees another's words.
(function () {
  "use strict";
  var PREFIX = "somnia-draft:";
  var MAX_AGE = 30 * 24 * 3600 * 1000;

  function read(key) {
    try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }
  function write(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* full or private */ }
  }
  function forget(key) { try { localStorage.removeItem(key); } catch (e) { /* ignore */ } }
  function keys() {
    try { return Object.keys(localStorage).filter(function (k) { return k.indexOf(PREFIX) === 0; }); }
    catch (e) { return []; }
  }

  function snapshot(form) {
    var fields = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "hidden" || /^(motif|csrf)/.test(el.name)) return;
      if (el.type === "checkbox") fields[el.name] = el.checked;
      else if (el.type === "radio") { if (el.checked) fields[el.name] = el.value; }
      else fields[el.name] = el.value;
    });
    return {
      draftKey: form.dataset.draftKey,
      version: (form.elements.version || {}).value || "",
      savedAt: Date.now(),
      fields: fields,
    };
  }

  function apply(form, copy) {
    Object.keys(copy.fields).forEach(function (name) {
      Array.prototype.forEach.call(form.querySelectorAll('[name="' + name + '"]'), function (el) {
        if (el.type === "checkbox") el.checked = !!copy.fields[name];
        else if (el.type === "radio") el.checked = el.value === copy.fields[name];
        else el.value = copy.fields[name];
      });
    });
    // The restored words started from this version: saving them over a newer one is a conflict.
    if (form.elements.version && copy.version) form.elements.version.value = copy.version;
    if (form.elements.draft_key && copy.draftKey) {
      form.elements.draft_key.value = copy.draftKey;
      form.dataset.draftKey = copy.draftKey;
    }
    form.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function differs(form, copy) {
    var now = snapshot(form).fields;
    return Object.keys(copy.fields).some(function (name) { return copy.fields[name] !== now[name]; });
  }

  function tidy() {
    // Forget copies a save has made safe (the server says which), and very old ones.
    var meta = document.querySelector('meta[name="somnia-saved-draft"]');
    keys().forEach(function (key) {
      var copy = read(key);
      if (!copy || Date.now() - copy.savedAt > MAX_AGE || (meta && copy.draftKey === meta.content)) {
        forget(key);
      }
    });
  }

  function statusMessage(code) {
    if (code === 401) return "Not saved to the server: you are logged out. Your words are kept on this device; log in again in another tab.";
    if (code === 403) return "Not saved to the server: this page has expired. Your words are kept on this device; reload to go on.";
    if (code === 404) return "This dream is no longer there (deleted in another tab?). Your words are kept on this device.";
    return "Not saved to the server (error " + code + "). Your words are kept on this device.";
  }

  function setUp(form) {
    var base = PREFIX + (form.dataset.user || "anon") + ":" + location.pathname + ":";
    var key = base + form.dataset.draftKey;
    var status = document.getElementById("autosave-status");
    var alert = document.getElementById("autosave-alert");
    var offer = document.querySelector("[data-local-draft-offer]");
    var serverOffer = document.querySelector("[data-server-draft-key]");
    var body = form.querySelector('[name="body"]');
    var dirty = false;
    var typed = false;
    var submitting = false;

    // The newest copy an earlier visit kept, if the form does not already show its words.
    var kept = keys()
      .filter(function (k) { return k.indexOf(base) === 0 && k !== key; })
      .map(function (k) { return { key: k, copy: read(k) }; })
      .filter(function (item) {
        return item.copy && item.copy.fields && (item.copy.fields.body || "").trim() &&
          differs(form, item.copy) &&
          !(serverOffer && serverOffer.dataset.serverDraftKey === item.copy.draftKey);
      })
      .sort(function (a, b) { return b.copy.savedAt - a.copy.savedAt; })[0];
    if (kept && offer) {
      offer.querySelector("[data-local-draft-text]").textContent =
        (kept.copy.fields.title ? kept.copy.fields.title + " — " : "") + kept.copy.fields.body.slice(0, 200);
      offer.hidden = false;
      offer.querySelector("[data-local-draft-restore]").addEventListener("click", function () {
        apply(form, kept.copy);
        key = kept.key;  // go on writing into the same copy
        offer.hidden = true;
        body.focus();
      });
      offer.querySelector("[data-local-draft-dismiss]").addEventListener("click", function () {
        offer.hidden = true;
        forget(kept.key);
      });
    }

    function keep() { if (typed) write(key, snapshot(form)); }
    form.addEventListener("input", function () { typed = true; dirty = true; keep(); });
    form.addEventListener("change", function () { typed = true; keep(); });
    form.addEventListener("submit", function () { submitting = true; keep(); });

    // Debounced autosave waits for a pause; a long unbroken burst still saves every 5 seconds.
    function nudge() {
      if (dirty && status && window.htmx) { dirty = false; htmx.trigger(status, "autosave"); }
    }
    setInterval(nudge, 5000);
    window.addEventListener("online", function () { dirty = true; nudge(); });
    document.body.addEventListener("htmx:afterRequest", function (event) {
      if (event.detail.elt !== status) return;
      if (event.detail.successful) { if (alert) alert.textContent = ""; }
      else dirty = true;
    });
    document.body.addEventListener("htmx:responseError", function (event) {
      if (event.detail.elt === status && alert) alert.textContent = statusMessage(event.detail.xhr.status);
    });
    document.body.addEventListener("htmx:sendError", function (event) {
      if (event.detail.elt !== status) return;
      dirty = true;
      if (alert) alert.textContent = "Offline: your words are kept on this device and will be saved when you are back.";
    });

    // Leaving or hiding the page: one last save that outlives the page, if anything was typed.
    function flush() {
      if (submitting || !typed) return;
      keep();
      if (navigator.sendBeacon) navigator.sendBeacon(form.dataset.autosaveUrl, new FormData(form));
    }
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") flush();
    });
    window.addEventListener("pagehide", flush);

    form.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        if (form.requestSubmit) form.requestSubmit(); else form.submit();
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
    tidy();
    // Logging out forgets the words this browser kept: the next person here must not see them.
    Array.prototype.forEach.call(document.querySelectorAll("[data-logout]"), function (f) {
      f.addEventListener("submit", function () { keys().forEach(forget); });
    });
    var form = document.querySelector("[data-writing-form]");
    if (form) setUp(form);
  });
})();
