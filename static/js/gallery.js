// Filter URLs worth sharing: htmx sends (and pushes) only the filters that are set.
document.addEventListener("htmx:configRequest", function (event) {
  "use strict";
  var form = event.detail.elt;
  if (event.detail.verb !== "get" || !form.matches || !form.matches("form.filters")) return;
  var params = event.detail.parameters;
  Object.keys(params).forEach(function (name) {
    if (params[name] === "") delete params[name];
  });
});

// The filters apply when a choice is committed, never on each arrow press: a closed <select>
// (or a radio group) changes its value on every arrow key, which would reload the cards and
// add a history entry per press. A pick with the pointer applies at once; a keyboard change
// applies on Enter or on leaving the field; the button always does. The form is swapped with
// the cards, so everything listens on the document.
(function () {
  "use strict";
  var FORM = "form.filters";
  var keyed = false;

  function state(form) {
    return new URLSearchParams(new FormData(form)).toString();
  }
  function apply(form) {
    if (form.dataset.applied === state(form)) return;
    form.dataset.applied = state(form);
    if (window.htmx) htmx.trigger(form, "apply"); else form.requestSubmit();
  }
  function filtersOf(el) { return el && el.closest ? el.closest(FORM) : null; }
  function deferred(el) { return el.matches("select, input[type=radio], input[type=date]"); }

  document.addEventListener("focusin", function (event) {
    var form = filtersOf(event.target);
    if (form && form.dataset.applied === undefined) form.dataset.applied = state(form);
  });
  document.addEventListener("pointerdown", function () { keyed = false; }, true);
  document.addEventListener("keydown", function (event) {
    var form = filtersOf(event.target);
    if (!form) return;
    keyed = true;
    if (event.key === "Enter" && deferred(event.target)) {
      event.preventDefault();
      apply(form);
    }
  }, true);
  document.addEventListener("change", function (event) {
    var form = filtersOf(event.target);
    if (!form || !deferred(event.target)) return;
    // Dates are typed a part at a time: they apply on Enter or on leaving the field.
    if (!keyed && event.target.type !== "date") apply(form);
  });
  document.addEventListener("focusout", function (event) {
    var form = filtersOf(event.target);
    if (!form || !deferred(event.target)) return;
    var next = event.relatedTarget;
    // Arrowing through one radio group moves the focus within it: not yet a choice.
    if (next && event.target.type === "radio" && next.name === event.target.name) return;
    apply(form);
  });
  document.addEventListener("submit", function (event) {
    var form = filtersOf(event.target);
    if (form) form.dataset.applied = state(form);
  }, true);
})();
