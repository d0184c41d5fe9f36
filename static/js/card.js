// One feed card, drawn from the card contract of GET /api/v1/feed (ranking/cards.py).
// Buttons carry data-action; the feed handles them (one listener for the whole feed).
// Each card has a "⋯" menu (a menu button: Enter, Space or ↓ opens it on its first item, ↑ on its
// last; ↑/↓/Home/End move, Escape or Tab close it, focus goes back to the button):
// "Not interested" (data-action="not-interested") and "Report…" (data-action="report").

import { compact, h, money } from "./util.js";
import { icon } from "./icons.js";

// Gradient pairs for creator avatars (initials), picked by creator id.
const AVATAR_COLOURS = [
  ["#ff3d6e", "#7b61ff"],
  ["#ff9f1c", "#ff3d6e"],
  ["#2ec4b6", "#3a86ff"],
  ["#8338ec", "#ff006e"],
  ["#06d6a0", "#118ab2"],
  ["#f15bb5", "#fee440"],
];
const STAGE_RATIO = 9 / 16;

function who(card) {
  if (card.creator) return { name: card.creator.display_name, handle: `@${card.creator.handle}` };
  if (card.brand) return { name: card.brand.name, handle: card.brand.name };
  return { name: "feedsite", handle: "feedsite" };
}

