/* The judge's tablet. Speaks only the documented protocol (docs/live-protocol.md, namespace /judge).
 *
 * Unsent marks live in localStorage with a client-generated idempotency key and are resent, in
 * order, whenever the tablet is (again) connected; the server stores each key once.
 */
(function () {
  "use strict";
  var root = document.getElementById("tablet");
  if (!root) { return; }
  var judgeId = root.getAttribute("data-judge-id");
  var QUEUE_KEY = "contest.judge." + judgeId + ".unsent";
  var ACK_TIMEOUT_MS = 8000;
  var HEARTBEAT_MS = 10000;
  var FINAL_CODES = ["not_a_number", "below_zero", "above_max", "off_step", "segment_closed",
    "wrong_panel", "impersonation", "edition_locked", "bad_request", "not_found"];

  var el = function (id) { return document.getElementById(id); };
  var state = null;
  var sending = false;

  var socket = io("/judge", { transports: ["websocket"], reconnectionDelayMax: 4000 });

  // --- the unsent queue -----------------------------------------------------------------
  function loadQueue() {
    try { return JSON.parse(localStorage.getItem(QUEUE_KEY) || "[]"); } catch (e) { return []; }
  }
  function saveQueue(q) { localStorage.setItem(QUEUE_KEY, JSON.stringify(q)); showUnsent(); }
  function newKey() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var a = new Uint8Array(16); window.crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function showUnsent() {
    var n = loadQueue().length;
    var box = el("unsent");
    box.hidden = n === 0;
    box.textContent = "Còn " + n + " điểm chưa gửi";
  }

  // --- validation mirroring the server's (services/judging.py parse_mark) ---------------------
  function toHundredths(text) {
    var m = /^(\d+)(?:[.,](\d{0,2}))?$/.exec(text);
    if (!m) { return null; }
    var frac = (m[2] || "").padEnd(2, "0");
    return parseInt(m[1], 10) * 100 + parseInt(frac, 10);
  }
  function validate(raw) {
    var text = String(raw || "").trim();
    if (/^-\d/.test(text)) { return { ok: false, code: "below_zero", message: "Điểm không được nhỏ hơn 0." }; }
    if (!/^\d+([.,]\d*)?$|^[.,]\d+$/.test(text)) {
      return { ok: false, code: "not_a_number", message: "Điểm phải là một số (ví dụ 8,5)." };
    }
    var normal = text.replace(",", ".");
    if (normal.charAt(0) === ".") { normal = "0" + normal; }
    if (normal.charAt(normal.length - 1) === ".") { normal = normal.slice(0, -1); }
    var open = state && state.open;
    var max = toHundredths(open.max.replace(".", ","));
    var step = toHundredths(open.step.replace(".", ","));
    var h = toHundredths(normal);
    if (h === null) {
      return { ok: false, code: "off_step", message: "Điểm phải là bội số của " + open.step_display + "." };
    }
    if (h > max) {
      return { ok: false, code: "above_max", message: "Điểm không được vượt quá " + open.max_display + " (điểm tối đa của phần thi)." };
    }
    if (step > 0 && h % step !== 0) {
      return { ok: false, code: "off_step", message: "Điểm phải là bội số của " + open.step_display + "." };
    }
    return { ok: true, value: normal };
  }

  // --- rendering --------------------------------------------------------------------------
  function render() {
    var s = state || {};
    el("stage-team").textContent = s.stage ? s.stage.team : "—";
    el("stage-title").textContent = s.stage ? s.stage.entry_title : "";
    var form = el("mark-form");
    if (s.open) {
      el("segment-name").textContent = s.open.segment_name + " · " + s.open.team;
      el("segment-rules").textContent = "Điểm tối đa " + s.open.max_display + " · bước " + s.open.step_display;
      form.hidden = false;
      var stored = s.my_mark;
      el("mark-stored").textContent = stored ? "Đã lưu: " + stored.display + " điểm" : "Chưa chấm";
      el("mark-stored").className = "mark-stored" + (stored ? " saved" : "");
    } else {
      el("segment-name").textContent = "Chưa mở phần thi nào. Vui lòng chờ Ban Tổ chức.";
      el("segment-rules").textContent = "";
      form.hidden = true;
    }
    var guide = el("guide");
    if (s.guide) {
      guide.hidden = false;
      var body = el("guide-body");
      body.textContent = "";
      Object.keys(s.guide).forEach(function (k) {
        var v = s.guide[k];
        if (v === null || v === undefined || typeof v === "object") { return; }
        var p = document.createElement("p");
        p.textContent = String(v);
        body.appendChild(p);
      });
    } else {
      guide.hidden = true;
    }
  }
  function setConn(text, ok) {
    var c = el("conn");
    c.textContent = text;
    c.className = "tablet-conn " + (ok ? "online" : "offline");
  }
  function refreshState() {
    socket.timeout(ACK_TIMEOUT_MS).emit("get_state", {}, function (err, reply) {
      if (err || !reply) { return; }
      if (reply.ok) { state = reply.state; render(); }
      else if (reply.code === "unauthenticated") { setConn(reply.message, false); }
    });
  }

  // --- sending, in order, one at a time ----------------------------------------------------
  function flush() {
    if (sending || !socket.connected || navigator.onLine === false) { return; }
    var q = loadQueue();
    if (!q.length) { return; }
    sending = true;
    var item = q[0];
    socket.timeout(ACK_TIMEOUT_MS).emit("submit_mark", item, function (err, reply) {
      sending = false;
      if (err || !reply) { return; } // no answer: keep it, try again on the next occasion
      var rest = loadQueue().filter(function (x) { return x.idempotency_key !== item.idempotency_key; });
      if (reply.ok) {
        saveQueue(rest);
        if (state && state.open && state.open.entry_id === reply.mark.entry_id &&
            state.open.segment_key === reply.mark.segment_key) {
          state.my_mark = reply.mark;
          render();
        }
        el("mark-error").textContent = "";
        flush();
      } else if (FINAL_CODES.indexOf(reply.code) >= 0) {
        saveQueue(rest);
        el("mark-error").textContent = reply.message;
        flush();
      } else {
        el("mark-error").textContent = reply.message || "";
      }
    });
  }

  el("mark-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    if (!state || !state.open) { return; }
    var input = el("mark-input");
    var check = validate(input.value);
    if (!check.ok) { el("mark-error").textContent = check.message; return; }
    el("mark-error").textContent = "";
    var q = loadQueue();
    q.push({ entry_id: state.open.entry_id, segment_key: state.open.segment_key, value: check.value,
      idempotency_key: newKey() });
    saveQueue(q);
    el("mark-stored").textContent = "Đang gửi " + check.value.replace(".", ",") + "…";
    el("mark-stored").className = "mark-stored pending";
    input.value = "";
    flush();
  });

  el("keypad").addEventListener("click", function (ev) {
    var key = ev.target && ev.target.getAttribute("data-key");
    if (!key) { return; }
    var input = el("mark-input");
    if (key === "⌫") { input.value = input.value.slice(0, -1); }
    else if (input.value.length < 6) { input.value += key; }
  });

  // --- connection -----------------------------------------------------------------------
  socket.on("connect", function () { setConn("Đã kết nối", true); refreshState(); flush(); });
  socket.on("access_revoked", function (payload) {
    socket.disconnect();
    setConn((payload && payload.message) || "Mã đăng nhập đã bị thu hồi.", false);
  });
  socket.on("disconnect", function () { setConn("Mất kết nối, điểm sẽ được gửi lại khi có mạng", false); });
  socket.on("connect_error", function (err) {
    var msg = err && err.data && err.data.code === "unauthenticated" ? err.message : "Không kết nối được máy chủ, đang thử lại…";
    setConn(msg, false);
  });
  ["state_changed", "segment_opened", "segment_closed", "stage_changed"].forEach(function (name) {
    socket.on(name, function (payload) {
      if (payload && payload.state && payload.state.judge) { state = payload.state; render(); }
      else { refreshState(); }
    });
  });
  window.addEventListener("online", function () { flush(); });
  setInterval(function () {
    if (socket.connected) { socket.emit("heartbeat", { unsent: loadQueue().length }, function () {}); }
    flush();
  }, HEARTBEAT_MS);
  showUnsent();
}());
