import assert from 'node:assert/strict';
import { IP, Prefix, type Community } from '@herald/shared';
import { AdjRibOut, attributesFor, type RibOutContext } from '../../src/bgp/adj-rib-out.js';
import type { Advertisement } from '../../src/bgp/advertisement.js';
import { DesiredRoutes } from '../../src/bgp/desired-routes.js';
import { decodeMessage, packAll, type BgpMessage } from '../../src/wire/bgp/index.js';
import { announced, isEndOfRib, updates, v4Hosts, v6Hosts, withdrawn } from './session-harness.js';

const codec = { fourOctetAs: true };
const ctx: RibOutContext = {
  localAS: 64512,
  ibgp: false,
  codec,
  families: [
    { afi: 1, safi: 1 },
    { afi: 2, safi: 1 },
  ],
  nextHops: { 4: [IP.parse('192.0.2.11')], 6: [IP.parse('2001:db8::11')] },
};
const std = (value: number): Community => ({ type: 'standard', asn: 64512, value });
const a = (p: string, communities: Community[] = []): Advertisement => ({ prefix: Prefix.parse(p), communities });

function rib(c: RibOutContext = ctx) {
  const desired = new DesiredRoutes(c.ibgp);
  const r = new AdjRibOut(c, desired);
  const set = (entries: [string, Advertisement | undefined][]) => desired.apply(new Map(entries), (k, d) => r.changed(k, d));
  const add = (ps: string[], communities: Community[] = []) => set(ps.map((p) => [p, a(p, communities)]));
  const del = (ps: string[]) => set(ps.map((p) => [p, undefined]));
  /** Everything owed, decoded (and how many messages it took). */
  const all = (): BgpMessage[] => {
    const out: BgpMessage[] = [];
    for (let i = 0; i < 10_000; i++) {
      const bufs = r.next(16);
      if (bufs.length === 0) return out;
      for (const b of bufs) {
        assert.ok(b.length <= 4096);
        out.push(decodeMessage(b, codec));
      }
    }
    throw new Error('the queue never emptied');
  };
  return { desired, r, add, del, all };
}

const communitiesOf = (ms: BgpMessage[], p: string) =>
  updates(ms)
    .filter((u) => [...u.nlri, ...(u.attributes.mpReach?.nlri ?? [])].some((x) => x.toString() === p))
    .map((u) => (u.attributes.communities ?? []).map((c) => c.value));

