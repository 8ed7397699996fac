// A gentle prompt while someone writes words that sound like crisis. It never blocks
// sending and sends nothing anywhere: the phrase list comes with the page
// (safety/crisis_phrases.json) and matching happens here, in the browser.
"use strict";

(() => {
  const data = document.getElementById("crisis-phrases");
  const region = document.getElementById("crisis-prompt");
  const prompt = region ? region.querySelector(".crisis-prompt") : null;
  if (!data || !prompt) {
    return;
  }
  const patterns = JSON.parse(data.textContent).map((source) => new RegExp(source, "i"));
  const normalise = (text) => text.replace(/[\u2018\u2019]/g, "'");
  let timer = null;

  function check(form) {
    const text = normalise(
      [...form.querySelectorAll("textarea, input[type=text]")].map((field) => field.value).join("\n"),
    );
    prompt.hidden = !patterns.some((pattern) => pattern.test(text));
  }

  document.addEventListener("input", (event) => {
    const field = event.target;
    if (!(field instanceof HTMLTextAreaElement || field instanceof HTMLInputElement)) {
      return;
    }
    const form = field.closest("form");
    if (!form) {
      return;
    }
    window.clearTimeout(timer);
    timer = window.setTimeout(() => check(form), 250);
  });
})();
