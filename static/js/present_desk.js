/* The desk's presenter panel: buttons and keyboard shortcuts that drive the projector over
   Socket.IO /present. Shortcuts: → next, ← previous, Space start/stop the countdown,
   A reveal the answer, T next situation (Shift+T previous), Esc the title screen.
   The control desk (control.js) tells the panel which team is on stage by dispatching
   document.dispatchEvent(new CustomEvent("desk:stage", {detail: {entry_id: 12}})) whenever the
   stage changes; the panel's script is loaded once, by the panel itself. */
(function () {
  "use strict";

  var panel = document.getElementById("present-desk");
  if (!panel) { return; }
  var editionId = parseInt(panel.getAttribute("data-edition-id"), 10);
  var teamSelect = document.getElementById("pd-team");
  var autostart = document.getElementById("pd-autostart");
  var numberInput = document.getElementById("pd-number");
  var message = document.getElementById("pd-message");
  var showing = document.getElementById("pd-showing");
  var keyBox = document.getElementById("pd-key");
  var clockBox = document.getElementById("pd-clock");
  var state = null;
  var desk = null;
  var clockOffset = 0;

  function selectedEntry() {
    var value = teamSelect && teamSelect.value;
    return value ? parseInt(value, 10) : null;
  }

  function formatClock(ms) {
    var total = Math.max(0, Math.ceil(ms / 1000));
    var m = Math.floor(total / 60);
    var s = total % 60;
    return (m < 10 ? "0" : "") + m + ":" + (s < 10 ? "0" : "") + s;
  }

  function renderClock() {
    var c = state && state.countdown;
    if (!c) { clockBox.textContent = "—"; return; }
    var left = c.running && c.deadline_ms ? Math.max(0, c.deadline_ms - (Date.now() + clockOffset)) : c.remaining_ms;
    clockBox.textContent = left <= 0 ? "Hết giờ" : formatClock(left) + (c.running ? "" : " (đang dừng)");
  }

  function render(next, extras) {
    state = next;
    if (extras) { desk = extras; }
    if (typeof next.server_now_ms === "number") { clockOffset = next.server_now_ms - Date.now(); }
    var text = "Màn hình chờ";
    if (next.mode === "question" && next.question) {
      text = "Câu " + next.question.number + "/" + next.question.total;
    } else if (next.mode === "situation" && next.situation) {
      text = "Tình huống " + next.situation.number + "/" + next.situation.total;
    }
    if (next.team && next.mode !== "idle") { text += " · " + next.team.name; }
    showing.textContent = text;
    if (next.answer) {
      keyBox.textContent = next.answer.letter + " (đã hiện)";
    } else if (next.mode === "question" && desk && desk.key) {
      keyBox.textContent = desk.key + " (chưa hiện)";
    } else {
      keyBox.textContent = "—";
    }
    renderClock();
  }

  var socket = io("/present", { auth: { edition_id: editionId }, transports: ["websocket"] });

  function send(event, extra) {
    var data = { edition_id: editionId };
    var entry = selectedEntry();
    if (entry) { data.entry_id = entry; }
    if (extra) { for (var k in extra) { if (Object.prototype.hasOwnProperty.call(extra, k)) { data[k] = extra[k]; } } }
    socket.emit(event, data, function (ack) {
      if (!ack) { return; }
      if (ack.ok) {
        message.textContent = "";
        render(ack.state, ack.desk);
      } else {
        message.textContent = ack.message || "Không thực hiện được.";
      }
    });
  }

  function numberValue() {
    var n = parseInt(numberInput.value, 10);
    return isNaN(n) ? null : n;
  }

  var actions = {
    next: function () { send("show_next", { autostart: autostart.checked }); },
    previous: function () { send("show_previous", { autostart: autostart.checked }); },
    toggle: function () { send("toggle_countdown"); },
    reveal: function () { send("reveal_answer"); },
    situation: function () { send("show_situation"); },
    "situation-previous": function () {
      var current = state && state.mode === "situation" && state.situation ? state.situation.number : 2;
      send("show_situation", { number: Math.max(1, current - 1) });
    },
    clear: function () { send("clear_screen"); },
    "goto": function () {
      var n = numberValue();
      if (n === null) { message.textContent = "Hãy nhập số thứ tự câu hỏi."; return; }
      send("show_question", { number: n, autostart: autostart.checked });
    },
    "goto-situation": function () {
      var n = numberValue();
      if (n === null) { message.textContent = "Hãy nhập số thứ tự tình huống."; return; }
      send("show_situation", { number: n });
    }
  };

  panel.addEventListener("click", function (event) {
    var button = event.target.closest("[data-action]");
    if (!button || !panel.contains(button)) { return; }
    var action = actions[button.getAttribute("data-action")];
    if (action) { action(); }
  });

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var tag = target && target.tagName ? target.tagName.toLowerCase() : "";
    // Keys drive the projector only when no form field has focus (typing a reason, a number…).
    if (tag === "input" || tag === "textarea" || tag === "select" || (target && target.isContentEditable)) { return; }
    // Space on a focused button presses that button: it must not also start the countdown.
    if (tag === "button" && (event.key === " " || event.code === "Space")) { return; }
    if (event.ctrlKey || event.altKey || event.metaKey) { return; }
    var name = null;
    if (event.key === "ArrowRight") { name = "next"; }
    else if (event.key === "ArrowLeft") { name = "previous"; }
    else if (event.key === " " || event.code === "Space") { name = "toggle"; }
    else if (event.key === "a" || event.key === "A") { name = "reveal"; }
    else if (event.key === "t") { name = "situation"; }
    else if (event.key === "T") { name = "situation-previous"; }
    else if (event.key === "Escape") { name = "clear"; }
    if (!name) { return; }
    event.preventDefault();
    actions[name]();
  });

  document.addEventListener("desk:stage", function (event) {
    var id = event.detail && event.detail.entry_id;
    if (id && teamSelect) { teamSelect.value = String(id); }
  });

  function follow(payload) {
    if (!payload || !payload.state) { return; }
    var next = payload.state;
    if (next.team && teamSelect && next.mode !== "idle") { teamSelect.value = String(next.team.entry_id); }
    render(next, null);
    socket.emit("get_present_state", { edition_id: editionId }, function (ack) {
      if (ack && ack.ok) { render(ack.state, ack.desk); }
    });
  }

  socket.on("connect", function () { message.textContent = ""; panel.setAttribute("data-connected", "1"); });
  socket.on("disconnect", function () {
    panel.setAttribute("data-connected", "0");
    message.textContent = "Mất kết nối với máy chủ, đang kết nối lại…";
  });
  socket.on("present_state", follow);
  ["question_shown", "answer_revealed", "situation_shown", "countdown_started",
   "countdown_stopped", "screen_cleared"].forEach(function (name) {
    socket.on(name, follow);
  });

  window.setInterval(renderClock, 250);
})();
