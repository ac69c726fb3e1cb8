// SPDX-License-Identifier: GPL-3.0-or-later
// Weeks of action: the list, one operation's report (totals and a
// dashboard of charts), and the result entry form for officers.
import { api, enc } from '../api.js';
import { h, table, kpi, card, fmt, money } from '../dom.js';
import { barChart, doughnutChart } from '../charts/charts.js';

// DESIGN.md s.7: kinds and the categories each allows
export const KINDS = {
  arrest: [], safeguard: [], warrant: [], stop_search: [],
  seizure: ['cash', 'drug', 'weapon', 'phone', 'vehicle', 'other'],
  visit: ['cuckooed_address', 'school', 'landlord', 'vehicle_check'],
  line_closed: [], messages_sent: [], network_disrupted: [],
};

export async function showOperations(ctx, name, gen) {
  const r = await api('GET', '/api/operations');
  if (r.status !== 200) return ctx.page(gen, h('p', { class: 'error' }, 'Could not load operations (' + r.status + ').'));
  const ops = r.data.operations;
  let rep = null;
  if (name) rep = await api('GET', '/api/operations/' + enc(name) + '/report');
  const charts = [];
  const list = ops.length ? table('operations', [
    { label: 'Operation', cell: (o) => h('a', { href: '#operations/' + enc(o.name) }, o.name) },
    { label: 'Forces', cell: (o) => o.forces.join(', ') },
    { label: 'From', cell: (o) => o.first_date }, { label: 'To', cell: (o) => o.last_date },
    ...(ops.some((o) => o.records !== undefined) ? [{ label: 'Records', class: 'num', cell: (o) => fmt(o.records) }] : []),
  ], ops, (o) => ({ class: 'click' + (o.name === name ? ' selected' : ''), on: { click: () => ctx.navigate('#operations/' + enc(o.name)) } }))
    : h('p', { class: 'muted', id: 'operations' }, 'No results recorded yet.');

  const kids = [h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, name ? name : 'Weeks of action'),
    h('p', { class: 'muted' }, name ? h('a', { href: '#operations' }, 'All operations') : 'Results recorded by each force during intensification weeks, and their published totals.')))];
  if (name) {
    if (rep && rep.status === 200) kids.push(...report(rep.data, charts));
    else kids.push(card('Totals', h('p', { class: 'muted', id: 'totals' }, rep && rep.status === 404 ? 'No results recorded yet.' : 'The report could not be loaded.')));
  }
  const side = [];
  if (ctx.may('operations_write')) side.push(resultForm(ctx, name));
  kids.push(h('div', { class: 'grid wide-left' }, card('Operations', list), side.length ? side : h('div')));
  if (!ctx.page(gen, ...kids)) return;
  for (const c of charts) ctx.keep(c());
}

// the report: headline figures, a dashboard, the totals table
function report(t, charts) {
  const arrestsCanvas = h('canvas', { id: 'chart-results' });
  const peopleCanvas = h('canvas', { id: 'chart-arrests' });
  const weaponsCanvas = h('canvas', { id: 'chart-weapons' });
  const drugsCanvas = h('canvas', { id: 'chart-drugs' });
  const headline = [['Arrests', t.arrests.total], ['Safeguarded', t.safeguarded.total], ['Warrants', t.warrants], ['Stop & search', t.stop_searches.total],
    ['Phones', t.phones], ['Weapons', t.weapons.total], ['Address visits', Object.values(t.visits).reduce((a, b) => a + b, 0)],
    ['Lines closed', t.lines_closed], ['Messages', t.messages_sent]];
  charts.push(() => barChart(arrestsCanvas, headline.map((x) => x[0]), headline.map((x) => x[1]), '#1f6feb'));
  const adults = t.arrests.total - t.arrests.under_18;
  charts.push(() => doughnutChart(peopleCanvas, ['Under 18', 'Adults'], [t.arrests.under_18, adults], ['#d1495b', '#8a94a6']));
  const weapons = Object.entries(t.weapons.by_type || {});
  if (weapons.length) charts.push(() => barChart(weaponsCanvas, weapons.map((w) => w[0]), weapons.map((w) => w[1]), '#e8871e', true));
  const drugs = t.drugs || [];
  if (drugs.length) charts.push(() => barChart(drugsCanvas, drugs.map((d) => d.drug), drugs.map((d) => d.value_gbp || 0), '#7b4fb8', true));
  const row = (k, v) => h('tr', {}, h('td', {}, k), h('td', { 'data-total': k, class: 'num' }, v));
  return [
    h('div', { class: 'kpis' }, kpi('Arrests', fmt(t.arrests.total), t.arrests.under_18 + ' under 18'), kpi('Safeguarded', fmt(t.safeguarded.total), t.safeguarded.juvenile + ' children'),
      kpi('Cash seized', money(t.cash_gbp)), kpi('Weapons', fmt(t.weapons.total)), kpi('Lines closed', fmt(t.lines_closed)), kpi('Forces', (t.forces || []).join(', ') || '–')),
    h('div', { class: 'grid four' },
      card('Results', h('div', { class: 'chart-box' }, arrestsCanvas)),
      card('Arrests by age', h('div', { class: 'chart-box' }, peopleCanvas)),
      card('Weapons by type', weapons.length ? h('div', { class: 'chart-box' }, weaponsCanvas) : h('p', { class: 'muted' }, 'None seized.')),
      card('Drugs by value (£)', drugs.length ? h('div', { class: 'chart-box' }, drugsCanvas) : h('p', { class: 'muted' }, 'None seized.'))),
    card('Totals (published figures)', h('table', { class: 'totals data', id: 'totals' }, h('tbody', {},
      row('Arrests', t.arrests.total + ' (' + t.arrests.under_18 + ' under 18)'),
      row('Safeguarded', t.safeguarded.total), row('Warrants', t.warrants),
      row('Stop and search', t.stop_searches.total + ' (' + t.stop_searches.out_of_area + ' from out of area)'),
      row('Cash seized', money(t.cash_gbp)), row('Phones', t.phones), row('Weapons', t.weapons.total),
      row('Drugs', drugs.map((d) => d.drug + (d.value_gbp ? ' ' + money(d.value_gbp) : '') + (d.unquantified_items ? ' (' + d.unquantified_items + ' not yet quantified)' : '')).join(', ') || 'none'),
      row('Cuckooed addresses visited', t.visits.cuckooed_address), row('Lines closed', t.lines_closed),
      row('Networks disrupted', t.networks_disrupted), row('Messages sent', t.messages_sent)))),
  ];
}

