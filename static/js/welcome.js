// The first sign-in welcome: suggest the browser's own time zone (the member can still
// change it before saving). Without this file the list shows the current setting.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const select = document.querySelector(".welcome-form select[name=time_zone]");
  if (!select) {
    return;
  }
  let zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (error) {
    return;
  }
  if (zone && [...select.options].some((option) => option.value === zone)) {
    select.value = zone;
  }
});
