// SPDX-License-Identifier: GPL-3.0-or-later
import { api } from '../api.js';
import { h } from '../dom.js';

export function showLogin(ctx, message) {
  const user = h('input', { id: 'user', name: 'user', autocomplete: 'username', required: true });
  const pass = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const msg = h('p', { class: 'error', id: 'login-error', role: 'alert' }, message || '');
  const button = h('button', { type: 'submit' }, 'Sign in');
  const form = h('form', { class: 'login card', on: { submit: async (ev) => {
    ev.preventDefault();
    button.disabled = true;
    const r = await api('POST', '/api/login', { user: user.value, password: pass.value });
    button.disabled = false;
    if (r.status !== 200) {
      msg.textContent = r.status === 429 ? 'Too many attempts: wait and try again.' : 'Wrong user name or password.';
      pass.select();
      return;
    }
    await ctx.signedIn();
  } } },
  h('div', { class: 'login-brand' }, h('span', { class: 'mark' }), 'linesight'),
  h('h1', {}, 'Sign in'),
  h('p', { class: 'muted' }, 'County lines intelligence. Every record you open is written to the audit trail.'),
  h('label', { for: 'user' }, 'User name'), user,
  h('label', { for: 'password' }, 'Password'), pass, button, msg);
  ctx.app.replaceChildren(h('div', { class: 'login-wrap' }, form));
  user.focus();
}
