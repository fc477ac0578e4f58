// One BGP session per BGPPeer that selects this node: created, replaced when the peer's config
// changes, stopped when it no longer applies; each gets its routes. The per-node session status
// (state, uptime, prefixes sent, last error) is exported as metrics, as Events on the BGPPeer
// when a session comes up or goes down, and through views() for the BGPSessionState objects.
// A peer with a bfdProfile also gets a BFD session (through the BfdPort, on the packet thread);
// when it goes from Up to Down the BGP session is torn down at once (RFC 5882 §4.3).
import { API_VERSION } from '@herald/shared/api';
import type { BGPPeer } from '@herald/shared/config';
import type { EventRecorder } from '@herald/shared/k8s';
import type { Logger } from '@herald/shared/log';
import { Gauge, type Registry } from '@herald/shared/metrics';
import type { Advertisement } from '../bgp/adj-rib-out.js';
import type { BFDProfile } from '@herald/shared/config';
import type { DownReason, SessionState } from '../bgp/fsm-types.js';
import { peerSpec, type BfdPort, type BfdSessionWire, type BfdStateChange } from '../bfd/port.js';
import { registerBfdMetrics } from '../bfd/metrics.js';
import type { BfdState } from '../wire/bfd/index.js';
import type { SessionStatus } from '../bgp/session-core.js';
import type { BgpSessionLike, SessionFactory } from './ports.js';

export interface BgpSessionsOptions {
  readonly factory: SessionFactory;
  readonly node: string;
  readonly namespace: string;
  readonly log: Logger;
  readonly events?: EventRecorder;
  readonly registry?: Registry;
  /** Called on every session state change, and when sessions come or go (status writers). */
  readonly onChange?: () => void;
  /** BFD for peers with a bfdProfile; undefined: BFD off (profiles are then not in effect). */
  readonly bfd?: BfdPort;
}

/** Why a peer's session on this node last went down or could not come up. */
export type SessionError =
  | { readonly type: 'down'; readonly reason: DownReason }
  /** We closed the session to open a new one with the peer's changed settings (password...). */
  | { readonly type: 'reset'; readonly why: 'config-changed' }
  | { readonly type: 'create-failed'; readonly error: string };

/** One peer's session as this node sees it (a copy: safe to keep). */
export interface SessionView {
  readonly peer: string;
  readonly peerAddress: string;
  /** 'idle' when the session could not be created. */
  readonly state: SessionState;
  /** Clock ms of the last Established, while established. */
  readonly establishedAt: number | undefined;
  readonly prefixesSent: number;
  readonly prefixesReceived: number;
  readonly updatesSent: number;
  /** The session's own last down reason, else what ended the peer's previous session here. */
  readonly lastError: SessionError | undefined;
  /** The BFD session's state, when the peer has a bfdProfile. */
  readonly bfdState?: BfdState;
}

interface Entry {
  readonly fingerprint: string;
  readonly peerAddress: string;
  readonly session: BgpSessionLike;
  up: boolean;
}

/** Everything that, when changed, needs a new session (the password included; never logged). */
function fingerprint(p: BGPPeer): string {
  return JSON.stringify({ ...p, nodeSelectors: p.nodeSelectors.map((s) => s.text) });
}

export class BgpSessions {
  private readonly sessions = new Map<string, Entry>();
  /** Peers whose session could not be created, with why. */
  private readonly failed = new Map<string, { readonly peerAddress: string; readonly error: string }>();
  /** Per peer: what ended its previous session here, until the current one has its own reason. */
  private readonly carried = new Map<string, SessionError>();
  /** Per peer: every route it should have from us now. */
  private readonly routes = new Map<string, Map<string, Advertisement>>();
  /** The BFD sessions last asked for (JSON), so an unchanged set is not sent again. */
  private bfdWanted = '[]';
  private readonly bfdKeys = new Set<string>();
  /** The speaker's first pass is done: the routes given are its whole table. */
  private ready = false;

  constructor(private readonly o: BgpSessionsOptions) {
    const registers = o.registry ? [o.registry] : [];
    const sessions = this.sessions;
    new Gauge({
      name: 'herald_bgp_session_up',
      help: 'BGP session with the peer is Established (1) or not (0)',
      labelNames: ['peer'],
      registers,
      collect() {
        this.reset();
        for (const [peer, e] of sessions) this.set({ peer }, e.session.status().state === 'established' ? 1 : 0);
      },
    });
    new Gauge({
      name: 'herald_bgp_announced_prefixes',
      help: 'Prefixes advertised to the peer',
      labelNames: ['peer'],
      registers,
      collect() {
        this.reset();
        for (const [peer, e] of sessions) this.set({ peer }, e.session.status().prefixesSent);
      },
    });
    new Gauge({
      name: 'herald_bgp_updates_sent',
      help: 'UPDATE messages sent to the peer in this session',
      labelNames: ['peer'],
      registers,
      collect() {
        this.reset();
        for (const [peer, e] of sessions) this.set({ peer }, e.session.status().updatesSent);
      },
    });
    const bfd = o.bfd;
    if (bfd) {
      bfd.onBfdState((c) => this.onBfdState(c));
      if (o.registry) registerBfdMetrics(o.registry, bfd, () => [...this.bfdKeys].sort());
    }
  }

