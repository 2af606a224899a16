// The local channel's page: plain JavaScript, no build step, same-origin calls only.
// Card texts arrive as HTML already escaped by the server (the same CardTexts Slack and Feishu
// render); everything else (names, field errors, API messages) is put in with textContent.
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);
  const STAFF_KEY = 'orderops.local.staff';
  const state = {
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

  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
  const ui = (k) => state.ui[k] || k;

  async function api(path, body) {
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

  // ---- state ---------------------------------------------------------------------------------

  async function load() {
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

  function connect() {
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

  function setLive(on) {
    const el = $('live');
    el.className = 'live ' + (on ? 'on' : 'off');
    el.textContent = on ? ui('live') : ui('reconnecting');
  }

  // ---- chrome ----------------------------------------------------------------------------------

  function renderChrome() {
    $('subtitle').textContent = ui('subtitle');
    $('actas-label').textContent = ui('act_as');
    $('channels-title').textContent = ui('channels');
    $('messages-title').textContent = ui('messages');
    $('hide-label').textContent = ui('hide_resolved');
    $('q').placeholder = ui('search_placeholder');
    $('search-btn').textContent = ui('search');
    $('lookup-title').textContent = ui('lookup_title');
    $('lookup-close').textContent = ui('close');
  }

  function renderStaff() {
    const sel = $('staff');
    sel.textContent = '';
    if (state.staffList.length === 0) {
      const o = document.createElement('option');
      o.textContent = ui('no_staff');
      o.value = '';
      sel.append(o);
      return;
    }
    for (const p of state.staffList) {
      const o = document.createElement('option');
      o.value = p.id;
      o.textContent = [p.name, ui('role.' + p.role), p.teamName].filter(Boolean).join(' · ');
      sel.append(o);
    }
    sel.value = state.staff || '';
  }

  function renderChannels() {
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

  function channelName(id) {
    const c = state.channels.find((x) => x.id === id);
    return c ? c.name : id;
  }

  // ---- cards -----------------------------------------------------------------------------------

  function visible(c) {
    return (!state.channel || c.channel === state.channel) && !(state.hideResolved && c.done);
  }

  function renderCards() {
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

  function canFix(v) {
    return !v.done && v.texts.buttons.some((b) => b.action === 'exception.fix_address');
  }

  function upsertCard(v, live) {
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

  function cardNode(v) {
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

  function onButton(id, b, el) {
    const slot = el.querySelector('.slot');
    if (b.action === 'exception.fix_address') {
      if (!slot.querySelector('form.fix')) slot.append(fixForm(id));
      slot.querySelector('form.fix input').focus();
      return;
    }
    if (b.confirm) {
      if (slot.querySelector('.confirm')) return;
      const box = document.createElement('div');
      box.className = 'confirm';
      const h = document.createElement('b');
      h.textContent = b.confirm.title;
      const p = document.createElement('p');
      p.textContent = b.confirm.text;
      const ok = document.createElement('button');
      ok.type = 'button';
      ok.className = 'btn danger';
      ok.dataset.confirm = 'ok';
      ok.textContent = b.confirm.ok;
      const cancel = document.createElement('button');
      cancel.type = 'button';
      cancel.className = 'btn';
      cancel.textContent = b.confirm.cancel;
      ok.addEventListener('click', () => {
        box.remove();
        act(id, b.action);
      });
      cancel.addEventListener('click', () => box.remove());
      box.append(h, p, ok, cancel);
      slot.append(box);
      return;
    }
    act(id, b.action);
  }

  function fixForm(id) {
    const form = document.createElement('form');
    form.className = 'fix';
    form.noValidate = true;
    const title = document.createElement('b');
    title.textContent = ui('form.fix_address.title');
    form.append(title);
    for (const f of ['province', 'city', 'district', 'detail']) {
      const label = document.createElement('label');
      label.className = 'row f-' + f;
      const span = document.createElement('span');
      span.textContent = ui('form.' + f);
      const input = document.createElement('input');
      input.name = f;
      input.maxLength = f === 'detail' ? 200 : 32;
      input.autocomplete = 'off';
      const err = document.createElement('small');
      err.className = 'err';
      err.dataset.field = f;
      label.append(span, input, err);
      form.append(label);
    }
    const submit = document.createElement('button');
    submit.type = 'submit';
    submit.className = 'btn primary';
    submit.textContent = ui('form.fix_address.submit');
    const cancel = document.createElement('button');
    cancel.type = 'button';
    cancel.className = 'btn';
    cancel.textContent = ui('form.fix_address.cancel');
    cancel.addEventListener('click', () => form.remove());
    form.append(submit, cancel);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const address = {};
      for (const f of ['province', 'city', 'district', 'detail']) address[f] = form.elements[f].value;
      for (const err of form.querySelectorAll('.err')) err.textContent = '';
      submit.disabled = true;
      const r = await act(id, 'exception.fix_address', { address });
      submit.disabled = false;
      if (r && r.json.fieldErrors) {
        for (const [f, msg] of Object.entries(r.json.fieldErrors)) {
          const err = form.querySelector('.err[data-field="' + f + '"]');
          if (err) err.textContent = msg;
        }
        const first = form.querySelector('.err:not(:empty)');
        if (first) first.previousElementSibling.focus();
      } else if (r && r.json.ok) {
        form.remove();
      }
    });
    return form;
  }

  async function act(id, action, extra) {
    const v = state.cards.get(id);
    if (!v || v.exceptionId === null || !state.staff) return undefined;
    const node = () => $('cards').querySelector('article.card[data-id="' + id + '"]');
    let r;
    try {
      r = await api('/local/actions', Object.assign({ action, exceptionId: v.exceptionId, version: v.version, staff: state.staff }, extra || {}));
    } catch (_) {
      showReply(node(), false, null, ui('network_error'));
      return undefined;
    }
    if (!r.json.fieldErrors) showReply(node(), r.json.ok === true, r.json.notice, r.json.message || ui('network_error'));
    return r;
  }

  async function decide(el, d) {
    if (!state.staff || !d) return;
    let r;
    try {
      r = await api('/local/price-actions', { action: d.action, requestId: d.value.requestId, version: d.value.version, staff: state.staff });
    } catch (_) {
      showReply(el, false, null, ui('network_error'));
      return;
    }
    showReply(el, r.json.ok === true, r.json.notice, r.json.message || ui('network_error'));
  }

  function showReply(el, ok, html, text) {
    if (!el) return;
    const p = el.querySelector('.reply');
    p.hidden = false;
    p.className = 'reply ' + (ok ? 'ok' : 'denied');
    if (html) p.innerHTML = html; // escaped by the server
    else p.textContent = text;
  }

  // ---- messages --------------------------------------------------------------------------------

  function renderMessages() {
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

  function addMessage(m) {
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

  function messageNode(m) {
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

  // ---- controls --------------------------------------------------------------------------------

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
    if (!q) return;
    const r = await api('/local/lookup?q=' + encodeURIComponent(q)).catch(() => null);
    const body = $('lookup-body');
    if (r && r.json.ok) body.innerHTML = r.json.html; // escaped by the server
    else body.textContent = ui('network_error');
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
})();
