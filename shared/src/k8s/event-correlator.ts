// What to do with an Event before it reaches the API server, as client-go's EventCorrelator
// (tools/record/events_cache.go) decides it. Pure: time comes in as arguments.
//
// 1. Aggregation: events that differ only in message (same source, object, type, reason) are
//    counted per 10-minute window; from the 10th distinct message on, they become one event
//    "(combined from similar events): <latest message>" whose count grows.
// 2. Deduplication: a repeat of an event already written bumps its `count` (a patch) instead of
//    creating another object.
// 3. Spam filter: each (source, object) has a token bucket of 25, refilled one per 5 minutes.
//    What it refuses is dropped (and the caller counts it); the repeats it refused still count
//    in the next event that passes, so `count` stays the number of occurrences.
import type { EventType, ObjectRef } from './events.js';
import { LruMap } from './lru.js';
import { fullBucket, take, type BucketRate, type TokenBucket } from './token-bucket.js';

export interface CorrelatorOptions {
  /** Distinct messages within the interval before similar events are combined (10). */
  readonly maxSimilar: number;
  /** Similar events further apart than this start a new window (10 minutes). */
  readonly similarIntervalMs: number;
  /** Per (source, object): burst 25, one more every 5 minutes. */
  readonly spam: BucketRate;
  /** Entries in each cache (4,096). */
  readonly cacheSize: number;
}

export const defaultCorrelatorOptions: CorrelatorOptions = {
  maxSimilar: 10,
  similarIntervalMs: 10 * 60_000,
  spam: { perSecond: 1 / 300, burst: 25 },
  cacheSize: 4096,
};

export const COMBINED_PREFIX = '(combined from similar events): ';

export interface EventSource {
  readonly component: string;
  readonly host: string;
}

export interface EventInput {
  readonly obj: ObjectRef;
  readonly type: EventType;
  readonly reason: string;
  readonly message: string;
}

export type Correlated =
  /** A new Event object named `name`. */
  | { readonly type: 'create'; readonly key: string; readonly name: string; readonly message: string; readonly count: number; readonly firstWall: number; readonly combined: boolean }
  /** The Event `name` already exists: set its count, message and lastTimestamp. */
  | { readonly type: 'patch'; readonly key: string; readonly name: string; readonly message: string; readonly count: number; readonly firstWall: number; readonly combined: boolean }
  /** The spam filter refused it. */
  | { readonly type: 'drop'; readonly why: 'spam-filter'; readonly key: string };

interface Similar {
  readonly messages: Set<string>;
  last: number;
}

interface Observed {
  readonly name: string;
  readonly count: number;
  readonly firstWall: number;
}

const sep = '\u0000';

export class EventCorrelator {
  private readonly o: CorrelatorOptions;
  private readonly similar: LruMap<string, Similar>;
  private readonly observed: LruMap<string, Observed>;
  private readonly spam: LruMap<string, TokenBucket>;
  private seq = 0;

  constructor(
    private readonly source: EventSource,
    o: Partial<CorrelatorOptions> = {},
  ) {
    this.o = { ...defaultCorrelatorOptions, ...o };
    this.similar = new LruMap(this.o.cacheSize);
    this.observed = new LruMap(this.o.cacheSize);
    this.spam = new LruMap(this.o.cacheSize);
  }

  /** `now`: a monotonic clock (windows, buckets); `wall`: epoch ms (names, timestamps). */
  correlate(e: EventInput, now: number, wall: number): Correlated {
    const objKey = [this.source.component, this.source.host, e.obj.kind, e.obj.namespace, e.obj.name, e.obj.uid ?? '', e.obj.apiVersion].join(sep);
    const similarKey = [objKey, e.type, e.reason].join(sep);

    let rec = this.similar.get(similarKey);
    if (!rec || now - rec.last > this.o.similarIntervalMs) rec = { messages: new Set(), last: now };
    rec.messages.add(e.message);
    rec.last = now;
    this.similar.set(similarKey, rec);
    let key = [similarKey, e.message].join(sep);
    let message = e.message;
    const combined = rec.messages.size >= this.o.maxSimilar;
    if (combined) {
      // Keep the set from growing: drop the oldest message (client-go drops an arbitrary one).
      const oldest = rec.messages.values().next();
      if (!oldest.done) rec.messages.delete(oldest.value);
      key = similarKey;
      message = COMBINED_PREFIX + e.message;
    }

    const prev = this.observed.get(key);
    const obs: Observed = prev ? { name: prev.name, count: prev.count + 1, firstWall: prev.firstWall } : { name: this.newName(e.obj.name, wall), count: 1, firstWall: wall };
    this.observed.set(key, obs);

    const b = take(this.spam.get(objKey) ?? fullBucket(this.o.spam, now), this.o.spam, now);
    this.spam.set(objKey, b.bucket);
    if (!b.ok) return { type: 'drop', why: 'spam-filter', key };
    return { type: prev ? 'patch' : 'create', key, name: obs.name, message, count: obs.count, firstWall: obs.firstWall, combined };
  }

  /**
   * The Event behind `key` is gone (expired on the server, or its create failed): the next
   * occurrence creates a new one, named `name` if given, counting on from `count`.
   */
  recreated(key: string, name: string, count: number, firstWall: number): void {
    this.observed.set(key, { name, count, firstWall });
  }

  /** A fresh name for an Event about `objName` (as client-go: <object>.<hex time>). */
  newName(objName: string, wall: number): string {
    this.seq = (this.seq + 1) % 0x10000;
    return `${objName}.${Math.floor(wall).toString(16)}${this.seq.toString(16).padStart(4, '0')}`;
  }
}
