// The studio: every form works without this script; with it, an upload goes to the API by
// XMLHttpRequest with a progress bar and a Retry that resends the same Idempotency-Key, tags and
// products are searched as you type, a processing post's status refreshes by itself, and the
// schedule's time zone is the browser's.

import "./app.js";
import { api, csrfToken, h } from "./util.js";

const POLL_MS = 3000;
const STATUS_LABELS = {
  processing: "Processing",
  failed: "Failed",
  draft: "Draft",
  pending_review: "Pending review",
  scheduled: "Scheduled",
  published: "Published",
  rejected: "Rejected",
};

function debounce(fn, ms) {
  let timer = 0;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

// ---- schedule ---------------------------------------------------------------------------------

function pad(n) {
  return String(n).padStart(2, "0");
}

function localInputValue(date) {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

function setUpSchedule(form) {
  const zone = form.querySelector('select[name="timezone"]');
  const moment = form.querySelector('input[name="publish_at"]');
  const box = form.querySelector("[data-schedule]");
  if (!zone || !moment || !box) return;
  const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (browserZone && [...zone.options].some((o) => o.value === browserZone) && zone.value !== browserZone) {
    // A time the server rendered is in the zone it names (UTC): show it in the browser's.
    if (moment.value && zone.value === "UTC") moment.value = localInputValue(new Date(`${moment.value}:00Z`));
    zone.value = browserZone;
  }
  const sync = () => {
    const scheduling = form.querySelector('input[name="when"]:checked')?.value === "schedule";
    box.hidden = !scheduling;
    moment.required = scheduling;
    if (scheduling && !moment.value) moment.value = localInputValue(new Date(Date.now() + 3600_000));
  };
  form.addEventListener("change", (event) => {
    if (event.target.name === "when") sync();
  });
  sync();
}

/** The schedule as ISO 8601 with the browser's offset (the zone select stays for the no-script form). */
function publishAtIso(form) {
  const when = form.querySelector('input[name="when"]:checked')?.value;
  const value = form.querySelector('input[name="publish_at"]')?.value;
  if (when !== "schedule" || !value) return "";
  const date = new Date(value);
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  return `${value}:00${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
}

// ---- tags -------------------------------------------------------------------------------------

function setUpTags(form) {
  const input = form.querySelector("[data-tag-input]");
  const list = form.querySelector("[data-tag-suggestions]");
  if (!input || !list) return;
  const lastPart = () => input.value.split(",").pop().trim();
  const choose = (slug) => {
    const parts = input.value.split(",").map((p) => p.trim());
    parts[parts.length - 1] = slug;
    input.value = `${parts.filter(Boolean).join(", ")}, `;
    list.hidden = true;
    input.focus();
  };
  const suggest = debounce(async () => {
    const q = lastPart();
    if (q.length < 1) {
      list.hidden = true;
      return;
    }
    try {
      const tags = await api("GET", `/api/v1/studio/tags?q=${encodeURIComponent(q)}`);
      list.replaceChildren(
        ...tags.map((tag) =>
          h("li", {}, h("button", { type: "button", class: "suggestion", dataset: { slug: tag.slug }, onclick: () => choose(tag.slug) }, `#${tag.name}`)),
        ),
      );
      list.hidden = tags.length === 0;
    } catch {
      list.hidden = true;
    }
  }, 150);
  input.addEventListener("input", suggest);
  input.addEventListener("keydown", (event) => {
    if (event.key === "Escape") list.hidden = true;
  });
}

// ---- products ---------------------------------------------------------------------------------

function setUpProducts(form) {
  const query = form.querySelector("[data-product-query]");
  const picks = form.querySelector("[data-product-picks]");
  const searchForm = document.getElementById("product-search");
  if (!query || !picks || !searchForm) return;
  const render = (products) => {
    const checked = [...picks.querySelectorAll("input:checked")];
    const keep = new Set(checked.map((input) => input.value));
    const rows = checked.map((input) => input.closest("label"));
    for (const product of products) {
      if (keep.has(String(product.id))) continue;
      const label = [product.title, product.brand, product.price && `${product.price} ${product.currency}`, !product.in_stock && "out of stock"]
        .filter(Boolean)
        .join(" · ");
      rows.push(h("label", { class: "product-pick" }, h("input", { type: "checkbox", name: "products", value: String(product.id) }), h("span", {}, label)));
    }
    picks.replaceChildren(...rows);
    if (!rows.length && query.value.trim()) picks.append(h("p", { class: "muted" }, `No product on sale matches “${query.value.trim()}”.`));
  };
  const search = debounce(async () => {
    const q = query.value.trim();
    if (!q) return render([]);
    try {
      render(await api("GET", `/api/v1/studio/products?q=${encodeURIComponent(q)}`));
    } catch {
      /* the Search button still works */
    }
  }, 200);
  query.addEventListener("input", search);
  // Enter in the search box searches here instead of leaving the page (and the chosen files).
  query.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      search();
    }
  });
  searchForm.addEventListener("submit", (event) => {
    event.preventDefault();
    search();
  });
}

// ---- upload -----------------------------------------------------------------------------------

