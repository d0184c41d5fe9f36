// Live feed updates over the websocket /ws/feed/ (server: ranking/consumers.py, payloads: ranking/push.py).
//
//   server → client  {"type": "feed.fresh", "cards": [card, …]}             → insertFresh(cards)
//                    {"type": "counts", "item", "likes", "comments", "shares"} → updateCounts(item, counts)
//                    {"type": "notice", "kind", "product", "title", "price", "text"} → notify(text)
//                    {"type": "feed.removed", "item_id"}   (to every socket)   → removeItem(item_id)
//   client → server  {"type": "watch", "items": [ids]}  the cards on screen (at most MAX_WATCHED)
//                    {"type": "ping"}                   every 25 s: keeps this shopper "online"
//
// Cards on screen are the elements matching `cardSelector` (default `article.card[data-id]`, as
// static/js/card.js draws them, `data-id` being the content id) that are at least half visible;
// a page may also call watchItems(ids) itself.
// The socket reconnects with exponential backoff and full jitter, except after the server's
// 4401 (no identity: a reload will bring a visitor cookie) and 4400 (a message it does not
// accept: reconnecting would repeat it).
//
// Loaded once per page as a module: <script type="module" src="{% static 'js/live.js' %}">.
// It starts itself; startLive()/stopLive() are exported for pages that want control.

import { insertFresh, notify, removeItem, updateCounts } from "./feed.js";

const PATH = "/ws/feed/";
const PING_MS = 25_000;
const MAX_WATCHED = 12; // the server keeps at most this many (ranking.consumers.MAX_WATCHED)
const WATCH_DEBOUNCE_MS = 250; // a fling scrolls past many cards: tell the server where it stopped
const BACKOFF_BASE_MS = 1_000;
const BACKOFF_MAX_MS = 30_000;
const STABLE_MS = 10_000; // a connection that held this long resets the backoff
const NO_RETRY = new Set([4400, 4401]);

let socket = null;
let started = false;
let attempt = 0;
let retryTimer = null;
let pingTimer = null;
let watchTimer = null;
let openedAt = 0;
let sentWatch = "";
let cardSelector = "article.card[data-id]";
const visible = new Set();
let observer = null;
let mutations = null;

function socketUrl() {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}${PATH}`;
}

function send(message) {
  if (socket && socket.readyState === WebSocket.OPEN) {
    socket.send(JSON.stringify(message));
    return true;
  }
  return false;
}

function sendWatch() {
  const items = [...visible].slice(0, MAX_WATCHED).sort((a, b) => a - b);
  const key = items.join(",");
  if (key !== sentWatch && send({ type: "watch", items })) {
    sentWatch = key;
  }
}

function scheduleWatch() {
  clearTimeout(watchTimer);
  watchTimer = setTimeout(sendWatch, WATCH_DEBOUNCE_MS);
}

function handle(message) {
  switch (message.type) {
    case "feed.fresh":
      if (Array.isArray(message.cards) && message.cards.length) insertFresh(message.cards);
      break;
    case "counts":
      updateCounts(message.item, { likes: message.likes, comments: message.comments, shares: message.shares });
      break;
    case "notice":
      notify(message.text);
      break;
    case "feed.removed":
      if (Number.isSafeInteger(message.item_id)) removeItem(message.item_id);
      break;
    default:
      break; // a newer server may send more types: ignore what this page does not know
  }
}

function scheduleReconnect() {
  if (!started || retryTimer) return;
  // Full jitter: a server restart must not bring every browser back in the same second.
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** attempt);
  attempt += 1;
  retryTimer = setTimeout(() => {
    retryTimer = null;
    connect();
  }, Math.random() * ceiling);
}

function connect() {
  if (!started || (socket && socket.readyState <= WebSocket.OPEN)) return;
  try {
    socket = new WebSocket(socketUrl());
  } catch {
    // Refused before any network (a page policy, a blocked port): the feed works without it.
    socket = null;
    scheduleReconnect();
    return;
  }
  socket.addEventListener("open", () => {
    openedAt = Date.now();
    sentWatch = "";
    sendWatch();
    clearInterval(pingTimer);
    pingTimer = setInterval(() => send({ type: "ping" }), PING_MS);
  });
  socket.addEventListener("message", (event) => {
    let message;
    try {
      message = JSON.parse(event.data);
    } catch {
      return;
    }
    handle(message);
  });
  socket.addEventListener("close", (event) => {
    clearInterval(pingTimer);
    socket = null;
    if (openedAt && Date.now() - openedAt >= STABLE_MS) attempt = 0;
    openedAt = 0;
    if (NO_RETRY.has(event.code)) {
      started = false;
      return;
    }
    scheduleReconnect();
  });
  // An error is always followed by a close event, which decides what to do next.
}

function itemId(element) {
  const id = Number.parseInt(element.dataset.id, 10);
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}

function observeCards(root) {
  if (!observer) return;
  if (root.matches?.(cardSelector)) observer.observe(root);
  root.querySelectorAll?.(cardSelector).forEach((element) => observer.observe(element));
}

function startObserving() {
  if (!("IntersectionObserver" in window)) return;
  observer = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        const id = itemId(entry.target);
        if (id === null) continue;
        if (entry.isIntersecting) visible.add(id);
        else visible.delete(id);
      }
      scheduleWatch();
    },
    { threshold: 0.5 },
  );
  observeCards(document);
  // Cards are added as the feed scrolls and when fresh ones arrive.
  mutations = new MutationObserver((records) => {
    for (const record of records) {
      record.addedNodes.forEach((node) => node.nodeType === Node.ELEMENT_NODE && observeCards(node));
      record.removedNodes.forEach((node) => {
        if (node.nodeType !== Node.ELEMENT_NODE) return;
        const gone = node.matches?.(cardSelector) ? [node] : [...(node.querySelectorAll?.(cardSelector) ?? [])];
        gone.forEach((element) => {
          observer.unobserve(element);
          const id = itemId(element);
          if (id !== null) visible.delete(id);
        });
        if (gone.length) scheduleWatch();
      });
    }
  });
  mutations.observe(document.body, { childList: true, subtree: true });
}

function onOnline() {
  // Back from offline or from a background tab: do not wait out the backoff.
  if (!started || socket) return;
  clearTimeout(retryTimer);
  retryTimer = null;
  attempt = 0;
  connect();
}

function onVisibility() {
  if (document.visibilityState === "visible") onOnline();
}

/** Tell the server which cards are on screen, when the page tracks visibility itself. */
export function watchItems(ids) {
  visible.clear();
  for (const id of ids) if (Number.isSafeInteger(id) && id > 0) visible.add(id);
  scheduleWatch();
}

export function startLive(options = {}) {
  if (started) return;
  started = true;
  attempt = 0;
  cardSelector = options.cardSelector ?? cardSelector;
  startObserving();
  window.addEventListener("online", onOnline);
  document.addEventListener("visibilitychange", onVisibility);
  connect();
}

export function stopLive() {
  started = false;
  clearTimeout(retryTimer);
  clearTimeout(watchTimer);
  clearInterval(pingTimer);
  retryTimer = null;
  observer?.disconnect();
  mutations?.disconnect();
  observer = mutations = null;
  visible.clear();
  window.removeEventListener("online", onOnline);
  document.removeEventListener("visibilitychange", onVisibility);
  socket?.close(1000);
  socket = null;
}

if (typeof window !== "undefined" && typeof WebSocket !== "undefined") {
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => startLive(), { once: true });
  else startLive();
}
