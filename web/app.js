// SPDX-License-Identifier: GPL-3.0-or-later
// The analyst console: one page, hash routes, the JSON API of
// docs/server.md. Everything is built with DOM calls and textContent (no
// innerHTML), so data from the store can never become markup or script.
'use strict';
(function () {
  const app = document.getElementById('app');
  let session = null; // {user, role, force, csrf, permissions}
  let charts = [];

  function h(tag, attrs, ...kids) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'on') for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
      else if (k === 'class') el.className = v;
      else if (v !== null && v !== undefined && v !== false) el.setAttribute(k, v === true ? '' : v);
    }
    for (const kid of kids.flat()) {
      if (kid === null || kid === undefined || kid === false) continue;
      el.appendChild(kid instanceof Node ? kid : document.createTextNode(String(kid)));
    }
    return el;
  }

  async function api(method, path, body) {
    const opts = { method, credentials: 'same-origin', headers: {} };
    if (body !== undefined) {
      opts.headers['Content-Type'] = 'application/json';
      opts.body = JSON.stringify(body);
    }
    if (method !== 'GET' && session) opts.headers['X-CSRF-Token'] = session.csrf;
    const r = await fetch(path, opts);
    let data = null;
    try { data = await r.json(); } catch (e) { data = null; }
    if (r.status === 401 && path !== '/api/login') { session = null; showLogin(); }
    return { status: r.status, data };
  }

  const may = (perm) => session && session.permissions.includes(perm);

  function page(...kids) {
    for (const c of charts) if (c) c.destroy();
    charts = [];
    app.replaceChildren(...kids);
  }

  function updateHeader() {
    const nav = document.getElementById('nav');
    nav.hidden = !session;
    document.getElementById('logout').hidden = !session;
    document.getElementById('who').textContent = session
      ? session.user + ' · ' + session.role + ' · ' + session.force : '';
    // a role sees only the pages it may use
    for (const a of nav.querySelectorAll('a')) {
      a.hidden = !may(a.dataset.perm);
      a.classList.toggle('active', location.hash.startsWith(a.getAttribute('href')));
    }
  }

  function showLogin(message) {
    updateHeader();
    const user = h('input', { id: 'user', name: 'user', autocomplete: 'username', required: true });
    const pass = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
    const msg = h('p', { class: 'error', id: 'login-error' }, message || '');
    const form = h('form', { class: 'login card', on: { submit: async (ev) => {
      ev.preventDefault();
      const r = await api('POST', '/api/login', { user: user.value, password: pass.value });
      if (r.status !== 200) {
        msg.textContent = r.status === 429 ? 'Too many attempts: wait and try again.' : 'Wrong user name or password.';
        return;
      }
      await loadSession();
      if (!location.hash || location.hash === '#login') location.hash = firstPage();
      else route();
    } } }, h('h1', {}, 'Sign in'), h('label', { for: 'user' }, 'User'), user,
      h('label', { for: 'password' }, 'Password'), pass, h('button', { type: 'submit' }, 'Sign in'), msg);
    page(form);
    user.focus();
  }

  async function loadSession() {
    const r = await api('GET', '/api/session');
    session = r.status === 200 ? r.data : null;
    updateHeader();
    return session;
  }

  function firstPage() {
    if (may('lines')) return '#lines';
    if (may('safeguarding')) return '#safeguarding';
    if (may('operations_read')) return '#operations';
    return '#lines';
  }

  function denied() { page(h('h1', {}, 'Not available'), h('p', { class: 'error', id: 'denied' }, 'Your role (' + session.role + ') may not open this page.')); }

  // ---- lines ----------------------------------------------------------------
  async function showLines() {
    if (!may('lines')) return denied();
    const r = await api('GET', '/api/lines');
    if (r.status !== 200) return page(h('p', { class: 'error' }, 'Could not load lines (' + r.status + ').'));
    const rows = r.data.lines.map((l) => h('tr', { class: 'click', 'data-line': l.id, on: { click: () => { location.hash = '#line/' + encodeURIComponent(l.id); } } },
      h('td', {}, l.rank), h('td', {}, h('a', { href: '#line/' + encodeURIComponent(l.id) }, l.id)), h('td', {}, l.score.toFixed(2)),
      h('td', {}, l.origin || '?'), h('td', {}, (l.destinations || []).join(', ')), h('td', {}, l.numbers.length),
      h('td', {}, l.runners.length), h('td', {}, l.customers), h('td', {}, '£' + Math.round((l.harm && l.harm.components.revenue_gbp_per_day) || 0)),
      h('td', {}, (l.last_seen || '').slice(0, 10))));
    page(h('h1', {}, 'Deal lines by priority'),
      h('p', { class: 'muted' }, r.data.generated ? 'Analysis of ' + r.data.events + ' events, ' + r.data.generated : 'No analysis has been run yet.'),
      may('analyse') ? h('button', { id: 'run-analysis', on: { click: async (ev) => {
        ev.target.disabled = true;
        ev.target.textContent = 'Analysing…';
        await api('POST', '/api/analyse');
        showLines();
      } } }, 'Run analysis now') : null,
      h('table', { id: 'lines' }, h('thead', {}, h('tr', {}, ['#', 'Line', 'Score', 'Origin', 'Destinations', 'Numbers', 'Runners', 'Customers', 'Revenue/day', 'Last seen'].map((t) => h('th', {}, t)))),
        h('tbody', {}, rows)));
  }

  function legend(roles) {
    return h('p', { class: 'legend' }, roles.map((r) => h('span', {}, h('i', { class: 'role-' + r }), r)));
  }

  async function showLine(id) {
    if (!may('lines')) return denied();
    const enc = encodeURIComponent(id);
    const [line, net, map] = await Promise.all([api('GET', '/api/lines/' + enc), api('GET', '/api/lines/' + enc + '/network'), api('GET', '/api/lines/' + enc + '/map')]);
    if (line.status !== 200) return page(h('p', { class: 'error' }, line.status === 404 ? 'No such line.' : 'Could not load the line.'));
    const l = line.data;
    const t0 = Math.min(...l.timeline.filter((n) => n.first).map((n) => Date.parse(n.first)));
    const t1 = Math.max(...l.timeline.filter((n) => n.last).map((n) => Date.parse(n.last)));
    const bar = (n) => {
      const b = h('div', { class: 'swap' });
      if (n.first && t1 > t0) {
        b.style.marginLeft = (100 * (Date.parse(n.first) - t0) / (t1 - t0)).toFixed(2) + '%';
        b.style.width = Math.max(0.5, 100 * (Date.parse(n.last) - Date.parse(n.first)) / (t1 - t0)).toFixed(2) + '%';
      }
      if (n.role !== 'deal') b.classList.add('role-' + n.role);
      return b;
    };
    const netCanvas = h('canvas', { class: 'chart', id: 'network' });
    const mapCanvas = h('canvas', { class: 'chart', id: 'map' });
    page(h('h1', {}, 'Line ' + l.id + ' ', h('span', { class: 'badge' }, 'score ' + l.score.toFixed(2))),
      h('p', {}, (l.origin || '?') + ' → ' + (l.destinations || []).join(', ') + ' · ' + l.customers + ' customers · ' + (l.first_seen || '').slice(0, 10) + ' to ' + (l.last_seen || '').slice(0, 10)),
      h('div', { class: 'grid' },
        h('div', { class: 'card' }, h('h2', {}, 'Network'), legend(['deal', 'holder', 'runner', 'customer']), netCanvas,
          h('p', { class: 'muted', id: 'network-note' }, net.status === 200 ? net.data.nodes.length + ' numbers, ' + net.data.edges.length + ' links' + (net.data.customers > net.data.customers_drawn ? ' (most active ' + net.data.customers_drawn + ' of ' + net.data.customers + ' customers drawn)' : '') : 'no network')),
        h('div', { class: 'card' }, h('h2', {}, 'Map'), legend(['cell', 'address']), mapCanvas,
          h('p', { class: 'muted', id: 'map-note' }, map.status === 200 ? map.data.cells.length + ' cells, ' + map.data.movements.length + ' movements, ' + map.data.addresses.length + ' cuckooed addresses' : 'no map'))),
      h('div', { class: 'card' }, h('h2', {}, 'Numbers over time'),
        h('table', { class: 'timeline', id: 'timeline' }, h('tbody', {}, l.timeline.map((n) => h('tr', {}, h('td', {}, n.number), h('td', {}, n.role),
          h('td', {}, (n.first || '').slice(0, 10) + ' – ' + (n.last || '').slice(0, 10)), h('td', {}, n.events + ' events'), h('td', { class: 'bar' }, bar(n))))))),
      h('div', { class: 'card' }, h('h2', {}, 'Evidence'), h('ul', { id: 'evidence' }, (l.evidence || []).map((e) => h('li', {}, e)))));
    if (net.status === 200) charts.push(window.LSChart.network(netCanvas, net.data));
    if (map.status === 200) charts.push(window.LSChart.map(mapCanvas, map.data));
  }

  // ---- safeguarding ------------------------------------------------------------
  async function showSafeguarding() {
    if (!may('safeguarding')) return denied();
    const r = await api('GET', '/api/safeguarding');
    if (r.status !== 200) return page(h('p', { class: 'error' }, 'Could not load the list.'));
    const list = r.data.safeguarding;
    page(h('h1', {}, 'Safeguarding'),
      list.length ? h('table', { id: 'safeguarding' }, h('thead', {}, h('tr', {}, ['Priority', 'Subject', 'Line', 'Reasons'].map((t) => h('th', {}, t)))),
        h('tbody', {}, list.map((s) => h('tr', {}, h('td', {}, h('span', { class: 'badge priority-' + s.priority }, s.priority)), h('td', {}, s.subject), h('td', {}, s.line || ''), h('td', {}, (s.reasons || []).join('; '))))))
        : h('p', { class: 'muted', id: 'safeguarding' }, 'Nobody is on the safeguarding list.'));
  }

  // ---- operations -----------------------------------------------------------------
  const KINDS = { arrest: [], safeguard: [], warrant: [], stop_search: [], seizure: ['cash', 'drug', 'weapon', 'phone', 'vehicle', 'other'],
    visit: ['cuckooed_address', 'school', 'landlord', 'vehicle_check'], line_closed: [], messages_sent: [], network_disrupted: [] };

  function totalsTable(t) {
    const row = (k, v) => h('tr', {}, h('td', {}, k), h('td', { 'data-total': k }, v));
    const money = (v) => '£' + Number(v || 0).toLocaleString('en-GB', { minimumFractionDigits: 0, maximumFractionDigits: 2 });
    return h('table', { class: 'totals', id: 'totals' }, h('tbody', {},
      row('Arrests', t.arrests.total + ' (' + t.arrests.under_18 + ' under 18)'),
      row('Safeguarded', t.safeguarded.total), row('Warrants', t.warrants), row('Stop and search', t.stop_searches.total),
      row('Cash seized', money(t.cash_gbp)), row('Phones', t.phones), row('Weapons', t.weapons.total),
      row('Drugs', (t.drugs || []).map((d) => d.drug).join(', ') || 'none'),
      row('Cuckooed addresses visited', t.visits.cuckooed_address), row('Lines closed', t.lines_closed),
      row('Messages sent', t.messages_sent)));
  }

  async function showOperations(name) {
    if (!may('operations_read')) return denied();
    const r = await api('GET', '/api/operations');
    if (r.status !== 200) return page(h('p', { class: 'error' }, 'Could not load operations.'));
    const ops = r.data.operations;
    const opInput = h('input', { id: 'operation', placeholder: '2024-10 intensification', value: name || '' });
    const kids = [h('h1', {}, 'Weeks of action'),
      h('table', { id: 'operations' }, h('thead', {}, h('tr', {}, ['Operation', 'Forces', 'From', 'To'].map((t) => h('th', {}, t)))),
        h('tbody', {}, ops.map((o) => h('tr', { class: 'click', on: { click: () => { location.hash = '#operations/' + encodeURIComponent(o.name); } } },
          h('td', {}, o.name), h('td', {}, o.forces.join(', ')), h('td', {}, o.first_date), h('td', {}, o.last_date)))))];
    if (name) {
      const rep = await api('GET', '/api/operations/' + encodeURIComponent(name) + '/report');
      kids.push(h('div', { class: 'card' }, h('h2', {}, 'Totals: ' + name), rep.status === 200 ? totalsTable(rep.data) : h('p', { class: 'muted', id: 'totals' }, 'No results recorded yet.')));
    }
    if (may('operations_write')) kids.push(resultForm(opInput, name));
    page(...kids);
  }

  function resultForm(opInput, name) {
    const f = {};
    const field = (id, label, el) => { f[id] = el; el.id = 'f-' + id; el.name = id; return h('div', {}, h('label', { for: 'f-' + id }, label), el); };
    const select = (opts) => h('select', {}, opts.map((o) => h('option', { value: o }, o)));
    const kind = select(Object.keys(KINDS));
    const category = select(['']);
    const syncCategories = () => {
      const cats = KINDS[kind.value];
      category.replaceChildren(...[''].concat(cats).map((o) => h('option', { value: o }, o)));
      category.disabled = !cats.length;
    };
    kind.addEventListener('change', syncCategories);
    const msg = h('p', { id: 'result-message' });
    const form = h('form', { class: 'card', id: 'result-form', novalidate: true, on: { submit: async (ev) => {
      ev.preventDefault();
      msg.className = 'error';
      const op = opInput.value.trim();
      if (!op) { msg.textContent = 'Name the operation.'; return; }
      if (!/^\d{4}-\d{2}-\d{2}$/.test(f.date.value)) { msg.textContent = 'Date: YYYY-MM-DD.'; return; }
      if (f.count.value && !/^\d+$/.test(f.count.value)) { msg.textContent = 'Count: a whole number.'; return; }
      if (f.value_gbp.value && !/^\d+(\.\d{1,2})?$/.test(f.value_gbp.value)) { msg.textContent = 'Value: pounds and pence, e.g. 1250.50.'; return; }
      const rec = {};
      for (const [k, el] of Object.entries(f)) if (el.value !== '' && !el.disabled) rec[k] = el.value;
      const r = await api('POST', '/api/operations/' + encodeURIComponent(op) + '/results', { records: [rec] });
      if (r.status === 201) {
        location.hash = '#operations/' + encodeURIComponent(op);
        if (name === op) showOperations(op);
        return;
      }
      msg.textContent = (r.data && (r.data.reason || r.data.error)) || ('Refused (' + r.status + ').');
    } } }, h('h2', {}, 'Record a result'),
      h('div', { class: 'fields' },
        h('div', {}, h('label', { for: 'operation' }, 'Operation'), opInput),
        field('date', 'Date', h('input', { type: 'date' })), field('kind', 'Kind', kind), field('category', 'Category', category),
        field('item', 'Item', h('input', { placeholder: 'heroin, machete…' })), field('count', 'Count', h('input', { inputmode: 'numeric' })),
        field('value_gbp', 'Value £', h('input', { inputmode: 'decimal' })), field('weight_g', 'Weight g', h('input', { inputmode: 'decimal' })),
        field('wraps', 'Wraps', h('input', { inputmode: 'numeric' })), field('age_band', 'Age band', select(['', 'under_18', 'adult'])),
        field('sex', 'Sex', select(['', 'male', 'female', 'unknown'])), field('area', 'Area', h('input', {})),
        field('out_of_area', 'Out of area', select(['', 'yes', 'no'])), field('note', 'Note', h('input', {}))),
      h('button', { type: 'submit', id: 'result-submit' }, 'Add result'), msg);
    syncCategories();
    return form;
  }

  // ---- admin ------------------------------------------------------------------------
  async function showAdmin() {
    if (!may('admin')) return denied();
    const [users, verify] = await Promise.all([api('GET', '/api/users'), api('GET', '/api/audit/verify')]);
    const audit = await api('GET', '/api/audit?limit=50');
    const v = verify.data || {};
    const inputs = { name: h('input', { id: 'u-name' }), role: h('select', { id: 'u-role' }, ['analyst', 'officer', 'safeguarding', 'press', 'admin'].map((r) => h('option', {}, r))),
      force: h('input', { id: 'u-force', value: session.force }), password: h('input', { id: 'u-password', type: 'password', autocomplete: 'new-password' }) };
    const msg = h('p', {});
    page(h('h1', {}, 'Users and audit trail'),
      h('p', { id: 'audit-status', class: v.intact ? 'ok' : 'error' }, v.intact ? 'Audit chain intact: ' + v.entries + ' entries.' : 'Audit chain broken: ' + (v.reason || 'unknown')),
      h('table', { id: 'users' }, h('thead', {}, h('tr', {}, ['User', 'Role', 'Force', ''].map((t) => h('th', {}, t)))),
        h('tbody', {}, ((users.data && users.data.users) || []).map((u) => h('tr', {}, h('td', {}, u.name), h('td', {}, u.role), h('td', {}, u.force), h('td', {}, u.disabled ? 'disabled' : ''))))),
      h('form', { class: 'card', on: { submit: async (ev) => {
        ev.preventDefault();
        const r = await api('POST', '/api/users', { name: inputs.name.value, role: inputs.role.value, force: inputs.force.value, password: inputs.password.value });
        if (r.status === 201) showAdmin();
        else { msg.className = 'error'; msg.textContent = (r.data && r.data.error) || 'Refused.'; }
      } } }, h('h2', {}, 'Add a user'), h('div', { class: 'fields' }, Object.entries(inputs).map(([k, el]) => h('div', {}, h('label', { for: el.id }, k), el))),
        h('button', { type: 'submit' }, 'Add user'), msg),
      h('h2', {}, 'Latest audit entries'),
      h('table', { id: 'audit' }, h('tbody', {}, ((audit.data && audit.data.entries) || []).reverse().map((e) => h('tr', {}, h('td', {}, e.seq), h('td', {}, e.at), h('td', {}, e.actor), h('td', {}, e.action), h('td', {}, e.target), h('td', {}, e.records.slice(0, 120)))))));
  }

  async function route() {
    if (!session && !(await loadSession())) return showLogin();
    updateHeader();
    const [name, arg] = location.hash.slice(1).split('/');
    const param = arg ? decodeURIComponent(location.hash.slice(1).slice(name.length + 1)) : null;
    if (name === 'line' && param) return showLine(param);
    if (name === 'safeguarding') return showSafeguarding();
    if (name === 'operations') return showOperations(param);
    if (name === 'admin') return showAdmin();
    if (name === 'lines') return showLines();
    location.hash = firstPage();
  }

  document.getElementById('logout').addEventListener('click', async () => {
    await api('POST', '/api/logout');
    session = null;
    location.hash = '#login';
    showLogin();
  });
  window.addEventListener('hashchange', route);
  route();
})();
