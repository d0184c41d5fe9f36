// The product page: "Add to cart" through the API (the form posts to /cart without JavaScript).

import "./app.js";
import { addToCart } from "./cart.js";

const form = document.querySelector("[data-add-form]");
if (form) {
  const item = Number(form.dataset.item) || null;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const title = document.getElementById("product-title")?.textContent || "";
    addToCart(Number(form.dataset.product), { item }, { title });
  });
}
