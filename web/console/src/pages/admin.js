// SPDX-License-Identifier: GPL-3.0-or-later
// User administration and the audit trail.
import { api } from '../api.js';
import { h, table, card, when } from '../dom.js';

const ROLES = ['analyst', 'supervisor', 'officer', 'safeguarding', 'press', 'admin'];

export async function showAdmin(ctx, _param, gen) {
  const [users, verify, audit] = await Promise.all([api('GET', '/api/users'), api('GET', '/api/audit/verify'), api('GET', '/api/audit?limit=100')]);
  const v = verify.data || {};
  const inputs = {
    name: h('input', { id: 'u-name', required: true, maxlength: 64, autocomplete: 'off' }),
    role: h('select', { id: 'u-role' }, ROLES.map((r) => h('option', { value: r }, r))),
    force: h('input', { id: 'u-force', value: ctx.session.force, readonly: !ctx.session.national }),
    password: h('input', { id: 'u-password', type: 'password', autocomplete: 'new-password', minlength: 10 }),
  };
  const labels = { name: 'User name', role: 'Role', force: 'Force', password: 'Password (10+ characters)' };
  const msg = h('p', { id: 'u-message', role: 'status' });
  const form = h('form', { class: 'card', id: 'user-form', novalidate: true, on: { submit: async (ev) => {
    ev.preventDefault();
    msg.className = 'error';
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(inputs.name.value)) { msg.textContent = 'User name: letters, digits, . _ - only.'; return; }
    if (inputs.password.value.length < 10) { msg.textContent = 'Password: at least 10 characters (a pass phrase).'; return; }
    const r = await api('POST', '/api/users', { name: inputs.name.value, role: inputs.role.value, force: inputs.force.value, password: inputs.password.value });
    if (r.status === 201) ctx.navigate('#admin');
    else msg.textContent = (r.data && r.data.error) || 'Refused (' + r.status + ').';
  } } }, h('h2', {}, 'Add a user'),
  h('div', { class: 'fields two' }, Object.entries(inputs).map(([k, el]) => h('div', { class: 'field' }, h('label', { for: el.id }, labels[k]), el))),
  h('button', { type: 'submit' }, 'Add user'), msg);

  const entries = ((audit.data && audit.data.entries) || []).slice().reverse();
  ctx.page(gen, h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, 'Users and audit trail'),
    h('p', { id: 'audit-status', class: 'status ' + (v.intact ? 'ok' : 'error') },
      v.intact ? `Audit chain intact: ${v.entries} entries. Head ${String(v.head || '').slice(0, 16)}…` : 'Audit chain broken: ' + (v.reason || 'could not verify')))),
  h('div', { class: 'grid wide-left' },
    card('Users', table('users', [
      { label: 'User', cell: (u) => h('b', {}, u.name) }, { label: 'Role', cell: (u) => h('span', { class: 'pill' }, u.role) },
      { label: 'Force', cell: (u) => u.force }, { label: 'State', cell: (u) => (u.disabled ? h('span', { class: 'badge red' }, 'disabled') : 'active') },
    ], (users.data && users.data.users) || [])),
    form),
  card('Latest audit entries', table('audit', [
    { label: 'Seq', class: 'num', cell: (e) => e.seq }, { label: 'When (UTC)', class: 'nowrap', cell: (e) => when(e.at) }, { label: 'Who', cell: (e) => e.actor },
    { label: 'Action', cell: (e) => h('span', { class: 'pill' }, e.action) }, { label: 'What', cell: (e) => h('span', { class: 'mono' }, e.target) },
    { label: 'Records', cell: (e) => h('span', { class: 'mono small' }, e.records.length > 100 ? e.records.slice(0, 100) + '…' : e.records) },
  ], entries)));
}
