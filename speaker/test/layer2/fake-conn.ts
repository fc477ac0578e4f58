// A PacketConn that records what is sent and lets a test inject received frames.
import type { PacketConn } from '../../src/sys/packet-socket.js';
import { MAC } from '../../src/wire/ethernet.js';

export class FakeConn implements PacketConn {
  readonly sent: Buffer[] = [];
  readonly groups = new Set<string>();
  closed = false;
  constructor(
    readonly ifname: string,
    readonly mac: MAC,
    readonly deliver: (frame: Buffer) => void,
  ) {}
  send(frame: Uint8Array): void {
    if (this.closed) throw new Error('closed');
    this.sent.push(Buffer.from(frame));
  }
  joinMulticast(mac: MAC): void {
    this.joins++;
    this.groups.add(mac.toString());
  }
  leaveMulticast(mac: MAC): void {
    this.leaves++;
    this.groups.delete(mac.toString());
  }
  allMulticast = false;
  /** Membership changes made (join, leave, all-multicast on or off): the syscalls a real socket makes. */
  get calls(): number {
    return this.joins + this.leaves + this.allMulticastCalls;
  }
  joins = 0;
  leaves = 0;
  allMulticastCalls = 0;
  setAllMulticast(on: boolean): void {
    this.allMulticast = on;
    this.allMulticastCalls++;
  }
  close(): void {
    this.closed = true;
  }
}

export function macFor(n: number): MAC {
  return MAC.parse(`02:00:00:00:00:${n.toString(16).padStart(2, '0')}`);
}
