// The creator page and the Following page: Follow / Following buttons ([data-follow-creator]) that
// change in place, without a reload; the creator page's follower count follows them. Each button
// is in a form that posts to /@<handle>/follow: what a browser without this script does.

import "./app.js";
import { notify } from "./toast.js";
import { setFollow } from "./follow.js";

function show(button, following) {
  const handle = button.dataset.handle;
  button.setAttribute("aria-pressed", String(following));
  button.setAttribute("aria-label", `${following ? "Unfollow" : "Follow"} @${handle}`);
  button.textContent = following ? "Following" : "Follow";
  // What the form would ask next: the opposite of the state shown.
  const field = button.form?.elements.namedItem("following");
  if (field) field.value = String(!following);
}

function countBy(delta) {
  const count = document.querySelector("[data-follower-count]");
  if (!count) return;
  const now = Math.max(0, Number(count.textContent) + delta);
  count.textContent = String(now);
  document.querySelector("[data-follower-word]").textContent = now === 1 ? "follower" : "followers";
}

async function toggle(button) {
  const following = button.getAttribute("aria-pressed") !== "true";
  const handle = button.dataset.handle;
  button.disabled = true;
  show(button, following);
  countBy(following ? 1 : -1);
  try {
    await setFollow(Number(button.dataset.followCreator), following);
    notify(following ? `Following @${handle}` : `Unfollowed @${handle}`);
  } catch (error) {
    show(button, !following);
    countBy(following ? -1 : 1);
    notify(error.message, { error: true });
  } finally {
    button.disabled = false;
  }
}

document.addEventListener("submit", (event) => {
  const button = event.target.querySelector("[data-follow-creator]");
  if (!button) return;
  event.preventDefault();
  if (!button.disabled) toggle(button);
});
