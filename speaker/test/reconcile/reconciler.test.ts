// SpeakerReconciler on its ports (issue 17 item 7): fencing, leaving and owner-change Events, with
// fakes for the packet thread (L2Port), the BGP sessions, the status writers and the Event
// recorder, and a hand-set membership. Which node owns the IP is found by the reconciler itself
// (one pass with every node live), so the rows do not depend on the hash.
import assert from 'node:assert/strict';
import type { V1EndpointSlice, V1Node, V1Service } from '@kubernetes/client-node';
import type { BFDProfile, BGPPeer } from '@herald/shared/config';
import type { EventType, ObjectRef } from '@herald/shared/k8s';
import { createLogger } from '@herald/shared/log';
import { IP } from '@herald/shared/net';
import type { Advertisement } from '../../src/bgp/adj-rib-out.js';
import type { L2Slot } from '../../src/layer2/owner-table.js';
import type { BgpSessions } from '../../src/reconcile/bgp-sessions.js';
import { StaticMembership } from '../../src/reconcile/membership-port.js';
import type { L2Port } from '../../src/reconcile/ports.js';
import { SpeakerReconciler } from '../../src/reconcile/reconciler.js';
import type { StatusObject } from '../../src/status/desired-status.js';
import type { StatusWriter } from '../../src/status/status-writer.js';
import { bgpAd, config, l2ad, peer, pool } from '../announce/fixtures.js';

const NODES = ['node1', 'node2', 'node3'] as const;
const IP_TEXT = '192.0.2.10';
const SERVICE = 'default/web';

const CONFIG = config({ pools: [pool('prod', ['192.0.2.0/24'])], l2: [l2ad('l2')], bgp: [bgpAd('bgp')], peers: [peer('router1')] });

const k8sNode = (name: string): V1Node => ({
  metadata: { name, labels: {} },
  status: { conditions: [{ type: 'Ready', status: 'True' }] },
});
const service: V1Service = {
  metadata: { namespace: 'default', name: 'web', uid: 'uid-web' },
  spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Cluster' },
  status: { loadBalancer: { ingress: [{ ip: IP_TEXT }] } },
};
const slice: V1EndpointSlice = {
  addressType: 'IPv4',
  metadata: { namespace: 'default', name: 'web-1', labels: { 'kubernetes.io/service-name': 'web' } },
  endpoints: NODES.map((n, i) => ({ addresses: [`198.51.100.${i + 1}`], nodeName: n, conditions: { ready: true, serving: true, terminating: false } })),
};

interface Recorded {
  readonly events: { ref: ObjectRef; type: EventType; reason: string; message: string }[];
  readonly l2: { upserts: readonly L2Slot[]; removes: readonly string[]; reset: boolean }[];
  readonly bgp: string[];
  readonly routes: Map<string, Advertisement | undefined>[];
  readonly l2Status: Map<string, StatusObject | undefined>;
  readonly statusCalls: string[];
}

/** A reconciler for `self` with every port faked; `recorded` is what reached the ports. */
function world(self: string): { r: SpeakerReconciler; m: StaticMembership; rec: Recorded; settle: () => void } {
  const rec: Recorded = { events: [], l2: [], bgp: [], routes: [], l2Status: new Map(), statusCalls: [] };
  const m = new StaticMembership(NODES);
  m.set(NODES, false);
  const l2: L2Port = {
    setL2: (upserts, removes, reset = false) => void rec.l2.push({ upserts, removes, reset }),
    interfaces: () => ['eth0'],
  };
  const bgp = {
    setPeers: (peers: readonly BGPPeer[], _profiles?: ReadonlyMap<string, BFDProfile>) => void rec.bgp.push(`setPeers ${peers.map((p) => p.name).join(',')}`),
    applyRoutes: (changes: ReadonlyMap<string, ReadonlyMap<string, Advertisement | undefined>>) => {
      for (const [p, ch] of changes) {
        rec.bgp.push(`applyRoutes ${p} ${[...ch].map(([prefix, a]) => `${a ? '+' : '-'}${prefix}`).join(' ')}`);
        rec.routes.push(new Map(ch));
      }
    },
    stopAll: (drain = false) => void rec.bgp.push(`stopAll drain=${String(drain)}`),
  } as unknown as BgpSessions;
  const writer = (kind: string, into?: Map<string, StatusObject | undefined>): StatusWriter =>
    ({
      set: (name: string, o: StatusObject | undefined) => {
        rec.statusCalls.push(`${kind} set ${name} ${o ? 'object' : 'none'}`);
        into?.set(name, o);
      },
      synced: () => void rec.statusCalls.push(`${kind} synced`),
      finish: () => {
        rec.statusCalls.push(`${kind} finish`);
        return Promise.resolve();
      },
    }) as unknown as StatusWriter;
  const r = new SpeakerReconciler({
    node: self,
    lbClass: undefined,
    service: (key) => (key === SERVICE ? service : undefined),
    membership: m,
    l2,
    bgp,
    l2Status: writer('l2', rec.l2Status),
    bgpStatus: writer('bgp'),
    events: { record: (ref, type, reason, message) => void rec.events.push({ ref, type, reason, message }) },
    log: createLogger({ component: 'test', level: 'error', sink: () => undefined }),
  });
  m.onChange(() => r.membershipChanged());
  const settle = (): void => {
    // Bounded: a pass that keeps saying "more" 100 times is a bug, not a slow test.
    for (let i = 0; i < 100; i++) if (!r.pass(1_000, () => 0).more) return;
    throw new Error('reconciler did not settle in 100 passes');
  };
  r.configChanged({ type: 'valid', config: CONFIG });
  r.nodesChanged(NODES.map(k8sNode));
  r.serviceEvent(service);
  r.sliceEvent(slice, false);
  r.membershipChanged();
  return { r, m, rec, settle };
}

