// SPDX-License-Identifier: GPL-3.0-or-later
// Intelligence items (docs/public-reports.md): the queue of new public
// reports and other items (#intel), one item (#intel/ID) with its 3x5x2
// grading form and its links to lines, addresses, people and numbers, and
// the card of items linked to a line and its cuckooed addresses that the
// line page shows. Reading needs reports_read; grading and linking
// intel_grade (the server checks both; the forms are only hidden here).
import './workflow.css';
import { api, enc } from '../api.js';
import { h, table, kpi, card, when } from '../dom.js';

// the public page's words for its choices (web/public/report.html)
export const CATEGORIES = {
  child_travelling_alone: 'A child who may be exploited',
  cuckooing: 'A home taken over (cuckooing)',
  drug_dealing: 'Drug dealing',
  exploitation: 'Someone being controlled',
  other: 'Something else',
};
const SIGNS = {
  travelling_alone: 'Travelling alone, in school hours, late at night or often',
  lost_or_unfamiliar: 'Looking lost, or in a place they do not know',
  cash_or_phones: 'Carrying a lot of cash or more than one phone',
  unaffordable_belongings: 'New things they could not afford',
  going_missing: 'Going missing from home or school',
  older_friends: 'Older friends or people controlling them',
  unexplained_injuries: 'Injuries they do not explain',
  angry_or_aggressive: 'Angry or aggressive in a way that is new',
  visitors_odd_hours: 'Many visitors, at odd hours',
  strangers_staying: 'People they do not know staying there',
  neighbour_not_seen: 'The person who lives there has not been seen',
  drug_paraphernalia: 'Things used to take drugs',
  door_damage: 'Damage to the door',
};
// 3x5x2 (College of Policing; DOMAIN.md), as ls_store_intel_grade checks it
const SOURCE_EVALUATION = { 1: 'Reliable', 2: 'Untested', 3: 'Not reliable' };
const ASSESSMENT = { A: 'Known directly', B: 'Known indirectly, corroborated', C: 'Known indirectly', D: 'Not known', E: 'Suspected to be false' };
const HANDLING = { P: 'Lawful sharing permitted', C: 'Lawful sharing permitted with conditions' };
const LINK_KINDS = { line: 'Line', address: 'Address', person: 'Person', number: 'Number' };
const CONDITIONS_MAX = 500; // LS_INTEL_CONDITIONS_MAX
const REF_MAX = 64; // LS_INTEL_REF_MAX
const LIST_LIMIT = 1000;

const bytes = (s) => new TextEncoder().encode(s).length;
// control characters the store refuses (newlines allowed where multiline)
const badText = (s, multiline) => (multiline ? /[\u0000-\u0009\u000b-\u001f\u007f]/ : /[\u0000-\u001f\u007f]/).test(s);
const excerpt = (s, n) => (s.length > n ? s.slice(0, n - 1) + '…' : s);
const category = (c) => CATEGORIES[c] || c;

/** The grade of an item as a badge: its code (2CP) or "new". */
export function gradeBadge(item) {
  return item.grading
    ? h('span', { class: 'badge blue grade', title: gradeWords(item.grading) }, item.grading.code)
    : h('span', { class: 'badge amber' }, 'new');
}

function gradeWords(g) {
  return `${g.source_evaluation}: ${SOURCE_EVALUATION[g.source_evaluation]} source · ${g.intelligence_assessment}: ${ASSESSMENT[g.intelligence_assessment]} · ${g.handling_code}: ${HANDLING[g.handling_code]}`;
}

// a message carried across the reload that follows a change
let flash = null;
// the queue's filters, kept while the console is open
const filters = { status: 'new', source: '' };

