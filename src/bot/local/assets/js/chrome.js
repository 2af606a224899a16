// The page's fixed texts and the "act as" picker.
import { $, state, ui } from './core.js';

export function renderChrome() {
  $('subtitle').textContent = ui('subtitle');
  $('actas-label').textContent = ui('act_as');
  $('channels-title').textContent = ui('channels');
  $('messages-title').textContent = ui('messages');
  $('hide-label').textContent = ui('hide_resolved');
  $('q').placeholder = ui('search_placeholder');
  $('search-btn').textContent = ui('search');
  $('cmd').placeholder = ui('command_placeholder');
  $('command-btn').textContent = ui('command');
  $('lookup-title').textContent = ui('lookup_title');
  $('lookup-close').textContent = ui('close');
}

export function renderStaff() {
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
