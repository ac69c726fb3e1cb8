// SPDX-License-Identifier: GPL-3.0-or-later
// The safeguarding queue: people (children first) to refer, highest
// priority first.
import { api, enc } from '../api.js';
import { h, table, kpi } from '../dom.js';

const RANK = { high: 0, medium: 1, low: 2 };

export async function showSafeguarding(ctx, _param, gen) {
  const r = await api('GET', '/api/safeguarding');
  if (r.status !== 200) return ctx.page(gen, h('p', { class: 'error' }, 'Could not load the list (' + r.status + ').'));
  const list = r.data.safeguarding.slice().sort((a, b) => (RANK[a.priority] ?? 3) - (RANK[b.priority] ?? 3));
  const count = (p) => list.filter((s) => s.priority === p).length;
  const select = h('select', { id: 'priority-filter', 'aria-label': 'Priority' }, ['all', 'high', 'medium', 'low'].map((p) => h('option', { value: p }, p === 'all' ? 'All priorities' : p)));
  const tbl = list.length ? table('safeguarding', [
    { label: 'Priority', cell: (s) => h('span', { class: 'badge priority-' + s.priority }, s.priority) },
    { label: 'Subject', cell: (s) => h('span', { class: 'mono' }, s.subject) },
    { label: 'Line', cell: (s) => (s.line && ctx.may('lines') ? h('a', { href: '#line/' + enc(s.line), class: 'mono' }, s.line) : s.line || '') },
    { label: 'Why', cell: (s) => h('ul', { class: 'plain' }, (s.reasons || []).map((x) => h('li', {}, x))) },
  ], list, (s) => ({ 'data-priority': s.priority })) : h('p', { class: 'muted', id: 'safeguarding' }, 'Nobody is on the safeguarding list.');
  select.addEventListener('change', () => {
    if (!list.length) return;
    tbl.querySelectorAll('tbody tr').forEach((tr) => { tr.hidden = select.value !== 'all' && tr.dataset.priority !== select.value; });
  });
  ctx.page(gen, h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, 'Safeguarding queue'),
    h('p', { class: 'muted' }, 'People the analysis found at risk: children running lines, adults whose homes are cuckooed. Refer through your force\'s safeguarding hub.'))),
  h('div', { class: 'kpis' }, kpi('On the list', list.length), kpi('High', count('high')), kpi('Medium', count('medium')), kpi('Low', count('low'))),
  h('section', { class: 'card flush' }, h('div', { class: 'card-tools' }, select), tbl));
}
