// SPDX-License-Identifier: GPL-3.0-or-later
// Diversion texts (docs/messaging.md): plan a campaign for a deal line
// (who would be texted, who is left out), create it with its text, have a
// second person with the supervisor role approve it, and follow its
// progress. Routes: #messages, #messages/line/ID (plan for a line),
// #messages/campaign/N. The console never sends: `linesight message send`
// does, on the operations host that holds the SMS gateway's credentials.
import './workflow.css';
import { api, enc } from '../api.js';
import { h, table, kpi, card, fmt, when } from '../dom.js';

const TEXT_MAX = 612; // LS_MSG_TEXT_MAX: four concatenated SMS
const NAME_MAX = 100; // LS_MSG_NAME_MAX: operation and force names
const DAYS_DEFAULT = 28, DAYS_MAX = 3660; // LS_MSG_DEFAULT_DAYS, LS_MSG_DAYS_MAX
const REFRESH_MS = 5000; // how often a campaign being sent is re-read

const STATUS = {
  awaiting_approval: ['awaiting approval', 'amber'],
  approved: ['approved: ready to send', 'blue'],
  sending: ['sending', 'blue'],
  complete: ['complete', 'green'],
  cancelled: ['cancelled', 'grey'],
};
// progress colours: the console's palette (style.css)
const STATE_COLOURS = { delivered: '#127a47', sent: '#1f6feb', sending: '#4c8dff', failed: '#c2303f', planned: '#c9d0db' };

const bytes = (s) => new TextEncoder().encode(s).length;
const badText = (s, multiline) => (multiline ? /[\u0000-\u0009\u000b-\u001f\u007f]/ : /[\u0000-\u001f\u007f]/).test(s);
const statusBadge = (s) => h('span', { class: 'badge ' + (STATUS[s] || [s, 'grey'])[1], 'data-status': s }, (STATUS[s] || [s])[0]);
const errorOf = (r) => (r.data && r.data.error) || 'Refused (' + r.status + ').';

function progress(c) {
  const total = c.recipients || 1;
  return h('div', { class: 'progress', role: 'img', 'aria-label': `${c.states.delivered} delivered, ${c.states.sent} sent, ${c.states.failed} failed of ${c.recipients}` },
    ['delivered', 'sent', 'sending', 'failed', 'planned'].map((k) => h('i', { style: { width: (100 * c.states[k] / total) + '%', background: STATE_COLOURS[k] } })));
}

// `ready`: the campaign is approved and waits for the operator
function sendNotice(id, ready) {
  return h('div', { class: ready ? 'notice warn' : 'notice', id: 'send-notice' }, h('span', { class: 'icon', 'aria-hidden': 'true' }, ready ? '!' : 'i'), h('div', {},
    h('b', {}, ready ? 'Approved: ready to be sent from the operations host. This console does not send texts.' : 'Texts are sent from the operations host, not from this console.'),
    h('p', {}, 'The server does not hold the SMS gateway\'s credentials. Once a supervisor has approved a campaign, an operator runs on the operations host:'),
    h('pre', { class: 'cmd' }, `linesight message send --campaign ${id || 'N'} --gateway /path/to/gateway.conf`),
    h('p', { class: 'muted small' }, 'Each number is texted exactly once, even if the sender is stopped and run again; the counts here follow it.')));
}

export async function showMessages(ctx, param, gen) {
  const [what, arg] = param ? [param.split('/')[0], param.slice(param.indexOf('/') + 1)] : [null, null];
  if (what === 'campaign' && /^\d{1,18}$/.test(arg)) return showCampaign(ctx, arg, gen);
  return showIndex(ctx, what === 'line' ? arg : null, gen);
}

// ---- the list, the plan and the do-not-contact list ---------------------------------

