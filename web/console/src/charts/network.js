// SPDX-License-Identifier: GPL-3.0-or-later
// The network around a line, drawn with Cytoscape.js on a canvas.
//
// Layout: up to COSE_MAX (150) nodes a force-directed layout (cose) shows the
// structure best; beyond that its O(n^2) repulsion per iteration takes
// seconds, so the numbers are placed on rings by role instead (deal
// numbers in the middle, then holders, runners, customers): O(n), and
// the rings read the same way an analyst sketches a line. For large graphs
// edges are hidden while panning and labels only show when zoomed in, which
// keeps a 2,000-node chart interactive (bench/console_draw.mjs measures it).
import cytoscape from 'cytoscape';
import { ROLE_COLOURS } from '../dom.js';

const COSE_MAX = 150;

// Cytoscape adds an inline <style> to the page (".__________cytoscape_container
// { position: relative; }") unless an element with this id exists. The
// server's Content-Security-Policy (style-src 'self', no 'unsafe-inline')
// would block it, so a placeholder takes the id and style.css carries the
// rule: the console needs no inline style.
const CY_STYLESHEET_ID = '__________cytoscape_stylesheet';
function claimCytoscapeStylesheet() {
  if (document.getElementById(CY_STYLESHEET_ID)) return;
  const placeholder = document.createElement('meta');
  placeholder.id = CY_STYLESHEET_ID;
  document.head.appendChild(placeholder);
}
const RING_ORDER = { deal: 0, holder: 1, runner: 2, customer: 3 };

/**
 * Draws `net` ({nodes:[{id,role,weight}], edges:[{source,target,calls,sms,weight}]})
 * into `container`. onSelect(node|null) is called on a tap. Returns the
 * Cytoscape instance (destroy() it when the page goes). The draw time is
 * recorded as the performance measure "linesight:network".
 */
export function drawNetwork(container, net, onSelect) {
  performance.mark('linesight:network-start');
  claimCytoscapeStylesheet();
  const big = net.nodes.length > COSE_MAX;
  const maxW = Math.max(1, ...net.nodes.map((n) => n.weight || 0));
  const maxE = Math.max(1, ...net.edges.map((e) => e.weight || 0));
  const known = new Set(net.nodes.map((n) => n.id));
  const elements = [];
  for (const n of net.nodes) {
    elements.push({ group: 'nodes', data: { id: n.id, role: n.role, weight: n.weight || 0,
      size: 10 + 26 * Math.sqrt((n.weight || 0) / maxW), label: n.role === 'customer' ? '' : n.id.replace(/^\+44/, '0') } });
  }
  let i = 0;
  for (const e of net.edges) {
    if (!known.has(e.source) || !known.has(e.target)) continue;
    elements.push({ group: 'edges', data: { id: 'e' + i++, source: e.source, target: e.target, calls: e.calls, sms: e.sms,
      width: 0.6 + 4 * Math.sqrt((e.weight || 0) / maxE) } });
  }
  const cy = cytoscape({
    container,
    elements,
    wheelSensitivity: 0.3,
    minZoom: 0.05,
    maxZoom: 6,
    hideEdgesOnViewport: big,
    textureOnViewport: big,
    pixelRatio: big ? 1 : 'auto',
    style: [
      { selector: 'node', style: {
        'background-color': (n) => ROLE_COLOURS[n.data('role')] || '#999',
        width: 'data(size)', height: 'data(size)',
        label: 'data(label)', 'font-size': 9, color: '#2b3445',
        'text-valign': 'bottom', 'text-margin-y': 3, 'min-zoomed-font-size': 7,
        'text-background-color': '#ffffff', 'text-background-opacity': 0.75, 'text-background-padding': 1,
        'border-width': 1, 'border-color': '#ffffff' } },
      { selector: 'node[role = "deal"]', style: { shape: 'round-rectangle', 'font-weight': 'bold' } },
      { selector: 'edge', style: { width: 'data(width)', 'line-color': '#b8c0cc', opacity: 0.7, 'curve-style': 'haystack' } },
      { selector: 'node:selected', style: { 'border-width': 3, 'border-color': '#1b2a41' } },
      { selector: '.faded', style: { opacity: 0.12 } },
    ],
    layout: big ? ringLayout(net.nodes) : { name: 'cose', animate: false, randomize: false, nodeRepulsion: () => 9000,
      idealEdgeLength: () => 60, nodeOverlap: 20, numIter: 1200, fit: true, padding: 20 },
  });
  cy.on('tap', 'node', (ev) => {
    const node = ev.target;
    cy.elements().addClass('faded');
    node.closedNeighborhood().removeClass('faded');
    onSelect && onSelect({ id: node.id(), role: node.data('role'), weight: node.data('weight'), degree: node.degree() });
  });
  cy.on('tap', (ev) => {
    if (ev.target === cy) { cy.elements().removeClass('faded'); onSelect && onSelect(null); }
  });
  cy.ready(() => {
    performance.mark('linesight:network-end');
    performance.measure('linesight:network', 'linesight:network-start', 'linesight:network-end');
    container.dataset.drawn = String(net.nodes.length);
  });
  return cy;
}

// rings by role; within a ring, the busiest numbers first. A role with
// many numbers (customers) fills several rings of at most RING_MAX, so the
// chart stays compact instead of one ring kilometres wide.
const RING_MAX = 240;
function ringLayout(nodes) {
  const roles = [[], [], [], []];
  for (const n of nodes) roles[RING_ORDER[n.role] ?? 3].push(n);
  const pos = {};
  let radius = 0;
  roles.forEach((ring, k) => {
    ring.sort((a, b) => (b.weight || 0) - (a.weight || 0));
    for (let start = 0; start < ring.length; start += RING_MAX) {
      const part = ring.slice(start, start + RING_MAX);
      // enough circumference for every node of the ring, 16 px apart
      const gap = start === 0 ? 90 : 36;
      radius = k === 0 && part.length === 1 ? 0 : Math.max(radius + gap, (part.length * 16) / (2 * Math.PI));
      const turn = start / RING_MAX * 0.5; // stagger rings so spokes do not line up
      part.forEach((n, j) => {
        const a = (2 * Math.PI * (j + turn)) / part.length;
        pos[n.id] = { x: radius * Math.cos(a), y: radius * Math.sin(a) };
      });
    }
  });
  return { name: 'preset', positions: (node) => pos[node.id()], fit: true, padding: 20 };
}
