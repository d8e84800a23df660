/* The projector screen: renders the snapshot the server sends over Socket.IO /present.
   Receives present_state on connect, then question_shown, answer_revealed, situation_shown,
   countdown_started, countdown_stopped, screen_cleared, each carrying the whole snapshot. */
(function () {
  "use strict";

  var body = document.body;
  var editionId = parseInt(body.getAttribute("data-edition-id"), 10);
  var el = function (id) { return document.getElementById(id); };
  var stage = el("stage");
  var countdownBox = el("countdown");
  var countdownText = el("countdown-text");
  var linkState = el("link-state");
  var state = null;
  var clockOffset = 0; // server time minus local time, in ms

  function formatClock(ms) {
    var total = Math.max(0, Math.ceil(ms / 1000));
    var m = Math.floor(total / 60);
    var s = total % 60;
    return (m < 10 ? "0" : "") + m + ":" + (s < 10 ? "0" : "") + s;
  }

  function remainingMs(countdown) {
    if (!countdown) { return 0; }
    if (countdown.running && countdown.deadline_ms) {
      return Math.max(0, countdown.deadline_ms - (Date.now() + clockOffset));
    }
    return countdown.remaining_ms;
  }

  function renderClock() {
    var countdown = state && state.countdown;
    if (!countdown) {
      countdownBox.hidden = true;
      return;
    }
    countdownBox.hidden = false;
    var left = remainingMs(countdown);
    countdownText.textContent = left <= 0 ? "Hết giờ" : formatClock(left);
    var mode = "running";
    if (left <= 0) { mode = "over"; }
    else if (!countdown.running) { mode = "paused"; }
    else if (left <= 10000) { mode = "low"; }
    countdownBox.setAttribute("data-state", mode);
  }

  function show(view) {
    ["idle-view", "question-view", "situation-view"].forEach(function (id) {
      el(id).hidden = id !== view;
    });
  }

  /* Shrink the type of the visible view until it fits the stage (long stems, long options);
     never below 55 % of the normal size. */
  function fit(view) {
    var box = el(view);
    var scale = 1;
    box.style.fontSize = "";
    while (box.scrollHeight > box.clientHeight + 1 && scale > 0.55) {
      scale -= 0.05;
      box.style.fontSize = scale.toFixed(2) + "em";
    }
  }

  function render(next) {
    state = next;
    if (typeof next.server_now_ms === "number") {
      clockOffset = next.server_now_ms - Date.now();
    }
    stage.setAttribute("data-mode", next.mode);
    var team = next.team;
    el("team-name").textContent = team ? team.name : next.edition.title;
    el("team-order").textContent = team && team.order ? "Lượt " + team.order : "";
    el("item-label").textContent = "";
    el("set-label").textContent = "";

    if (next.mode === "question" && next.question) {
      var q = next.question;
      el("item-label").textContent = "Câu " + q.number + "/" + q.total;
      el("set-label").textContent = "Bộ đề số " + q.set_number + " · " + q.points + " điểm";
      el("question-topic").textContent = q.topic || "";
      el("question-stem").textContent = q.stem;
      var items = el("question-options").querySelectorAll("li");
      var answer = next.answer;
      for (var i = 0; i < items.length; i++) {
        var li = items[i];
        var option = q.options[i];
        li.querySelector(".text").textContent = option ? option.text : "";
        li.classList.toggle("correct", !!answer && answer.letter === li.getAttribute("data-letter"));
        li.classList.toggle("dimmed", !!answer && answer.letter !== li.getAttribute("data-letter"));
      }
      el("answer-line").hidden = !answer;
      el("answer-letter").textContent = answer ? answer.letter : "";
      show("question-view");
      fit("question-view");
    } else if (next.mode === "situation" && next.situation) {
      var s = next.situation;
      el("item-label").textContent = "Tình huống " + s.number + "/" + s.total;
      el("set-label").textContent = "Bộ tình huống số " + s.set_number + " · " + s.points + " điểm";
      el("situation-topic").textContent = s.topic || "";
      el("situation-text").textContent = s.text;
      var list = el("situation-questions");
      while (list.firstChild) { list.removeChild(list.firstChild); }
      s.questions.forEach(function (text) {
        var item = document.createElement("li");
        item.textContent = text;
        list.appendChild(item);
      });
      show("situation-view");
      fit("situation-view");
    } else {
      show("idle-view");
    }
    renderClock();
  }

  function setLink(kind, text) {
    linkState.setAttribute("data-state", kind);
    linkState.textContent = text;
  }

  var socket = io("/present", { auth: { edition_id: editionId }, transports: ["websocket"] });
  socket.on("connect", function () { setLink("online", "Đã kết nối"); });
  socket.on("disconnect", function () { setLink("offline", "Mất kết nối, đang kết nối lại…"); });
  socket.on("connect_error", function () { setLink("offline", "Không kết nối được máy chủ, đang thử lại…"); });
  ["present_state", "question_shown", "answer_revealed", "situation_shown",
   "countdown_started", "countdown_stopped", "screen_cleared"].forEach(function (name) {
    socket.on(name, function (payload) { if (payload && payload.state) { render(payload.state); } });
  });

  window.addEventListener("resize", function () { if (state) { render(state); } });
  window.setInterval(renderClock, 200);
})();