  /** BFD Up -> not Up: the path to the peer is gone; the BGP session goes down now, not at its hold timer. */
  private onBfdState(c: BfdStateChange): void {
    const e = this.sessions.get(c.key);
    this.o.log.info('bfd-state', { peer: c.key, from: c.from, to: c.to, reason: c.reason });
    if (c.from === 'up' && c.to !== 'up' && e) {
      this.o.log.warn('bgp-down-by-bfd', { peer: c.key, bfd: c.reason });
      e.session.bfdDown?.();
      const ref = { apiVersion: API_VERSION, kind: 'BGPPeer', namespace: this.o.namespace, name: c.key };
      this.o.events?.record(ref, 'Warning', 'BFDDown', `${this.o.node}: BFD session down (${c.reason.type}): BGP session torn down`);
    }
    this.o.onChange?.();
  }

  /** The BFD sessions for these peers: those with a profile that exists (the config checked it). */
  private syncBfd(peers: readonly BGPPeer[], profiles: ReadonlyMap<string, BFDProfile> | undefined): void {
    if (!this.o.bfd) return;
    const want: BfdSessionWire[] = [];
    for (const p of peers) {
      const prof = p.bfdProfile !== undefined ? profiles?.get(p.bfdProfile) : undefined;
      if (prof) want.push(peerSpec(p, prof));
    }
    const json = JSON.stringify(want);
    if (json === this.bfdWanted) return;
    this.bfdWanted = json;
    this.bfdKeys.clear();
    for (const w of want) this.bfdKeys.add(w.key);
    this.o.bfd.setBfdSessions(want);
    this.o.onChange?.();
  }

  /**
   * Route changes per peer (prefix text -> route, or undefined to withdraw), from the incremental
   * reconciler. Each session gets only what changed; a session created later gets the whole set.
   */
  applyRoutes(changes: ReadonlyMap<string, ReadonlyMap<string, Advertisement | undefined>>): void {
    for (const [peer, m] of changes) {
      let table = this.routes.get(peer);
      if (!table) this.routes.set(peer, (table = new Map<string, Advertisement>()));
      for (const [k, a] of m) {
        if (a) table.set(k, a);
        else table.delete(k);
      }
      const s = this.sessions.get(peer)?.session;
      if (!s) continue;
      if (s.updateAdvertised) s.updateAdvertised(m);
      else s.setAdvertised(table);
    }
  }

  /**
   * The speaker's first full pass is done: every session may send End-of-RIB after the routes it
   * has (a router keeping our stale routes across our restart purges the rest on it, RFC 4724).
   */
  routesReady(): void {
    if (this.ready) return;
    this.ready = true;
    for (const e of this.sessions.values()) e.session.tableReady?.();
  }

  /** The routes for a peer now (a copy). */
  routesFor(peer: string): Map<string, Advertisement> {
    return new Map(this.routes.get(peer) ?? []);
  }

  /**
   * Makes the sessions match `peers` (this node's); each new one starts with its peer's routes.
   * `bfdProfiles`: the config's, for the peers that name one.
   */
  setPeers(peers: readonly BGPPeer[], bfdProfiles?: ReadonlyMap<string, BFDProfile>): void {
    this.syncBfd(peers, bfdProfiles);
    const want = new Map(peers.map((p) => [p.name, p]));
    let changed = false;
    for (const [name, e] of this.sessions) {
      const p = want.get(name);
      if (p && fingerprint(p) === e.fingerprint) continue;
      e.session.stop({ communication: `herald: node ${this.o.node}: BGPPeer ${p ? 'changed' : 'removed'}` });
      this.sessions.delete(name);
      changed = true;
      if (p) this.carried.set(name, { type: 'reset', why: 'config-changed' });
      this.o.log.info('bgp-session-removed', { peer: name, why: p ? 'config-changed' : 'peer-gone' });
    }
    for (const name of [...this.failed.keys()]) if (!want.has(name)) this.failed.delete(name);
    for (const name of [...this.carried.keys()]) if (!want.has(name)) this.carried.delete(name);
    for (const name of [...this.routes.keys()]) if (!want.has(name)) this.routes.delete(name);
    for (const [name, p] of want) {
      if (this.sessions.has(name)) continue;
      changed = true;
      try {
        const entry: Entry = {
          fingerprint: fingerprint(p),
          peerAddress: p.peerAddress.toString(),
          session: this.o.factory(p, (s, detail) => this.onState(name, entry, s, detail)),
          up: false,
        };
        this.sessions.set(name, entry);
        this.failed.delete(name);
        entry.session.setAdvertised(this.routes.get(name) ?? new Map());
        if (this.ready) entry.session.tableReady?.();
        entry.session.start();
        this.o.log.info('bgp-session-added', { peer: name, peerAddress: p.peerAddress.toString() });
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        if (this.failed.get(name)?.error !== why) this.o.log.warn('bgp-session-create-failed', { peer: name, err: why });
        this.failed.set(name, { peerAddress: p.peerAddress.toString(), error: why });
      }
    }
    if (changed) this.o.onChange?.();
  }

