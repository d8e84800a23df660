/* The live board (projector, phone, livestream overlay). Read-only, namespace /board.
 *
 * On (re)connect the server sends a full snapshot; then numbered deltas follow. A delta whose
 * number is not the next one means something was missed: the board fetches a fresh snapshot.
 */
(function () {
  "use strict";
  var root = document.getElementById("board");
  if (!root) { return; }
  var edition = root.getAttribute("data-edition");
  var snapshotUrl = root.getAttribute("data-snapshot-url");
  var board = null;   // the current snapshot, with its seq
  var fetching = false;
  var el = function (id) { return document.getElementById(id); };

  var socket = io("/board", { auth: { edition: edition }, transports: ["websocket"] });

  function status(text) { el("board-status").textContent = text; }

  function apply(delta) {
    var ch = delta.changes || {};
    Object.keys(ch).forEach(function (k) {
      if (k === "rows") {
        Object.keys(ch.rows).forEach(function (id) { board.rows[id] = ch.rows[id]; });
      } else if (k === "removed") {
        ch.removed.forEach(function (id) { delete board.rows[id]; });
      } else {
        board[k] = ch[k];
      }
    });
    board.seq = delta.seq;
  }

  function fetchSnapshot() {
    if (fetching) { return; }
    fetching = true;
    fetch(snapshotUrl, { cache: "no-store" }).then(function (r) { return r.json(); }).then(function (data) {
      fetching = false;
      if (data.ok && (!board || data.seq >= board.seq)) { board = data.snapshot; render(); }
    }).catch(function () { fetching = false; });
  }

  socket.on("board_snapshot", function (msg) {
    if (!board || msg.seq >= board.seq) { board = msg.snapshot; render(); }
    status("");
  });
  socket.on("board_updated", function (delta) {
    if (!board) { fetchSnapshot(); return; }
    if (delta.seq <= board.seq) { return; }          // already included
    if (delta.seq !== board.seq + 1) { fetchSnapshot(); return; } // a gap: refetch
    apply(delta);
    render();
  });
  // The last update may have been lost (a Redis outage between server processes) and no other
  // follows while nothing changes: every 20 s (with jitter) ask for the number only.
  setInterval(function () {
    if (!socket.connected || !board) { return; }
    socket.timeout(5000).emit("get_seq", { edition: edition }, function (err, reply) {
      if (!err && reply && reply.ok && reply.seq > board.seq) { fetchSnapshot(); }
    });
  }, 20000 + Math.floor(Math.random() * 5000));
  socket.on("connect", function () { status(""); });
  socket.on("disconnect", function () { status("Mất kết nối, đang kết nối lại…"); });

  // --- rendering, with rank changes animated (FLIP) ---------------------------------------------
  function header() {
    var row = el("board-head-row");
    if (row.getAttribute("data-built") === "1") { return; }
    row.textContent = "";
    var th = function (text, cls) { var c = document.createElement("th"); c.textContent = text; c.className = cls; row.appendChild(c); return c; };
    th("Hạng", "rank");
    th("Đội thi", "team");
    board.segments.forEach(function (s) {
      var c = th("", "seg");
      var full = document.createElement("span"); full.className = "full"; full.textContent = s.short_name + " (" + s.max + ")";
      var abbr = document.createElement("abbr"); abbr.className = "short"; abbr.title = s.name;
      abbr.textContent = s.short_name.split(/\s+/).slice(0, 2).map(function (w) { return w.charAt(0).toUpperCase(); }).join("");
      c.appendChild(full); c.appendChild(abbr);
    });
    th("Tổng", "total");
    row.setAttribute("data-built", "1");
  }

  function cellText(cell) {
    if (!cell) { return ["—", "none"]; }
    if (cell.score !== null && cell.score !== undefined) { return [cell.score, "revealed"]; }
    if (cell.status === "open") { return ["Đã chấm " + cell.count + "/" + board.edition.judges, "open"]; }
    if (cell.status === "waiting") { return ["Chờ công bố", "waiting"]; }
    return ["—", "none"];
  }

  function render() {
    if (!board) { return; }
    header();
    var tbody = el("board-rows");
    var before = {};
    Array.prototype.forEach.call(tbody.children, function (tr) {
      before[tr.getAttribute("data-entry")] = tr.getBoundingClientRect().top;
    });
    var existing = {};
    Array.prototype.forEach.call(tbody.children, function (tr) { existing[tr.getAttribute("data-entry")] = tr; });
    var stageId = board.stage ? String(board.stage.entry_id) : null;
    board.order.forEach(function (id) {
      var key = String(id);
      var r = board.rows[key];
      if (!r) { return; }
      var tr = existing[key] || document.createElement("tr");
      tr.setAttribute("data-entry", key);
      tr.textContent = "";
      var td = function (text, cls) { var c = document.createElement("td"); c.textContent = text; c.className = cls; tr.appendChild(c); return c; };
      td(r.rank === null ? "" : String(r.rank) + (r.tied ? "=" : ""), "rank");
      var team = td("", "team");
      var line = document.createElement("div");
      line.className = "team-line";
      var name = document.createElement("span");
      name.className = "team-name";
      name.textContent = r.team;
      line.appendChild(name);
      if (r.prize) {
        var prize = document.createElement("span");
        prize.className = "prize";
        prize.textContent = r.prize;
        line.appendChild(prize);
      }
      if (r.title) {  // shortened with an ellipsis on the projector (whole in its tooltip), whole on a phone
        var title = document.createElement("span");
        title.className = "entry-title";
        title.textContent = r.title;
        title.title = r.title;
        line.appendChild(title);
      }
      team.appendChild(line);
      if (r.title) {  // a phone's card: the whole title, folded
        var more = document.createElement("details");
        more.className = "entry-more";
        var summary = document.createElement("summary");
        summary.textContent = "Tên mô hình, sáng kiến";
        more.appendChild(summary);
        more.appendChild(document.createTextNode(r.title));
        team.appendChild(more);
      }
      board.segments.forEach(function (s) {
        var t = cellText(r.cells[s.key]);
        td(t[0], "seg " + t[1]);
      });
      td(r.total === null ? "…" : r.total, "total");
      tr.className = (key === stageId ? "on-stage " : "") + (r.prize ? "has-prize" : "");
      tbody.appendChild(tr); // appending in order moves it
    });
    // FLIP: start each moved row at its old place, then let CSS slide it to the new one.
    Array.prototype.forEach.call(tbody.children, function (tr) {
      var id = tr.getAttribute("data-entry");
      if (before[id] === undefined) { return; }
      var dy = before[id] - tr.getBoundingClientRect().top;
      if (Math.abs(dy) < 1) { return; }
      tr.classList.remove("moving");
      tr.style.transform = "translateY(" + dy + "px)";
      tr.getBoundingClientRect();
      tr.classList.add("moving");
      tr.style.transform = "";
      tr.classList.add(dy > 0 ? "rank-up" : "rank-down");
      setTimeout(function () { tr.classList.remove("moving", "rank-up", "rank-down"); }, 1200);
    });
    var now = board.open || board.stage;
    el("now-team").textContent = now ? now.team : "—";
    el("now-segment").textContent = board.open ? board.open.segment_name : "";
    el("now-count").textContent = board.open ? "Đã chấm " + board.open.count + "/" + board.open.expected : "";
    var awards = el("board-awards");
    awards.hidden = !(board.awards && board.awards.length);
    var list = el("board-awards-list");
    list.textContent = "";
    (board.awards || []).forEach(function (a) {
      var li = document.createElement("li");
      li.textContent = a.name + ": " + (a.team || "chưa quyết định");
      list.appendChild(li);
    });
    root.setAttribute("data-seq", String(board.seq));
    // board_layout.js (row count, tier colours) and ceremony.js (the prize ceremony) follow each render.
    document.dispatchEvent(new CustomEvent("board:rendered", { detail: board }));
  }
}());
