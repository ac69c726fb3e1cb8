// SPDX-License-Identifier: GPL-3.0-or-later
// The ranked deal lines.
import { api, enc } from '../api.js';
import { h, table, kpi, fmt, day, money } from '../dom.js';

export async function showLines(ctx, _param, gen) {
  const r = await api('GET', '/api/lines');
  if (r.status !== 200) return ctx.page(gen, h('p', { class: 'error' }, 'Could not load lines (' + r.status + ').'));
  const lines = r.data.lines;
  const filter = h('input', { id: 'lines-filter', type: 'search', placeholder: 'Filter by line, town or number…', 'aria-label': 'Filter lines' });
  const open = (l) => ctx.navigate('#line/' + enc(l.id));
  const columns = [
    { label: '#', class: 'num', cell: (l) => l.rank },
    { label: 'Line', cell: (l) => h('a', { href: '#line/' + enc(l.id), class: 'mono' }, l.id) },
    { label: 'Score', cell: (l) => h('span', { class: 'score' }, h('span', { class: 'score-bar', style: { width: Math.round(100 * l.score) + '%' } }), h('span', { class: 'score-text' }, l.score.toFixed(2))) },
    { label: 'Origin → destinations', cell: (l) => [h('b', {}, l.origin || '?'), ' → ', (l.destinations || []).join(', ') || '?'] },
    { label: 'Numbers', class: 'num', cell: (l) => l.numbers.length },
    { label: 'Holders', class: 'num', cell: (l) => (l.holders || []).length },
    { label: 'Runners', class: 'num', cell: (l) => l.runners.length },
    { label: 'Customers', class: 'num', cell: (l) => fmt(l.customers) },
    { label: 'Revenue / day', class: 'num', cell: (l) => money(Math.round((l.harm && l.harm.components.revenue_gbp_per_day) || 0)) },
    { label: 'Harm', cell: (l) => harmBadges(l) },
    { label: 'Last seen', cell: (l) => day(l.last_seen) },
  ];
  const tbl = table('lines', columns, lines, (l) => ({ class: 'click', 'data-line': l.id, tabindex: 0,
    on: { click: (ev) => { if (!ev.target.closest('a')) open(l); }, keydown: (ev) => { if (ev.key === 'Enter') open(l); } } }));
  filter.addEventListener('input', () => {
    const q = filter.value.trim().toLowerCase();
    tbl.querySelectorAll('tbody tr').forEach((tr, i) => {
      const l = lines[i];
      const text = [l.id, l.origin, ...(l.destinations || []), ...l.numbers, ...(l.holders || []), ...l.runners].join(' ').toLowerCase();
      tr.hidden = q !== '' && !text.includes(q);
    });
  });
  const runButton = ctx.may('analyse') ? h('button', { id: 'run-analysis', class: 'secondary', on: { click: async (ev) => {
    ev.target.disabled = true;
    ev.target.textContent = 'Analysing…';
    const a = await api('POST', '/api/analyse');
    if (a.status >= 300) { ev.target.textContent = 'Analysis failed (' + a.status + ')'; return; }
    ctx.navigate('#lines');
  } } }, 'Run analysis now') : null;
  const juveniles = lines.reduce((s, l) => s + ((l.harm && l.harm.components.juveniles) || 0), 0);
  const cuckooed = lines.reduce((s, l) => s + ((l.harm && l.harm.components.cuckooed) || 0), 0);
  ctx.page(gen,
    h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, 'Deal lines by priority'),
      h('p', { class: 'muted' }, r.data.generated ? `Analysis run ${r.data.run || ''} of ${fmt(r.data.events)} events, ${r.data.generated.replace('T', ' ').replace('Z', ' UTC')}` : 'No analysis has been run yet.')),
    runButton),
    h('div', { class: 'kpis' }, kpi('Lines', fmt(lines.length)), kpi('Customers', fmt(lines.reduce((s, l) => s + l.customers, 0))),
      kpi('Runners', fmt(lines.reduce((s, l) => s + l.runners.length, 0))), kpi('Children exploited', fmt(juveniles)), kpi('Cuckooed addresses', fmt(cuckooed))),
    h('section', { class: 'card flush' }, h('div', { class: 'card-tools' }, filter), tbl));
}

function harmBadges(l) {
  const c = (l.harm && l.harm.components) || {};
  return [c.juveniles ? h('span', { class: 'badge red' }, c.juveniles + ' child' + (c.juveniles > 1 ? 'ren' : '')) : null,
    c.cuckooed ? h('span', { class: 'badge amber' }, c.cuckooed + ' cuckooed') : null];
}
