// Light or dark: the system's choice unless the reader picked one, remembered in this browser.
(function () {
  "use strict";
  var KEY = "somnia-theme";
  var root = document.documentElement;
  root.classList.add("js");
  function stored() {
    try { return localStorage.getItem(KEY); } catch (e) { return null; }
  }
  function effective() {
    var chosen = root.dataset.theme;
    if (chosen === "light" || chosen === "dark") return chosen;
    return window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }
  var initial = stored();
  if (initial === "light" || initial === "dark") root.dataset.theme = initial;

  document.addEventListener("DOMContentLoaded", function () {
    var button = document.querySelector("[data-theme-toggle]");
    if (!button) return;
    // The name stays "Dark theme"; aria-pressed and the word beside it say whether it is on.
    var state = button.querySelector("[data-theme-state]");
    function show() {
      var dark = effective() === "dark";
      button.setAttribute("aria-pressed", String(dark));
      state.textContent = dark ? "on" : "off";
    }
    button.hidden = false;
    show();
    button.addEventListener("click", function () {
      var next = effective() === "dark" ? "light" : "dark";
      root.dataset.theme = next;
      try { localStorage.setItem(KEY, next); } catch (e) { /* private mode: this page only */ }
      show();
    });
  });
})();
