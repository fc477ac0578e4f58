// Monitoring against the real thing (issue 16): the lab with a real Prometheus (Debian's, in the
// mgmt namespace, `herald-lab up --prometheus`) scraping the real controller and speakers, with
// Herald's alert rules loaded. (a) Every query of the Grafana dashboard returns data: at least one
// series with a number (not NaN). (b) The announced metric agrees with arping: the one node whose
// MAC answers ARP for an L2 sample IP is the one node exporting herald_speaker_announced for it,
// also after that node's speaker is frozen and another takes over. (c) Freezing a speaker
// (SIGSTOP) fires HeraldBGPSessionDown for it in /api/v1/alerts (its `for` is 1 minute). And in
// BGP mode the nodes exporting an IP as announced are the router's kernel next hops for it; an
// ETP Local Service whose backends all go is exported as unannounceable (no-endpoints), so
// HeraldIPNotAnnounced's expression stays empty for it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@herald/shared';
import { skipUnless } from '@herald/testkit';
import { Lab, applyObjects, nsRun, sitePlan, siteNamespaces } from '@herald/lab';
import { waitFor } from '../../src/harness/wait.js';
import { dashboardQueries } from './monitoring-files.js';

interface Sample { metric: Record<string, string>; value: [number, string] }
interface Alert { labels: Record<string, string>; state: string }

/** Grafana's variables as the dashboard's default time range would set them, at most. */
export function forPrometheus(expr: string): string {
  return expr.replaceAll('$__rate_interval', '5m').replaceAll('$__range', '10m').replaceAll('$__interval', '15s');
}

