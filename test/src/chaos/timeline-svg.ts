// The chaos timeline as one self-contained SVG: a lane per Service (the client's HTTP probes,
// binned per pixel column: green all answered, red any failed, grey none sent), a lane per L2 IP
// (the watcher's answers, coloured by the answering node; black where two MACs answered), the
// faults as shaded bands (dark: inject to heal, light: the quiet window after) and the
// violations as marks with their text as a tooltip. Pure: data in, SVG text out.
import { INVARIANTS, iso, type Answer, type FaultWindow, type HttpProbe, type Violation } from './observations.js';

export interface TimelineInput {
  readonly startedAt: number;
  readonly endedAt: number;
  readonly seed: number;
  readonly windows: readonly FaultWindow[];
  readonly probes: readonly HttpProbe[];
  readonly answers: readonly Answer[];
  /** L2 IPs and when an L2 Service held each (outside that, the lane is grey). */
  readonly l2Ips: readonly { readonly ip: string; readonly from: number; readonly to: number }[];
  readonly nodes: readonly string[];
  readonly nodeOfMac: (mac: string) => string | undefined;
  readonly violations: readonly Violation[];
  readonly width?: number;
}

const ANSWER_HOLD_MS = 250;
const NODE_COLOURS = ['#1f77b4', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f'];

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function timelineSvg(input: TimelineInput): string {
  const W = input.width ?? 1600;
  const left = 150;
  const plotW = W - left - 20;
  const span = Math.max(1, input.endedAt - input.startedAt);
  const x = (t: number): number => left + ((t - input.startedAt) / span) * plotW;
  const services = [...new Set(input.probes.map((p) => p.service))].sort();
  const laneH = 18;
  const top = 95;
  const lanes = [...services.map((s) => ({ type: 'http' as const, name: s })), ...input.l2Ips.map((x) => ({ type: 'arp' as const, name: x.ip, from: x.from, to: x.to }))];
  const H = top + lanes.length * (laneH + 6) + 70;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`);
  out.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  out.push(`<text x="10" y="18" font-size="14" font-weight="bold">Herald chaos, seed ${input.seed}: ${new Date(input.startedAt).toISOString()}, ${(span / 60_000).toFixed(1)} min, ${input.windows.length} faults, ${input.violations.length} violations</text>`);
  // Fault bands.
  for (const w of input.windows) {
    const title = esc(`#${w.index} ${w.label}: inject ${iso(w.inject)}, heal ${iso(w.heal)}, quiet until ${iso(w.end)}${w.error ? `; ERROR ${w.error}` : ''}`);
    out.push(`<g><title>${title}</title><rect x="${x(w.inject).toFixed(1)}" y="${top - 16}" width="${Math.max(1, x(w.heal) - x(w.inject)).toFixed(1)}" height="${H - top - 40}" fill="#f4b400" opacity="0.35"/>`);
    out.push(`<rect x="${x(w.heal).toFixed(1)}" y="${top - 16}" width="${Math.max(0, x(w.end) - x(w.heal)).toFixed(1)}" height="${H - top - 40}" fill="#f4b400" opacity="0.08"/>`);
    out.push(`<text x="${x(w.inject).toFixed(1)}" y="${top - 20}" font-size="9" transform="rotate(-30 ${x(w.inject).toFixed(1)} ${top - 20})">${w.index} ${esc(w.kind)}</text></g>`);
  }
  const cols = Math.max(1, Math.round(plotW));
  const col = (t: number): number => Math.min(cols - 1, Math.max(0, Math.floor(((t - input.startedAt) / span) * cols)));
  lanes.forEach((lane, li) => {
    const y = top + li * (laneH + 6);
    out.push(`<text x="${left - 6}" y="${y + 13}" text-anchor="end">${esc(lane.type === 'http' ? `${lane.name} HTTP` : `${lane.name} ARP`)}</text>`);
    // Per column: http -> [sent, failed]; arp -> the set of answering MACs.
    if (lane.type === 'http') {
      const sent = new Uint32Array(cols);
      const failed = new Uint32Array(cols);
      for (const p of input.probes) {
        if (p.service !== lane.name) continue;
        const c = col(p.t);
        sent[c]!++;
        if (!p.ok) failed[c]!++;
      }
      out.push(runs(cols, (c) => (sent[c] === 0 ? '#ddd' : failed[c]! > 0 ? '#d62728' : '#2ca02c'), left, plotW, y, laneH));
    } else {
      const macs: (Set<string> | undefined)[] = new Array<Set<string> | undefined>(cols);
      const mine = input.answers.filter((a) => a.ip === lane.name).sort((x, y) => x.t - y.t);
      for (const a of mine) (macs[col(a.t)] ??= new Set()).add(a.mac);
      // A column narrower than the watcher's 100 ms rounds may hold no answer while the IP is
      // answered: it takes the latest answer of the last ANSWER_HOLD_MS instead of red.
      let k = 0;
      for (let c = 0; c < cols; c++) {
        const end = input.startedAt + ((c + 1) / cols) * span;
        while (k < mine.length && mine[k]!.t <= end) k++;
        const last = mine[k - 1];
        if (!macs[c] && last && end - last.t <= ANSWER_HOLD_MS) macs[c] = new Set([last.mac]);
      }
      const held = input.l2Ips.find((x) => x.ip === lane.name)!;
      const colour = (c: number): string => {
        const m = macs[c];
        const t = input.startedAt + ((c + 0.5) / cols) * span;
        if (!m && (t < held.from || t > held.to)) return '#ddd';
        if (!m) return '#d62728';
        if (m.size > 1) return '#000';
        const node = input.nodeOfMac([...m][0]!);
        const i = node === undefined ? -1 : input.nodes.indexOf(node);
        return i < 0 ? '#555' : NODE_COLOURS[i % NODE_COLOURS.length]!;
      };
      out.push(runs(cols, colour, left, plotW, y, laneH));
    }
  });
  // Violations.
  const vy = top + lanes.length * (laneH + 6) + 4;
  for (const v of input.violations) {
    const vx = x(v.t);
    out.push(`<g><title>${esc(`${iso(v.t)} (${v.invariant}) ${INVARIANTS[v.invariant]}: ${v.detail} [during ${v.fault}]`)}</title><path d="M${vx.toFixed(1)} ${vy} l-5 10 h10 z" fill="#d62728"/><text x="${vx.toFixed(1)}" y="${vy + 22}" text-anchor="middle" font-size="9">${v.invariant}</text></g>`);
  }
  // Axis and legend.
  const ay = H - 22;
  for (let k = 0; k <= 10; k++) {
    const t = input.startedAt + (span * k) / 10;
    out.push(`<text x="${x(t).toFixed(1)}" y="${ay}" text-anchor="middle" font-size="9">${iso(t).slice(0, 8)}</text>`);
  }
  const legend = [['#2ca02c', 'HTTP answered'], ['#d62728', 'failed / no ARP answer'], ['#000', 'two MACs'], ['#ddd', 'not probed / not held'], ...input.nodes.map((n, i) => [NODE_COLOURS[i % NODE_COLOURS.length]!, `answered by ${n}`])];
  legend.forEach(([c, label], i) => out.push(`<rect x="${left + i * 150}" y="${H - 12}" width="10" height="10" fill="${c}"/><text x="${left + i * 150 + 14}" y="${H - 3}">${esc(label!)}</text>`));
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** Adjacent columns of one colour as one rect each (keeps a 30-minute picture small). */
function runs(cols: number, colour: (c: number) => string, left: number, plotW: number, y: number, h: number): string {
  const parts: string[] = [];
  let start = 0;
  let cur = colour(0);
  for (let c = 1; c <= cols; c++) {
    const k = c < cols ? colour(c) : '';
    if (k === cur) continue;
    const x0 = left + (start / cols) * plotW;
    parts.push(`<rect x="${x0.toFixed(1)}" y="${y}" width="${(((c - start) / cols) * plotW).toFixed(1)}" height="${h}" fill="${cur}"/>`);
    start = c;
    cur = k;
  }
  return parts.join('');
}
