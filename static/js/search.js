// The header's search box: suggestions as the shopper types (debounced GET /api/v1/search), an
// ARIA combobox with a listbox (arrows move, Enter opens, Escape closes). Submitting the form
// opens /search?q= (which works without this script) and sends the tracker's `search` event.

import { api, h } from "./util.js";

const DEBOUNCE_MS = 200;
const SHOWN = 6;

function label(result) {
  if (result.type === "product") return result.title;
  if (result.type === "post") return result.caption || "A post";
  if (result.type === "creator") return `${result.display_name} @${result.handle}`;
  return `#${result.name}`;
}

export function setUpSearch(tracker) {
  const form = document.querySelector("[data-search]");
  if (!form) return;
  const input = form.querySelector("input[role=combobox]");
  const list = form.querySelector("[role=listbox]");
  let timer = null;
  let asked = 0;
  let active = -1;

  const options = () => [...list.querySelectorAll("[role=option]")];
  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }
  function highlight(index) {
    const all = options();
    all.forEach((o, n) => o.setAttribute("aria-selected", String(n === index)));
    active = index;
    if (index >= 0) input.setAttribute("aria-activedescendant", all[index].id);
    else input.removeAttribute("aria-activedescendant");
  }
  async function suggest() {
    const q = input.value.trim();
    const ticket = ++asked;
    if (!q) return close();
    let page;
    try {
      page = await api("GET", `/api/v1/search?q=${encodeURIComponent(q)}`);
    } catch {
      return close(); // a refused or failed suggestion leaves the form to submit as usual
    }
    if (ticket !== asked) return; // an older answer arriving late
    list.replaceChildren(
      ...page.results.slice(0, SHOWN).map((r, n) =>
        h("li", { id: `search-option-${n}`, role: "option", "aria-selected": "false", dataset: { url: r.url } },
          h("span", { class: "search-box__type" }, r.type), " ", label(r)),
      ),
    );
    const any = list.children.length > 0;
    list.hidden = !any;
    input.setAttribute("aria-expanded", String(any));
    active = -1;
  }
  function open(option) {
    tracker.trackSearch(input.value.trim());
    window.location.assign(option.dataset.url);
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(suggest, DEBOUNCE_MS);
  });
  input.addEventListener("keydown", (event) => {
    const all = options();
    if (event.key === "ArrowDown" && all.length) {
      event.preventDefault();
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      highlight((active + 1) % all.length);
    } else if (event.key === "ArrowUp" && all.length) {
      event.preventDefault();
      highlight(active <= 0 ? all.length - 1 : active - 1);
    } else if (event.key === "Enter" && active >= 0 && !list.hidden) {
      event.preventDefault();
      open(all[active]);
    } else if (event.key === "Escape") {
      close();
    }
  });
  list.addEventListener("mousedown", (event) => {
    const option = event.target.closest("[role=option]");
    if (option) {
      event.preventDefault();
      open(option);
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 100));
  form.addEventListener("submit", () => tracker.trackSearch(input.value.trim()));
}
