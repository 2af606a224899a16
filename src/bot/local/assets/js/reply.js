// The answer to a click, shown under its card.
export function showReply(el, ok, html, text) {
  if (!el) return;
  const p = el.querySelector('.reply');
  p.hidden = false;
  p.className = 'reply ' + (ok ? 'ok' : 'denied');
  if (html) p.innerHTML = html; // escaped by the server
  else p.textContent = text;
}
