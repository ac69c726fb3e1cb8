// SPDX-License-Identifier: GPL-3.0-or-later
// How long the console takes to draw a line's network of N numbers, and to
// answer a zoom afterwards, in Debian's Chromium (headless, software
// rendering). Run by bench/serve_load.sh against its server; the network
// answer is replaced by a generated one of each size.
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const { chromium } = require(require.resolve('playwright-core', { paths: [process.cwd() + '/tests/web'] }));

const base = process.env.LS_URL, user = process.env.LS_USER, password = process.env.LS_PASSWORD, line = process.env.LS_LINE;
const sizes = (process.env.BENCH_NODES || '200,500,1000,2000').split(',').map(Number);

function network(n) {
  const id = (k) => '+4477009' + String(k).padStart(5, '0');
  const nodes = [{ id: id(0), role: 'deal', weight: 50000 }];
  const edges = [];
  const runners = Math.min(36, Math.floor(n / 20));
  for (let k = 1; k < n; k++) {
    const role = k <= 4 ? 'holder' : k <= 4 + runners ? 'runner' : 'customer';
    nodes.push({ id: id(k), role, weight: 1 + ((k * 7919) % 400) });
    edges.push({ source: id(0), target: id(k), calls: k % 9, sms: k % 13, weight: 1 + (k % 30) });
    if (role === 'customer' && runners && k % 3 === 0) edges.push({ source: id(5 + (k % runners)), target: id(k), calls: 1, sms: 0, weight: 1 });
  }
  return { line, nodes, edges, customers: n, customers_drawn: n };
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
try {
  const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
  await page.goto(base + '/');
  await page.fill('#user', user);
  await page.fill('#password', password);
  await page.click('form.login button[type=submit]');
  await page.waitForSelector('#who:not(:empty)');
  console.log('console: numbers  links  draw ms  zoom ms (Chromium, software rendering)');
  for (const n of sizes) {
    const net = network(n);
    await page.unroute('**/api/lines/*/network');
    await page.route('**/api/lines/*/network', (r) => r.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(net) }));
    await page.goto(base + '/#lines');
    await page.waitForSelector('#lines tbody tr');
    await page.evaluate(() => performance.clearMeasures());
    await page.goto(base + '/#line/' + encodeURIComponent(line));
    await page.waitForSelector(`#network[data-drawn="${n}"]`, { timeout: 120000 });
    const draw = await page.evaluate(() => performance.getEntriesByName('linesight:network').pop().duration);
    const b = await (await page.$('#network')).boundingBox();
    await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2);
    // a zoom, then two animation frames: the time until the chart answers
    const t0 = Date.now();
    await page.mouse.wheel(0, -300);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const zoom = Date.now() - t0;
    console.log(`console: ${String(n).padStart(7)} ${String(net.edges.length).padStart(6)} ${String(Math.round(draw)).padStart(8)} ${String(zoom).padStart(8)}`);
  }
} finally {
  await browser.close();
}
