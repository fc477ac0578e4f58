// Thousands of changes into real routers, with the receiver frozen in the middle so TCP
// backpressure really happens: our speaker (a child process in a node namespace) sends 10,000
// prefixes (IPv4 and IPv6 over one IPv4 session, MP-BGP) to BIRD and to FRR; then, with the router
// stopped (SIGSTOP), withdraws 5,000 and gives the other 5,000 a new community, and then another,
// five more times. The socket buffers in both namespaces are small (tcp_rmem/tcp_wmem; FRR sets its
// own 64 KB receive buffer, hence the extra rounds), so the changes cannot all sit in the kernel:
// the speaker must see its socket refuse writes, hold a queue, and coalesce the rounds in it.
// After SIGCONT, the router's own CLI output is the oracle: exactly the 5,000 kept prefixes, each
// with the last community and our next hop.
import assert from 'node:assert/strict';
import { Topology, uniquePrefix } from '@herald/lab';
import { skipUnless } from '@herald/testkit';
import { routers, type RouterDriver, type RouterKind } from '../../src/bgp/api.js';
import { freeze, type Frozen } from '../../src/bgp/freeze.js';
import { prefixSet } from '../../src/bgp/prefix-sets.js';
import { heldCount, heldRoutes, type HeldRoute } from '../../src/bgp/rib-dump.js';
import { SpeakerProcess } from '../../src/bgp/speaker-process.js';

const COUNT = 10_000;
/** Community rounds on the kept half while the router is frozen: 64512:2 (with the withdrawals) .. 64512:7. */
const ROUNDS = 6;
const PEER = { name: 'n1', address: '192.0.2.11' };
/** Small TCP buffers (min, default, max bytes): the kernel holds ~50 KB of a ~300 KB change, not all of it. */
const SMALL_BUFFERS = ['net.ipv4.tcp_rmem=4096 8192 16384', 'net.ipv4.tcp_wmem=4096 8192 16384'];
const DAEMON: Record<string, string> = { bird: 'bird', frr: 'bgpd' };
const community = (value: number) => ({ type: 'standard' as const, asn: 64512, value });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function held(r: RouterDriver): Promise<Map<string, HeldRoute>> {
  return new Map([...(await heldRoutes(r, 4, PEER)), ...(await heldRoutes(r, 6, PEER))]);
}

/** Polls the receiver's count until it is `want` (and stays so for one more poll). */
async function waitCount(r: RouterDriver, want: number, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  let last = -1;
  for (let i = 0; i < 10_000 && Date.now() < end; i++) {
    const n = (await heldCount(r, 4, PEER)) + (await heldCount(r, 6, PEER));
    if (n === want && last === want) return;
    last = n;
    await sleep(200);
  }
  throw new Error(`${r.kind}: the receiver holds ${last} prefixes, not ${want}, after ${timeoutMs} ms`);
}

/** What differs between what the router holds and what it should: a short, readable list. */
function mismatches(got: Map<string, HeldRoute>, want: Map<string, string[]>): string[] {
  const out: string[] = [];
  for (const [p, cs] of want) {
    const g = got.get(p);
    if (!g) out.push(`${p}: missing`);
    else if (JSON.stringify([...g.communities].sort()) !== JSON.stringify(cs)) out.push(`${p}: communities ${JSON.stringify(g.communities)}, want ${JSON.stringify(cs)}`);
    else if (g.nextHops[0] !== (p.includes(':') ? '2001:db8::11' : '192.0.2.11')) out.push(`${p}: next hop ${JSON.stringify(g.nextHops)}`);
  }
  for (const p of got.keys()) if (!want.has(p)) out.push(`${p}: held, but not ours to have`);
  return out;
}

