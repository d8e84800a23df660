/* The board's layout after each render (board.js dispatches "board:rendered" with the snapshot):
 * --rows sizes every row so that all finalists fit one projector screen; each prize gets its
 * tier's colour (tier-1 is the highest prize: the tier whose winners rank best); each segment
 * cell gets its label for the phone's cards; the banner dims when nobody is on stage. */
(function () {
  "use strict";
  var root = document.getElementById("board");
  if (!root) { return; }

  function tierLevels(board) {
    var best = {};
    board.order.forEach(function (id) {
      var r = board.rows[String(id)];
      if (!r || !r.prize) { return; }
      var rank = r.rank === null || r.rank === undefined ? 1e6 : r.rank;
      if (!(r.prize in best) || rank < best[r.prize]) { best[r.prize] = rank; }
    });
    var names = Object.keys(best).sort(function (a, b) { return best[a] - best[b]; });
    var levels = {};
    names.forEach(function (n, i) { levels[n] = i + 1; });
    return levels;
  }

  document.addEventListener("board:rendered", function (event) {
    var board = event.detail;
    var rows = board.order.filter(function (id) { return board.rows[String(id)]; }).length;
    root.style.setProperty("--rows", String(Math.max(rows, 1)));
    root.setAttribute("data-rows", String(rows));
    root.classList.toggle("dense", rows >= 16);
    var levels = tierLevels(board);
    var labels = board.segments.map(function (s) { return s.short_name; });
    Array.prototype.forEach.call(document.querySelectorAll("#board-rows tr"), function (tr) {
      var prize = tr.querySelector(".prize");
      if (prize && levels[prize.textContent]) { prize.className = "prize tier-" + levels[prize.textContent]; }
      Array.prototype.forEach.call(tr.querySelectorAll("td.seg"), function (td, i) {
        td.setAttribute("data-label", labels[i] || "");
      });
    });
    var now = document.getElementById("board-now");
    if (now) { now.classList.toggle("idle", !(board.open || board.stage)); }
  });
}());
