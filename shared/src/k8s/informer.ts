// An informer that stays up. client-node's ListWatch stops for good on any error other than a
// 410 (a dropped connection, a 500); this wrapper restarts it with backoff, keeps the cache, and
// says when the first list has landed (synced). Handlers should only enqueue keys. Its lists are
// paged (500 per page, following metadata.continue; see paged-list.ts).
//
// A failure is logged once per episode: the first failure of a kind (api-error.ts: a resource
// not served, e.g. a CRD not installed yet; 429; another HTTP error; no answer) is a warning that
// says what it means, the retries after it are debug lines, and the recovery is one info line
// with how many attempts failed and for how long. A 429 waits at least its Retry-After.
//
// Cached objects are trimmed of managedFields and kubectl's last-applied copy, then of what the
// informer's reader does not read (the `trim` option; trim.ts).
import { makeInformer, type Informer, type KubeConfig, type KubernetesObject, type ObjectCache } from '@kubernetes/client-node';
import type { Clock, TimerHandle } from '../clock.js';
import type { Logger } from '../log.js';
import { errText } from './leader-election.js';
import { classifyApiError, describeApiFailure, type ApiFailureType } from './api-error.js';
import { listAllPages, type ListPageFn } from './paged-list.js';
import { trimObject, type Trim } from './trim.js';

export interface ResilientInformerOptions<T extends KubernetesObject> {
  readonly name: string;
  readonly kubeConfig: KubeConfig;
  /** API path, e.g. /api/v1/services or /apis/herald.dev/v1beta1/namespaces/herald-system/ipaddresspools */
  readonly path: string;
  /**
   * One page of the list: pass the page through, e.g. `(p) => core.listServiceForAllNamespaces(p)`.
   * (A function that ignores its argument still works, unpaged.)
   */
  readonly list: ListPageFn<T>;
  /** Items per page (default 500). */
  readonly pageSize?: number;
  readonly labelSelector?: string;
  /**
   * Removes, in place and before any handler or the cache sees the object, what this informer's
   * reader never reads (trim.ts: trimServiceForSpeaker, trimSliceForSpeaker, ...). Objects from
   * such an informer must never be written back whole.
   */
  readonly trim?: Trim<T>;
  readonly clock: Clock;
  readonly log: Logger;
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
}

export type InformerEvent = 'add' | 'update' | 'delete';

export class ResilientInformer<T extends KubernetesObject> {
  private readonly inner: Informer<T> & ObjectCache<T>;
  private synced = false;
  private stopped = true;
  private failures = 0;
  private restartTimer: TimerHandle | undefined;
  private syncWaiters: (() => void)[] = [];
  /** The failure episode under way: its kind (logged once) and when it began. */
  private episode: { type: ApiFailureType; since: number } | undefined;

  constructor(private readonly o: ResilientInformerOptions<T>) {
    const list = () =>
      listAllPages(o.list, {
        limit: o.pageSize,
        onRestart: (restart, err) => o.log.warn('informer-list-restarted', { informer: o.name, restart, err: errText(err) }),
      });
    this.inner = makeInformer(o.kubeConfig, o.path, list, o.labelSelector);
    // Registered first, so it runs before every other handler: client-node caches the very object
    // it hands the handlers, so trimming it here trims the cache (trim.ts).
    const extra = o.trim;
    const trim =
      extra === undefined
        ? trimObject
        : (obj: T): void => {
            trimObject(obj);
            extra(obj);
          };
    this.inner.on('add', trim);
    this.inner.on('update', trim);
    this.inner.on('error', (err: unknown) => this.onError(err));
  }

  on(ev: InformerEvent, cb: (obj: T) => void): void {
    this.inner.on(ev, cb);
  }

  get hasSynced(): boolean {
    return this.synced;
  }

  list(namespace?: string): readonly T[] {
    return this.inner.list(namespace);
  }

  get(name: string, namespace?: string): T | undefined {
    return this.inner.get(name, namespace);
  }

  /** Starts, and resolves once the first list has been cached (retrying as long as it takes). */
  async start(): Promise<void> {
    this.stopped = false;
    await this.attempt();
    if (!this.synced) await new Promise<void>((resolve) => this.syncWaiters.push(resolve));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.restartTimer) this.o.clock.clearTimeout(this.restartTimer);
    await this.inner.stop();
  }

  private async attempt(): Promise<void> {
    if (this.stopped) return;
    const failuresBefore = this.failures;
    let threw = false;
    try {
      await this.inner.start();
    } catch (err) {
      threw = true;
      this.onError(err);
    }
    if (!threw && this.failures === failuresBefore) {
      if (this.episode !== undefined) {
        this.o.log.info('informer-recovered', { informer: this.o.name, failedAttempts: this.failures, failingForMs: Math.round(this.o.clock.now() - this.episode.since) });
        this.episode = undefined;
      }
      this.failures = 0;
    }
    if (!threw && this.failures === 0 && !this.synced) {
      this.synced = true;
      this.o.log.debug('informer-synced', { informer: this.o.name });
      const w = this.syncWaiters;
      this.syncWaiters = [];
      for (const f of w) f();
    }
  }

  private onError(err: unknown): void {
    if (this.stopped) return;
    this.failures++;
    const min = this.o.minBackoffMs ?? 200;
    const max = this.o.maxBackoffMs ?? 30_000;
    const failure = classifyApiError(err);
    const backoff = Math.min(max, min * 2 ** Math.min(this.failures - 1, 16));
    const delay = failure.type === 'too-many-requests' && failure.retryAfterMs !== undefined ? Math.max(backoff, Math.min(max, failure.retryAfterMs)) : backoff;
    const fields = { informer: this.o.name, path: this.o.path, failure: failure.type, err: describeApiFailure(failure, this.o.path), retryInMs: delay };
    if (this.episode?.type === failure.type) {
      this.o.log.debug('informer-error', { ...fields, attempt: this.failures });
    } else {
      this.episode = { type: failure.type, since: this.episode?.since ?? this.o.clock.now() };
      this.o.log.warn('informer-error', { ...fields, raw: errText(err), note: 'retrying with backoff; further failures of this kind are logged at debug until it recovers' });
    }
    if (this.restartTimer) this.o.clock.clearTimeout(this.restartTimer);
    this.restartTimer = this.o.clock.setTimeout(() => {
      this.restartTimer = undefined;
      void this.attempt();
    }, delay);
  }
}