async function showIndex(ctx, lineId, gen) {
  const [campaigns, lines, dnc] = await Promise.all([api('GET', '/api/messages/campaigns'), api('GET', '/api/lines'), api('GET', '/api/messages/dnc')]);
  if (campaigns.status !== 200) return ctx.page(gen, h('p', { class: 'error' }, 'Could not load the campaigns (' + campaigns.status + ').'));
  const list = campaigns.data.campaigns.slice().sort((a, b) => b.id - a.id);
  const ranked = lines.status === 200 ? lines.data.lines : [];
  const open = (c) => ctx.navigate('#messages/campaign/' + c.id);
  const tbl = list.length ? table('campaigns', [
    { label: '#', class: 'num', cell: (c) => h('a', { href: '#messages/campaign/' + c.id }, c.id) },
    { label: 'Line', cell: (c) => h('span', { class: 'mono nowrap' }, c.line) },
    { label: 'Status', cell: (c) => statusBadge(c.status) },
    { label: 'Created by', cell: (c) => c.created_by },
    { label: 'Approved by', cell: (c) => c.approved_by || h('span', { class: 'muted' }, '–') },
    { label: 'Recipients', class: 'num', cell: (c) => fmt(c.recipients) },
    { label: 'Delivered', class: 'num', cell: (c) => fmt(c.states.delivered) },
    { label: 'Failed', class: 'num', cell: (c) => fmt(c.states.failed) },
    { label: 'Progress', cell: (c) => progress(c) },
  ], list, (c) => ({ class: 'click', 'data-id': c.id, tabindex: 0, on: { click: (ev) => { if (!ev.target.closest('a')) open(c); }, keydown: (ev) => { if (ev.key === 'Enter') open(c); } } }))
    : null;
  const waiting = list.filter((c) => c.status === 'awaiting_approval').length;
  ctx.page(gen,
    h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, 'Diversion texts'),
      h('p', { class: 'muted' }, 'Text the customers of a deal line, pointing them to support services. A campaign is planned and created by one person and approved by a second with the supervisor role.'))),
    sendNotice(null),
    h('div', { class: 'kpis' }, kpi('Campaigns', list.length), kpi('Awaiting approval', waiting),
      kpi('Being sent', list.filter((c) => c.status === 'approved' || c.status === 'sending').length),
      kpi('Texts delivered', fmt(list.reduce((s, c) => s + c.states.delivered, 0))), kpi('Do not contact', dnc.status === 200 ? fmt(dnc.data.numbers.length) : '–')),
    h('div', { class: 'grid wide-left' },
      h('div', {}, tbl ? h('section', { class: 'card flush' }, tbl) : card('Campaigns', h('p', { class: 'muted', id: 'campaigns' }, 'No campaigns yet: plan one for a line.')),
        dncCard(ctx, dnc)),
      planCard(ctx, ranked, lineId)));
}

function planCard(ctx, lines, lineId) {
  const line = h('select', { id: 'm-line', name: 'm-line' }, h('option', { value: '' }, '–'),
    lines.map((l) => h('option', { value: l.id, selected: l.id === lineId }, `${l.id} · ${l.origin || '?'} → ${(l.destinations || []).join(', ') || '?'}`)));
  const days = h('input', { id: 'm-days', name: 'm-days', type: 'number', min: 1, max: DAYS_MAX, value: DAYS_DEFAULT, inputmode: 'numeric', style: { maxWidth: '140px' } });
  const msg = h('p', { class: 'message', id: 'plan-message', role: 'status' });
  const result = h('div', { id: 'plan-result' });
  const submit = h('button', { type: 'submit', id: 'plan-submit' }, 'Plan');
  const plan = async () => {
    msg.className = 'message error';
    msg.textContent = '';
    line.classList.remove('invalid');
    days.classList.remove('invalid');
    result.replaceChildren();
    if (!line.value) { line.classList.add('invalid'); msg.textContent = 'Line: choose the deal line to text the customers of.'; return; }
    const d = days.value.trim();
    if (!/^\d{1,4}$/.test(d) || Number(d) < 1 || Number(d) > DAYS_MAX) { days.classList.add('invalid'); msg.textContent = `Days: a whole number from 1 to ${DAYS_MAX}.`; return; }
    submit.disabled = true;
    const r = await api('GET', `/api/messages/plan?line=${enc(line.value)}&days=${d}`);
    submit.disabled = false;
    if (r.status !== 200) { msg.textContent = errorOf(r); return; }
    msg.textContent = '';
    result.replaceChildren(...planResult(ctx, r.data, Number(d)));
  };
  const form = h('form', { id: 'plan-form', novalidate: true, on: { submit: (ev) => { ev.preventDefault(); plan(); } } },
    h('div', { class: 'fields' },
      h('div', { class: 'field span2' }, h('label', { for: 'm-line' }, 'Deal line'), line),
      h('div', { class: 'field span2' }, h('label', { for: 'm-days' }, 'Window (days)'), days,
        h('small', { class: 'muted' }, 'Numbers that called or texted the line in the last days of its activity; 28 is its current customer base.'))),
    submit, msg);
  if (lineId) queueMicrotask(plan);
  return card('Plan a campaign', form, result);
}