describe('monitoring on the lab: a real Prometheus scraping the real components', function () {
  this.timeout(420_000);
  let lab: Lab | undefined;
  let dir: string;
  let frozen: string | undefined;
  const plan = sitePlan({ prefix: `hpm${process.pid % 100000}`, router: 'bird', nodes: 3 });
  const ns = siteNamespaces(plan);
  const macOf = new Map(plan.nodes.map((n) => [`02:00:00:00:00:${n.macByte.toString(16).padStart(2, '0')}`, n.name]));

  before(async function () {
    skipUnless(this, { root: true, tools: ['ip', 'nft', 'bird', 'birdc', 'arping', 'prometheus'] });
    dir = mkdtempSync(join(tmpdir(), 'herald-prom-e2e-'));
    lab = await Lab.start(plan, dir, createLogger({ component: 'lab', level: 'warn' }), { prometheus: true });
    assert.ok(lab.prometheusUrl, 'the lab says where Prometheus is');
    // Every target up, and every sample Service with an IP.
    await waitFor('Prometheus scrapes the controller and 3 speakers', async () => ((await query('up == 1')).length === 4 ? true : undefined), { timeoutMs: 60_000, intervalMs: 1000 });
    await waitFor('every sample Service has an IP', async () => ((await query('herald_controller_service_ip')).length === plan.services.length ? true : undefined), { timeoutMs: 90_000, intervalMs: 1000 });
  });

  after(async () => {
    if (frozen) await lab?.speaker(frozen, 'thaw').catch(() => undefined);
    await lab?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function api<T>(path: string, params: Record<string, string> = {}): Promise<T> {
    const url = `${lab!.prometheusUrl!}${path}?${new URLSearchParams(params).toString()}`;
    const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    const body = (await res.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`${path} ${JSON.stringify(params)}: ${body.error ?? res.status}`);
    return body.data;
  }

  async function query(expr: string): Promise<Sample[]> {
    return (await api<{ result: Sample[] }>('/api/v1/query', { query: expr })).result;
  }

  /** The node whose MAC answers ARP for the IP on the router's LAN (real arping). */
  async function arpingOwner(ip: string): Promise<string | undefined> {
    const out = await nsRun(ns.router, ['arping', '-c', '1', '-w', '2', '-I', 'eth0', ip]).catch((e: unknown) => String(e));
    const macs = [...new Set([...out.matchAll(/\[([0-9a-f:]{17})\]/gi)].map((m) => m[1]!.toLowerCase()))];
    return macs.length === 1 ? (macOf.get(macs[0]!) ?? `unknown MAC ${macs[0]}`) : undefined;
  }

  /** Waits until exactly one node exports the IP as announced in L2 and that node answers arping; returns it. */
  async function agreedOwner(ip: string, when: string, not?: string): Promise<string> {
    let last = '';
    return waitFor(
      `herald_speaker_announced agrees with arping for ${ip} ${when}`,
      async () => {
        const nodes = (await query(`herald_speaker_announced{ip="${ip}",mode="l2"}`)).map((s) => s.metric['node'] ?? '?');
        const arp = await arpingOwner(ip);
        last = `metric: [${nodes.join(', ')}], arping: ${arp ?? 'none or several'}`;
        return nodes.length === 1 && nodes[0] === arp && arp !== not ? arp : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 1000 },
    ).catch((err: unknown) => {
      throw new Error(`${(err as Error).message} (last: ${last})`);
    });
  }

  it('every query of the Grafana dashboard returns data (at least one series with a number)', async () => {
    // Fresh work for the rate() panels: the lab's own Services may have been allocated before
    // Prometheus first scraped the controller. This one has no endpoints: unannounceable.
    await applyObjects(lab!.kubeConfig(), [
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'mon-probe', namespace: 'demo', annotations: { 'herald.dev/address-pool': 'lab-l2' } },
        spec: { type: 'LoadBalancer', selector: { app: 'mon-probe' }, ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8099 }] },
      },
    ]);
    await waitFor('demo/mon-probe has an IP, unannounceable', async () => ((await query('herald_controller_service_ip{service="demo/mon-probe"} and on (ip) herald_speaker_ip_unannounceable')).length === 1 ? true : undefined), { timeoutMs: 30_000, intervalMs: 1000 });
    const queries = dashboardQueries();
    assert.ok(queries.length >= 20, `found the queries (${queries.length})`);
    let failing: string[] = [];
    await waitFor(
      'every dashboard query to return a number',
      async () => {
        failing = [];
        for (const q of queries) {
          const r = await query(forPrometheus(q.expr));
          if (!r.some((s) => Number.isFinite(Number(s.value[1])))) failing.push(`${q.panel} ${q.refId}: ${r.length} series ${JSON.stringify(r.map((s) => s.value[1]))}`);
        }
        return failing.length === 0 ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 2000 },
    ).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}:\n  ${failing.join('\n  ')}`);
    });
  });

  /** The nodes that are next hops of the IP's /32 in the router's kernel (BIRD installs them). */
  async function routeNextHops(ip: string): Promise<string[]> {
    const out = await nsRun(ns.router, ['ip', 'route', 'show', `${ip}/32`]);
    return [...out.matchAll(/via (\S+)/g)].map((m) => plan.nodes.find((n) => n.ip4 === m[1])?.name ?? m[1]!).sort();
  }

  async function bgpAgrees(service: string, when: string): Promise<string[]> {
    const ip = (await query(`herald_controller_service_ip{service="${service}"}`))[0]?.metric['ip'];
    assert.ok(ip, `${service} has an IP`);
    let last = '';
    return waitFor(
      `herald_speaker_announced{mode="bgp"} agrees with the router's next hops for ${ip} (${service}) ${when}`,
      async () => {
        const nodes = (await query(`herald_speaker_announced{ip="${ip}",mode="bgp"}`)).map((s) => s.metric['node'] ?? '?').sort();
        const hops = await routeNextHops(ip);
        last = `metric: [${nodes.join(', ')}], router: [${hops.join(', ')}]`;
        return nodes.join(',') === hops.join(',') ? nodes : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 1000 },
    ).catch((err: unknown) => {
      throw new Error(`${(err as Error).message} (last: ${last})`);
    });
  }

  it('BGP: the announced metric names the router\'s next hops; an ETP Local Service with no backends is unannounceable, not alerted on', async () => {
    assert.deepEqual(await bgpAgrees('demo/web-bgp', 'at start'), ['node1', 'node2', 'node3']);
    assert.deepEqual(await bgpAgrees('demo/web-local', 'at start'), ['node1', 'node2'], 'ETP Local: only the nodes with a backend');
    const ip = (await query('herald_controller_service_ip{service="demo/web-local"}'))[0]!.metric['ip']!;
    const notAnnounced = `herald_controller_service_ip{ip="${ip}"} unless on (ip) herald_speaker_announced unless on (ip) herald_speaker_ip_unannounceable`;
    await lab!.scale('web-local', []);
    try {
      await waitFor(`${ip} exported as unannounceable (no-endpoints) by every speaker`, async () => ((await query(`herald_speaker_ip_unannounceable{ip="${ip}",reason="no-endpoints"}`)).length === 3 ? true : undefined), { timeoutMs: 30_000, intervalMs: 1000 });
      assert.deepEqual(await bgpAgrees('demo/web-local', 'with no backends'), [], 'withdrawn everywhere');
      assert.deepEqual(await query(notAnnounced), [], 'HeraldIPNotAnnounced leaves it out');
      assert.deepEqual(await query('ALERTS{alertname="HeraldIPNotAnnounced"}'), [], 'not even pending');
    } finally {
      await lab!.scale('web-local', ['node1', 'node2']);
    }
    await bgpAgrees('demo/web-local', 'with its backends back');
    assert.deepEqual(await query(`herald_speaker_ip_unannounceable{ip="${ip}"}`), [], 'announceable again');
  });

  it('the L2 announced metric names the node that answers arping, before and after its speaker is frozen; and HeraldBGPSessionDown fires for the frozen speaker', async () => {
    const web = (await query('herald_controller_service_ip{service="demo/web-l2"}'))[0]?.metric['ip'];
    assert.ok(web, 'demo/web-l2 has an IP');
    const owner = await agreedOwner(web, 'at start');
    const node = plan.nodes.find((n) => n.name === owner)!;
    const instance = `${node.ip4}:7472`;
    assert.deepEqual((await query('ALERTS{alertname="HeraldBGPSessionDown"}')).map((s) => s.metric['instance']), [], 'no session-down alert before the freeze');

    frozen = owner;
    await lab!.speaker(owner, 'freeze');
    const t0 = Date.now();
    const next = await agreedOwner(web, `after ${owner}'s speaker is frozen`, owner);
    assert.notEqual(next, owner);
    const alert = await waitFor(
      `HeraldBGPSessionDown firing for ${instance}`,
      async () => (await api<{ alerts: Alert[] }>('/api/v1/alerts')).alerts.find((a) => a.labels['alertname'] === 'HeraldBGPSessionDown' && a.labels['instance'] === instance && a.state === 'firing'),
      { timeoutMs: 150_000, intervalMs: 2000 },
    );
    const s = Math.round((Date.now() - t0) / 1000);
    process.stderr.write(`      HeraldBGPSessionDown fired for ${instance} (peer ${alert.labels['peer']}) ${s} s after the freeze (for: 1m)\n`);
    assert.ok(s >= 55, `not before its 1 minute (${s} s)`);
    const others = (await api<{ alerts: Alert[] }>('/api/v1/alerts')).alerts.filter((a) => a.labels['alertname'] === 'HeraldBGPSessionDown' && a.labels['instance'] !== instance);
    assert.deepEqual(others, [], 'only the frozen speaker');
    await lab!.speaker(owner, 'thaw');
    frozen = undefined;
  });
});
