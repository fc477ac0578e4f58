// An L2 port that records what a speaker would announce, for speaker tests without raw sockets:
// it keeps the rankings the speaker sends in the same OwnerTable the packet thread uses, with
// the live set of the speaker's (static) membership, so `has(ip)` says what this node would
// answer ARP for.
import type { IP } from '@herald/shared';
import { OwnerTable, type L2Port, type L2Slot, type MembershipPort, type OwnedIP } from '@herald/speaker';

export class FakeL2 implements L2Port {
  private readonly table: OwnerTable;

  constructor(node: string, membership: MembershipPort) {
    this.table = new OwnerTable(node);
    this.table.setLiveness(membership.live(), membership.fenced());
    membership.onChange(() => this.table.setLiveness(membership.live(), membership.fenced()));
  }

  setL2(upserts: readonly L2Slot[], removes: readonly string[], reset = false): void {
    this.table.apply(upserts, reset ? this.table.keys() : removes);
  }

  interfaces(): string[] {
    return ['eth0'];
  }

  get owned(): OwnedIP[] {
    return this.table.owned();
  }

  has(ip: string): boolean {
    return this.owned.some((o) => o.ip.toString() === ip);
  }

  ownerOf(ip: IP): string | undefined {
    return this.table.ownerOf(ip.toString());
  }
}