function planResult(ctx, p, days) {
  const n = p.recipients.length;
  const out = [h('div', { class: 'part' },
    h('div', { class: 'kpis', id: 'plan-figures' },
      h('div', { 'data-figure': 'recipients' }, kpi('Recipients', fmt(n), 'numbers, once each')),
      h('div', { 'data-figure': 'children' }, kpi('Children left out', fmt(p.excluded.children), 'to safeguarding instead')),
      h('div', { 'data-figure': 'do_not_contact' }, kpi('Do not contact', fmt(p.excluded.do_not_contact), 'left out'))),
    h('p', { class: 'muted small' }, 'The line\'s own deal numbers, holders and runners are not customers and are never texted. A number attributed to a child is left out: a child buying from a line is a safeguarding matter.'),
    n ? h('details', {}, h('summary', {}, `The ${fmt(n)} numbers`), h('ul', { class: 'plain mono numbers', id: 'plan-numbers' }, p.recipients.map((x) => h('li', {}, x)))) : null)];
  if (!n) {
    out.push(h('p', { class: 'error', id: 'create-message' }, 'No one to text in this window: nothing to create.'));
    return out;
  }
  // the campaign: its text and, optionally, the week of action it counts for
  const counter = h('span', { class: 'counter' });
  const text = h('textarea', { id: 'm-text', name: 'm-text', rows: 5, placeholder: 'Leave empty for the standard text: FRANK (drugs advice), Childline, Crimestoppers (anonymous), 999, and no reply.' });
  const operation = h('input', { id: 'm-operation', name: 'm-operation', maxlength: NAME_MAX, placeholder: '2024-10 intensification' });
  const force = h('input', { id: 'm-force', name: 'm-force', maxlength: NAME_MAX, value: ctx.session.national ? '' : ctx.session.force });
  const sync = () => { counter.textContent = text.value ? `${bytes(text.value)} / ${TEXT_MAX} bytes` : 'empty: the standard text'; };
  text.addEventListener('input', sync);
  sync();
  const msg = h('p', { class: 'message', id: 'create-message', role: 'status' });
  const submit = h('button', { type: 'submit', id: 'create-submit' }, `Create campaign for ${fmt(n)} numbers`);
  out.push(h('form', { class: 'part', id: 'create-form', novalidate: true, on: { submit: async (ev) => {
    ev.preventDefault();
    msg.className = 'message error';
    for (const el of [text, operation, force]) el.classList.remove('invalid');
    const bad = (el, why) => { el.classList.add('invalid'); el.focus(); msg.textContent = why; };
    const t = text.value.trim();
    if (t && bytes(t) > TEXT_MAX) return bad(text, `Text: at most ${TEXT_MAX} bytes (four SMS); this is ${bytes(t)}.`);
    if (t && badText(t, true)) return bad(text, 'Text: no control characters.');
    const op = operation.value.trim(), fo = force.value.trim();
    if (!op !== !fo) return bad(op ? force : operation, 'Operation and force go together: the result is counted for that force\'s week of action.');
    for (const el of [operation, force]) if (el.value.trim() && (bytes(el.value.trim()) > NAME_MAX || badText(el.value, false))) return bad(el, `At most ${NAME_MAX} bytes on one line.`);
    const body = { line: p.line, days };
    if (t) body.text = t;
    if (op) { body.operation = op; body.force = fo; }
    submit.disabled = true;
    const r = await api('POST', '/api/messages/campaigns', body);
    submit.disabled = false;
    if (r.status === 201) { ctx.navigate('#messages/campaign/' + r.data.id); return; }
    msg.textContent = errorOf(r);
  } } }, h('h3', {}, 'Create the campaign'),
  h('div', { class: 'field' }, h('label', { for: 'm-text' }, 'Message', counter), text),
  h('div', { class: 'fields' },
    h('div', { class: 'field' }, h('label', { for: 'm-operation' }, 'Week of action (optional)'), operation),
    h('div', { class: 'field' }, h('label', { for: 'm-force' }, 'Force'), force)),
  h('small', { class: 'muted' }, 'The plan is frozen with the text when you create it; a supervisor other than you approves it before anything is sent.'),
  h('div', {}, submit), msg));
  return out;
}