const ip = IP.parse(IP_TEXT);
const others = (...gone: string[]): string[] => NODES.filter((n) => !gone.includes(n));

// The election, as the reconciler runs it: the first owner, and the one after it when it goes.
const probe = world('node1');
probe.settle();
const FIRST = probe.r.ownerOf(ip)!;
probe.m.set(others(FIRST), false);
probe.settle();
const SECOND = probe.r.ownerOf(ip)!;
const THIRD = others(FIRST, SECOND)[0]!;

describe('reconcile/SpeakerReconciler', () => {
  it('the election probe found three distinct nodes', () => {
    assert.equal(new Set([FIRST, SECOND, THIRD]).size, 3, `${FIRST} ${SECOND} ${THIRD}`);
  });

  describe('owner-change Events', () => {
    const cases: {
      desc: string;
      input: { self: string; live: string[]; fenced: boolean };
      want: { owner: string | undefined; events: { type: EventType; reason: string; message: RegExp }[] };
    }[] = [
      {
        desc: 'the new owner writes Normal AnnouncedFromNode, saying who it was and why it moved',
        input: { self: SECOND, live: others(FIRST), fenced: false },
        want: { owner: SECOND, events: [{ type: 'Normal', reason: 'AnnouncedFromNode', message: new RegExp(`^192\\.0\\.2\\.10 announced from ${SECOND} \\(was ${FIRST}\\): ${FIRST} is not a live speaker`) }] },
      },
      {
        desc: 'the old owner, fenced, writes nothing (the new owner does)',
        input: { self: FIRST, live: others(FIRST), fenced: true },
        want: { owner: SECOND, events: [] },
      },
      {
        desc: 'a third node, neither owner, writes nothing',
        input: { self: THIRD, live: others(FIRST), fenced: false },
        want: { owner: SECOND, events: [] },
      },
      {
        desc: 'nobody owns the IP now: the old owner writes Warning NotAnnounced',
        input: { self: FIRST, live: [], fenced: true },
        want: { owner: undefined, events: [{ type: 'Warning', reason: 'NotAnnounced', message: new RegExp(`^192\\.0\\.2\\.10 is announced by no node \\(was ${FIRST}\\)`) }] },
      },
      {
        desc: 'nobody owns the IP now: another node writes nothing',
        input: { self: SECOND, live: [], fenced: false },
        want: { owner: undefined, events: [] },
      },
      {
        desc: 'a membership change that keeps the owner writes nothing',
        input: { self: FIRST, live: [...NODES], fenced: false },
        want: { owner: FIRST, events: [] },
      },
    ];
    for (const c of cases) {
      it(c.desc, () => {
        const w = world(c.input.self);
        w.settle();
        assert.equal(w.r.ownerOf(ip), FIRST);
        assert.deepEqual(w.rec.events, [], 'the initial election writes no Event');
        w.m.set(c.input.live, c.input.fenced);
        w.settle();
        assert.equal(w.r.ownerOf(ip), c.want.owner);
        assert.equal(w.rec.events.length, c.want.events.length, JSON.stringify(w.rec.events));
        c.want.events.forEach((e, i) => {
          const got = w.rec.events[i]!;
          assert.deepEqual({ type: got.type, reason: got.reason, ref: got.ref }, { type: e.type, reason: e.reason, ref: { apiVersion: 'v1', kind: 'Service', namespace: 'default', name: 'web', uid: 'uid-web' } });
          assert.match(got.message, e.message);
        });
      });
    }
  });

  describe('fencing', () => {
    const cases: { desc: string; input: { fenced: boolean }; want: { owner: string; l2Status: 'object' | 'none' } }[] = [
      { desc: 'the owner that fences itself gives the IP up in its own view, and its L2 status goes', input: { fenced: true }, want: { owner: SECOND, l2Status: 'none' } },
      { desc: 'unfenced, with every node live, it keeps the IP and its L2 status', input: { fenced: false }, want: { owner: FIRST, l2Status: 'object' } },
    ];
    for (const c of cases) {
      it(c.desc, () => {
        const w = world(FIRST);
        w.settle();
        const name = [...w.rec.l2Status.keys()][0];
        assert.ok(name !== undefined && w.rec.l2Status.get(name) !== undefined, 'the owner wrote its ServiceL2Status');
        w.m.set(NODES, c.input.fenced);
        w.settle();
        assert.equal(w.r.ownerOf(ip), c.want.owner);
        assert.equal(w.rec.l2Status.get(name) === undefined ? 'none' : 'object', c.want.l2Status);
      });
    }

    it('a fenced node still hands the packet thread the ranking (the packet thread fences itself)', () => {
      const w = world(FIRST);
      w.settle();
      const before = w.rec.l2.length;
      assert.ok(before > 0 && w.rec.l2.some((u) => u.upserts.some((s) => s.ip === IP_TEXT)));
      w.m.set(NODES, true);
      w.settle();
      assert.ok(!w.rec.l2.slice(before).some((u) => u.removes.includes(IP_TEXT) || u.reset), 'the IP was not removed from the packet thread');
    });
  });

  describe('leaving', () => {
    it('startLeaving withdraws BGP at once and drains (stopAll with drain), before any L2 change', () => {
      const w = world(FIRST);
      w.settle();
      const l2Before = w.rec.l2.length;
      w.rec.bgp.length = 0;
      w.r.startLeaving();
      assert.deepEqual(w.rec.bgp, ['stopAll drain=true']);
      assert.equal(w.rec.l2.length, l2Before, 'L2 keeps answering as now');
    });

    const twoPeers = (): ReturnType<typeof config> => config({ pools: [pool('prod', ['192.0.2.0/24'])], l2: [l2ad('l2')], bgp: [bgpAd('bgp')], peers: [peer('router1'), peer('router2', { peerAddress: '203.0.113.2' })] });
    const cases: {
      desc: string;
      input: { self: string; leaving: boolean; change: (w: ReturnType<typeof world>) => void };
      want: { bgpCalls: string[]; statusWrites: boolean };
    }[] = [
      {
        desc: 'not leaving, a new BGPPeer opens its session and gets the routes',
        input: { self: FIRST, leaving: false, change: (w) => w.r.configChanged({ type: 'valid', config: twoPeers() }) },
        want: { bgpCalls: ['setPeers router1,router2', 'applyRoutes router2 +192.0.2.10/32'], statusWrites: true },
      },
      {
        desc: 'leaving, the same new BGPPeer opens no session, gets no route, and no status is written',
        input: { self: FIRST, leaving: true, change: (w) => w.r.configChanged({ type: 'valid', config: twoPeers() }) },
        want: { bgpCalls: [], statusWrites: false },
      },
      {
        desc: 'not leaving, the next owner writes its L2 status when the owner dies',
        input: { self: SECOND, leaving: false, change: (w) => w.m.set(others(FIRST), false) },
        want: { bgpCalls: [], statusWrites: true },
      },
      {
        desc: 'leaving, the same death writes no status (this node\'s objects are about to go)',
        input: { self: SECOND, leaving: true, change: (w) => w.m.set(others(FIRST), false) },
        want: { bgpCalls: [], statusWrites: false },
      },
    ];
    for (const c of cases) {
      it(c.desc, () => {
        const w = world(c.input.self);
        w.settle();
        if (c.input.leaving) w.r.startLeaving();
        w.rec.bgp.length = 0;
        const sets = (): number => w.rec.statusCalls.filter((x) => x.includes(' set ')).length;
        const before = sets();
        c.input.change(w);
        w.settle();
        assert.deepEqual(w.rec.bgp, c.want.bgpCalls);
        assert.equal(sets() > before, c.want.statusWrites, JSON.stringify(w.rec.statusCalls.slice(before)));
      });
    }
  });

  describe('status writers and shutdown', () => {
    it('synced() is called once, after the first complete pass', () => {
      const w = world(FIRST);
      w.settle();
      w.m.set(others(SECOND), false);
      w.settle();
      assert.deepEqual(w.rec.statusCalls.filter((s) => s.endsWith('synced')), ['l2 synced', 'bgp synced']);
    });

    it('shutdown resets L2 to nothing, stops BGP with drain and finishes both writers', async () => {
      const w = world(FIRST);
      w.settle();
      w.rec.bgp.length = 0;
      await w.r.shutdown();
      assert.deepEqual(w.rec.l2.at(-1), { upserts: [], removes: [], reset: true });
      assert.deepEqual(w.rec.bgp, ['stopAll drain=true']);
      assert.deepEqual(w.rec.statusCalls.slice(-2), ['l2 finish', 'bgp finish']);
    });
  });
});
