import assert from 'node:assert/strict';
import { FakeClock, IP, Registry, createLogger } from '@herald/shared';
import { L2Announcer } from '../../src/layer2/announcer.js';
import { L2Metrics } from '../../src/layer2/metrics.js';
import { IFF_BROADCAST, IFF_UP, type LinkState } from '../../src/layer2/interfaces.js';
import { decodeArp } from '../../src/wire/arp.js';
import { EtherType, decodeEthernet } from '../../src/wire/ethernet.js';
import { decodeIPv6, decodeIcmpv6, multicastMac, solicitedNodeAddress } from '../../src/wire/ndp.js';
import { capture } from '../wire/fixtures.js';
import { FakeConn, macFor } from './fake-conn.js';

const v4 = IP.parse('192.0.2.2');
const v6 = IP.parse('2001:db8::2');

function setup(linkNames: string[] = ['eth0'], extra: { silenced?: () => boolean; sendsPerSlice?: number } = {}) {
  const clock = new FakeClock();
  const registry = new Registry();
  const conns = new Map<string, FakeConn>();
  let links: LinkState[] = linkNames.map((name, i) => ({ name, index: i + 2, flags: IFF_UP | IFF_BROADCAST, enslaved: false }));
  const opened: FakeConn[] = [];
  const a = new L2Announcer({
    counters: new L2Metrics(registry),
    clock,
    logger: createLogger({ component: 'test', sink: () => undefined }),
    rescanMs: 1000,
    ...extra,
    listLinks: () => links,
    openConn: (name, onFrame) => {
      const c = new FakeConn(name, macFor(links.find((l) => l.name === name)!.index), onFrame);
      conns.set(name, c);
      opened.push(c);
      return c;
    },
  });
  a.start();
  return { a, clock, registry, conns, opened, setIndex: (name: string, index: number) => (links = links.map((l) => (l.name === name ? { ...l, index } : l))), setLinks: (names: string[]) => (links = names.map((name, i) => ({ name, index: i + 2, flags: IFF_UP | IFF_BROADCAST, enslaved: false }))) };
}

/** "arp-request 192.0.2.2" / "arp-reply ..." / "na 2001:db8::2 O" for each sent frame. */
function describeSent(frames: Buffer[]): string[] {
  return frames.map((f) => {
    const eth = decodeEthernet(f);
    if (eth.etherType === EtherType.ARP) {
      const p = decodeArp(eth.payload);
      return `arp-${p.op} ${p.senderIp.toString()}`;
    }
    const ip = decodeIPv6(eth.payload);
    const m = decodeIcmpv6(ip);
    return m.type === 'neighbor-advertisement' ? `na ${m.target.toString()} ${m.solicited ? 'S' : ''}${m.override ? 'O' : ''} -> ${ip.dst.toString()}` : m.type;
  });
}

async function metric(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const m = await registry.getSingleMetric(name)?.get();
  const v = m?.values.find((x) => Object.entries(labels).every(([k, val]) => x.labels[k] === val));
  return v?.value ?? 0;
}

