// Which invariants a chaos run enforces (fails on) by default, which known open defects it counts
// and reports without failing, and why. README ("Chaos") says the same; change both together.
import type { Invariant } from './observations.js';
import { JOIN_STATUS_BOUND_MS, STALE_L2_STATUS, STATUS_LAG_ON_JOIN } from './invariants.js';

export const ENFORCED_TODAY: readonly Invariant[] = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];

/** Open defects chaos finds: a violation marked with one is counted and shown, never enforced. */
export const KNOWN_DEFECTS: Readonly<Record<string, string>> = {
  [STALE_L2_STATUS]:
    'a speaker that is killed, frozen or cut off keeps its ServiceL2Status objects until it runs (and reaches the API) again: each speaker deletes only its own, so while it is away the status names both it and the new owner',
  [STATUS_LAG_ON_JOIN]: `a restarted speaker answers ARP for the IPs that move back to it 1-2 s before it writes their ServiceL2Status (the old owners have deleted theirs, so no status names anyone); counted against its own bound of ${JOIN_STATUS_BOUND_MS / 1000} s (longer is enforced). Part of the join path of issue 14 item 3`,
};

/** What a chaos run needs on the machine, per router. */
export const CHAOS_TOOLS = {
  bird: ['ip', 'nft', 'bird', 'birdc', 'nice'],
  frr: ['ip', 'nft', 'vtysh', 'nice'],
} as const;
