// SPDX-License-Identifier: GPL-3.0-or-later
// DOM building without innerHTML: every value from the store goes in as a
// text node, so it can never become markup or script.

/** h('tag', {attrs, on: {event: fn}}, ...children) -> element */
export function h(tag, attrs, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'on') for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
    else if (k === 'class') el.className = v;
    else if (k === 'style') Object.assign(el.style, v); // CSSOM: allowed by style-src 'self'
    else if (v !== null && v !== undefined && v !== false) el.setAttribute(k, v === true ? '' : v);
  }
  for (const kid of kids.flat(Infinity)) {
    if (kid === null || kid === undefined || kid === false) continue;
    el.appendChild(kid instanceof Node ? kid : document.createTextNode(String(kid)));
  }
  return el;
}

export const day = (iso) => (iso || '').slice(0, 10);
export const when = (iso) => (iso ? iso.slice(0, 16).replace('T', ' ') : '');
export const fmt = (n) => Number(n || 0).toLocaleString('en-GB');
export const money = (v) => '£' + Number(v || 0).toLocaleString('en-GB', { maximumFractionDigits: 2 });

/** A table: columns [{label, cell(row) -> node|string, class}] */
export function table(id, columns, rows, rowAttrs) {
  return h('table', { id, class: 'data' },
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { class: c.class || null }, c.label)))),
    h('tbody', {}, rows.map((r) => h('tr', rowAttrs ? rowAttrs(r) : {}, columns.map((c) => h('td', { class: c.class || null }, c.cell(r)))))));
}

export function card(title, ...kids) {
  return h('section', { class: 'card' }, title ? h('h2', {}, title) : null, ...kids);
}

export function kpi(label, value, note) {
  return h('div', { class: 'kpi' }, h('div', { class: 'kpi-value' }, value), h('div', { class: 'kpi-label' }, label), note ? h('div', { class: 'kpi-note' }, note) : null);
}

// role colours: one palette for the network, the timeline and the map
export const ROLE_COLOURS = { deal: '#d1495b', holder: '#7b4fb8', runner: '#e8871e', customer: '#8a94a6' };

export function legend(items) {
  return h('p', { class: 'legend' }, items.map(([name, colour]) => h('span', {}, h('i', { style: { background: colour } }), name)));
}
