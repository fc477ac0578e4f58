// BFD interop: our BFD endpoint (the speaker's probe, in a child process inside a node namespace)
// against FRR 8.4 bfdd and BIRD 2 `protocol bfd` in the router namespace. Every check that a
// session is Up or Down reads the router's own CLI (`show bfd peers json`, `birdc show bfd
// sessions`), parsed; our side's view is checked too. 300 ms x 3, as the issue's bench row.
import assert from 'node:assert/strict';
import { createRouter, nsRun, poll, Topology, uniquePrefix, type RouterBfdSession, type RouterDriver } from '@herald/lab';
import { skipUnless } from '@herald/testkit';
import { BfdProbe, type ProbeSessionSpec } from '../../src/bfd/probe-process.js';
import { freeze } from '../../src/bgp/freeze.js';

const INTERVAL = 300;
const MULT = 3;
const DETECT = INTERVAL * MULT;

/** Our sessions: single hop v4 and v6, and multihop v4 to the router's loopback. */
function ourSessions(multihopMinTtl: number): ProbeSessionSpec[] {
  const t = { intervalMs: INTERVAL, multiplier: MULT };
  return [
    { key: 'sh4', peer: '192.0.2.1', local: '192.0.2.11', ...t },
    { key: 'sh6', peer: '2001:db8::1', local: '2001:db8::11', ...t },
    { key: 'mh4', peer: '198.51.100.1', local: '192.0.2.11', multihop: true, minimumTtl: multihopMinTtl, ...t },
  ];
}

const ROUTER_SIDE = [
  { key: 'sh4', address: '192.0.2.11', localAddress: '192.0.2.1', interface: 'eth0' },
  { key: 'sh6', address: '2001:db8::11', localAddress: '2001:db8::1', interface: 'eth0' },
  { key: 'mh4', address: '192.0.2.11', localAddress: '198.51.100.1', multihop: true, minimumTtl: 250 },
] as const;

async function routerStates(r: RouterDriver): Promise<Map<string, string>> {
  const ss: RouterBfdSession[] = await r.bfdSessions!();
  const m = new Map<string, string>();
  for (const x of ROUTER_SIDE) {
    const s = ss.find((y) => y.peer === x.address && y.multihop === ('multihop' in x && x.multihop === true));
    m.set(x.key, s?.state ?? 'missing');
  }
  return m;
}

/** Polls the router's CLI until every listed session shows `state`; returns ms it took. */
async function routerShows(r: RouterDriver, keys: readonly string[], state: string, tries = 100): Promise<number> {
  const t0 = Date.now();
  await poll(`${r.kind} CLI showing ${keys.join(', ')} ${state}`, async () => {
    const m = await routerStates(r);
    return keys.every((k) => m.get(k) === state) ? true : undefined;
  }, { tries, intervalMs: 50 });
  return Date.now() - t0;
}

/** Sends one UDP datagram from a namespace with a given TTL (node's dgram; no raw socket). */
async function inject(ns: string, to: string, port: number, ttl: number, hex: string): Promise<void> {
  const js = `const s=require('dgram').createSocket('udp4');s.bind(0,()=>{s.setTTL(${ttl});s.send(Buffer.from('${hex}','hex'),${port},'${to}',()=>s.close())})`;
  await nsRun(ns, [process.execPath, '-e', js]);
}

