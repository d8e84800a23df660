/* The prize ceremony on the board: the desk moves it (ceremony_next / ceremony_previous /
 * ceremony_stop on /control); the card arrives in the board snapshot as ``ceremony`` (built by
 * services/ceremony.py only once the prizes are revealed). Each winner fills the screen in its
 * tier's colour; the last step shows the standings with the prizes. */
(function () {
  "use strict";
  var box = document.getElementById("ceremony");
  var root = document.getElementById("board");
  if (!box || !root) { return; }
  var el = function (id) { return document.getElementById(id); };

  function show(card) {
    var standings = !!card && card.kind === "standings";
    root.classList.toggle("ceremony-standings", standings);
    el("board-final-title").hidden = !standings;
    if (!card || standings) { box.hidden = true; box.removeAttribute("data-step"); return; }
    box.hidden = false;
    box.setAttribute("data-step", String(card.step));
    box.className = "ceremony " + (card.kind === "prize" ? "tier-" + card.level : "side-award");
    el("ceremony-kicker").textContent = card.kind === "prize" ? "Lễ trao giải" : "Giải phụ";
    el("ceremony-prize").textContent = card.kind === "prize" ? card.tier : card.award;
    el("ceremony-team").textContent = card.team;
    el("ceremony-title").textContent = card.title || "";
    var score = "";
    if (card.kind === "prize" && card.total) { score = "Tổng điểm " + card.total + " · Hạng " + card.rank + (card.tied ? " (đồng hạng)" : ""); }
    else if (card.kind === "side_award" && card.score) { score = "Điểm phần thi " + card.score; }
    el("ceremony-score").textContent = score;
    el("ceremony-step").textContent = card.step + "/" + card.steps;
  }

  document.addEventListener("board:rendered", function (event) { show(event.detail.ceremony || null); });
}());