function altText(card) {
  const { handle } = who(card);
  const caption = (card.caption || "").replace(/#\w+/g, "").trim();
  const kind = card.kind === "video" ? "Video" : card.kind === "product_card" ? "Product photo" : "Photo";
  return caption ? `${kind} by ${handle}: ${caption.slice(0, 120)}` : `${kind} by ${handle}`;
}

function media(card) {
  const m = card.media || {};
  const ratio = m.width && m.height ? m.width / m.height : STAGE_RATIO;
  // Anything far from 9:16 is shown whole (letterboxed) rather than cropped.
  const fit = Math.abs(ratio - STAGE_RATIO) > 0.1 ? " card__media--contain" : "";
  if (m.type === "video/mp4" && m.url) {
    const video = h("video", {
      class: `card__media${fit}`,
      poster: m.poster || null,
      muted: true,
      loop: true,
      playsInline: true,
      preload: "none",
      width: m.width || null,
      height: m.height || null,
      "aria-label": altText(card),
      disablePictureInPicture: true,
    });
    video.muted = true; // the attribute alone does not make it muted for autoplay
    video.setAttribute("muted", "");
    video.setAttribute("playsinline", "");
    video.append(h("source", { src: m.url, type: "video/mp4" }));
    return video;
  }
  if (card.gallery?.length > 1) return gallery(card);
  const src = m.url || m.poster;
  if (!src) return h("div", { class: "card__media", role: "img", "aria-label": altText(card) });
  return image(m, `card__media${fit}`, altText(card));
}

// A stage is at most 480 CSS px wide on a desktop, the whole viewport on a phone.
const STAGE_SIZES = "(max-width: 600px) 100vw, 480px";

function image(m, className, alt) {
  const srcset = (m.srcset || []).map((v) => `${encodeURI(v.url)} ${v.width}w`).join(", ");
  return h("img", {
    class: className,
    src: m.url || m.poster,
    srcset: srcset || null,
    sizes: srcset ? STAGE_SIZES : null,
    alt,
    width: m.width || 720,
    height: m.height || 1280,
    loading: "lazy",
    decoding: "async",
  });
}

/** A carousel: the images side by side, swiped (scroll snap), stepped with buttons, counted. */
function gallery(card) {
  const images = card.gallery;
  const alt = altText(card);
  const strip = h(
    "div",
    { class: "card__gallery", tabindex: "0", role: "group", "aria-roledescription": "carousel", "aria-label": alt },
    images.map((m, i) =>
      image(m, "card__gallery-image", `${alt} (image ${i + 1} of ${images.length})`),
    ),
  );
  const count = h("span", { class: "card__gallery-count", "aria-live": "polite" }, `1 / ${images.length}`);
  const step = (delta) => strip.scrollBy({ left: delta * strip.clientWidth, behavior: "smooth" });
  const prev = h("button", { type: "button", class: "card__gallery-step card__gallery-step--prev", "aria-label": "Previous image" }, "‹");
  const next = h("button", { type: "button", class: "card__gallery-step card__gallery-step--next", "aria-label": "Next image" }, "›");
  prev.addEventListener("click", () => step(-1));
  next.addEventListener("click", () => step(1));
  strip.addEventListener(
    "scroll",
    () => {
      const index = Math.round(strip.scrollLeft / Math.max(1, strip.clientWidth));
      count.textContent = `${Math.min(images.length, index + 1)} / ${images.length}`;
    },
    { passive: true },
  );
  return h("div", { class: "card__media card__gallery-frame" }, strip, prev, next, count);
}

function railButton(action, iconName, label, count, { pressed = null } = {}) {
  const props = { type: "button", class: "rail-button", dataset: { action }, "aria-label": label };
  if (pressed !== null) props["aria-pressed"] = String(pressed);
  return h(
    "button",
    props,
    h("span", { class: "rail-button__icon" }, icon(iconName)),
    count === null ? null : h("span", { class: "rail-button__count", dataset: { count: action } }, compact(count)),
  );
}

export function productItem(product, { sheet = false } = {}) {
  const stock = product.in_stock
    ? h("span", { class: "stock stock--in" }, "In stock")
    : h("span", { class: "stock stock--out" }, "Out of stock");
  return h(
    "li",
    {},
    h(
      "div",
      { class: "product-chip" },
      h(
        "div",
        { class: "product-chip__main" },
        h(
          "a",
          { class: "product-chip__title", href: `/p/${product.id}`, dataset: { action: "product", product: product.id } },
          product.title,
        ),
        h("span", { class: "product-chip__meta" }, h("span", { class: "product-chip__price" }, money(product.price, product.currency)), stock),
      ),
      h(
        "button",
        {
          type: "button",
          class: "add-button",
          disabled: !product.in_stock,
          dataset: { action: "add", product: product.id, title: product.title },
          "aria-label": product.in_stock ? `Add ${product.title} to cart` : `${product.title} is out of stock`,
        },
        product.in_stock ? (sheet ? "Add to cart" : "Add") : "Sold out",
      ),
    ),
  );
}

function tagList(card) {
  if (!card.tags?.length) return null;
  // Categories are for ranking; shoppers read topics and styles as hashtags.
  const shown = card.tags.filter((t) => t.kind !== "category").slice(0, 4);
  if (!shown.length) return null;
  return h(
    "ul",
    { class: "tags", "aria-label": "Tags" },
    shown.map((t) => h("li", {}, h("span", {}, `#${t.name.replace(/\s+/g, "").toLowerCase()}`))),
  );
}

function avatar(card) {
  const { name } = who(card);
  const id = card.creator?.id || card.brand?.id || 0;
  const [c1, c2] = AVATAR_COLOURS[id % AVATAR_COLOURS.length];
  return h("span", { class: "creator-avatar", style: `--c1:${c1};--c2:${c2}`, "aria-hidden": "true" }, name.slice(0, 1).toUpperCase());
}

/** The card element; `meta` = {item, requestId, position} travels with every event of the card. */
export function renderCard(card, meta) {
  const counts = card.counts || { likes: 0, comments: 0, shares: 0 };
  const person = who(card);
  const titleId = `card-${card.id}-title`;
  const creatorRow = h(
    "div",
    { class: "creator-row" },
    avatar(card),
    h(
      "span",
      { class: "creator-row__name", id: titleId },
      // A creator's handle opens their page (/@handle); a brand's name is plain text.
      card.creator ? h("a", { class: "creator-row__link", href: `/@${card.creator.handle}` }, person.handle) : h("span", {}, person.handle),
      card.creator?.verified ? icon("verified", "verified") : null,
    ),
    card.creator
      ? h(
          "button",
          {
            type: "button",
            class: "follow-button",
            dataset: { action: "follow", creator: card.creator.id },
            "aria-pressed": String(Boolean(card.following)),
            "aria-label": `${card.following ? "Unfollow" : "Follow"} ${person.handle}`,
          },
          card.following ? "Following" : "Follow",
        )
      : null,
  );
  const caption = card.caption ? h("p", { class: "caption" }, card.caption) : null;
  const products = card.products?.length
    ? h("ul", { class: "products", "aria-label": "Products in this post" }, card.products.map((p) => productItem(p)))
    : null;
  const more =
    card.products?.length > 1
      ? h("button", { type: "button", class: "more-products", dataset: { action: "products" } }, `+${card.products.length - 1} more product${card.products.length > 2 ? "s" : ""}`)
      : null;
  const isVideo = card.media?.type === "video/mp4";

  const el = h(
    "article",
    {
      class: `card card--${card.kind}`,
      tabindex: "-1",
      "aria-labelledby": titleId,
      "aria-describedby": caption ? `card-${card.id}-caption` : null,
      dataset: { id: card.id, creator: card.creator?.id ?? "" },
    },
    h(
      "div",
      { class: "card__stage", style: card.media?.poster ? `background-image:url("${encodeURI(card.media.poster)}")` : null },
      media(card),
      h("div", { class: "card__scrim" }),
      isVideo
        ? h("button", { type: "button", class: "card__play", dataset: { action: "play" }, "aria-label": "Play video", hidden: true }, icon("play"))
        : null,
      // While the video plays: a way to stop it from the keyboard (a pointer taps the picture). It
      // shows only when it has the focus.
      isVideo
        ? h("button", { type: "button", class: "card__pause", dataset: { action: "pause" }, "aria-label": "Pause video", hidden: true }, icon("pause"))
        : null,
    ),
    h(
      "div",
      { class: "card__rail" },
      railButton("like", "heart", likeLabel(card.liked, counts.likes), counts.likes, { pressed: Boolean(card.liked) }),
      railButton("comment", "comment", `Comments, ${counts.comments}`, counts.comments),
      railButton("share", "share", `Share, ${counts.shares} shares`, counts.shares),
      railButton("why", "info", "Why am I seeing this?", null),
      cardMenu(card),
    ),
    h(
      "div",
      { class: "card__info" },
      creatorRow,
      caption,
      caption && card.caption.length > 90 ? h("button", { type: "button", class: "caption-toggle", dataset: { action: "caption" }, "aria-expanded": "false" }, "more") : null,
      tagList(card),
      products ? h("h3", { class: "side-heading" }, "In this post") : null,
      products,
      more,
      h(
        "p",
        { class: "card__reason" },
        icon("info"),
        h("span", {}, card.reason?.text || "Picked for you"),
        h("button", { type: "button", dataset: { action: "why" } }, "Why?"),
      ),
    ),
  );
  if (caption) caption.id = `card-${card.id}-caption`;
  el.feedCard = card;
  el.feedMeta = meta;
  return el;
}

/** The "⋯" button and its menu (hidden until opened: `openMenu`). */
function cardMenu(card) {
  const menuId = `card-${card.id}-menu`;
  const button = h(
    "button",
    {
      type: "button",
      class: "rail-button",
      dataset: { action: "menu" },
      "aria-label": "More options",
      "aria-haspopup": "menu",
      "aria-expanded": "false",
      "aria-controls": menuId,
    },
    h("span", { class: "rail-button__icon" }, icon("more")),
  );
  const item = (action, label) => h("button", { type: "button", role: "menuitem", tabindex: "-1", class: "card-menu__item", dataset: { action } }, label);
  const menu = h(
    "div",
    { class: "card-menu", id: menuId, role: "menu", "aria-label": "More options", hidden: true },
    item("not-interested", "Not interested"),
    item("report", "Report…"),
  );
  menu.addEventListener("keydown", (event) => menuKey(menu, event));
  menu.addEventListener("focusout", (event) => {
    if (!menu.contains(event.relatedTarget) && event.relatedTarget !== button) closeMenu(menu, { focus: false });
  });
  button.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      openMenu(button, { last: event.key === "ArrowUp" });
    }
  });
  return h("div", { class: "card-menu-wrap" }, button, menu);
}

