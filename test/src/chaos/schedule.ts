// The chaos schedule: a seeded, pure list of faults over a run (issue 14 item 1). The same seed,
// duration, fault list and site give the same schedule, so a failing run is replayed by its seed.
// Faults never overlap: each one is injected, held, healed, and then the site is left alone for
// `settleMs` (at least the slowest recovery bound), so every observation has exactly one fault in
// force and invariant (d) is checked over a quiet window. Kinds come in rounds, each a seeded
// shuffle of every allowed kind, so even a short run meets each kind once.
import { createRng, type Rng } from './prng.js';

export const FAULT_KINDS = [
  'speaker-kill',
  'speaker-stop',
  'speaker-freeze',
  'link-flap',
  'controller-restart',
  'apiserver-restart',
  'apiserver-stall',
  'router-restart',
  'service-churn',
  'slice-churn',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** A node, or whichever node owns this L2 Service's IP when the fault strikes. */
export type NodeTarget = { readonly type: 'node'; readonly node: string } | { readonly type: 'owner-of'; readonly service: string };

export type ServiceChange = 'create-delete' | 'pool' | 'etp';

export type Fault =
  | { readonly type: 'speaker-kill' | 'speaker-stop' | 'speaker-freeze' | 'link-flap'; readonly target: NodeTarget }
  | { readonly type: 'controller-restart' | 'apiserver-restart' | 'router-restart' }
  | { readonly type: 'apiserver-stall'; readonly stallMs: number }
  | { readonly type: 'service-churn'; readonly change: ServiceChange; readonly service: string }
  | { readonly type: 'slice-churn'; readonly service: string; readonly nodes: readonly string[] };

export interface ScheduledFault {
  readonly index: number;
  /** When to inject, ms from the start of the run. */
  readonly at: number;
  /** From inject to heal. */
  readonly holdMs: number;
  /** From heal until the next fault may strike. */
  readonly settleMs: number;
  readonly fault: Fault;
}

export interface ScheduleInput {
  readonly seed: number;
  readonly durationMs: number;
  readonly kinds: readonly FaultKind[];
  readonly nodes: readonly string[];
  /** L2 Services whose owner a node fault may aim at. */
  readonly l2Services: readonly string[];
  /** Services whose backends slice churn may move (never to zero nodes). */
  readonly sliceServices: readonly string[];
  /** The Service that service churn changes (pool, ETP); create-delete makes its own. */
  readonly churnService: string;
  /** The slowest recovery bound of any Service (ms): the quiet window after each heal is longer. */
  readonly recoveryBoundMs: number;
  /** Quiet time before the first fault (default 3 s). */
  readonly warmupMs?: number;
}

export class ScheduleError extends Error {
  override readonly name = 'ScheduleError';
}

/** Parses a `--faults` list ("speaker-kill,link-flap"); throws naming the unknown kind. */
export function parseFaultKinds(list: string): FaultKind[] {
  const out: FaultKind[] = [];
  for (const w of list.split(',').map((x) => x.trim()).filter(Boolean)) {
    if (!(FAULT_KINDS as readonly string[]).includes(w)) throw new ScheduleError(`--faults: unknown fault ${JSON.stringify(w)}; known: ${FAULT_KINDS.join(', ')}`);
    if (!out.includes(w as FaultKind)) out.push(w as FaultKind);
  }
  if (out.length === 0) throw new ScheduleError('--faults: the list is empty');
  return out;
}

const STALL_MS = 5000;
/** Margin after the slowest bound, so the recovery is seen before the next fault. */
const SETTLE_MARGIN_MS = 1500;
/** A schedule never holds more faults than this, whatever the duration. */
const MAX_FAULTS = 10_000;

function holdFor(kind: FaultKind, rng: Rng): number {
  switch (kind) {
    case 'controller-restart':
    case 'apiserver-restart':
    case 'apiserver-stall':
      // Instant faults: the restart (and its stall) happen inside the inject step.
      return 0;
    case 'speaker-freeze':
    case 'link-flap':
      return rng.between(1000, 3000);
    default:
      return rng.between(500, 2500);
  }
}

function nodeTarget(input: ScheduleInput, rng: Rng): NodeTarget {
  if (input.l2Services.length > 0 && rng.next() < 0.5) return { type: 'owner-of', service: rng.pick(input.l2Services) };
  return { type: 'node', node: rng.pick(input.nodes) };
}

function faultOf(kind: FaultKind, input: ScheduleInput, rng: Rng): Fault {
  switch (kind) {
    case 'speaker-kill':
    case 'speaker-stop':
    case 'speaker-freeze':
    case 'link-flap':
      return { type: kind, target: nodeTarget(input, rng) };
    case 'controller-restart':
    case 'apiserver-restart':
    case 'router-restart':
      return { type: kind };
    case 'apiserver-stall':
      return { type: kind, stallMs: STALL_MS };
    case 'service-churn':
      return { type: kind, change: rng.pick(['create-delete', 'pool', 'etp'] as const), service: input.churnService };
    case 'slice-churn': {
      const service = rng.pick(input.sliceServices);
      // A non-empty subset of the nodes, in the site's order.
      const mask = rng.between(1, 2 ** input.nodes.length - 1);
      return { type: kind, service, nodes: input.nodes.filter((_, i) => (mask >> i) & 1) };
    }
  }
}

/** Every fault that fits in the duration (its settle window included), in order. */
export function chaosSchedule(input: ScheduleInput): ScheduledFault[] {
  if (!Number.isFinite(input.durationMs) || input.durationMs <= 0) throw new ScheduleError(`duration must be positive, not ${String(input.durationMs)} ms`);
  if (input.kinds.length === 0) throw new ScheduleError('no fault kinds to schedule');
  if (input.nodes.length === 0) throw new ScheduleError('the site has no nodes');
  if (input.kinds.includes('slice-churn') && input.sliceServices.length === 0) throw new ScheduleError('slice-churn needs at least one Service with backends');
  const rng = createRng(input.seed);
  const out: ScheduledFault[] = [];
  let t = input.warmupMs ?? 3000;
  let round: FaultKind[] = [];
  for (let i = 0; i < MAX_FAULTS; i++) {
    if (round.length === 0) round = shuffle(input.kinds, rng);
    const kind = round.shift()!;
    const fault = faultOf(kind, input, rng);
    const holdMs = holdFor(kind, rng);
    const stall = fault.type === 'apiserver-stall' ? fault.stallMs : 0;
    const settleMs = input.recoveryBoundMs + SETTLE_MARGIN_MS + stall;
    if (t + holdMs + settleMs > input.durationMs) break;
    out.push({ index: out.length, at: t, holdMs, settleMs, fault });
    t += holdMs + settleMs;
  }
  return out;
}

function shuffle<T>(xs: readonly T[], rng: Rng): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

/** "speaker-kill owner-of web-l2", "slice-churn web-l2 -> node1,node3": one line per fault. */
export function describeFault(f: Fault): string {
  switch (f.type) {
    case 'speaker-kill':
    case 'speaker-stop':
    case 'speaker-freeze':
    case 'link-flap':
      return `${f.type} ${f.target.type === 'node' ? f.target.node : `owner-of ${f.target.service}`}`;
    case 'controller-restart':
    case 'apiserver-restart':
    case 'router-restart':
      return f.type;
    case 'apiserver-stall':
      return `${f.type} ${f.stallMs} ms`;
    case 'service-churn':
      return `${f.type} ${f.change} ${f.service}`;
    case 'slice-churn':
      return `${f.type} ${f.service} -> ${f.nodes.join(',')}`;
  }
}
