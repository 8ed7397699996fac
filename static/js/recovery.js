// Recovery tools: a print button for the safety plan, and a counted breathing timer
// for the craving SOS. Both pages work without this script (the circle breathes by
// CSS alone, and the browser's own print prints the plan).
(function () {
  "use strict";

  var printButton = document.querySelector("[data-print]");
  if (printButton) {
    printButton.hidden = false;
    printButton.addEventListener("click", function () { window.print(); });
  }

  var start = document.querySelector("[data-breathing]");
  var cue = document.getElementById("breathing-cue");
  var words = document.getElementById("breathing-words");
  if (!start || !cue || !words) return;
  var say = function (name) { return words.content.querySelector("[data-" + name + "]").textContent; };
  var phases = [["in", 4], ["hold", 4], ["out", 6]];
  var total = 120;
  var timer = null;
  start.hidden = false;
  start.addEventListener("click", function () {
    if (timer) return;
    var elapsed = 0, phase = 0, left = phases[0][1];
    cue.textContent = say("in");
    timer = window.setInterval(function () {
      elapsed += 1;
      left -= 1;
      if (elapsed >= total) {
        window.clearInterval(timer);
        timer = null;
        cue.textContent = say("done");
        return;
      }
      if (left <= 0) {
        phase = (phase + 1) % phases.length;
        left = phases[phase][1];
        cue.textContent = say(phases[phase][0]);
      }
    }, 1000);
  });
})();
