// SPDX-License-Identifier: GPL-3.0-or-later
// Browser test of the analyst console, run by tests/cli/serve_web.sh against
// a server it started on a loopback port (LS_URL). Debian's Chromium, headless;
// screenshots go to LS_ARTIFACTS. Prints "N passed, N failed" and exits
// non-zero on any failure.
import { chromium } from 'playwright-core';

const base = process.env.LS_URL;
const artifacts = process.env.LS_ARTIFACTS || '.';
const password = process.env.LS_PASSWORD;
const line = process.env.LS_LINE;
if (!base || !password || !line) {
  console.error('console.mjs: set LS_URL, LS_PASSWORD and LS_LINE');
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

// every page is watched: no request may leave the server, and the
// Content-Security-Policy must never have to block anything
const offHost = [], cspViolations = [], pageErrors = [];
async function newPage() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on('request', (r) => { if (!r.url().startsWith(base) && !r.url().startsWith('data:')) offHost.push(r.url()); });
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

// how many pixels of a canvas are drawn on (not transparent)
async function inkedPixels(page, selector) {
  return page.$eval(selector, (c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
    return n;
  });
}

try {
  const page = await newPage();

  await check('a wrong password is refused', async () => {
    await page.goto(base + '/');
    await page.waitForSelector('form.login');
    await page.fill('#user', 'nat');
    await page.fill('#password', 'not the password');
    await page.click('form.login button[type=submit]');
    await page.waitForFunction(() => document.querySelector('#login-error').textContent.length > 0);
  });

  await check('an analyst logs in and sees the ranked lines', async () => {
    await login(page, 'nat');
    await page.waitForSelector('#lines tbody tr');
    const rows = await page.$$eval('#lines tbody tr', (r) => r.map((x) => x.dataset.line));
    assert(rows.length > 0 && rows[0] === line, 'first row ' + rows[0] + ', want ' + line);
    await page.screenshot({ path: artifacts + '/lines.png', fullPage: true });
  });

  await check('the top line shows its network chart, map, timeline and evidence', async () => {
    await page.click('#lines tbody tr');
    await page.waitForSelector('#network');
    await page.waitForFunction(() => /numbers/.test(document.querySelector('#network-note').textContent));
    await page.waitForFunction(() => /cells/.test(document.querySelector('#map-note').textContent));
    assert(await inkedPixels(page, '#network') > 500, 'network chart is blank');
    assert(await inkedPixels(page, '#map') > 200, 'map is blank');
    assert((await page.$$('#timeline tr')).length > 0, 'no timeline rows');
    assert((await page.$$('#evidence li')).length > 0, 'no evidence');
    await page.screenshot({ path: artifacts + '/line.png', fullPage: true });
  });

  await check('the session cookie is out of reach of scripts', async () => {
    const cookie = await page.evaluate(() => document.cookie);
    assert(!/ls_session/.test(cookie), 'document.cookie shows the session');
  });

  await check('state changes without the CSRF token are refused', async () => {
    const codes = await page.evaluate(async () => {
      const a = await fetch('/api/analyse', { method: 'POST' });
      const b = await fetch('/api/analyse', { method: 'POST', headers: { 'X-CSRF-Token': 'f'.repeat(64) } });
      return [a.status, b.status];
    });
    assert(codes[0] === 403 && codes[1] === 403, 'got ' + codes.join(', '));
  });

  await check('signing out ends the session', async () => {
    await page.click('#logout');
    await page.waitForSelector('form.login');
    const status = await page.evaluate(async () => (await fetch('/api/lines')).status);
    assert(status === 401, 'lines after logout: ' + status);
  });

  const officer = await newPage();
  await check('an officer sees operations only', async () => {
    await login(officer, 'officer');
    const visible = await officer.$$eval('#nav a', (as) => as.filter((a) => !a.hidden).map((a) => a.dataset.perm));
    assert(visible.join() === 'operations_read', 'visible pages: ' + visible.join());
    await officer.goto(base + '/#lines');
    await officer.waitForSelector('#denied');
  });

  await check('an officer enters week-of-action results and the report changes', async () => {
    const op = 'browser test week';
    const enter = async (count) => {
      await officer.fill('#operation', op);
      await officer.fill('#f-date', '2024-10-08');
      await officer.selectOption('#f-kind', 'arrest');
      await officer.fill('#f-count', String(count));
      await officer.selectOption('#f-age_band', 'under_18');
      await officer.click('#result-submit');
    };
    await officer.goto(base + '/#operations');
    await officer.waitForSelector('#result-form');
    // the form checks its fields before sending
    await officer.fill('#operation', op);
    await officer.fill('#f-date', '');
    await officer.click('#result-submit');
    await officer.waitForFunction(() => /Date/.test(document.querySelector('#result-message').textContent));
    await enter(2);
    await officer.waitForFunction(() => /^2 /.test(document.querySelector('[data-total="Arrests"]')?.textContent || ''));
    await officer.screenshot({ path: artifacts + '/report-before.png', fullPage: true });
    await enter(3);
    await officer.waitForFunction(() => /^5 \(5 under 18\)/.test(document.querySelector('[data-total="Arrests"]')?.textContent || ''));
    await officer.screenshot({ path: artifacts + '/report-after.png', fullPage: true });
  });

  const press = await newPage();
  await check('the press role sees published totals but no entry form or lines', async () => {
    await login(press, 'press');
    await press.goto(base + '/#operations/' + encodeURIComponent('browser test week'));
    await press.waitForSelector('[data-total="Arrests"]');
    assert((await press.$$('#result-form')).length === 0, 'press sees the result form');
    const status = await press.evaluate(async () => (await fetch('/api/lines')).status);
    assert(status === 403, 'press reading lines: ' + status);
  });

  const carer = await newPage();
  await check('a safeguarding partner sees the safeguarding list only', async () => {
    await login(carer, 'carer');
    await carer.waitForSelector('#safeguarding');
    const visible = await carer.$$eval('#nav a', (as) => as.filter((a) => !a.hidden).map((a) => a.dataset.perm));
    assert(visible.join() === 'safeguarding', 'visible pages: ' + visible.join());
  });

  const pub = await newPage();
  await check('the public report page sends a report without signing in', async () => {
    await pub.goto(base + '/report');
    await pub.selectOption('#category', 'cuckooing');
    await pub.fill('#area', 'Southampton');
    await pub.fill('#description', 'Many visitors at odd hours; the neighbour has not been seen.');
    await pub.click('#report button[type=submit]');
    await pub.waitForFunction(() => /Thank you/.test(document.querySelector('#report-message').textContent));
    await pub.screenshot({ path: artifacts + '/public-report.png', fullPage: true });
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
