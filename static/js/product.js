// The product page: "Add to cart" through the API (the form posts to /cart without JavaScript).

import "./app.js";
import { addToCart } from "./cart.js";
import { notify } from "./toast.js";
import { api } from "./util.js";

const form = document.querySelector("[data-add-form]");
if (form) {
  const item = Number(form.dataset.item) || null;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const title = document.getElementById("product-title")?.textContent || "";
    addToCart(Number(form.dataset.product), { item }, { title });
  });
}

// Back-in-stock sign-up of a sold-out product (signed-in shoppers; visitors see a sign-in link).
const alertBox = document.querySelector("[data-stock-alert]");
const toggle = alertBox?.querySelector("[data-stock-alert-toggle]");
if (alertBox && toggle) {
  const status = alertBox.querySelector("[data-stock-alert-status]");
  const url = `/api/v1/products/${alertBox.dataset.product}/stock-alert`;
  toggle.addEventListener("click", async () => {
    const pending = alertBox.hasAttribute("data-pending");
    toggle.disabled = true;
    try {
      await api(pending ? "DELETE" : "POST", url);
      alertBox.toggleAttribute("data-pending", !pending);
      status.hidden = pending;
      toggle.textContent = pending ? "Tell me when it's back" : "Cancel";
    } catch (error) {
      notify(error.message, { error: true });
    } finally {
      toggle.disabled = false;
    }
  });
}
