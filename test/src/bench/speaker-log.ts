// What the speakers' JSON-line logs say happened in a time window (the lab writes them to
// `<Lab.dir>/logs/speaker-<node>.log`): self-fences, peers declared dead, and L2 owner changes.
// The load benches count these to tell "load alone moved things" from "nothing moved". The event
// names live in SPEAKER_EVENTS only: the speaker may rename them, and this is the one place to
// follow. Parsing is pure (lines in, counts out); reading the files is the thin shell at the end.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The speaker's log events the benches count (speaker/src/membership, speaker/src/reconcile). */
export const SPEAKER_EVENTS = {
  /** `{node, reason}`: this speaker stopped answering for any IP. */
  selfFenced: 'self-fenced',
  /** `{node, member, status}`: status "live", "suspect:<reason>", "dead:<reason>". */
  memberStatus: 'member-status',
  /** `{service, ip, owner, was}`: logged by the new owner (or the old one when nobody owns it). */
  l2OwnerChanged: 'l2-owner-changed',
} as const;

/** A member status that is not a death: a peer that said goodbye. */
const DEAD_LEFT = 'dead:left';

export type SpeakerLogEvent =
  | { readonly type: 'self-fenced'; readonly t: number; readonly node: string; readonly reason: string }
  | { readonly type: 'peer-dead'; readonly t: number; readonly node: string; readonly member: string; readonly status: string }
  | { readonly type: 'owner-changed'; readonly t: number; readonly node: string; readonly ip: string; readonly owner: string | null; readonly was: string | null };

/** Why a log line was not taken as an event: counted, so a format change shows up as a number. */
export type SkipReason = 'not-json' | 'no-ts' | 'other-event';

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function reasonText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && 'type' in v && typeof v.type === 'string') return v.type;
  return 'unknown';
}

/** One log line as an event the benches count, or why not. `node` is the log's speaker. */
export function parseSpeakerLine(line: string, node: string): SpeakerLogEvent | SkipReason {
  let rec: unknown;
  try {
    rec = JSON.parse(line);
  } catch {
    return 'not-json';
  }
  if (!rec || typeof rec !== 'object') return 'not-json';
  const r = rec as Record<string, unknown>;
  const t = Date.parse(str(r['ts']) ?? '');
  if (!Number.isFinite(t)) return 'no-ts';
  switch (r['event']) {
    case SPEAKER_EVENTS.selfFenced:
      return { type: 'self-fenced', t, node: str(r['node']) ?? node, reason: reasonText(r['reason']) };
    case SPEAKER_EVENTS.memberStatus: {
      const status = str(r['status']) ?? '';
      const member = str(r['member']) ?? '';
      const self = str(r['node']) ?? node;
      // A peer declared dead; the speaker's own entry ("dead:self-fenced") is the fence, counted above.
      if (!status.startsWith('dead:') || status === DEAD_LEFT || member === self) return 'other-event';
      return { type: 'peer-dead', t, node: self, member, status };
    }
    case SPEAKER_EVENTS.l2OwnerChanged: {
      const ip = str(r['ip']);
      if (ip === undefined) return 'other-event';
      return { type: 'owner-changed', t, node, ip, owner: str(r['owner']) ?? null, was: str(r['was']) ?? null };
    }
    default:
      return 'other-event';
  }
}

export interface WindowCounts {
  readonly selfFences: number;
  /** Self-fences per node ("node1: 2"). */
  readonly fencedNodes: ReadonlyMap<string, number>;
  readonly peersDead: number;
  /** The first few deaths, for the row: "node2 saw node3 dead:heartbeat-silent-corroborated". */
  readonly deadSamples: readonly string[];
  /** Every l2-owner-changed in the window. */
  readonly ownerChanges: number;
  /**
   * Changes of an IP that had an owner before the window (from `ownedBefore`, or an owner-changed
   * line before the window that gave it one): with no node failing, these have no cause.
   */
  readonly uncausedChanges: number;
  /** Distinct IPs among the uncaused changes. */
  readonly uncausedIps: number;
  /** Other IPs moved from one owner to another (a new IP that flapped); losing its owner is not one. */
  readonly flaps: number;
  /** Lines that were not events, by reason (a renamed event shows as other-event only). */
  readonly skipped: Readonly<Record<SkipReason, number>>;
  /** Of the self-fences and the uncaused changes, those inside a stall of the whole machine (`machineStalls`). */
  readonly inMachineStalls: { readonly fences: number; readonly uncausedChanges: number; readonly longestStallMs: number };
}

/** An interval when the whole machine stalled (nothing ran: seen by a watcher of higher priority). */
export interface MachineStall {
  readonly from: number;
  readonly to: number;
}

/**
 * A fence or move caused by a stall of the whole machine is noticed when the speakers run again:
 * counted as inside the stall up to this long after it ended (silentAfter, the longest a stale
 * link takes to show).
 */
export const MACHINE_STALL_TAIL_MS = 300;

export interface WindowOptions {
  /** IPs known to have an owner at `from` (e.g. read from the API). */
  readonly ownedBefore?: ReadonlySet<string>;
  /**
   * Also take as owned every IP that an owner-changed line before `from` gave an owner (default
   * true). false: only `ownedBefore` (a window whose own IPs are going away, like a delete).
   */
  readonly learnFromLog?: boolean;
  /** Stalls of the whole machine: fences and uncaused changes inside one are counted apart too. */
  readonly machineStalls?: readonly MachineStall[];
}

