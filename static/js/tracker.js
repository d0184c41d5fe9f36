// The tracker: what the shopper does, as events for POST /api/v1/events (profiles/events/schema.py).
//
//   const tracker = createTracker({consent: "granted"});
//   tracker.observe(cardElement, {item, requestId, position});   // impressions, skips + dwell
//   tracker.watchVideo(videoElement, meta);                        // video_progress 25/50/75/100
//   const id = tracker.track("like", meta);                        // anything else; returns the event id
//   tracker.track("hide", meta, {holdMs: 5000}); tracker.retract(id) // kept back a while: undoable
//   tracker.trackSearch(query);                                    // a search: no item, sent at once
//
// What a card seen on the page sends, once per card per page, at 50 % visibility or more:
//   impression  it stayed in view `impressionMs` (1 s), in one visit or, when the shopper acted on it
//               (any tracked event of the card), at once: an action never comes without an impression.
//   skip        it left the view sooner, by scrolling, and the shopper did nothing with it (a tap that
//               opened or liked it, a cart add, "not interested"…): scrolled past. A card still in
//               view when the page is hidden, or removed from the page, is not skipped.
// A card gets one or the other, never both (coming back to a skipped card and staying may add its
// impression later). Dwell (`minDwellMs` or more in one visit) comes on top.
//
// Every event carries a client-made id (the server dedupes on it), the feed request id and position
// of the card it came from, a session id (sessionStorage) and {device, viewport}. Events are batched
// (every `flushMs` or at `batchSize`), sent with fetch + CSRF header, retried with exponential
// backoff while the network fails, kept in localStorage until the server has them (a reload loses
// nothing), and sent with navigator.sendBeacon when the page is hidden or left. When the shopper
// refused personalization nothing is kept and nothing is sent.

const DEFAULTS = {
  endpoint: "/api/v1/events",
  consent: "undecided", // "granted" | "undecided" (the server's default: on) | "refused"
  impressionMs: 1000, // a card ≥ 50 % visible this long is an impression; one leaving sooner, a skip
  minDwellMs: 300, // shorter visits are a swipe past, not a dwell
  flushMs: 4000,
  batchSize: 20,
  maxBatch: 200, // per request (the server takes 500; a beacon must stay under 64 KB)
  maxStored: 1000, // oldest dropped beyond this: a tab offline for hours must not fill the storage
  backoffMs: 1000,
  maxBackoffMs: 60_000,
  storageKey: "fs_events",
  csrfToken: () => document.querySelector('meta[name="csrf-token"]')?.content || "",
  fetch: (...args) => window.fetch(...args),
};
// The server refuses events older than 3 days (MAX_AGE); stored ones older than this are dropped.
const MAX_AGE_S = 3 * 24 * 3600 - 600;
const VISIBLE = 0.5;
const MILESTONES = [25, 50, 75, 100];
// Watching or passing by: these never make a card "acted on" (any other type does).
const PASSIVE = new Set(["impression", "view", "dwell", "video_progress", "skip"]);

function randomId() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16)); // not a secure context: no randomUUID
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Matches the server's EVENT_ID_RE: a letter first, then 8-63 of [A-Za-z0-9_.:-]. */
export function newEventId() {
  return `w-${randomId()}`;
}

function sessionId() {
  try {
    let id = sessionStorage.getItem("fs_sid");
    if (!id) {
      id = `s-${randomId()}`;
      sessionStorage.setItem("fs_sid", id);
    }
    return id;
  } catch {
    return `s-${randomId()}`;
  }
}

export function deviceClass(width = window.innerWidth) {
  const coarse = window.matchMedia?.("(pointer: coarse)").matches;
  if (width < 768) return "mobile";
  if (coarse && width < 1100) return "tablet";
  return "desktop";
}

function context() {
  const w = Math.max(1, Math.round(window.innerWidth));
  const hgt = Math.max(1, Math.round(window.innerHeight));
  return { device: deviceClass(w), viewport: [w, hgt] };
}

