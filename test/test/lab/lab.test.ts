// The lab scenario, headless (issue 7): the whole site comes up with real processes and a real
// BIRD, Services are reachable from the client in both modes, an L2 owner fails over, the BGP
// route has one next hop per node, and teardown leaves no namespace or process behind.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { createLogger } from '@herald/shared';
import { skipUnless } from '@herald/testkit';
import { Lab, nsRun, run, sitePlan, siteNamespaces, type LabStatus } from '@herald/lab';
import { waitFor } from '../../src/harness/wait.js';

const announced = (s: LabStatus, name: string) => s.services.find((v) => v.name === name);

describe('the lab, headless', function () {
  this.timeout(180_000);
  let lab: Lab | undefined;
  let dir: string;
  const plan = sitePlan({ prefix: `hle${process.pid % 100000}`, router: 'bird', nodes: 3 });
  const ns = siteNamespaces(plan);

  before(async function () {
    skipUnless(this, { root: true, tools: ['ip', 'nft', 'bird', 'birdc'] });
    dir = mkdtempSync(join(tmpdir(), 'herald-lab-e2e-'));
    lab = await Lab.start(plan, dir, createLogger({ component: 'lab', level: 'warn' }));
  });

  after(async () => {
    if (!lab) return;
    await lab.stop();
    // Teardown leaves nothing behind: no namespace, no process of this lab.
    const left = await run(['ip', 'netns', 'list']);
    assert.ok(!left.includes(plan.prefix), `namespaces left behind:\n${left}`);
    const procs = await run(['ps', '-eo', 'args']);
    assert.ok(!procs.split('\n').some((l) => l.includes(dir)), 'a lab process is still running');
    rmSync(dir, { recursive: true, force: true });
  });

  it('L2 and BGP Services are reachable from the client, each IP announced', async () => {
    const s = await waitFor(
      'every Service announced and answering',
      async () => {
        const st = await lab!.status();
        const ok = st.services.length === 4 && st.services.every((v) => v.ips.length > 0 && (v.mode === 'l2' ? v.owner : v.announcers.length)) && st.requests.every((r) => r.backend !== null);
        return ok ? st : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    assert.equal(announced(s, 'web-l2')?.mode, 'l2');
    assert.equal(announced(s, 'web-bgp')?.mode, 'bgp');
    // Each speaker reports what it announces: one ServiceBGPStatus per announcing node, and one
    // ServiceL2Status, from the owner only.
    const custom = lab!.kubeConfig().makeApiClient(CustomObjectsApi);
    const list = async (plural: string) =>
      ((await custom.listNamespacedCustomObject({ group: 'herald.dev', version: 'v1beta1', namespace: plan.namespace, plural })) as { items: { status?: { node?: string; serviceName?: string; peers?: string[] } }[] }).items;
    const bgpNodes = await waitFor('a ServiceBGPStatus from every node for web-bgp', async () => {
      const nodes = (await list('servicebgpstatuses')).filter((x) => x.status?.serviceName === 'web-bgp').map((x) => x.status?.node).sort();
      return nodes.length === 3 ? nodes : undefined;
    });
    assert.deepEqual(bgpNodes, ['node1', 'node2', 'node3']);
    const l2 = (await list('servicel2statuses')).filter((x) => x.status?.serviceName === 'web-l2');
    assert.deepEqual(l2.map((x) => x.status?.node), [announced(s, 'web-l2')!.owner]);
    assert.equal(s.requests.length, 4);
  });

  it('the BGP Service has an ECMP route with three next hops in the router kernel; ETP Local only where backends run', async () => {
    const s = await lab!.status();
    const ip = announced(s, 'web-bgp')!.ips[0]!;
    const route = await waitFor('three next hops in the kernel', async () => {
      const r = await nsRun(ns.router, ['ip', 'route', 'show', `${ip}/32`]);
      return (r.match(/nexthop via/g) ?? []).length === 3 ? r : undefined;
    }, { timeoutMs: 20_000, intervalMs: 250 });
    for (const n of plan.nodes) assert.match(route, new RegExp(`nexthop via ${n.ip4.replace(/\./g, '\\.')} `));
    const local = announced(s, 'web-local')!.ips[0]!;
    const lr = await waitFor('ETP Local route', async () => {
      const r = await nsRun(ns.router, ['ip', 'route', 'show', `${local}/32`]);
      return (r.match(/nexthop via/g) ?? []).length === 2 ? r : undefined;
    }, { timeoutMs: 20_000, intervalMs: 250 });
    assert.ok(!lr.includes(plan.nodes[2]!.ip4), 'node3 runs no web-local backend, so it is no next hop');
    // Connections from the client reach every node under ETP Cluster's ECMP: different source
    // ports hash to different next hops; with 30 requests all three nodes are hit.
    const seen = new Set<string>();
    for (let i = 0; i < 30 && seen.size < 3; i++) {
      const out = await nsRun(ns.router, ['ip', 'route', 'get', ip, 'from', plan.client.ip4, 'iif', 'eth1', 'ipproto', 'tcp', 'sport', String(40000 + i), 'dport', '80']);
      const m = /via (\S+)/.exec(out);
      if (m) seen.add(m[1]!);
    }
    assert.equal(seen.size, 3, `ECMP spreads flows over all three nodes: ${[...seen].join(', ')}`);
  });

  it("removing a node's last local endpoint withdraws that node under ETP Local", async () => {
    const s = await lab!.status();
    const ip = announced(s, 'web-local')!.ips[0]!;
    await lab!.scale('web-local', ['node1']);
    const r = await waitFor('one next hop left', async () => {
      const out = await nsRun(ns.router, ['ip', 'route', 'show', `${ip}/32`]);
      return out.includes(`via ${plan.nodes[0]!.ip4}`) && !out.includes('nexthop') ? out : undefined;
    }, { timeoutMs: 20_000, intervalMs: 250 });
    assert.ok(!r.includes(plan.nodes[1]!.ip4), `node2 withdrew: ${r}`);
    await lab!.scale('web-local', ['node1', 'node2']);
    await waitFor('two next hops again', async () => {
      const out = await nsRun(ns.router, ['ip', 'route', 'show', `${ip}/32`]);
      return (out.match(/nexthop via/g) ?? []).length === 2 ? true : undefined;
    }, { timeoutMs: 20_000, intervalMs: 250 });
  });

  it('under ETP Local only a node with a local endpoint owns the L2 IP, and ownership moves when its last endpoint goes', async () => {
    const s = await lab!.status();
    const svc = announced(s, 'web-l2-local')!;
    const backends = plan.services.find((x) => x.name === 'web-l2-local')!.backendNodes;
    assert.ok(backends.includes(svc.owner!), `owner ${svc.owner} runs a backend (${backends.join(', ')})`);
    const ip = svc.ips[0]!;
    const rest = backends.filter((b) => b !== svc.owner);
    await lab!.scale('web-l2-local', rest);
    const after = await waitFor('the owner moves to a node with an endpoint', async () => {
      const o = announced(await lab!.status(), 'web-l2-local')?.owner;
      return o && o !== svc.owner ? o : undefined;
    }, { timeoutMs: 10_000, intervalMs: 100 });
    assert.ok(rest.includes(after));
    const mac = `02:00:00:00:00:${plan.nodes.find((n) => n.name === after)!.macByte.toString(16).padStart(2, '0')}`;
    await nsRun(ns.router, ['ping', '-c', '1', '-W', '1', ip]).catch(() => undefined);
    await waitFor('the router resolves the IP to the new owner', async () => ((await nsRun(ns.router, ['ip', 'neigh', 'show', ip])).includes(mac) ? true : undefined), { timeoutMs: 5000, intervalMs: 100 });
    await lab!.scale('web-l2-local', backends);
  });

  it('killing the L2 owner moves the IP: the router relearns the new owner and requests keep working', async () => {
    const s = await lab!.status();
    const svc = announced(s, 'web-l2')!;
    const ip = svc.ips[0]!;
    const owner = svc.owner!;
    // The router must have a neighbour entry for the gratuitous ARP to overwrite (LAB-NOTES).
    await nsRun(ns.router, ['ping', '-c', '1', '-W', '1', ip]).catch(() => undefined);
    const before = await nsRun(ns.router, ['ip', 'neigh', 'show', ip]);
    const ownerMac = plan.nodes.find((n) => n.name === owner)!.macByte.toString(16).padStart(2, '0');
    assert.match(before, new RegExp(`lladdr 02:00:00:00:00:${ownerMac}`));
    await lab!.speaker(owner, 'kill');
    const after = await waitFor('a new owner', async () => {
      const st = await lab!.status();
      const o = announced(st, 'web-l2')?.owner;
      return o && o !== owner ? st : undefined;
    }, { timeoutMs: 10_000, intervalMs: 100 });
    const newOwner = announced(after, 'web-l2')!.owner!;
    const newMac = plan.nodes.find((n) => n.name === newOwner)!.macByte.toString(16).padStart(2, '0');
    await waitFor('the router relearned the MAC', async () => {
      const n = await nsRun(ns.router, ['ip', 'neigh', 'show', ip]);
      return n.includes(`02:00:00:00:00:${newMac}`) ? true : undefined;
    }, { timeoutMs: 5000, intervalMs: 50 });
    // Requests from the client go through the new owner (the status probe runs them).
    await waitFor(`a request through ${ip} after failover`, async () => {
      const req = (await lab!.status()).requests.find((r) => r.service === 'web-l2');
      return req?.backend ? true : undefined;
    }, { timeoutMs: 10_000, intervalMs: 200 });
    await lab!.speaker(owner, 'start');
  });
});
