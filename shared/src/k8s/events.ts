// Events on objects (core/v1), as an operator reads them with `kubectl describe`, written the way
// client-go's EventRecorder writes them: correlated first (repeats bump `count`, similar events
// are combined, a spam filter per object; see event-correlator.ts), then written in the
// background through a bounded queue. record() never waits and never throws: a flapping state
// costs at most the spam filter's budget per object, and a slow API server at most `queueCap`
// pending writes (the rest are dropped and counted), never unbounded memory.
import { ApiException, type CoreV1Api, type CoreV1Event } from '@kubernetes/client-node';
import { Counter, Gauge, type Registry } from 'prom-client';
import { systemClock, type Clock, type TimerHandle } from '../clock.js';
import type { Logger } from '../log.js';
import { EventCorrelator, type CorrelatorOptions } from './event-correlator.js';
import { errText } from './leader-election.js';
import { mergePatch } from './patch.js';
import { isObjectNotFound } from './api-error.js';

export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid?: string | undefined;
}

export type EventType = 'Normal' | 'Warning';

export interface EventRecorder {
  record(obj: ObjectRef, type: EventType, reason: string, message: string): void;
}

export interface EventMetrics {
  readonly writes: Counter<'verb'>;
  readonly dropped: Counter<'reason'>;
  readonly queued: Gauge;
}

/** Once per registry. */
export function eventMetrics(registry: Registry): EventMetrics {
  return {
    writes: new Counter({ name: 'herald_events_writes_total', help: 'Event writes sent to the API server (create, or patch of a repeat).', labelNames: ['verb'], registers: [registry] }),
    dropped: new Counter({
      name: 'herald_events_dropped_total',
      help: 'Events not written: refused by the spam filter (25 per object, then 1 per 5 minutes), the queue was full, invalid, or the write failed for good.',
      labelNames: ['reason'],
      registers: [registry],
    }),
    queued: new Gauge({ name: 'herald_events_queued', help: 'Event writes waiting to be sent.', registers: [registry] }),
  };
}

export interface EventRecorderOptions {
  readonly clock?: Clock;
  readonly metrics?: EventMetrics | undefined;
  /** Writes waiting at most (default 1,000, client-go's broadcaster queue). */
  readonly queueCap?: number;
  /** Writes in flight at most (default 2: Events yield to the component's real work). */
  readonly concurrency?: number;
  /** Attempts per write (default 3), the later ones after 1 s, 2 s. */
  readonly attempts?: number;
  readonly correlator?: Partial<CorrelatorOptions>;
}

/** Longer messages are cut (the API server's limit for an Event note is 1 KiB). */
export const MAX_EVENT_MESSAGE = 1024;

interface Write {
  readonly key: string;
  verb: 'create' | 'patch';
  name: string;
  readonly obj: ObjectRef;
  readonly type: EventType;
  readonly reason: string;
  message: string;
  count: number;
  readonly firstWall: number;
  lastWall: number;
  attempt: number;
}

