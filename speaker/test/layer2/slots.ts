// Slots with a ranking the test chooses: the group's tiers descend in the given order, so the
// order given is the group's full ranking for any IP (and `top` its first TOP_K, as the main
// thread would send).
import { candidateGroup, TOP_K } from '../../src/election/index.js';
import type { L2Slot } from '../../src/layer2/owner-table.js';

export function rankedSlot(ip: string, ranked: readonly string[], interfaces: readonly string[] = [], k = TOP_K): L2Slot {
  const group = candidateGroup(
    ranked,
    ranked.map((_, i) => ranked.length - i),
  );
  return { ip, top: Array.from({ length: Math.min(k, ranked.length) }, (_, i) => i), group, interfaces };
}

/** The names of a slot's top, best first. */
export const topNames = (s: L2Slot): string[] => Array.from(s.top, (i) => s.group.names[i]!);
