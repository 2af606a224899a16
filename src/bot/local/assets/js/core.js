// Shared by every part of the local page: its state, the UI strings, escaping and the same-origin API.
// Card texts arrive as HTML already escaped by the server (the same CardTexts Slack and Feishu render);
// everything else (names, field errors, API messages) is put in with textContent.
export const $ = (id) => document.getElementById(id);
export const STAFF_KEY = 'orderops.local.staff';
export const state = {
  ui: {},
  locale: 'zh-CN',
  staff: null,
  staffList: [],
  channels: [],
  channel: '',
  hideResolved: false,
  cards: new Map(), // message id → card view
  messages: [],
  es: null,
  down: false,
  cardLimit: 300,
};

export const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
export const ui = (k) => state.ui[k] || k;

export async function api(path, body) {
  const init = body === undefined
    ? { credentials: 'same-origin' }
    : { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
  const res = await fetch(path, init);
  let json = {};
  try {
    json = await res.json();
  } catch (_) {
    json = {};
  }
  return { status: res.status, json };
}
