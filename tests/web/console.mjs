// SPDX-License-Identifier: GPL-3.0-or-later
// Browser test of the analyst console (web/console, built by Vite), run by
// tests/cli/serve_web.sh against a server it started on a loopback port
// (LS_URL). Debian's Chromium, headless; screenshots go to LS_ARTIFACTS.
// Prints "N passed, N failed" and exits non-zero on any failure.
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

// the most pixels drawn on (not transparent) in any canvas under `selector`
async function inkedPixels(page, selector) {
  return page.$$eval(selector, (cs) => Math.max(0, ...cs.map((c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
    return n;
  })));
}

// a synthetic network of `n` numbers around one deal number: a few holders,
// runners, the rest customers (as big as the server ever sends: it draws at
// most 2,000 customers)
function bigNetwork(n) {
  const id = (k) => '+4477009' + String(k).padStart(5, '0');
  const nodes = [{ id: id(0), role: 'deal', weight: 50000 }];
  const edges = [];
  for (let k = 1; k < n; k++) {
    const role = k <= 4 ? 'holder' : k <= 40 ? 'runner' : 'customer';
    nodes.push({ id: id(k), role, weight: 1 + ((k * 7919) % 400) });
    edges.push({ source: id(0), target: id(k), calls: k % 9, sms: k % 13, weight: 1 + (k % 30) });
    if (role === 'customer' && k % 3 === 0) {
      const runner = id(5 + (k % 36));
      edges.push({ source: runner, target: id(k), calls: 1, sms: 0, weight: 1 });
    }
  }
  return { line: 'synthetic', nodes, edges, customers: n - 41, customers_drawn: n - 41 };
}

