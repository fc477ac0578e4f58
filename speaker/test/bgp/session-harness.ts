// A SessionCore on a FakeClock with a fake socket side, for the session-core and pacing tests.
import { FakeClock, IP, Prefix } from '@herald/shared';
import type { Advertisement } from '../../src/bgp/advertisement.js';
import { SessionCore } from '../../src/bgp/session-core.js';
import { BgpFramer, decodeMessage, encodeMessage, type BgpMessage, type UpdateMessage } from '../../src/wire/bgp/index.js';
import { cfg, peerOpen } from './fsm.test.js';

/**
 * A fake socket side: decodes what the core writes, in order. Like net.Socket, write() returns
 * false once `capacity` bytes are buffered (it still keeps the bytes); drain() empties the buffer
 * and tells the core, as the 'drain' event does.
 */
export class FakeIO {
  connects = 0;
  closes = 0;
  out: BgpMessage[] = [];
  /** Sizes of each write() call. */
  writes: number[] = [];
  capacity = Infinity;
  buffered = 0;
  /** Largest `buffered` seen: how much sat in user space at worst. */
  maxBuffered = 0;
  core: SessionCore | undefined;
  private framer = new BgpFramer();
  connect(): void {
    this.connects++;
    this.framer = new BgpFramer();
  }
  write(b: Buffer): boolean {
    this.writes.push(b.length);
    for (const f of this.framer.push(b)) this.out.push(decodeMessage(f, { fourOctetAs: true }));
    this.buffered += b.length;
    this.maxBuffered = Math.max(this.maxBuffered, this.buffered);
    return this.buffered < this.capacity;
  }
  close(): void {
    this.closes++;
  }
  nextHops(local: IP) {
    return { 4: [local], 6: [IP.parse('2001:db8::11')] };
  }
  take(): BgpMessage[] {
    const o = this.out;
    this.out = [];
    return o;
  }
  drain(): void {
    this.buffered = 0;
    this.core?.drained();
  }
}

export const enc = (m: BgpMessage) => encodeMessage(m, { fourOctetAs: true });
export const adv = (ps: string[], extra: Partial<Advertisement> = {}) => new Map(ps.map((p) => [p, { prefix: Prefix.parse(p), ...extra }]));

export function setup(ibgp = false) {
  const clock = new FakeClock();
  const io = new FakeIO();
  const c = ibgp ? { ...cfg, peerAS: cfg.localAS } : cfg;
  const core = new SessionCore({ fsm: c, ibgp, clock, io });
  io.core = core;
  const states: string[] = [];
  core.onState((s) => states.push(s));
  const establish = () => {
    core.connected(IP.parse('192.0.2.11'));
    const asn = ibgp ? cfg.localAS : cfg.peerAS;
    const caps = [{ type: 'multiprotocol', afi: 1, safi: 1 }, { type: 'multiprotocol', afi: 2, safi: 1 }, { type: 'route-refresh' }, { type: 'four-octet-as', asn }] as const;
    core.data(enc(peerOpen({ myAS: asn, capabilities: caps })));
    core.data(enc({ type: 'keepalive' }));
  };
  /** Lets the pump run (it works on 0 ms timers) without moving time. */
  const flush = () => clock.advance(0);
  return { clock, io, core, states, establish, flush };
}

export const updates = (ms: BgpMessage[]) => ms.filter((m): m is UpdateMessage => m.type === 'update');
export const announced = (ms: BgpMessage[]) => updates(ms).flatMap((u) => [...u.nlri, ...(u.attributes.mpReach?.nlri ?? [])].map(String));
export const withdrawn = (ms: BgpMessage[]) => updates(ms).flatMap((u) => [...u.withdrawn, ...(u.attributes.mpUnreach?.withdrawn ?? [])].map(String));
/** End-of-RIB markers (RFC 4724 §2): an empty UPDATE (IPv4) or an empty MP_UNREACH (others). */
export const isEndOfRib = (m: BgpMessage): boolean =>
  m.type === 'update' &&
  m.withdrawn.length === 0 &&
  m.nlri.length === 0 &&
  !m.attributes.mpReach &&
  (Object.keys(m.attributes).length === 0 || (Object.keys(m.attributes).length === 1 && m.attributes.mpUnreach?.withdrawn.length === 0));

/** n IPv4 /32s in 198.51.100.0/24 and 203.0.113.0/24 (n <= 512). */
export function v4Hosts(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${i < 256 ? '198.51.100' : '203.0.113'}.${i % 256}/32`);
}

/** n IPv6 /128s in 2001:db8:100::/48. */
export function v6Hosts(n: number, from = 0): string[] {
  return Array.from({ length: n }, (_, i) => Prefix.parse(`2001:db8:100::${(from + i).toString(16)}/128`).toString());
}
