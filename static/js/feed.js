// The feed page: full-height snapping cards from GET /api/v1/feed, infinite scroll through its
// cursor, autoplay of the card in view, keyboard navigation, and every button on a card.
//
// Public (for static/js/live.js, the live updates over the websocket):
//   insertFresh(cards, {requestId})  prepend cards not shown yet and show the "New posts" pill
//   updateCounts(itemId, counts)     counts = any of {likes, comments, shares}
//   removeItem(itemId)               the item left the feed (feed.removed): its card goes, and it is
//                                    never drawn on this page again (a page or push in flight)
//   notify(text)                     a toast
//
// "Not interested" (the card menu) sends `hide` (held back HOLD_MS by the tracker), takes the card
// off the page at once and offers "Undo" for UNDO_MS: an undo in that time sends nothing and puts
// the card back. The server then never serves the item to this shopper again and lowers their
// affinity to its creator, tags and category (profiles/events/types.py).
// Also on window.feedsite. The page boots once even if this module is loaded under two URLs
// (hashed by the static storage and plain through a relative import).

import { api, h, prefersReducedMotion } from "./util.js";
import { notify as toast } from "./toast.js";
import { tracker } from "./app.js";
import { deviceClass } from "./tracker.js";
import { closeMenu, openMenu, renderCard, setCounts, setFollowing, setLiked } from "./card.js";
import { addToCart, setUpCart } from "./cart.js";
import { openComments, openProducts, openWhy, setUpComments, setUpDialogs } from "./sheets.js";
import { openReport } from "./report.js";
import { setFollow } from "./follow.js";

const PAGE_SIZE = 8;
const LOAD_AHEAD = 3; // fetch the next page when the shopper is this many cards from the end
const PREFETCH = 2; // media of the next cards loaded before they are reached
const UNDO_MS = 4000; // the "Hidden" toast and its Undo
const HOLD_MS = UNDO_MS + 500; // the hide event waits this long in the tracker: an undo in time sends nothing

export function insertFresh(cards, options = {}) {
  return controller()?.insertFresh(cards, options) ?? 0;
}

export function updateCounts(itemId, counts) {
  controller()?.updateCounts(itemId, counts);
}

export function removeItem(itemId) {
  controller()?.removeItem(itemId);
}

export function notify(text) {
  toast(text);
}

function controller() {
  return window.feedsite?.feed || null;
}

