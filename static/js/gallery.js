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
