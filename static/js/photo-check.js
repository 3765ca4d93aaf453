// Hand-held ID photos (templates/accounts/identity.html): each chosen photo is checked in
// the browser before anything is sent (readable, large enough, not blank, within
// 300 KB), an over-size photo can be shrunk to 300 KB here with a canvas, and the button
// is disabled while the form is sending, so a double tap sends it once. The server still
// checks everything (accounts/services/identity_requests.py); the messages come from the
// form's data-msg-* attributes, translated in the template.
(function () {
  "use strict";
  var form = document.querySelector("form[data-photo-check]");
  if (!form) { return; }
  var maxBytes = Number(form.dataset.maxBytes);
  var minSide = Number(form.dataset.minSide);
  var maxPixels = Number(form.dataset.maxPixels);
  var BLANK_SPREAD = 4; // grey levels at 64×64, as portal.lib.uploads.pixel_spread
  var problems = {}; // input name -> true while its photo would be refused

  function msg(name, values) {
    var text = form.dataset["msg" + name] || "";
    Object.keys(values || {}).forEach(function (key) {
      text = text.split("{" + key + "}").join(String(values[key]));
    });
    return text;
  }

  function kb(bytes) { return Math.ceil(bytes / 1024); }

  function noteFor(input) {
    var id = input.id + "_check";
    var note = document.getElementById(id);
    if (!note) {
      note = document.createElement("div");
      note.id = id;
      note.className = "photo-check";
      note.setAttribute("aria-live", "polite");
      input.insertAdjacentElement("afterend", note);
      var described = input.getAttribute("aria-describedby");
      input.setAttribute("aria-describedby", described ? described + " " + id : id);
    }
    return note;
  }

  function say(input, text, isProblem, action) {
    var note = noteFor(input);
    note.textContent = "";
    var p = document.createElement("p");
    p.className = isProblem ? "field-error" : "help";
    p.textContent = text;
    note.appendChild(p);
    if (action) { note.appendChild(action); }
    problems[input.name] = isProblem;
  }

  // Decoded without an <img>: the portal's CSP allows no blob: images (img-src 'self').
  function load(file) {
    if (!window.createImageBitmap) { return Promise.reject(new Error("no decoder")); }
    return window.createImageBitmap(file);
  }

  function spread(img) {
    var canvas = document.createElement("canvas");
    canvas.width = 64; canvas.height = 64;
    var ctx = canvas.getContext("2d");
    ctx.drawImage(img, 0, 0, 64, 64);
    var data = ctx.getImageData(0, 0, 64, 64).data;
    var sum = 0, sumSq = 0, n = data.length / 4;
    for (var i = 0; i < data.length; i += 4) {
      var grey = 0.299 * data[i] + 0.587 * data[i + 1] + 0.114 * data[i + 2];
      sum += grey; sumSq += grey * grey;
    }
    var mean = sum / n;
    return Math.sqrt(Math.max(0, sumSq / n - mean * mean));
  }

  function toBlob(canvas, quality) {
    return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", quality); });
  }

  // Smaller steps of scale and JPEG quality until the photo fits, never below minSide.
  function shrink(img) {
    var scale = Math.min(1, Math.sqrt(maxPixels / (img.width * img.height)), 2000 / Math.max(img.width, img.height));
    var quality = 0.85;
    function attempt() {
      var w = Math.round(img.width * scale), h = Math.round(img.height * scale);
      if (Math.min(w, h) < minSide) { return Promise.resolve(null); }
      var canvas = document.createElement("canvas");
      canvas.width = w; canvas.height = h;
      canvas.getContext("2d").drawImage(img, 0, 0, w, h);
      return toBlob(canvas, quality).then(function (blob) {
        if (blob && blob.size <= maxBytes) { return { blob: blob, w: w, h: h }; }
        if (quality > 0.6) { quality -= 0.1; } else { scale *= 0.8; }
        return attempt();
      });
    }
    return attempt();
  }

  function replaceFile(input, blob, name) {
    var file = new File([blob], name.replace(/\.[^.]*$/, "") + ".jpg", { type: "image/jpeg" });
    var transfer = new DataTransfer();
    transfer.items.add(file);
    input.files = transfer.files;
    return file;
  }

  function check(input) {
    var file = input.files && input.files[0];
    if (!file) { problems[input.name] = false; noteFor(input).textContent = ""; return; }
    load(file).then(function (img) {
      var w = img.width, h = img.height;
      if (Math.min(w, h) < minSide) {
        return say(input, msg("TooSmall", { w: w, h: h, min: minSide }), true);
      }
      if (spread(img) < BLANK_SPREAD) { return say(input, msg("Blank"), true); }
      if (file.size <= maxBytes && w * h <= maxPixels) {
        return say(input, msg("Ok", { kb: kb(file.size), w: w, h: h }), false);
      }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button-secondary";
      button.textContent = msg("Shrink");
      button.addEventListener("click", function () {
        button.disabled = true;
        shrink(img).then(function (result) {
          if (!result) { return say(input, msg("ShrinkFailed"), true); }
          var shrunk = replaceFile(input, result.blob, file.name);
          say(input, msg("Shrunk", { kb: kb(shrunk.size), w: result.w, h: result.h }), false);
        });
      });
      say(input, msg("TooBig", { kb: kb(file.size) }), true, button);
    }).catch(function () { say(input, msg("NotImage"), true); });
  }

  var inputs = form.querySelectorAll("input[type=file]");
  Array.prototype.forEach.call(inputs, function (input) {
    input.addEventListener("change", function () { check(input); });
  });

  var sending = false;
  var button = form.querySelector("button[type=submit]");
  var label = button.textContent;
  var summary = document.createElement("p");
  summary.className = "field-error";
  summary.setAttribute("role", "alert");
  summary.hidden = true;
  button.insertAdjacentElement("beforebegin", summary);
  form.addEventListener("submit", function (event) {
    var blocked = Object.keys(problems).filter(function (name) { return problems[name]; });
    if (sending || blocked.length) {
      event.preventDefault();
      if (!sending) {
        summary.textContent = msg("Fix");
        summary.hidden = false;
        var first = form.querySelector("[name='" + blocked[0] + "']");
        if (first) { first.focus(); }
      }
      return;
    }
    sending = true;
    summary.hidden = true;
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    button.textContent = msg("Sending");
  });
  // Back to the page from the browser's cache: the form may be sent again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) { return; }
    sending = false;
    button.disabled = false;
    button.removeAttribute("aria-busy");
    button.textContent = label;
  });
})();
