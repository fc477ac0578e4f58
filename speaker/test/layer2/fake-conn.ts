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
    this.groups.add(mac.toString());
  }
  leaveMulticast(mac: MAC): void {
    this.groups.delete(mac.toString());
  }
  close(): void {
    this.closed = true;
  }
}

export function macFor(n: number): MAC {
  return MAC.parse(`02:00:00:00:00:${n.toString(16).padStart(2, '0')}`);
}
