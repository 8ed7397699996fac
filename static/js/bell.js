// One socket per signed-in page: the bell's count stays right without a reload, a new
// notification is told politely, and an urgent queue item is announced at once
// (assertively) to a leader on whatever page they are. Without JavaScript the bell
// is right on every page load; this file only adds to it.
"use strict";

(() => {
  const live = document.getElementById("bell-live");
  const bell = document.getElementById("bell");
  if (!live || !bell || !("WebSocket" in window)) {
    return;
  }
  const polite = document.getElementById("bell-polite");
  const urgent = document.getElementById("bell-urgent");
  const words = live.dataset;
  const HEALTHY_AFTER_MS = 10000;
  let attempt = 0;
  let healthyTimer = null;
  let shownCount = null;

  function say(region, text) {
    region.textContent = ""; // cleared first, so the same words twice are read again
    window.setTimeout(() => { region.textContent = text; }, 50);
  }

  function setCount(count) {
    let badge = bell.querySelector(".badge");
    if (shownCount === null) {
      shownCount = badge ? Number(badge.firstChild.textContent) : 0;
    }
    if (count === shownCount) {
      return;
    }
    const grew = count > shownCount;
    shownCount = count;
    if (count === 0) {
      if (badge) {
        badge.remove();
      }
      return;
    }
    if (!badge) {
      badge = document.createElement("span");
      badge.className = "badge";
      const hidden = document.createElement("span");
      hidden.className = "visually-hidden";
      hidden.textContent = ` ${words.wordUnread}`;
      badge.append(document.createTextNode(""), hidden);
      bell.append(" ", badge);
    }
    badge.firstChild.textContent = String(count);
    if (grew) {
      say(polite, count === 1 ? words.wordCountOne : words.wordCountMany.replace("%(count)s", count));
    }
  }

  function link(item) {
    const a = document.createElement("a");
    a.href = item.link || bell.getAttribute("href");
    a.textContent = words.wordSee;
    return a;
  }

  function showUrgent(item) {
    urgent.textContent = "";
    const p = document.createElement("p");
    const mark = document.createElement("strong");
    mark.textContent = `${words.wordUrgent}: `;
    p.append(mark, item.message, " ", link(item));
    urgent.append(p);
  }

  function addToHome(item) {
    const region = document.getElementById("home-live");
    if (!region) {
      return;
    }
    let list = region.querySelector("ul.notifications");
    if (!list) {
      region.textContent = "";
      list = document.createElement("ul");
      list.className = "notifications";
      region.append(list);
    }
    const li = document.createElement("li");
    li.className = item.urgent ? "unread urgent" : "unread";
    const mark = document.createElement(item.urgent ? "strong" : "span");
    mark.className = item.urgent ? "urgent-mark" : "new";
    mark.textContent = item.urgent ? words.wordUrgent : words.wordNew;
    li.append(mark, " ", item.message, " ", link(item));
    list.prepend(li);
  }

  function connect() {
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${window.location.host}${live.dataset.socket}`);
    socket.addEventListener("open", () => {
      healthyTimer = window.setTimeout(() => { attempt = 0; }, HEALTHY_AFTER_MS);
      live.dataset.connected = "true";
    });
    socket.addEventListener("message", (event) => {
      const frame = JSON.parse(event.data);
      if (frame.type !== "bell") {
        return;
      }
      if (frame.item) {
        addToHome(frame.item);
        if (frame.item.urgent) {
          showUrgent(frame.item);
        }
      }
      setCount(frame.count);
    });
    socket.addEventListener("close", (event) => {
      window.clearTimeout(healthyTimer);
      live.dataset.connected = "false";
      const final = [words.closeUnauthenticated, words.closeTooMany].map(Number);
      if (final.includes(event.code)) {
        return; // logged out, or too many windows open: a reload will tell
      }
      attempt += 1;
      const delay = Math.min(30000, 1000 * 2 ** attempt) * (0.5 + Math.random() / 2);
      window.setTimeout(connectWhenOnline, delay);
    });
  }

  // Offline, an attempt can only fail (and the browser logs each one): wait until the
  // browser says it is back.
  function connectWhenOnline() {
    if (navigator.onLine === false) {
      window.addEventListener("online", connect, { once: true });
    } else {
      connect();
    }
  }

  connect();
})();
