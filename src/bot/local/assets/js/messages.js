// The side panel: private replies, DMs and mentions for the chosen staff member.
import { $, esc, state, ui } from './core.js';

export function renderMessages() {
  const list = $('messages');
  list.textContent = '';
  if (state.messages.length === 0) {
    const li = document.createElement('li');
    li.className = 'empty';
    li.textContent = ui('no_messages');
    list.append(li);
    return;
  }
  for (const m of state.messages) list.append(messageNode(m));
}

export function addMessage(m) {
  if (state.messages.some((x) => x.id === m.id)) return;
  state.messages.unshift(m);
  state.messages = state.messages.slice(0, 50);
  renderMessages();
  const first = $('messages').firstElementChild;
  if (first) {
    first.classList.add('flash');
    setTimeout(() => first.classList.remove('flash'), 1600);
  }
}

export function messageNode(m) {
  const li = document.createElement('li');
  li.className = 'msg ' + esc(m.kind);
  li.dataset.id = String(m.id);
  const meta = document.createElement('div');
  meta.className = 'meta';
  meta.textContent = ui('kind.' + m.kind) + ' · ' + m.time;
  const body = document.createElement('div');
  body.className = 'text';
  body.innerHTML = m.html; // escaped by the server
  li.append(meta, body);
  return li;
}
