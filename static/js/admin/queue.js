// Keyboard shortcuts on a case's review page in admin: each decision button and the "Next case"
// link carries its key in data-key; pressing the key presses it. Keys typed into the note, the
// reason select or any other field are left alone, and so are keys with a modifier.
(function () {
  "use strict";

  function typing(target) {
    if (!(target instanceof Element)) return false;
    return target.closest("input, textarea, select, [contenteditable]") !== null;
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.repeat) return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target)) return;
    const key = event.key.toLowerCase();
    const control = document.querySelector('.case-review [data-key="' + CSS.escape(key) + '"]');
    if (control === null) return;
    event.preventDefault();
    control.click();
  });
})();