export async function showIntel(ctx, param, gen) {
  const id = param && /^\d{1,16}$/.test(param) ? param : null;
  const [list, one, lines] = await Promise.all([
    api('GET', '/api/intel?limit=' + LIST_LIMIT),
    id ? api('GET', '/api/intel/' + id) : null,
    ctx.may('intel_grade') && ctx.may('lines') ? api('GET', '/api/lines') : null,
  ]);
  if (list.status !== 200) return ctx.page(gen, h('p', { class: 'error' }, 'Could not load the intelligence items (' + list.status + ').'));
  const items = list.data.items;
  const shown = () => items.filter((it) => (!filters.status || it.status === filters.status) && (!filters.source || it.source === filters.source));
  const sources = [...new Set(items.map((it) => it.source))].sort();

  const statusSelect = h('select', { id: 'intel-status', 'aria-label': 'Status' },
    [['new', 'New (to grade)'], ['graded', 'Graded'], ['', 'All items']].map(([v, t]) => h('option', { value: v, selected: filters.status === v }, t)));
  const sourceSelect = h('select', { id: 'intel-source', 'aria-label': 'Source' },
    [['', 'Every source'], ...sources.map((s) => [s, s === 'public' ? 'The public' : s])].map(([v, t]) => h('option', { value: v, selected: filters.source === v }, t)));
  const queueBox = h('div');
  const open = (it) => ctx.navigate('#intel/' + it.id);
  const drawQueue = () => {
    const rows = shown();
    queueBox.replaceChildren(rows.length ? table('intel-queue', [
      { label: 'Received', class: 'nowrap', cell: (it) => it.received_on },
      { label: 'About', cell: (it) => [h('b', {}, category(it.category)), h('div', { class: 'muted small' }, it.area)] },
      { label: 'What was seen', cell: (it) => h('span', { class: 'excerpt' }, excerpt(it.description, 110)) },
      { label: 'Signs', class: 'num', cell: (it) => it.signs.length },
      { label: 'Grade', cell: (it) => gradeBadge(it) },
      { label: 'Links', class: 'num', cell: (it) => it.links.length },
    ], rows, (it) => ({ class: 'click' + (String(it.id) === id ? ' selected' : ''), 'data-id': it.id, tabindex: 0,
      on: { click: () => open(it), keydown: (ev) => { if (ev.key === 'Enter') open(it); } } }))
      : h('p', { class: 'muted', id: 'intel-queue', style: { padding: '14px' } }, filters.status === 'new' ? 'Nothing new to grade.' : 'No items.'));
  };
  statusSelect.addEventListener('change', () => { filters.status = statusSelect.value; drawQueue(); });
  sourceSelect.addEventListener('change', () => { filters.source = sourceSelect.value; drawQueue(); });
  drawQueue();

  let side;
  if (!id) side = card('Item', h('p', { class: 'muted', id: 'intel-item' }, 'Select an item to read' + (ctx.may('intel_grade') ? ', grade and link it.' : ' it.')));
  else if (one.status === 200) side = itemCard(ctx, one.data, lines && lines.status === 200 ? lines.data.lines : []);
  else side = card('Item', h('p', { class: 'error', id: 'intel-item' }, one.status === 404 ? 'No such item, or not one of your force\'s.' : 'Could not load the item (' + one.status + ').'));
  flash = null;

  const count = (f) => items.filter(f).length;
  ctx.page(gen,
    h('div', { class: 'page-head' }, h('div', {},
      id ? h('p', { class: 'crumb' }, h('a', { href: '#intel' }, 'Intelligence'), ' / item ', id) : null,
      h('h1', {}, 'Intelligence items'),
      h('p', { class: 'muted' }, 'Reports from the public (the page ', h('a', { href: '/report', target: '_blank', rel: 'noopener' }, '/report'),
        ') and other sources. Grade each with 3x5x2 and link it to the lines, addresses, people and numbers it concerns.'))),
    h('div', { class: 'kpis' }, kpi('To grade', count((it) => it.status === 'new')), kpi('Graded', count((it) => it.status === 'graded')),
      kpi('From the public', count((it) => it.source === 'public')), kpi('Linked', count((it) => it.links.length > 0)),
      items.length >= LIST_LIMIT ? kpi('Shown', LIST_LIMIT, 'the newest') : null),
    h('div', { class: 'grid wide-left' },
      h('section', { class: 'card flush' }, h('div', { class: 'card-tools' }, statusSelect, sourceSelect), queueBox),
      side));
}

