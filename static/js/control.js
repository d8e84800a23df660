/* The control desk: namespace /control. Every button sends one documented event and shows its answer. */
(function () {
  "use strict";
  var root = document.getElementById("desk");
  if (!root) { return; }
  var el = function (id) { return document.getElementById(id); };
  var desk = null;
  var lastStage;
  var socket = io("/control", { auth: { edition: root.getAttribute("data-edition") }, transports: ["websocket"] });
  // desk_layout.js sends on the same socket and follows every new desk state through onDesk
  var deskListeners = [];
  window.contestDesk = { socket: socket, onDesk: function (fn) { deskListeners.push(fn); } };

  function message(text, bad) {
    var m = el("desk-message");
    m.textContent = text || "";
    m.className = "desk-message" + (bad ? " bad" : "");
  }
  function setConn(text, ok) { var c = el("conn"); c.textContent = text; c.className = "tablet-conn " + (ok ? "online" : "offline"); }

  function send(event, data, okText) {
    socket.timeout(8000).emit(event, data || {}, function (err, reply) {
      if (err) { message("Máy chủ không trả lời, vui lòng thử lại.", true); return; }
      if (reply.ok) { message(okText); return; }
      if (reply.code === "missing_marks" && !(data && data.confirm_missing)) {
        // Closing with judges missing: the desk confirms, naming them.
        if (window.confirm(reply.message)) {
          var again = Object.assign({}, data || {}, { confirm_missing: true });
          send(event, again, okText);
        } else { message(reply.message, true); }
        return;
      }
      message(reply.message, true);
    });
  }
  function selected() {
    return { entry_id: parseInt(el("entry-select").value, 10), segment_key: el("segment-select").value };
  }

  el("btn-stage").addEventListener("click", function () { send("set_stage", { entry_id: selected().entry_id }, "Đã đưa đội lên sân khấu."); });
  el("btn-open").addEventListener("click", function () { send("open_segment", selected(), "Đã mở chấm."); });
  el("btn-close").addEventListener("click", function () { send("close_segment", {}, "Đã đóng chấm."); });
  el("btn-reveal").addEventListener("click", function () { send("reveal_segment", selected(), "Đã công bố điểm phần thi."); });
  el("btn-prizes").addEventListener("click", function () {
    var revealed = !(desk && desk.prizes_revealed);
    send("reveal_prizes", { revealed: revealed }, revealed ? "Đã công bố giải thưởng." : "Đã ẩn giải thưởng.");
  });

  function fillSelect(select, items, value, label) {
    var current = select.value;
    if (select.options.length !== items.length) {
      select.textContent = "";
      items.forEach(function (it) {
        var o = document.createElement("option");
        o.value = String(value(it));
        o.textContent = label(it);
        select.appendChild(o);
      });
    }
    if (current) { select.value = current; }
  }

  function ago(iso) {
    if (!iso) { return "chưa kết nối"; }
    var s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
    return s < 60 ? s + " giây trước" : Math.round(s / 60) + " phút trước";
  }

  function render() {
    if (!desk) { return; }
    fillSelect(el("entry-select"), desk.entries, function (e) { return e.id; }, function (e) { return e.order + ". " + e.team; });
    fillSelect(el("segment-select"), desk.segments, function (s) { return s.key; }, function (s) { return s.name; });
    var names = {};
    desk.entries.forEach(function (e) { names[e.id] = e.team; });
    el("desk-stage").textContent = desk.stage_entry_id ? names[desk.stage_entry_id] : "—";
    el("desk-open").textContent = desk.open ? names[desk.open.entry_id] + " · " + desk.open.segment_name : "—";
    el("grid-segment").textContent = desk.grid_segment ? "· " + desk.grid_segment.name : "";
    el("btn-prizes").textContent = desk.prizes_revealed ? "Ẩn giải thưởng" : "Công bố giải thưởng";
    if (desk.stage_entry_id !== lastStage) {
      lastStage = desk.stage_entry_id;
      // The presenter's panel follows the stage.
      document.dispatchEvent(new CustomEvent("desk:stage", { detail: { entry_id: desk.stage_entry_id } }));
    }
    var missing = desk.missing || [];
    el("desk-missing").hidden = !desk.open || missing.length === 0;
    el("desk-missing").textContent = missing.length ? "Chưa chấm: " + missing.map(function (j) { return j.name; }).join(", ") : "";
    renderLate();

    var grid = el("desk-grid");
    grid.textContent = "";
    var head = grid.insertRow();
    var h = document.createElement("th"); h.textContent = "Đội thi"; head.appendChild(h);
    desk.judges.forEach(function (j) {
      var th = document.createElement("th");
      th.className = "judge-col " + (j.connected ? "online" : "offline");
      th.textContent = j.name;
      var small = document.createElement("small");
      small.textContent = (j.connected ? "● " : "○ ") + ago(j.last_seen_at) + (j.unsent ? " · " + j.unsent + " chưa gửi" : "");
      th.appendChild(document.createElement("br"));
      th.appendChild(small);
      head.appendChild(th);
    });
    desk.entries.forEach(function (e) {
      var tr = grid.insertRow();
      if (desk.open && desk.open.entry_id === e.id) { tr.className = "open-row"; }
      var td = tr.insertCell(); td.textContent = e.order + ". " + e.team;
      if (e.same_unit_judges && e.same_unit_judges.length) {
        var warn = document.createElement("span");
        warn.className = "same-unit-judge";
        warn.textContent = " ⚠ Giám khảo cùng đơn vị: " + e.same_unit_judges.join(", ");
        td.appendChild(warn);
      }
      var marked = desk.grid[String(e.id)] || [];
      desk.judges.forEach(function (j) {
        var c = tr.insertCell();
        var done = marked.indexOf(j.id) >= 0;
        c.className = "mark-cell " + (done ? "done" : "todo");
        c.textContent = done ? "✓" : "·";
      });
    });

    var win = el("desk-windows");
    win.textContent = "";
    var wh = win.insertRow();
    var t0 = document.createElement("th"); t0.textContent = "Đội thi"; wh.appendChild(t0);
    desk.segments.forEach(function (s) { var th = document.createElement("th"); th.textContent = s.name; wh.appendChild(th); });
    desk.entries.forEach(function (e) {
      var tr = win.insertRow();
      tr.insertCell().textContent = e.order + ". " + e.team;
      desk.segments.forEach(function (s) {
        var w = desk.windows[e.id + ":" + s.key];
        var c = tr.insertCell();
        var label = w.count + "/" + (w.expected || desk.edition.judges);
        if (w.provisional !== null && w.provisional !== undefined) {
          label += " · " + w.provisional + " (" + (w.revealed ? "đã công bố" : desk.provisional_label) + ")";
        }
        if (w.open) { label += " · đang mở"; c.className = "win open"; }
        else if (w.revealed) { c.className = "win revealed"; }
        else { c.className = "win"; }
        c.textContent = label;
      });
    });

    var flags = desk.flags || [];
    el("desk-flags").hidden = flags.length === 0;
    var list = el("desk-flags-list");
    list.textContent = "";
    flags.forEach(function (f) {
      var li = document.createElement("li");
      li.textContent = f.message || JSON.stringify(f);
      list.appendChild(li);
    });
  }

  function renderLate() {
    var late = desk.late_marks || [];
    el("desk-late").hidden = late.length === 0;
    var table = el("desk-late-table");
    table.textContent = "";
    late.forEach(function (m) {
      var tr = table.insertRow();
      tr.setAttribute("data-late", String(m.id));
      tr.insertCell().textContent = m.judge;
      tr.insertCell().textContent = m.team + " · " + m.segment_name;
      tr.insertCell().textContent = m.display;
      tr.insertCell().textContent = "gửi " + (m.sent_at ? new Date(m.sent_at).toLocaleTimeString("vi-VN") : "?") +
        ", nhận " + new Date(m.received_at).toLocaleTimeString("vi-VN");
      var act = tr.insertCell();
      if (m.status !== "pending") {
        act.textContent = m.status === "accepted" ? "Đã nhận (" + m.decided_by + ")" :
          "Không nhận (" + m.decided_by + "): " + m.reason;
        return;
      }
      var accept = document.createElement("button");
      accept.type = "button"; accept.className = "btn small accept-late"; accept.textContent = "Nhận điểm";
      accept.addEventListener("click", function () {
        send("accept_late_mark", { late_mark_id: m.id }, "Đã nhận điểm nộp muộn của " + m.judge + ".");
      });
      var reject = document.createElement("button");
      reject.type = "button"; reject.className = "btn small reject-late"; reject.textContent = "Không nhận";
      reject.addEventListener("click", function () {
        var reason = window.prompt("Lý do không nhận điểm nộp muộn của " + m.judge + ":");
        if (reason === null) { return; }
        send("reject_late_mark", { late_mark_id: m.id, reason: reason }, "Đã ghi lý do không nhận điểm.");
      });
      act.appendChild(accept);
      act.appendChild(reject);
    });
  }

  // Every get_desk goes through here, one request at a time: a request asked for while one is
  // in flight becomes one more full request after it. ``since`` (the desk's seq) lets the server
  // answer "unchanged" instead of the whole state.
  var fetching = false, again = false;
  function fetchDesk(since) {
    if (!socket.connected) { return; }
    if (fetching) { again = true; return; }
    fetching = true;
    socket.timeout(8000).emit("get_desk", since === null ? {} : { since: since }, function (err, reply) {
      fetching = false;
      if (!err && reply && reply.ok && reply.desk) { applyDesk(reply.desk); }
      if (again) { again = false; fetchDesk(null); }
    });
  }

  // A desk update lost (e.g. Redis was down) is caught up: ask whether the state moved on.
  function catchUp() { fetchDesk(desk ? desk.seq : null); }

  function applyDesk(d) {
    desk = d; render();
    deskListeners.forEach(function (fn) { fn(d); });
  }

  socket.on("connect", function () { setConn("Đã kết nối", true); catchUp(); });
  socket.on("disconnect", function () { setConn("Mất kết nối", false); });
  socket.on("connect_error", function (err) { setConn(err && err.message ? err.message : "Không kết nối được", false); });
  socket.on("desk_updated", function (payload) { applyDesk(payload.desk); });
  // The server says the desk's state changed (coalesced, at most ten a second): fetch all of it
  // (a change of the desk alone, such as a late mark, leaves the board's seq as it was).
  socket.on("desk_changed", function () { fetchDesk(null); });
  socket.on("late_mark_received", function (m) {
    message("Điểm nộp muộn: " + m.judge + " gửi " + m.display + " cho " + m.team + " · " + m.segment_name +
      " sau khi đã đóng chấm. Hãy nhận hoặc không nhận.", true);
    catchUp();
  });
  socket.on("judge_seen", function (p) {
    if (!desk) { return; }
    desk.judges.forEach(function (j) {
      if (j.id === p.judge_id) { j.last_seen_at = p.last_seen_at; j.connected = p.connected; j.unsent = p.unsent; }
    });
    render();
  });
  setInterval(function () { render(); catchUp(); }, 5000);
}());
