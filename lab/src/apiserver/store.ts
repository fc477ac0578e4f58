// The object store: one sorted map per group/resource keyed "namespace/name", a cluster-wide
// resourceVersion counter, a bounded history ring per resource (the watch window), the live
// watchers, and the snapshots paged lists read from. Each event is serialised once and the same
// string is written to every watcher. Stored objects are immutable, so a snapshot is an O(1)
// copy-on-write clone of a resource's map.

import { systemClock, type Clock } from '@herald/shared';
import { SortedMap } from './btree.js';
import type { JsonObject } from './json.js';
import { defaultSnapshotLimits, SnapshotSet, type SnapshotLimits } from './snapshots.js';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  readonly rv: number;
  readonly type: EventType;
  readonly obj: JsonObject;
  /** The previous object, for MODIFIED (selector transitions) and DELETED. */
  readonly old: JsonObject | undefined;
  /** JSON of obj, serialised once. */
  readonly json: string;
}

/** Where a watch writes. The store calls these synchronously, in RV order. */
export interface WatchSink {
  /** Namespace filter (undefined: all). */
  readonly namespace: string | undefined;
  matches(obj: JsonObject): boolean;
  /** Sends one line; returns false if the sink is overloaded and should be dropped. */
  send(line: string): boolean;
  close(): void;
  /** Renders an object for this watcher (a Table, another version); default: the stored JSON. */
  render?: (obj: JsonObject) => string;
}

/** One committed change, as persistence records it (json: the stored object, serialised once). */
export interface CommitRecord {
  readonly rv: number;
  readonly storeKey: string;
  readonly key: string;
  readonly type: EventType;
  readonly json: string;
}

/**
 * Every object of the store at one resourceVersion: what etcd holds. Trees are copy-on-write
 * clones, so taking an image is O(resources) and it never changes after.
 */
export interface StoreImage {
  readonly rv: number;
  readonly trees: ReadonlyMap<string, SortedMap<string, JsonObject>>;
}

export function eventLine(type: string, json: string): string {
  return `{"type":"${type}","object":${json}}\n`;
}

function nsOf(obj: JsonObject): string {
  const md = obj['metadata'];
  if (typeof md === 'object' && md !== null && !Array.isArray(md)) {
    const ns = md['namespace'];
    if (typeof ns === 'string') return ns;
  }
  return '';
}

/** What one watcher should see for one event, or undefined. */
export function deliver(sink: WatchSink, ev: StoreEvent): string | undefined {
  const objNs = nsOf(ev.obj);
  if (sink.namespace !== undefined && sink.namespace !== objNs) return undefined;
  const json = (): string => (sink.render === undefined ? ev.json : sink.render(ev.obj));
  const now = sink.matches(ev.obj);
  if (ev.type === 'ADDED') return now ? eventLine('ADDED', json()) : undefined;
  if (ev.type === 'DELETED') return now ? eventLine('DELETED', json()) : undefined;
  const before = ev.old !== undefined && sink.matches(ev.old);
  if (now && before) return eventLine('MODIFIED', json());
  if (now) return eventLine('ADDED', json());
  if (before && ev.old !== undefined) {
    // The old object, stamped with the event's resourceVersion, as kube-apiserver's cacher does.
    const md = ev.old['metadata'] as JsonObject;
    const old: JsonObject = { ...ev.old, metadata: { ...md, resourceVersion: String(ev.rv) } };
    return eventLine('DELETED', sink.render === undefined ? JSON.stringify(old) : sink.render(old));
  }
  return undefined;
}

class History {
  private readonly buf: (StoreEvent | undefined)[];
  private start = 0;
  private size = 0;
  /**
   * RV of the newest event that fell out of the window (0: none yet). A store restored at RV R
   * starts at R: it has no events from before, so a watch from an older RV must get 410.
   */
  evictedRv: number;

  constructor(private readonly capacity: number, floorRv: number) {
    this.buf = new Array<StoreEvent | undefined>(capacity);
    this.evictedRv = floorRv;
  }

  push(ev: StoreEvent): void {
    if (this.size === this.capacity) {
      this.evictedRv = this.buf[this.start]?.rv ?? this.evictedRv;
      this.buf[this.start] = ev;
      this.start = (this.start + 1) % this.capacity;
    } else {
      this.buf[(this.start + this.size) % this.capacity] = ev;
      this.size++;
    }
  }

