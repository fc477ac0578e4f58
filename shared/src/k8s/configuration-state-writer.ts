// Writes a component's ConfigurationState (`<component>` or `<component>-<node>`): only when the
// reported result changes, and not when the stored object already says it. A failed write is
// retried with backoff (a 429's Retry-After honoured) until it lands or a newer result replaces
// it, so a missing CRD or a shedding API server delays the report but never loses it. Each kind
// of failure is logged once per episode (warn), its repeats at debug, and the recovery at info.
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { systemClock, type Clock, type TimerHandle } from '../clock.js';
import type { Logger } from '../log.js';
import { API_VERSION, GROUP, VERSION } from '../api/constants.js';
import { formatConfigError } from '../config/model.js';
import type { ConfigState } from './config-watcher.js';
import { classifyApiError, describeApiFailure, isObjectNotFound, type ApiFailureType } from './api-error.js';
import { errText } from './leader-election.js';
import { mergePatch } from './patch.js';
import { Gauge, type Registry } from '../metrics.js';

export interface ConfigurationStateWriterOptions {
  readonly clock?: Clock;
  /** First retry delay (default 500 ms); doubles per failure up to maxBackoffMs (default 30 s). */
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Where `herald_config_valid` goes (1 while the config in force is valid, 0 while invalid). */
  readonly registry?: Registry;
}

interface Wanted {
  readonly key: string;
  readonly status: Record<string, string>;
}

export class ConfigurationStateWriter {
  /** The result the stored object is known to hold. */
  private last: string | undefined;
  private wanted: Wanted | undefined;
  private retry: TimerHandle | undefined;
  private writing = false;
  private failures = 0;
  private episode: { type: ApiFailureType; since: number } | undefined;
  private closed = false;
  private readonly clock: Clock;
  private readonly valid: Gauge<'configurationstate'> | undefined;

  constructor(
    private readonly kc: KubeConfig,
    private readonly namespace: string,
    private readonly component: string,
    private readonly node: string | undefined,
    private readonly log: Logger,
    private readonly opts: ConfigurationStateWriterOptions = {},
  ) {
    this.clock = opts.clock ?? systemClock;
    this.valid = opts.registry
      ? new Gauge({
          name: 'herald_config_valid',
          help: 'Whether the configuration this component read last is valid (1) or invalid (0: the last good one stays in force; the ConfigurationState object named in the label says why). No series before the first reading.',
          labelNames: ['configurationstate'],
          registers: [opts.registry],
        })
      : undefined;
  }

  get name(): string {
    return this.node ? `${this.component}-${this.node}` : this.component;
  }

  /** Reports the state now in force. Resolves after the first attempt (retries go on after). */
  async report(state: ConfigState): Promise<void> {
    const errors = state.type === 'valid' ? [] : state.errors;
    const result = errors.length === 0 ? 'Valid' : 'Invalid';
    this.valid?.set({ configurationstate: this.name }, errors.length === 0 ? 1 : 0);
    const errorSummary = errors.map(formatConfigError).join('\n');
    const key = `${result}\n${errorSummary}`;
    if (key === this.last && this.wanted === undefined) return;
    const status: Record<string, string> = {
      result,
      errorSummary,
      component: this.component,
      ...(this.node ? { node: this.node } : {}),
      lastTransitionTime: new Date().toISOString(),
    };
    this.wanted = key === this.last ? undefined : { key, status };
    if (this.retry !== undefined) {
      this.clock.clearTimeout(this.retry);
      this.retry = undefined;
    }
    await this.flush();
  }

  /** Stops retrying (the component is stopping). */
  close(): void {
    this.closed = true;
    if (this.retry !== undefined) this.clock.clearTimeout(this.retry);
    this.retry = undefined;
  }

  private async flush(): Promise<void> {
    // One write at a time; a report during a write is picked up when it ends.
    if (this.writing || this.closed) return;
    const w = this.wanted;
    if (w === undefined) return;
    this.writing = true;
    try {
      await this.write(w);
      this.last = w.key;
      if (this.wanted === w) this.wanted = undefined;
      this.recovered();
    } catch (err) {
      this.failed(err);
      return;
    } finally {
      this.writing = false;
    }
    if (this.wanted !== undefined) await this.flush();
  }

  private async write(w: Wanted): Promise<void> {
    const api = this.kc.makeApiClient(CustomObjectsApi);
    const ref = { group: GROUP, version: VERSION, namespace: this.namespace, plural: 'configurationstates', name: this.name };
    try {
      const cur = (await api.getNamespacedCustomObject(ref)) as { status?: { result?: unknown; errorSummary?: unknown } };
      // Already says so (a restart, or another replica wrote it): nothing to write.
      const summary = cur.status?.errorSummary ?? '';
      if (typeof cur.status?.result === 'string' && typeof summary === 'string' && `${cur.status.result}\n${summary}` === w.key) return;
    } catch (err) {
      // Only "no such object" means create it; a resource not served (no CRD) is a failure.
      if (!isObjectNotFound(err)) throw err;
      await api.createNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace: this.namespace,
        plural: 'configurationstates',
        body: { apiVersion: API_VERSION, kind: 'ConfigurationState', metadata: { name: this.name, namespace: this.namespace } },
      });
    }
    await api.patchNamespacedCustomObjectStatus({ ...ref, body: { status: w.status } }, mergePatch);
  }

  private failed(err: unknown): void {
    const failure = classifyApiError(err);
    this.failures++;
    const min = this.opts.minBackoffMs ?? 500;
    const max = this.opts.maxBackoffMs ?? 30_000;
    const backoff = Math.min(max, min * 2 ** Math.min(this.failures - 1, 16));
    const delay = failure.type === 'too-many-requests' && failure.retryAfterMs !== undefined ? Math.max(backoff, Math.min(max, failure.retryAfterMs)) : backoff;
    const fields = { name: this.name, failure: failure.type, why: describeApiFailure(failure, `configurationstates ${this.namespace}/${this.name}`), retryInMs: delay };
    if (this.episode?.type === failure.type) {
      this.log.debug('configuration-state-write-failed', { ...fields, attempt: this.failures });
    } else {
      this.episode = { type: failure.type, since: this.episode?.since ?? this.clock.now() };
      this.log.warn('configuration-state-write-failed', { ...fields, raw: errText(err), note: 'retrying with backoff; further failures of this kind are logged at debug until it recovers' });
    }
    if (this.closed) return;
    this.retry = this.clock.setTimeout(() => {
      this.retry = undefined;
      void this.flush();
    }, delay);
  }

  private recovered(): void {
    if (this.episode !== undefined) {
      this.log.info('configuration-state-written', { name: this.name, failedAttempts: this.failures, failingForMs: Math.round(this.clock.now() - this.episode.since) });
    }
    this.episode = undefined;
    this.failures = 0;
  }
}
