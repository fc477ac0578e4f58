// Which invariants a chaos run enforces (fails on) by default, and which it only reports. The
// reasons are in README ("Chaos"); change both together.
import type { Invariant } from './observations.js';

export const ENFORCED_TODAY: readonly Invariant[] = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];

/** What a chaos run needs on the machine, per router. */
export const CHAOS_TOOLS = {
  bird: ['ip', 'nft', 'bird', 'birdc', 'nice'],
  frr: ['ip', 'nft', 'vtysh', 'nice'],
} as const;
