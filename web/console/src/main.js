// SPDX-License-Identifier: GPL-3.0-or-later
// The analyst console: one page, hash routes (#lines, #line/ID,
// #safeguarding, #operations[/NAME], #admin), the JSON API of
// docs/server.md. A page is a function (ctx, param) that fills ctx.app and
// registers what must be torn down (charts, maps) with ctx.keep.
import './style.css';
import { api, setCsrf, whenUnauthorised } from './api.js';
import { h } from './dom.js';
import { showLogin } from './pages/login.js';
import { showLines } from './pages/lines.js';
import { showLine } from './pages/line.js';
import { showSafeguarding } from './pages/safeguarding.js';
import { showOperations } from './pages/operations.js';
import { showAdmin } from './pages/admin.js';
import { showIntel } from './pages/intel.js';
import { showMessages } from './pages/messages.js';

// route name -> [permission, page]; the first one the role may use is home
const routes = {
  lines: ['lines', showLines],
  line: ['lines', showLine],
  safeguarding: ['safeguarding', showSafeguarding],
  operations: ['operations_read', showOperations],
  intel: ['reports_read', showIntel],
  messages: ['messages', showMessages],
  admin: ['admin', showAdmin],
};
const home = ['lines', 'safeguarding', 'operations'];

const app = document.getElementById('app');
let session = null; // {user, role, force, national, csrf, permissions}
let kept = [];
let generation = 0; // a page that finishes loading after the user moved on is dropped

const ctx = {
  app,
  get session() { return session; },
  may: (perm) => !!session && session.permissions.includes(perm),
  keep: (thing) => { if (thing) kept.push(thing); return thing; },
  // replaces the page; false when the user has navigated away meanwhile
  page(gen, ...kids) {
    if (gen !== generation) return false;
    teardown();
    app.replaceChildren(...kids);
    return true;
  },
  navigate: (hash) => { if (location.hash === hash) route(); else location.hash = hash; },
  start: () => generation,
  signedIn: async () => { await loadSession(); ctx.navigate(!location.hash || location.hash === '#login' ? firstPage() : location.hash); },
};

function teardown() {
  for (const k of kept) {
    try { if (k.destroy) k.destroy(); else if (k.remove) k.remove(); } catch (e) { /* already gone */ }
  }
  kept = [];
}

function updateHeader() {
  const nav = document.getElementById('nav');
  nav.hidden = !session;
  document.getElementById('logout').hidden = !session;
  const who = document.getElementById('who');
  who.replaceChildren(...(session ? [h('b', {}, session.user), ' ', h('span', { class: 'pill' }, session.role), ' ', session.force] : []));
  const current = location.hash.slice(1).split('/')[0];
  for (const a of nav.querySelectorAll('a')) {
    a.hidden = !ctx.may(a.dataset.perm);
    const target = a.getAttribute('href').slice(1);
    a.classList.toggle('active', current === target || (current === 'line' && target === 'lines'));
  }
}

async function loadSession() {
  const r = await api('GET', '/api/session');
  session = r.status === 200 ? r.data : null;
  setCsrf(session ? session.csrf : null);
  updateHeader();
  return session;
}

function firstPage() {
  for (const name of home) if (ctx.may(routes[name][0])) return '#' + name;
  return '#lines';
}

async function route() {
  const gen = ++generation;
  if (!session && !(await loadSession())) {
    teardown();
    return showLogin(ctx);
  }
  updateHeader();
  const hash = location.hash.slice(1);
  const name = hash.split('/')[0];
  const param = hash.length > name.length + 1 ? decodeURIComponent(hash.slice(name.length + 1)) : null;
  const r = routes[name];
  if (!r || (name === 'line' && !param)) {
    location.hash = firstPage();
    return;
  }
  if (!ctx.may(r[0])) {
    return ctx.page(gen, h('h1', {}, 'Not available'),
      h('p', { class: 'error', id: 'denied' }, 'Your role (' + session.role + ') may not open this page.'));
  }
  document.title = 'linesight · ' + (name === 'line' ? param : name);
  return r[1](ctx, param, gen);
}

whenUnauthorised(() => {
  session = null;
  setCsrf(null);
  updateHeader();
  teardown();
  showLogin(ctx, 'Your session has ended: sign in again.');
});

document.getElementById('logout').addEventListener('click', async () => {
  await api('POST', '/api/logout');
  session = null;
  setCsrf(null);
  teardown();
  history.replaceState(null, '', '#login');
  updateHeader();
  showLogin(ctx);
});
window.addEventListener('hashchange', route);
route();
