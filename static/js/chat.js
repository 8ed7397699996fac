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
  // Limits come from the page too, rendered from the server's one constant each.
  const MAX_LENGTH = Number(root.dataset.maxLength);
  const MAX_FRAME_BYTES = Number(root.dataset.maxFrameBytes);
  const csrf = form ? form.querySelector("input[name=csrfmiddlewaretoken]").value : "";
  const timeZone = root.dataset.timeZone || undefined;
  // Enter sends only when this script runs: without it, the form's button does.
  const enterHint = document.getElementById("chat-enter-hint");
  if (enterHint && form) {
    enterHint.hidden = false;
  }

  // Reconnecting: the wait doubles (with jitter, capped) after every close, and goes
  // back to the start only once a socket has stayed open for a while, so a server
  // that accepts and closes at once is not hammered.
  const RECONNECT_FIRST_MS = 500;
  const RECONNECT_MAX_MS = 15000;
  const HEALTHY_AFTER_MS = 10000;
  // A message the server could not save (database or Redis trouble) is tried again
  // after the time it names, and after a wait that grows with each failure.
  const UNAVAILABLE_MAX_MS = 30000;
  // Refusals that mean "not yet": the message stays in the outbox and is sent again.
  const NOT_YET = new Set(["rate_limited", "slow_mode", "unavailable"]);
  // A close while a message is in flight, soon after it went: 1009 says it is bigger
  // than the server reads; a server that refuses a frame may also just cut the
  // connection (the browser sees 1006). Twice like that, and the message goes back
  // into the box instead of being resent for ever.
  const CLOSED_TOO_BIG = 1009;
  const CLOSED_CLEANLY = new Set([1000, 1001]);
  const DROPPED_SOON_MS = 5000;
  const DROPS_BEFORE_GIVING_BACK = 2;

  let lastSeq = Number(root.dataset.lastSeq || 0);
  let socket = null;
  let attempt = 0;
  let closedForGood = false;
  let retryTimer = null;
  let healthyTimer = null;
  let lastTyping = 0;
  let reloadWanted = false;
  let lastState = null;
  // The outbox, in the order the member wrote: one message is sent at a time and the
  // next only after the server answered, so they are saved in order and a burst after
  // a reconnect never outruns the rate limit.
  const outbox = new Map(); // client_msg_id -> {body, element, failures, drops, sentAt}
  let inFlight = null; // the client_msg_id sent on this socket and not answered yet
  let synced = false; // this socket's sync was answered: what was saved is known
  let holdUntil = 0; // send nothing before this time (from a refusal's retry_after)
  let pumpTimer = null;
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

  // A message's HTML comes from the server, which made its links and sanitized it
  // (groups/markdown.py), the same for the page, the socket and posts: this script
  // never looks for links itself. Parsed inert in a template, then moved in.
  function messageBody(message) {
    if (typeof message.html !== "string") {
      return document.createTextNode(message.body);
    }
    const template = document.createElement("template");
    template.innerHTML = message.html;
    return template.content;
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
      body.append(messageBody(message));
    }
    element.append(author, " ", time, " ", body);
    if (!message.deleted) {
      element.append(" ", actionsFor(message));
    }
  }

  function render(message) {
    if (outbox.has(message.client_msg_id)) {
      outbox.delete(message.client_msg_id); // saved: it may have come back by sync first
      if (inFlight === message.client_msg_id) {
        inFlight = null;
      }
    }
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
    text.textContent = body; // links come with the server's copy, once saved
    const note = document.createElement("span");
    note.className = "meta";
    note.textContent = " (sending…)";
    item.append(author, " ", text, note);
    log.append(item);
    return item;
  }

  function isOpen() {
    return socket !== null && socket.readyState === WebSocket.OPEN;
  }

  function codePoints(text) {
    return [...text].length;
  }

  function tooLongText(length) {
    return `This message has ${length.toLocaleString()} characters; the most is ` +
      `${MAX_LENGTH.toLocaleString()}. It's still in the box: shorten it or split it into a few messages.`;
  }

  function setNote(entry, text) {
    entry.element.querySelector(".meta").textContent = ` (${text})`;
  }

  // Send the next message in the outbox, if nothing is waiting for an answer.
  function pump() {
    window.clearTimeout(pumpTimer);
    pumpTimer = null;
    if (inFlight !== null || !isOpen() || !synced || outbox.size === 0) {
      return;
    }
    const wait = holdUntil - Date.now();
    if (wait > 0) {
      pumpTimer = window.setTimeout(pump, wait);
      return;
    }
    const [clientId, entry] = outbox.entries().next().value;
    if (entry.drops >= DROPS_BEFORE_GIVING_BACK) {
      // Not in the backfill this socket's sync brought, so it was never saved.
      giveBack(clientId, "We couldn't send this message: the connection broke each time " +
        "we tried. It's back in the box; you could shorten it or split it, and send it again.");
      pump();
      return;
    }
    const frame = JSON.stringify({ type: "send", client_msg_id: clientId, body: entry.body });
    if (new TextEncoder().encode(frame).length > MAX_FRAME_BYTES) {
      giveBack(clientId, tooLongText(codePoints(entry.body)));
      pump();
      return;
    }
    inFlight = clientId;
    entry.sentAt = Date.now();
    setNote(entry, "sending…");
    socket.send(frame);
  }

  // A message that can never be sent as it is goes back into the box, before what
  // the member is writing now (never over it), with the reason.
  function giveBack(clientId, reason) {
    const entry = outbox.get(clientId);
    outbox.delete(clientId);
    if (inFlight === clientId) {
      inFlight = null;
    }
    entry.element.remove();
    if (textarea) {
      const now = textarea.value;
      textarea.value = now.trim() ? `${entry.body}\n\n${now}` : entry.body;
      updateLength();
    }
    showError(reason);
    maybeReload();
  }

  // Not sent yet, and it will be: keep it first in line and try again later.
  function notYet(clientId, data) {
    const entry = outbox.get(clientId);
    if (inFlight === clientId) {
      inFlight = null;
    }
    let wait = 1000 * (Number(data.retry_after) || 1);
    if (data.code === "unavailable") {
      entry.failures += 1;
      const backoff = Math.min(UNAVAILABLE_MAX_MS, 1000 * 2 ** entry.failures);
      wait = Math.max(wait, backoff * (0.5 + Math.random() / 2));
      setNote(entry, "not saved yet, trying again…");
      say("We couldn't save your message just now. It's kept here and we'll keep trying.");
    } else if (data.code === "slow_mode") {
      setNote(entry, `slow mode: sending in ${Math.ceil(wait / 1000)} seconds…`);
    } else {
      setNote(entry, "sending in a moment…");
    }
    holdUntil = Math.max(holdUntil, Date.now() + wait);
    pump();
  }

  function maybeReload() {
    // Only once nothing the member wrote is waiting: a reload would lose it.
    if (reloadWanted && outbox.size === 0) {
      window.location.reload();
    }
  }

  function applyState(state) {
    lastState = state;
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
        data.messages.forEach(render); // our own saved messages leave the outbox here
        synced = true;
        pump();
        break;
      case "ack": {
        const wasUnavailable = [...outbox.values()].some((entry) => entry.failures > 0);
        render(data.message);
        if (wasUnavailable && lastState && ![...outbox.values()].some((entry) => entry.failures > 0)) {
          applyState(lastState); // the calm "we'll keep trying" is over
        }
        maybeReload();
        pump();
        break;
      }
      case "error": {
        if (data.client_msg_id && outbox.has(data.client_msg_id)) {
          if (NOT_YET.has(data.code)) {
            notYet(data.client_msg_id, data);
          } else {
            giveBack(data.client_msg_id, data.message);
            pump();
          }
        } else {
          showError(data.message);
        }
        break;
      }
      case "reload":
        reloadWanted = true;
        synced = true; // what's left in the outbox goes first, then the page reloads
        maybeReload();
        pump();
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
      healthyTimer = window.setTimeout(() => { attempt = 0; }, HEALTHY_AFTER_MS);
      synced = false;
      root.classList.remove("chat--offline");
      say("");
      socket.send(JSON.stringify({ type: "sync", after: lastSeq }));
      // The outbox goes once the sync is answered; retries are safe anyway: the server
      // knows each id once, and never charges them to the rate limit.
    });
    socket.addEventListener("message", (event) => handle(JSON.parse(event.data)));
    socket.addEventListener("close", (event) => {
      window.clearTimeout(healthyTimer);
      const unanswered = inFlight;
      inFlight = null;
      if (unanswered !== null && outbox.has(unanswered)) {
        const entry = outbox.get(unanswered);
        if (!CLOSED_CLEANLY.has(event.code) && Date.now() - entry.sentAt < DROPPED_SOON_MS) {
          entry.drops += 1;
        }
        if (event.code === CLOSED_TOO_BIG) {
          giveBack(unanswered, tooLongText(codePoints(entry.body)));
        } else {
          setNote(entry, "waiting to send…");
        }
      }
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
      const delay = Math.min(RECONNECT_MAX_MS, RECONNECT_FIRST_MS * 2 ** attempt);
      retryTimer = window.setTimeout(connect, delay * (0.5 + Math.random() / 2));
    });
  }

  // The length, counted as the server counts it (characters, not UTF-16 units), as
  // the member types: a message over the limit is never sent, and the button says so.
  const lengthLine = document.getElementById("chat-length");
  const sendButton = form ? form.querySelector("button[type=submit]") : null;
  let tooLong = false;

  function updateLength() {
    if (!form) {
      return;
    }
    const text = textarea.value.trim();
    // Code points never outnumber UTF-16 units: count them only when it matters.
    const length = text.length > MAX_LENGTH * 0.9 ? codePoints(text) : text.length;
    const wasTooLong = tooLong;
    tooLong = length > MAX_LENGTH;
    if (tooLong) {
      lengthLine.textContent = tooLongText(length);
    } else if (length > MAX_LENGTH * 0.9) {
      lengthLine.textContent = `${(MAX_LENGTH - length).toLocaleString()} characters left.`;
    } else {
      lengthLine.textContent = "";
    }
    if (tooLong !== wasTooLong) {
      sendButton.textContent = tooLong ? "Too long to send" : "Send";
      sendButton.setAttribute("aria-disabled", String(tooLong));
    }
  }

  if (form) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const body = textarea.value.trim();
      showError("");
      updateLength();
      if (!body) {
        showError("Please write a message before sending.");
        return;
      }
      if (tooLong) {
        showError(tooLongText(codePoints(body)));
        textarea.focus();
        return;
      }
      const clientId = window.crypto.randomUUID();
      sentByMe.add(clientId);
      outbox.set(clientId, { body, element: addPending(clientId, body), failures: 0, drops: 0, sentAt: 0 });
      textarea.value = "";
      updateLength();
      pump();
    });
    textarea.addEventListener("input", updateLength);
    updateLength();
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
  // Leaving the page with messages not yet sent: ask first.
  window.addEventListener("beforeunload", (event) => {
    if (outbox.size > 0 && !reloadWanted) {
      event.preventDefault();
    }
  });
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
