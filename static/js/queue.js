// The moderation queue updates itself: the socket is only a doorbell, and the list
// is fetched again from the server (Postgres is the record). Without JavaScript, or
// while the socket is down, the page still works with a reload.
"use strict";

(() => {
  const container = document.getElementById("queue");
  const announcer = document.getElementById("queue-announcer");
  const queueLink = document.getElementById("queue-link");
  if (!container || !("WebSocket" in window)) {
    return;
  }
  // Reconnecting waits longer after every close and starts over only once a socket
  // has stayed open a while: a server that accepts and drops at once isn't hammered.
  const HEALTHY_AFTER_MS = 10000;
  let attempt = 0;
  let healthyTimer = null;
  let running = false;
  let again = false;

  function urgentIds(root) {
    const list = root.querySelector("#queue-list");
    return new Set((list ? list.dataset.urgent : "").split(" ").filter(Boolean));
  }

  function updateBadge(count) {
    let badge = document.getElementById("queue-badge");
    if (count === 0) {
      if (badge) {
        badge.remove();
      }
      return;
    }
    if (!badge) {
      badge = document.createElement("span");
      badge.className = "badge";
      badge.id = "queue-badge";
      const number = document.createElement("span");
      number.className = "badge__count";
      const words = document.createElement("span");
      words.className = "visually-hidden";
      words.textContent = " waiting";
      badge.append(number, words);
      queueLink.append(" ", badge);
    }
    badge.querySelector(".badge__count").textContent = count;
  }

  function announce(text) {
    // Clear first, so the same words twice are still read out.
    announcer.textContent = "";
    window.setTimeout(() => { announcer.textContent = text; }, 50);
  }

  async function refresh() {
    if (running) {
      again = true; // a change arrived mid-fetch: fetch once more afterwards
      return;
    }
    running = true;
    try {
      do {
        again = false;
        const url = new URL(window.location.href);
        url.searchParams.set("partial", "1");
        const response = await fetch(url, { credentials: "same-origin" });
        if (!response.ok) {
          break;
        }
        const before = container.innerHTML;
        const urgentBefore = urgentIds(container);
        container.innerHTML = await response.text();
        const list = container.querySelector("#queue-list");
        if (queueLink && list) {
          updateBadge(Number(list.dataset.count));
        }
        if (container.innerHTML !== before) {
          const newUrgent = [...urgentIds(container)].some((id) => !urgentBefore.has(id));
          announce(newUrgent ? "A new urgent item is in the queue." : "The queue has changed.");
        }
      } while (again);
    } finally {
      running = false;
    }
  }

  function connect() {
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${window.location.host}${container.dataset.socket}`);
    socket.addEventListener("open", () => {
      healthyTimer = window.setTimeout(() => { attempt = 0; }, HEALTHY_AFTER_MS);
      container.dataset.live = "true";
      refresh(); // anything that changed while we were away
    });
    socket.addEventListener("message", (event) => {
      if (JSON.parse(event.data).type === "queue.changed") {
        refresh();
      }
    });
    socket.addEventListener("close", (event) => {
      window.clearTimeout(healthyTimer);
      container.dataset.live = "false";
      // Logged out or no longer a leader (codes from the page): don't come back.
      const closedFor = [container.dataset.closeUnauthenticated, container.dataset.closeForbidden];
      if (closedFor.map(Number).includes(event.code)) {
        return;
      }
      attempt += 1;
      const delay = Math.min(30000, 1000 * 2 ** attempt) * (0.5 + Math.random() / 2);
      window.setTimeout(connect, delay);
    });
  }

  connect();
})();
