// SPDX-License-Identifier: GPL-3.0-or-later
// Network chart and map on <canvas>, no library and no other host: the
// console must work offline and under a strict Content-Security-Policy.
// Both charts pan (drag) and zoom (wheel) and show a tip on hover. A
// concentric layout by role (deal numbers inside, then holders, runners,
// customers) is computed in O(n), so a 2,000-node network draws at once
// and stays interactive; a force layout would cost O(n^2) per step.
'use strict';
(function () {
  const COLOURS = { deal: '#c0392b', holder: '#8e44ad', runner: '#e67e22', customer: '#7f8c8d',
    cell: '#2e86de', address: '#10ac84' };

  function setup(canvas, draw, hit) {
    const ctx = canvas.getContext('2d');
    const view = { x: 0, y: 0, k: 1 };
    let drag = null;
    const tip = document.createElement('div');
    tip.className = 'tip';
    tip.hidden = true;
    document.body.appendChild(tip);
    function size() {
      const r = canvas.getBoundingClientRect();
      const dpr = window.devicePixelRatio || 1;
      canvas.width = Math.max(1, Math.round(r.width * dpr));
      canvas.height = Math.max(1, Math.round(r.height * dpr));
      return { w: r.width, h: r.height, dpr };
    }
    let dims = size();
    let pending = false;
    function render() {
      pending = false;
      ctx.setTransform(dims.dpr, 0, 0, dims.dpr, 0, 0);
      ctx.clearRect(0, 0, dims.w, dims.h);
      ctx.translate(dims.w / 2 + view.x, dims.h / 2 + view.y);
      ctx.scale(view.k, view.k);
      draw(ctx, Math.min(dims.w, dims.h) / 2, view.k);
    }
    function schedule() { if (!pending) { pending = true; requestAnimationFrame(render); } }
    function toWorld(ev) {
      const r = canvas.getBoundingClientRect();
      return { x: (ev.clientX - r.left - dims.w / 2 - view.x) / view.k,
               y: (ev.clientY - r.top - dims.h / 2 - view.y) / view.k };
    }
    canvas.addEventListener('wheel', (ev) => {
      ev.preventDefault();
      const f = ev.deltaY < 0 ? 1.15 : 1 / 1.15;
      const r = canvas.getBoundingClientRect();
      const cx = ev.clientX - r.left - dims.w / 2, cy = ev.clientY - r.top - dims.h / 2;
      view.x = cx - (cx - view.x) * f;
      view.y = cy - (cy - view.y) * f;
      view.k *= f;
      schedule();
    }, { passive: false });
    canvas.addEventListener('mousedown', (ev) => { drag = { x: ev.clientX, y: ev.clientY }; });
    window.addEventListener('mouseup', () => { drag = null; });
    canvas.addEventListener('mousemove', (ev) => {
      if (drag) {
        view.x += ev.clientX - drag.x;
        view.y += ev.clientY - drag.y;
        drag = { x: ev.clientX, y: ev.clientY };
        schedule();
        return;
      }
      const text = hit(toWorld(ev), Math.min(dims.w, dims.h) / 2, view.k);
      tip.hidden = !text;
      if (text) {
        tip.textContent = text;
        tip.style.left = (ev.clientX + 12) + 'px';
        tip.style.top = (ev.clientY + 12) + 'px';
      }
    });
    canvas.addEventListener('mouseleave', () => { tip.hidden = true; });
    window.addEventListener('resize', () => { dims = size(); schedule(); });
    render();
    return { redraw: schedule, destroy: () => tip.remove() };
  }

  // nodes: [{id, role, weight}], edges: [{source, target, weight}]
  function network(canvas, data) {
    const rings = { deal: 0.1, holder: 0.28, runner: 0.45, customer: 0.62 };
    const byRole = { deal: [], holder: [], runner: [], customer: [] };
    for (const n of data.nodes) (byRole[n.role] || byRole.customer).push(n);
    const pos = new Map();
    for (const role of Object.keys(byRole)) {
      const list = byRole[role].slice().sort((a, b) => b.weight - a.weight);
      // customers spill over onto further rings, 180 to a ring
      const per = role === 'customer' ? 180 : Math.max(list.length, 1);
      list.forEach((n, i) => {
        const ring = Math.floor(i / per), inRing = Math.min(per, list.length - ring * per);
        const a = (2 * Math.PI * (i % per)) / inRing + ring * 0.37;
        const r = (list.length === 1 && role === 'deal') ? 0 : rings[role] + ring * 0.07;
        pos.set(n.id, { x: Math.cos(a) * r, y: Math.sin(a) * r, n });
      });
    }
    const maxW = Math.max(1, ...data.edges.map((e) => e.weight));
    const radius = (n) => (n.role === 'customer' ? 2.5 : 6);
    function draw(ctx, R, k) {
      ctx.lineWidth = 1 / k;
      for (const e of data.edges) {
        const a = pos.get(e.source), b = pos.get(e.target);
        if (!a || !b) continue;
        ctx.strokeStyle = 'rgba(60,70,90,' + (0.08 + 0.6 * e.weight / maxW).toFixed(3) + ')';
        ctx.beginPath();
        ctx.moveTo(a.x * R, a.y * R);
        ctx.lineTo(b.x * R, b.y * R);
        ctx.stroke();
      }
      for (const p of pos.values()) {
        ctx.fillStyle = COLOURS[p.n.role] || COLOURS.customer;
        ctx.beginPath();
        ctx.arc(p.x * R, p.y * R, radius(p.n) / Math.sqrt(k), 0, 2 * Math.PI);
        ctx.fill();
      }
    }
    function hit(w, R, k) {
      let best = null, bd = 1e9;
      for (const p of pos.values()) {
        const d = Math.hypot(p.x * R - w.x, p.y * R - w.y);
        if (d < bd) { bd = d; best = p; }
      }
      return best && bd < 8 / k ? best.n.id + ' (' + best.n.role + ', ' + best.n.weight + ' contacts)' : '';
    }
    return setup(canvas, draw, hit);
  }

  // cells: [{cell, lat, lon, events, name, area}], movements: [{from, to}],
  // addresses: [{address, lat, lon}]. Equirectangular projection around the
  // middle latitude: accurate enough across a county or a country.
  function map(canvas, data) {
    const pts = data.cells.filter((c) => c.lat !== null && c.lon !== null);
    const all = pts.concat(data.addresses.filter((a) => a.lat !== null));
    if (!all.length) return null;
    const lat0 = all.reduce((s, c) => s + c.lat, 0) / all.length;
    const kx = Math.cos(lat0 * Math.PI / 180);
    const xs = all.map((c) => c.lon * kx), ys = all.map((c) => -c.lat);
    const minX = Math.min(...xs), maxX = Math.max(...xs), minY = Math.min(...ys), maxY = Math.max(...ys);
    const span = Math.max(maxX - minX, maxY - minY, 0.01);
    const cx = (minX + maxX) / 2, cy = (minY + maxY) / 2;
    const proj = (lat, lon) => ({ x: (lon * kx - cx) / span * 1.8, y: (-lat - cy) / span * 1.8 });
    const cellPos = new Map();
    for (const c of pts) cellPos.set(c.cell, Object.assign(proj(c.lat, c.lon), { c }));
    const maxE = Math.max(1, ...pts.map((c) => c.events));
    const links = new Map();
    for (const m of data.movements) {
      const key = m.from < m.to ? m.from + '|' + m.to : m.to + '|' + m.from;
      links.set(key, (links.get(key) || 0) + 1);
    }
    const maxL = Math.max(1, ...links.values());
    const labels = pts.slice().sort((a, b) => b.events - a.events);
    function draw(ctx, R, k) {
      ctx.lineWidth = 1.5 / k;
      for (const [key, n] of links) {
        const [f, t] = key.split('|');
        const a = cellPos.get(f), b = cellPos.get(t);
        if (!a || !b) continue;
        ctx.strokeStyle = 'rgba(230,126,34,' + (0.15 + 0.7 * n / maxL).toFixed(3) + ')';
        ctx.beginPath();
        ctx.moveTo(a.x * R, a.y * R);
        ctx.lineTo(b.x * R, b.y * R);
        ctx.stroke();
      }
      ctx.fillStyle = COLOURS.cell;
      for (const p of cellPos.values()) {
        ctx.beginPath();
        ctx.arc(p.x * R, p.y * R, (2 + 6 * Math.sqrt(p.c.events / maxE)) / Math.sqrt(k), 0, 2 * Math.PI);
        ctx.fill();
      }
      ctx.fillStyle = COLOURS.address;
      for (const a of data.addresses) {
        if (a.lat === null) continue;
        const p = proj(a.lat, a.lon), s = 6 / Math.sqrt(k);
        ctx.fillRect(p.x * R - s / 2, p.y * R - s / 2, s, s);
      }
      // names of the busiest places, once per area
      ctx.fillStyle = '#1d2330';
      ctx.font = (12 / k) + 'px system-ui, sans-serif';
      const seen = new Set();
      for (const c of labels) {
        const name = c.area || c.name;
        if (!name || seen.has(name) || seen.size >= 12) continue;
        seen.add(name);
        const p = cellPos.get(c.cell);
        ctx.fillText(name, p.x * R + 8 / k, p.y * R - 6 / k);
      }
    }
    function hit(w, R, k) {
      let best = null, bd = 1e9;
      for (const p of cellPos.values()) {
        const d = Math.hypot(p.x * R - w.x, p.y * R - w.y);
        if (d < bd) { bd = d; best = p; }
      }
      return best && bd < 8 / k
        ? best.c.cell + (best.c.name ? ' ' + best.c.name : '') + (best.c.area ? ', ' + best.c.area : '') +
          ': ' + best.c.events + ' events' : '';
    }
    return setup(canvas, draw, hit);
  }

  window.LSChart = { network, map };
})();
