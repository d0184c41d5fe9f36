// Every shopper page: page data from the server, the one tracker, toasts, the consent banner,
// and the cart (drawer where the page has one, badge everywhere). Page scripts import from here.

import { api, pageData } from "./util.js";
import { notify, adoptServerMessages } from "./toast.js";
import { createTracker } from "./tracker.js";
import { setUpSearch } from "./search.js";

export const page = pageData();

// Tests and tuning may shorten the tracker's timings before the page loads.
const trackerOptions = { ...(page.tracker || {}), ...(window.feedsiteTrackerOptions || {}) };
export const tracker = createTracker({ ...trackerOptions, consent: page.consent || "undecided" });

// The page leaves the banner's height free at the bottom (--consent-h in app.css) while it shows.
function makeRoomFor(banner) {
  const root = document.documentElement;
  const measure = () => {
    if (banner.hidden) root.style.removeProperty("--consent-h");
    else root.style.setProperty("--consent-h", `${Math.ceil(banner.getBoundingClientRect().height)}px`);
  };
  new ResizeObserver(measure).observe(banner);
  new MutationObserver(measure).observe(banner, { attributes: true, attributeFilter: ["hidden"] });
  measure();
}

function setUpConsentBanner() {
  const banner = document.getElementById("consent");
  if (!banner) return;
  makeRoomFor(banner);
  banner.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-consent]");
    if (!button) return;
    const choice = button.dataset.consent;
    banner.querySelectorAll("button").forEach((b) => (b.disabled = true));
    try {
      await api("POST", "/api/v1/me/consent", { personalization: choice === "granted" });
      tracker.setConsent(choice);
      page.consent = choice;
      banner.hidden = true;
      notify(choice === "granted" ? "Thanks! Your feed will learn as you go." : "Got it: nothing you do is recorded.");
    } catch (error) {
      notify(error.message, { error: true });
      banner.querySelectorAll("button").forEach((b) => (b.disabled = false));
    }
  });
}

export function setCartCount(count) {
  page.cartCount = count;
  for (const badge of document.querySelectorAll("[data-cart-count]")) {
    badge.textContent = String(count);
    badge.hidden = !count;
  }
  for (const link of document.querySelectorAll("[data-cart-open]")) {
    link.setAttribute("aria-label", `Cart, ${count} item${count === 1 ? "" : "s"}`);
  }
}

function setUpForms() {
  // Without this script the cart page shows an "Update" button next to each quantity.
  for (const select of document.querySelectorAll("select[data-autosubmit]")) {
    select.addEventListener("change", () => select.form.requestSubmit());
  }
}

document.documentElement.classList.replace("no-js", "js");
setUpConsentBanner();
setUpForms();
setUpSearch(tracker);
adoptServerMessages();
if (sessionStorage.getItem("fs_notice")) {
  notify(sessionStorage.getItem("fs_notice"));
  sessionStorage.removeItem("fs_notice");
}
// Debugging and tests: the page's tracker.
window.feedsite = Object.assign(window.feedsite || {}, { tracker, page });
