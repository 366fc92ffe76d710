// Dreams saved with no network, kept in IndexedDB until the server has them. Used by the
// service worker (static/js/sw.js) and by pages (static/js/offline.js).
//
// An entry is the form's post, keyed by the form's key, which the server treats as an
// idempotency key: sending an entry twice (the worker's Background Sync and a page at once,
// or a retry after a lost answer) still makes one dream. An entry leaves the queue only
// once the server said it holds the dream; one the server refuses (a date in the future)
// stays, with the reason, and its words are kept as a draft by the server too.
/* exported SomniaQueue */
var SomniaQueue = (function () {
  "use strict";
  var DB = "somnia";
  var STORE = "queue";

  function open() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB, 1);
      request.onupgradeneeded = function () { request.result.createObjectStore(STORE, { keyPath: "key" }); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function run(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var result = work(tx.objectStore(STORE));
        tx.oncomplete = function () { db.close(); resolve(result && "result" in result ? result.result : result); };
        tx.onerror = function () { db.close(); reject(tx.error); };
      });
    });
  }

  // post: {url, fields: [[name, value], ...]} where a value is text or a File (a picture).
  function add(post) {
    function field(name) {
      var found = post.fields.filter(function (pair) { return pair[0] === name; })[0];
      return found && typeof found[1] === "string" ? found[1] : "";
    }
    var body = field("body").replace(/\s+/g, " ").trim();
    var entry = {
      key: field("draft_key") || String(Date.now()),
      url: post.url,
      fields: post.fields,
      writer: field("writer"),
      title: field("title").trim(),
      opening: body.length > 120 ? body.slice(0, 120) + "…" : body,
      queuedAt: Date.now(),
      status: "waiting",
      reason: "",
    };
    return run("readwrite", function (store) { store.put(entry); }).then(function () { return entry; });
  }

  // A request's form fields (text and files) as add() keeps them.
  function fieldsOf(request) {
    return request.formData().then(function (data) {
      var fields = [];
      data.forEach(function (value, name) {
        if (typeof value === "string" || value.size) fields.push([name, value]);
      });
      return fields;
    });
  }

  function all() { return run("readonly", function (store) { return store.getAll(); }); }
  function remove(key) { return run("readwrite", function (store) { store.delete(key); }); }
  // Change only these fields of an entry, and only while it is still queued (and, with
  // `whileWaiting`, still waiting): a reply must not bring back an entry another sender (the
  // worker, another tab) has sent meanwhile, nor undo what that sender wrote into it.
  function patch(key, changes, whileWaiting) {
    return run("readwrite", function (store) {
      var found = store.get(key);
      found.onsuccess = function () {
        var stored = found.result;
        if (!stored || (whileWaiting && stored.status !== "waiting")) return;
        Object.keys(changes).forEach(function (name) { stored[name] = changes[name]; });
        store.put(stored);
      };
    });
  }

  function reasonFrom(result) {
    if (result.conflict) return "This dream was changed elsewhere meanwhile; open it to merge your words into it (both sides changed one passage: choose which to keep).";
    var errors = result.errors || {};
    return Object.keys(errors).map(function (name) { return errors[name].join(" "); }).join(" ") ||
      "The server refused it.";
  }

  // A reply that is not the server's JSON answer: the session ended (the login page, or
  // 401) or the page's token is stale (403), and the entry waits; a gateway or an
  // overloaded server could not take it (502, 503, 504), and the page sends it again with
  // growing pauses, RETRIES times at most; any other refusal (413: too large) is final.
  var RETRIES = 5;
  function notJson(entry, response) {
    var status = response.status;
    if (status === 401 || (response.redirected && /\/login\//.test(response.url))) {
      return { reason: "Not sent yet: log in to send it.", retry: false };
    }
    if (status === 403) return { reason: "Not sent yet: open Somnia again to send it.", retry: false };
    if ([502, 503, 504].indexOf(status) !== -1) {
      var attempts = (entry.attempts || 0) + 1;
      var again = attempts <= RETRIES;
      return {
        reason: "Not sent yet: the server could not take it just now. " +
          (again ? "It is sent again shortly." : "It is sent again the next time you open Somnia."),
        retry: again,
        attempts: attempts,
      };
    }
    return {
      status: "refused",
      reason: status === 413
        ? "The server refused it: too large to send (error 413)."
        : "The server refused it (error " + status + ").",
      retry: false,
    };
  }

  // Send one entry. `token`: a fresh CSRF token when a page sends (the one in the kept form
  // may be stale after logging in again). Resolves to "sent", "refused" or "waiting".
  function send(entry, token) {
    var body = new FormData();
    entry.fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
    if (token) body.set("csrfmiddlewaretoken", token);
    return fetch(entry.url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-Somnia-Queue": "1" },
    }).then(function (response) {
      var json = (response.headers.get("Content-Type") || "").indexOf("json") !== -1;
      if (!json) {
        var changes = notJson(entry, response);
        return patch(entry.key, changes, true).then(function () { return changes.status || "waiting"; });
      }
      return response.json().then(function (result) {
        if (result.ok) {
          entry.status = "sent";
          entry.dreamUrl = result.url;
          return remove(entry.key).then(function () { return "sent"; });
        }
        if (result.wrongWriter) {
          var elsewhere = "Kept for the account that wrote it; it is sent when that account logs in here.";
          return patch(entry.key, { reason: elsewhere }, true).then(function () { return "waiting"; });
        }
        return patch(entry.key, {
          status: "refused",
          conflict: !!result.conflict,  // its words wait on the merge page (result.url)
          reason: reasonFrom(result),
          dreamUrl: result.url || "",
        }).then(function () { return "refused"; });
      });
    });
  }

  // Send every waiting entry, one after another; stops at the first network failure.
  function sendAll(token, writer) {
    return all().then(function (entries) {
      var sent = [];
      var chain = Promise.resolve();
      entries.filter(function (e) { return e.status === "waiting" && (!writer || e.writer === writer); })
        .forEach(function (entry) {
          chain = chain.then(function () {
            return send(entry, token).then(function (outcome) { if (outcome === "sent") sent.push(entry); });
          });
        });
      return chain.then(function () { return sent; }, function () { return sent; });
    });
  }

  return { add: add, fieldsOf: fieldsOf, all: all, remove: remove, send: send, sendAll: sendAll };
})();
