/* The judge's tablet. Speaks only the documented protocol (docs/live-protocol.md, namespace /judge).
 *
 * Unsent marks live in localStorage with a client-generated idempotency key and are resent, in
 * order, whenever the tablet is (again) connected; the server stores each key once. The page
 * itself survives a reload while offline through a service worker (/judge-sw.js).
 * What the judge typed is never wiped: it is checked here as the server checks it (maximum,
 * step, decimal comma) and cleared only once the server has acknowledged the mark.
 * Every state carries a ``seq``; a gap, a reconnection or a heartbeat answer with a newer
 * ``seq`` fetches the whole state again (a message lost in a Redis outage is caught up).
 */
(function () {
  "use strict";
  var root = document.getElementById("tablet");
  if (!root) { return; }
  var judgeId = root.getAttribute("data-judge-id");
  var QUEUE_KEY = "contest.judge." + judgeId + ".unsent";
  var STATE_KEY = "contest.judge." + judgeId + ".state";
  var ACK_TIMEOUT_MS = 8000;
  var HEARTBEAT_MS = 10000;
  var STATUS_TEXT = {
    saved: "Đã lưu",
    waiting: "Đang chờ gửi",
    late_pending: "Nộp muộn, chờ quyết định",
    late_accepted: "Nộp muộn, đã được chấp nhận",
    late_rejected: "Không được chấp nhận",
    refused: "Bị từ chối"
  };

  var el = function (id) { return document.getElementById(id); };
  var state = null;
  var sending = false;
  var refused = [];   // marks the server refused: shown with the reason until the next state

  if ("serviceWorker" in navigator && root.getAttribute("data-sw")) {
    navigator.serviceWorker.register(root.getAttribute("data-sw"), { scope: "/" }).catch(function () {});
  }
  var socket = window.io ? io("/judge", { transports: ["websocket"], reconnectionDelayMax: 4000 }) : null;

  // --- the unsent queue and the last known state -------------------------------------------
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
  function keepState(next) {
    state = next;
    try { localStorage.setItem(STATE_KEY, JSON.stringify(next)); } catch (e) { /* full: keep going */ }
  }

  // --- validation mirroring the server's (services/judging.py parse_mark) ---------------------
  function hundredths(text) {
    var m = /^([0-9]+)(?:[.,]([0-9]*))?$/.exec(text);
    if (!m) { return null; }
    var frac = m[2] || "";
    if (frac.length > 2 && !/^0+$/.test(frac.slice(2))) { return NaN; }
    frac = (frac + "00").slice(0, 2);
    return parseInt(m[1], 10) * 100 + parseInt(frac, 10);
  }
  function validate(raw) {
    var text = String(raw || "").trim();
    var open = state && state.open;
    if (/^-/.test(text)) { return { ok: false, message: "Điểm không được nhỏ hơn 0." }; }
    if (!/^[0-9]+([.,][0-9]*)?$|^[.,][0-9]+$/.test(text)) {
      return { ok: false, message: "Điểm phải là một số (ví dụ 8,5)." };
    }
    var normal = text.replace(",", ".");
    if (normal.charAt(0) === ".") { normal = "0" + normal; }
    if (normal.charAt(normal.length - 1) === ".") { normal = normal.slice(0, -1); }
    var h = hundredths(normal);
    var max = hundredths(String(open.max));
    var step = hundredths(String(open.step));
    var stepText = open.step_display;
    if (h > max) {
      return { ok: false, message: "Điểm không được vượt quá " + open.max_display + " (điểm tối đa của phần thi)." };
    }
    if (isNaN(h) || (step > 0 && h % step !== 0) || (!(step > 0) && isNaN(h))) {
      var example = Math.min(max, step * 75) / 100;
      return { ok: false, message: "Điểm phải là bội số của " + stepText + " (ví dụ " +
        String(example).replace(".", ",") + ")." };
    }
    return { ok: true, value: normal };
  }

  // --- rendering --------------------------------------------------------------------------
  function notice(text) {
    var n = el("notice");
    n.textContent = text || "";
    n.hidden = !text;
  }
  function timeOf(iso) {
    if (!iso) { return ""; }
    var d = new Date(iso);
    return isNaN(d.getTime()) ? "" : d.toLocaleTimeString("vi-VN", { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  }
  function cards() {
    var list = [];
    var seen = {};
    loadQueue().forEach(function (q) {
      seen[q.entry_id + ":" + q.segment_key] = true;
      list.push({ team: q.team || "", segment_name: q.segment_name || q.segment_key, display: q.value.replace(".", ","),
        status: "waiting", at: q.sent_at, entry_id: q.entry_id, segment_key: q.segment_key, reason: "" });
    });
    refused.forEach(function (r) { list.push(r); });
    ((state && state.my_marks) || []).forEach(function (m) {
      if (m.status === "saved" && seen[m.entry_id + ":" + m.segment_key]) { return; }
      list.push(m);
    });
    return list;
  }
  function renderMarks() {
    var items = cards();
    var box = el("my-marks");
    var ul = el("my-marks-list");
    box.hidden = items.length === 0;
    ul.textContent = "";
    items.slice().reverse().forEach(function (m) {
      var li = document.createElement("li");
      li.className = "mark-card " + m.status;
      li.setAttribute("data-status", m.status);
      var head = document.createElement("strong");
      head.textContent = m.team + " · " + m.segment_name + ": " + m.display + " điểm";
      li.appendChild(head);
      var meta = document.createElement("span");
      meta.className = "mark-card-meta";
      meta.textContent = " — " + (STATUS_TEXT[m.status] || m.status) + (m.at ? " lúc " + timeOf(m.at) : "") +
        (m.reason ? ". Lý do: " + m.reason : "");
      li.appendChild(meta);
      var open = state && state.open;
      if (m.status === "saved" && open && open.entry_id === m.entry_id && open.segment_key === m.segment_key) {
        var edit = document.createElement("button");
        edit.type = "button";
        edit.className = "btn small edit-mark";
        edit.textContent = "Sửa";
        edit.addEventListener("click", function () {
          var input = el("mark-input");
          input.value = m.display;
          input.focus();
        });
        li.appendChild(edit);
      }
      ul.appendChild(li);
    });
  }
  function renderGuide(guide) {
    var box = el("guide");
    var body = el("guide-body");
    body.textContent = "";
    var situations = (guide && guide.situations) || [];
    if (!situations.length) { box.hidden = true; return; }
    box.hidden = false;
    var current = situations.filter(function (s) { return s.code === guide.current_code; });
    var shown = current.length ? current : situations;
    shown.forEach(function (s) {
      var article = document.createElement("article");
      article.className = "guide-situation";
      var h = document.createElement("h3");
      h.textContent = "Tình huống " + s.number + (s.topic ? " · " + s.topic : "");
      article.appendChild(h);
      [["Gợi ý đáp án", s.answer], ["Hướng dẫn chấm", s.marking]].forEach(function (pair) {
        if (!pair[1]) { return; }
        var label = document.createElement("p");
        label.className = "guide-label";
        label.textContent = pair[0];
        article.appendChild(label);
        var text = document.createElement("p");
        text.className = "guide-text";
        text.textContent = pair[1];
        article.appendChild(text);
      });
      body.appendChild(article);
    });
  }
  function render() {
    var s = state || {};
    el("stage-team").textContent = s.stage ? s.stage.team : "—";
    el("stage-title").textContent = s.stage ? s.stage.entry_title : "";
    var form = el("mark-form");
    if (s.open) {
      el("segment-name").textContent = s.open.segment_name + " · " + s.open.team;
      el("segment-rules").textContent = "Điểm tối đa " + s.open.max_display + " · bước " + s.open.step_display;
      form.hidden = false;
      var waiting = loadQueue().filter(function (q) {
        return q.entry_id === s.open.entry_id && q.segment_key === s.open.segment_key;
      });
      var stored = s.my_mark;
      var line = el("mark-stored");
      if (waiting.length) {
        line.textContent = "Đang chờ gửi " + waiting[waiting.length - 1].value.replace(".", ",") + " điểm";
        line.className = "mark-stored pending";
      } else {
        line.textContent = stored ? "Đã lưu: " + stored.display + " điểm" : "Chưa chấm";
        line.className = "mark-stored" + (stored ? " saved" : "");
      }
    } else {
      el("segment-name").textContent = "Chưa mở phần thi nào. Vui lòng chờ Ban Tổ chức.";
      el("segment-rules").textContent = "";
      form.hidden = true;
    }
    renderGuide(s.guide);
    renderMarks();
  }
  function setConn(text, ok) {
    var c = el("conn");
    c.textContent = text;
    c.className = "tablet-conn " + (ok ? "online" : "offline");
  }
  function refreshState() {
    if (!socket) { return; }
    socket.timeout(ACK_TIMEOUT_MS).emit("get_state", {}, function (err, reply) {
      if (err || !reply) { return; }
      if (reply.ok) { keepState(reply.state); render(); }
      else if (reply.code === "unauthenticated") { setConn(reply.message, false); }
    });
  }
  function takeState(payload) {
    var next = payload && payload.state;
    if (!next) { refreshState(); return; }
    var last = state && typeof state.seq === "number" ? state.seq : null;
    if (typeof next.seq === "number" && last !== null && next.seq > last + 1) { refreshState(); return; }
    if (!next.judge) { refreshState(); return; } // a broadcast state carries no personal part
    keepState(next);
    render();
  }

  // --- sending, in order, one at a time ----------------------------------------------------
  function flush() {
    if (!socket || sending || !socket.connected || navigator.onLine === false) { return; }
    var q = loadQueue();
    if (!q.length) { return; }
    sending = true;
    var item = q[0];
    var payload = { entry_id: item.entry_id, segment_key: item.segment_key, value: item.value,
      idempotency_key: item.idempotency_key, sent_at: item.sent_at };
    socket.timeout(ACK_TIMEOUT_MS).emit("submit_mark", payload, function (err, reply) {
      sending = false;
      if (err || !reply) { return; } // no answer: keep it, try again on the next occasion
      var rest = loadQueue().filter(function (x) { return x.idempotency_key !== item.idempotency_key; });
      if (reply.ok) {
        saveQueue(rest);
        var input = el("mark-input");
        if (input.getAttribute("data-sent-key") === item.idempotency_key) {
          input.value = "";
          input.removeAttribute("data-sent-key");
        }
        notice(reply.late ? reply.message : "");
        refreshState();
        flush();
      } else if (reply.code) {
        // A refusal is final for this key: keep what the judge typed, show why where it is seen.
        saveQueue(rest);
        refused.push({ team: item.team || "", segment_name: item.segment_name || item.segment_key,
          display: item.value.replace(".", ","), status: "refused", at: item.sent_at, reason: reply.message,
          entry_id: item.entry_id, segment_key: item.segment_key });
        notice(reply.message);
        el("mark-error").textContent = reply.message;
        render();
        flush();
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
    refused = [];
    var key = newKey();
    var q = loadQueue();
    q.push({ entry_id: state.open.entry_id, segment_key: state.open.segment_key, value: check.value,
      idempotency_key: key, sent_at: new Date().toISOString(), team: state.open.team,
      segment_name: state.open.segment_name });
    saveQueue(q);
    input.setAttribute("data-sent-key", key);
    render();
    flush();
  });

  el("keypad").addEventListener("click", function (ev) {
    var key = ev.target && ev.target.getAttribute("data-key");
    if (!key) { return; }
    var input = el("mark-input");
    if (key === "⌫") { input.value = input.value.slice(0, -1); }
    else if (input.value.length < 6) { input.value += key; }
    el("mark-error").textContent = "";
  });

  // --- connection -----------------------------------------------------------------------
  try { state = JSON.parse(localStorage.getItem(STATE_KEY) || "null"); } catch (e) { state = null; }
  render();
  if (!socket) { setConn("Không kết nối được máy chủ; điểm sẽ được gửi khi có mạng", false); return; }
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
    socket.on(name, takeState);
  });
  socket.on("mark_status", function (p) {
    if (p && p.status === "rejected") { notice("Điểm nộp muộn " + p.display + " không được chấp nhận. Lý do: " + p.reason); }
    else if (p && p.status === "accepted") { notice("Điểm nộp muộn " + p.display + " đã được chấp nhận."); }
    refreshState();
  });
  window.addEventListener("online", function () { flush(); });
  setInterval(function () {
    if (socket.connected) {
      socket.timeout(ACK_TIMEOUT_MS).emit("heartbeat", { unsent: loadQueue().length }, function (err, reply) {
        if (!err && reply && reply.ok && state && typeof reply.seq === "number" && reply.seq !== state.seq) {
          refreshState(); // a message was missed (e.g. Redis was down): catch up
        }
      });
    }
    flush();
  }, HEARTBEAT_MS);
  showUnsent();
}());
