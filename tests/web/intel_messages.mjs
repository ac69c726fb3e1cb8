// SPDX-License-Identifier: GPL-3.0-or-later
// Browser test of the console's intelligence items and diversion texts
// (web/console/src/pages/intel.js, messages.js), run by
// tests/cli/serve_intel_web.sh against a server on a loopback port (LS_URL)
// in two phases:
//   LS_PHASE=review  a public report sent on /report reaches the queue, is
//                    graded (3x5x2) and linked to the top line and one of its
//                    cuckooed addresses, and shows on the line page; an
//                    analyst adds a do-not-contact number, plans and creates a
//                    campaign; a supervisor approves it; the two-person rule
//                    and role hiding. Writes the campaign id to LS_STATE.
//   LS_PHASE=sent    after the script sent the campaign through Kannel with
//                    `linesight message send`: its figures in the console.
// Each phase also asserts that no request left the server and that the CSP
// blocked nothing. Screenshots go to LS_ARTIFACTS. Prints "N passed, N
// failed" and exits non-zero on any failure.
import { readFileSync, writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const env = process.env;
const base = env.LS_URL, artifacts = env.LS_ARTIFACTS || '.', password = env.LS_PASSWORD;
const line = env.LS_LINE, phase = env.LS_PHASE, state = env.LS_STATE;
if (!base || !password || !line || !state || !['review', 'sent'].includes(phase)) {
  console.error('intel_messages.mjs: set LS_URL, LS_PASSWORD, LS_LINE, LS_STATE and LS_PHASE=review|sent');
  process.exit(2);
}
const recipients = Number(env.LS_RECIPIENTS); // after the child and the do-not-contact number leave
const dncNumber = env.LS_DNC; // a recipient of the plan, in national form

let passed = 0, failed = 0;
async function check(name, fn) {
  try {
    await fn();
    passed++;
    console.log('ok   ' + name);
  } catch (e) {
    failed++;
    console.log('FAIL ' + name + ': ' + (e && e.message ? e.message.split('\n')[0] : e));
  }
}
function assert(cond, what) { if (!cond) throw new Error(what); }

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--no-first-run'],
});
const offHost = [], cspViolations = [], pageErrors = [], failedAssets = [];
async function newPage() {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  page.on('request', (r) => { if (!r.url().startsWith(base) && !r.url().startsWith('data:')) offHost.push(r.url()); });
  page.on('response', (r) => { if (!r.url().includes('/api/') && r.status() >= 400) failedAssets.push(r.status() + ' ' + r.url()); });
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text()); });
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  return page;
}
async function login(page, user) {
  await page.goto(base + '/');
  await page.waitForSelector('form.login');
  await page.fill('#user', user);
  await page.fill('#password', password);
  await page.click('form.login button[type=submit]');
  await page.waitForSelector('#who:not(:empty)');
}
const visibleNav = (page) => page.$$eval('#nav a', (as) => as.filter((a) => !a.hidden).map((a) => a.getAttribute('href')));
const text = (page, sel) => page.$eval(sel, (e) => e.textContent);
// a figure of the campaign or plan page, as a number
const figure = async (page, sel) => Number((await text(page, sel + ' .kpi-value')).replace(/,/g, ''));
// a state-changing call with the page's own session and CSRF token
const post = (page, path) => page.evaluate(async (p) => {
  const s = await (await fetch('/api/session')).json();
  return (await fetch(p, { method: 'POST', headers: { 'X-CSRF-Token': s.csrf } })).status;
}, path);

// markup in a report must stay text in the console
const description = 'Boys of about 14 come and go all night <img src=x id=injected> and the tenant has not been seen.';
const tag = 'Police message (console test): free help with drugs, FRANK 0300 123 6600. In an emergency call 999.';