  /** Both at once: the sessions for `peers`, each with exactly these routes (tests, simple callers). */
  sync(peers: readonly BGPPeer[], routes: ReadonlyMap<string, ReadonlyMap<string, Advertisement>>): void {
    this.setPeers(peers);
    const changes = new Map<string, Map<string, Advertisement | undefined>>();
    for (const name of new Set([...this.routes.keys(), ...routes.keys()])) {
      const want = routes.get(name) ?? new Map<string, Advertisement>();
      const have = this.routes.get(name) ?? new Map<string, Advertisement>();
      const m = new Map<string, Advertisement | undefined>();
      for (const [k, a] of want) if (have.get(k) !== a) m.set(k, a);
      for (const k of have.keys()) if (!want.has(k)) m.set(k, undefined);
      if (m.size) changes.set(name, m);
    }
    this.applyRoutes(changes);
  }

  private onState(peer: string, e: Entry, state: SessionState, detail: string): void {
    if (this.sessions.get(peer) === e) this.o.onChange?.();
    const up = state === 'established';
    if (up === e.up) return;
    e.up = up;
    const ref = { apiVersion: API_VERSION, kind: 'BGPPeer', namespace: this.o.namespace, name: peer };
    if (up) this.o.events?.record(ref, 'Normal', 'SessionEstablished', `${this.o.node}: session established`);
    else this.o.events?.record(ref, 'Warning', 'SessionDown', `${this.o.node}: session down: ${detail}`);
  }

  statuses(): Map<string, SessionStatus | { readonly state: 'failed'; readonly error: string }> {
    const out = new Map<string, SessionStatus | { readonly state: 'failed'; readonly error: string }>();
    for (const [n, e] of this.sessions) out.set(n, e.session.status());
    for (const [n, f] of this.failed) out.set(n, { state: 'failed', error: f.error });
    return out;
  }

  /** Every peer's session on this node, sorted by peer (BGPSessionState objects). */
  views(): SessionView[] {
    const out: SessionView[] = [];
    for (const [peer, e] of this.sessions) {
      const s = e.session.status();
      const lastError: SessionError | undefined = s.lastError ? { type: 'down', reason: s.lastError } : this.carried.get(peer);
      const { state, establishedAt, prefixesSent, prefixesReceived, updatesSent } = s;
      const bfdState = this.bfdKeys.has(peer) ? (this.o.bfd?.bfdStatus(peer)?.state ?? 'down') : undefined;
      out.push({ peer, peerAddress: e.peerAddress, state, establishedAt, prefixesSent, prefixesReceived, updatesSent, lastError, ...(bfdState ? { bfdState } : {}) });
    }
    for (const [peer, f] of this.failed) {
      out.push({
        peer,
        peerAddress: f.peerAddress,
        state: 'idle',
        establishedAt: undefined,
        prefixesSent: 0,
        prefixesReceived: 0,
        updatesSent: 0,
        lastError: { type: 'create-failed', error: f.error },
      });
    }
    return out.sort((a, b) => (a.peer < b.peer ? -1 : a.peer > b.peer ? 1 : 0));
  }

  peers(): string[] {
    return [...this.sessions.keys()].sort();
  }

  /**
   * Stops every session. `drain` (the speaker is shutting down): each established session
   * withdraws its routes, then sends Cease / Administrative Shutdown with "herald: node NAME
   * shutting down" (RFC 9003), all written before this returns.
   */
  stopAll(drain = false): void {
    this.syncBfd([], undefined);
    const communication = `herald: node ${this.o.node} shutting down`;
    for (const e of this.sessions.values()) e.session.stop(drain ? { withdraw: true, communication } : { communication });
    const had = this.sessions.size + this.failed.size > 0;
    this.sessions.clear();
    this.failed.clear();
    this.carried.clear();
    this.routes.clear();
    if (had) this.o.onChange?.();
  }
}