// field checks mirror the server's (it has the last word: its 400 names
// the record, field and reason, shown as is)
const checks = {
  date: (v) => (/^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v + 'T00:00:00Z')) ? null : 'Date: a day as YYYY-MM-DD.'),
  count: (v) => (v === '' || /^[1-9]\d{0,5}$/.test(v) ? null : 'Count: a whole number from 1.'),
  value_gbp: (v) => (v === '' || /^\d{1,9}(\.\d{1,2})?$/.test(v) ? null : 'Value: pounds and pence, e.g. 1250.50.'),
  weight_g: (v) => (v === '' || /^\d{1,7}(\.\d{1,3})?$/.test(v) ? null : 'Weight: grams, e.g. 12.5.'),
  wraps: (v) => (v === '' || /^\d{1,6}$/.test(v) ? null : 'Wraps: a whole number.'),
};

function resultForm(ctx, name) {
  const f = {};
  const msg = h('p', { id: 'result-message', role: 'status' });
  const field = (id, label, el, hint) => {
    f[id] = el; el.id = 'f-' + id; el.name = id;
    return h('div', { class: 'field' }, h('label', { for: 'f-' + id }, label), el, hint ? h('small', { class: 'muted' }, hint) : null);
  };
  const select = (opts) => h('select', {}, opts.map((o) => h('option', { value: o }, o === '' ? '–' : o.replace(/_/g, ' '))));
  const opInput = h('input', { id: 'operation', placeholder: '2024-10 intensification', value: name || '', required: true, maxlength: 200 });
  const kind = select(Object.keys(KINDS));
  const category = select(['']);
  const syncCategories = () => {
    const cats = KINDS[kind.value];
    category.replaceChildren(...[''].concat(cats).map((o) => h('option', { value: o }, o === '' ? '–' : o.replace(/_/g, ' '))));
    category.disabled = !cats.length;
  };
  kind.addEventListener('change', syncCategories);
  const today = new Date().toISOString().slice(0, 10);
  const submit = h('button', { type: 'submit', id: 'result-submit' }, 'Add result');
  const form = h('form', { class: 'card', id: 'result-form', novalidate: true, on: { submit: async (ev) => {
    ev.preventDefault();
    msg.className = 'error';
    for (const el of Object.values(f)) el.classList.remove('invalid');
    const op = opInput.value.trim();
    if (!op) { msg.textContent = 'Name the operation.'; opInput.classList.add('invalid'); return; }
    for (const [k, check] of Object.entries(checks)) {
      const problem = check(f[k].value.trim());
      if (problem) { msg.textContent = problem; f[k].classList.add('invalid'); f[k].focus(); return; }
    }
    if (KINDS[kind.value].length && !category.value) { msg.textContent = 'Category: choose what kind of ' + kind.value + '.'; category.classList.add('invalid'); return; }
    const rec = {};
    for (const [k, el] of Object.entries(f)) if (el.value.trim() !== '' && !el.disabled) rec[k] = el.value.trim();
    submit.disabled = true;
    const r = await api('POST', '/api/operations/' + enc(op) + '/results', { records: [rec] });
    submit.disabled = false;
    if (r.status === 201) {
      msg.className = 'ok';
      msg.textContent = 'Recorded.';
      ctx.navigate('#operations/' + enc(op));
      return;
    }
    msg.textContent = (r.data && (r.data.reason || r.data.error)) || ('Refused (' + r.status + ').');
  } } }, h('h2', {}, 'Record a result'),
  h('div', { class: 'fields' },
    h('div', { class: 'field span2' }, h('label', { for: 'operation' }, 'Operation'), opInput),
    field('date', 'Date', h('input', { type: 'date', value: today, max: today })), field('kind', 'Kind', kind), field('category', 'Category', category),
    field('item', 'Item', h('input', { placeholder: 'heroin, machete…', maxlength: 200 })), field('count', 'Count', h('input', { inputmode: 'numeric', placeholder: '1' })),
    field('value_gbp', 'Value £', h('input', { inputmode: 'decimal' })), field('weight_g', 'Weight g', h('input', { inputmode: 'decimal' })),
    field('wraps', 'Wraps', h('input', { inputmode: 'numeric' })), field('age_band', 'Age band', select(['', 'under_18', 'adult'])),
    field('sex', 'Sex', select(['', 'male', 'female', 'unknown'])), field('area', 'Area', h('input', { maxlength: 200 })),
    field('out_of_area', 'Out of area', select(['', 'yes', 'no'])), field('note', 'Note', h('input', { maxlength: 1000 }))),
  submit, msg);
  syncCategories();
  return form;
}
