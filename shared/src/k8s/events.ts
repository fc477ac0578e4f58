// Events on objects (core/v1), as an operator reads them with `kubectl describe`. Repeats of the
// same (object, reason, message) within ten minutes bump `count` instead of piling up.
import { type CoreV1Api, type CoreV1Event } from '@kubernetes/client-node';
import { mergePatch } from './patch.js';
import type { Logger } from '../log.js';
import { errText } from './leader-election.js';

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

export class K8sEventRecorder implements EventRecorder {
  private readonly recent = new Map<string, { name: string; count: number; at: number }>();

  constructor(
    private readonly api: CoreV1Api,
    private readonly component: string,
    private readonly instance: string,
    private readonly log: Logger,
    private readonly wallNow: () => number = Date.now,
  ) {}

  record(obj: ObjectRef, type: EventType, reason: string, message: string): void {
    void this.write(obj, type, reason, message).catch((err: unknown) =>
      this.log.warn('event-write-failed', { object: `${obj.namespace}/${obj.name}`, reason, err: errText(err) }),
    );
  }

  private async write(obj: ObjectRef, type: EventType, reason: string, message: string): Promise<void> {
    const now = this.wallNow();
    const key = `${obj.kind}/${obj.namespace}/${obj.name}/${obj.uid ?? ''}/${type}/${reason}/${message}`;
    const prev = this.recent.get(key);
    const ts = new Date(now);
    if (prev && now - prev.at < 10 * 60_000) {
      prev.count++;
      prev.at = now;
      try {
        await this.api.patchNamespacedEvent(
          { name: prev.name, namespace: obj.namespace, body: { count: prev.count, lastTimestamp: ts } },
          mergePatch,
        );
        return;
      } catch {
        this.recent.delete(key);
      }
    }
    if (this.recent.size > 4096) this.recent.clear();
    const name = `${obj.name}.${now.toString(16)}${Math.floor(Math.random() * 0xffff).toString(16)}`;
    const body: CoreV1Event = {
      metadata: { name, namespace: obj.namespace },
      involvedObject: { apiVersion: obj.apiVersion, kind: obj.kind, namespace: obj.namespace, name: obj.name, uid: obj.uid },
      type,
      reason,
      message,
      count: 1,
      firstTimestamp: ts,
      lastTimestamp: ts,
      source: { component: this.component, host: this.instance },
      reportingComponent: this.component,
      reportingInstance: this.instance,
    };
    await this.api.createNamespacedEvent({ namespace: obj.namespace, body });
    this.recent.set(key, { name, count: 1, at: now });
  }
}

