// Unsaved drafts on the writing form: the server's and this device's copies, reconciled.
//
// Every form has a key. The server's draft and this device's copy of one key each carry when
// their words last changed and a hash of the words (see dreams/drafts.py). The list offers
// the newest first; when the two copies of one key hold different words, both are shown side
// by side with the differences marked, and neither is dropped until the writer chooses.
// Restoring the older of two never overwrites the newer: the form then goes on under a new
// key. Discard discards both copies.
(function () {
  "use strict";

  // ---- The rules, pure (tests/e2e/test_capture.py runs them with a table of cases).

  // server: [{key, title, body, fields, version, changedAt, hash}];
  // device: [{key, title, body, fields, version, changedAt, hash}];
  // current: {key, hash} of what the form shows now.
  // Returns groups, newest first: {key, copies: [{place, ...copy}], differ, newest}.
  function reconcile(server, device, current) {
    var byKey = {};
    function add(place, copy) {
      if (!copy || !copy.key || !((copy.body || "").trim() || (copy.title || "").trim())) return;
      (byKey[copy.key] = byKey[copy.key] || []).push(Object.assign({ place: place }, copy));
    }
    server.forEach(function (c) { add("server", c); });
    device.forEach(function (c) { add("device", c); });
    var groups = [];
    Object.keys(byKey).forEach(function (key) {
      var copies = byKey[key].sort(function (a, b) { return b.changedAt - a.changedAt; });
      var differ = copies.length > 1 && copies[0].hash !== copies[1].hash;
      if (copies.length > 1 && !differ) {
        // The same words in both places: one offer, the server's (it is safe there).
        var one = copies[0].place === "server" ? copies[0] : copies[1];
        copies = [Object.assign({}, one, { place: "both" })];
      }
      // What the form already shows is not offered again, unless another copy differs.
      if (key === current.key && !differ && copies[0].hash === current.hash) return;
      groups.push({ key: key, copies: copies, differ: differ, newest: copies[0].changedAt });
    });
    return groups.sort(function (a, b) { return b.newest - a.newest; });
  }

  // Restoring the newest copy of a key goes on under that key; an older one under a new key,
  // so the newer copy is never overwritten.
  function keyAfterRestore(group, copy, freshKey) {
    return copy === group.copies[0] ? group.key : freshKey;
  }

  // Words of `mine` that `theirs` lacks, marked: [[text, changed], ...]. Longest common
  // subsequence of words; long texts (over 4 million word pairs) are shown unmarked.
  function markDifferences(mine, theirs) {
    var a = (mine || "").match(/\S+|\s+/g) || [];
    var b = (theirs || "").match(/\S+/g) || [];
    var words = a.filter(function (t) { return /\S/.test(t); });
    if (words.length * b.length > 4e6) return a.map(function (t) { return [t, false]; });
    var n = words.length, m = b.length, i, j;
    var table = [];
    for (i = 0; i <= n; i++) table.push(new Uint32Array(m + 1));
    for (i = n - 1; i >= 0; i--) {
      for (j = m - 1; j >= 0; j--) {
        table[i][j] = words[i] === b[j] ? table[i + 1][j + 1] + 1 : Math.max(table[i + 1][j], table[i][j + 1]);
      }
    }
    var common = new Array(n);
    for (i = 0, j = 0; i < n && j < m;) {
      if (words[i] === b[j]) { common[i] = true; i++; j++; }
      else if (table[i + 1][j] >= table[i][j + 1]) i++;
      else j++;
    }
    var w = 0;
    return a.map(function (t) { return /\S/.test(t) ? [t, !common[w++]] : [t, false]; });
  }

  window.SomniaDrafts = { reconcile: reconcile, keyAfterRestore: keyAfterRestore, markDifferences: markDifferences };

  // ---- The list on the page.

  function zone() {
    var meta = document.querySelector('meta[name="somnia-time-zone"]');
    return meta ? meta.content : undefined;
  }

  function when(ms) {
    try {
      return new Date(ms).toLocaleString("en-GB", {
        timeZone: zone(), day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
      });
    } catch (e) { return new Date(ms).toLocaleString(); }
  }

  function element(tag, className, text) {
    var el = document.createElement(tag);
    if (className) el.className = className;
    if (text !== undefined) el.textContent = text;
    return el;
  }

  var PLACES = {
    server: "Saved on the server",
    device: "On this device only",
    both: "Saved on the server and on this device",
  };

  function copyBlock(copy, group, other) {
    var block = element("div", "draft-copy");
    var label = group.differ
      ? (copy === group.copies[0] ? "Newer: " : "Older: ") + (copy.place === "server" ? "on the server" : "on this device")
      : PLACES[copy.place];
    var head = element("p", "draft-copy__when", label + ", ");
    var time = element("time", "", when(copy.changedAt));
    time.dateTime = new Date(copy.changedAt).toISOString();
    head.appendChild(time);
    block.appendChild(head);
    var text = element("blockquote", "draft-copy__text" + (group.differ ? " draft-copy__text--whole" : ""));
    if (copy.title) text.appendChild(element("strong", "", copy.title + " "));
    if (group.differ) {
      // Runs of marked words (with the spaces between them) become one mark.
      var parts = markDifferences(copy.body, other.body);
      var run = null;
      parts.forEach(function (part, i) {
        var next = parts[i + 1];
        var bridge = !part[1] && /^\s+$/.test(part[0]) && run && next && next[1];
        if (part[1] || bridge) {
          if (!run) { run = element("mark", ""); text.appendChild(run); }
          run.appendChild(document.createTextNode(part[0]));
        } else {
          run = null;
          text.appendChild(document.createTextNode(part[0]));
        }
      });
    } else {
      var line = (copy.body || "").replace(/\s+/g, " ").trim();
      text.appendChild(document.createTextNode(line.length > 160 ? line.slice(0, 160) + "…" : line));
    }
    block.appendChild(text);
    return block;
  }

  function buildItem(group, controller) {
    var item = element("li", "draft-choice" + (group.differ ? " draft-choice--differ" : ""));
    item.setAttribute("data-draft-choice", "");
    item.dataset.draftKey = group.key;
    if (group.differ) item.appendChild(element("p", "draft-choice__note", "Two versions of these words; marked words are in one only. Choose one to go on with."));
    var copies = element("div", "draft-choice__copies");
    var actions = element("div", "draft-choice__actions");
    group.copies.forEach(function (copy, index) {
      var block = copyBlock(copy, group, group.copies[1 - index] || copy);
      var restore = element("button", "button", group.differ ? "Restore this one" : "Restore");
      restore.type = "button";
      restore.addEventListener("click", function () {
        controller.restore(copy, keyAfterRestore(group, copy, controller.freshKey()));
        item.remove();
        if (copy !== group.copies[0]) refresh(controller);  // the newer one is still offered
      });
      if (group.differ) block.appendChild(restore);
      else actions.appendChild(restore);
      copies.appendChild(block);
    });
    item.appendChild(copies);
    var discard = element("form", "");
    var button = element("button", "button button--quiet", "Discard");
    button.type = "submit";
    discard.appendChild(button);
    var section = document.querySelector("[data-drafts]");
    if (group.copies.some(function (c) { return c.place !== "device"; })) {
      // The server's copy goes by a real form post (which comes back to this page).
      discard.method = "post";
      discard.action = section.dataset.discardUrl.replace(/0{8}-0{4}-0{4}-0{4}-0{12}/, group.key);
      [["csrfmiddlewaretoken", controller.csrfToken()], ["next", location.pathname]].forEach(function (pair) {
        var input = element("input", "");
        input.type = "hidden";
        input.name = pair[0];
        input.value = pair[1];
        discard.insertBefore(input, button);
      });
    } else {
      discard.addEventListener("submit", function (event) { event.preventDefault(); item.remove(); });
    }
    discard.querySelector("button").textContent = group.differ ? "Discard both" : "Discard";
    discard.addEventListener("submit", function () { controller.forgetDevice(group.key); });
    actions.appendChild(discard);
    item.appendChild(actions);
    return item;
  }

  var lastGroups = null;

  function refresh(controller) {
    var section = document.querySelector("[data-drafts]");
    var list = document.querySelector("[data-drafts-list]");
    if (!section || !list) return;
    // This form's drafts are rebuilt from both places; other forms' stay as the server wrote them.
    Array.prototype.forEach.call(list.querySelectorAll("[data-draft-choice][data-here]"), function (li) { li.remove(); });
    Array.prototype.forEach.call(list.querySelectorAll("[data-draft-choice]:not([data-here])"), function (li) {
      li.querySelector("form[data-discard]").addEventListener("submit", function () { controller.forgetDevice(li.dataset.draftKey); });
    });
    var groups = reconcile(controller.serverCopies(), controller.deviceCopies(), controller.current());
    lastGroups = groups;
    var others = Array.prototype.slice.call(list.children);
    groups.forEach(function (group) {
      var item = buildItem(group, controller);
      item.setAttribute("data-here", "");
      var later = others.filter(function (li) { return Number(li.dataset.changedAt) < group.newest && !li.hasAttribute("data-here"); })[0];
      list.insertBefore(item, later || null);
    });
    var first = list.querySelector("[data-draft-choice]");
    Array.prototype.forEach.call(list.children, function (li) { li.classList.toggle("draft-choice--newest", li === first); });
    section.hidden = !list.children.length;
  }

  document.addEventListener("somnia:writing-ready", function (event) { refresh(event.detail); });
  window.SomniaDrafts.groups = function () { return lastGroups; };
})();
