// The channel list and the cards: drawn from state, updated in place as events arrive.
import { $, esc, state, ui } from './core.js';
import { onButton, decide } from './composer.js';

export function renderChannels() {
  const list = $('channel-list');
  list.textContent = '';
  const open = new Map();
  let all = 0;
  for (const c of state.cards.values()) {
    if (c.done) continue;
    open.set(c.channel, (open.get(c.channel) || 0) + 1);
    all++;
  }
  const entries = [{ id: '', name: ui('all_channels'), n: all }].concat(
    state.channels.map((c) => ({ id: c.id, name: '# ' + c.name, n: open.get(c.id) || 0 })),
  );
  for (const c of entries) {
    const li = document.createElement('li');
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'chan' + (c.id === state.channel ? ' active' : '');
    b.dataset.channel = c.id;
    const name = document.createElement('span');
    name.textContent = c.name;
    b.append(name);
    if (c.n > 0) {
      const badge = document.createElement('span');
      badge.className = 'badge';
      badge.textContent = String(c.n);
      b.append(badge);
    }
    b.addEventListener('click', () => {
      state.channel = c.id;
      renderChannels();
      renderCards();
    });
    li.append(b);
    list.append(li);
  }
}

export function channelName(id) {
  const c = state.channels.find((x) => x.id === id);
  return c ? c.name : id;
}

export function visible(c) {
  return (!state.channel || c.channel === state.channel) && !(state.hideResolved && c.done);
}

export function renderCards() {
  const main = $('cards');
  // A redraw (a reload, another channel) keeps the address someone is typing.
  const typing = new Map();
  for (const f of main.querySelectorAll('article.card form.fix')) typing.set(f.closest('article.card').dataset.id, f);
  main.textContent = '';
  const cards = [...state.cards.values()].filter(visible).sort((a, b) => b.id - a.id);
  if (cards.length === 0) {
    const p = document.createElement('p');
    p.className = 'empty';
    p.textContent = ui('no_cards');
    main.append(p);
    return;
  }
  for (const c of cards) {
    const node = cardNode(c);
    const form = typing.get(String(c.id));
    if (form && canFix(c)) node.querySelector('.slot').append(form);
    main.append(node);
  }
  if (state.cards.size >= state.cardLimit) {
    const p = document.createElement('p');
    p.className = 'more';
    p.textContent = ui('more_cards');
    main.append(p);
  }
}

export function canFix(v) {
  return !v.done && v.texts.buttons.some((b) => b.action === 'exception.fix_address');
}

export function upsertCard(v, live) {
  const old = state.cards.get(v.id);
  if (old && old.rev > v.rev) return;
  state.cards.set(v.id, v);
  if (!state.channels.some((c) => c.id === v.channel)) state.channels.push({ id: v.channel, name: v.channel });
  renderChannels();
  const main = $('cards');
  const existing = main.querySelector('article.card[data-id="' + v.id + '"]');
  if (!visible(v)) {
    if (existing) existing.remove();
    return;
  }
  const node = cardNode(v);
  if (existing) {
    const form = existing.querySelector('form.fix');
    if (form && canFix(v)) {
      node.querySelector('.slot').append(form); // keep what the user is typing
    }
    const reply = existing.querySelector('.reply');
    if (reply && !reply.hidden) node.querySelector('.reply').replaceWith(reply);
    existing.replaceWith(node);
  } else {
    const empty = main.querySelector('.empty');
    if (empty) empty.remove();
    const next = [...main.querySelectorAll('article.card')].find((el) => Number(el.dataset.id) < v.id);
    main.insertBefore(node, next || main.querySelector('.more'));
  }
  if (live) {
    node.classList.add('flash');
    setTimeout(() => node.classList.remove('flash'), 1600);
  }
}

export function cardNode(v) {
  const t = v.texts;
  const el = document.createElement('article');
  el.className = 'card kind-' + esc(v.kind) + ' sev-' + esc(t.severity) + ' st-' + esc(v.status) + (v.done ? ' done' : '');
  el.dataset.id = String(v.id);
  el.dataset.key = v.key;
  if (v.orderId) el.dataset.order = v.orderId;
  el.dataset.status = v.status;
  if (v.type) el.dataset.type = v.type;
  el.dataset.version = String(v.version);
  // t.* strings are HTML escaped by the server (buyer text included); labels are templates.
  el.innerHTML =
    '<header class="card-head"><span class="sev">' + t.severityLabel + '</span>' +
    '<span class="where"># ' + esc(channelName(v.channel)) + '</span></header>' +
    '<h3 class="card-title">' + t.title + '</h3>' +
    '<p class="status">' + t.status + '</p>' +
    (v.notes || []).map((n) => '<p class="note">' + n.html + '</p>').join('') +
    '<dl class="fields">' +
    t.fields.map((f) => '<div class="field f-' + esc(f.key) + '"><dt>' + f.label + '</dt><dd>' + f.value + '</dd></div>').join('') +
    '</dl>' +
    '<div class="buttons">' +
    t.buttons.map((b) => '<button type="button" class="btn ' + esc(b.style) + '" data-action="' + esc(b.action) + '">' + b.label + '</button>').join('') +
    (t.decisionButtons || []).map((b, i) => '<button type="button" class="btn ' + esc(b.style) + '" data-decision="' + i + '">' + b.label + '</button>').join('') +
    '</div>' +
    ((t.links || []).length ? '<p class="links">' + t.links.map((l) => '<a target="_blank" rel="noopener" href="' + esc(l.url) + '">' + l.label + '</a>').join(' ') + '</p>' : '') +
    '<div class="slot"></div><p class="reply" hidden></p>';
  for (const btn of el.querySelectorAll('.buttons button[data-action]')) {
    const b = t.buttons.find((x) => x.action === btn.dataset.action);
    btn.addEventListener('click', () => onButton(v.id, b, el));
  }
  for (const btn of el.querySelectorAll('.buttons button[data-decision]')) {
    const d = t.decisionButtons[Number(btn.dataset.decision)];
    btn.addEventListener('click', () => decide(el, d));
  }
  return el;
}
