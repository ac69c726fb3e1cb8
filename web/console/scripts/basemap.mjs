// SPDX-License-Identifier: GPL-3.0-or-later
// Writes src/generated/basemap.json: the offline basemap of the console's
// map, a GeoJSON FeatureCollection of the coastlines and borders of Great
// Britain, Ireland and the nearby continental coast. Source: the npm package
// world-atlas (Natural Earth 1:10m admin-0 countries, public domain),
// converted from TopoJSON with topojson-client. Parts far from the British
// Isles (overseas territories) are dropped and coordinates rounded to 1e-3
// degrees (about 100 m, finer than the 1:10m source's own accuracy), which
// keeps the file small. No tile server: the map never asks another host.
import { readFileSync, writeFileSync, mkdirSync, renameSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { feature } from 'topojson-client';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const topo = JSON.parse(readFileSync(require.resolve('world-atlas/countries-10m.json'), 'utf8'));
const countries = feature(topo, topo.objects.countries);

// west, south, east, north: the British Isles with the Channel coast
const box = [-11.5, 49.0, 4.5, 61.5];
const round = (v) => Math.round(v * 1000) / 1000;

// a polygon is kept when one of its outer ring's points lies in the box (a
// bounding-box test would keep rings that wrap the antimeridian, Russia's)
const inBox = (ring) => ring.some(([x, y]) => x >= box[0] && x <= box[2] && y >= box[1] && y <= box[3]);

function simplifyRing(ring) {
  const out = [];
  for (const [x, y] of ring) {
    const p = [round(x), round(y)];
    const last = out[out.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) out.push(p);
  }
  if (out.length && (out[0][0] !== out[out.length - 1][0] || out[0][1] !== out[out.length - 1][1])) out.push(out[0]);
  return out;
}

const features = [];
for (const f of countries.features) {
  if (!f.geometry) continue;
  const polys = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
  const kept = polys.filter((p) => inBox(p[0]))
    .map((p) => p.map(simplifyRing).filter((r) => r.length >= 4));
  if (!kept.length) continue;
  features.push({
    type: 'Feature',
    properties: { name: f.properties.name, uk: f.id === '826' },
    geometry: { type: 'MultiPolygon', coordinates: kept },
  });
}
if (!features.some((f) => f.properties.uk)) throw new Error('basemap: the United Kingdom is missing from world-atlas');

const out = join(here, '..', 'src', 'generated', 'basemap.json');
mkdirSync(dirname(out), { recursive: true });
const text = JSON.stringify({
  type: 'FeatureCollection',
  source: 'Natural Earth 1:10m admin-0 countries (public domain) via world-atlas ' + require('world-atlas/package.json').version,
  features,
});
// rewritten only when it changed, so that an unchanged basemap does not
// make the console look out of date to scripts/build-web
if (existsSync(out) && readFileSync(out, 'utf8') === text) process.exit(0);
writeFileSync(out + '.tmp', text);
renameSync(out + '.tmp', out);
console.log(`basemap: ${features.length} countries, ${(text.length / 1024).toFixed(0)} KiB -> ${out}`);