function menuItems(menu) {
  return Array.from(menu.querySelectorAll('[role="menuitem"]'));
}

function menuKey(menu, event) {
  const items = menuItems(menu);
  const index = items.indexOf(document.activeElement);
  const move = { ArrowDown: index + 1, ArrowUp: index - 1, Home: 0, End: items.length - 1 }[event.key];
  // Keys used here must not reach the feed (↑/↓ and j/k move between cards).
  if (move !== undefined) {
    event.preventDefault();
    items[(move + items.length) % items.length].focus();
  } else if (event.key === "Escape") {
    event.preventDefault();
    event.stopPropagation(); // not the dialog or page underneath
    closeMenu(menu);
  } else if (event.key === "Tab") {
    closeMenu(menu, { focus: false });
  } else if (event.key === "j" || event.key === "k") {
    event.preventDefault();
  }
}

/** Open the menu of the "⋯" `button`, focus on its first item (or last). */
export function openMenu(button, { last = false } = {}) {
  const menu = document.getElementById(button.getAttribute("aria-controls"));
  document.querySelectorAll('.card-menu:not([hidden])').forEach((open) => open !== menu && closeMenu(open, { focus: false }));
  menu.hidden = false;
  button.setAttribute("aria-expanded", "true");
  const items = menuItems(menu);
  items[last ? items.length - 1 : 0].focus();
}