describe('layer2/announcer', () => {
  it('takeover: 3 gratuitous rounds 100 ms apart (ARP request+reply, NA with Override), then silence', async () => {
    const { a, clock, conns, registry } = setup();
    a.setOwned([{ ip: v4, interfaces: [] }, { ip: v6, interfaces: [] }]);
    const eth0 = conns.get('eth0')!;
    const round = ['arp-request 192.0.2.2', 'arp-reply 192.0.2.2', 'na 2001:db8::2 O -> ff02::1'];
    assert.deepEqual(describeSent(eth0.sent), round);
    clock.advance(100);
    assert.deepEqual(describeSent(eth0.sent), [...round, ...round]);
    clock.advance(100);
    clock.advance(60_000);
    assert.deepEqual(describeSent(eth0.sent), [...round, ...round, ...round]);
    assert.equal(await metric(registry, 'herald_l2_gratuitous_sent_total', { ip: '192.0.2.2' }), 6);
    assert.equal(await metric(registry, 'herald_l2_gratuitous_sent_total', { ip: '2001:db8::2' }), 3);
    a.stop();
  });

  it('answers requests for owned IPs only, and counts them', async () => {
    const { a, conns, registry } = setup();
    a.setOwned([{ ip: v4, interfaces: [] }, { ip: v6, interfaces: [] }]);
    const eth0 = conns.get('eth0')!;
    eth0.sent.length = 0;
    eth0.deliver(capture('arp-request'));
    eth0.deliver(capture('ndp-ns'));
    assert.deepEqual(describeSent(eth0.sent), ['arp-reply 192.0.2.2', 'na 2001:db8::2 SO -> fe80::ff:fe00:1']);
    assert.equal(await metric(registry, 'herald_l2_requests_received_total', { ip: '192.0.2.2', protocol: 'arp' }), 1);
    assert.equal(await metric(registry, 'herald_l2_responses_sent_total', { ip: '2001:db8::2', protocol: 'ndp' }), 1);
    eth0.deliver(capture('arp-request').subarray(0, 20));
    assert.equal(await metric(registry, 'herald_l2_frames_dropped_total', { reason: 'malformed-truncated' }), 1);
    a.stop();
  });

  it('above 256 groups asks for all multicast instead of joining each, and joins each again below 128', () => {
    const { a, conns } = setup();
    // Distinct solicited-node groups (the low 24 bits differ).
    const ips = Array.from({ length: 1000 }, (_, i) => IP.parse(`2001:db8:0:1:8000::${(i + 1).toString(16)}`));
    a.applyOwned(ips.slice(0, 256).map((ip) => ({ ip, interfaces: [] })), []);
    const eth0 = conns.get('eth0')!;
    assert.equal(eth0.groups.size, 256);
    assert.equal(eth0.allMulticast, false);
    a.applyOwned(ips.slice(256).map((ip) => ({ ip, interfaces: [] })), []);
    assert.equal(eth0.allMulticast, true, 'the 257th group switches to all-multicast');
    assert.equal(eth0.joins, 256, 'no join per group past the threshold');
    // A fence and unfence of all 1,000: a bounded number of membership syscalls, not 2,000.
    const before = eth0.calls;
    a.applyOwned([], ips.slice(0, 900));
    assert.equal(eth0.allMulticast, false, '100 groups left: below 128, so one membership each again');
    assert.equal(eth0.groups.size, 100);
    a.applyOwned(ips.slice(0, 900).map((ip) => ({ ip, interfaces: [] })), []);
    // Without the switch: 900 leaves and 900 joins. With it: about the threshold each way.
    assert.ok(eth0.calls - before <= 3 * 256, `membership calls for a fence and unfence of 1,000: ${eth0.calls - before}`);
    a.applyOwned([], ips.slice(100));
    assert.equal(eth0.allMulticast, false, 'below 128 groups: back to one membership per group');
    assert.deepEqual([...eth0.groups].sort(), ips.slice(0, 100).map((ip) => multicastMac(solicitedNodeAddress(ip)).toString()).sort(), 'exactly the 100 needed groups are joined');
    a.stop();
  });

  it('joins the solicited-node group of owned IPv6 addresses and leaves it on handoff', () => {
    const { a, conns } = setup();
    a.setOwned([{ ip: v6, interfaces: [] }, { ip: IP.parse('2001:db8:1::2'), interfaces: [] }]);
    const eth0 = conns.get('eth0')!;
    assert.deepEqual([...eth0.groups], ['33:33:ff:00:00:02']);
    a.setOwned([{ ip: IP.parse('2001:db8:1::2'), interfaces: [] }]);
    assert.deepEqual([...eth0.groups], ['33:33:ff:00:00:02'], 'still needed by 2001:db8:1::2');
    a.setOwned([]);
    assert.deepEqual([...eth0.groups], []);
    a.stop();
  });

  it('handoff: an IP removed mid-burst gets no more gratuitous frames and no answers', () => {
    const { a, clock, conns } = setup();
    a.setOwned([{ ip: v4, interfaces: [] }]);
    const eth0 = conns.get('eth0')!;
    assert.deepEqual(a.setOwned([]), { added: [], removed: [v4] });
    eth0.sent.length = 0;
    clock.advance(1000);
    eth0.deliver(capture('arp-request'));
    assert.deepEqual(eth0.sent, []);
    a.stop();
  });

  it('rescans links: a new link gets a burst for owned IPs, a vanished one is closed', () => {
    const { a, clock, conns, setLinks } = setup(['eth0']);
    a.setOwned([{ ip: v4, interfaces: [] }]);
    setLinks(['eth0', 'eth1']);
    clock.advance(1000);
    assert.deepEqual(a.interfaces(), ['eth0', 'eth1']);
    assert.deepEqual(describeSent(conns.get('eth1')!.sent), ['arp-request 192.0.2.2', 'arp-reply 192.0.2.2']);
    setLinks(['eth1']);
    clock.advance(1000);
    assert.deepEqual(a.interfaces(), ['eth1']);
    assert.ok(conns.get('eth0')!.closed);
    a.stop();
    assert.ok(conns.get('eth1')!.closed);
  });

  it('a link re-created under the same name (new ifindex) gets a new connection and a burst', () => {
    const { a, clock, opened, setIndex } = setup(['eth0']);
    a.setOwned([{ ip: v4, interfaces: [] }]);
    setIndex('eth0', 42);
    clock.advance(1000);
    assert.equal(opened.length, 2);
    assert.ok(opened[0]!.closed && !opened[1]!.closed);
    assert.deepEqual(describeSent(opened[1]!.sent), ['arp-request 192.0.2.2', 'arp-reply 192.0.2.2']);
    a.stop();
  });

  it("an advertisement's interfaces limit where an IP is announced and answered", () => {
    const { a, conns } = setup(['eth0', 'eth1']);
    a.setOwned([{ ip: v4, interfaces: ['eth1'] }]);
    assert.deepEqual(a.interfaces(), ['eth1']);
    assert.equal(conns.get('eth1')!.sent.length, 2);
    a.setOwned([{ ip: v4, interfaces: ['eth1'] }, { ip: IP.parse('192.0.2.3'), interfaces: [] }]);
    assert.deepEqual(a.interfaces(), ['eth0', 'eth1']);
    const eth0 = conns.get('eth0')!;
    eth0.sent.length = 0;
    eth0.deliver(capture('arp-request'));
    assert.deepEqual(eth0.sent, [], '192.0.2.2 is not announced on eth0');
    a.stop();
  });

  it('a takeover of 1,000 IPs sends its first round in slices, yielding to the event loop between them', () => {
    const { a, clock, conns } = setup(['eth0'], { sendsPerSlice: 256 });
    const ips = Array.from({ length: 1000 }, (_, i) => ({ ip: IP.fromBigInt(6, 0x20010db8000000000000000000000000n + BigInt(i + 1)), interfaces: [] }));
    a.applyOwned(ips, []);
    const eth0 = conns.get('eth0')!;
    assert.equal(eth0.sent.length, 256, 'the first slice at once, the rest after the event loop had a turn');
    assert.equal(clock.pending() > 0, true);
    clock.advance(0);
    assert.equal(eth0.sent.length, 1000, 'round one complete');
    clock.advance(100);
    assert.equal(eth0.sent.length, 2000, 'round two');
    a.stop();
  });

  it('applyOwned: only what changed; an IP removed mid-takeover is never sent for again', () => {
    const { a, clock, conns } = setup(['eth0'], { sendsPerSlice: 1 });
    const x = { ip: IP.parse('192.0.2.5'), interfaces: [] };
    a.applyOwned([{ ip: v4, interfaces: [] }, x], []);
    const eth0 = conns.get('eth0')!;
    assert.deepEqual(describeSent(eth0.sent), ['arp-request 192.0.2.2', 'arp-reply 192.0.2.2']);
    a.applyOwned([], [x.ip]);
    clock.advance(0);
    clock.advance(1000);
    assert.ok(!describeSent(eth0.sent).some((l) => l.includes('192.0.2.5')));
    eth0.sent.length = 0;
    eth0.deliver(capture('arp-request'));
    assert.deepEqual(describeSent(eth0.sent), ['arp-reply 192.0.2.2'], 'still answers what it owns');
    a.stop();
  });

  it('silenced (self-fenced): no answer and no gratuitous frame, whatever the owned set says', () => {
    let silent = false;
    const { a, clock, conns } = setup(['eth0'], { silenced: () => silent });
    a.setOwned([{ ip: v4, interfaces: [] }]);
    const eth0 = conns.get('eth0')!;
    silent = true;
    eth0.sent.length = 0;
    eth0.deliver(capture('arp-request'));
    clock.advance(1000);
    assert.deepEqual(eth0.sent, []);
    silent = false;
    eth0.deliver(capture('arp-request'));
    assert.deepEqual(describeSent(eth0.sent), ['arp-reply 192.0.2.2']);
    a.stop();
  });

  it('muted (a claim in flight): held but not answered, no gratuitous frame; unmute answers and sends the takeover burst', () => {
    const { a, clock, conns } = setup();
    a.mute([v4]);
    a.applyOwned([{ ip: v4, interfaces: [] }], []);
    const eth0 = conns.get('eth0')!;
    clock.advance(1000);
    eth0.deliver(capture('arp-request'));
    assert.deepEqual(eth0.sent, [], 'nothing while muted');
    assert.equal(a.size, 1);
    assert.equal(a.answers(v4), false);
    a.applyOwned([{ ip: v4, interfaces: ['eth0'] }], []);
    assert.equal(a.mutedCount, 1, 'new interfaces keep it muted');
    a.unmute([v4]);
    assert.deepEqual(describeSent(eth0.sent), ['arp-request 192.0.2.2', 'arp-reply 192.0.2.2'], 'the burst starts at once');
    eth0.sent.length = 0;
    eth0.deliver(capture('arp-request'));
    assert.deepEqual(describeSent(eth0.sent), ['arp-reply 192.0.2.2']);
    assert.equal(a.answers(v4), true);
    a.stop();
  });
});
