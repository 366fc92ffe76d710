// The writer's own clock. At sign-up, tells the server this device's time zone; later, when
// the device's zone is not the account's (a trip, a new phone), offers to switch, once per
// pair of zones. Not on the writing page: nothing may take the writer away from their words.
(function () {
  "use strict";

  function deviceZone() {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return ""; }
  }

  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["x-csrftoken"] || ""; }
    catch (e) { return ""; }
  }

  function hidden(name, value) {
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = name;
    input.value = value;
    return input;
  }

  function offerSwitch(meta, zone) {
    var seen = "somnia-zone-kept:" + meta.content + ">" + zone;
    try { if (localStorage.getItem(seen)) return; } catch (e) { return; }
    var box = document.createElement("section");
    box.className = "zone-prompt messages";
    box.setAttribute("aria-label", "Time zone");
    var text = document.createElement("p");
    text.className = "message";
    text.textContent = "This device is on " + zone.replace(/_/g, " ") + " time; Somnia shows your times on " +
      meta.content.replace(/_/g, " ") + ".";
    var form = document.createElement("form");
    form.method = "post";
    form.action = meta.dataset.setUrl;
    form.appendChild(hidden("csrfmiddlewaretoken", csrfToken()));
    form.appendChild(hidden("time_zone", zone));
    form.appendChild(hidden("next", location.pathname + location.search));
    var use = document.createElement("button");
    use.type = "submit";
    use.className = "button";
    use.textContent = "Use " + zone.replace(/_/g, " ");
    var keep = document.createElement("button");
    keep.type = "button";
    keep.className = "button button--quiet";
    keep.textContent = "Keep " + meta.content.replace(/_/g, " ");
    keep.addEventListener("click", function () {
      try { localStorage.setItem(seen, "1"); } catch (e) { /* ignore */ }
      box.remove();
    });
    form.appendChild(use);
    form.appendChild(keep);
    box.appendChild(text);
    box.appendChild(form);
    var main = document.getElementById("main");
    if (main) main.insertBefore(box, main.firstChild);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var zone = deviceZone();
    Array.prototype.forEach.call(document.querySelectorAll('input[name="time_zone"][type="hidden"]'), function (input) {
      if (!input.value) input.value = zone;
    });
    var meta = document.querySelector('meta[name="somnia-time-zone"]');
    if (meta && zone && zone !== meta.content && !document.querySelector("[data-writing-form]")) {
      offerSwitch(meta, zone);
    }
  });
})();
