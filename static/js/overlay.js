/* Broadcast graphics for OBS / vMix (/board/<year>/graphics/<kind>, docs/broadcast.md).
 * Read-only on /board like the board: a full snapshot on (re)connect, then numbered deltas; a gap
 * fetches the snapshot again. lower-third: the team on stage, the segment being marked and how
 * many judges are in. score-bug: a score just revealed (stays data-seconds, 0 = always).
 * standings: every team's rank and total, with prizes once they are revealed. */
(function () {
  "use strict";
  var root = document.getElementById("graphic");
  if (!root) { return; }
  var kind = root.getAttribute("data-kind");
  var seconds = parseInt(root.getAttribute("data-seconds"), 10);
  var top = parseInt(root.getAttribute("data-top"), 10);
  var board = null;
  var fetching = false;
  var bugTimer = null;
  var el = function (id) { return document.getElementById(id); };
  var socket = io("/board", { auth: { edition: root.getAttribute("data-edition") }, transports: ["websocket"] });

  function revealed(snapshot) {
    var out = {};
    if (!snapshot) { return out; }
    Object.keys(snapshot.rows).forEach(function (id) {
      var cells = snapshot.rows[id].cells || {};
      Object.keys(cells).forEach(function (k) { if (cells[k].score !== null && cells[k].score !== undefined) { out[id + ":" + k] = true; } });
    });
    return out;
  }

  function setBoard(next) {
    var before = revealed(board);
    var first = board === null;
    board = next;
    var after = revealed(board);
    var fresh = Object.keys(after).filter(function (k) { return !before[k]; });
    render(first ? null : (fresh.length ? fresh[fresh.length - 1].split(":")[0] : undefined));
  }

  function apply(delta) {
    var copy = JSON.parse(JSON.stringify(board));
    var ch = delta.changes || {};
    Object.keys(ch).forEach(function (k) {
      if (k === "rows") { Object.keys(ch.rows).forEach(function (id) { copy.rows[id] = ch.rows[id]; }); }
      else if (k === "removed") { ch.removed.forEach(function (id) { delete copy.rows[id]; }); }
      else { copy[k] = ch[k]; }
    });
    copy.seq = delta.seq;
    setBoard(copy);
  }

  function fetchSnapshot() {
    if (fetching) { return; }
    fetching = true;
    fetch(root.getAttribute("data-snapshot-url"), { cache: "no-store" }).then(function (r) { return r.json(); })
      .then(function (data) { fetching = false; if (data.ok && (!board || data.seq >= board.seq)) { setBoard(data.snapshot); } })
      .catch(function () { fetching = false; });
  }

  socket.on("board_snapshot", function (msg) { if (!board || msg.seq >= board.seq) { setBoard(msg.snapshot); } });
  socket.on("board_updated", function (delta) {
    if (!board) { fetchSnapshot(); return; }
    if (delta.seq <= board.seq) { return; }
    if (delta.seq !== board.seq + 1) { fetchSnapshot(); return; }
    apply(delta);
  });

  function lowerThird() {
    var box = el("lower-third");
    var who = board.open || board.stage;
    box.hidden = !who;
    if (!who) { return; }
    var row = board.rows[String(who.entry_id)] || {};
    el("lt-kicker").textContent = board.open ? "Đang chấm điểm" : "Đang thi";
    el("lt-team").textContent = who.team;
    el("lt-title").textContent = row.title || "";
    el("lt-segment").textContent = board.open ? board.open.segment_name + " · Đã chấm " + board.open.count + "/" + board.open.expected : "";
  }

  function scoreBug(entryId) {
    var box = el("score-bug");
    if (entryId === undefined) { return; }         // nothing new revealed: leave the bug as it is
    if (entryId === null) {                        // first load: the team on stage, when it has scores
      if (seconds !== 0 || !board.stage) { box.hidden = true; return; }
      entryId = String(board.stage.entry_id);
    }
    var row = board.rows[String(entryId)];
    var list = el("sb-scores");
    list.textContent = "";
    var any = false;
    board.segments.forEach(function (s) {
      var cell = row && row.cells[s.key];
      if (!cell || cell.score === null || cell.score === undefined) { return; }
      any = true;
      var li = document.createElement("li");
      var name = document.createElement("span"); name.textContent = s.short_name;
      var score = document.createElement("strong"); score.textContent = cell.score;
      li.appendChild(name); li.appendChild(document.createTextNode(" ")); li.appendChild(score);
      list.appendChild(li);
    });
    box.hidden = !any;
    if (!any) { return; }
    el("sb-team").textContent = row.team;
    el("sb-total").textContent = row.total === null ? "…" : row.total;
    if (bugTimer) { clearTimeout(bugTimer); bugTimer = null; }
    if (seconds > 0) { bugTimer = setTimeout(function () { box.hidden = true; }, seconds * 1000); }
  }

  function standings() {
    var list = el("st-rows");
    list.textContent = "";
    list.style.setProperty("--rows", String(Math.max(1, Math.min(top, board.order.length))));
    board.order.slice(0, top).forEach(function (id) {
      var r = board.rows[String(id)];
      if (!r) { return; }
      var li = document.createElement("li");
      li.setAttribute("data-entry", String(id));
      var rank = document.createElement("span"); rank.className = "st-rank";
      rank.textContent = r.rank === null ? "" : r.rank + (r.tied ? "=" : "");
      var team = document.createElement("span"); team.className = "st-team"; team.textContent = r.team;
      var prize = document.createElement("span"); prize.className = "st-prize"; prize.textContent = r.prize || "";
      var total = document.createElement("span"); total.className = "st-total"; total.textContent = r.total === null ? "…" : r.total;
      [rank, team, prize, total].forEach(function (c) { li.appendChild(c); });
      list.appendChild(li);
    });
  }

  function render(newScoreEntry) {
    if (!board) { return; }
    if (kind === "lower-third") { lowerThird(); }
    else if (kind === "score-bug") { scoreBug(newScoreEntry); }
    else { standings(); }
    root.setAttribute("data-seq", String(board.seq));
  }
}());
