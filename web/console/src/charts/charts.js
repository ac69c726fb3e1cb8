// SPDX-License-Identifier: GPL-3.0-or-later
// Chart.js charts: the numbers of a line over time (the swaps), and the
// operations dashboard. Only the pieces used are registered.
import { Chart, BarController, BarElement, CategoryScale, LinearScale, DoughnutController, ArcElement, Legend, Tooltip } from 'chart.js';
import { ROLE_COLOURS } from '../dom.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, DoughnutController, ArcElement, Legend, Tooltip);
Chart.defaults.font.family = getComputedStyle(document.documentElement).getPropertyValue('--font').trim() || 'system-ui, sans-serif';
Chart.defaults.color = '#44506a';
Chart.defaults.animation = false; // instant: analysts flip between pages

const dayFmt = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });

/**
 * A Gantt of the line's numbers: one bar per number from first to last
 * seen, coloured by role, so a swap shows as one deal bar ending where the
 * next begins. `timeline`: [{number, role, first, last, events}].
 */
export function timelineChart(canvas, timeline) {
  const rows = timeline.filter((n) => n.first && n.last)
    .sort((a, b) => (a.role === b.role ? Date.parse(a.first) - Date.parse(b.first) : order(a.role) - order(b.role)));
  return new Chart(canvas, {
    type: 'bar',
    data: {
      labels: rows.map((n) => n.number.replace(/^\+44/, '0') + ' · ' + n.role),
      datasets: [{
        data: rows.map((n) => [Date.parse(n.first), Math.max(Date.parse(n.last), Date.parse(n.first) + 3600e3)]),
        backgroundColor: rows.map((n) => ROLE_COLOURS[n.role] || '#999'),
        borderRadius: 3, barPercentage: 0.75, categoryPercentage: 0.9,
      }],
    },
    options: {
      indexAxis: 'y', maintainAspectRatio: false,
      plugins: { legend: { display: false }, tooltip: { callbacks: {
        label: (ctx) => {
          const n = rows[ctx.dataIndex];
          return `${n.role}: ${n.first.slice(0, 10)} to ${n.last.slice(0, 10)}, ${n.events} events`;
        } } } },
      scales: {
        x: { type: 'linear', min: Math.min(...rows.map((n) => Date.parse(n.first))), grid: { color: '#eef0f4' },
          ticks: { maxTicksLimit: 10, callback: (v) => dayFmt.format(new Date(v)) } },
        y: { grid: { display: false }, ticks: { font: { family: 'ui-monospace, monospace', size: 11 } } },
      },
    },
  });
}
const order = (role) => ({ deal: 0, holder: 1, runner: 2 })[role] ?? 3;

/** A bar chart of labelled counts. */
export function barChart(canvas, labels, values, colour, horizontal) {
  return new Chart(canvas, {
    type: 'bar',
    data: { labels, datasets: [{ data: values, backgroundColor: colour, borderRadius: 3 }] },
    options: { indexAxis: horizontal ? 'y' : 'x', maintainAspectRatio: false, plugins: { legend: { display: false } },
      scales: { x: { grid: { display: !horizontal } }, y: { beginAtZero: true, grid: { color: '#eef0f4' }, ticks: { precision: 0 } } } },
  });
}

/** A doughnut of labelled parts. */
export function doughnutChart(canvas, labels, values, colours) {
  return new Chart(canvas, {
    type: 'doughnut',
    data: { labels, datasets: [{ data: values, backgroundColor: colours, borderWidth: 1 }] },
    options: { maintainAspectRatio: false, cutout: '60%', plugins: { legend: { position: 'right' } } },
  });
}
