/* The desk's run screen: the current step (team on stage, open segment, six judge tiles), one
 * primary action that moves the final on (open → close → publish → next segment → next team →
 * the prize ceremony), the ceremony's buttons, the two tabs. control.js owns the socket
 * (window.contestDesk); this script adds its own listeners to it. Arrow keys never change
 * the team or segment selection: the presenter's shortcuts use them (present_desk.js). */
(function () {
  "use strict";
  var root = document.getElementById("desk");
  if (!root || !window.contestDesk) { return; }
  var socket = window.contestDesk.socket;
  var el = function (id) { return document.getElementById(id); };
  var desk = null;
  var ceremony = null;   // the card on the board (null: no ceremony)
  var action = null;     // what the primary button does now

  function message(text, bad) {
    var m = el("desk-message");
    m.textContent = text || "";
    m.className = "desk-message" + (bad ? " bad" : "");
  }

  function send(event, data, done) {
    socket.timeout(8000).emit(event, data || {}, function (err, reply) {
      if (err) { message("Máy chủ không trả lời, vui lòng thử lại.", true); return; }
      if (!reply.ok) { message(reply.message, true); return; }
      if (done) { done(reply); }
    });
  }

  // --- tabs ------------------------------------------------------------------------------------
  function showTab(name) {
    ["run", "grid"].forEach(function (n) {
      el("tab-" + n).setAttribute("aria-selected", n === name ? "true" : "false");
      el("panel-" + n).hidden = n !== name;
    });
  }
  el("tab-run").addEventListener("click", function () { showTab("run"); });
  el("tab-grid").addEventListener("click", function () { showTab("grid"); });

  // --- arrow keys never move a selection: they belong to the presenter's shortcuts -----------------
  ["entry-select", "segment-select"].forEach(function (id) {
    var select = el(id);
    select.addEventListener("keydown", function (event) {
      if (event.key === "ArrowLeft" || event.key === "ArrowRight" || event.key === "ArrowUp" || event.key === "ArrowDown") {
        event.preventDefault();
        select.blur();
      }
    });
    select.addEventListener("change", function () { select.blur(); });
  });

  // --- the primary action ------------------------------------------------------------------------
  function fullyRevealed(entryId) {
    return desk.segments.every(function (s) {
      var w = desk.windows[entryId + ":" + s.key];
      return w && w.revealed;
    });
  }

  function names() {
    var out = {};
    desk.entries.forEach(function (e) { out[e.id] = e.team; });
    return out;
  }

  function nextAction() {
    var team = names();
    if (desk.open) {
      return { label: "Đóng chấm · " + desk.open.segment_name, event: "close_segment", data: {},
               ok: "Đã đóng chấm.", kind: "danger" };
    }
    var stage = desk.stage_entry_id;
    if (stage) {
      for (var i = 0; i < desk.segments.length; i += 1) {
        var s = desk.segments[i];
        var w = desk.windows[stage + ":" + s.key];
        if (w && w.revealed) { continue; }
        if (w && w.count > 0) {
          return { label: "Công bố điểm · " + s.name, event: "reveal_segment",
                   data: { entry_id: stage, segment_key: s.key }, ok: "Đã công bố điểm phần thi." };
        }
        return { label: "Mở chấm · " + s.name, event: "open_segment",
                 data: { entry_id: stage, segment_key: s.key }, ok: "Đã mở chấm." };
      }
    }
    var ids = desk.entries.map(function (e) { return e.id; });
    var from = stage ? ids.indexOf(stage) + 1 : 0;
    var rest = ids.slice(from).concat(ids.slice(0, from));
    for (var j = 0; j < rest.length; j += 1) {
      if (!fullyRevealed(rest[j])) {
        return { label: (stage ? "Đội tiếp theo: " : "Đưa lên sân khấu: ") + team[rest[j]], event: "set_stage",
                 data: { entry_id: rest[j] }, ok: "Đã đưa đội lên sân khấu." };
      }
    }
    if (ceremony && ceremony.kind === "standings") {
      return { label: "Lễ trao giải đã xong: bảng xếp hạng chung cuộc", event: null };
    }
    return { label: ceremony ? "Giải tiếp theo" : "Bắt đầu lễ trao giải", event: "ceremony_next", data: {},
             ok: "Đã chuyển bước lễ trao giải.", ceremony: true };
  }

  function renderPrimary() {
    var button = el("btn-primary");
    action = desk ? nextAction() : null;
    button.textContent = action ? action.label : "Đang tải…";
    button.disabled = !action || !action.event;
    button.className = "btn desk-primary " + (action && action.kind === "danger" ? "danger" : "primary");
  }

  el("btn-primary").addEventListener("click", function () {
    if (!action || !action.event) { return; }
    var current = action;
    send(current.event, current.data, function (reply) {
      message(current.ok);
      if (current.ceremony) { showCeremony(reply.ceremony); }
    });
  });

  // --- the ceremony --------------------------------------------------------------------------------
  function cardLabel(card) {
    if (!card) { return "Chưa bắt đầu."; }
    var where = "Bước " + card.step + "/" + card.steps + " · ";
    if (card.kind === "prize") { return where + card.tier + ": " + card.team; }
    if (card.kind === "side_award") { return where + "Giải phụ " + card.award + ": " + card.team; }
    return where + "Bảng xếp hạng chung cuộc";
  }
  function showCeremony(card) {
    ceremony = card || null;
    el("ceremony-now").textContent = cardLabel(ceremony);
    el("btn-ceremony-previous").disabled = !ceremony;
    el("btn-ceremony-stop").disabled = !ceremony;
    if (desk) { renderPrimary(); }
  }
  el("btn-ceremony-next").addEventListener("click", function () {
    send("ceremony_next", {}, function (reply) { showCeremony(reply.ceremony); message(""); });
  });
  el("btn-ceremony-previous").addEventListener("click", function () {
    send("ceremony_previous", {}, function (reply) { showCeremony(reply.ceremony); message(""); });
  });
  el("btn-ceremony-stop").addEventListener("click", function () {
    send("ceremony_stop", {}, function () { showCeremony(null); message("Đã thoát lễ trao giải."); });
  });

  // --- the six judge tiles -------------------------------------------------------------------------
  function renderTiles() {
    var list = el("judge-tiles");
    list.textContent = "";
    var marked = desk.open ? (desk.grid[String(desk.open.entry_id)] || []) : [];
    desk.judges.forEach(function (j) {
      var li = document.createElement("li");
      var done = desk.open && marked.indexOf(j.id) >= 0;
      li.className = "judge-tile " + (done ? "marked" : "waiting") + (j.connected ? " online" : " offline");
      li.setAttribute("data-judge", String(j.id));
      var name = document.createElement("strong");
      name.textContent = j.name;
      var state = document.createElement("span");
      state.className = "tile-mark";
      state.textContent = desk.open ? (done ? "✓ Đã chấm" : "Chưa chấm") : "—";
      var conn = document.createElement("span");
      conn.className = "tile-conn";
      conn.textContent = (j.connected ? "● Trực tuyến" : "○ Mất kết nối") + (j.unsent ? " · " + j.unsent + " chưa gửi" : "");
      li.appendChild(name);
      li.appendChild(state);
      li.appendChild(conn);
      list.appendChild(li);
    });
    var count = el("desk-count");
    count.textContent = desk.open ? "Đã chấm " + marked.length + "/" + desk.judges.length : "";
  }

  var lastStage = null;
  var lastOpen = null;
  function update(next) {
    desk = next;
    // A new team on stage: the manual controls follow it (unless the desk is choosing right now).
    var select = el("entry-select");
    if (desk.stage_entry_id && desk.stage_entry_id !== lastStage && document.activeElement !== select) {
      select.value = String(desk.stage_entry_id);
    }
    lastStage = desk.stage_entry_id;
    // Only a change of the open window moves the segment choice: an update that merely refreshes
    // the same window must never undo what the desk has just chosen (and is about to open).
    var segments = el("segment-select");
    var openKey = desk.open ? desk.open.entry_id + ":" + desk.open.segment_key : null;
    if (openKey && openKey !== lastOpen && document.activeElement !== segments) {
      segments.value = desk.open.segment_key;
    }
    lastOpen = openKey;
    renderTiles();
    renderPrimary();
    var flags = (desk.flags || []).length;   // the deviation warnings live on the grid tab: say so here
    var tab = el("tab-grid");
    tab.textContent = "Bảng chấm đầy đủ" + (flags ? " · ⚠ " + flags + " cảnh báo" : "");
    tab.classList.toggle("has-flags", flags > 0);
  }
  // control.js receives every desk state (pushed on connect, fetched after a desk_changed notice,
  // caught up every few seconds), renders its own part first and hands the same object on.
  window.contestDesk.onDesk(update);
  socket.on("judge_seen", function () { if (desk) { update(desk); } });

  // The ceremony's step when the page (re)loads: the public board snapshot carries it.
  fetch(root.getAttribute("data-snapshot-url"), { cache: "no-store" }).then(function (r) { return r.json(); })
    .then(function (data) { if (data.ok) { showCeremony(data.snapshot.ceremony || null); } })
    .catch(function () { showCeremony(null); });
}());
