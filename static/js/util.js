// Small helpers shared by every page script: DOM building, the JSON API, formatting.

/** Build an element: h("a", {href: "/x", class: "y", dataset: {id: 3}, onclick}, "text", child). */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key === "style") el.style.cssText = value;
    else if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key in el && typeof value !== "string") el[key] = value;
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function csrfToken() {
  return document.querySelector('meta[name="csrf-token"]')?.content || "";
}

export class ApiError extends Error {
  constructor(message, { status = 0, code = "network", extra = {} } = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.extra = extra;
  }
}

/** Call the JSON API; resolves the body, rejects with ApiError carrying the server's message. */
export async function api(method, url, body) {
  const init = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  if (method !== "GET") init.headers["X-CSRFToken"] = csrfToken();
  let response;
  try {
    response = await fetch(url, init);
  } catch {
    throw new ApiError("You seem to be offline. Try again in a moment.");
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = data.error || {};
    throw new ApiError(error.message || `Something went wrong (${response.status}).`, {
      status: response.status,
      code: error.code || "error",
      extra: error.extra || {},
    });
  }
  return data;
}

const SYMBOLS = { EUR: "€", USD: "$", GBP: "£" };

/** "19.90", "EUR" → "€19.90" (the same rule as the `money` template filter). */
export function money(amount, currency = "EUR") {
  if (amount === null || amount === undefined || amount === "") return "—";
  const fixed = Number(amount).toFixed(2).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const symbol = SYMBOLS[currency];
  return symbol ? `${symbol}${fixed}` : `${fixed} ${currency}`;
}

/** 1234 → "1.2K", 2500000 → "2.5M". */
export function compact(n) {
  const value = Number(n) || 0;
  if (value < 1000) return String(value);
  if (value < 1_000_000) return `${(value / 1000).toFixed(value < 10_000 ? 1 : 0).replace(/\.0$/, "")}K`;
  return `${(value / 1_000_000).toFixed(1).replace(/\.0$/, "")}M`;
}

export function pageData() {
  const node = document.getElementById("page-data");
  try {
    return node ? JSON.parse(node.textContent) || {} : {};
  } catch {
    return {};
  }
}

export const prefersReducedMotion = () => window.matchMedia("(prefers-reduced-motion: reduce)").matches;
