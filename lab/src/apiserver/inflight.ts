// Admission by requests in flight, as kube-apiserver's max-in-flight filter does it: read-only and
// mutating requests each have a ceiling (--max-requests-inflight 400,
// --max-mutating-requests-inflight 200; 0 means no limit), long-running requests (watches) are
// never counted, and a request over its ceiling is rejected at once (the caller answers 429 with
// Retry-After: 1). A test-only rule can force rejections on top, so clients' 429 back-off can be
// tested against the embedded server. Pure: time comes from the injected Clock.

import type { Clock } from '@herald/shared';

/** How kube-apiserver classes a request for the in-flight limits. */
export type RequestClass = 'readonly' | 'mutating' | 'long-running';

export interface InflightLimits {
  /** --max-requests-inflight: read-only requests in flight at once (0: no limit). */
  readonly maxRequestsInflight: number;
  /** --max-mutating-requests-inflight: mutating requests in flight at once (0: no limit). */
  readonly maxMutatingRequestsInflight: number;
}

export const defaultInflightLimits: InflightLimits = { maxRequestsInflight: 400, maxMutatingRequestsInflight: 200 };

/**
 * Test-only: forced 429s. `every`: every nth request (the nth, 2nth, ...); `next`: the next n
 * requests; `window`: every request for ms from when the rule is set. Watches are spared unless
 * `watches` is true. `form` is what the reply looks like: `plain` as kube-apiserver's in-flight and
 * priority-and-fairness filters write it (text/plain), `status` a Status body (reason
 * TooManyRequests, details.retryAfterSeconds), as other 429s of kube-apiserver carry.
 */
export type ForcedRejections =
  | { readonly type: 'every'; readonly n: number; readonly watches?: boolean; readonly form?: TooManyForm }
  | { readonly type: 'next'; readonly n: number; readonly watches?: boolean; readonly form?: TooManyForm }
  | { readonly type: 'window'; readonly ms: number; readonly watches?: boolean; readonly form?: TooManyForm };

export type TooManyForm = 'plain' | 'status';

/** Why a request was turned away. */
export type Rejection = 'max-requests-inflight' | 'max-mutating-requests-inflight' | 'forced';

export type Admission =
  | { readonly type: 'admitted'; readonly release: () => void }
  | { readonly type: 'rejected'; readonly why: Rejection; readonly form: TooManyForm };

/** The class of a request from its method and whether it is a watch. */
export function classify(method: string, watch: boolean): RequestClass {
  if (watch) return 'long-running';
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS' ? 'readonly' : 'mutating';
}

export interface InflightStats {
  readonly inflight: { readonly readonly: number; readonly mutating: number };
  readonly rejected: Readonly<Record<Rejection, number>>;
}

const noop = (): void => undefined;

export class InflightLimiter {
  private readonly counts = { readonly: 0, mutating: 0 };
  private readonly rejected: Record<Rejection, number> = { 'max-requests-inflight': 0, 'max-mutating-requests-inflight': 0, forced: 0 };
  private forced: ForcedRejections | undefined;
  /** `every`: requests seen by the rule; `next`: rejections left; `window`: when it ends. */
  private forcedState = 0;

  constructor(private readonly limits: InflightLimits, private readonly clock: Clock) {}

  /** Sets (or, with undefined, clears) the forced-rejection rule. */
  force(rule: ForcedRejections | undefined): void {
    if (rule !== undefined && rule.type !== 'window' && !(Number.isInteger(rule.n) && rule.n > 0)) {
      throw new RangeError(`forced 429s: n must be a positive integer, got ${rule.n}`);
    }
    if (rule !== undefined && rule.type === 'window' && !(rule.ms > 0)) throw new RangeError(`forced 429s: ms must be positive, got ${rule.ms}`);
    this.forced = rule;
    this.forcedState = rule === undefined ? 0 : rule.type === 'every' ? 0 : rule.type === 'next' ? rule.n : this.clock.now() + rule.ms;
  }

  /**
   * Admits a request (call release() once it is answered) or says why it is rejected.
   * `spared`: the forced rule does not apply (health probes, /version).
   */
  admit(cls: RequestClass, spared = false): Admission {
    const forced = spared ? undefined : this.forcedRejects(cls);
    if (forced !== undefined) {
      this.rejected.forced++;
      return { type: 'rejected', why: 'forced', form: forced };
    }
    if (cls === 'long-running') return { type: 'admitted', release: noop };
    const limit = cls === 'readonly' ? this.limits.maxRequestsInflight : this.limits.maxMutatingRequestsInflight;
    if (limit > 0 && this.counts[cls] >= limit) {
      const why: Rejection = cls === 'readonly' ? 'max-requests-inflight' : 'max-mutating-requests-inflight';
      this.rejected[why]++;
      return { type: 'rejected', why, form: 'plain' };
    }
    this.counts[cls]++;
    let released = false;
    return {
      type: 'admitted',
      release: () => {
        if (released) return;
        released = true;
        this.counts[cls]--;
      },
    };
  }

  stats(): InflightStats {
    return { inflight: { ...this.counts }, rejected: { ...this.rejected } };
  }

  private forcedRejects(cls: RequestClass): TooManyForm | undefined {
    const rule = this.forced;
    if (rule === undefined || (cls === 'long-running' && rule.watches !== true)) return undefined;
    const form = rule.form ?? 'plain';
    switch (rule.type) {
      case 'every':
        this.forcedState++;
        return this.forcedState % rule.n === 0 ? form : undefined;
      case 'next':
        if (this.forcedState <= 0) return undefined;
        this.forcedState--;
        if (this.forcedState === 0) this.forced = undefined;
        return form;
      case 'window':
        if (this.clock.now() < this.forcedState) return form;
        this.forced = undefined;
        return undefined;
    }
  }
}
