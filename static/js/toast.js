// Toasts: short messages in the polite live region (#toasts).

const SHOWN_MS = 3200;
// Below the desktop layout (app.css) toasts sit under the header, over the top of the page: one at
// a time there, so that a second one does not reach down to what the first referred to.
const ONE_AT_A_TIME = window.matchMedia("(max-width: 899.98px)");

/** Show `text`; `action` = {label, onClick} adds a button (e.g. "View cart"); `duration` in ms. */
export function notify(text, { error = false, action = null, duration = null } = {}) {
  const slot = openSlot();
  const region = slot || document.getElementById("toasts");
  if (!region) return;
  const toast = document.createElement("div");
  toast.className = `toast${error ? " toast--error" : ""}`;
  toast.append(document.createTextNode(text));
  if (action) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = action.label;
    button.addEventListener("click", () => {
      action.onClick();
      dismiss(toast);
    });
    toast.append(button);
  }
  if (!slot && ONE_AT_A_TIME.matches) for (const shown of region.querySelectorAll(".toast")) shown.remove();
  region.append(toast);
  if (!slot) raise(region);
  setTimeout(() => dismiss(toast), duration ?? (action ? SHOWN_MS * 1.6 : SHOWN_MS));
}

/** Put the region on top of the top layer (above an open dialog); a no-op without popover support. */
function raise(region) {
  if (!region.showPopover) return;
  // Made a popover here, not in the HTML: without this script the server's messages stay visible.
  if (!region.hasAttribute("popover")) region.setAttribute("popover", "manual");
  if (region.matches(":popover-open")) region.hidePopover();
  region.showPopover();
}

/** The toast slot of the open dialog that has one (the cart drawer): toasts shown there take
 * room in its flow instead of floating over its first lines. */
function openSlot() {
  return document.querySelector("dialog[open] [data-toast-slot]");
}

/** After a dialog opens: the toasts showing move into its slot, or go back above it. */
export function raiseToasts() {
  const region = document.getElementById("toasts");
  if (!region?.children.length) return;
  const slot = openSlot();
  if (slot) slot.append(...region.children);
  else raise(region);
}

export function dismiss(toast) {
  toast.classList.add("toast--leaving");
  setTimeout(() => toast.remove(), 320);
}

/** Django messages rendered by the server fade out like the others. */
export function adoptServerMessages() {
  const region = document.getElementById("toasts");
  if (region?.children.length) raise(region);
  for (const toast of document.querySelectorAll("[data-server-message]")) {
    toast.removeAttribute("data-server-message");
    setTimeout(() => dismiss(toast), SHOWN_MS * 1.5);
  }
}
