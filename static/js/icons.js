// Inline SVG icons, drawn for feedsite (24×24 grid, currentColor).

const PATHS = {
  heart:
    '<path d="M12 20.5s-7.5-4.6-7.5-10.3A4.3 4.3 0 0 1 12 7.6a4.3 4.3 0 0 1 7.5 2.6c0 5.7-7.5 10.3-7.5 10.3z" fill="none" stroke="currentColor" stroke-width="1.9" stroke-linejoin="round"/>',
  comment:
    '<path d="M4.5 11.5a7.5 7 0 1 1 3.6 6l-3.6 1.2 1.1-3.3a6.8 6.8 0 0 1-1.1-3.9z" fill="none" stroke="currentColor" stroke-width="1.9" stroke-linejoin="round"/>',
  share:
    '<path d="M13.5 5l7 6.5-7 6.5v-3.7c-4.6 0-7.6 1.4-10 4.7.8-5 3.6-9.5 10-10.2z" fill="none" stroke="currentColor" stroke-width="1.9" stroke-linejoin="round"/>',
  info:
    '<circle cx="12" cy="12" r="8.5" fill="none" stroke="currentColor" stroke-width="1.9"/><path d="M12 11v5.5" stroke="currentColor" stroke-width="2.2" stroke-linecap="round"/><circle cx="12" cy="7.8" r="1.3" fill="currentColor"/>',
  play: '<path d="M8 5.5v13l10.5-6.5z" fill="currentColor"/>',
  pause: '<path d="M7.5 5.5h3.2v13H7.5zM13.3 5.5h3.2v13h-3.2z" fill="currentColor"/>',
  more: '<circle cx="5.5" cy="12" r="2" fill="currentColor"/><circle cx="12" cy="12" r="2" fill="currentColor"/><circle cx="18.5" cy="12" r="2" fill="currentColor"/>',
  verified:
    '<path d="M12 2.5l2.3 1.7 2.9-.1.9 2.7 2.3 1.7-.9 2.7.9 2.7-2.3 1.7-.9 2.7-2.9-.1L12 21.5l-2.3-1.7-2.9.1-.9-2.7-2.3-1.7.9-2.7-.9-2.7 2.3-1.7.9-2.7 2.9.1z" fill="currentColor"/><path d="M8.5 12.2l2.3 2.3 4.7-4.9" fill="none" stroke="#0b0b0f" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"/>',
};

export function icon(name, className = "") {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  if (className) svg.setAttribute("class", className);
  svg.innerHTML = PATHS[name] || ""; // trusted, static markup
  return svg;
}