try {
  if (phase === 'review') {
    let itemId = null, address = null, campaign = null;
    const pub = await newPage();
    await check('a report sent on the public page arrives', async () => {
      await pub.goto(base + '/report');
      await pub.selectOption('#category', 'cuckooing');
      await pub.check('#s-visitors');
      await pub.check('#s-neighbour');
      await pub.fill('#description', description);
      await pub.fill('#area', 'Portsmouth');
      await pub.fill('#when', 'every night this week');
      await pub.click('#report button[type=submit]');
      await pub.waitForFunction(() => /Thank you/.test(document.querySelector('#report-message').textContent));
    });

    const ana = await newPage();
    await check('an analyst sees the new report in the queue and opens it', async () => {
      await login(ana, 'nat');
      const nav = await visibleNav(ana);
      assert(nav.includes('#intel') && nav.includes('#messages'), 'nav: ' + nav.join());
      await ana.goto(base + '/#intel');
      await ana.waitForSelector('#intel-queue');
      const rows = await ana.$$eval('#intel-queue tbody tr', (rs) => rs.map((r) => [r.dataset.id, r.textContent]));
      const row = rows.find((r) => r[1].includes('Boys of about 14'));
      assert(row, 'the report is not in the queue of ' + rows.length);
      itemId = row[0];
      await ana.screenshot({ path: artifacts + '/intel-queue.png', fullPage: true });
      await ana.click(`#intel-queue tr[data-id="${itemId}"]`);
      await ana.waitForSelector(`#intel-item[data-id="${itemId}"]`);
      assert(await text(ana, '#item-description') === description, 'the description differs');
      assert(await ana.$('#injected') === null, 'markup in the report became an element');
      const signs = await ana.$$eval('#item-signs li', (ls) => ls.map((l) => l.textContent));
      assert(signs.length === 2 && /visitors/.test(signs[0]), 'signs: ' + signs.join(' | '));
    });

    await check('the grading form checks its fields, then grades the item 2CC', async () => {
      await ana.click('#grade-submit');
      await ana.waitForFunction(() => /Source evaluation/.test(document.querySelector('#grade-message').textContent));
      await ana.selectOption('#g-source', '2');
      await ana.selectOption('#g-assessment', 'C');
      assert(await ana.isHidden('#g-conditions'), 'conditions shown before code C');
      await ana.selectOption('#g-handling', 'C');
      assert(await ana.isVisible('#g-conditions'), 'conditions hidden with code C');
      await ana.click('#grade-submit');
      await ana.waitForFunction(() => /Conditions/.test(document.querySelector('#grade-message').textContent));
      assert(await ana.$eval('#g-conditions', (e) => e.classList.contains('invalid')), 'the missing conditions are not marked');
      await ana.fill('#g-conditions', 'Share with the Portsmouth safeguarding hub only.');
      await ana.click('#grade-submit');
      await ana.waitForSelector('#intel-item[data-status="graded"]');
      assert(/2CC/.test(await text(ana, '#grading')), 'grading: ' + await text(ana, '#grading'));
      assert(/Portsmouth safeguarding hub/.test(await text(ana, '#grading')), 'conditions not shown');
      // graded: out of the "new" queue, in the graded one
      assert(await ana.$(`#intel-queue tr[data-id="${itemId}"]`) === null, 'still in the queue of new items');
      await ana.selectOption('#intel-status', 'graded');
      await ana.waitForSelector(`#intel-queue tr[data-id="${itemId}"]`);
    });

    await check('the item is linked to the top line and one of its cuckooed addresses', async () => {
      await ana.selectOption('#l-kind', 'number');
      await ana.fill('#l-ref', 'not a number');
      await ana.click('#link-submit');
      await ana.waitForFunction(() => /Number/.test(document.querySelector('#link-message').textContent));
      await ana.selectOption('#l-kind', 'line');
      await ana.fill('#l-ref', line);
      await ana.click('#link-submit');
      await ana.waitForSelector(`#item-links li[data-kind="line"][data-ref="${line}"]`);
      const l = await ana.evaluate(async (id) => (await fetch('/api/lines/' + encodeURIComponent(id))).json(), line);
      address = (l.cuckoo_addresses || []).length ? l.cuckoo_addresses[0].address : null;
      if (address) {
        await ana.selectOption('#l-kind', 'address');
        await ana.fill('#l-ref', address);
        await ana.click('#link-submit');
        await ana.waitForSelector(`#item-links li[data-kind="address"][data-ref="${address}"]`);
      }
      await ana.screenshot({ path: artifacts + '/intel-item.png', fullPage: true });
    });

    await check('the line page lists the item, for the line and its cuckooed address', async () => {
      await ana.goto(base + '/#line/' + encodeURIComponent(line));
      await ana.waitForSelector('#line-intel[data-items]');
      assert(await ana.$(`#line-intel .intel-group[data-kind="line"] li[data-id="${itemId}"]`), 'not under the line');
      if (address) assert(await ana.$(`#line-intel .intel-group[data-kind="address"][data-ref="${address}"] li[data-id="${itemId}"]`), 'not under the address');
      assert(/2CC/.test(await text(ana, `#line-intel li[data-id="${itemId}"]`)), 'the grade is not shown');
      await ana.$eval('#line-intel', (e) => e.scrollIntoView());
      await ana.screenshot({ path: artifacts + '/line-intel.png' });
      await ana.click(`#line-intel li[data-id="${itemId}"] a`);
      await ana.waitForSelector(`#intel-item[data-id="${itemId}"]`);
    });

    await check('an analyst adds a do-not-contact number and plans texts for the line', async () => {
      await ana.goto(base + '/#line/' + encodeURIComponent(line));
      await ana.click('#plan-texts');
      await ana.waitForSelector('#plan-figures');
      assert(await ana.inputValue('#m-line') === line, 'the line is not chosen');
      const before = await figure(ana, '[data-figure="recipients"]');
      await ana.fill('#dnc-number', 'call me maybe');
      await ana.click('#dnc-submit');
      await ana.waitForFunction(() => /Number/.test(document.querySelector('#dnc-message').textContent));
      await ana.fill('#dnc-number', dncNumber);
      await ana.fill('#dnc-reason', 'asked not to be texted');
      await ana.click('#dnc-submit');
      // the page comes back with the list and plans the line again
      await ana.waitForFunction(() => /1 number on the list/.test(document.querySelector('#dnc-form')?.parentElement.textContent));
      await ana.waitForFunction(() => document.querySelector('[data-figure="do_not_contact"] .kpi-value')?.textContent === '1');
      assert(await figure(ana, '[data-figure="do_not_contact"]') === 1, 'do-not-contact not counted');
      assert(await figure(ana, '[data-figure="children"]') === 1, 'the child is not counted');
      const n = await figure(ana, '[data-figure="recipients"]');
      assert(n === before - 1 && n === recipients, `recipients ${n}, before ${before}, want ${recipients}`);
      await ana.fill('#m-days', '0');
      await ana.click('#plan-submit');
      await ana.waitForFunction(() => /Days/.test(document.querySelector('#plan-message').textContent));
      await ana.fill('#m-days', '28');
      await ana.click('#plan-submit');
      await ana.waitForSelector('#create-form');
    });

    await check('the analyst creates the campaign; it waits for a supervisor, sending is from the command line', async () => {
      await ana.fill('#m-text', tag);
      await ana.fill('#m-operation', 'console test week');
      await ana.click('#create-submit');
      await ana.waitForFunction(() => /go together/.test(document.querySelector('#create-message').textContent));
      await ana.fill('#m-force', 'Hampshire');
      await ana.screenshot({ path: artifacts + '/messages-plan.png', fullPage: true });
      await ana.click('#create-submit');
      await ana.waitForSelector('#campaign-status');
      campaign = new URL(ana.url()).hash.split('/').pop();
      assert(/^\d+$/.test(campaign), 'campaign id: ' + campaign);
      assert(await ana.$('[data-status="awaiting_approval"]'), 'not awaiting approval');
      assert(await text(ana, '#campaign-text') === tag, 'the text differs');
      assert(await figure(ana, '[data-state="planned"]') === recipients, 'planned');
      assert(await ana.$('#approve') === null, 'an analyst may approve');
      assert(/cannot approve/.test(await text(ana, '#approval-message')), 'no word on who approves');
      const notice = await text(ana, '#send-notice');
      assert(/not from this console/.test(notice) && notice.includes(`linesight message send --campaign ${campaign}`), 'notice: ' + notice);
      assert(await post(ana, `/api/messages/campaigns/${campaign}/approve`) === 403, 'the API let an analyst approve');
      await ana.screenshot({ path: artifacts + '/campaign-created.png', fullPage: true });
    });

    const sup = await newPage();
    await check('a supervisor approves the analyst\'s campaign', async () => {
      await login(sup, 'sue');
      await sup.goto(base + '/#messages');
      await sup.waitForSelector(`#campaigns tr[data-id="${campaign}"]`);
      assert(/awaiting approval/.test(await text(sup, `#campaigns tr[data-id="${campaign}"]`)), 'list status');
      await sup.click(`#campaigns tr[data-id="${campaign}"]`);
      await sup.waitForSelector('#approve');
      await sup.click('#approve');
      await sup.waitForSelector('[data-status="approved"]');
      assert(/Approved by sue/.test(await text(sup, '#campaign-approval')), 'approval: ' + await text(sup, '#campaign-approval'));
      assert(await sup.$('#approve') === null, 'still offered for approval');
      assert(/ready to be sent/.test(await text(sup, '#send-notice')), 'no word that the operator may send now');
      await sup.screenshot({ path: artifacts + '/campaign-approved.png', fullPage: true });
    });

    await check('a supervisor cannot approve their own campaign, and may cancel it', async () => {
      await sup.goto(base + '/#messages/line/' + encodeURIComponent(line));
      await sup.waitForSelector('#create-form');
      await sup.click('#create-submit');
      await sup.waitForSelector('#campaign-status');
      const own = new URL(sup.url()).hash.split('/').pop();
      assert(own !== campaign, 'the same campaign');
      assert(/standard|FRANK/.test(await text(sup, '#campaign-text')), 'the standard text is missing');
      assert(await sup.$('#approve') === null, 'own campaign offered for approval');
      assert(/another supervisor/.test(await text(sup, '#approval-message')), 'no word on the two-person rule');
      assert(await post(sup, `/api/messages/campaigns/${own}/approve`) === 403, 'the API let the creator approve');
      await sup.click('#cancel');
      await sup.click('#cancel');
      await sup.waitForSelector('[data-status="cancelled"]');
    });

    const officer = await newPage();
    await check('an officer sees neither intelligence items nor diversion texts', async () => {
      await login(officer, 'officer');
      const nav = await visibleNav(officer);
      assert(!nav.includes('#intel') && !nav.includes('#messages'), 'nav: ' + nav.join());
      await officer.goto(base + '/#intel');
      await officer.waitForSelector('#denied');
      await officer.goto(base + '/#messages/campaign/' + campaign);
      await officer.waitForSelector('#denied');
    });

    writeFileSync(state, JSON.stringify({ campaign, item: itemId }));
  } else {
    const { campaign } = JSON.parse(readFileSync(state, 'utf8'));
    const sup = await newPage();
    await check('after `message send`, the campaign shows every text delivered and counted', async () => {
      await login(sup, 'sue');
      await sup.goto(base + '/#messages/campaign/' + campaign);
      await sup.waitForSelector('[data-status="complete"]');
      assert(await figure(sup, '[data-state="delivered"]') === recipients, 'delivered ' + await figure(sup, '[data-state="delivered"]'));
      for (const s of ['planned', 'sending', 'failed']) assert(await figure(sup, `[data-state="${s}"]`) === 0, s + ' not 0');
      assert(/Counted in console test week \(Hampshire\)/.test(await text(sup, '#campaign-status')), 'not counted in the operation');
      assert(/Sent/.test(await text(sup, '#campaign-approval')), 'no sent step');
      await sup.screenshot({ path: artifacts + '/campaign-sent.png', fullPage: true });
      await sup.goto(base + '/#messages');
      await sup.waitForSelector(`#campaigns tr[data-id="${campaign}"]`);
      assert(/complete/.test(await text(sup, `#campaigns tr[data-id="${campaign}"]`)), 'list status');
      await sup.screenshot({ path: artifacts + '/messages.png', fullPage: true });
    });
  }

  await check('nothing was fetched from another host and the CSP blocked nothing', async () => {
    assert(offHost.length === 0, 'requests off the server: ' + offHost.slice(0, 3).join(' '));
    assert(cspViolations.length === 0, 'CSP: ' + cspViolations[0]);
    assert(pageErrors.length === 0, 'page error: ' + pageErrors[0]);
    assert(failedAssets.length === 0, 'failed files: ' + failedAssets.slice(0, 3).join(' '));
  });
} finally {
  await browser.close();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
