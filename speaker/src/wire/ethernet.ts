// Ethernet II frames: MAC addresses, EtherTypes, and 802.1Q / 802.1ad tags (skipped on decode,
// their VLAN ids kept). Pure: no sockets.
import { Cursor, WireError } from './cursor.js';

export const EtherType = {
  IPv4: 0x0800,
  ARP: 0x0806,
  IPv6: 0x86dd,
  VLAN: 0x8100,
  QinQ: 0x88a8,
} as const;

export const ETHERNET_HEADER_LEN = 14;

/** An immutable 48-bit MAC address. */
export class MAC {
  private constructor(private readonly bytes: Buffer) {}

  static readonly broadcast = new MAC(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]));
  static readonly zero = new MAC(Buffer.alloc(6));

  static parse(s: string): MAC {
    const m = /^([0-9a-fA-F]{2})([:-][0-9a-fA-F]{2}){5}$/.exec(s.trim());
    if (!m) throw new Error(`invalid MAC address ${JSON.stringify(s)}`);
    return new MAC(Buffer.from(s.trim().split(/[:-]/).map((x) => parseInt(x, 16))));
  }

  static fromBytes(b: Uint8Array): MAC {
    if (b.length !== 6) throw new WireError({ type: 'bad-length', what: 'MAC address', value: b.length });
    return new MAC(Buffer.from(b));
  }

  toBytes(): Buffer {
    return Buffer.from(this.bytes);
  }

  copyTo(out: Buffer, offset: number): void {
    this.bytes.copy(out, offset);
  }

  equals(o: MAC): boolean {
    return this.bytes.equals(o.bytes);
  }

  get isMulticast(): boolean {
    return (this.bytes[0]! & 1) === 1;
  }

  get isBroadcast(): boolean {
    return this.equals(MAC.broadcast);
  }

  toString(): string {
    return [...this.bytes].map((x) => x.toString(16).padStart(2, '0')).join(':');
  }

  toJSON(): string {
    return this.toString();
  }
}

export interface EthernetFrame {
  readonly dst: MAC;
  readonly src: MAC;
  /** The EtherType after any VLAN tags. */
  readonly etherType: number;
  /** VLAN ids of the tags that were skipped, outermost first. */
  readonly vlans: readonly number[];
  /** The payload as a view into the frame (may include Ethernet padding). */
  readonly payload: Buffer;
}

const MAX_TAGS = 2;

export function decodeEthernet(frame: Uint8Array): EthernetFrame {
  const c = Cursor.of(frame, 'Ethernet header');
  const dst = MAC.fromBytes(c.bytes(6));
  const src = MAC.fromBytes(c.bytes(6));
  let etherType = c.u16();
  const vlans: number[] = [];
  while (etherType === EtherType.VLAN || etherType === EtherType.QinQ) {
    if (vlans.length === MAX_TAGS) throw new WireError({ type: 'unsupported', what: 'Ethernet: more VLAN tags than', value: MAX_TAGS });
    vlans.push(c.u16() & 0x0fff);
    etherType = c.u16();
  }
  if (etherType < 0x0600) throw new WireError({ type: 'unsupported', what: 'Ethernet: 802.3 length field, not an EtherType', value: etherType });
  return { dst, src, etherType, vlans, payload: c.rest() };
}

export function encodeEthernet(f: { dst: MAC; src: MAC; etherType: number; payload: Uint8Array; vlan?: number }): Buffer {
  const tag = f.vlan === undefined ? 0 : 4;
  const out = Buffer.alloc(ETHERNET_HEADER_LEN + tag + f.payload.length);
  f.dst.copyTo(out, 0);
  f.src.copyTo(out, 6);
  let o = 12;
  if (f.vlan !== undefined) {
    out.writeUInt16BE(EtherType.VLAN, o);
    out.writeUInt16BE(f.vlan & 0x0fff, o + 2);
    o += 4;
  }
  out.writeUInt16BE(f.etherType, o);
  out.set(f.payload, o + 2);
  return out;
}