function dncCard(ctx, dnc) {
  const numbers = dnc.status === 200 ? dnc.data.numbers : [];
  const number = h('input', { id: 'dnc-number', name: 'dnc-number', inputmode: 'tel', autocomplete: 'off', placeholder: '07700 900123' });
  const reason = h('input', { id: 'dnc-reason', name: 'dnc-reason', maxlength: 200, placeholder: 'asked not to be texted' });
  const msg = h('p', { class: 'message', id: 'dnc-message', role: 'status' });
  const form = h('form', { id: 'dnc-form', novalidate: true, on: { submit: async (ev) => {
    ev.preventDefault();
    msg.className = 'message error';
    number.classList.remove('invalid');
    reason.classList.remove('invalid');
    const v = number.value.trim();
    if (!/^\+?[\d ()-]{6,24}$/.test(v)) { number.classList.add('invalid'); msg.textContent = 'Number: digits, as 07700 900123 or +447700900123.'; return; }
    if (bytes(reason.value.trim()) > 200 || badText(reason.value, false)) { reason.classList.add('invalid'); msg.textContent = 'Reason: at most 200 bytes on one line.'; return; }
    const r = await api('POST', '/api/messages/dnc', { number: v, reason: reason.value.trim() });
    if (r.status === 201) { ctx.navigate(location.hash || '#messages'); return; }
    msg.textContent = errorOf(r);
  } } }, h('div', { class: 'fields' },
    h('div', { class: 'field' }, h('label', { for: 'dnc-number' }, 'Number'), number),
    h('div', { class: 'field' }, h('label', { for: 'dnc-reason' }, 'Reason'), reason)),
  h('button', { type: 'submit', id: 'dnc-submit', class: 'secondary' }, 'Add to the list'), msg);
  return card('Do not contact',
    h('p', { class: 'muted' }, 'Numbers never texted, whatever the line (a person who asked, a support worker, a witness).'),
    dnc.status !== 200 ? h('p', { class: 'error' }, 'Could not load the list (' + dnc.status + ').')
      : numbers.length ? h('details', {}, h('summary', {}, `${fmt(numbers.length)} number${numbers.length === 1 ? '' : 's'} on the list`),
        table('dnc', [{ label: 'Number', cell: (x) => h('span', { class: 'mono' }, x.number) }, { label: 'Reason', cell: (x) => x.reason },
          { label: 'Added', cell: (x) => `${x.added_by}, ${when(x.added_at)}` }], numbers))
        : h('p', { class: 'muted', id: 'dnc' }, 'The list is empty.'),
    form);
}

// ---- one campaign ------------------------------------------------------------------

async function showCampaign(ctx, id, gen) {
  const r = await api('GET', '/api/messages/campaigns/' + id);
  if (r.status !== 200) {
    return ctx.page(gen, h('p', { class: 'crumb' }, h('a', { href: '#messages' }, 'Diversion texts')),
      h('p', { class: 'error', id: 'campaign-error' }, r.status === 404 ? 'No such campaign.' : 'Could not load the campaign (' + r.status + ').'));
  }
  const c = r.data;
  const status = h('div', { id: 'campaign-status' });
  const approval = h('div', { id: 'campaign-approval' });
  const draw = (x) => {
    status.replaceChildren(
      h('div', { class: 'kpis', id: 'campaign-figures' }, ['recipients', 'planned', 'sending', 'sent', 'delivered', 'failed'].map((k) => {
        const v = k === 'recipients' ? x.recipients : x.states[k];
        return h('div', { 'data-state': k }, kpi(k, fmt(v)));
      }), h('div', { 'data-state': 'children' }, kpi('children left out', fmt(x.excluded.children))),
      h('div', { 'data-state': 'do_not_contact' }, kpi('do not contact', fmt(x.excluded.do_not_contact)))),
      card('Progress', progress(x), h('p', { class: 'legend progress-legend' }, Object.entries(STATE_COLOURS).map(([k, col]) => h('span', {}, h('i', { style: { background: col } }), k))),
        x.results_recorded ? h('p', { class: 'ok' }, `Counted in ${x.operation} (${x.force}) as messages sent.`)
          : x.operation ? h('p', { class: 'muted' }, `Counts for ${x.operation} (${x.force}) when complete.`) : null));
    approval.replaceChildren(approvalPart(ctx, x));
  };
  draw(c);
  const head = h('div', { class: 'page-head' }, h('div', {},
    h('p', { class: 'crumb' }, h('a', { href: '#messages' }, 'Diversion texts'), ' / campaign ', c.id),
    h('h1', {}, 'Campaign ', c.id, ' ', statusBadge(c.status)),
    h('p', { class: 'route' }, 'Customers of line ', ctx.may('lines') ? h('a', { href: '#line/' + enc(c.line), class: 'mono' }, c.line) : h('span', { class: 'mono' }, c.line),
      h('span', { class: 'muted' }, ` · the last ${c.days} days of its activity`))),
  h('button', { type: 'button', id: 'campaign-refresh', class: 'secondary', on: { click: () => ctx.navigate('#messages/campaign/' + c.id) } }, 'Refresh'));
  const notice = ['awaiting_approval', 'approved', 'sending'].includes(c.status) ? sendNotice(c.id, c.status === 'approved') : null;
  if (!ctx.page(gen, head, ...[notice].filter(Boolean), status,
    h('div', { class: 'grid' },
      card('The text', h('p', { class: 'sms', id: 'campaign-text' }, c.text || ''), h('p', { class: 'muted small' }, `${bytes(c.text || '')} of ${TEXT_MAX} bytes, frozen when the campaign was created.`)),
      card('Approval', approval)))) return;
  // while texts are going out, the figures follow the sender
  if (c.status === 'approved' || c.status === 'sending') {
    const timer = setInterval(async () => {
      const again = await api('GET', '/api/messages/campaigns/' + c.id);
      if (again.status !== 200 || !status.isConnected) return;
      if (again.data.status !== c.status) ctx.navigate('#messages/campaign/' + c.id);
      else draw(again.data);
    }, REFRESH_MS);
    ctx.keep({ destroy: () => clearInterval(timer) });
  }
}

