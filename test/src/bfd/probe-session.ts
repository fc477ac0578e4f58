// One BFD session the probe runs (probe-main.ts), as the tests give it (JSON on argv and stdin).
export interface ProbeSessionSpec {
  readonly key: string;
  /** The peer's address. */
  readonly peer: string;
  readonly local?: string;
  readonly multihop?: boolean;
  readonly intervalMs: number;
  readonly multiplier: number;
  readonly passive?: boolean;
  readonly minimumTtl?: number;
}
