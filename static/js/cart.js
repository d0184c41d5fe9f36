// The cart: add from any card or product page, and the drawer (change quantity, remove).
// The state lives behind /api/v1/cart; the add_to_cart event is made by the tracker and its id
// sent along, so the server records that same event (one event, whoever delivers it first).

import { api, h, money } from "./util.js";
import { notify, raiseToasts } from "./toast.js";
import { setCartCount, tracker } from "./app.js";

const drawer = () => document.getElementById("cart-drawer");

/** Put one of `productId` in the cart; `meta` = {item, requestId, position} of the card it came from. */
export async function addToCart(productId, meta = {}, { title = "" } = {}) {
  const eventId = tracker.track("add_to_cart", meta, { product: productId, value: 1 });
  const body = { product: productId, quantity: 1 };
  if (meta.item) body.item = meta.item;
  if (meta.requestId) {
    body.request_id = meta.requestId;
    if (Number.isInteger(meta.position)) body.position = meta.position;
  }
  if (eventId) {
    body.event_id = eventId;
    body.session_id = tracker.sessionId;
  }
  try {
    const cart = await api("POST", "/api/v1/cart/lines", body);
    setCartCount(cart.count);
    const action = drawer() ? { label: "View cart", onClick: openCart } : { label: "View cart", onClick: () => (location.href = "/cart") };
    notify(title ? `Added ${title}` : "Added to cart", { action });
    return cart;
  } catch (error) {
    notify(error.message, { error: true });
    return null;
  }
}

function renderLine(line) {
  const product = line.product;
  const quantity = h("output", { "aria-live": "polite" }, String(line.quantity));
  const change = (to) => updateLine(product.id, to);
  let stock = null;
  if (!product.in_stock) stock = h("p", { class: "stock stock--out" }, "Out of stock");
  else if (!line.available) stock = h("p", { class: "stock stock--low" }, `Only ${product.stock} left`);
  return h(
    "li",
    { class: "cart-line", dataset: { product: product.id } },
    h(
      "a",
      { class: "cart-line__thumb", href: product.url, tabindex: "-1", "aria-hidden": "true" },
      line.thumbnail ? h("img", { src: line.thumbnail, alt: "", width: 56, height: 100, loading: "lazy" }) : null,
    ),
    h(
      "div",
      { class: "cart-line__main" },
      h("a", { class: "cart-line__title", href: product.url }, product.title),
      h("p", { class: "cart-line__price" }, money(line.line_total, product.currency)),
      stock,
    ),
    h(
      "div",
      { class: "cart-line__actions" },
      h(
        "div",
        { class: "stepper", role: "group", "aria-label": `Quantity of ${product.title}` },
        h("button", { type: "button", "aria-label": "One less", onclick: () => change(line.quantity - 1) }, "−"),
        quantity,
        h(
          "button",
          { type: "button", "aria-label": "One more", disabled: line.quantity >= product.stock, onclick: () => change(line.quantity + 1) },
          "+",
        ),
      ),
      h("button", { type: "button", class: "link-button", onclick: () => removeLine(product.id), "aria-label": `Remove ${product.title}` }, "Remove"),
    ),
  );
}

export function renderCart(cart) {
  const dialog = drawer();
  if (!dialog) return;
  setCartCount(cart.count);
  dialog.querySelector("[data-cart-lines]").replaceChildren(...cart.lines.map(renderLine));
  dialog.querySelector("[data-cart-empty]").hidden = cart.lines.length > 0;
  dialog.querySelector("[data-cart-foot]").hidden = cart.lines.length === 0;
  dialog.querySelector("[data-cart-subtotal]").textContent = money(cart.subtotal, cart.currency);
  dialog.querySelector("[data-cart-warning]").hidden = cart.can_check_out || cart.lines.length === 0;
  const checkout = dialog.querySelector("[data-checkout]");
  checkout.setAttribute("aria-disabled", String(!cart.can_check_out));
}

async function updateLine(productId, quantity) {
  try {
    renderCart(await api("PATCH", `/api/v1/cart/lines/${productId}`, { quantity: Math.max(0, quantity) }));
  } catch (error) {
    notify(error.message, { error: true });
  }
}

async function removeLine(productId) {
  try {
    renderCart(await api("DELETE", `/api/v1/cart/lines/${productId}`));
  } catch (error) {
    notify(error.message, { error: true });
  }
}

export async function openCart() {
  const dialog = drawer();
  if (!dialog) {
    location.href = "/cart";
    return;
  }
  if (!dialog.open) {
    dialog.showModal();
    raiseToasts();
  }
  try {
    renderCart(await api("GET", "/api/v1/cart"));
  } catch (error) {
    notify(error.message, { error: true });
  }
}

export function setUpCart() {
  const dialog = drawer();
  if (!dialog) return;
  for (const link of document.querySelectorAll("[data-cart-open]")) {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      openCart();
    });
  }
  dialog.querySelector("[data-checkout]").addEventListener("click", (event) => {
    if (event.currentTarget.getAttribute("aria-disabled") === "true") {
      event.preventDefault();
      notify("Change the quantities marked in red first.", { error: true });
    }
  });
}
