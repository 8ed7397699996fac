// A gentle prompt while someone writes words that sound like crisis. It never blocks
// sending and sends nothing anywhere: the phrase list comes with the page
// (safety/crisis_phrases.json, as safety/crisis.py serves it) and matching happens
// here, in the browser, exactly as the server does it: ASCII letters lowercased, the
// "normalise" steps in order, then any pattern matching anywhere.
"use strict";

function crisisMatcher(data) {
  const steps = data.normalise.map(([find, replace]) => [new RegExp(find, "g"), replace]);
  const patterns = data.patterns.map((source) => new RegExp(source));
  const normalise = (text) =>
    steps.reduce(
      // A function keeps the replacement literal.
      (current, [find, replace]) => current.replace(find, () => replace),
      text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase()),
    );
  return (text) => {
    const normalised = normalise(text);
    return patterns.some((pattern) => pattern.test(normalised));
  };
}

(() => {
  if (typeof document === "undefined") {
    // Loaded outside a page (the tests run the matcher under node).
    module.exports = { crisisMatcher };
    return;
  }
  const data = document.getElementById("crisis-phrases");
  const region = document.getElementById("crisis-prompt");
  const prompt = region ? region.querySelector(".crisis-prompt") : null;
  if (!data || !prompt) {
    return;
  }
  const looksLikeCrisis = crisisMatcher(JSON.parse(data.textContent));
  let timer = null;

  function check(form) {
    const text = [...form.querySelectorAll("textarea, input[type=text]")]
      .map((field) => field.value)
      .join("\n");
    prompt.hidden = !looksLikeCrisis(text);
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
