// A speaker's BGP sessions in their own process, so a test can run it inside a node namespace
// and freeze it (SIGSTOP). Config as JSON in argv[2]; commands as JSON lines on stdin; events as
// JSON lines on stdout.
import { createInterface } from 'node:readline';
import { IP, Prefix, createLogger, type BGPPeer, type Community } from '@herald/shared';
import { speakerBgp, type Advertisement } from './api.js';

export interface ChildPeer {
  readonly name: string;
  readonly myASN: number;
  readonly peerASN: number;
  readonly peerAddress: string;
  readonly sourceAddress?: string;
  readonly holdTime: number;
  readonly keepaliveTime: number;
  readonly password?: string;
  readonly ebgpMultiHop?: boolean;
  readonly routerID?: string;
  readonly gtsm?: boolean;
  /** Send the graceful-restart capability (BGPPeer enableGracefulRestart; default false). */
  readonly gracefulRestart?: boolean;
  /** Routes for this session only (default: the config's routes). */
  readonly routes?: readonly ChildRoute[];
}

export interface ChildRoute {
  readonly prefix: string;
  readonly localPref?: number;
  readonly communities?: readonly Community[];
  /** Weighted ECMP: ready local endpoints, sent as Link Bandwidth (Advertisement.weight). */
  readonly weight?: number;
}

export interface ChildConfig {
  readonly peers: readonly ChildPeer[];
  readonly routes: readonly ChildRoute[];
}

export type ChildCommand =
  /** The whole table (setAdvertised). */
  | { readonly cmd: 'advertise'; readonly routes: readonly ChildRoute[] }
  /** Changes only (updateAdvertised): routes to announce or re-announce, prefixes to withdraw. */
  | { readonly cmd: 'change'; readonly announce?: readonly ChildRoute[]; readonly withdraw?: readonly string[]; readonly tag?: string }
  /** count consecutive IPv6 /128s from base (for benchmarks). */
  | { readonly cmd: 'advertise-many'; readonly base: string; readonly count: number }
  | { readonly cmd: 'status' }
  | { readonly cmd: 'stop' };

/**
 * The key a route goes under: any stable id unique per prefix will do (the speaker's reconciler
 * uses the text). This one needs no IP formatting, which would cost more than the speaker's own
 * work in the 100k-prefix bench.
 */
function keyOf(p: Prefix): string {
  return `${p.network.key}/${p.length}`;
}

function manyRoutes(base: string, count: number): Map<string, Advertisement> {
  const b = IP.parse(base);
  const out = new Map<string, Advertisement>();
  for (let i = 0; i < count; i++) {
    const p = Prefix.of(IP.fromBigInt(b.family, b.value + BigInt(i)), b.bits);
    out.set(keyOf(p), { prefix: p });
  }
  return out;
}

function toPeer(p: ChildPeer): BGPPeer {
  return {
    name: p.name,
    myASN: p.myASN,
    peerASN: p.peerASN,
    peerAddress: IP.parse(p.peerAddress),
    peerPort: 179,
    sourceAddress: p.sourceAddress ? IP.parse(p.sourceAddress) : undefined,
    holdTime: p.holdTime,
    keepaliveTime: p.keepaliveTime,
    connectTime: 1,
    routerID: p.routerID ? IP.parse(p.routerID) : undefined,
    nodeSelectors: [],
    password: p.password,
    bfdProfile: undefined,
    ebgpMultiHop: p.ebgpMultiHop ?? false,
    enableGracefulRestart: p.gracefulRestart ?? false,
    isIBGP: p.myASN === p.peerASN,
  };
}

function toAdvertisement(r: ChildRoute): Advertisement {
  return {
    prefix: Prefix.parse(r.prefix),
    ...(r.localPref !== undefined ? { localPref: r.localPref } : {}),
    communities: r.communities ?? [],
    ...(r.weight !== undefined ? { weight: r.weight } : {}),
  };
}

function toRoutes(rs: readonly ChildRoute[]): Map<string, Advertisement> {
  return new Map(
    rs.map((r) => {
      const a = toAdvertisement(r);
      return [keyOf(a.prefix), a];
    }),
  );
}

function toChanges(c: Extract<ChildCommand, { cmd: 'change' }>): Map<string, Advertisement | undefined> {
  const m = new Map<string, Advertisement | undefined>();
  for (const p of c.withdraw ?? []) m.set(keyOf(Prefix.parse(p)), undefined);
  for (const [k, a] of toRoutes(c.announce ?? [])) m.set(k, a);
  return m;
}

function emit(v: unknown): void {
  process.stdout.write(JSON.stringify(v) + '\n');
}

function main(): void {
  const cfg = JSON.parse(process.argv[2] ?? '{}') as ChildConfig;
  const log = createLogger({ component: 'speaker-child', level: 'warn' });
  const sessions = cfg.peers.map((p) => {
    const s = new speakerBgp.BgpSession({ peer: toPeer(p), log, maxRetryMs: 2000, gtsm: p.gtsm ?? false });
    s.on('state', (state, reason) => emit({ event: 'state', peer: p.name, state, reason }));
    s.setAdvertised(toRoutes(p.routes ?? cfg.routes));
    return { name: p.name, s };
  });
  for (const { s } of sessions) s.start();
  const rl = createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    const c = JSON.parse(line) as ChildCommand;
    if (c.cmd === 'advertise') for (const { s } of sessions) s.setAdvertised(toRoutes(c.routes));
    else if (c.cmd === 'change') {
      const m = toChanges(c);
      for (const { s } of sessions) s.updateAdvertised(m);
      emit({ event: 'changed', tag: c.tag, count: m.size });
    } else if (c.cmd === 'advertise-many') {
      const want = manyRoutes(c.base, c.count);
      for (const { s } of sessions) s.setAdvertised(want);
      emit({ event: 'advertised', count: c.count });
    } else if (c.cmd === 'status') emit({ event: 'status', sessions: sessions.map(({ name, s }) => ({ name, ...s.status() })) });
    else {
      for (const { s } of sessions) s.stop();
      setTimeout(() => process.exit(0), 100);
    }
  });
  rl.on('close', () => {
    for (const { s } of sessions) s.stop();
    setTimeout(() => process.exit(0), 100);
  });
  emit({ event: 'ready' });
}

main();
