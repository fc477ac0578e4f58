// One BGP session per BGPPeer that selects this node: created, replaced when the peer's config
// changes, stopped when it no longer applies; each gets its routes. The per-node session status
// (state, uptime, prefixes sent, last error) is exported as metrics, as Events on the BGPPeer
// when a session comes up or goes down, and through statuses() for /status.
import { API_VERSION, Gauge, type BGPPeer, type EventRecorder, type Logger, type Registry } from '@herald/shared';
import type { Advertisement } from '../bgp/adj-rib-out.js';
import type { SessionState } from '../bgp/fsm-types.js';
import type { SessionStatus } from '../bgp/session-core.js';
import type { BgpSessionLike, SessionFactory } from './ports.js';

export interface BgpSessionsOptions {
  readonly factory: SessionFactory;
  readonly node: string;
  readonly namespace: string;
  readonly log: Logger;
  readonly events?: EventRecorder;
  readonly registry?: Registry;
}

interface Entry {
  readonly fingerprint: string;
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
  private readonly failed = new Map<string, string>();

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
  }

  /** Makes the sessions match `peers` (this node's) and hands each its routes. */
  sync(peers: readonly BGPPeer[], routes: ReadonlyMap<string, ReadonlyMap<string, Advertisement>>): void {
    const want = new Map(peers.map((p) => [p.name, p]));
    for (const [name, e] of this.sessions) {
      const p = want.get(name);
      if (p && fingerprint(p) === e.fingerprint) continue;
      e.session.stop();
      this.sessions.delete(name);
      this.o.log.info('bgp-session-removed', { peer: name, why: p ? 'config-changed' : 'peer-gone' });
    }
    for (const name of [...this.failed.keys()]) if (!want.has(name)) this.failed.delete(name);
    for (const [name, p] of want) {
      let e = this.sessions.get(name);
      if (!e) {
        try {
          const entry: Entry = { fingerprint: fingerprint(p), session: this.o.factory(p, (s, detail) => this.onState(name, entry, s, detail)), up: false };
          e = entry;
          this.sessions.set(name, e);
          this.failed.delete(name);
          e.session.setAdvertised(routes.get(name) ?? new Map());
          e.session.start();
          this.o.log.info('bgp-session-added', { peer: name, peerAddress: p.peerAddress.toString() });
          continue;
        } catch (err) {
          const why = err instanceof Error ? err.message : String(err);
          if (this.failed.get(name) !== why) this.o.log.warn('bgp-session-create-failed', { peer: name, err: why });
          this.failed.set(name, why);
          continue;
        }
      }
      e.session.setAdvertised(routes.get(name) ?? new Map());
    }
  }

  private onState(peer: string, e: Entry, state: SessionState, detail: string): void {
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
    for (const [n, why] of this.failed) out.set(n, { state: 'failed', error: why });
    return out;
  }

  peers(): string[] {
    return [...this.sessions.keys()].sort();
  }

  stopAll(): void {
    for (const e of this.sessions.values()) e.session.stop();
    this.sessions.clear();
  }
}
