// Progressive enhancement only: every page works without this file.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // After a failed submit, move focus to the list of problems so keyboard and
  // screen-reader users hear what to fix first (GOV.UK error summary pattern).
  const summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
  }
});
