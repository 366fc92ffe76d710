// Pictures on the writing form (templates/dreams/_pictures_fieldset.html). Without this file
// the chosen files post with the form. With it, each file is sent as soon as it is chosen
// (to wait under the form's draft key until the dream is saved), the text alternative follows
// the title until it is typed in, and a sketch pad draws with pointer events (mouse, touch,
// pen): colours, brush sizes, an eraser, undo, and "attach" which sends the drawing as a PNG.
(function () {
  "use strict";

  function csrfToken(form) {
    var input = form.querySelector("[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function setup(fieldset) {
    var form = fieldset.closest("form");
    var input = fieldset.querySelector("[data-picture-input]");
    var newAlt = fieldset.querySelector("[data-picture-new-alt]");
    var list = fieldset.querySelector("#picture-list");
    var errors = fieldset.querySelector("#picture-errors");
    var status = fieldset.querySelector("#picture-status");
    var title = form.querySelector("[name=title]");
    var busy = 0;

    // Files go up on their own; the form's drafts and autosaves never carry them.
    input.removeAttribute("name");

    // The text alternative starts as the title, until the writer types their own.
    var altTyped = newAlt.value !== "" && (!title || newAlt.value !== title.value);
    newAlt.addEventListener("input", function () { altTyped = newAlt.value !== ""; });
    if (title) {
      title.addEventListener("input", function () { if (!altTyped) newAlt.value = title.value; });
    }

    function say(text) { status.textContent = text; }

    function send(file, name) {
      var data = new FormData();
      data.append("csrfmiddlewaretoken", csrfToken(form));
      data.append("draft_key", (form.elements.draft_key || {}).value || form.dataset.draftKey || "");
      var dream = form.querySelector("input[name=dream]");
      if (dream) data.append("dream", dream.value);
      data.append("picture", file, name || file.name);
      data.append("picture_alt", newAlt.value);
      busy += 1;
      say("Adding " + (name || file.name) + "…");
      return fetch(fieldset.dataset.addUrl, {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(form) },
      }).then(function (response) {
        return response.text().then(function (html) {
          var holder = document.createElement("template");
          holder.innerHTML = html;
          if (response.status === 201) {
            list.appendChild(holder.content);
            say((name || file.name) + " added. It is saved with the dream.");
            return true;
          }
          if (response.status === 422) errors.appendChild(holder.content);
          else errors.appendChild(message("Not added (" + response.status + "): log in again and retry."));
          say("");
          return false;
        });
      }).catch(function () {
        errors.appendChild(message("Not added: no connection. It will be sent with the form when you save."));
        return null;
      }).finally(function () { busy -= 1; });
    }

    function message(text) {
      var p = document.createElement("p");
      p.className = "field-error";
      p.setAttribute("role", "alert");
      p.textContent = text;
      return p;
    }

    input.addEventListener("change", function () {
      errors.textContent = "";
      var files = Array.prototype.slice.call(input.files);
      Promise.all(files.map(function (file) { return send(file); })).then(function (results) {
        if (results.indexOf(null) >= 0) {
          // Offline: let the chosen files post with the form, as without JavaScript.
          input.setAttribute("name", "picture");
        } else {
          input.value = "";
        }
      });
    });

    form.addEventListener("submit", function (event) {
      if (busy > 0) {
        event.preventDefault();
        say("Still adding a picture: save again in a moment.");
      }
    });

    var template = document.getElementById("sketch-pad-template");
    var slot = fieldset.querySelector("#sketch-pad-slot");
    if (template && slot && window.PointerEvent) {
      slot.appendChild(template.content.cloneNode(true));
      sketchPad(slot.querySelector("[data-sketch]"), function (blob) {
        return send(new File([blob], "sketch.png", { type: "image/png" }), "sketch.png");
      });
    }
  }

  function sketchPad(root, attach) {
    var canvas = root.querySelector("[data-sketch-canvas]");
    var context = canvas.getContext("2d");
    var strokes = [];
    var current = null;
    var colour = "#1c1830";
    var size = 10;
    var erasing = false;
    var undo = root.querySelector("[data-sketch-undo]");
    var clear = root.querySelector("[data-sketch-clear]");
    var attachButton = root.querySelector("[data-sketch-attach]");

    function point(event) {
      var box = canvas.getBoundingClientRect();
      var pressure = event.pointerType === "pen" && event.pressure ? event.pressure : 0.5;
      return {
        x: (event.clientX - box.left) * (canvas.width / box.width),
        y: (event.clientY - box.top) * (canvas.height / box.height),
        w: Math.max(1, size * (canvas.width / Math.max(box.width, 1)) * (0.5 + pressure)),
      };
    }

    function drawSegment(stroke, from, to) {
      context.globalCompositeOperation = stroke.erase ? "destination-out" : "source-over";
      context.strokeStyle = stroke.colour;
      context.fillStyle = stroke.colour;
      context.lineCap = "round";
      context.lineJoin = "round";
      context.lineWidth = to.w;
      context.beginPath();
      context.moveTo(from.x, from.y);
      if (from === to) {
        context.arc(to.x, to.y, to.w / 2, 0, Math.PI * 2);
        context.fill();
      } else {
        context.lineTo(to.x, to.y);
        context.stroke();
      }
    }

    function redraw() {
      context.clearRect(0, 0, canvas.width, canvas.height);
      strokes.forEach(function (stroke) {
        stroke.points.forEach(function (p, i) { drawSegment(stroke, stroke.points[i - 1] || p, p); });
      });
      context.globalCompositeOperation = "source-over";
      var empty = strokes.length === 0;
      undo.disabled = clear.disabled = attachButton.disabled = empty;
    }

    canvas.addEventListener("pointerdown", function (event) {
      if (event.button > 0) return;
      event.preventDefault();
      try { canvas.setPointerCapture(event.pointerId); } catch (e) { /* a pointer already gone */ }
      var p = point(event);
      current = { id: event.pointerId, colour: colour, erase: erasing, points: [p] };
      strokes.push(current);
      drawSegment(current, p, p);
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!current || event.pointerId !== current.id) return;
      var events = event.getCoalescedEvents ? event.getCoalescedEvents() : [event];
      (events.length ? events : [event]).forEach(function (e) {
        var p = point(e);
        drawSegment(current, current.points[current.points.length - 1], p);
        current.points.push(p);
      });
    });
    function end(event) {
      if (!current || event.pointerId !== current.id) return;
      current = null;
      redraw();
    }
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);

    function press(group, button) {
      group.forEach(function (b) { b.setAttribute("aria-pressed", String(b === button)); });
    }
    var swatches = Array.prototype.slice.call(root.querySelectorAll("[data-colour]"));
    var tools = Array.prototype.slice.call(root.querySelectorAll("[data-size], [data-eraser]"));
    swatches.forEach(function (button) {
      button.addEventListener("click", function () {
        colour = button.dataset.colour;
        press(swatches, button);
        if (erasing) {
          erasing = false;
          press(tools, tools.filter(function (b) { return Number(b.dataset.size) === size; })[0]);
        }
      });
    });
    tools.forEach(function (button) {
      button.addEventListener("click", function () {
        if (button.hasAttribute("data-eraser")) erasing = true;
        else { erasing = false; size = Number(button.dataset.size); }
        press(tools, button);
      });
    });
    undo.addEventListener("click", function () { strokes.pop(); redraw(); });
    clear.addEventListener("click", function () { strokes = []; redraw(); });
    attachButton.addEventListener("click", function () {
      // On white, so the drawing reads in dark mode too; erased parts become paper again.
      var paper = document.createElement("canvas");
      paper.width = canvas.width;
      paper.height = canvas.height;
      var ink = paper.getContext("2d");
      ink.fillStyle = "#ffffff";
      ink.fillRect(0, 0, paper.width, paper.height);
      ink.drawImage(canvas, 0, 0);
      attachButton.disabled = true;
      paper.toBlob(function (blob) {
        attach(blob).then(function (added) {
          if (added) { strokes = []; redraw(); } else { attachButton.disabled = false; }
        });
      }, "image/png");
    });
  }

  function start() {
    document.querySelectorAll("[data-pictures]").forEach(setup);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