function formatBytes(n) {
  if (n < 1024 * 1024) return `${Math.max(1, Math.round(n / 1024))} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

function uploadBody(form) {
  const body = new FormData();
  for (const file of form.querySelector('input[type="file"][name="media"]').files) body.append("media", file);
  body.append("caption", form.elements.caption.value);
  for (const tag of form.elements.tags.value.split(",")) if (tag.trim()) body.append("tags", tag.trim());
  for (const input of form.querySelectorAll('input[name="products"]:checked')) body.append("products", input.value);
  const when = form.querySelector('input[name="when"]:checked')?.value || "now";
  body.append("intent", when === "draft" ? "draft" : "publish");
  body.append("publish_at", publishAtIso(form));
  return body;
}

function setUpUpload(form) {
  const fileInput = form.querySelector('input[type="file"][name="media"]');
  const list = form.querySelector("[data-file-list]");
  const box = form.querySelector("[data-upload-progress]");
  const bar = form.querySelector("[data-upload-bar]");
  const label = form.querySelector("[data-upload-label]");
  const retry = form.querySelector("[data-upload-retry]");
  const submit = form.querySelector("[data-upload-submit]");
  const errorBox = form.querySelector("[data-form-error]");
  const key = form.elements.client_token?.value || crypto.randomUUID();

  fileInput.addEventListener("change", () => {
    const files = [...fileInput.files];
    list.replaceChildren(...files.map((f) => h("li", {}, `${f.name} · ${formatBytes(f.size)}`)));
    list.hidden = files.length === 0;
  });

  const showError = (message) => {
    errorBox.textContent = message;
    errorBox.hidden = !message;
  };

  const send = () => {
    showError("");
    form.querySelectorAll(".form-error:not([data-form-error])").forEach((el) => el.remove());
    submit.disabled = true;
    retry.hidden = true;
    box.hidden = false;
    bar.value = 0;
    label.textContent = "Uploading… 0%";
    const xhr = new XMLHttpRequest();
    xhr.open("POST", form.dataset.api);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("X-CSRFToken", csrfToken());
    // The same key on every attempt: a retry after a lost answer gets the post the first one made.
    xhr.setRequestHeader("Idempotency-Key", key);
    xhr.upload.addEventListener("progress", (event) => {
      if (!event.lengthComputable) return;
      const percent = Math.round((event.loaded / event.total) * 100);
      bar.value = percent;
      label.textContent = `Uploading… ${percent}%`;
    });
    const failed = (message) => {
      label.textContent = message;
      retry.hidden = false;
      submit.disabled = false;
    };
    xhr.addEventListener("error", () => failed("The upload was interrupted. Check your connection and retry."));
    xhr.addEventListener("timeout", () => failed("The upload timed out. Retry when your connection is better."));
    xhr.addEventListener("load", () => {
      let data = {};
      try {
        data = JSON.parse(xhr.responseText);
      } catch {
        /* not JSON: a proxy's page */
      }
      if (xhr.status === 201) {
        bar.value = 100;
        label.textContent = "Uploaded. Preparing your media…";
        window.location.assign(`/studio/#post-${data.id}`);
        return;
      }
      if (xhr.status >= 500 || xhr.status === 0 || xhr.status === 429) {
        failed(data.error?.message || `The server could not take the upload (${xhr.status}). Retry in a moment.`);
        return;
      }
      // A refusal: the creator has to change something; retrying the same would fail the same way.
      box.hidden = true;
      submit.disabled = false;
      showError(data.error?.message || `The upload was refused (${xhr.status}).`);
      errorBox.scrollIntoView({ block: "center" });
    });
    xhr.send(uploadBody(form));
  };

  retry.addEventListener("click", send);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!fileInput.files.length) {
      showError("Choose one video or up to 10 images.");
      return;
    }
    send();
  });
}

// ---- posts list -------------------------------------------------------------------------------

function setUpPolling() {
  const rows = [...document.querySelectorAll("[data-poll]")];
  if (!rows.length) return;
  document.querySelectorAll("[data-refresh]").forEach((el) => (el.hidden = true));
  const poll = async () => {
    for (const row of rows.filter((r) => r.dataset.poll)) {
      try {
        const item = await api("GET", row.dataset.poll);
        if (item.status === row.dataset.status) continue;
        row.dataset.status = item.status;
        const badge = row.querySelector("[data-status-label]");
        badge.textContent = STATUS_LABELS[item.status] || item.status;
        badge.className = `status status--${item.status}`;
        row.querySelector("[data-reason]").textContent = item.reason;
        if (item.status !== "processing") {
          delete row.dataset.poll;
          // Thumbnails and the Retry button come with the page.
          if (item.status === "failed" || item.media.some((m) => m.url)) window.location.reload();
        }
      } catch {
        /* try again on the next round */
      }
    }
    if (rows.some((r) => r.dataset.poll)) setTimeout(poll, POLL_MS);
  };
  setTimeout(poll, POLL_MS);
}

function setUpConfirms() {
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }
}

function setUpCaptionCounter(form) {
  const caption = form.querySelector('textarea[name="caption"]');
  const counter = form.querySelector("[data-caption-counter]");
  if (!caption || !counter) return;
  const max = Number(caption.getAttribute("maxlength")) || 2200;
  const update = () => {
    counter.textContent = `${caption.value.length} / ${max}`;
    counter.hidden = false;
  };
  caption.addEventListener("input", update);
  update();
}

for (const form of document.querySelectorAll(".studio-form")) {
  setUpSchedule(form);
  setUpTags(form);
  setUpProducts(form);
  setUpCaptionCounter(form);
  if (form.matches("[data-upload-form]")) setUpUpload(form);
}
setUpPolling();
setUpConfirms();