function boot(root) {
  const state = {
    cursor: null,
    done: false,
    loading: false,
    ids: new Set(),
    active: -1,
    wanted: null, // the card a key press asked for, while the smooth scroll gets there
    statusCard: null,
  };
  let sheetCard = null; // the card whose products sheet is open
  let openedFor = null; // the card whose sheet (comments, products, why, report) was opened last
  const cards = () => Array.from(root.querySelectorAll("article.card[data-id]"));

  // ---- media: play the card in view, pause the others, warm up the next ones
  function activate(el) {
    const list = cards();
    const index = list.indexOf(el);
    if (index < 0 || index === state.active) return;
    state.active = index;
    if (state.wanted === index) state.wanted = null;
    for (const other of list) if (other !== el) pause(other);
    // With reduced motion nothing plays by itself: the card shows its Play button instead.
    if (prefersReducedMotion()) offerPlay(el);
    else play(el);
    for (const next of list.slice(index + 1, index + 1 + PREFETCH)) warm(next);
    if (index >= list.length - LOAD_AHEAD) loadMore();
  }

  function play(el) {
    const video = el.querySelector("video");
    if (!video) return;
    warm(el);
    const button = el.querySelector(".card__play");
    video.play().then(
      () => {
        if (!button) return;
        const focused = document.activeElement === button;
        button.hidden = true;
        // The keyboard's focus goes from Play to Pause rather than back to the page's start.
        if (focused) el.querySelector(".card__pause")?.focus();
      },
      () => button && (button.hidden = false), // autoplay refused (battery saver…): a tap plays
    );
  }

  // Pause is offered while a video plays (media events do not bubble: listened to on the way down).
  const syncPause = (event) => {
    const button = event.target.closest?.("article.card")?.querySelector(".card__pause");
    if (button) button.hidden = event.target.paused;
  };
  root.addEventListener("play", syncPause, true);
  root.addEventListener("pause", syncPause, true);

  function offerPlay(el) {
    const button = el.querySelector(".card__play");
    if (button && el.querySelector("video")?.paused) button.hidden = false;
  }

  function pause(el) {
    const video = el.querySelector("video");
    if (video && !video.paused) video.pause();
  }

  function warm(el) {
    const video = el.querySelector("video");
    if (video && video.preload !== "auto") {
      video.preload = "auto";
      video.load();
    }
    const img = el.querySelector("img.card__media, img.card__gallery-image");
    if (img && img.loading !== "eager") img.loading = "eager";
  }

  const visibility = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        if (entry.isIntersecting && entry.intersectionRatio >= 0.5) activate(entry.target);
        else pause(entry.target);
      }
    },
    { root, threshold: [0, 0.5] },
  );

  // ---- cards in and out
  function metaOf(card, requestId) {
    return { item: card.id, requestId: requestId || null, position: requestId ? card.position : null };
  }

  function mount(card, requestId, { before = null } = {}) {
    if (state.ids.has(card.id)) return null;
    state.ids.add(card.id);
    const el = renderCard(card, metaOf(card, requestId));
    root.insertBefore(el, before || state.statusCard);
    visibility.observe(el);
    tracker.observe(el, el.feedMeta);
    const video = el.querySelector("video");
    if (video) tracker.watchVideo(video, el.feedMeta);
    return el;
  }

  function renumber() {
    cards().forEach((el, index) => el.setAttribute("aria-posinset", String(index + 1)));
    const size = state.done ? String(cards().length) : "-1";
    root.querySelectorAll("article.card[data-id]").forEach((el) => el.setAttribute("aria-setsize", size));
  }

  // Status cards are articles too: a role="feed" may own nothing else.
  function setStatus(kind) {
    const card =
      kind === "loading"
        ? h("article", { class: "card card--loading", "aria-label": "Loading more posts" }, h("div", { class: "spinner", role: "status" }))
        : kind === "end"
          ? h(
              "article",
              { class: "card card--end", "aria-label": "End of the feed" },
              h("div", {}, h("h2", {}, "You're all caught up"), h("p", { class: "muted" }, "Come back soon for new posts."), h("a", { class: "button", href: "/" }, "Refresh")),
            )
          : h(
              "article",
              { class: "card card--error", "aria-label": "Couldn't load more" },
              h("div", { role: "alert" }, h("h2", {}, "Couldn't load more"), h("p", { class: "muted" }, "Check your connection."), h("button", { type: "button", class: "button", onclick: () => loadMore() }, "Try again")),
            );
    state.statusCard?.remove();
    state.statusCard = card;
    root.append(card);
  }

  async function loadMore() {
    if (state.loading || state.done) return;
    state.loading = true;
    root.setAttribute("aria-busy", "true");
    setStatus("loading");
    try {
      const query = new URLSearchParams({ limit: String(PAGE_SIZE), device: deviceClass() });
      if (state.cursor) query.set("cursor", state.cursor);
      const page = await api("GET", `/api/v1/feed?${query}`);
      for (const card of page.cards) mount(card, page.request_id);
      state.cursor = page.next_cursor;
      state.done = !page.next_cursor;
      if (state.done) {
        setStatus("end");
      } else {
        state.statusCard.remove();
        state.statusCard = null;
      }
      renumber();
    } catch {
      setStatus("error");
    } finally {
      state.loading = false;
      root.setAttribute("aria-busy", "false");
    }
    // A short page may leave the shopper at the end already.
    if (!state.done && state.active >= cards().length - LOAD_AHEAD) loadMore();
  }

  // ---- cards taken off the page: "not interested", or removed by moderation (live)
  function takeOff(el) {
    const list = cards();
    const index = list.indexOf(el);
    const next = el.nextElementSibling;
    const hadFocus = el.contains(document.activeElement);
    const menu = el.querySelector(".card-menu");
    if (menu) closeMenu(menu, { focus: false });
    if (openedFor === el) document.querySelectorAll("dialog.sheet[open]").forEach((dialog) => dialog.close());
    pause(el);
    visibility.unobserve(el);
    tracker.unobserve(el);
    el.remove();
    if (index < state.active) state.active -= 1;
    else if (index === state.active) state.active = -1; // the card sliding into its place becomes active
    renumber();
    const rest = cards();
    if (hadFocus && rest.length) (rest[Math.min(index, rest.length - 1)] || rest[0]).focus({ preventScroll: true });
    if (!state.done && Math.max(index, 0) >= rest.length - LOAD_AHEAD) loadMore();
    return { el, next };
  }

  function putBack({ el, next }) {
    root.insertBefore(el, next?.isConnected ? next : state.statusCard);
    visibility.observe(el);
    tracker.observe(el, el.feedMeta);
    state.active = -1;
    renumber();
    el.scrollIntoView({ block: "start", behavior: "instant" });
    el.focus({ preventScroll: true });
  }

  function notInterested(el) {
    const eventId = tracker.track("hide", el.feedMeta, { holdMs: HOLD_MS });
    const removed = takeOff(el);
    // Nothing tracked (personalization refused): the undo only puts the card back.
    const undo = () => (eventId === null || tracker.retract(eventId) ? putBack(removed) : toast("Too late to undo: already sent."));
    toast("Hidden. You'll see less like this.", { action: { label: "Undo", onClick: undo }, duration: UNDO_MS });
    // Past the undo, the feed learns at once rather than at the next batch.
    setTimeout(() => tracker.flush(), HOLD_MS + 50);
  }

  function withdrawn(itemId) {
    const id = Number(itemId);
    state.ids.add(id); // never drawn on this page from now on: a page or a push in flight may have it
    const el = root.querySelector(`article.card[data-id="${id}"]`);
    if (el) takeOff(el);
  }

  // ---- keyboard: ↑/↓ and k/j move one card
  function go(delta) {
    const list = cards();
    if (!list.length) return;
    const current = state.wanted ?? Math.max(state.active, 0);
    const index = Math.max(0, Math.min(list.length - 1, current + delta));
    const target = list[index];
    state.wanted = index;
    clearTimeout(state.wantedTimer);
    state.wantedTimer = setTimeout(() => (state.wanted = null), 1200);
    target.scrollIntoView({ block: "start", behavior: prefersReducedMotion() ? "auto" : "smooth" });
    target.focus({ preventScroll: true });
    if (target === list[list.length - 1] && delta > 0) loadMore();
  }

  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
    if (document.querySelector("dialog[open]")) return;
    if (event.target.closest?.('input, textarea, select, [contenteditable], summary, [role="menu"]')) return;
    const delta = { ArrowDown: 1, j: 1, ArrowUp: -1, k: -1 }[event.key];
    if (!delta) return;
    event.preventDefault();
    go(delta);
  });

  // ---- the buttons of a card
  async function toggleLike(el, button) {
    const card = el.feedCard;
    const liked = !card.liked;
    setLiked(el, liked);
    setCounts(el, { likes: card.counts.likes + (liked ? 1 : -1) });
    if (liked) {
      button.classList.remove("rail-button--pop");
      void button.offsetWidth; // restart the animation
      button.classList.add("rail-button--pop");
    }
    try {
      const result = await api(liked ? "PUT" : "DELETE", `/api/v1/items/${card.id}/like`);
      setCounts(el, { likes: result.likes });
      tracker.track(liked ? "like" : "unlike", el.feedMeta);
    } catch (error) {
      setLiked(el, !liked);
      setCounts(el, { likes: card.counts.likes + (liked ? -1 : 1) });
      toast(error.message, { error: true });
    }
  }

  async function toggleFollow(el) {
    const card = el.feedCard;
    const following = !card.following;
    const same = cards().filter((other) => other.feedCard.creator?.id === card.creator.id);
    same.forEach((other) => setFollowing(other, following));
    try {
      await setFollow(card.creator.id, following);
      if (following) tracker.track("follow", el.feedMeta);
      toast(following ? `Following @${card.creator.handle}` : `Unfollowed @${card.creator.handle}`);
    } catch (error) {
      same.forEach((other) => setFollowing(other, !following));
      toast(error.message, { error: true });
    }
  }

  async function share(el) {
    const card = el.feedCard;
    const url = new URL(`/c/${card.id}`, location.origin).href;
    const title = card.creator ? `@${card.creator.handle} on feedsite` : "feedsite";
    try {
      if (navigator.share) {
        await navigator.share({ title, text: card.caption || title, url });
      } else {
        await navigator.clipboard.writeText(url);
        toast("Link copied");
      }
    } catch (error) {
      if (error?.name === "AbortError") return; // the shopper closed the share sheet
      toast(`Copy this link: ${url}`);
    }
    tracker.track("share", el.feedMeta);
    setCounts(el, { shares: card.counts.shares + 1 });
  }

  root.addEventListener("click", (event) => {
    const target = event.target.closest("[data-action]");
    const el = event.target.closest("article.card[data-id]");
    if (!el) return;
    if (!target) {
      // A tap on the picture pauses and resumes a video.
      const video = el.querySelector("video");
      if (video && event.target.closest(".card__stage")) video.paused ? play(el) : video.pause();
      return;
    }
    const card = el.feedCard;
    switch (target.dataset.action) {
      case "like":
        toggleLike(el, target);
        break;
      case "follow":
        toggleFollow(el);
        break;
      case "comment":
        tracker.track("open", el.feedMeta);
        openedFor = el;
        openComments(card, {
          onPosted: (comment) => {
            tracker.track("comment", el.feedMeta);
            if (comment.status === "visible") setCounts(el, { comments: card.counts.comments + 1 });
          },
        });
        break;
      case "share":
        share(el);
        break;
      case "why":
        openedFor = el;
        openWhy(card);
        break;
      case "products":
        tracker.track("open", el.feedMeta);
        openedFor = el;
        openProducts(card);
        sheetCard = el;
        break;
      case "menu":
        if (target.getAttribute("aria-expanded") === "true") closeMenu(el.querySelector(".card-menu"));
        else openMenu(target);
        break;
      case "not-interested":
        notInterested(el);
        break;
      case "report":
        closeMenu(el.querySelector(".card-menu"), { focus: false });
        openedFor = el;
        openReport({ kind: "item", id: card.id });
        break;
      case "add":
        addToCart(Number(target.dataset.product), el.feedMeta, { title: target.dataset.title });
        break;
      case "product":
        tracker.track("product_click", el.feedMeta, { product: Number(target.dataset.product) });
        break; // the link navigates; the beacon on pagehide delivers the event
      case "caption": {
        const caption = el.querySelector(".caption");
        const open = caption.classList.toggle("caption--open");
        target.textContent = open ? "less" : "more";
        target.setAttribute("aria-expanded", String(open));
        break;
      }
      case "play":
        play(el);
        break;
      case "pause": {
        el.querySelector("video")?.pause();
        const resume = el.querySelector(".card__play");
        resume.hidden = false;
        resume.focus();
        break;
      }
    }
  });

  // The products sheet lives outside the card: its buttons act for the card it was opened from.
  document.getElementById("sheet-products")?.addEventListener("click", (event) => {
    const target = event.target.closest("[data-action]");
    if (!target || !sheetCard) return;
    if (target.dataset.action === "add") addToCart(Number(target.dataset.product), sheetCard.feedMeta, { title: target.dataset.title });
    if (target.dataset.action === "product") tracker.track("product_click", sheetCard.feedMeta, { product: Number(target.dataset.product) });
  });

  // ---- live updates (static/js/live.js)
  const pill = document.getElementById("fresh-pill");
  pill?.addEventListener("click", () => {
    pill.hidden = true;
    root.scrollTo({ top: 0, behavior: prefersReducedMotion() ? "auto" : "smooth" });
  });

  function freshInsert(fresh, { requestId = null } = {}) {
    // Keep the card being watched where it is: the new ones go above it, out of sight.
    // (Chrome re-snaps to the snapped card by itself; this covers browsers that do not.)
    const anchor = cards()[Math.max(state.active, 0)] || null;
    let added = 0;
    for (const card of [...fresh].reverse()) if (mount(card, requestId, { before: root.firstElementChild })) added += 1;
    if (!added) return 0;
    anchor?.scrollIntoView({ block: "start", behavior: "instant" });
    if (state.active >= 0) state.active += added;
    renumber();
    if (pill) pill.hidden = false;
    return added;
  }

  function countsUpdate(itemId, counts) {
    const el = root.querySelector(`article.card[data-id="${Number(itemId)}"]`);
    if (el) setCounts(el, counts);
  }

  // ---- start: a shared card first, then the feed
  const pinned = document.getElementById("pinned-card");
  if (pinned) {
    const card = JSON.parse(pinned.textContent);
    const el = mount(card, null);
    if (el) tracker.track("open", el.feedMeta);
  }
  loadMore();

  return { insertFresh: freshInsert, updateCounts: countsUpdate, removeItem: withdrawn, loadMore, go };
}

const root = document.getElementById("feed");
if (root && !window.feedsite?.feed) {
  setUpDialogs();
  setUpComments();
  setUpCart();
  const feed = boot(root);
  window.feedsite = Object.assign(window.feedsite || {}, { feed, insertFresh, updateCounts, removeItem, notify });
}