  *since(rv: number): Generator<StoreEvent> {
    for (let i = 0; i < this.size; i++) {
      const ev = this.buf[(this.start + i) % this.capacity];
      if (ev !== undefined && ev.rv > rv) yield ev;
    }
  }
}

export class ResourceStore {
  readonly watchers = new Set<WatchSink>();
  readonly history: History;
  /** resourceVersion of this resource's newest commit (0: none since the store started). */
  lastRv = 0;
  constructor(capacity: number, floorRv: number, readonly objects = new SortedMap<string, JsonObject>()) {
    this.history = new History(capacity, floorRv);
  }
}

export interface StoreOptions {
  clock?: Clock;
  snapshots?: Partial<SnapshotLimits>;
  /** Starts from these objects at image.rv (a restart); the watch windows start empty there. */
  image?: StoreImage;
}

export class Store {
  private rv: number;
  private readonly floorRv: number;
  private readonly resources = new Map<string, ResourceStore>();
  private readonly clock: Clock;
  private readonly snapshots: SnapshotSet;
  /** Bytes of object JSON committed so far (what a snapshot pins grows with it). */
  private committedBytes = 0;
  /** Called after every committed change (persistence hooks in here). */
  onCommit: ((rec: CommitRecord) => void) | undefined;
  /** Per resource: called with (old, new) on every commit (undefined: created / deleted). */
  private readonly observers = new Map<string, ((old: JsonObject | undefined, next: JsonObject | undefined) => void)[]>();

  constructor(readonly historyWindow: number, initialRv = 0, opts: StoreOptions = {}) {
    this.rv = Math.max(initialRv, opts.image?.rv ?? 0);
    this.floorRv = this.rv;
    this.clock = opts.clock ?? systemClock;
    this.snapshots = new SnapshotSet({ ...defaultSnapshotLimits, ...opts.snapshots });
    for (const [sk, tree] of opts.image?.trees ?? []) this.resources.set(sk, new ResourceStore(historyWindow, this.floorRv, tree.clone()));
  }

  /** Every object at the current resourceVersion (O(resources): trees are cloned copy-on-write). */
  image(): StoreImage {
    const trees = new Map<string, SortedMap<string, JsonObject>>();
    for (const [sk, r] of this.resources) if (r.objects.size > 0) trees.set(sk, r.objects.clone());
    return { rv: this.rv, trees };
  }

  currentRv(): number {
    return this.rv;
  }

  /** resourceVersion of the newest commit to one resource (0: none since the store started). */
  lastRvOf(storeKey: string): number {
    return this.resources.get(storeKey)?.lastRv ?? 0;
  }

  resource(storeKey: string): ResourceStore {
    let r = this.resources.get(storeKey);
    if (r === undefined) {
      r = new ResourceStore(this.historyWindow, this.floorRv);
      this.resources.set(storeKey, r);
    }
    return r;
  }

  storeKeys(): string[] {
    return [...this.resources.keys()];
  }

  get(storeKey: string, key: string): JsonObject | undefined {
    return this.resources.get(storeKey)?.objects.get(key);
  }

  /** Objects sorted by key, optionally in one namespace. */
  list(storeKey: string, namespace: string | undefined): JsonObject[] {
    const r = this.resources.get(storeKey);
    if (r === undefined) return [];
    if (namespace === undefined) return [...r.objects.values()];
    const prefix = `${namespace}/`;
    const out: JsonObject[] = [];
    for (const [k, v] of r.objects.entries(prefix)) {
      if (!k.startsWith(prefix)) break;
      out.push(v);
    }
    return out;
  }

  /** Number of objects of a resource. */
  count(storeKey: string): number {
    return this.resources.get(storeKey)?.objects.size ?? 0;
  }

  /** The current objects of a resource (read only: never change the map). */
  current(storeKey: string): SortedMap<string, JsonObject> {
    return this.resource(storeKey).objects;
  }

  /** Keeps the current state of a resource as the snapshot at the current RV (O(1)). */
  keepSnapshot(storeKey: string): number {
    const r = this.resource(storeKey);
    this.snapshots.keep(storeKey, this.rv, () => r.objects.clone(), this.clock.now(), this.committedBytes);
    return this.rv;
  }

