// Live group chat. The page already shows the latest messages (it works without this
// file); this script makes it live. Postgres is the record: every message has a room
// sequence number, and after any gap or reconnect the client asks for what it missed.
"use strict";

(() => {
  const root = document.getElementById("chat");
  if (!root || !("WebSocket" in window) || root.dataset.paging === "true") {
    return;
  }
  const log = document.getElementById("chat-log");
  const status = document.getElementById("chat-status");
  const typingLine = document.getElementById("chat-typing");
  const form = document.querySelector("form#composer"); // absent when one can only read
  const textarea = document.getElementById("chat-body");
  const errorLine = document.getElementById("chat-error");
  const isLeader = root.dataset.isLeader === "true";
  // Close codes and URLs come from the page, which has them from the server.
  const CLOSED_UNAUTHENTICATED = Number(root.dataset.closeUnauthenticated);
  const CLOSED_FORBIDDEN = Number(root.dataset.closeForbidden);
  const messageUrl = (template, id) => template.replace("/0/", `/${id}/`);
  const csrf = form ? form.querySelector("input[name=csrfmiddlewaretoken]").value : "";
  const timeZone = root.dataset.timeZone || undefined;
  const LINK_REL = "nofollow ugc noopener noreferrer";
  const LINK = /https?:\/\/[^\s<>"']+/gi;

  let lastSeq = Number(root.dataset.lastSeq || 0);
  let socket = null;
  let attempt = 0;
  let closedForGood = false;
  let retryTimer = null;
  let lastTyping = 0;
  const outbox = new Map(); // client_msg_id -> {body, element}
  const sentByMe = new Set(); // every client_msg_id this page has sent
  const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone });
  const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: "long", day: "numeric", month: "long", year: "numeric", timeZone });
  const dayKey = new Intl.DateTimeFormat("en-CA", { year: "numeric", month: "2-digit", day: "2-digit", timeZone });

  function say(text) {
    status.textContent = text;
  }

  function showError(text) {
    if (errorLine) {
      errorLine.textContent = text;
    }
  }

  function linkified(text) {
    const fragment = document.createDocumentFragment();
    let position = 0;
    for (const match of text.matchAll(LINK)) {
      const url = match[0].replace(/[.,;:!?)\]}'"]+$/, "");
      fragment.append(text.slice(position, match.index));
      const link = document.createElement("a");
      link.href = url;
      link.rel = LINK_REL;
      link.textContent = url;
      fragment.append(link);
      position = match.index + url.length;
    }
    fragment.append(text.slice(position));
    return fragment;
  }

  function ensureDay(date) {
    const key = dayKey.format(date);
    const days = log.querySelectorAll(".chat-day");
    const last = days[days.length - 1];
    if (last && last.dataset.day === key) {
      return;
    }
    const item = document.createElement("li");
    item.className = "chat-day";
    item.dataset.day = key;
    const span = document.createElement("span");
    span.textContent = dayFormat.format(date);
    item.append(span);
    log.append(item);
  }

  function actionsFor(message) {
    const actions = document.createElement("span");
    actions.className = "chat-message__actions";
    if (isLeader) {
      const deleteForm = document.createElement("form");
      deleteForm.method = "post";
      deleteForm.action = messageUrl(root.dataset.deleteUrl, message.id);
      deleteForm.className = "inline-form";
      const token = document.createElement("input");
      token.type = "hidden";
      token.name = "csrfmiddlewaretoken";
      token.value = csrf;
      const button = document.createElement("button");
      button.type = "submit";
      button.className = "link-button";
      button.textContent = "Delete";
      const hidden = document.createElement("span");
      hidden.className = "visually-hidden";
      hidden.textContent = ` message from ${message.author}`;
      button.append(hidden);
      deleteForm.append(token, button);
      deleteForm.addEventListener("submit", (event) => {
        if (socket && socket.readyState === WebSocket.OPEN) {
          event.preventDefault();
          socket.send(JSON.stringify({ type: "delete", id: message.id }));
        }
      });
      actions.append(deleteForm);
    }
    if (!sentByMe.has(message.client_msg_id)) {
      const report = document.createElement("a");
      report.href = messageUrl(root.dataset.reportUrl, message.id);
      report.textContent = "Report";
      const hidden = document.createElement("span");
      hidden.className = "visually-hidden";
      hidden.textContent = ` message from ${message.author}`;
      report.append(hidden);
      actions.append(report);
    }
    return actions;
  }

  function fill(element, message) {
    element.replaceChildren();
    element.id = `message-${message.id}`;
    element.dataset.id = message.id;
    element.dataset.seq = message.seq;
    element.className = "chat-message" + (message.deleted ? " chat-message--deleted" : "");
    const author = document.createElement("span");
    author.className = "chat-message__author";
    author.textContent = message.author;
    const time = document.createElement("time");
    time.className = "chat-message__time";
    time.dateTime = message.created_at;
    time.textContent = timeFormat.format(new Date(message.created_at));
    const body = document.createElement("span");
    body.className = "chat-message__body" + (message.deleted ? " tombstone" : "");
    if (message.deleted) {
      body.textContent = "Message removed by a peer leader.";
    } else {
      body.append(linkified(message.body));
    }
    element.append(author, " ", time, " ", body);
    if (!message.deleted) {
      element.append(" ", actionsFor(message));
    }
  }

  function render(message) {
    const existing = document.getElementById(`message-${message.id}`);
    if (existing) {
      fill(existing, message); // an update (a tombstone), never a duplicate
    } else {
      const pending = log.querySelector(`[data-client-msg-id="${message.client_msg_id}"]`);
      if (pending) {
        pending.removeAttribute("data-client-msg-id");
        fill(pending, message);
      } else {
        const empty = log.querySelector(".chat-empty");
        if (empty) {
          empty.remove();
        }
        ensureDay(new Date(message.created_at));
        const item = document.createElement("li");
        fill(item, message);
        insertInOrder(item, message.seq);
      }
    }
    if (message.seq > lastSeq + 1 && socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify({ type: "sync", after: lastSeq })); // we missed some
    }
    lastSeq = Math.max(lastSeq, message.seq);
  }

  function insertInOrder(item, seq) {
    const later = [...log.querySelectorAll(".chat-message[data-seq]")].find(
      (other) => Number(other.dataset.seq) > seq,
    );
    if (later) {
      log.insertBefore(item, later);
    } else {
      const firstPending = log.querySelector("[data-client-msg-id]");
      log.insertBefore(item, firstPending);
    }
  }

  function addPending(clientId, body) {
    const empty = log.querySelector(".chat-empty");
    if (empty) {
      empty.remove();
    }
    ensureDay(new Date());
    const item = document.createElement("li");
    item.className = "chat-message chat-message--pending";
    item.dataset.clientMsgId = clientId;
    const author = document.createElement("span");
    author.className = "chat-message__author";
    author.textContent = "You";
    const text = document.createElement("span");
    text.className = "chat-message__body";
    text.append(linkified(body));
    const note = document.createElement("span");
    note.className = "meta";
    note.textContent = " (sending…)";
    item.append(author, " ", text, note);
    log.append(item);
    return item;
  }

  function sendFromOutbox(clientId) {
    const entry = outbox.get(clientId);
    if (entry && socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify({ type: "send", client_msg_id: clientId, body: entry.body }));
    }
  }

  function applyState(state) {
    const parts = [];
    if (state.locked) {
      parts.push("A peer leader has paused this chat.");
    }
    if (state.slow_mode_seconds) {
      parts.push(`Slow mode: one message every ${state.slow_mode_seconds} seconds.`);
    }
    if (state.muted_until) {
      parts.push(`You are muted until ${timeFormat.format(new Date(state.muted_until))}; you can still read.`);
    } else if (!state.can_send && state.reason) {
      parts.push(state.reason);
    }
    say(parts.join(" "));
    if (form) {
      textarea.disabled = !state.can_send;
      form.querySelector("button[type=submit]").disabled = !state.can_send;
    }
  }

  function handle(data) {
    switch (data.type) {
      case "hello":
      case "state":
        applyState(data);
        break;
      case "message":
        render(data.message);
        break;
      case "backfill":
        data.messages.forEach(render);
        break;
      case "ack": {
        outbox.delete(data.client_msg_id);
        render(data.message);
        break;
      }
      case "error": {
        if (data.client_msg_id && outbox.has(data.client_msg_id)) {
          const entry = outbox.get(data.client_msg_id);
          outbox.delete(data.client_msg_id);
          entry.element.remove();
          if (textarea && !textarea.value) {
            textarea.value = entry.body; // nothing the member wrote is lost
          }
        }
        showError(data.message);
        break;
      }
      case "reload":
        window.location.reload();
        break;
      case "closed":
        closedForGood = true;
        say(data.reason);
        break;
      case "typing":
        typingLine.textContent = `${data.author} is typing…`;
        window.setTimeout(() => { typingLine.textContent = ""; }, 4000);
        break;
      case "presence":
        typingLine.textContent = data.here ? `${data.author} is here.` : `${data.author} has left.`;
        window.setTimeout(() => { typingLine.textContent = ""; }, 4000);
        break;
      case "reported":
        showError(data.message);
        break;
      default:
        break;
    }
  }

  function connect() {
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    socket = new WebSocket(`${scheme}://${window.location.host}${root.dataset.socket}`);
    socket.addEventListener("open", () => {
      attempt = 0;
      root.classList.remove("chat--offline");
      say("");
      socket.send(JSON.stringify({ type: "sync", after: lastSeq }));
      for (const clientId of outbox.keys()) {
        sendFromOutbox(clientId); // retries are safe: the server knows each id once
      }
    });
    socket.addEventListener("message", (event) => handle(JSON.parse(event.data)));
    socket.addEventListener("close", (event) => {
      if (closedForGood || event.code === CLOSED_UNAUTHENTICATED || event.code === CLOSED_FORBIDDEN) {
        root.classList.add("chat--offline");
        if (event.code === CLOSED_UNAUTHENTICATED) {
          say("You have been logged out. Log in again to keep chatting.");
        } else if (!closedForGood) {
          say("You don't have access to this chat any more.");
        }
        if (form) {
          textarea.disabled = true;
          form.querySelector("button[type=submit]").disabled = true;
        }
        return;
      }
      root.classList.add("chat--offline");
      say("Reconnecting… Your messages are kept and will be sent.");
      attempt += 1;
      const delay = Math.min(15000, 500 * 2 ** attempt) * (0.5 + Math.random() / 2);
      retryTimer = window.setTimeout(connect, delay);
    });
  }

  if (form) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const body = textarea.value.trim();
      showError("");
      if (!body) {
        showError("Please write a message before sending.");
        return;
      }
      const clientId = window.crypto.randomUUID();
      sentByMe.add(clientId);
      outbox.set(clientId, { body, element: addPending(clientId, body) });
      textarea.value = "";
      sendFromOutbox(clientId);
    });
    textarea.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    textarea.addEventListener("input", () => {
      const now = Date.now();
      if (socket && socket.readyState === WebSocket.OPEN && now - lastTyping > 3000) {
        lastTyping = now;
        socket.send(JSON.stringify({ type: "typing" }));
      }
    });
  }
  // Back online: try at once rather than wait for the next backoff step.
  window.addEventListener("online", () => {
    if (!closedForGood && retryTimer !== null && (!socket || socket.readyState === WebSocket.CLOSED)) {
      window.clearTimeout(retryTimer);
      retryTimer = null;
      connect();
    }
  });
  connect();
})();