export class K8sEventRecorder implements EventRecorder {
  private readonly correlator: EventCorrelator;
  private readonly clock: Clock;
  /** Waiting writes, oldest first; one per key (a newer occurrence updates the waiting one). */
  private readonly queue = new Map<string, Write>();
  private readonly inflight = new Set<string>();
  private readonly timers = new Set<TimerHandle>();
  private readonly cap: number;
  private readonly concurrency: number;
  private readonly attempts: number;
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly api: CoreV1Api,
    private readonly component: string,
    private readonly instance: string,
    private readonly log: Logger,
    private readonly wallNow: () => number = Date.now,
    private readonly o: EventRecorderOptions = {},
  ) {
    this.clock = o.clock ?? systemClock;
    this.cap = o.queueCap ?? 1000;
    this.concurrency = o.concurrency ?? 2;
    this.attempts = o.attempts ?? 3;
    this.correlator = new EventCorrelator({ component, host: instance }, o.correlator);
  }

  record(obj: ObjectRef, type: EventType, reason: string, message: string): void {
    if (this.closed) return;
    const bad = invalid(obj, reason);
    if (bad) {
      this.o.metrics?.dropped.inc({ reason: 'invalid' });
      this.log.warn('event-invalid', { object: `${obj.kind} ${obj.namespace}/${obj.name}`, reason, problem: bad });
      return;
    }
    const text = message.length > MAX_EVENT_MESSAGE ? message.slice(0, MAX_EVENT_MESSAGE - 3) + '...' : message;
    const wall = this.wallNow();
    const c = this.correlator.correlate({ obj, type, reason, message: text }, this.clock.now(), wall);
    if (c.type === 'drop') {
      this.o.metrics?.dropped.inc({ reason: c.why });
      return;
    }
    const waiting = this.queue.get(c.key);
    if (waiting) {
      // Not sent yet: send the latest instead (a waiting create stays a create).
      waiting.count = c.count;
      waiting.message = c.message;
      waiting.lastWall = wall;
      return;
    }
    if (this.queue.size >= this.cap) {
      this.o.metrics?.dropped.inc({ reason: 'queue-full' });
      return;
    }
    this.queue.set(c.key, { key: c.key, verb: c.type, name: c.name, obj, type, reason, message: c.message, count: c.count, firstWall: c.firstWall, lastWall: wall, attempt: 0 });
    this.o.metrics?.queued.set(this.queue.size);
    this.pump();
  }

  /** Resolves when nothing is waiting or in flight (retries waiting on a timer count as waiting). */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Drops what is waiting; writes in flight finish. */
  close(): void {
    this.closed = true;
    this.queue.clear();
    for (const t of this.timers) this.clock.clearTimeout(t);
    this.timers.clear();
    this.o.metrics?.queued.set(0);
    this.notifyIdle();
  }

  private isIdle(): boolean {
    return this.queue.size === 0 && this.inflight.size === 0 && this.timers.size === 0;
  }

  private notifyIdle(): void {
    if (!this.isIdle()) return;
    const w = this.idleWaiters;
    this.idleWaiters = [];
    for (const f of w) f();
  }

  private pump(): void {
    while (!this.closed && this.inflight.size < this.concurrency) {
      let next: Write | undefined;
      // One write per key at a time: a patch must not overtake the create it follows.
      for (const w of this.queue.values()) {
        if (!this.inflight.has(w.key)) {
          next = w;
          break;
        }
      }
      if (!next) break;
      this.queue.delete(next.key);
      this.inflight.add(next.key);
      this.o.metrics?.queued.set(this.queue.size);
      void this.send(next).finally(() => {
        this.inflight.delete(next.key);
        this.pump();
        this.notifyIdle();
      });
    }
  }

  private async send(w: Write): Promise<void> {
    try {
      if (w.verb === 'patch') {
        try {
          await this.api.patchNamespacedEvent({ name: w.name, namespace: w.obj.namespace, body: { count: w.count, message: w.message, lastTimestamp: new Date(w.lastWall) } }, mergePatch);
          this.o.metrics?.writes.inc({ verb: 'patch' });
          return;
        } catch (err) {
          // Expired on the server (Events live an hour), or its create was dropped: make it anew.
          if (!isObjectNotFound(err)) throw err;
          w.verb = 'create';
          w.name = this.correlator.newName(w.obj.name, w.lastWall);
          this.correlator.recreated(w.key, w.name, w.count, w.firstWall);
        }
      }
      await this.api.createNamespacedEvent({ namespace: w.obj.namespace, body: this.body(w) });
      this.o.metrics?.writes.inc({ verb: 'create' });
    } catch (err) {
      this.failed(w, err);
    }
  }

  private failed(w: Write, err: unknown): void {
    const code = err instanceof ApiException ? err.code : undefined;
    // A 4xx other than 429 will not get better by asking again.
    const hopeless = code !== undefined && code >= 400 && code < 500 && code !== 429;
    w.attempt++;
    if (this.closed || hopeless || w.attempt >= this.attempts) {
      this.o.metrics?.dropped.inc({ reason: 'write-failed' });
      this.log.warn('event-write-failed', { object: `${w.obj.kind} ${w.obj.namespace}/${w.obj.name}`, reason: w.reason, err: errText(err), attempts: w.attempt });
      return;
    }
    const t = this.clock.setTimeout(() => {
      this.timers.delete(t);
      // A newer occurrence may be waiting already: it carries the latest count.
      if (!this.queue.has(w.key) && this.queue.size < this.cap) this.queue.set(w.key, w);
      this.pump();
      this.notifyIdle();
    }, 1000 * 2 ** (w.attempt - 1));
    this.timers.add(t);
  }

  private body(w: Write): CoreV1Event {
    const first = new Date(w.firstWall);
    return {
      metadata: { name: w.name, namespace: w.obj.namespace },
      involvedObject: { apiVersion: w.obj.apiVersion, kind: w.obj.kind, namespace: w.obj.namespace, name: w.obj.name, uid: w.obj.uid },
      type: w.type,
      reason: w.reason,
      message: w.message,
      count: w.count,
      firstTimestamp: first,
      lastTimestamp: new Date(w.lastWall),
      source: { component: this.component, host: this.instance },
      reportingComponent: this.component,
      reportingInstance: this.instance,
    };
  }
}

/** What is wrong with an Event before it is sent, or undefined. */
function invalid(obj: ObjectRef, reason: string): string | undefined {
  if (obj.name === '') return 'involvedObject.name is empty';
  if (obj.namespace === '') return 'involvedObject.namespace is empty (an Event lives in its object\'s namespace)';
  if (reason === '') return 'reason is empty';
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(reason)) return `reason ${JSON.stringify(reason)} is not UpperCamelCase`;
  return undefined;
}