export function createTracker(options = {}) {
  const opts = { ...DEFAULTS, ...options };
  let consent = opts.consent;
  const session = sessionId();
  const tabKey = `${opts.storageKey}:${randomId().slice(0, 12)}`;
  let queue = []; // not yet confirmed by the server (includes what is in flight)
  let inFlight = null;
  let flushTimer = null;
  let retryTimer = null;
  let attempt = 0;
  let inFlightIds = [];
  const held = new Set(); // ids of events kept back (`holdMs`): still undoable, not sent by flush()
  const listeners = new Set();

  const enabled = () => consent !== "refused";

  // ---- storage: survive a reload (each tab its own key; a new page adopts every tab's leftovers,
  // which at worst sends an event twice, and the server drops the copy by its id)
  function persist() {
    try {
      if (queue.length) localStorage.setItem(tabKey, JSON.stringify(queue.slice(-opts.maxStored)));
      else localStorage.removeItem(tabKey);
    } catch {
      /* storage full or disabled: memory only */
    }
  }

  function forgetStored() {
    try {
      for (const key of Object.keys(localStorage)) if (key.startsWith(opts.storageKey)) localStorage.removeItem(key);
    } catch {
      /* nothing stored */
    }
  }

  function adopt() {
    const now = Date.now() / 1000;
    const known = new Set(queue.map((e) => e.event_id));
    try {
      for (const key of Object.keys(localStorage)) {
        if (!key.startsWith(opts.storageKey) || key === tabKey) continue;
        let stored = [];
        try {
          stored = JSON.parse(localStorage.getItem(key)) || [];
        } catch {
          /* corrupt: dropped */
        }
        localStorage.removeItem(key);
        for (const event of stored) {
          if (event?.event_id && !known.has(event.event_id) && now - event.ts < MAX_AGE_S) {
            known.add(event.event_id);
            queue.push(event);
          }
        }
      }
    } catch {
      /* storage disabled */
    }
    persist();
  }

  // ---- sending
  function schedule() {
    if (flushTimer || retryTimer || !queue.length) return;
    flushTimer = setTimeout(() => {
      flushTimer = null;
      flush();
    }, opts.flushMs);
  }

  function confirm(batch) {
    const sent = new Set(batch.map((e) => e.event_id));
    queue = queue.filter((e) => !sent.has(e.event_id));
    persist();
  }

  async function flush() {
    clearTimeout(flushTimer);
    flushTimer = null;
    if (inFlight || retryTimer || !queue.length || !enabled()) return inFlight;
    const batch = queue.filter((e) => !held.has(e.event_id)).slice(0, opts.maxBatch);
    if (!batch.length) return null; // only held events: each sends itself when its hold ends
    inFlightIds = batch.map((e) => e.event_id);
    inFlight = (async () => {
      let retry = false;
      try {
        const response = await opts.fetch(opts.endpoint, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": opts.csrfToken() },
          body: JSON.stringify({ events: batch }),
        });
        // 2xx: taken (accepted, duplicate or rejected one by one). Other 4xx: a resend cannot
        // help, except a timeout or "slow down". 5xx: the server will be back.
        retry = response.status >= 500 || response.status === 408 || response.status === 429;
        if (!retry) {
          confirm(batch);
          attempt = 0;
          listeners.forEach((fn) => fn({ sent: batch.length, status: response.status }));
        }
      } catch {
        retry = true; // network failure
      } finally {
        inFlight = null;
        inFlightIds = [];
      }
      if (retry) {
        attempt += 1;
        const delay = Math.min(opts.maxBackoffMs, opts.backoffMs * 2 ** (attempt - 1));
        retryTimer = setTimeout(() => {
          retryTimer = null;
          flush();
        }, delay * (0.75 + Math.random() * 0.5));
      } else if (queue.length - held.size >= opts.batchSize) {
        flush();
      } else {
        schedule();
      }
    })();
    return inFlight;
  }

  /** Last chance (page hidden or left): everything not confirmed, by beacon. */
  function flushBeacon() {
    if (!enabled() || !queue.length || !navigator.sendBeacon) return false;
    const batch = queue.slice(0, opts.maxBatch); // held ones too: the page is going, undo with it
    const body = new Blob([JSON.stringify({ events: batch })], { type: "application/json" });
    const queued = navigator.sendBeacon(opts.endpoint, body);
    if (queued) confirm(batch); // the browser owns it now (what is in flight may arrive twice: deduped)
    return queued;
  }

  function track(type, meta = {}, extra = {}) {
    if (!enabled() || !meta.item) return null;
    if (!PASSIVE.has(type)) acted(meta.item);
    const event = {
      event_id: newEventId(),
      type,
      item: meta.item,
      ts: Date.now() / 1000,
      session_id: session,
      context: { ...context(), ...(extra.context || {}) },
    };
    if (meta.requestId) {
      event.request_id = meta.requestId;
      if (Number.isInteger(meta.position)) event.position = meta.position;
    }
    for (const field of ["dwell_ms", "value", "product"]) {
      if (extra[field] !== undefined && extra[field] !== null) event[field] = extra[field];
    }
    queue.push(event);
    if (queue.length > opts.maxStored) queue.splice(0, queue.length - opts.maxStored);
    persist();
    if (extra.holdMs > 0) {
      held.add(event.event_id);
      setTimeout(() => held.delete(event.event_id) && flush(), extra.holdMs);
    }
    if (queue.length >= opts.batchSize) flush();
    else schedule();
    return event.event_id;
  }

  /** A search (no item): the server turns it into short-lived intent for the next feed page. */
  function trackSearch(query) {
    if (!enabled() || !query) return null;
    const event = { event_id: newEventId(), type: "search", query: query.slice(0, 100), ts: Date.now() / 1000, session_id: session };
    queue.push(event);
    persist();
    flush();
    return event.event_id;
  }

  /** Take back an event not sent yet (true), e.g. "not interested" undone; false once it is sent
   * or on its way. Only events tracked with `holdMs` are sure to wait that long. */
  function retract(eventId) {
    const sending = new Set(inFlightIds);
    const index = queue.findIndex((e) => e.event_id === eventId);
    if (index < 0 || sending.has(eventId)) return false;
    queue.splice(index, 1);
    held.delete(eventId);
    persist();
    return true;
  }

  // ---- impressions, skips and dwell
  const watched = new Map(); // element → {meta, impressed, skipped, acted, seen, timer, since}
  const byItem = new Map(); // item id → its state, kept when the card leaves the page

  function impress(state) {
    clearTimeout(state.timer);
    state.timer = null;
    if (state.impressed) return;
    state.impressed = true;
    track("impression", state.meta);
  }

  /** A card the shopper acted on was seen: its impression goes first if it has none yet. */
  function acted(item) {
    const state = byItem.get(item);
    if (!state) return;
    state.acted = true;
    if (!state.impressed && (state.since !== null || state.seen)) impress(state);
  }

  function endDwell(state) {
    if (state.since === null) return;
    const dwell = Math.round(performance.now() - state.since);
    state.since = null;
    if (dwell >= opts.minDwellMs) track("dwell", state.meta, { dwell_ms: dwell });
  }

  function startVisit(state) {
    if (state.since === null) state.since = performance.now();
    state.seen = true;
    if (!state.impressed && !state.timer) {
      state.timer = setTimeout(() => {
        state.timer = null;
        if (state.since !== null) impress(state);
      }, opts.impressionMs);
    }
  }

  function endVisit(state) {
    clearTimeout(state.timer);
    state.timer = null;
    endDwell(state);
  }

  /** The card left the view while the shopper scrolled: a skip, if it was never impressed nor acted on. */
  function scrolledPast(state) {
    const wasVisiting = state.since !== null;
    endVisit(state);
    if (wasVisiting && !state.impressed && !state.acted && !state.skipped) {
      state.skipped = true;
      track("skip", state.meta);
    }
  }

  const observer = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        const state = watched.get(entry.target);
        if (!state) continue;
        state.visible = entry.isIntersecting && entry.intersectionRatio >= VISIBLE;
        if (!state.visible && entry.target.isConnected) scrolledPast(state);
        else if (state.visible && document.visibilityState === "visible") startVisit(state);
        else endVisit(state);
      }
    },
    { threshold: [0, VISIBLE, 1] },
  );

  function observe(element, meta) {
    if (watched.has(element)) return;
    // A card put back on the page (an undone "not interested") keeps what it already sent.
    const known = byItem.get(meta.item);
    const state = known
      ? Object.assign(known, { meta, timer: null, since: null, visible: false })
      : { meta, impressed: false, skipped: false, acted: false, seen: false, timer: null, since: null, visible: false };
    watched.set(element, state);
    byItem.set(meta.item, state);
    observer.observe(element);
  }

  function unobserve(element) {
    const state = watched.get(element);
    if (state) endVisit(state);
    watched.delete(element);
    observer.unobserve(element);
  }

  function watchVideo(video, meta) {
    const reached = new Set();
    let last = 0;
    const reach = (share) => {
      for (const mark of MILESTONES) {
        if (share >= mark && !reached.has(mark)) {
          reached.add(mark);
          track("video_progress", meta, { value: mark, context: { progress: mark } });
        }
      }
    };
    video.addEventListener("timeupdate", () => {
      if (!video.duration || !Number.isFinite(video.duration)) return;
      // A looping video never fires "ended": jumping back to the start after the last quarter
      // means it played to the end (timeupdate fires only every ~250 ms, so 100 % is never seen).
      if (video.currentTime < last && last / video.duration >= 0.75) reach(100);
      last = video.currentTime;
      reach((video.currentTime / video.duration) * 100);
    });
    video.addEventListener("ended", () => reach(100));
  }

  // ---- page lifecycle
  function onHidden() {
    for (const state of watched.values()) endVisit(state);
    flushBeacon();
  }

  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") onHidden();
    else for (const state of watched.values()) if (state.visible) startVisit(state);
  });
  window.addEventListener("pagehide", onHidden);
  window.addEventListener("online", () => {
    clearTimeout(retryTimer);
    retryTimer = null;
    attempt = 0;
    flush();
  });

  function setConsent(value) {
    consent = value;
    if (!enabled()) {
      queue = [];
      clearTimeout(flushTimer);
      clearTimeout(retryTimer);
      flushTimer = retryTimer = null;
      forgetStored();
    } else {
      schedule();
    }
  }

  if (enabled()) {
    adopt();
    schedule();
  } else {
    forgetStored();
  }

  return {
    track,
    trackSearch,
    retract,
    observe,
    unobserve,
    watchVideo,
    flush,
    flushBeacon,
    setConsent,
    get consent() {
      return consent;
    },
    get sessionId() {
      return session;
    },
    pending: () => queue.slice(),
    onSent: (fn) => listeners.add(fn),
  };
}