function approvalPart(ctx, c) {
  const me = ctx.session.user;
  const cancelled = c.status === 'cancelled';
  const steps = h('ol', { class: 'steps' },
    h('li', { class: 'done' }, h('b', {}, 'Created'), ` by ${c.created_by}, ${when(c.created_at)} UTC`),
    h('li', { class: c.approved_by ? 'done' : cancelled ? 'stopped' : 'now' }, h('b', {}, c.approved_by ? 'Approved' : cancelled ? 'Cancelled' : 'Awaiting approval'),
      c.approved_by ? ` by ${c.approved_by}, ${when(c.approved_at)} UTC` : cancelled ? '' : ' by a supervisor other than ' + c.created_by),
    h('li', { class: c.status === 'complete' ? 'done' : c.status === 'sending' || c.status === 'approved' ? 'now' : cancelled ? 'stopped' : '' },
      h('b', {}, c.status === 'complete' ? 'Sent' : 'Sending'), c.status === 'complete' ? `, complete ${when(c.completed_at)} UTC` : ' from the operations host (command line)'));
  const msg = h('p', { class: 'message', id: 'approval-message', role: 'status' });
  const actions = h('div', { class: 'actions' });
  if (c.status === 'awaiting_approval') {
    if (!ctx.may('messages_approve')) {
      msg.className = 'message muted';
      msg.textContent = `Waiting for a supervisor: your role (${ctx.session.role}) cannot approve campaigns.`;
    } else if (c.created_by === me) {
      msg.className = 'message muted';
      msg.textContent = 'You created this campaign: another supervisor must approve it (two people for every campaign).';
    } else {
      actions.append(h('button', { type: 'button', id: 'approve', on: { click: async (ev) => {
        ev.target.disabled = true;
        const r = await api('POST', `/api/messages/campaigns/${c.id}/approve`);
        if (r.status === 200) { ctx.navigate('#messages/campaign/' + c.id); return; }
        ev.target.disabled = false;
        msg.className = 'message error';
        msg.textContent = errorOf(r);
      } } }, `Approve texting ${fmt(c.recipients)} numbers`));
    }
  }
  if ((c.status === 'awaiting_approval' || c.status === 'approved') && ctx.may('messages')) {
    let armed = false;
    const cancel = h('button', { type: 'button', id: 'cancel', class: 'danger', on: { click: async () => {
      if (!armed) { armed = true; cancel.textContent = 'Cancel for good: click again'; return; }
      cancel.disabled = true;
      const r = await api('POST', `/api/messages/campaigns/${c.id}/cancel`);
      if (r.status === 200) { ctx.navigate('#messages/campaign/' + c.id); return; }
      msg.className = 'message error';
      msg.textContent = errorOf(r);
    } } }, 'Cancel campaign');
    actions.append(cancel);
  }
  return h('div', {}, steps, actions.childNodes.length ? actions : null, msg);
}