describe('bgp adj-rib-out: the per-session queue', () => {
  it('a prefix added and withdrawn while queued sends nothing', () => {
    const t = rib();
    t.add(['203.0.113.1/32', '2001:db8:1::/64']);
    assert.equal(t.r.queued, 2);
    t.del(['203.0.113.1/32', '2001:db8:1::/64']);
    assert.equal(t.r.queued, 0);
    assert.deepEqual(t.all(), []);
    assert.equal(t.r.size, 0);
  });

  it('a prefix changed twice while queued goes once, with the latest attributes', () => {
    const t = rib();
    t.add(['203.0.113.1/32'], [std(1)]);
    t.add(['203.0.113.1/32'], [std(2)]);
    t.add(['203.0.113.1/32'], [std(3)]);
    assert.equal(t.r.queued, 1);
    const ms = t.all();
    assert.deepEqual(announced(ms), ['203.0.113.1/32']);
    assert.deepEqual(communitiesOf(ms, '203.0.113.1/32'), [[3]]);
  });

  it('a sent prefix withdrawn then re-added as it was, or changed and changed back, sends nothing', () => {
    const t = rib();
    t.add(['203.0.113.1/32', '203.0.113.2/32'], [std(1)]);
    t.all();
    t.del(['203.0.113.1/32']);
    t.add(['203.0.113.1/32'], [std(1)]);
    t.add(['203.0.113.2/32'], [std(9)]);
    t.add(['203.0.113.2/32'], [std(1)]);
    assert.equal(t.r.queued, 0);
    assert.deepEqual(t.all(), []);
  });

  it('a sent prefix withdrawn goes out as a withdrawal; a re-announce with new attributes as an announcement', () => {
    const t = rib();
    t.add(['203.0.113.1/32', '2001:db8:1::/64', '203.0.113.2/32'], [std(1)]);
    t.all();
    t.del(['203.0.113.1/32', '2001:db8:1::/64']);
    t.add(['203.0.113.2/32'], [std(2)]);
    const ms = t.all();
    assert.deepEqual(withdrawn(ms).sort(), ['2001:db8:1::/64', '203.0.113.1/32']);
    assert.deepEqual(communitiesOf(ms, '203.0.113.2/32'), [[2]]);
    assert.equal(t.r.size, 1);
  });

  it('packs: a queue of mixed families and attribute sets takes as few UPDATEs as one pack per group', () => {
    const t = rib();
    const v4 = v4Hosts(500);
    const v6 = v6Hosts(3000);
    // Interleaved in the queue: two attribute sets per family.
    for (let i = 0; i < 3000; i++) {
      t.add([v6[i]!], [std(i % 2)]);
      if (i < 500) t.add([v4[i]!], [std(i % 2)]);
    }
    const ms = t.all();
    const minimal = [0, 1]
      .flatMap((c) => [
        { c, family: 4 as const, ps: v4.filter((_, i) => i % 2 === c) },
        { c, family: 6 as const, ps: v6.filter((_, i) => i % 2 === c) },
      ])
      .reduce((n, g) => n + packAll({ type: 'announce', family: g.family, attrs: attributesFor(a(g.ps[0]!, [std(g.c)]), ctx), nextHops: ctx.nextHops[g.family]! }, g.ps.map((p) => Prefix.parse(p)), codec).length, 0);
    assert.equal(new Set(announced(ms)).size, 3500);
    assert.equal(announced(ms).length, 3500, 'each once');
    assert.equal(ms.length, minimal, `UPDATEs: ${ms.length}, the minimum is ${minimal}`);
  });

  it('next(n) gives at most n UPDATEs, full ones, and keeps the rest queued', () => {
    const t = rib();
    t.add(v6Hosts(3000));
    const first = t.r.next(2);
    assert.equal(first.length, 2);
    for (const b of first) assert.ok(b.length > 4096 - 18, `a full message, ${b.length} bytes`);
    const sent = announced(first.map((b) => decodeMessage(b, codec))).length;
    assert.equal(t.r.queued, 3000 - sent);
    assert.equal(t.r.size, sent);
  });

  it('sendTable: every wanted prefix, then End-of-RIB for each family, after the table only', () => {
    const t = rib();
    t.add([...v4Hosts(300), ...v6Hosts(1000)]);
    t.r.sendTable();
    // A change after the table was queued: a new key may come after End-of-RIB.
    t.add(['2001:db8:9::/64']);
    const ms = t.all();
    const eor = ms.map((m, i) => (isEndOfRib(m) ? i : -1)).filter((i) => i >= 0);
    assert.equal(eor.length, 2, 'IPv4 and IPv6');
    const before = new Set(announced(ms.slice(0, eor[0])));
    assert.ok([...v4Hosts(300), ...v6Hosts(1000)].every((p) => before.has(p)), 'the whole table before End-of-RIB');
    assert.ok(announced(ms).includes('2001:db8:9::/64'));
    assert.equal(t.r.busy, false);
  });

  it('sendTable with nothing wanted: End-of-RIB alone', () => {
    const t = rib();
    t.r.sendTable();
    assert.equal(t.r.busy, true);
    const ms = t.all();
    assert.equal(ms.length, 2);
    assert.ok(ms.every(isEndOfRib));
  });

  it('refresh: everything sent goes again (a queued withdrawal stays one), then End-of-RIB', () => {
    const t = rib();
    t.add(['203.0.113.1/32', '203.0.113.2/32', '2001:db8:1::/64']);
    t.all();
    t.del(['203.0.113.2/32']);
    t.r.refresh();
    const ms = t.all();
    assert.deepEqual(announced(ms).sort(), ['2001:db8:1::/64', '203.0.113.1/32']);
    assert.deepEqual(withdrawn(ms), ['203.0.113.2/32']);
    assert.equal(ms.filter(isEndOfRib).length, 2);
    assert.deepEqual(t.all(), [], 'and nothing more');
  });

  it('a family without a next hop (or not negotiated) is not sent', () => {
    const t = rib({ ...ctx, nextHops: { 4: ctx.nextHops[4]! } });
    t.add(['203.0.113.1/32', '2001:db8:1::/64']);
    assert.equal(t.r.queued, 1);
    assert.deepEqual(announced(t.all()), ['203.0.113.1/32']);
  });

  it('a key whose prefix changed: the old prefix withdrawn, then the new one announced', () => {
    const t = rib();
    t.desired.apply(new Map([['k', a('203.0.113.1/32')]]), (k, d) => t.r.changed(k, d));
    t.all();
    t.desired.apply(new Map([['k', a('203.0.113.2/32')]]), (k, d) => t.r.changed(k, d));
    const ms = t.all();
    assert.deepEqual(withdrawn(ms), ['203.0.113.1/32']);
    assert.deepEqual(announced(ms), ['203.0.113.2/32']);
    assert.equal(t.r.size, 1);
  });

  it('oldest first across buckets: a withdrawal queued before many announcements is not last', () => {
    const t = rib();
    t.add(['203.0.113.1/32']);
    t.all();
    t.del(['203.0.113.1/32']);
    t.add(v6Hosts(3000));
    const first = t.r.next(1).map((b) => decodeMessage(b, codec));
    assert.deepEqual(withdrawn(first), ['203.0.113.1/32']);
  });

  it('weighted ECMP: a weight becomes Link Bandwidth (1 Mbps per endpoint); a new weight is a new UPDATE; equal sends nothing', () => {
    const t = rib();
    const w = (weight: number): [string, Advertisement] => ['203.0.113.1/32', { prefix: Prefix.parse('203.0.113.1/32'), weight }];
    const lb = (ms: BgpMessage[]) => updates(ms).map((u) => u.attributes.extendedCommunities);
    t.desired.apply(new Map([w(1)]), (k, d) => t.r.changed(k, d));
    assert.deepEqual(lb(t.all()), [[{ type: 'link-bandwidth', asn: 64512, bandwidth: 125_000 }]]);
    t.desired.apply(new Map([w(3)]), (k, d) => t.r.changed(k, d));
    assert.deepEqual(lb(t.all()), [[{ type: 'link-bandwidth', asn: 64512, bandwidth: 375_000 }]]);
    t.desired.apply(new Map([w(3)]), (k, d) => t.r.changed(k, d));
    assert.deepEqual(t.all(), []);
  });

  it('weighted ECMP: a 4-byte local AS sends AS_TRANS as the global administrator; no weight, no extended community', () => {
    assert.deepEqual(attributesFor({ prefix: Prefix.parse('203.0.113.1/32'), weight: 2 }, { ...ctx, localAS: 4200000001 }).extendedCommunities, [{ type: 'link-bandwidth', asn: 23456, bandwidth: 250_000 }]);
    assert.equal(attributesFor({ prefix: Prefix.parse('203.0.113.1/32') }, ctx).extendedCommunities, undefined);
  });
});
