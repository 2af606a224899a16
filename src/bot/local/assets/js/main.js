// The local channel's page: plain ES modules, no build step, same-origin calls only. This module
// wires the controls and starts the live connection.
import { $, api, STAFF_KEY, state, ui } from './core.js';
import { renderCards } from './cards.js';
import { connect, load } from './live.js';

$('staff').addEventListener('change', (e) => {
  state.staff = e.target.value || null;
  if (state.staff) localStorage.setItem(STAFF_KEY, state.staff);
  connect(); // its hello reloads the state, with this person's messages
});
$('hide-resolved').addEventListener('change', (e) => {
  state.hideResolved = e.target.checked;
  renderCards();
});
$('search').addEventListener('submit', async (e) => {
  e.preventDefault();
  const q = $('q').value.trim();
  if (!q || !state.staff) return;
  const r = await api('/local/lookup?q=' + encodeURIComponent(q) + '&staff=' + encodeURIComponent(state.staff)).catch(() => null);
  $('lookup-title').textContent = ui('lookup_title');
  const body = $('lookup-body');
  if (r && r.json.ok) body.innerHTML = r.json.html; // escaped by the server
  else body.textContent = ui('network_error');
  $('lookup').hidden = false;
});
// `/orderops …` as in Slack: a text answer shows in the dialog, a card lands in the channel.
$('command').addEventListener('submit', async (e) => {
  e.preventDefault();
  const text = $('cmd').value.trim();
  if (!text || !state.staff) return;
  const body = { staff: state.staff, text };
  if (state.channel) body.channel = state.channel;
  const r = await api('/local/command', body).catch(() => null);
  $('lookup-title').textContent = ui('command_title');
  const out = $('lookup-body');
  if (r && r.json.ok) out.innerHTML = r.json.html; // escaped by the server
  else out.textContent = (r && r.json.message) || ui('network_error');
  $('lookup').hidden = false;
});
$('lookup-close').addEventListener('click', () => {
  $('lookup').hidden = true;
});
// The overdue marks and "today" times depend on the clock: refresh them now and then.
// Skipped while someone is typing in a card (a reload would redraw it).
setInterval(() => {
  if (!state.down && !document.querySelector('form.fix, .confirm')) load();
}, 60_000);

load();
