// The report sheet: a shopper tells moderators what is wrong with a post or a comment.
//
//   openReport({ kind: "item" | "comment", id })
//
// POSTs {"reason", "note"} (JSON, CSRF header) to /api/v1/items/<id>/report or
// /api/v1/comments/<id>/report. The server answers 201 {"id", "reason", "status"} for a new
// report, 200 for one this shopper already made, and otherwise the project's error shape
// {"error": {"code", "message", "extra"}}, whose message the sheet shows (the form stays filled in).
// The dialog is #sheet-report in templates/partials/sheets.html.

import { csrfToken } from "./util.js";
import { raiseToasts } from "./toast.js";

export const REASONS = ["spam", "offensive", "counterfeit", "misleading", "other"];
export const NOTE_MAX = 500;
const URLS = { item: (id) => `/api/v1/items/${id}/report`, comment: (id) => `/api/v1/comments/${id}/report` };
const TITLES = { item: "Report this post", comment: "Report this comment" };
const DONE = {
  201: "Thanks. A moderator will look at it.",
  200: "You already reported this. A moderator will look at it.",
};

let target = null; // {kind, id} of the open sheet
let wired = false;

function parts() {
  const dialog = document.getElementById("sheet-report");
  return {
    dialog,
    form: dialog.querySelector("[data-report-form]"),
    note: dialog.querySelector("textarea[name=note]"),
    count: dialog.querySelector("[data-report-count]"),
    error: dialog.querySelector("[data-report-error]"),
    done: dialog.querySelector("[data-report-done]"),
    submit: dialog.querySelector("button[type=submit]"),
  };
}

/** Open the sheet for a post (`kind: "item"`) or a comment (`kind: "comment"`). */
export function openReport({ kind, id }) {
  if (!URLS[kind] || !Number.isSafeInteger(id) || id <= 0) throw new Error(`openReport: no such target ${kind} ${id}`);
  const { dialog, form, count, error, done, submit } = parts();
  wire();
  target = { kind, id };
  dialog.querySelector("#report-title").textContent = TITLES[kind];
  form.reset();
  form.hidden = false;
  count.textContent = `0 / ${NOTE_MAX}`;
  error.hidden = true;
  done.hidden = true;
  submit.disabled = false;
  dialog.showModal();
  raiseToasts();
}

async function send(event) {
  event.preventDefault();
  const { form, note, error, done, submit } = parts();
  const reason = new FormData(form).get("reason");
  if (!reason) {
    showError("Choose a reason.");
    return;
  }
  const sent = target;
  submit.disabled = true;
  error.hidden = true;
  try {
    let response;
    try {
      response = await fetch(URLS[sent.kind](sent.id), {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify({ reason, note: note.value.trim() }),
      });
    } catch {
      showError("You seem to be offline. Try again in a moment.");
      return;
    }
    const body = await response.json().catch(() => ({}));
    if (target !== sent) return; // the sheet was opened for something else meanwhile
    if (!response.ok) {
      showError(body.error?.message || `Something went wrong (${response.status}).`);
      return;
    }
    form.hidden = true;
    done.textContent = DONE[response.status] || DONE[201];
    done.hidden = false;
    done.focus();
  } finally {
    submit.disabled = false;
  }
}

function showError(message) {
  const { error } = parts();
  error.textContent = message;
  error.hidden = false;
}

function wire() {
  if (wired) return;
  wired = true;
  const { form, note, count } = parts();
  note.maxLength = NOTE_MAX;
  note.addEventListener("input", () => {
    count.textContent = `${note.value.length} / ${NOTE_MAX}`;
  });
  form.addEventListener("submit", send);
}
