// ECMP and failure handling against routers that program the kernel (BIRD, FRR): three nodes
// advertise one /32, the router's kernel table holds three next hops and a client's connections
// reach all three nodes; a withdrawal removes
// one; a frozen speaker (SIGSTOP) is dropped by the hold timer; a restarted one comes back.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { nsRun, nsSpawn, stopProcess, type Topology } from '@herald/lab';
import { skipUnless } from '@herald/testkit';
import { createBgpSite } from '../../src/bgp/lab-site.js';
import { SpeakerProcess } from '../../src/bgp/speaker-process.js';
import { routers, type RouterDriver, type RouterKind } from '../../src/bgp/api.js';

const SERVICE = '203.0.113.100/32';
const nodes = [
  { node: 'node1', address: '192.0.2.11' },
  { node: 'node2', address: '192.0.2.12' },
  { node: 'node3', address: '192.0.2.13' },
];

/** Gateways of the kernel route for SERVICE in the router namespace (sorted). */
async function kernelNextHops(topo: Topology): Promise<string[]> {
  const out = await nsRun(topo.ns('router'), ['ip', '-j', 'route', 'show', SERVICE]);
  const rs = JSON.parse(out) as { gateway?: string; nexthops?: { gateway: string }[] }[];
  return rs.flatMap((r) => (r.nexthops ? r.nexthops.map((n) => n.gateway) : r.gateway ? [r.gateway] : [])).sort();
}

function waitNextHops(topo: Topology, want: string[], tries = 120): Promise<string[]> {
  return routers.poll(`kernel next hops ${want.join(',')}`, async () => {
    const got = await kernelNextHops(topo);
    return JSON.stringify(got) === JSON.stringify(want) ? got : undefined;
  }, { tries, intervalMs: 100 });
}

const SERVICE_IP = SERVICE.split('/')[0]!;
/** A server on the Service IP (on lo) of each node answering its node name. */
const server = (name: string) => `require('net').createServer((s) => s.end('${name}\\n')).listen(8080, '${SERVICE_IP}')`;
/** 60 connections from the client, each printing who answered (new source port each time). */
const CLIENT = `const net = require('net'); (async () => { for (let i = 0; i < 60; i++) { await new Promise((res, rej) => { const c = net.connect(8080, '${SERVICE_IP}'); let d = ''; c.setTimeout(3000, () => c.destroy(new Error('timeout'))); c.on('data', (b) => (d += b)); c.on('end', () => { process.stdout.write(d); res(); }); c.on('error', rej); }); } })().catch((e) => { console.error(e); process.exit(1); });`;

function startSpeaker(topo: Topology, i: number): SpeakerProcess {
  const n = nodes[i]!;
  return SpeakerProcess.start(topo.ns(n.node), {
    routes: [{ prefix: SERVICE }],
    peers: [{ name: 'r', myASN: 64512, peerASN: 64500, peerAddress: '192.0.2.1', sourceAddress: n.address, holdTime: 3, keepaliveTime: 1 }],
  });
}

describe('bgp ECMP and failure handling against kernel-programming routers', function () {
  this.timeout(120_000);
  let topo: Topology | undefined;

  const servers: ChildProcess[] = [];

  before(async function () {
    skipUnless(this, { root: true, tools: ['ip', 'bird', 'birdc', 'vtysh'] });
    topo = await createBgpSite('be');
    for (const n of nodes) {
      await nsRun(topo.ns(n.node), ['ip', 'addr', 'add', `${SERVICE_IP}/32`, 'dev', 'lo']);
      await nsRun(topo.ns(n.node), ['ip', 'route', 'add', 'default', 'via', '192.0.2.1']);
      servers.push(nsSpawn(topo.ns(n.node), [process.execPath, '-e', server(n.node)]));
    }
  });

  after(async () => {
    for (const s of servers) await stopProcess(s);
    await topo?.destroy();
  });

  for (const kind of ['bird', 'frr'] as RouterKind[]) {
    describe(`${kind}`, () => {
      let router: RouterDriver | undefined;
      const speakers: (SpeakerProcess | undefined)[] = [];
      const all = nodes.map((n) => n.address).sort();

      before(async () => {
        router = routers.createRouter(kind, {
          ns: topo!.ns('router'),
          routerId: '192.0.2.1',
          asn: 64500,
          kernel: true,
          peers: nodes.map((n, i) => ({ name: `node${i + 1}`, address: n.address, asn: 64512 })),
        });
        await router.start();
        for (let i = 0; i < nodes.length; i++) speakers[i] = startSpeaker(topo!, i);
      });

      after(async () => {
        for (const s of speakers) await s?.stop();
        await router?.stop();
      });

      it("three nodes advertising one /32: the kernel route has three next hops, and the client's connections reach all three", async () => {
        assert.deepEqual(await waitNextHops(topo!, all), all);
        const rib = (await router!.routes(4)).filter((r) => r.prefix === SERVICE);
        assert.deepEqual(rib.flatMap((r) => r.nextHops).sort(), all, 'the RIB holds one path per node');
        const out = await nsRun(topo!.ns('client'), [process.execPath, '-e', CLIENT], { timeoutMs: 20_000 });
        const answered = new Set(out.split('\n').filter(Boolean));
        assert.deepEqual([...answered].sort(), ['node1', 'node2', 'node3'], out);
      });

      it('a node withdrawing the prefix leaves two next hops; advertising again restores three', async () => {
        speakers[1]!.advertise([]);
        await waitNextHops(topo!, [all[0]!, all[2]!]);
        speakers[1]!.advertise([{ prefix: SERVICE }]);
        await waitNextHops(topo!, all);
      });

      it('a frozen speaker (SIGSTOP) is dropped by the hold timer; a restarted one re-establishes and re-advertises', async () => {
        speakers[0]!.freeze();
        // Hold time 3 s: allow up to 12 s for the expiry and the kernel update.
        await waitNextHops(topo!, all.slice(1));
        const ss = await router!.sessions();
        assert.notEqual(ss.find((s) => s.peer === 'node1')?.state, 'established', JSON.stringify(ss));
        await speakers[0]!.stop();
        speakers[0] = startSpeaker(topo!, 0);
        await speakers[0].waitState('r', 'established', 20_000);
        await waitNextHops(topo!, all);
      });
    });
  }
});
