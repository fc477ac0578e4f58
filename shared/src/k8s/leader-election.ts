// Leader election through a Lease. A replica leads only while its last successful renewal is
// younger than renewDeadline (< leaseDuration), so one that loses the API stops writing before
// another can take over. Writers call `isLeader()` right before every write.
import { ApiException, V1MicroTime, type CoordinationV1Api, type V1Lease } from '@kubernetes/client-node';
import type { Clock, TimerHandle } from '../clock.js';
import type { Logger } from '../log.js';
import { decideLease, type LeaseView } from './lease-decision.js';
import { isObjectNotFound } from './api-error.js';

export interface LeaderElectorOptions {
  readonly api: CoordinationV1Api;
  readonly namespace: string;
  readonly name: string;
  readonly identity: string;
  readonly clock: Clock;
  readonly log: Logger;
  readonly leaseDurationSeconds?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
  /** Wall-clock time for the Lease's timestamps (defaults to Date.now). */
  readonly wallNow?: () => number;
  readonly onStartedLeading?: () => void;
  readonly onStoppedLeading?: () => void;
}

export class LeaderElector {
  private leading = false;
  private lastRenewAt = -Infinity;
  private observed: { key: string; at: number } | undefined;
  private timer: TimerHandle | undefined;
  private stopped = false;
  private readonly durationS: number;
  private readonly renewDeadlineMs: number;
  private readonly retryMs: number;

  constructor(private readonly o: LeaderElectorOptions) {
    this.durationS = o.leaseDurationSeconds ?? 15;
    this.renewDeadlineMs = o.renewDeadlineMs ?? Math.floor(this.durationS * 1000 * (2 / 3));
    this.retryMs = o.retryPeriodMs ?? 2000;
    if (this.renewDeadlineMs >= this.durationS * 1000) throw new Error('renewDeadline must be shorter than leaseDuration');
  }

  /** True only while the last renewal is fresh: check it right before each write. */
  isLeader(): boolean {
    if (this.leading && this.o.clock.now() - this.lastRenewAt > this.renewDeadlineMs) this.setLeading(false, 'renew-deadline-passed');
    return this.leading;
  }

  start(): void {
    this.stopped = false;
    void this.tick();
  }

  /** Stops trying; if leading, releases the Lease so another replica takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) this.o.clock.clearTimeout(this.timer);
    if (!this.leading) return;
    this.setLeading(false, 'stopped');
    try {
      const lease = await this.o.api.readNamespacedLease({ name: this.o.name, namespace: this.o.namespace });
      if (lease.spec?.holderIdentity === this.o.identity) {
        lease.spec.holderIdentity = undefined;
        lease.spec.leaseDurationSeconds = 1;
        await this.o.api.replaceNamespacedLease({ name: this.o.name, namespace: this.o.namespace, body: lease });
      }
    } catch (err) {
      this.o.log.warn('lease-release-failed', { lease: this.o.name, err });
    }
  }

  private setLeading(v: boolean, reason: string): void {
    if (v === this.leading) return;
    this.leading = v;
    this.o.log.info(v ? 'leader-elected' : 'leader-lost', { lease: this.o.name, identity: this.o.identity, reason });
    if (v) this.o.onStartedLeading?.();
    else this.o.onStoppedLeading?.();
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = this.o.clock.setTimeout(() => void this.tick(), ms);
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.tryAcquireOrRenew();
    } catch (err) {
      this.o.log.warn('lease-update-failed', { lease: this.o.name, err: errText(err) });
    }
    this.isLeader();
    this.schedule(this.retryMs);
  }

  private async tryAcquireOrRenew(): Promise<void> {
    const { api, namespace, name, identity, clock } = this.o;
    let lease: V1Lease | undefined;
    try {
      lease = await api.readNamespacedLease({ name, namespace });
    } catch (err) {
      if (!isObjectNotFound(err)) throw err;
    }
    const view = lease ? viewOf(lease) : undefined;
    // Any write to the Lease (a renewal) bumps its resourceVersion: that, not renewTime (which two
    // fast renewals can share), tells us the holder is still renewing.
    const key = view ? `${view.holder ?? ''}@${view.renewTimeMs ?? ''}@${lease?.metadata?.resourceVersion ?? ''}` : '';
    const now = clock.now();
    if (!this.observed || this.observed.key !== key) this.observed = { key, at: now };
    const d = decideLease(view, identity, now, this.observed.at);
    if (d.type === 'wait') {
      if (this.leading) this.setLeading(false, `held-by-${d.holder}`);
      return;
    }
    const wall = new V1MicroTime((this.o.wallNow ?? Date.now)());
    const sentAt = clock.now();
    if (d.type === 'create') {
      await api.createNamespacedLease({
        namespace,
        body: {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name, namespace },
          spec: { holderIdentity: identity, leaseDurationSeconds: this.durationS, acquireTime: wall, renewTime: wall, leaseTransitions: 0 },
        },
      });
    } else {
      const spec = lease!.spec ?? {};
      if (d.type === 'acquire') {
        spec.acquireTime = wall;
        spec.leaseTransitions = (spec.leaseTransitions ?? 0) + 1;
      }
      spec.holderIdentity = identity;
      spec.leaseDurationSeconds = this.durationS;
      spec.renewTime = wall;
      // The resourceVersion from our read guards the write: a racing replica gets 409.
      await api.replaceNamespacedLease({ name, namespace, body: { ...lease!, spec } });
    }
    this.lastRenewAt = sentAt;
    this.setLeading(true, d.type);
  }
}

function viewOf(lease: V1Lease): LeaseView {
  const renew = lease.spec?.renewTime;
  return {
    holder: lease.spec?.holderIdentity || undefined,
    renewTimeMs: renew ? new Date(renew).getTime() : undefined,
    leaseDurationSeconds: lease.spec?.leaseDurationSeconds,
    transitions: lease.spec?.leaseTransitions ?? 0,
  };
}

export function errText(err: unknown): string {
  if (err instanceof ApiException) return `HTTP ${err.code}: ${typeof err.body === 'string' ? err.body : JSON.stringify(err.body)}`;
  return err instanceof Error ? err.message : String(err);
}
