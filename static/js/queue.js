// The moderation queue updates itself: the socket is only a doorbell, and the list
// is fetched again from the server (Postgres is the record). Without JavaScript, or
// while the socket is down, the page still works with a reload.
"use strict";

(() => {
  const container = document.getElementById("queue");
  const announcer = document.getElementById("queue-announcer");
  if (!container || !("WebSocket" in window)) {
    return;
  }
  let attempt = 0;
  let refreshing = false;

  async function refresh(urgent) {
    if (refreshing) {
      return;
    }
    refreshing = true;
    try {
      const url = new URL(window.location.href);
      url.searchParams.set("partial", "1");
      const response = await fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } });
      if (response.ok) {
        container.innerHTML = await response.text();
        if (announcer) {
          announcer.textContent = urgent ? "A new urgent item is in the queue." : "The queue has changed.";
        }
      }
    } finally {
      refreshing = false;
    }
  }

  function connect() {
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${window.location.host}${container.dataset.socket}`);
    socket.addEventListener("open", () => {
      attempt = 0;
      refresh(false);  // anything that changed while we were away
    });
    socket.addEventListener("message", (event) => {
      const data = JSON.parse(event.data);
      if (data.type === "queue.changed") {
        refresh(Boolean(data.urgent));
      }
    });
    socket.addEventListener("close", (event) => {
      if (event.code === 4401 || event.code === 4403) {
        return;
      }
      attempt += 1;
      const delay = Math.min(30000, 1000 * 2 ** attempt) * (0.5 + Math.random() / 2);
      window.setTimeout(connect, delay);
    });
  }

  connect();
})();
