// An L2 sink that records what a speaker would announce, for speaker tests without raw sockets.
import type { IP } from '@herald/shared';
import type { L2Sink, OwnedIP } from '@herald/speaker';

export class FakeL2 implements L2Sink {
  owned: OwnedIP[] = [];
  setOwned(entries: readonly OwnedIP[]): { added: IP[]; removed: IP[] } {
    this.owned = [...entries];
    return { added: [], removed: [] };
  }
  interfaces(): string[] {
    return ['eth0'];
  }
  has(ip: string): boolean {
    return this.owned.some((o) => o.ip.toString() === ip);
  }
}