describe('bgp pacing against real routers: 10,000 prefixes, then 10,000 changes into a frozen receiver', function () {
  this.timeout(300_000);
  let topo: Topology | undefined;

  before(async function () {
    skipUnless(this, { root: true, tools: ['ip', 'bird', 'birdc', 'vtysh'] });
    topo = await Topology.create(uniquePrefix('bp'), [
      { name: 'router', addresses: ['192.0.2.1/24', '2001:db8::1/64'], macByte: 1, router: true, sysctls: SMALL_BUFFERS },
      { name: 'node1', addresses: ['192.0.2.11/24', '2001:db8::11/64'], macByte: 11, sysctls: SMALL_BUFFERS },
    ]);
  });

  after(async () => {
    await topo?.destroy();
  });

  for (const kind of ['bird', 'frr'] as RouterKind[]) {
    it(`${kind}: all arrive; withdrawals and new attributes sent while it was frozen arrive right after it thaws`, async () => {
      const all = prefixSet(COUNT);
      assert.equal(new Set(all).size, COUNT);
      assert.ok(all.filter((p) => !p.includes(':')).length > 1000, 'IPv4 and IPv6');
      const router = routers.createRouter(kind, { ns: topo!.ns('router'), routerId: '192.0.2.1', asn: 64500, holdTime: 30, keepaliveTime: 10, peers: [{ ...PEER, asn: 64512, families: [4, 6] }] });
      let speaker: SpeakerProcess | undefined;
      let frozen: Frozen | undefined;
      try {
        await router.start();
        speaker = SpeakerProcess.start(topo!.ns('node1'), { routes: [], peers: [{ name: 'r', myASN: 64512, peerASN: 64500, peerAddress: '192.0.2.1', holdTime: 30, keepaliveTime: 10 }] });
        await speaker.waitState('r', 'established', 30_000);

        await speaker.change(all.map((prefix) => ({ prefix, communities: [community(1)] })));
        await waitCount(router, COUNT, 60_000);
        const first = mismatches(await held(router), new Map(all.map((p) => [p, ['64512:1']])));
        assert.deepEqual(first.slice(0, 10), [], `${first.length} wrong after the first 10,000`);

        // Every other prefix goes; the rest get community 64512:2, then 3 .. 7. The router reads
        // nothing meanwhile.
        const gone = all.filter((_, i) => i % 2 === 0);
        const kept = all.filter((_, i) => i % 2 === 1);
        const before = (await speaker.status())[0];
        const stallsBefore = before?.writeStalls ?? 0;
        frozen = await freeze(topo!.ns('router'), DAEMON[kind]!);
        await speaker.change(kept.map((prefix) => ({ prefix, communities: [community(2)] })), gone);
        for (let c = 3; c < 2 + ROUNDS; c++) await speaker.change(kept.map((prefix) => ({ prefix, communities: [community(c)] })));
        let seen: { queued: number; stalls: number } | undefined;
        for (let i = 0; i < 40 && !seen; i++) {
          await sleep(100);
          const s = (await speaker.status())[0];
          if (s && (s.prefixesQueued ?? 0) > 0 && (s.writeStalls ?? 0) > stallsBefore) seen = { queued: s.prefixesQueued ?? 0, stalls: s.writeStalls ?? 0 };
        }
        assert.ok(seen, 'the speaker saw its socket refuse writes and held a queue while the router was frozen');
        await sleep(3000);
        const during = (await speaker.status())[0];
        assert.equal(during?.state, 'established', 'the session survives a 4 s freeze');
        assert.ok((during?.prefixesQueued ?? 0) > 0, `still queued after 4 s frozen: ${during?.prefixesQueued}`);
        frozen.thaw();

        const want = new Map(kept.map((p) => [p, [`64512:${1 + ROUNDS}`]]));
        await waitCount(router, kept.length, 60_000);
        let last: string[] = [];
        // The count is right before the last community arrives everywhere: poll the table itself.
        for (let i = 0; i < 60; i++) {
          last = mismatches(await held(router), want);
          if (last.length === 0) break;
          await sleep(500);
        }
        assert.deepEqual(last.slice(0, 10), [], `${last.length} wrong after the changes`);
        const after = (await speaker.status())[0];
        assert.equal(after?.prefixesQueued, 0);
        assert.equal(after?.prefixesSent, kept.length);
        assert.equal(after?.state, 'established');
        // Coalesced: fewer UPDATEs than the rounds would take one by one (each round of 5,000 is
        // at least 5,000 / 240 full messages).
        const sentForChanges = (after?.updatesSent ?? 0) - (before?.updatesSent ?? 0);
        assert.ok(sentForChanges < ROUNDS * Math.ceil(kept.length / 240), `${sentForChanges} UPDATEs for ${ROUNDS} rounds of ${kept.length} changes and ${gone.length} withdrawals`);
      } finally {
        frozen?.thaw();
        await speaker?.stop();
        await router.stop();
      }
    });
  }
});
