// SPDX-License-Identifier: GPL-3.0-or-later
// One line: its network (Cytoscape), map (Leaflet), the numbers over time
// (Chart.js), evidence, holders, runners and cuckooed addresses.
import { api, enc } from '../api.js';
import { h, kpi, fmt, day, money, legend, card, ROLE_COLOURS } from '../dom.js';
import { drawNetwork } from '../charts/network.js';
import { drawMap, MAP_COLOURS } from '../charts/map.js';
import { timelineChart } from '../charts/charts.js';
import { lineIntelCard } from './intel.js';

export async function showLine(ctx, id, gen) {
  const e = enc(id);
  const [line, net, map] = await Promise.all([api('GET', '/api/lines/' + e), api('GET', '/api/lines/' + e + '/network'), api('GET', '/api/lines/' + e + '/map')]);
  if (line.status !== 200) {
    return ctx.page(gen, h('p', { class: 'error', id: 'line-error' }, line.status === 404 ? 'No such line, or not one of your force\'s.' : 'Could not load the line (' + line.status + ').'));
  }
  const l = line.data;
  const c = (l.harm && l.harm.components) || {};
  const netBox = h('div', { class: 'graph', id: 'network' });
  const selection = h('p', { class: 'muted selection', id: 'network-selection' }, 'Select a number to see its contacts.');
  const mapBox = h('div', { class: 'map', id: 'map' });
  const timelineRows = l.timeline.filter((n) => n.first && n.last).length;
  const timelineCanvas = h('canvas', { id: 'timeline-chart', 'aria-label': 'Numbers of the line over time' });
  const netNote = net.status === 200
    ? `${fmt(net.data.nodes.length)} numbers, ${fmt(net.data.edges.length)} links` + (net.data.customers > net.data.customers_drawn ? ` (the most active ${fmt(net.data.customers_drawn)} of ${fmt(net.data.customers)} customers drawn)` : '')
    : 'The network could not be loaded (' + net.status + ').';
  const mapNote = map.status === 200
    ? `${fmt(map.data.cells.length)} cells, ${fmt(map.data.movements.length)} movements, ${fmt(map.data.addresses.length)} cuckooed addresses`
    : 'The map could not be loaded (' + map.status + ').';

  const people = (title, list, role) => h('div', {}, h('h3', {}, h('i', { class: 'dot', style: { background: ROLE_COLOURS[role] } }), title, ' ', h('span', { class: 'muted' }, (list || []).length)),
    (list || []).length ? h('ul', { class: 'plain mono' }, list.map((n) => h('li', {}, n))) : h('p', { class: 'muted' }, 'none identified'));

  const shown = ctx.page(gen,
    h('div', { class: 'page-head' }, h('div', {},
      h('p', { class: 'crumb' }, h('a', { href: '#lines' }, 'Lines'), ' / ', l.id),
      h('h1', {}, 'Line ', h('span', { class: 'mono' }, l.id), ' ', h('span', { class: 'badge big' }, 'rank ' + l.rank + ' · score ' + l.score.toFixed(2))),
      h('p', { class: 'route' }, h('b', {}, l.origin || '?'), ' → ', (l.destinations || []).join(', ') || '?', h('span', { class: 'muted' }, ` · active ${day(l.first_seen)} to ${day(l.last_seen)}`))),
      ctx.may('messages') ? h('a', { class: 'button', id: 'plan-texts', href: '#messages/line/' + e }, 'Plan diversion texts') : null),
    h('div', { class: 'kpis' }, kpi('Deal numbers', l.numbers.length, 'swaps: ' + Math.max(0, l.numbers.length - 1)), kpi('Holders', (l.holders || []).length),
      kpi('Runners', l.runners.length), kpi('Customers', fmt(l.customers)), kpi('Revenue / day', money(Math.round(c.revenue_gbp_per_day || 0)), 'estimate'),
      kpi('Children', fmt(c.juveniles || 0)), kpi('Cuckooed', fmt((l.cuckoo_addresses || []).length))),
    h('div', { class: 'grid' },
      card('Network', legend(Object.entries(ROLE_COLOURS)), netBox, h('p', { class: 'muted', id: 'network-note' }, netNote), selection),
      card('Map', legend([['origin', MAP_COLOURS.origin], ['destination', MAP_COLOURS.destination], ['other cells', MAP_COLOURS.other], ['cuckooed address', MAP_COLOURS.address]]), mapBox, h('p', { class: 'muted', id: 'map-note' }, mapNote))),
    card('Numbers over time', h('p', { class: 'muted' }, 'Each bar runs from the first to the last event of a number; a new deal bar starting as one ends is a swap.'),
      h('div', { class: 'timeline-box', style: { height: Math.max(140, 26 * timelineRows + 50) + 'px' } }, timelineCanvas)),
    h('div', { class: 'grid three' },
      card('Evidence', h('ol', { id: 'evidence', class: 'evidence' }, (l.evidence || []).map((x) => h('li', {}, x)))),
      card('People', people('Holders', l.holders, 'holder'), people('Runners', l.runners, 'runner')),
      card('Cuckooed addresses', (l.cuckoo_addresses || []).length
        ? h('ul', { id: 'cuckoo', class: 'plain' }, l.cuckoo_addresses.map((a) => h('li', {}, h('b', { class: 'mono' }, a.address), a.score !== undefined ? ' · score ' + Number(a.score).toFixed(2) : '',
          (a.explain || []).length ? h('ul', { class: 'muted' }, a.explain.map((x) => h('li', {}, x))) : null)))
        : h('p', { class: 'muted', id: 'cuckoo' }, 'None linked to this line.'))),
    ...[lineIntelCard(ctx, l)].filter(Boolean));
  if (!shown) return;
  if (timelineRows) ctx.keep(timelineChart(timelineCanvas, l.timeline));
  if (net.status === 200) {
    ctx.keep(drawNetwork(netBox, net.data, (n) => {
      selection.textContent = n ? `${n.id} · ${n.role} · ${fmt(n.weight)} events · ${n.degree} links` : 'Select a number to see its contacts.';
    }));
  }
  if (map.status === 200) {
    const m = await drawMap(mapBox, map.data, l);
    if (!mapBox.isConnected) m.remove(); // the user moved on while the basemap loaded
    else ctx.keep(m);
  }
}
