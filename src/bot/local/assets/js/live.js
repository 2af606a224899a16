// The live connection: the state read once per (re)connect, then server-sent events.
import { $, api, STAFF_KEY, state, ui } from './core.js';
import { renderChrome, renderStaff } from './chrome.js';
import { renderCards, renderChannels, upsertCard } from './cards.js';
import { addMessage, renderMessages } from './messages.js';

export async function load() {
  const qs = new URLSearchParams();
  if (state.staff) qs.set('staff', state.staff);
  let r;
  try {
    r = await api('/local/state?' + qs.toString());
  } catch (_) {
    setLive(false);
    setTimeout(load, 2000);
    return;
  }
  const s = r.json;
  if (!s.ok) return;
  state.ui = s.ui;
  state.locale = s.locale;
  state.staffList = s.staff;
  state.channels = s.channels;
  state.cardLimit = s.cardLimit;
  state.cards = new Map(s.cards.map((c) => [c.id, c]));
  state.messages = s.messages;
  const saved = localStorage.getItem(STAFF_KEY);
  const ids = s.staff.map((p) => p.id);
  const want = state.staff && ids.includes(state.staff) ? state.staff : saved && ids.includes(saved) ? saved : ids[0] || null;
  const changed = want !== state.staff;
  state.staff = want;
  $('demo-banner').hidden = !s.demoStaff;
  $('demo-banner').textContent = ui('demo_staff');
  renderChrome();
  renderStaff();
  renderChannels();
  renderCards();
  renderMessages();
  if (changed) return load(); // the messages belong to the person chosen
  if (!state.es) connect();
}

export function connect() {
  if (state.es) state.es.close();
  const es = new EventSource('/local/events' + (state.staff ? '?staff=' + encodeURIComponent(state.staff) : ''));
  state.es = es;
  // Read the state once subscribed (on every connect and reconnect): whatever changed before is in
  // it, whatever changes after arrives as an event; nothing falls in between.
  es.addEventListener('hello', () => {
    setLive(true);
    state.down = false;
    load();
  });
  es.addEventListener('card', (e) => upsertCard(JSON.parse(e.data), true));
  es.addEventListener('message', (e) => addMessage(JSON.parse(e.data)));
  es.addEventListener('resync', () => load());
  es.onerror = () => {
    state.down = true;
    setLive(false);
  };
}

export function setLive(on) {
  const el = $('live');
  el.className = 'live ' + (on ? 'on' : 'off');
  el.textContent = on ? ui('live') : ui('reconnecting');
}