// ---- one item --------------------------------------------------------------------

function itemCard(ctx, it, lines) {
  const p = it.point;
  const facts = [
    ['Received', it.received_on + ' · source ' + it.source],
    ['Area', it.area], ['Postcode', it.postcode || null],
    ['Map point', p ? `${p.lat.toFixed(5)}, ${p.lon.toFixed(5)}` : null],
    ['When', it.when || null], ['Force', it.force || 'national (no mapped area)'],
  ].filter((f) => f[1] !== null);
  const message = h('p', { class: flash ? 'notice message ok' : 'message', id: 'item-message', role: 'status', hidden: !flash }, flash || '');
  return h('section', { class: 'card', id: 'intel-item', 'data-id': it.id, 'data-status': it.status },
    h('div', { class: 'item-head' }, h('h2', {}, category(it.category)), gradeBadge(it)),
    message,
    h('dl', { class: 'facts' }, facts.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
    h('h3', {}, 'What they saw'),
    h('p', { class: 'description', id: 'item-description' }, it.description),
    it.signs.length ? [h('h3', {}, 'Signs ticked'), h('ul', { id: 'item-signs' }, it.signs.map((s) => h('li', {}, SIGNS[s] || s)))] : null,
    h('div', { class: 'part' }, h('h3', {}, 'Grading (3x5x2)'), gradingPart(ctx, it)),
    h('div', { class: 'part' }, h('h3', {}, 'Linked to'), linksPart(ctx, it, lines)));
}

function gradingPart(ctx, it) {
  const g = it.grading;
  const now = g
    ? h('p', { id: 'grading' }, h('b', { class: 'grade' }, g.code), ' ', gradeWords(g),
      g.handling_conditions ? h('span', {}, h('br'), 'Conditions: ', h('i', {}, g.handling_conditions)) : null,
      h('br'), h('span', { class: 'muted small' }, `graded by ${g.graded_by}, ${when(g.graded_at)} UTC`))
    : h('p', { class: 'muted', id: 'grading' }, 'Not graded yet.' + (it.source === 'public' ? ' A report from the public is usually 2 (untested) until something corroborates it.' : ''));
  if (!ctx.may('intel_grade')) return now;

  const choice = (id, label, options, value) => {
    const el = h('select', { id, name: id }, h('option', { value: '' }, '–'),
      Object.entries(options).map(([k, v]) => h('option', { value: k, selected: String(value) === k }, k + ' · ' + v)));
    return [el, h('div', { class: 'field' }, h('label', { for: id }, label), el)];
  };
  const [source, sourceField] = choice('g-source', 'Source evaluation', SOURCE_EVALUATION, g ? g.source_evaluation : '');
  const [assess, assessField] = choice('g-assessment', 'Intelligence assessment', ASSESSMENT, g ? g.intelligence_assessment : '');
  const [handling, handlingField] = choice('g-handling', 'Handling code', HANDLING, g ? g.handling_code : '');
  const counter = h('span', { class: 'counter' });
  const conditions = h('textarea', { id: 'g-conditions', name: 'g-conditions', rows: 3, maxlength: CONDITIONS_MAX }, g ? g.handling_conditions : '');
  const conditionsField = h('div', { class: 'field' }, h('label', { for: 'g-conditions' }, 'Conditions of sharing', counter), conditions,
    h('small', { class: 'muted' }, 'Who it may be shared with and how (code C only).'));
  const sync = () => {
    conditionsField.hidden = handling.value !== 'C';
    counter.textContent = bytes(conditions.value) + ' / ' + CONDITIONS_MAX;
  };
  handling.addEventListener('change', sync);
  conditions.addEventListener('input', sync);
  sync();
  const msg = h('p', { class: 'message', id: 'grade-message', role: 'status' });
  const submit = h('button', { type: 'submit', id: 'grade-submit' }, g ? 'Change grading' : 'Save grading');
  const form = h('form', { id: 'grade-form', novalidate: true, on: { submit: async (ev) => {
    ev.preventDefault();
    msg.className = 'message error';
    for (const el of [source, assess, handling, conditions]) el.classList.remove('invalid');
    const bad = (el, why) => { el.classList.add('invalid'); el.focus(); msg.textContent = why; };
    if (!source.value) return bad(source, 'Source evaluation: choose 1, 2 or 3.');
    if (!assess.value) return bad(assess, 'Intelligence assessment: choose A to E.');
    if (!handling.value) return bad(handling, 'Handling code: choose P or C.');
    const cond = handling.value === 'C' ? conditions.value.trim() : '';
    if (handling.value === 'C') {
      if (!cond) return bad(conditions, 'Conditions: code C needs the conditions of sharing.');
      if (bytes(cond) > CONDITIONS_MAX) return bad(conditions, `Conditions: at most ${CONDITIONS_MAX} bytes.`);
      if (badText(cond, true)) return bad(conditions, 'Conditions: no control characters.');
    }
    submit.disabled = true;
    const r = await api('POST', '/api/intel/' + it.id + '/grade',
      { source_evaluation: Number(source.value), intelligence_assessment: assess.value, handling_code: handling.value, handling_conditions: cond });
    submit.disabled = false;
    if (r.status === 200) {
      flash = 'Graded ' + r.data.grading.code + '.';
      ctx.navigate('#intel/' + it.id);
      return;
    }
    msg.textContent = (r.data && r.data.error) || 'Refused (' + r.status + ').';
  } } }, now, h('div', { class: 'fields' }, sourceField, assessField, h('div', { class: 'span2' }, handlingField), h('div', { class: 'span2' }, conditionsField)), submit, msg);
  return form;
}

function linksPart(ctx, it, lines) {
  const grade = ctx.may('intel_grade');
  const msg = h('p', { class: 'message', id: 'link-message', role: 'status' });
  const refLink = (l) => (l.kind === 'line' && ctx.may('lines') ? h('a', { href: '#line/' + enc(l.ref), class: 'mono' }, l.ref) : h('span', { class: 'mono' }, l.ref));
  const list = it.links.length
    ? h('ul', { class: 'items links', id: 'item-links' }, it.links.map((l) => h('li', { 'data-kind': l.kind, 'data-ref': l.ref },
      h('span', { class: 'pill' }, LINK_KINDS[l.kind] || l.kind), refLink(l),
      h('span', { class: 'who muted small' }, `${l.linked_by}, ${when(l.linked_at)}`),
      grade ? h('button', { type: 'button', class: 'secondary', 'aria-label': `Unlink ${l.kind} ${l.ref}`, on: { click: async () => {
        const r = await api('POST', '/api/intel/' + it.id + '/unlink', { kind: l.kind, ref: l.ref });
        if (r.status === 200) { flash = `Unlinked from ${l.kind} ${l.ref}.`; ctx.navigate('#intel/' + it.id); }
        else { msg.className = 'message error'; msg.textContent = (r.data && r.data.error) || 'Refused (' + r.status + ').'; }
      } } }, 'Unlink') : null)))
    : h('p', { class: 'muted', id: 'item-links' }, 'Not linked to anything yet.');
  if (!grade) return list;

  // suggestions: the ranked lines, their cuckooed addresses, holders and runners
  const suggestions = {
    line: lines.map((l) => [l.id, `${l.origin || '?'} → ${(l.destinations || []).join(', ')}`]),
    address: [], person: [],
    number: lines.flatMap((l) => l.numbers.map((n) => [n, 'deal number of ' + l.id])),
  };
  const datalist = h('datalist', { id: 'l-suggestions' });
  const kind = h('select', { id: 'l-kind', name: 'l-kind' }, Object.entries(LINK_KINDS).map(([k, v]) => h('option', { value: k }, v)));
  const ref = h('input', { id: 'l-ref', name: 'l-ref', list: 'l-suggestions', maxlength: REF_MAX, autocomplete: 'off', placeholder: 'LS-0001' });
  const hints = { line: 'LS-0001', address: 'A0042', person: 'P0042', number: '07700 900123 or +447700900123' };
  const syncKind = () => {
    ref.placeholder = hints[kind.value];
    datalist.replaceChildren(...suggestions[kind.value].slice(0, 500).map(([v, t]) => h('option', { value: v }, t)));
  };
  kind.addEventListener('change', syncKind);
  syncKind();
  const submit = h('button', { type: 'submit', id: 'link-submit' }, 'Link');
  const form = h('form', { id: 'link-form', novalidate: true, on: { submit: async (ev) => {
    ev.preventDefault();
    msg.className = 'message error';
    ref.classList.remove('invalid');
    const v = ref.value.trim();
    const bad = (why) => { ref.classList.add('invalid'); ref.focus(); msg.textContent = why; };
    if (!v) return bad('Say which ' + kind.value + ' to link.');
    if (bytes(v) > REF_MAX || badText(v, false)) return bad(`Reference: at most ${REF_MAX} bytes of text on one line.`);
    if (kind.value === 'number' && !/^\+?[\d ()-]{6,24}$/.test(v)) return bad('Number: digits, as 07700 900123 or +447700900123.');
    if (kind.value === 'line' && lines.length && !lines.some((l) => l.id === v)) return bad('Line: ' + v + ' is not in the latest analysis.');
    submit.disabled = true;
    const r = await api('POST', '/api/intel/' + it.id + '/links', { kind: kind.value, ref: v });
    submit.disabled = false;
    if (r.status === 200) {
      flash = `Linked to ${kind.value} ${v}.`;
      ctx.navigate('#intel/' + it.id);
      return;
    }
    msg.textContent = (r.data && r.data.error) || 'Refused (' + r.status + ').';
  } } }, h('div', { class: 'fields' },
    h('div', { class: 'field' }, h('label', { for: 'l-kind' }, 'Kind'), kind),
    h('div', { class: 'field' }, h('label', { for: 'l-ref' }, 'Reference'), ref)), datalist, submit, msg);
  return h('div', {}, list, form);
}

// ---- on the line page --------------------------------------------------------------

/**
 * A card listing the intelligence items linked to line `l` and to each of
 * its cuckooed addresses; null when the role may not read items. It fills
 * itself once the items arrive (one request for the line, one per address).
 */
export function lineIntelCard(ctx, l) {
  if (!ctx.may('reports_read')) return null;
  const body = h('div', { id: 'line-intel' }, h('p', { class: 'muted' }, 'Loading…'));
  const addresses = (l.cuckoo_addresses || []).map((a) => a.address);
  const groups = [['line', l.id, 'This line'], ...addresses.map((a) => ['address', a, 'Cuckooed address ' + a])];
  Promise.all(groups.map(([kind, ref]) => api('GET', `/api/intel?kind=${kind}&ref=${enc(ref)}`))).then((answers) => {
    const parts = [];
    let total = 0;
    answers.forEach((r, i) => {
      const [kind, ref, title] = groups[i];
      if (r.status !== 200) {
        parts.push(h('p', { class: 'error' }, title + ': could not load the items (' + r.status + ').'));
        return;
      }
      const items = r.data.items;
      total += items.length;
      if (!items.length && kind === 'address') return; // addresses with nothing linked stay quiet
      parts.push(h('div', { class: 'intel-group', 'data-kind': kind, 'data-ref': ref }, h('h3', {}, title, ' ', h('span', { class: 'muted' }, items.length)),
        items.length ? h('ul', { class: 'items' }, items.map((it) => h('li', { 'data-id': it.id },
          gradeBadge(it), ' ', h('a', { href: '#intel/' + it.id }, category(it.category)), ' ',
          h('span', { class: 'muted small' }, `${it.received_on} · ${it.source} · ${it.area}`),
          h('div', { class: 'excerpt' }, excerpt(it.description, 200)))))
          : h('p', { class: 'muted' }, 'No items linked.')));
    });
    body.dataset.items = total;
    body.replaceChildren(...parts);
  });
  return card('Intelligence items', h('p', { class: 'muted' }, 'Public reports and other intelligence linked to this line' + (addresses.length ? ' and its cuckooed addresses' : '') + '.'), body);
}
