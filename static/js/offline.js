// Offline first, on every page: registers the service worker (static/js/sw.js, at /sw.js),
// lists the dreams saved with no network that wait to be sent (static/js/queue.js), sends
// them on each page load and when the network returns, and forgets the kept forms on
// "Log out".
/* global SomniaQueue */
(function () {
  "use strict";

  function meta() { return document.querySelector('meta[name="somnia-offline"]'); }

  // The token to send with: the CSRF cookie's, which is always the current one. The token
  // written into this page is stale when the page is the offline copy, kept before the writer
  // logged in (logging in renews the token); it serves only where cookies cannot be read.
  function csrfToken() {
    var cookie = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (cookie) return decodeURIComponent(cookie[1]);
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["x-csrftoken"] || ""; }
    catch (e) { return ""; }
  }

  function element(tag, className, text) {
    var el = document.createElement(tag);
    if (className) el.className = className;
    if (text !== undefined) el.textContent = text;
    return el;
  }

  function section() {
    var box = document.querySelector("[data-send-queue]");
    if (box) return box;
    box = element("section", "send-queue draft-offer");
    box.setAttribute("data-send-queue", "");
    box.setAttribute("aria-labelledby", "send-queue-title");
    box.setAttribute("aria-live", "polite");
    var main = document.getElementById("main");
    if (main) main.insertBefore(box, main.firstChild);
    return box;
  }

  function render(entries, sent) {
    var box = section();
    box.textContent = "";
    if (sent.length) {
      var done = element("p", "note-ok", sent.length === 1 ? "Sent: your dream saved on this device is in your journal. " : "Sent: " + sent.length + " dreams saved on this device are in your journal. ");
      if (sent.length === 1 && sent[0].dreamUrl) {
        var open = element("a", "", "Open it");
        open.href = sent[0].dreamUrl;
        done.appendChild(open);
      }
      box.appendChild(done);
    }
    if (entries.length) {
      var title = element("h2", "", "Waiting to be sent (" + entries.length + ")");
      title.id = "send-queue-title";
      box.appendChild(title);
      box.appendChild(element("p", "help", "Saved on this device with no network; sent as soon as the network returns. Each is saved once, however many times it is sent."));
      var list = element("ul", "send-queue__list");
      entries.forEach(function (entry) {
        var item = element("li", "send-queue__item");
        item.dataset.queueKey = entry.key;
        item.appendChild(element("strong", "", entry.title || entry.opening || "(no words)"));
        if (entry.title && entry.opening) item.appendChild(element("span", "", " " + entry.opening));
        var when = new Date(entry.queuedAt).toLocaleString("en-GB", { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
        item.appendChild(element("p", "help", "Kept " + when + (entry.reason ? ". " + entry.reason : ".")));
        if (entry.status === "refused") {
          item.classList.add("send-queue__item--refused");
          var target = entry.dreamUrl || entry.url;
          if (entry.conflict && target === location.pathname + location.search) {
            item.appendChild(element("p", "", "Its merge is on this page, below."));
          } else {
            var fix = element("a", "button", entry.conflict ? "Merge it" : "Open it in the form");
            fix.href = target;
            item.appendChild(fix);
          }
          var drop = element("button", "button button--quiet", "Remove from this list");
          drop.type = "button";
          drop.addEventListener("click", function () { SomniaQueue.remove(entry.key).then(refresh); });
          item.appendChild(drop);
        }
        list.appendChild(item);
      });
      box.appendChild(list);
    }
    box.hidden = !(entries.length || sent.length);
    backOnline(sent);
  }

  // The offline page, once the words it kept are sent, says so rather than "No network".
  function backOnline(sent) {
    var heading = document.querySelector("[data-offline-heading]");
    if (!heading || !sent.length) return;
    heading.textContent = sent.length === 1 ? "Back online: your dream was saved" : "Back online: your " + sent.length + " dreams were saved";
    document.title = heading.textContent + " · Somnia";
    Array.prototype.forEach.call(document.querySelectorAll("[data-offline-only]"), function (el) { el.hidden = true; });
    Array.prototype.forEach.call(document.querySelectorAll("[data-back-online]"), function (el) { el.hidden = false; });
  }

  // An entry whose words the server now holds (the page says so: an edit that waited on its
  // merge, merged since) has done its work and leaves the queue.
  function forgetSaved() {
    var saved = document.querySelector('meta[name="somnia-saved-draft"]');
    var keys = saved ? saved.content.split(" ") : [];
    if (!keys.length) return Promise.resolve();
    return SomniaQueue.all().then(function (entries) {
      return Promise.all(entries.filter(function (e) { return keys.indexOf(e.key) !== -1; })
        .map(function (e) { return SomniaQueue.remove(e.key); }));
    });
  }

  // What this page has seen arrive, sent by itself or by the worker (a "somnia-sent"
  // message): the page keeps saying so whichever sender got there first.
  // A journal on the page is drawn again when something new arrived.
  var arrived = [];
  function noteArrived(sent, writer) {
    var fresh = (sent || []).filter(function (entry) {
      var known = arrived.some(function (a) { return a.key === entry.key; });
      return !known && writer && entry.writer === writer;
    });
    arrived = arrived.concat(fresh);
    if (fresh.length) journalChanged();
    return arrived;
  }

  function writerHere(info) {
    // The offline page may have been kept before anyone logged in: the last writer here.
    var writer = info.dataset.user;
    try {
      if (writer) localStorage.setItem("somnia-last-writer", writer);
      else writer = localStorage.getItem("somnia-last-writer") || "";
    } catch (e) { /* private mode */ }
    return writer;
  }

  // Entries a gateway or a busy server could not take (502, 503, 504) are sent again from
  // this page after 20 s, then 40, 80...: SomniaQueue counts the attempts and stops asking.
  var RETRY_MS = 20000;
  var retry = null;
  function retryLater(entries) {
    var due = entries.filter(function (e) { return e.status === "waiting" && e.retry; });
    if (!due.length || retry || !navigator.onLine) return;
    var attempts = Math.min.apply(null, due.map(function (e) { return e.attempts || 1; }));
    retry = setTimeout(function () { retry = null; refresh(true); }, RETRY_MS * Math.pow(2, attempts - 1));
  }

  // The journal under a "Sent" line shows the dreams just sent: its list is drawn again (the
  // gallery answers htmx with the list alone; the address and history stay as they are).
  // Only at the top of the list: a reader further down keeps the pages and place they have.
  function journalChanged() {
    if (!document.getElementById("gallery") || !window.htmx || window.scrollY > 400) return;
    var drawn = htmx.ajax("GET", location.pathname + location.search, { target: "#gallery", swap: "outerHTML" });
    // Cut off again, or replaced by the next redraw: the list stays as it was.
    if (drawn && drawn.catch) drawn.catch(function () {});
  }

  var sending = null;
  function refresh(send, sentElsewhere) {
    var info = meta();
    if (!info || !window.indexedDB || typeof SomniaQueue === "undefined") return Promise.resolve();
    var writer = writerHere(info);
    noteArrived(sentElsewhere, writer);
    var go = forgetSaved().then(function () {
      return send && navigator.onLine && writer ? SomniaQueue.sendAll(csrfToken(), writer) : [];
    });
    sending = go.then(function (sent) {
      return SomniaQueue.all().then(function (entries) {
        var mine = entries.filter(function (e) { return writer && e.writer === writer; });
        render(mine, noteArrived(sent, writer));
        retryLater(mine);
      });
    }).catch(function (error) { console.warn("Somnia: the offline queue could not be read", error); });
    return sending;
  }
  window.SomniaOffline = { refresh: refresh, settled: function () { return sending || Promise.resolve(); } };

  document.addEventListener("DOMContentLoaded", function () {
    var info = meta();
    if (info && "serviceWorker" in navigator) {
      navigator.serviceWorker.register(info.dataset.worker, { scope: "/" }).catch(function (error) {
        console.warn("Somnia: no offline support here", error);
      });
    }
    Array.prototype.forEach.call(document.querySelectorAll("[data-logout]"), function (form) {
      form.addEventListener("submit", function () {
        if (window.caches) caches.delete("somnia-pages");
        try { localStorage.removeItem("somnia-last-writer"); } catch (e) { /* ignore */ }
      });
    });
    refresh(true);
    window.addEventListener("online", function () { refresh(true); });
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.addEventListener("message", function (event) {
        if (event.data && event.data.type === "somnia-sent") refresh(false, event.data.sent);
      });
    }
  });
})();