/** Close `menu`; `focus`: give focus back to its button. */
export function closeMenu(menu, { focus = true } = {}) {
  if (menu.hidden) return;
  menu.hidden = true;
  const button = menu.parentElement.querySelector('[aria-haspopup="menu"]');
  button.setAttribute("aria-expanded", "false");
  if (focus) button.focus();
}

export function likeLabel(liked, likes) {
  return `${liked ? "Unlike" : "Like"}, ${likes} like${likes === 1 ? "" : "s"}`;
}

/** Update the counts a card shows (any of likes, comments, shares). */
export function setCounts(el, counts) {
  const card = el.feedCard;
  for (const [name, action] of [["likes", "like"], ["comments", "comment"], ["shares", "share"]]) {
    if (counts[name] === undefined || counts[name] === null) continue;
    card.counts[name] = Math.max(0, Number(counts[name]) || 0);
    const node = el.querySelector(`[data-count="${action}"]`);
    if (node) node.textContent = compact(card.counts[name]);
  }
  const like = el.querySelector('[data-action="like"]');
  like.setAttribute("aria-label", likeLabel(card.liked, card.counts.likes));
  el.querySelector('[data-action="comment"]').setAttribute("aria-label", `Comments, ${card.counts.comments}`);
  el.querySelector('[data-action="share"]').setAttribute("aria-label", `Share, ${card.counts.shares} shares`);
}

export function setLiked(el, liked) {
  el.feedCard.liked = liked;
  const like = el.querySelector('[data-action="like"]');
  like.setAttribute("aria-pressed", String(liked));
  like.setAttribute("aria-label", likeLabel(liked, el.feedCard.counts.likes));
}

export function setFollowing(el, following) {
  el.feedCard.following = following;
  const button = el.querySelector('[data-action="follow"]');
  if (!button) return;
  button.setAttribute("aria-pressed", String(following));
  button.textContent = following ? "Following" : "Follow";
  const handle = who(el.feedCard).handle;
  button.setAttribute("aria-label", `${following ? "Unfollow" : "Follow"} ${handle}`);
}