describe('bfd interop: our endpoint against FRR bfdd and BIRD', function () {
  this.timeout(180_000);
  let topo: Topology | undefined;

  before(async function () {
    skipUnless(this, { root: true, tools: ['ip', 'bird', 'birdc', 'vtysh', '/usr/lib/frr/bfdd'] });
    topo = await Topology.create(uniquePrefix('bfd'), [
      { name: 'router', addresses: ['192.0.2.1/24', '2001:db8::1/64'], macByte: 1, router: true },
      { name: 'node1', addresses: ['192.0.2.11/24', '2001:db8::11/64'], macByte: 11 },
    ]);
    await nsRun(topo.ns('router'), ['ip', 'addr', 'add', '198.51.100.1/32', 'dev', 'lo']);
    await nsRun(topo.ns('node1'), ['ip', 'route', 'add', '198.51.100.1/32', 'via', '192.0.2.1']);
  });

  after(async () => {
    await topo?.destroy();
  });

  for (const kind of ['frr', 'bird'] as const) {
    describe(`${kind} as the router`, () => {
      let router: RouterDriver | undefined;
      let probe: BfdProbe | undefined;
      const daemon = kind === 'frr' ? 'bfdd' : 'bird';

      before(async () => {
        const r = createRouter(kind, {
          ns: topo!.ns('router'),
          routerId: '192.0.2.1',
          asn: 64500,
          peers: [],
          bfd: { intervalMs: INTERVAL, multiplier: MULT, peers: ROUTER_SIDE.map(({ key: _k, ...p }) => p) },
        });
        router = r;
        await r.start();
        // BIRD sends multihop packets with TTL 64 (FRR with 255): the minimum TTL we accept is
        // the BFDProfile's, so the BIRD cell lowers it as an operator would.
        probe = BfdProbe.start(topo!.ns('node1'), ourSessions(kind === 'bird' ? 60 : 254));
      });

      after(async () => {
        await probe?.stop();
        await router?.stop();
      });

      it("comes Up: the router's CLI shows all three sessions Up, and so do we", async () => {
        await routerShows(router!, ['sh4', 'sh6', 'mh4'], 'up', 200);
        for (const k of ['sh4', 'sh6', 'mh4']) await probe!.waitState(k, 'up');
        const st = await probe!.status();
        for (const s of st.sessions) assert.equal(s.detectMs, DETECT, `${s.key}: detection time`);
      });

      it(`our side frozen (SIGSTOP): the router's CLI shows Down within the detection time (${DETECT} ms) plus its polling`, async () => {
        probe!.freeze();
        let took: number;
        try {
          took = await routerShows(router!, ['sh4', 'sh6', 'mh4'], 'down', 60);
        } finally {
          probe!.thaw();
        }
        assert.ok(took < DETECT + 600, `router saw Down after ${took} ms`);
        await routerShows(router!, ['sh4', 'sh6', 'mh4'], 'up', 200);
      });

      it(`the router frozen: we go Down (detect-timeout) within ${DETECT} ms + jitter, and back Up after`, async () => {
        await probe!.waitState('sh4', 'up');
        const t0 = Date.now();
        const frozen = await freeze(topo!.ns('router'), daemon);
        try {
          await probe!.waitState('sh4', 'down', 5000);
          await probe!.waitState('mh4', 'down', 5000);
        } finally {
          frozen.thaw();
        }
        const down = probe!.changes.find((c) => c.key === 'sh4' && c.to === 'down' && c.at >= t0)!;
        assert.equal(down.reason, 'detect-timeout');
        assert.ok(down.at - t0 <= DETECT + 300, `we saw Down ${down.at - t0} ms after the freeze`);
        for (const k of ['sh4', 'sh6', 'mh4']) await probe!.waitState(k, 'up');
        await routerShows(router!, ['sh4', 'sh6', 'mh4'], 'up', 200);
      });

      it("the node's link cut: the router's CLI shows Down; link back: Up", async () => {
        await nsRun(topo!.ns('node1'), ['ip', 'link', 'set', 'eth0', 'down']);
        let took: number;
        try {
          took = await routerShows(router!, ['sh4', 'sh6'], 'down', 60);
        } finally {
          await nsRun(topo!.ns('node1'), ['ip', 'link', 'set', 'eth0', 'up']);
        }
        assert.ok(took < DETECT + 600, `router saw Down after ${took} ms`);
        // The multihop route went with the link.
        await nsRun(topo!.ns('node1'), ['ip', 'route', 'replace', '198.51.100.1/32', 'via', '192.0.2.1']);
        await routerShows(router!, ['sh4', 'sh6', 'mh4'], 'up', 300);
      });

      if (kind === 'frr') {
        it('bad packets are dropped and counted by reason, and the sessions stay Up', async () => {
          const st0 = await probe!.status();
          const up = st0.sessions.find((s) => s.key === 'sh4')!;
          assert.equal(up.state, 'up');
          const pkt = (o: { ver?: number; sta?: number; mult?: number; len?: number; my?: number; your?: number }): string =>
            Buffer.from([(o.ver ?? 1) << 5, (o.sta ?? 3) << 6, o.mult ?? 3, o.len ?? 24, ...u32(o.my ?? 7), ...u32(o.your ?? 0xdeadbeef), ...u32(300_000), ...u32(300_000), ...u32(0)]).toString('hex');
          const r = topo!.ns('router');
          await inject(r, '192.0.2.11', 3784, 255, pkt({ ver: 2 }));
          await inject(r, '192.0.2.11', 3784, 255, pkt({ mult: 0 }));
          await inject(r, '192.0.2.11', 3784, 255, pkt({ my: 0 }));
          await inject(r, '192.0.2.11', 3784, 255, '2040'); // version 1, two bytes long
          await inject(r, '192.0.2.11', 3784, 255, pkt({ len: 40 })); // Length field past the datagram
          await inject(r, '192.0.2.11', 3784, 255, pkt({})); // Your Discriminator names no session
          // A well-formed Down from the router's own address: it would take sh4 Down, but it
          // arrives with TTL 64, so RFC 5881 §5 says drop it.
          await inject(r, '192.0.2.11', 3784, 64, pkt({ sta: 1, your: 0 }));
          const drops = await poll('drops counted', async () => {
            const d = (await probe!.status()).drops;
            return (d['bad-ttl'] ?? 0) - (st0.drops['bad-ttl'] ?? 0) >= 1 ? d : undefined;
          }, { tries: 40, intervalMs: 50 });
          const delta = (k: string): number => (drops[k] ?? 0) - (st0.drops[k] ?? 0);
          assert.equal(delta('bad-version'), 1);
          assert.equal(delta('zero-detect-mult'), 1);
          assert.equal(delta('zero-my-discriminator'), 1);
          assert.equal(delta('bad-length'), 1);
          assert.equal(delta('truncated'), 1);
          assert.equal(delta('unknown-discriminator'), 1);
          assert.ok(delta('bad-ttl') >= 1);
          assert.equal((await routerStates(router!)).get('sh4'), 'up');
          assert.equal(probe!.state('sh4'), 'up');
        });
      }

      it("stopping our side sends AdminDown: the router's CLI shows it Down", async () => {
        await probe!.stop();
        await routerShows(router!, ['sh4', 'sh6', 'mh4'], 'down', 60);
        probe = undefined;
      });
    });
  }
});

function u32(n: number): number[] {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
}
