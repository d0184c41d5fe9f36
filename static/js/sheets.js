// Bottom sheets (native <dialog>: focus trap, Esc and a backdrop for free): comments (each with a
// "Report" entry: static/js/report.js), "why am I seeing this", and a post's products.

import { api, h, pageData } from "./util.js";
import { notify, raiseToasts } from "./toast.js";
import { productItem } from "./card.js";
import { openReport } from "./report.js";

export function setUpDialogs() {
  for (const dialog of document.querySelectorAll("dialog")) {
    dialog.addEventListener("click", (event) => {
      // A click on the backdrop lands on the dialog itself.
      if (event.target === dialog || event.target.closest("[data-close]")) dialog.close();
    });
  }
}

export function openWhy(card) {
  const dialog = document.getElementById("sheet-why");
  dialog.querySelector("[data-why-text]").textContent = card.reason?.text || "Picked for you";
  dialog.showModal();
  raiseToasts();
}

export function openProducts(card) {
  const dialog = document.getElementById("sheet-products");
  const list = dialog.querySelector("[data-products]");
  list.replaceChildren(...card.products.map((product) => productItem(product, { sheet: true })));
  dialog.showModal();
  raiseToasts();
}

// ---- comments

const comments = { item: null, before: null, onPosted: null };
const me = pageData().username || ""; // signed in: whose comments get no "Report"

function when(iso) {
  const seconds = (Date.now() - new Date(iso).getTime()) / 1000;
  if (seconds < 60) return "just now";
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ago`;
  return new Date(iso).toLocaleDateString(undefined, { day: "numeric", month: "short" });
}

function renderComment(comment, { pending = false } = {}) {
  return h(
    "li",
    { class: `comment${pending ? " comment--pending" : ""}`, dataset: { id: comment.id } },
    h("span", { class: "comment__avatar", "aria-hidden": "true" }, comment.author.name.slice(0, 1).toUpperCase()),
    h(
      "div",
      {},
      h("p", { class: "comment__who" }, h("strong", {}, comment.author.name), ` · ${when(comment.created_at)}`, pending ? " · held for review" : ""),
      h("p", { class: "comment__body" }, comment.body),
      // Nobody reports their own comment.
      pending || (me && comment.author.username === me)
        ? null
        : h(
            "button",
            { type: "button", class: "comment__report", dataset: { reportComment: comment.id }, "aria-label": `Report comment by ${comment.author.name}` },
            "Report",
          ),
    ),
  );
}

async function loadComments({ more = false } = {}) {
  const dialog = document.getElementById("sheet-comments");
  const list = dialog.querySelector("[data-comments]");
  const moreButton = dialog.querySelector("[data-comments-more]");
  const item = comments.item;
  const query = more && comments.before ? `?before=${comments.before}` : "";
  try {
    const page = await api("GET", `/api/v1/items/${item}/comments${query}`);
    if (comments.item !== item) return; // the sheet moved to another post meanwhile
    const rows = page.comments.map((c) => renderComment(c));
    if (more) list.append(...rows);
    else list.replaceChildren(...rows);
    comments.before = page.next_before;
    moreButton.hidden = !page.next_before;
    dialog.querySelector("[data-comments-empty]").hidden = list.children.length > 0;
  } catch (error) {
    notify(error.message, { error: true });
  }
}

/** Open the comments of `card`; `onPosted(comment)` is told about each comment posted. */
export function openComments(card, { onPosted } = {}) {
  const dialog = document.getElementById("sheet-comments");
  comments.item = card.id;
  comments.before = null;
  comments.onPosted = onPosted;
  dialog.querySelector("#comments-title").textContent = card.counts?.comments ? `Comments (${card.counts.comments})` : "Comments";
  dialog.querySelector("[data-comments]").replaceChildren();
  dialog.querySelector("[data-comments-empty]").hidden = true;
  const signIn = dialog.querySelector("[data-signin-link]");
  if (signIn) signIn.href = `/signin?next=${encodeURIComponent(`/c/${card.id}`)}`;
  const error = dialog.querySelector("[data-comment-error]");
  if (error) error.hidden = true;
  dialog.showModal();
  raiseToasts();
  loadComments();
}

export function setUpComments() {
  const dialog = document.getElementById("sheet-comments");
  if (!dialog) return;
  dialog.querySelector("[data-comments-more]").addEventListener("click", () => loadComments({ more: true }));
  dialog.querySelector("[data-comments]").addEventListener("click", (event) => {
    const button = event.target.closest("[data-report-comment]");
    if (button) openReport({ kind: "comment", id: Number(button.dataset.reportComment) });
  });
  const form = dialog.querySelector("[data-comment-form]");
  if (!form) return;
  const textarea = form.querySelector("textarea");
  const error = form.querySelector("[data-comment-error]");
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    error.hidden = true;
    try {
      const result = await api("POST", `/api/v1/items/${comments.item}/comments`, { body: textarea.value });
      const hidden = result.comment.status === "hidden";
      dialog.querySelector("[data-comments]").prepend(renderComment(result.comment, { pending: hidden }));
      dialog.querySelector("[data-comments-empty]").hidden = true;
      textarea.value = "";
      if (hidden) notify(result.message);
      comments.onPosted?.(result.comment);
    } catch (err) {
      error.textContent = err.message;
      error.hidden = false;
    } finally {
      button.disabled = false;
    }
  });
}
