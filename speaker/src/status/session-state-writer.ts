// Keeps this node's BGPSessionState objects equal to its sessions. A change of state, address or
// last error is written at once (coalesced over minIntervalMs); counters (prefixes, updates)
// alone at most every counterIntervalMs per object. Nothing is written when nothing changed.
// The first flush (and the one after a failure) lists this node's objects, so a restarted
// speaker deletes the ones its predecessor left for peers that no longer apply.
import type { BGPSessionStateStatus } from '@herald/shared/api';
import type { Clock, TimerHandle } from '@herald/shared/clock';
import { errText } from '@herald/shared/k8s';
import type { Logger } from '@herald/shared/log';
import type { SessionView } from '../reconcile/bgp-sessions.js';
import type { SessionStateApi } from './session-state-api.js';
import { desiredSessionState, sessionStateName, significant, type SessionStateTimes } from './session-state.js';

export interface SessionStateWriterOptions {
  readonly api: SessionStateApi;
  readonly node: string;
  /** The sessions now (BgpSessions.views). */
  readonly views: () => readonly SessionView[];
  readonly clock: Clock;
  /** Wall time, ms since the epoch (default Date.now). */
  readonly wallNow?: () => number;
  readonly log: Logger;
  /** Default 10 s. */
  readonly counterIntervalMs?: number;
  /** Least time between two flushes caused by state changes (default 1 s). */
  readonly minIntervalMs?: number;
}

/** RFC 3339 to the second, as Kubernetes writes times. */
const rfc3339 = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/** JSON with sorted keys: statuses read back from the API may order fields differently. */
const canon = (s: Readonly<Record<string, unknown>>): string => JSON.stringify(s, Object.keys(s).sort());

export class SessionStateWriter {
  /** name -> the status the object has; undefined: list first. */
  private known: Map<string, Record<string, unknown>> | undefined;
  /** name -> clock ms of its last write. */
  private readonly lastWrite = new Map<string, number>();
  /** establishedAt (clock ms) -> its wall time, computed once so it never jitters. */
  private readonly wallOf = new Map<number, string>();
  private chain: Promise<void> = Promise.resolve();
  private soon: { handle: TimerHandle; at: number } | undefined;
  private tick: TimerHandle | undefined;
  private lastFlush = -Infinity;
  private started = false;
  private closed = false;
  /** API writes done (tests). */
  writes = 0;

  constructor(private readonly o: SessionStateWriterOptions) {}

  private get counterMs(): number {
    return this.o.counterIntervalMs ?? 10_000;
  }

  /** Flushes now, then every counterIntervalMs. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.poke();
    this.every();
  }

  private every(): void {
    this.tick = this.o.clock.setTimeout(() => {
      this.tick = undefined;
      if (this.closed) return;
      void this.flush();
      this.every();
    }, this.counterMs);
  }

  /** Something changed (a session state): flush soon, at most once per minIntervalMs. */
  poke(): void {
    if (this.closed || !this.started) return;
    this.flushAt(Math.max(this.o.clock.now(), this.lastFlush + (this.o.minIntervalMs ?? 1000)));
  }

  /** A flush at clock time `at` (or earlier, if one is already due before). */
  private flushAt(at: number): void {
    if (this.soon && this.soon.at <= at) return;
    if (this.soon) this.o.clock.clearTimeout(this.soon.handle);
    const handle = this.o.clock.setTimeout(
      () => {
        this.soon = undefined;
        if (!this.closed) void this.flush();
      },
      Math.max(0, at - this.o.clock.now()),
    );
    this.soon = { handle, at };
  }

  /** One pass, after any running one. Resolves false if a write failed (the next pass retries). */
  flush(): Promise<boolean> {
    const at = this.o.clock.now();
    const run = this.chain.then(() => this.pass(this.closed ? [] : this.o.views(), at));
    this.chain = run.then(() => undefined);
    return run;
  }

  /** Stops writing and deletes this node's objects (a speaker that stops holds no session). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.soon) this.o.clock.clearTimeout(this.soon.handle);
    if (this.tick) this.o.clock.clearTimeout(this.tick);
    this.soon = this.tick = undefined;
    await this.flush();
  }

  private times(): SessionStateTimes {
    const wallNow = (this.o.wallNow ?? Date.now)();
    const mono = this.o.clock.now();
    return {
      now: rfc3339(wallNow),
      wall: (ms) => {
        let w = this.wallOf.get(ms);
        if (w === undefined) this.wallOf.set(ms, (w = rfc3339(wallNow - (mono - ms))));
        return w;
      },
    };
  }

  /** `now`: the clock when the pass was asked for (it may start later, after a running one). */
  private async pass(views: readonly SessionView[], now: number): Promise<boolean> {
    this.lastFlush = now;
    try {
      const known = this.known ?? (await this.o.api.list());
      this.known = known;
      const t = this.times();
      const want = new Map<string, ReturnType<typeof desiredSessionState>>();
      for (const v of views) {
        const prev = known.get(sessionStateName(this.o.node, v.peer)) as BGPSessionStateStatus | undefined;
        const d = desiredSessionState(this.o.node, v, prev, t);
        want.set(d.name, d);
      }
      for (const ms of [...this.wallOf.keys()]) if (!views.some((v) => v.establishedAt === ms)) this.wallOf.delete(ms);
      for (const [name, d] of want) {
        const prev = known.get(name);
        if (prev && canon(prev) === canon(d.status)) continue;
        const countersOnly = prev !== undefined && significant(prev) === significant(d.status);
        const due = (this.lastWrite.get(name) ?? -Infinity) + this.counterMs;
        if (countersOnly && now < due) {
          // Not now: exactly when it is due, not a whole period late.
          if (!this.closed) this.flushAt(due);
          continue;
        }
        if (!prev) {
          await this.o.api.create(d);
          this.writes++;
        }
        // A merge patch keeps fields it does not name: name the gone ones as null.
        const body: Record<string, unknown> = { ...d.status };
        for (const k of Object.keys(prev ?? {})) if (!(k in body)) body[k] = null;
        await this.o.api.patchStatus(name, body);
        this.writes++;
        known.set(name, { ...d.status });
        this.lastWrite.set(name, now);
      }
      for (const name of [...known.keys()]) {
        if (want.has(name)) continue;
        await this.o.api.delete(name);
        this.writes++;
        known.delete(name);
        this.lastWrite.delete(name);
      }
      return true;
    } catch (err) {
      this.known = undefined;
      this.o.log.warn('bgp-session-state-write-failed', { err: errText(err) });
      return false;
    }
  }
}
