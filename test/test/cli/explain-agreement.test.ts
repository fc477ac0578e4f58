// `kubectl herald explain` agrees with the network (issue 16): on the lab (real controller and
// speakers, real BIRD), for every sample Service, the L2 owner explain names is the node whose
// MAC answers arping for the IP, and the BGP announcers explain names are exactly the next hops
// of the router's kernel route (installed by BIRD from the sessions). Then a backend moves (ETP
// Local) and a speaker is killed, and they still agree. explain is run through its real command
// line, on the lab's kubeconfig, reading only the API.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run as cli } from '@herald/cli';
import { createLogger } from '@herald/shared';
import { skipUnless } from '@herald/testkit';
import { Lab, nsRun, sitePlan, siteNamespaces } from '@herald/lab';
import { waitFor } from '../../src/harness/wait.js';

interface Explained {
  service: { ips: string[] };
  announcements?: {
    l2: { ip: string; owner?: string }[];
    bgp: { ip: string; nodes: { node: string; carried: boolean }[] }[];
  };
}

describe('kubectl herald explain agrees with arping and the router (lab)', function () {
  this.timeout(240_000);
  let lab: Lab | undefined;
  let dir: string;
  const plan = sitePlan({ prefix: `hcx${process.pid % 100000}`, router: 'bird', nodes: 3 });
  const ns = siteNamespaces(plan);
  const macOf = new Map(plan.nodes.map((n) => [`02:00:00:00:00:${n.macByte.toString(16).padStart(2, '0')}`, n.name]));
  const nodeOfIP = new Map(plan.nodes.map((n) => [n.ip4, n.name]));

  before(async function () {
    skipUnless(this, { root: true, tools: ['ip', 'nft', 'bird', 'birdc', 'arping'] });
    dir = mkdtempSync(join(tmpdir(), 'herald-cli-e2e-'));
    lab = await Lab.start(plan, dir, createLogger({ component: 'lab', level: 'warn' }));
  });

  after(async () => {
    await lab?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function explain(name: string): Promise<Explained> {
    let out = '';
    let err = '';
    const code = await cli(['--kubeconfig', lab!.hostKubeconfig, '--herald-namespace', plan.namespace, 'explain', 'service', `demo/${name}`, '-o', 'json'], {
      out: (t) => (out += t),
      err: (t) => (err += t),
      now: () => Date.now(),
      sleep: () => Promise.resolve(),
    });
    assert.equal(code, 0, err);
    return JSON.parse(out) as Explained;
  }

  /** The node whose MAC answers ARP for the IP on the router's LAN (real arping). */
  async function arpingOwner(ip: string): Promise<string | undefined> {
    const out = await nsRun(ns.router, ['arping', '-c', '1', '-w', '2', '-I', 'eth0', ip]).catch((e: unknown) => String(e));
    const macs = [...out.matchAll(/\[([0-9a-f:]{17})\]/gi)].map((m) => m[1]!.toLowerCase());
    return macs.length === 1 ? (macOf.get(macs[0]!) ?? `unknown MAC ${macs[0]}`) : undefined;
  }

  /** The nodes that are next hops of the IP's /32 in the router's kernel (BIRD installs them). */
  async function routeNextHops(ip: string): Promise<string[]> {
    const out = await nsRun(ns.router, ['ip', 'route', 'show', `${ip}/32`]);
    return [...out.matchAll(/via (\S+)/g)].map((m) => nodeOfIP.get(m[1]!) ?? m[1]!).sort();
  }

  /**
   * Every sample Service: explain vs the network. Retried for a bounded time, since the network
   * follows a change a moment after the API does; a persistent disagreement fails with both sides.
   */
  async function assertAgreement(when: string): Promise<{ l2: number; bgp: number }> {
    let last = '';
    const counts = await waitFor(
      `explain agrees with arping and the router ${when}`,
      async () => {
        const n = { l2: 0, bgp: 0 };
        const diffs: string[] = [];
        for (const s of plan.services) {
          const x = await explain(s.name);
          for (const l2 of x.announcements?.l2 ?? []) {
            const seen = await arpingOwner(l2.ip);
            if (seen !== l2.owner) diffs.push(`${s.name} ${l2.ip}: explain says owner ${l2.owner ?? 'none'}, arping answered from ${seen ?? 'no node'}`);
            else n.l2++;
          }
          for (const b of x.announcements?.bgp ?? []) {
            if (b.ip.includes(':')) continue;
            const carried = b.nodes.filter((v) => v.carried).map((v) => v.node).sort();
            const hops = await routeNextHops(b.ip);
            if (carried.join() !== hops.join()) diffs.push(`${s.name} ${b.ip}: explain says ${carried.join(',') || 'none'}, router next hops ${hops.join(',') || 'none'}`);
            else n.bgp++;
          }
        }
        last = diffs.join('\n');
        return diffs.length === 0 && n.l2 > 0 && n.bgp > 0 ? n : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 1000 },
    ).catch((e: unknown) => {
      throw new Error(`${String(e)}\n${last}`);
    });
    return counts;
  }

  it('for every sample Service, explain names the owner arping sees and the announcers the router routes to', async () => {
    await waitFor('every Service announced', async () => {
      const st = await lab!.status();
      return st.services.length === plan.services.length && st.services.every((v) => v.ips.length > 0 && (v.mode === 'l2' ? v.owner : v.announcers.length)) ? true : undefined;
    }, { timeoutMs: 60_000, intervalMs: 500 });
    const n = await assertAgreement('at start');
    // Every sample Service was compared: two L2 IPs (web-l2, web-l2-local), two BGP (web-bgp, web-local).
    assert.deepEqual(n, { l2: 2, bgp: 2 });
  });

  it('still agrees after a backend moves under ETP Local and after the L2 owner\'s speaker is killed', async () => {
    const local = plan.services.find((s) => s.name === 'web-local')!;
    await lab!.scale('web-local', [local.backendNodes[0]!]);
    await assertAgreement('after web-local moved to one node');
    const before = await explain('web-l2');
    const owner = before.announcements!.l2[0]!.owner!;
    await lab!.speaker(owner, 'kill');
    // explain reads liveness from the speaker Leases, which expire after their duration (the
    // heartbeat moves the IP sooner; the API cannot show it until the Lease expires).
    const x = await waitFor('explain names another owner', async () => {
      const e = await explain('web-l2');
      const o = e.announcements?.l2[0]?.owner;
      return o && o !== owner ? e : undefined;
    }, { timeoutMs: 30_000, intervalMs: 500 });
    assert.notEqual(x.announcements!.l2[0]!.owner, owner);
    await assertAgreement(`after ${owner}'s speaker was killed`);
  });
});
