// The privacy page: erasing everything, once the shopper typed "erase".

import { api } from "./util.js";
import "./app.js";

const form = document.querySelector("[data-erase-form]");
if (form) {
  const input = form.querySelector("input[name=confirm]");
  const button = form.querySelector("[data-erase-button]");
  const error = form.querySelector("[data-erase-error]");
  input.addEventListener("input", () => {
    button.disabled = input.value.trim().toLowerCase() !== "erase";
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (input.value.trim().toLowerCase() !== "erase") return;
    button.disabled = true;
    error.hidden = true;
    try {
      await api("POST", "/api/v1/me/erase", { confirm: "erase" });
      for (const key of Object.keys(localStorage)) if (key.startsWith("fs_")) localStorage.removeItem(key);
      sessionStorage.clear();
      sessionStorage.setItem("fs_notice", "Your data was erased. You're starting fresh.");
      location.href = "/";
    } catch (err) {
      error.textContent = err.message;
      error.hidden = false;
      button.disabled = false;
    }
  });
}