/** Counts events with from <= t <= to. */
export function countWindow(events: readonly SpeakerLogEvent[], from: number, to: number, opts: WindowOptions = {}, skipped: Partial<Record<SkipReason, number>> = {}): WindowCounts {
  const owned = new Set(opts.ownedBefore ?? []);
  if (opts.learnFromLog ?? true) for (const e of events) if (e.type === 'owner-changed' && e.t < from && e.owner !== null) owned.add(e.ip);
  const fencedNodes = new Map<string, number>();
  const deadSamples: string[] = [];
  const uncaused = new Set<string>();
  let selfFences = 0;
  let peersDead = 0;
  let ownerChanges = 0;
  let uncausedChanges = 0;
  let flaps = 0;
  const stalls = opts.machineStalls ?? [];
  const inStall = (t: number): boolean => stalls.some((s) => t >= s.from && t <= s.to + MACHINE_STALL_TAIL_MS);
  const inMachineStalls = { fences: 0, uncausedChanges: 0, longestStallMs: Math.max(0, ...stalls.map((s) => s.to - s.from)) };
  for (const e of [...events].sort((a, b) => a.t - b.t)) {
    if (e.t < from || e.t > to) continue;
    switch (e.type) {
      case 'self-fenced':
        selfFences++;
        if (inStall(e.t)) inMachineStalls.fences++;
        fencedNodes.set(e.node, (fencedNodes.get(e.node) ?? 0) + 1);
        break;
      case 'peer-dead':
        peersDead++;
        if (deadSamples.length < 3) deadSamples.push(`${e.node} saw ${e.member} ${e.status}`);
        break;
      case 'owner-changed':
        ownerChanges++;
        if (owned.has(e.ip)) {
          uncausedChanges++;
          if (inStall(e.t)) inMachineStalls.uncausedChanges++;
          uncaused.add(e.ip);
        } else if (e.was !== null && e.owner !== null) flaps++;
        break;
    }
  }
  return {
    selfFences,
    fencedNodes,
    peersDead,
    deadSamples,
    ownerChanges,
    uncausedChanges,
    uncausedIps: uncaused.size,
    flaps,
    skipped: { 'not-json': skipped['not-json'] ?? 0, 'no-ts': skipped['no-ts'] ?? 0, 'other-event': skipped['other-event'] ?? 0 },
    inMachineStalls,
  };
}

/** Parses a whole log text; events and the skip counts. */
export function parseSpeakerLog(text: string, node: string): { events: SpeakerLogEvent[]; skipped: Record<SkipReason, number> } {
  const events: SpeakerLogEvent[] = [];
  const skipped: Record<SkipReason, number> = { 'not-json': 0, 'no-ts': 0, 'other-event': 0 };
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const e = parseSpeakerLine(line, node);
    if (typeof e === 'string') skipped[e]++;
    else events.push(e);
  }
  return { events, skipped };
}

/** Reads every speaker's log in the lab's directory and counts the window (epoch ms). */
export function speakerWindow(labDir: string, nodes: readonly string[], from: number, to: number, opts: WindowOptions = {}): WindowCounts {
  const events: SpeakerLogEvent[] = [];
  const skipped: Record<SkipReason, number> = { 'not-json': 0, 'no-ts': 0, 'other-event': 0 };
  for (const node of nodes) {
    const file = join(labDir, 'logs', `speaker-${node}.log`);
    if (!existsSync(file)) throw new Error(`no speaker log ${file}: the lab writes one per node`);
    const r = parseSpeakerLog(readFileSync(file, 'utf8'), node);
    events.push(...r.events);
    for (const k of Object.keys(skipped) as SkipReason[]) skipped[k] += r.skipped[k];
  }
  return countWindow(events, from, to, opts, skipped);
}

/** The three counts as row values: "2 (node1 1, node3 1)", "0", "0 on 0 IPs owned before; ...". */
export function describeWindow(c: WindowCounts): { fences: string; dead: string; changes: string } {
  const fenced = [...c.fencedNodes].map(([n, k]) => `${n} ${k}`).join(', ');
  const m = c.inMachineStalls;
  const stall = (k: number, of: number): string =>
    of === 0 ? '' : `; ${k === of ? `all ${of}` : `${k} of ${of}`} within a stall of the whole machine (up to ${Math.round(m.longestStallMs)} ms, when the router-side watcher, at higher priority, did not run either)`;
  return {
    fences: `${c.selfFences}${fenced ? ` (${fenced})` : ''}${m.fences > 0 ? stall(m.fences, c.selfFences) : ''}`,
    dead: `${c.peersDead}${c.deadSamples.length ? ` (${c.deadSamples.join('; ')})` : ''}`,
    changes: `${c.uncausedChanges} (on ${c.uncausedIps} IPs owned before the window; also ${c.flaps} moves of other IPs between owners, ${c.ownerChanges} l2-owner-changed lines in all)${m.uncausedChanges > 0 ? stall(m.uncausedChanges, c.uncausedChanges) : ''}`,
  };
}
