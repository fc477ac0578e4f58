#!/usr/bin/env node
// Draws docs/images/monitoring-failover.svg from a real Prometheus: the lab's
// (`herald-lab up --prometheus`), or any given with --url. It asks /api/v1/query_range for the
// last --minutes (default 5) and draws three small charts: L2 IPs each node answers for, BGP
// sessions up per node, and Herald alerts firing. To make the picture in the docs:
//
//   herald-lab up --prometheus
//   herald-lab speaker node3 freeze; sleep 90; herald-lab speaker node3 thaw; sleep 30
//   node scripts/monitoring-picture.mjs --minutes 4
//
// The SVG writer is a few lines of our own (polylines on a time axis); nothing is installed.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    minutes: { type: 'string', default: '5' },
    out: { type: 'string', default: new URL('../docs/images/monitoring-failover.svg', import.meta.url).pathname },
  },
});
const labDir = process.env.HERALD_LAB_DIR ?? '/run/herald-lab';
const url = values.url ?? readUrl();
const minutes = Number(values.minutes);
if (!Number.isFinite(minutes) || minutes <= 0 || minutes > 24 * 60) fail(`--minutes must be 1 to 1440, not ${values.minutes}`);

function fail(msg) {
  process.stderr.write(`monitoring-picture: ${msg}\n`);
  process.exit(1);
}

function readUrl() {
  try {
    return readFileSync(join(labDir, 'prometheus.url'), 'utf8').trim();
  } catch {
    return fail(`no --url, and no lab with Prometheus in ${labDir} (herald-lab up --prometheus)`);
  }
}

const end = Math.floor(Date.now() / 1000);
let start = end - Math.round(minutes * 60);
const step = Math.max(1, Math.round((end - start) / 300));

async function range(query) {
  const qs = new URLSearchParams({ query, start: String(start), end: String(end), step: String(step) });
  const res = await fetch(`${url}/api/v1/query_range?${qs}`, { signal: AbortSignal.timeout(15_000) });
  const body = await res.json();
  if (body.status !== 'success') fail(`${query}: ${body.error ?? res.status}`);
  return body.data.result.map((r) => ({ labels: r.metric, points: r.values.map(([t, v]) => [Number(t), Number(v)]) }));
}

const charts = [
  { title: 'L2 IPs each node answers ARP for', query: 'count by (node) (herald_speaker_announced{mode="l2"})', legend: (l) => l.node ?? l.instance, yMax: undefined },
  { title: 'BGP sessions Established, per node', query: 'sum by (node) (herald_bgp_session_up)', legend: (l) => l.node ?? l.instance, yMax: undefined },
  { title: 'Herald alerts firing', query: 'count by (alertname) (ALERTS{alertstate="firing", alertname=~"Herald.*"})', legend: (l) => l.alertname, yMax: undefined },
];

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];
const W = 760;
const H = 170;
const PAD = { l: 48, r: 190, t: 26, b: 26 };
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const hhmmss = (t) => new Date(t * 1000).toISOString().slice(11, 19);

/** One chart: series as step lines (a missing sample is a gap), time on x, value on y. */
function chart(c, series, y0) {
  const pw = W - PAD.l - PAD.r;
  const ph = H - PAD.t - PAD.b;
  const max = Math.max(1, c.yMax ?? 0, ...series.flatMap((s) => s.points.map((p) => p[1]).filter(Number.isFinite)));
  const x = (t) => PAD.l + ((t - start) / (end - start)) * pw;
  const y = (v) => y0 + PAD.t + ph - (v / max) * ph;
  const out = [`<text x="${PAD.l}" y="${y0 + 16}" font-size="13" font-weight="bold">${esc(c.title)}</text>`];
  out.push(`<rect x="${PAD.l}" y="${y0 + PAD.t}" width="${pw}" height="${ph}" fill="#fafafa" stroke="#ccc"/>`);
  for (const v of [0, max / 2, max]) {
    out.push(`<line x1="${PAD.l}" x2="${PAD.l + pw}" y1="${y(v)}" y2="${y(v)}" stroke="#e4e4e4"/>`);
    out.push(`<text x="${PAD.l - 6}" y="${y(v) + 4}" font-size="10" text-anchor="end">${Number.isInteger(v) ? v : v.toFixed(1)}</text>`);
  }
  for (let i = 0; i <= 4; i++) {
    const t = start + ((end - start) * i) / 4;
    out.push(`<text x="${x(t)}" y="${y0 + H - 8}" font-size="10" text-anchor="middle">${hhmmss(t)}</text>`);
  }
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    // Split where samples are missing (a frozen speaker is not scraped): a gap, not a line across.
    const runs = [];
    let run = [];
    let prev;
    for (const [t, v] of s.points) {
      if (prev !== undefined && t - prev > step * 1.5 && run.length) {
        runs.push(run);
        run = [];
      }
      run.push([t, v]);
      prev = t;
    }
    if (run.length) runs.push(run);
    for (const r of runs) {
      // A step line: a vertical only where the value changes, then on to the run's last sample.
      let d = `M${x(r[0][0]).toFixed(1)},${y(r[0][1]).toFixed(1)}`;
      for (let j = 1; j < r.length; j++) if (r[j][1] !== r[j - 1][1]) d += `H${x(r[j][0]).toFixed(1)}V${y(r[j][1]).toFixed(1)}`;
      d += `H${x(r[r.length - 1][0]).toFixed(1)}`;
      out.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2" opacity="0.85" transform="translate(0,${-i * 1.5})"/>`);
    }
    const ly = y0 + PAD.t + 12 + i * 16;
    out.push(`<line x1="${W - PAD.r + 14}" x2="${W - PAD.r + 34}" y1="${ly - 4}" y2="${ly - 4}" stroke="${color}" stroke-width="3"/>`);
    out.push(`<text x="${W - PAD.r + 40}" y="${ly}" font-size="11">${esc(c.legend(s.labels) ?? '?')}</text>`);
  });
  if (series.length === 0) out.push(`<text x="${PAD.l + pw / 2}" y="${y0 + PAD.t + ph / 2}" font-size="11" text-anchor="middle" fill="#888">none in this window</text>`);
  return out.join('\n');
}

const results = [];
for (const c of charts) results.push((await range(c.query)).sort((a, b) => String(c.legend(a.labels)).localeCompare(String(c.legend(b.labels)))));
// Start where the data does (a lab younger than --minutes leaves no blank on the left).
const first = Math.min(...results.flat().map((s) => s.points[0]?.[0] ?? end));
if (first > start && first < end) start = first;
const parts = charts.map((c, i) => chart(c, results[i], i * H));
const total = charts.length * H + 22;
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${total}" viewBox="0 0 ${W} ${total}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
${parts.join('\n')}
<text x="${PAD.l}" y="${total - 6}" font-size="10" fill="#666">Prometheus query_range, ${new Date(start * 1000).toISOString().slice(0, 19)}Z to ${hhmmss(end)}Z, step ${step} s (scripts/monitoring-picture.mjs)</text>
</svg>
`;
writeFileSync(values.out, svg);
process.stdout.write(`wrote ${values.out} (${charts.length} charts, ${minutes} min from ${url})\n`);