  /**
   * The objects of a resource at rv: the current map if rv is the current RV, a kept snapshot,
   * or undefined (never kept or already evicted: the caller answers 410).
   */
  snapshotAt(storeKey: string, rv: number): SortedMap<string, JsonObject> | undefined {
    if (rv === this.rv) return this.resource(storeKey).objects;
    return this.snapshots.find(storeKey, rv, this.clock.now(), this.committedBytes);
  }

  /** Snapshots kept and evicted so far (tests, benchmarks). */
  snapshotStats(): { kept: number; evicted: Readonly<Record<string, number>> } {
    return { kept: this.snapshots.size, evicted: { ...this.snapshots.evictions } };
  }

  /** Calls fn(old, new) on every later commit to storeKey (indexes kept beside the store). */
  observe(storeKey: string, fn: (old: JsonObject | undefined, next: JsonObject | undefined) => void): void {
    this.observers.set(storeKey, [...(this.observers.get(storeKey) ?? []), fn]);
  }

  /**
   * Commits a change: stamps the next resourceVersion, stores (or removes) the object, records the
   * event and sends it to every matching watcher. Returns the stored object and its JSON.
   */
  commit(storeKey: string, key: string, type: EventType, obj: JsonObject): { obj: JsonObject; json: string } {
    const r = this.resource(storeKey);
    const old = r.objects.get(key);
    const rv = ++this.rv;
    r.lastRv = rv;
    const md = (obj['metadata'] ?? {}) as JsonObject;
    const stored: JsonObject = { ...obj, metadata: { ...md, resourceVersion: String(rv) } };
    if (type === 'DELETED') r.objects.delete(key);
    else r.objects.set(key, stored);
    const json = JSON.stringify(stored);
    this.committedBytes += json.length;
    if (this.snapshots.size > 0) this.snapshots.sweep(this.clock.now(), this.committedBytes);
    for (const fn of this.observers.get(storeKey) ?? []) fn(old, type === 'DELETED' ? undefined : stored);
    const ev: StoreEvent = { rv, type, obj: stored, old, json };
    r.history.push(ev);
    for (const w of r.watchers) {
      const line = deliver(w, ev);
      if (line !== undefined && !w.send(line)) {
        r.watchers.delete(w);
        w.close();
      }
    }
    this.onCommit?.({ rv, storeKey, key, type, json });
    return { obj: stored, json };
  }

  /** Drops every object of a resource (CRD deletion), emitting DELETED for each. */
  dropAll(storeKey: string): void {
    const r = this.resources.get(storeKey);
    if (r === undefined) return;
    for (const [k, o] of [...r.objects.entries()]) this.commit(storeKey, k, 'DELETED', o);
    for (const w of r.watchers) w.close();
    r.watchers.clear();
    this.snapshots.drop(storeKey);
    this.resources.delete(storeKey);
  }

  /**
   * Starts a watch: replays what it must (ADDED for current objects when rv is undefined or 0,
   * else history after rv), then registers the sink. Returns the RV of the newest evicted event
   * if rv is too old (the caller answers 410), else undefined.
   */
  watch(storeKey: string, sink: WatchSink, rv: number | undefined): number | undefined {
    const r = this.resource(storeKey);
    if (rv === undefined || rv === 0) {
      for (const o of r.objects.values()) {
        if (sink.namespace !== undefined && nsOf(o) !== sink.namespace) continue;
        if (sink.matches(o)) sink.send(eventLine('ADDED', sink.render === undefined ? JSON.stringify(o) : sink.render(o)));
      }
    } else {
      if (rv < r.history.evictedRv) return r.history.evictedRv;
      for (const ev of r.history.since(rv)) {
        const line = deliver(sink, ev);
        if (line !== undefined) sink.send(line);
      }
    }
    r.watchers.add(sink);
    return undefined;
  }

  unwatch(storeKey: string, sink: WatchSink): void {
    this.resources.get(storeKey)?.watchers.delete(sink);
  }

  /** Closes every watcher (server shutdown). */
  closeAll(): void {
    for (const r of this.resources.values()) {
      for (const w of r.watchers) w.close();
      r.watchers.clear();
    }
  }
}
