// SPDX-License-Identifier: GPL-3.0-or-later
// The map of a line with Leaflet: an offline vector basemap (coastlines
// from Natural Earth, shipped in the bundle: scripts/basemap.mjs), the
// cells the line's numbers used (origin area, destination areas, others),
// the moves between them, cuckooed addresses and the towns' names. No tile
// layer: nothing is fetched from another host.
import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import { h, ROLE_COLOURS } from '../dom.js';

export const MAP_COLOURS = { origin: '#1f6feb', destination: '#d1495b', other: '#6b7785', address: '#0f9d58' };

let basemapPromise = null;
function basemap() {
  // a separate chunk, loaded the first time a map is drawn
  if (!basemapPromise) basemapPromise = import('../generated/basemap.json').then((m) => m.default);
  return basemapPromise;
}

/**
 * Draws `map` ({cells:[{cell,lat,lon,name,area,events}], movements:[{number,
 * role,from,to,at}], addresses:[{address,score,lat,lon}]}) for `line`
 * ({origin, destinations}) into `container`. Returns the Leaflet map
 * (remove() it when the page goes).
 */
export async function drawMap(container, map, line) {
  const land = await basemap();
  const m = L.map(container, { preferCanvas: true, zoomSnap: 0.25, attributionControl: true, worldCopyJump: false });
  m.attributionControl.setPrefix(false);
  m.attributionControl.addAttribution('Coastlines: Natural Earth (public domain)');
  L.geoJSON(land, {
    interactive: false,
    style: (f) => ({ color: '#9aa7b8', weight: f.properties.uk ? 1 : 0.6, fillColor: f.properties.uk ? '#f4f1ea' : '#ebe8e1', fillOpacity: 1 }),
  }).addTo(m);

  const origin = (line.origin || '').toLowerCase();
  const dests = new Set((line.destinations || []).map((d) => d.toLowerCase()));
  const kindOf = (c) => ((c.area || '').toLowerCase() === origin ? 'origin' : dests.has((c.area || '').toLowerCase()) ? 'destination' : 'other');
  const byId = new Map(map.cells.map((c) => [c.cell, c]));
  const maxEv = Math.max(1, ...map.cells.map((c) => c.events || 0));

  // moves between cells, one line per pair of cells, wider the more often
  const pairs = new Map();
  for (const mv of map.movements) {
    const a = byId.get(mv.from), b = byId.get(mv.to);
    if (!a || !b || a === b) continue;
    const key = mv.from < mv.to ? mv.from + '|' + mv.to : mv.to + '|' + mv.from;
    const p = pairs.get(key) || { a, b, n: 0, role: mv.role };
    p.n++;
    pairs.set(key, p);
  }
  const moves = L.layerGroup();
  for (const p of pairs.values()) {
    L.polyline([[p.a.lat, p.a.lon], [p.b.lat, p.b.lon]], { color: ROLE_COLOURS[p.role] || '#888', weight: Math.min(6, 0.8 + Math.log2(1 + p.n)), opacity: 0.45 })
      .bindTooltip(`${p.n} move${p.n === 1 ? '' : 's'} ${p.a.name || p.a.cell} – ${p.b.name || p.b.cell}`, { sticky: true })
      .addTo(moves);
  }
  moves.addTo(m);

  const cells = L.layerGroup();
  for (const c of map.cells) {
    const kind = kindOf(c);
    L.circleMarker([c.lat, c.lon], { radius: 3 + 9 * Math.sqrt((c.events || 0) / maxEv), color: '#ffffff', weight: 1, fillColor: MAP_COLOURS[kind], fillOpacity: 0.85 })
      .bindTooltip(`${c.name || c.cell} (${c.area || '?'}): ${c.events} events`)
      .addTo(cells);
  }
  cells.addTo(m);

  const addresses = L.layerGroup();
  for (const a of map.addresses) {
    if (a.lat === null || a.lon === null) continue;
    L.circleMarker([a.lat, a.lon], { radius: 8, color: '#0b3d24', weight: 2, fillColor: MAP_COLOURS.address, fillOpacity: 0.9 })
      .bindTooltip(`Cuckooed address ${a.address}` + (a.score !== null && a.score !== undefined ? ` (score ${Number(a.score).toFixed(2)})` : ''))
      .addTo(addresses);
  }
  addresses.addTo(m);

  // town names at the middle of their cells: the data's own gazetteer
  const towns = new Map();
  for (const c of map.cells) {
    if (!c.area) continue;
    const t = towns.get(c.area) || { lat: 0, lon: 0, n: 0, kind: kindOf(c) };
    t.lat += c.lat; t.lon += c.lon; t.n++;
    towns.set(c.area, t);
  }
  const labels = L.layerGroup();
  for (const [name, t] of towns) {
    L.tooltip({ permanent: true, direction: 'center', className: 'town town-' + t.kind, interactive: false })
      .setLatLng([t.lat / t.n, t.lon / t.n]).setContent(h('span', {}, name)).addTo(labels);
  }
  labels.addTo(m);

  L.control.layers(null, { 'Moves': moves, 'Cells': cells, 'Cuckooed addresses': addresses, 'Towns': labels }, { collapsed: true }).addTo(m);
  L.control.scale({ imperial: true, metric: true }).addTo(m);

  const pts = map.cells.map((c) => [c.lat, c.lon]).concat(map.addresses.filter((a) => a.lat !== null).map((a) => [a.lat, a.lon]));
  if (pts.length) m.fitBounds(L.latLngBounds(pts), { padding: [24, 24], maxZoom: 12 });
  else m.setView([54.0, -2.5], 5.5);
  container.dataset.drawn = String(map.cells.length);
  return m;
}
