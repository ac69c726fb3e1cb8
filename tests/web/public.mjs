// SPDX-License-Identifier: GPL-3.0-or-later
// Browser test of the public report page (web/public), run by
// tests/cli/public_web.sh against a server on a loopback port (LS_URL):
// a report sent with JavaScript (JSON, no page change) and one without
// JavaScript (the plain form POST and the server's answer page), no cookie
// set, nothing fetched from another host, no CSP violation, every control
// labelled, and keyboard-only use. Screenshots go to LS_ARTIFACTS.
import { chromium } from 'playwright-core';

const base = process.env.LS_URL;
const artifacts = process.env.LS_ARTIFACTS || '.';
if (!base) {
  console.error('public.mjs: set LS_URL');
  process.exit(2);
}
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
const offHost = [], cspViolations = [], pageErrors = [], posts = [];
async function newPage(javaScriptEnabled) {
  const context = await browser.newContext({ javaScriptEnabled, viewport: { width: 1000, height: 900 } });
  const page = await context.newPage();
  page.on('request', (r) => {
    if (!r.url().startsWith(base) && !r.url().startsWith('data:')) offHost.push(r.url());
    if (r.method() === 'POST') posts.push(new URL(r.url()).pathname + ' ' + (r.headers()['content-type'] || ''));
  });
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text()); });
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  return { context, page };
}

try {
  const js = await newPage(true);
  await check('with JavaScript: the report is sent as JSON and thanked on the same page', async () => {
    const p = js.page;
    await p.goto(base + '/report');
    await p.selectOption('#category', 'child_travelling_alone');
    await p.check('#s-travel');
    await p.check('#s-cash');
    await p.fill('#description', 'A girl of about 13 on the last train with a lot of cash.');
    await p.fill('#area', 'Southampton');
    await p.fill('#when', 'Friday, about 11pm');
    await p.click('#report button[type=submit]');
    await p.waitForFunction(() => /Thank you/.test(document.querySelector('#report-message').textContent));
    assert(new URL(p.url()).pathname === '/report', 'the page changed: ' + p.url());
    assert(posts.some((x) => x.startsWith('/api/public/reports application/json')), 'no JSON POST: ' + posts.join());
    assert(await p.inputValue('#description') === '', 'the form was not cleared');
    await p.screenshot({ path: artifacts + '/public-js.png', fullPage: true });
  });
  await check('with JavaScript: a missing field is explained, nothing is sent', async () => {
    const p = js.page, before = posts.length;
    await p.fill('#area', 'Southampton');
    await p.click('#report button[type=submit]');
    await p.waitForFunction(() => /what you saw/.test(document.querySelector('#report-message').textContent));
    assert(posts.length === before, 'a request was sent');
    assert(await p.getAttribute('#report-message', 'role') === 'alert', 'the error is not announced');
  });
  await check('the page sets no cookie', async () => {
    const cookies = await js.context.cookies();
    assert(cookies.length === 0, 'cookies: ' + cookies.map((c) => c.name).join());
  });
  await check('every form control has a label; the page can be used with the keyboard only', async () => {
    const p = js.page;
    await p.goto(base + '/report');
    const unlabelled = await p.$$eval('input, select, textarea', (els) =>
      els.filter((e) => !(e.id && document.querySelector('label[for="' + e.id + '"]'))).map((e) => e.name));
    assert(unlabelled.length === 0, 'unlabelled: ' + unlabelled.join());
    await p.focus('#category');
    await p.keyboard.press('Tab');
    const first = await p.evaluate(() => document.activeElement.id);
    assert(first === 's-travel', 'tab after the category went to ' + first);
    await p.focus('#description');
    await p.keyboard.type('Typed from the keyboard only.');
    await p.keyboard.press('Tab');
    await p.keyboard.type('Portsmouth');
    await p.focus('#report button[type=submit]');
    await p.keyboard.press('Enter');
    await p.waitForFunction(() => /Thank you/.test(document.querySelector('#report-message').textContent));
  });

  const nojs = await newPage(false);
  await check('without JavaScript: the plain form posts and the server answers with a page', async () => {
    const p = nojs.page;
    await p.goto(base + '/report');
    await p.selectOption('#category', 'cuckooing');
    await p.check('#s-visitors');
    await p.check('#s-neighbour');
    await p.fill('#description', 'Visitors all night <script>alert(1)</script> at number 4.');
    await p.fill('#area', 'Southampton');
    await p.fill('#postcode', 'SO14 7DU');
    await Promise.all([p.waitForNavigation(), p.click('#report button[type=submit]')]);
    assert(new URL(p.url()).pathname === '/report', 'posted to ' + p.url());
    assert(/Thank you/.test(await p.textContent('#result')), 'no thank-you page');
    assert(posts.some((x) => x.startsWith('/report application/x-www-form-urlencoded')), 'no form POST: ' + posts.join());
    await p.screenshot({ path: artifacts + '/public-nojs.png', fullPage: true });
  });
  await check('without JavaScript: a refused report says why, with the input escaped', async () => {
    const p = nojs.page;
    await p.goto(base + '/report');
    await p.fill('#description', 'x');
    await p.fill('#area', 'Southampton');
    await p.fill('#postcode', '<b>bad</b>');
    await Promise.all([p.waitForNavigation(), p.click('#report button[type=submit]')]);
    const text = await p.textContent('#result');
    assert(/not sent/.test(text) && /postcode/.test(text), 'answer: ' + text);
    assert(await p.$('b') === null || !(await p.$$eval('b', (bs) => bs.some((b) => b.textContent === 'bad'))), 'markup rendered');
    assert((await nojs.context.cookies()).length === 0, 'a cookie was set');
  });

  await check('nothing was fetched from another host and the CSP blocked nothing', async () => {
    assert(offHost.length === 0, 'requests off the server: ' + offHost.slice(0, 3).join(' '));
    assert(cspViolations.length === 0, 'CSP: ' + cspViolations[0]);
    assert(pageErrors.length === 0, 'page error: ' + pageErrors[0]);
  });
} finally {
  await browser.close();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
