// Somnia's service worker, served at /sw.js (dreams/views/offline.py prepends VERSION, the
// hash of the app shell's files, and SHELL, their URLs) so it controls every page.
//
// - The app shell (styles, scripts, icons, the offline page) is kept per VERSION.
// - The writing form is kept as a "shell" copy (no drafts list in it: nothing another person
//   at this browser could read) so it opens with no network.
// - A dream saved while the network is gone is kept in IndexedDB (static/js/offline.js shows
//   and sends the queue) and answered with the offline page; Background Sync sends it when
//   the browser has it, otherwise the next page does.
/* global VERSION, SHELL, SomniaQueue */
"use strict";

importScripts(SHELL.queue);

var STATIC = "somnia-static-" + VERSION;
var PAGES = "somnia-pages";
var WRITING = /^\/dreams\/(new|\d+\/edit)\/$/;

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(STATIC)
      .then(function (cache) { return cache.addAll(SHELL.files.concat([SHELL.offline])); })
      .then(function () { return keepForm(SHELL.newForm); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("somnia-static-") === 0 && name !== STATIC;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

// A writing form as the shell copy, when the writer is logged in (else nothing is kept).
// Not following a redirect: logged out, the form sends to the login page, whose answer sets
// the CSRF cookie again with the secret this request carried. Fetched while a sign-up or
// login was under way (the worker installs on those pages), it put back the secret from
// before the login, and the new page's first autosave was refused as an expired page.
function keepForm(path) {
  return fetch(path, { credentials: "same-origin", redirect: "manual", headers: { "X-Somnia-Shell": "1" } })
    .then(function (response) {
      if (!response.ok || response.redirected) return null;  // an opaque redirect is not ok
      return caches.open(PAGES).then(function (cache) { return cache.put(path, response); });
    })
    .catch(function () { return null; });
}

function offlinePage() {
  return caches.match(SHELL.offline, { cacheName: STATIC });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== location.origin) return;
  if (request.method === "POST" && request.mode === "navigate" && WRITING.test(url.pathname)) {
    // Back or Forward to a page a post answered asks the browser's cache alone: no new save,
    // and no lost network either, so the browser answers it as it would (never the queue).
    if (request.cache === "only-if-cached") return;
    event.respondWith(saveOrQueue(request));
    return;
  }
  if (request.method !== "GET") return;
  if (url.pathname.indexOf(SHELL.staticPrefix) === 0) {
    event.respondWith(
      caches.match(request, { cacheName: STATIC }).then(function (hit) { return hit || fetch(request); })
    );
    return;
  }
  if (request.mode === "navigate") event.respondWith(navigate(request, url));
});

function navigate(request, url) {
  return fetch(request).then(function (response) {
    // Online: keep this form's shell fresh (its CSRF token, the account it is for).
    if (response.ok && !response.redirected && WRITING.test(url.pathname)) keepForm(url.pathname);
    return response;
  }).catch(function () {
    return caches.match(url.pathname, { cacheName: PAGES }).then(function (hit) {
      if (hit) return hit;
      if (WRITING.test(url.pathname)) {
        return caches.match(SHELL.newForm, { cacheName: PAGES }).then(function (form) { return form || offlinePage(); });
      }
      return offlinePage();
    });
  });
}

// Saving a dream: through when the network is there; kept on the device when it is not.
function saveOrQueue(request) {
  var copy = request.clone();
  return fetch(request).catch(function () {
    return SomniaQueue.fieldsOf(copy).then(function (fields) {
      return SomniaQueue.add({ url: new URL(copy.url).pathname, fields: fields });
    }).then(function () {
      if (self.registration.sync) self.registration.sync.register("somnia-send").catch(function () {});
      return offlinePage();
    });
  });
}

// Send the queue, then tell the open pages what arrived: a page whose own send failed (or
// found the queue already empty) still says the dream is in the journal.
function sendQueue() {
  return SomniaQueue.sendAll().then(function (sent) {
    if (!sent.length) return null;
    var message = {
      type: "somnia-sent",
      sent: sent.map(function (e) { return { key: e.key, writer: e.writer, dreamUrl: e.dreamUrl || "" }; }),
    };
    return self.clients.matchAll({ type: "window" }).then(function (pages) {
      pages.forEach(function (page) { page.postMessage(message); });
    });
  });
}

self.addEventListener("sync", function (event) {
  if (event.tag === "somnia-send") event.waitUntil(sendQueue());
});

self.addEventListener("message", function (event) {
  // Logging out: forget the kept forms, so the next person here finds none.
  if (event.data === "forget-pages") event.waitUntil(caches.delete(PAGES));
  if (event.data === "send") event.waitUntil(sendQueue());
});
