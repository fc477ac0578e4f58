// Creates and renews this speaker's own Lease `herald-speaker-<node>` in Herald's namespace. Each
// success reports (send time, new resourceVersion) so the liveness core can fence on failed
// renewals and recognise the renewal's echo through the informer (its "fresh view" marker).
import { V1MicroTime, type CoordinationV1Api, type V1Lease } from '@kubernetes/client-node';
import type { Clock, TimerHandle } from '@herald/shared/clock';
import { errText, isObjectNotFound } from '@herald/shared/k8s';
import type { Logger } from '@herald/shared/log';
import { SPEAKER_LEASE_LABEL, SPEAKER_LEASE_LABEL_VALUE, speakerLeaseName } from './member-facts.js';

export type LeaseApi = Pick<CoordinationV1Api, 'readNamespacedLease' | 'replaceNamespacedLease' | 'createNamespacedLease'>;

export interface LeaseKeeperOptions {
  readonly api: LeaseApi;
  readonly namespace: string;
  readonly node: string;
  readonly clock: Clock;
  readonly log: Logger;
  /** Default 10 s: with 1-2 members, failover waits for this (more members use heartbeats). */
  readonly leaseDurationSeconds?: number;
  /** Default 2 s. */
  readonly renewPeriodMs?: number;
  /** Wall-clock time for the Lease's timestamps (defaults to Date.now). */
  readonly wallNow?: () => number;
  readonly onRenewed: (sentAt: number, renewKey: string) => void;
}

export type RenewOutcome =
  | { readonly type: 'created'; readonly renewKey: string }
  | { readonly type: 'renewed'; readonly renewKey: string }
  | { readonly type: 'failed'; readonly error: string };

export class LeaseKeeper {
  private timer: TimerHandle | undefined;
  private stopped = true;
  private failures = 0;
  readonly name: string;

  constructor(private readonly o: LeaseKeeperOptions) {
    this.name = speakerLeaseName(o.node);
  }

  get durationSeconds(): number {
    return this.o.leaseDurationSeconds ?? 10;
  }

  get renewPeriodMs(): number {
    return this.o.renewPeriodMs ?? 2000;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.tick();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** One create-or-renew; never throws. */
  async renewOnce(): Promise<RenewOutcome> {
    const { api, namespace, node, clock } = this.o;
    const name = this.name;
    const sentAt = clock.now();
    const wall = new V1MicroTime((this.o.wallNow ?? Date.now)());
    try {
      let lease: V1Lease | undefined;
      try {
        lease = await api.readNamespacedLease({ name, namespace });
      } catch (err) {
        if (!isObjectNotFound(err)) throw err;
      }
      let out: V1Lease;
      let type: 'created' | 'renewed';
      if (!lease) {
        out = await api.createNamespacedLease({
          namespace,
          body: {
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: { name, namespace, labels: { [SPEAKER_LEASE_LABEL]: SPEAKER_LEASE_LABEL_VALUE } },
            spec: { holderIdentity: node, leaseDurationSeconds: this.durationSeconds, acquireTime: wall, renewTime: wall },
          },
        });
        type = 'created';
      } else {
        const spec = { ...lease.spec, holderIdentity: node, leaseDurationSeconds: this.durationSeconds, renewTime: wall };
        if (lease.spec?.holderIdentity !== node) spec.acquireTime = wall;
        // The resourceVersion from our read guards the write; a conflict just retries next tick.
        // Keep our selector label even on a Lease created by someone else (or an older version).
        const metadata = { ...lease.metadata, labels: { ...lease.metadata?.labels, [SPEAKER_LEASE_LABEL]: SPEAKER_LEASE_LABEL_VALUE } };
        out = await api.replaceNamespacedLease({ name, namespace, body: { ...lease, metadata, spec } });
        type = 'renewed';
      }
      const renewKey = out.metadata?.resourceVersion;
      if (!renewKey) return { type: 'failed', error: 'response without metadata.resourceVersion' };
      this.o.onRenewed(sentAt, renewKey);
      return { type, renewKey };
    } catch (err) {
      return { type: 'failed', error: errText(err) };
    }
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    const r = await this.renewOnce();
    if (r.type === 'failed') {
      this.failures++;
      this.o.log.warn('speaker-lease-renew-failed', { lease: this.name, failures: this.failures, err: r.error });
    } else {
      if (this.failures > 0 || r.type === 'created') this.o.log.info('speaker-lease-ok', { lease: this.name, outcome: r.type, after: this.failures });
      this.failures = 0;
    }
    if (this.stopped) return;
    // After a failure retry sooner (a quarter period), so a short API blip costs little.
    const next = r.type === 'failed' ? Math.max(100, Math.floor(this.renewPeriodMs / 4)) : this.renewPeriodMs;
    this.timer = this.o.clock.setTimeout(() => void this.tick(), next);
  }
}
