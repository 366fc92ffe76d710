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
      if (!el.name || el.type === "hidden" || /^(motif|csrf|draft_key|changed_at)/.test(el.name)) return;
      if (el.type === "checkbox") fields[el.name] = el.checked;
      else if (el.type === "radio") { if (el.checked) fields[el.name] = el.value; }
      else fields[el.name] = el.value;
    });
    return {
      user: form.dataset.user,
      draftKey: form.dataset.draftKey,
      version: (form.elements.version || {}).value || "",
      savedAt: Date.now(),
      fields: fields,
    };
  }

  // Put a copy's words back in the form, going on under `draftKey`.
  function apply(form, copy, draftKey) {
    Object.keys(copy.fields).forEach(function (name) {
      Array.prototype.forEach.call(form.querySelectorAll('[name="' + name + '"]'), function (el) {
        if (el.type === "checkbox") el.checked = !!copy.fields[name];
        else if (el.type === "radio") el.checked = el.value === String(copy.fields[name]);
        else el.value = copy.fields[name];
      });
    });
    // The restored words started from this version: saving them over a newer one is a conflict.
    if (form.elements.version && copy.version) form.elements.version.value = copy.version;
    form.elements.draft_key.value = form.dataset.draftKey = draftKey;
    form.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function freshKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "10000000-1000-4000-8000-100000000000".replace(/[018]/g, function (c) {
      return (c ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16);
    });
  }

  // A copy whose words are the ones a save put in the journal (the writing form lists the
  // forms saved lately, e.g. by the offline queue in the background): nothing to keep.
  function inJournal(copy, saved) {
    var fields = copy.fields || {};
    var title = fields.title || "", body = fields.body || "";
    return saved.some(function (s) {
      return s.key === copy.draftKey && (hashWords(title, body) === s.hash ||
        (!title.trim() && hashWords("", body) === s.bodyHash));
    });
  }

  function tidy() {
    // Forget copies a save has made safe (the server says which), and very old ones.
    var meta = document.querySelector('meta[name="somnia-saved-draft"]');
    var done = meta ? meta.content.split(" ") : [];
    var saved = [];
    try { saved = JSON.parse((document.querySelector("[data-saved-words]") || { dataset: {} }).dataset.savedWords || "[]"); }
    catch (e) { saved = []; }
    keys().forEach(function (key) {
      var copy = read(key);
      if (!copy || Date.now() - copy.savedAt > MAX_AGE || done.indexOf(copy.draftKey) !== -1 ||
          inJournal(copy, saved)) {
        forget(key);
      }
    });
  }

  // CRC-32 of the UTF-8 words, as 8 hex digits: the same as dreams/drafts.py's words_hash.
  var CRC_TABLE = (function () {
    var table = [];
    for (var n = 0; n < 256; n++) {
      var c = n;
      for (var k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table.push(c >>> 0);
    }
    return table;
  })();
  function normalise(text) { return (text || "").replace(/\r\n?/g, "\n").replace(/\0/g, ""); }
  function hashWords(title, body) {
    var bytes = new TextEncoder().encode(normalise(title) + "\x1f" + normalise(body));
    var crc = 0xffffffff;
    for (var i = 0; i < bytes.length; i++) crc = CRC_TABLE[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
    return ("0000000" + ((crc ^ 0xffffffff) >>> 0).toString(16)).slice(-8);
  }
  function wordsHash(form) {
    return hashWords((form.elements.title || {}).value, (form.elements.body || {}).value);
  }
  window.somniaHashWords = hashWords;

  function statusMessage(code) {
    if (code === 404) return "This dream is no longer there (deleted in another tab?). Your words are kept on this device.";
    return "Not saved to the server (error " + code + "). Your words are kept on this device.";
  }

  function setUp(form) {
    // After Save and Back the browser restores the words it had sent, in a page with a new
    // key: this tab remembers the key it sent them with, so saving again leads to that dream.
    var body = form.querySelector('[name="body"]');
    var sentKey = "somnia-sent:" + location.pathname;
    var sent = null;
    try { sent = JSON.parse(sessionStorage.getItem(sentKey) || "null"); } catch (e) { sent = null; }
    function adoptSentKey() {
      // The browser fills the fields back in late (by "pageshow"): check then.
      if (sent && body.value !== body.defaultValue && sent.hash === wordsHash(form)) {
        form.elements.draft_key.value = form.dataset.draftKey = sent.draftKey;
        if (form.elements.version && sent.version) form.elements.version.value = sent.version;
        key = base + sent.draftKey;
      }
    }
    adoptSentKey();
    window.addEventListener("pageshow", adoptSentKey);
    form.addEventListener("submit", function () {
      try {
        sessionStorage.setItem(sentKey, JSON.stringify({
          draftKey: form.dataset.draftKey, hash: wordsHash(form),
          version: (form.elements.version || {}).value || "",
        }));
      } catch (e) { /* private mode: Back + Save then makes a new form */ }
    });
    var base = PREFIX + (form.dataset.user || "anon") + ":" + location.pathname + ":";
    var key = base + form.dataset.draftKey;
    var status = document.getElementById("autosave-status");
    var alert = document.getElementById("autosave-alert");
    var dirty = false;
    var typed = false;
    var submitting = false;

    // Each change is stamped with this device's clock: the server never lets an autosave
    // that arrives late overwrite newer words of the same form.
    var changedAt = form.elements.changed_at;
    function keep() {
      if (!typed) return;
      var copy = snapshot(form);
      if (changedAt) changedAt.value = String(copy.savedAt);
      write(key, copy);
    }
    // The copies of this form's words kept elsewhere, for drafts.js to reconcile.
    function serverCopies() {
      var data = [];
      var list = document.querySelector("[data-here-drafts]");
      try { data = JSON.parse((list && list.dataset.hereDrafts) || "[]"); }
      catch (e) { console.warn("Somnia: unreadable server drafts", e); }
      return data.map(function (d) {
        return {
          key: d.key, title: d.title, body: d.body, version: String(d.version || ""),
          changedAt: d.changedAt, hash: d.hash,
          fields: Object.assign({}, d.fields, { title: d.title, body: d.body }),
        };
      });
    }
    function deviceCopies() {
      return keys().filter(function (k) { return k.indexOf(base) === 0; }).map(function (k) {
        var copy = read(k);
        var ok = copy && copy.fields && typeof copy.fields.body === "string" && copy.draftKey &&
          (!copy.user || copy.user === form.dataset.user);
        if (!ok) {
          console.warn("Somnia: ignoring an unreadable or foreign copy kept on this device", k);
          return null;
        }
        return {
          key: copy.draftKey, title: copy.fields.title || "", body: copy.fields.body,
          fields: copy.fields, version: copy.version, changedAt: copy.savedAt,
          hash: hashWords(copy.fields.title, copy.fields.body),
        };
      }).filter(Boolean);
    }
    var controller = {
      serverCopies: serverCopies,
      deviceCopies: deviceCopies,
      current: function () { return { key: form.dataset.draftKey, hash: wordsHash(form) }; },
      freshKey: freshKey,
      csrfToken: function () { return (form.elements.csrfmiddlewaretoken || {}).value || ""; },
      restore: function (copy, draftKey) {
        apply(form, copy, draftKey);
        key = base + draftKey;
        typed = dirty = true;
        keep();
        body.focus();
      },
      forgetDevice: function (draftKey) {
        var mine = PREFIX + (form.dataset.user || "anon") + ":";
        keys().forEach(function (k) {
          if (k.indexOf(mine) === 0 && k.slice(-draftKey.length - 1) === ":" + draftKey) forget(k);
        });
      },
    };
    // A copy this device holds of the form's own key with other words (the form was opened
    // at the server's copy) is never written over: the form goes on under a new key.
    var own = read(key);
    if (own && own.fields && hashWords(own.fields.title, own.fields.body) !== wordsHash(form)) {
      var renewed = freshKey();
      form.elements.draft_key.value = form.dataset.draftKey = renewed;
      key = base + renewed;
    }
    document.dispatchEvent(new CustomEvent("somnia:writing-ready", { detail: controller }));

    form.addEventListener("input", function () { typed = true; dirty = true; keep(); });
    form.addEventListener("change", function () { typed = true; keep(); });
    form.addEventListener("submit", function () { submitting = true; keep(); });

    // Debounced autosave waits for a pause; a long unbroken burst still saves every 5 seconds.
    function nudge() {
      if (dirty && status && window.htmx) { dirty = false; htmx.trigger(status, "autosave"); }
    }
    setInterval(nudge, 5000);
    // A title left empty is drawn from the dream: show what it would be, as the placeholder,
    // and draw it again as the opening changes (the preview brings it).
    var titleInput = form.elements.title;
    document.body.addEventListener("htmx:afterSwap", function (event) {
      var target = event.detail.target;  // none for a swap held back by pressGuard
      if (!titleInput || !target || target.id !== "preview") return;
      var derived = target.querySelector("[data-derived-title]");
      if (derived) titleInput.placeholder = derived.getAttribute("data-derived-title");
    });

    // Back online: the pending autosave goes now (if anything was typed: an untouched form
    // has no draft to save), and the preview and motifs catch up.
    window.addEventListener("online", function () {
      if (typed) dirty = true;
      nudge();
      if (!window.htmx) return;
      htmx.trigger(body, "somnia:refresh");
      var motifs = document.getElementById("motif-suggestions");
      if (motifs) htmx.trigger(motifs, "somnia:refresh");
    });
    // "Log out" in another tab forgets this browser's copies: this tab still holds the words
    // on screen, so it keeps them again at once (under this account's name, as before).
    window.addEventListener("storage", function (event) {
      if ((event.key === null || event.key === key) && event.newValue === null) keep();
    });
    var bar = alert ? alert.parentNode : null;
    var guard = pressGuard(bar);
    function say(text) {
      if (alert) guard.later(function () { alert.textContent = text; });
    }
    document.body.addEventListener("htmx:beforeSwap", function (event) {
      var target = event.detail.target;
      if (!guard.pressed() || !bar || !bar.contains(target) || !event.detail.shouldSwap) return;
      event.detail.shouldSwap = false;
      var html = event.detail.serverResponse;
      guard.later(function () { htmx.swap(target, html, { swapStyle: "innerHTML" }); });
    });
    document.body.addEventListener("htmx:afterRequest", function (event) {
      if (event.detail.elt !== status) return;
      if (event.detail.successful) say("");
      else dirty = true;
    });
    document.body.addEventListener("htmx:responseError", function (event) {
      // A 401, 403 or 413 answers with its own line, shown in place of the status.
      if ([401, 403, 413].indexOf(event.detail.xhr.status) !== -1) return;
      if (event.detail.elt === status) say(statusMessage(event.detail.xhr.status));
    });
    document.body.addEventListener("htmx:sendError", function (event) {
      if (event.detail.elt !== status) return;
      dirty = true;
      say("Offline: your words are kept on this device and will be saved when you are back.");
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

    // A choice in the motif panel is a request for the panel. htmx takes in the buttons of a
    // redrawn panel only when it settles (a few milliseconds later): a tap in between would
    // submit, and so save, the whole dream. Such a tap is sent as the panel's request instead.
    // Each choice is written into the panel's fields at the tap, before its request goes:
    // a second tap cancels the first's request (hx-sync), and its own then carries both.
    document.addEventListener("click", function (event) {
      var button = event.target.closest && event.target.closest('button[name="motif_choice"]');
      if (!button || !form.contains(button)) return;
      keepRowHeights();
      var parts = button.value.split(":");
      var field = form.querySelector('input[type="hidden"][name="motif-' + parts[0] + '"]');
      if (field) field.value = parts.slice(1).join(":");
    }, true);
    // The panel's rows keep their height through a choice: a row that says "not in this
    // dream" needs one line where its choices took two, and the rows below would move up
    // under a thumb already on its way to the next row's button.
    var rowHeights = {};
    function panelRows() {
      var panel = document.getElementById("motif-suggestions");
      return panel ? Array.prototype.slice.call(panel.querySelectorAll("li.suggestion")) : [];
    }
    function rowSlug(row) {
      var field = row.querySelector('input[type="hidden"][name^="motif-"]');
      return field ? field.name : "";
    }
    function keepRowHeights() {
      panelRows().forEach(function (row) {
        var slug = rowSlug(row);
        // A row with its "…" menu open is taller than it will be: not a height to keep.
        if (slug && !row.querySelector("details[open]")) {
          rowHeights[slug] = Math.max(rowHeights[slug] || 0, row.getBoundingClientRect().height);
        }
      });
    }
    document.body.addEventListener("htmx:afterSwap", function (event) {
      var target = event.detail.target;
      if (!target || target.id !== "motif-suggestions") return;
      panelRows().forEach(function (row) {
        var height = rowHeights[rowSlug(row)];
        if (height && row.getBoundingClientRect().height < height) row.style.minHeight = height + "px";
      });
    });
    var panelWidth = window.innerWidth;
    window.addEventListener("resize", function () {
      // A turned phone rewraps the rows; a keyboard that opens changes only the height.
      if (window.innerWidth !== panelWidth) rowHeights = {};
      panelWidth = window.innerWidth;
    });
    document.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (event.target !== form || !button || button.name !== "motif_choice" || !window.htmx) return;
      event.preventDefault();
      event.stopImmediatePropagation();
      var sent = htmx.ajax("POST", button.getAttribute("hx-post"), { source: button, target: "#motif-suggestions" });
      // The next tap replaces this request (hx-sync) and htmx rejects its promise with
      // nothing: this tap's choice is in the form's fields already, so there is nothing to say.
      if (sent && sent.catch) sent.catch(function () {});
    }, true);

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

  // The logout page names the words this browser still holds for this writer, with a way back.
  function warnOfUnsavedWords(warning) {
    if (!warning) return;
    var mine = PREFIX + warning.dataset.user + ":";
    var held = keys().filter(function (k) { return k.indexOf(mine) === 0; })
      .map(function (k) { return { path: k.slice(mine.length).split(":")[0], copy: read(k) }; })
      .filter(function (item) { return item.copy && item.copy.fields && (item.copy.fields.body || "").trim(); });
    if (!held.length) return;
    warning.querySelector("[data-unsaved-count]").textContent =
      held.length === 1 ? "a dream you have not saved" : held.length + " dreams you have not saved";
    warning.querySelector("a").href = held[0].path;
    warning.hidden = false;
  }

  // What is written in the bar "Save dream" sits in grows or shrinks it. Pressing a button or
  // link there leaves the text box, whose autosave then answers at once (it fails with no
  // network; a 401 draws "Log in again" anew): written mid-press, the bar moved the target
  // from under the pointer, the release missed it, and nothing was saved, queued or opened.
  // So what comes during a press waits for the release (and the click it makes).
  function pressGuard(bar) {
    var pressed = false;
    var waiting = [];
    function later(change) {
      if (pressed) waiting.push(change); else change();
    }
    function release() {
      if (!pressed) return;
      pressed = false;
      var changes = waiting;
      waiting = [];
      if (changes.length) setTimeout(function () { changes.forEach(function (c) { c(); }); }, 0);
    }
    if (bar) {
      bar.addEventListener("pointerdown", function () { pressed = true; }, true);
      document.addEventListener("pointerup", release, true);
      document.addEventListener("pointercancel", release, true);
    }
    return { later: later, pressed: function () { return pressed; } };
  }

  // "Dreamt on" of a fresh form is the writer's today, on the account's clock. A form drawn
  // last night (a tab left open, the copy kept for offline use) would date this morning's
  // dream yesterday: until the writer picks a date, move it on to the day it is used.
  function followToday(form) {
    var input = form.querySelector("input[name=dreamt_on][data-follows-today]");
    var meta = document.querySelector('meta[name="somnia-time-zone"]');
    if (!input) return;
    var shown = input.value;
    function today() {
      try {
        var parts = {};
        new Intl.DateTimeFormat("en-US", {
          timeZone: (meta && meta.content) || undefined, year: "numeric", month: "2-digit", day: "2-digit",
        }).formatToParts(new Date()).forEach(function (p) { parts[p.type] = p.value; });
        return parts.year + "-" + parts.month + "-" + parts.day;
      } catch (e) { return ""; }
    }
    function follow() {
      var now = today();
      // Only forwards, and only while the field still holds the day it was given.
      if (input.value !== shown || !/^\d{4}-\d{2}-\d{2}$/.test(now) || now <= shown) return;
      input.value = shown = now;
    }
    follow();
    document.addEventListener("visibilitychange", follow);
    window.addEventListener("focus", follow);
    window.addEventListener("pageshow", follow);
    form.addEventListener("submit", follow, true);
  }

  document.addEventListener("DOMContentLoaded", function () {
    tidy();
    // Logging out forgets the words this browser kept: the next person here must not see them.
    Array.prototype.forEach.call(document.querySelectorAll("[data-logout]"), function (f) {
      f.addEventListener("submit", function () { keys().forEach(forget); });
    });
    warnOfUnsavedWords(document.querySelector("[data-unsaved-warning]"));
    var form = document.querySelector("[data-writing-form]");
    if (form) { followToday(form); setUp(form); }
  });
})();