try {
  const page = await newPage();

  await check('the console is the Vite build (hashed assets, no inline script)', async () => {
    const r = await page.goto(base + '/');
    const html = await r.text();
    assert(/src="\/assets\/index-[\w-]+\.js"/.test(html), 'no built entry script');
    assert(!/<script>(?!<\/script>)/.test(html) && !/<script(?![^>]*\bsrc=)[^>]*>/.test(html), 'inline script in index.html');
    const csp = r.headers()['content-security-policy'] || '';
    assert(/script-src 'self'/.test(csp) && !/unsafe/.test(csp), 'CSP: ' + csp);
  });

  await check('a wrong password is refused', async () => {
    await page.goto(base + '/');
    await page.waitForSelector('form.login');
    await page.fill('#user', 'nat');
    await page.fill('#password', 'not the password');
    await page.click('form.login button[type=submit]');
    await page.waitForFunction(() => document.querySelector('#login-error').textContent.length > 0);
    await page.screenshot({ path: artifacts + '/login.png' });
  });

  await check('an analyst logs in and sees the ranked lines', async () => {
    await login(page, 'nat');
    await page.waitForSelector('#lines tbody tr');
    const rows = await page.$$eval('#lines tbody tr', (r) => r.map((x) => x.dataset.line));
    assert(rows.length > 0 && rows[0] === line, 'first row ' + rows[0] + ', want ' + line);
    await page.screenshot({ path: artifacts + '/lines.png', fullPage: true });
  });

  await check('the top line shows its network, map, timeline and evidence', async () => {
    await page.click('#lines tbody tr');
    await page.waitForSelector('#network[data-drawn]');
    await page.waitForSelector('#map[data-drawn]');
    assert(Number(await page.getAttribute('#network', 'data-drawn')) > 3, 'network has too few numbers');
    assert(await inkedPixels(page, '#network canvas') > 500, 'network chart is blank');
    assert(await inkedPixels(page, '#map canvas') > 2000, 'map is blank');
    assert((await page.$$('#map .leaflet-tooltip.town')).length > 0, 'no town names on the map');
    assert((await page.$$('#map img')).length === 0, 'the map loads images (tiles?)');
    assert(await inkedPixels(page, '#timeline-chart') > 500, 'timeline chart is blank');
    assert((await page.$$('#evidence li')).length > 0, 'no evidence');
    await page.waitForTimeout(300); // let the map's labels settle for the picture
    await page.screenshot({ path: artifacts + '/line.png', fullPage: true });
  });

  await check('clicking a number in the network selects it', async () => {
    const box = await page.$('#network');
    const b = await box.boundingBox();
    // the layout is fitted; try a grid of points until one hits a node
    let hit = false;
    for (let y = 0.2; y <= 0.8 && !hit; y += 0.05) {
      for (let x = 0.2; x <= 0.8 && !hit; x += 0.05) {
        await page.mouse.click(b.x + b.width * x, b.y + b.height * y);
        hit = /events/.test(await page.textContent('#network-selection'));
      }
    }
    assert(hit, 'no node could be selected');
  });

  await check('a 2,000-number network draws and stays interactive', async () => {
    const net = bigNetwork(2000);
    await page.route('**/api/lines/*/network', (r) => r.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(net) }));
    await page.evaluate(() => performance.clearMeasures());
    await page.goto(base + '/#lines');
    await page.waitForSelector('#lines tbody tr');
    await page.click('#lines tbody tr');
    await page.waitForSelector('#network[data-drawn="2000"]', { timeout: 60000 });
    const ms = await page.evaluate(() => performance.getEntriesByName('linesight:network').pop()?.duration);
    assert(ms !== undefined, 'no draw time measured');
    console.log(`     (2,000 numbers, ${net.edges.length} links drawn in ${Math.round(ms)} ms)`);
    // the deal number sits in the middle of the rings: a click there selects it
    const b = await (await page.$('#network')).boundingBox();
    await page.mouse.click(b.x + b.width / 2, b.y + b.height / 2);
    await page.waitForFunction(() => /deal/.test(document.querySelector('#network-selection').textContent), null, { timeout: 10000 });
    await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2);
    await page.mouse.wheel(0, -400); // zoom in: still answering
    await page.screenshot({ path: artifacts + '/network-2000.png' });
    await page.unroute('**/api/lines/*/network');
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

  await check('the safeguarding queue opens', async () => {
    await page.goto(base + '/#safeguarding');
    await page.waitForSelector('#safeguarding');
    await page.screenshot({ path: artifacts + '/safeguarding.png', fullPage: true });
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

  const op = 'browser test week';
  await check('an officer enters week-of-action results and the report and its charts change', async () => {
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
    await officer.fill('#f-date', '2024-10-08');
    await officer.fill('#f-count', 'three');
    await officer.click('#result-submit');
    await officer.waitForFunction(() => /Count/.test(document.querySelector('#result-message').textContent));
    await officer.fill('#f-count', '');
    assert(await officer.$eval('#f-count', (e) => e.classList.contains('invalid')), 'the bad field is not marked');
    await enter(2);
    await officer.waitForFunction(() => /^2 /.test(document.querySelector('[data-total="Arrests"]')?.textContent || ''));
    assert(await inkedPixels(officer, '#chart-results') > 300, 'results chart is blank');
    const before = await officer.$eval('#chart-results', (c) => c.toDataURL());
    await officer.screenshot({ path: artifacts + '/report-before.png', fullPage: true });
    await enter(3);
    await officer.waitForFunction(() => /^5 \(5 under 18\)/.test(document.querySelector('[data-total="Arrests"]')?.textContent || ''));
    const after = await officer.$eval('#chart-results', (c) => c.toDataURL());
    assert(before !== after, 'the results chart did not change');
    await officer.screenshot({ path: artifacts + '/report-after.png', fullPage: true });
  });

  await check('a seizure needs its category', async () => {
    await officer.fill('#operation', op);
    await officer.fill('#f-date', '2024-10-09');
    await officer.selectOption('#f-kind', 'seizure');
    await officer.fill('#f-count', '1');
    await officer.click('#result-submit');
    await officer.waitForFunction(() => /Category/.test(document.querySelector('#result-message').textContent));
  });

  const press = await newPage();
  await check('the press role sees published totals but no entry form or lines', async () => {
    await login(press, 'press');
    await press.goto(base + '/#operations/' + encodeURIComponent(op));
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

  const admin = await newPage();
  await check('an administrator sees users and an intact audit chain, and adds a user', async () => {
    await login(admin, 'boss');
    await admin.goto(base + '/#admin');
    await admin.waitForSelector('#audit-status');
    assert(/intact/.test(await admin.textContent('#audit-status')), 'audit: ' + await admin.textContent('#audit-status'));
    await admin.fill('#u-name', 'new.analyst');
    await admin.selectOption('#u-role', 'analyst');
    await admin.fill('#u-password', 'short');
    await admin.click('#user-form button[type=submit]');
    await admin.waitForFunction(() => /Password/.test(document.querySelector('#u-message').textContent));
    await admin.fill('#u-password', 'a long enough pass phrase');
    await admin.click('#user-form button[type=submit]');
    await admin.waitForFunction(() => [...document.querySelectorAll('#users td')].some((td) => td.textContent === 'new.analyst'));
    await admin.screenshot({ path: artifacts + '/admin.png', fullPage: true });
  });

  const pub = await newPage();
  await check('the public report page answers without signing in', async () => {
    const r = await pub.goto(base + '/report');
    assert(r.status() === 200, 'status ' + r.status());
    await pub.screenshot({ path: artifacts + '/public-report.png', fullPage: true });
  });

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
