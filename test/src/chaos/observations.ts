// What a chaos run observes, as plain data: the client's HTTP probes, the router-side ARP/NDP
// watcher's answers, the API's Services and ServiceL2Status objects, the components' liveness
// and memory, and the faults with their times. The checkers (invariants.ts, outages.ts,
// memory-trend.ts) are pure functions over these; the runner (run.ts) only records them.
import type { Answer } from '../bench/l2-watch.js';
import type { Fault } from './schedule.js';

export type { Answer };

/** One HTTP GET from the client through a Service IP (t: when it was sent, epoch ms). */
export interface HttpProbe {
  readonly t: number;
  readonly service: string;
  readonly ip: string;
  readonly ok: boolean;
  /** Failed while the client's own event loop stalled (http-probe-child.ts): not evidence. */
  readonly stalled?: boolean;
  /** Why it failed: 'timeout', an errno code, 'status N'. */
  readonly error?: string;
}

export interface ServiceView {
  readonly name: string;
  readonly uid: string;
  readonly ips: readonly string[];
  /** The pool annotation the Service asks for (its spec), not the one the controller wrote. */
  readonly pool: string | undefined;
  readonly mode: 'l2' | 'bgp' | 'unknown';
  readonly etp: string;
  /** The allow-shared-ip key, if any. */
  readonly sharingKey: string | undefined;
}

/** One read of the API (Services of the lab's namespace, and the L2 statuses for them). */
export interface ApiSnapshot {
  readonly t: number;
  readonly services: readonly ServiceView[];
  /** ServiceL2Status objects: which node says it announces which Service. */
  readonly l2: readonly { readonly service: string; readonly node: string }[];
}

/** A component found not running while nothing the run did had stopped it. */
export interface ProcessExit {
  readonly t: number;
  readonly role: string;
  readonly why: string;
}

export interface RssSample {
  readonly t: number;
  readonly role: string;
  readonly pid: number;
  readonly mb: number;
}

/** A fault as it happened: when it struck, healed, and until when it is the one in force. */
export interface FaultWindow {
  readonly index: number;
  readonly fault: Fault;
  readonly kind: Fault['type'];
  /** Its description with the target resolved ("speaker-kill node2 (owner of web-l2)"). */
  readonly label: string;
  readonly inject: number;
  readonly heal: number;
  /** The next fault's inject, or the end of the run. */
  readonly end: number;
  /** The node a link fault cut (its backend's control probes fail because of the fault). */
  readonly cutNode?: string;
  /** Roles the fault itself took down (their exits are not crashes). */
  readonly downRoles: readonly string[];
  /** Set when inject or heal failed: the error. */
  readonly error?: string;
}

export const INVARIANTS = {
  a: 'never two MACs answering for one IP',
  b: "no Service's IP changes while it still validly holds it",
  c: 'no IP held by two Services that may not share it',
  d: 'after each fault heals, every Service is reachable again within its bound',
  e: 'status objects name the real owner within 1 s',
  f: 'no component crashes',
  g: "no component's memory grows without bound",
} as const;
export type Invariant = keyof typeof INVARIANTS;

export interface Violation {
  readonly invariant: Invariant;
  readonly t: number;
  /** The label of the fault in force at t ("baseline" before the first). */
  readonly fault: string;
  readonly kind: Fault['type'] | 'baseline';
  readonly detail: string;
  /** The known open defect this is (policy.ts KNOWN_DEFECTS): counted, reported, not enforced. */
  readonly known?: string;
}

/** The fault in force at t: the window with inject <= t < end. */
export function faultAt(windows: readonly FaultWindow[], t: number): { label: string; kind: Fault['type'] | 'baseline' } {
  for (const w of windows) if (t >= w.inject && t < w.end) return { label: `#${w.index} ${w.label}`, kind: w.kind };
  return { label: 'baseline', kind: 'baseline' };
}

/** A violation at t, with the fault in force then. */
export function violation(windows: readonly FaultWindow[], invariant: Invariant, t: number, detail: string, known?: string): Violation {
  const f = faultAt(windows, t);
  return { invariant, t, fault: f.label, kind: f.kind, detail, ...(known !== undefined ? { known } : {}) };
}

/** The lab's fixed MACs (02:00:00:00:00:NN) back to node names. */
export function macToNode(nodes: readonly { readonly name: string; readonly macByte: number }[]): (mac: string) => string | undefined {
  const m = new Map(nodes.map((n) => [`02:00:00:00:00:${n.macByte.toString(16).padStart(2, '0')}`, n.name]));
  return (mac) => m.get(mac.toLowerCase());
}

export const iso = (t: number): string => new Date(t).toISOString().slice(11, 23);
