// Tremplin console: a little plain JS, no build step. Everything works without it except the
// live arrival of new messages.
(function () {
  "use strict";
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  var canned = document.getElementById("canned");
  if (canned) {
    canned.addEventListener("change", function () {
      var box = document.getElementById(canned.dataset.target);
      if (box && canned.value) {
        box.value = box.value ? box.value + "\n" + canned.value : canned.value;
        box.focus();
      }
      canned.value = "";
    });
  }
  // Operators' text editor: a live preview while typing (debounced), with the checks.
  var form = document.getElementById("text-form");
  if (form) {
    var body = document.getElementById("body");
    var timer = null;
    var refresh = function () {
      var data = new FormData(form);
      data.delete("action");
      fetch(form.dataset.preview, { method: "POST", body: data, credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (answer) {
          document.getElementById("preview").innerHTML = answer.html || "";
          document.getElementById("preview-length").textContent = answer.length;
          var checks = document.getElementById("checks");
          checks.textContent = "";
          var box = document.createElement("div");
          if (answer.ok) {
            box.className = "notice";
            box.textContent = checks.dataset.ok || "OK";
          } else {
            box.className = "error";
            var ul = document.createElement("ul");
            ul.className = "problems";
            answer.problems.forEach(function (p) { var li = document.createElement("li"); li.textContent = p; ul.appendChild(li); });
            box.appendChild(ul);
          }
          checks.appendChild(box);
        })
        .catch(function () { /* the next keystroke tries again */ });
    };
    body.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(refresh, 250); });
  }
  var list = document.getElementById("transcript");
  if (!list) { return; }
  list.scrollTop = list.scrollHeight;
  var cursor = list.dataset.cursor;
  var every = parseInt(list.dataset.poll, 10) || 4000;
  var stopped = false;
  function poll() {
    if (stopped) { return; }
    fetch(list.dataset.updates + "?" + cursor, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        return response.json().then(function (body) { return { status: response.status, body: body }; });
      })
      .then(function (answer) {
        var body = answer.body;
        if (answer.status === 404 && body.gone) {
          stopped = true;
          var gone = document.getElementById("gone");
          gone.textContent = body.message;
          gone.hidden = false;
          document.querySelectorAll("form button, form textarea").forEach(function (el) { el.disabled = true; });
          return;
        }
        if (answer.status !== 200) { stopped = answer.status === 401; return; }
        if (body.count > 0) {
          var nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
          var holder = document.createElement("ol");
          holder.innerHTML = body.html;
          Array.prototype.slice.call(holder.children).forEach(function (li) {
            if (!list.querySelector('[data-id="' + li.dataset.id + '"]')) {
              li.classList.add("fresh");
              list.appendChild(li);
            }
          });
          if (nearBottom) { list.scrollTop = list.scrollHeight; }
        }
        cursor = new URLSearchParams(body.cursor).toString();
        var label = document.getElementById("state-label");
        if (label && body.state_label) { label.textContent = body.state_label; }
        var satisfaction = document.getElementById("satisfaction");
        if (satisfaction && body.satisfaction) { satisfaction.textContent = body.satisfaction; }
      })
      .catch(function () { /* offline for a moment: try again at the next tick */ })
      .then(function () { if (!stopped) { window.setTimeout(poll, every); } });
  }
  window.setTimeout(poll, every);
})();
