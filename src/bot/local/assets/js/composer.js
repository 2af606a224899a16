// What a click does: confirmations, the address form, and the calls to /local/actions and /local/price-actions.
import { $, api, state, ui } from './core.js';
import { showReply } from './reply.js';

export function onButton(id, b, el) {
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

export function fixForm(id) {
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

export async function act(id, action, extra) {
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

export async function decide(el, d) {
  if (!state.staff || !d) return;
  let r;
  try {
    const path = d.action.startsWith('handoff.') ? '/local/handoff-actions' : '/local/price-actions';
    r = await api(path, { action: d.action, requestId: d.value.requestId, version: d.value.version, staff: state.staff });
  } catch (_) {
    showReply(el, false, null, ui('network_error'));
    return;
  }
  showReply(el, r.json.ok === true, r.json.notice, r.json.message || ui('network_error'));
}
