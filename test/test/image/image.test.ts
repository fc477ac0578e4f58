// The container image (issue 13 item 6): `make image` builds it (scripts/image/build.sh, cached),
// it holds no test code, and the lab run from it (`herald-lab up --image`) works as the plain lab
// does: the controller from the image allocates against the embedded API server, the speakers from
// the image answer ARP and peer with BIRD, each with the manifests' privileges and a read-only root.
// Needs root, podman and runc (CI installs them); otherwise one loud skip.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { createLogger } from '@herald/shared';
import { skipUnless } from '@herald/testkit';
import { BirdRouter, Lab, nsRun, run, sitePlan, siteNamespaces } from '@herald/lab';
import { waitFor } from '../../src/harness/wait.js';

const root = new URL('../../../../', import.meta.url).pathname;
const NET_RAW_NET_ADMIN = (1n << 12n) | (1n << 13n);

/** Runs node inside the image (it has no shell); returns its stdout. */
async function nodeInImage(image: string, script: string): Promise<string> {
  // --ulimit as the lab passes them: without them runc's setrlimit fails here (image-runner.ts).
  const n = Math.min(4096, Number(await run(['bash', '-c', 'ulimit -Hn'], { timeoutMs: 5000 }).then((s) => (s.trim() === 'unlimited' ? 4096 : s.trim()))));
  return run(['podman', '--runtime', 'runc', 'run', '--rm', '--pull', 'never', '--ulimit', `nofile=${n}:${n}`, '--ulimit', 'nproc=4096:4096', '--network', 'none', '--entrypoint', '/usr/local/bin/node', image, '-e', script], { timeoutMs: 60_000 });
}

/** The process's uid line and effective capabilities, from /proc/PID/status. */
function procStatus(pid: number): { uid: number; capEff: bigint } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const uid = /^Uid:\s+(\d+)/m.exec(s)?.[1];
  const cap = /^CapEff:\s+([0-9a-f]+)/m.exec(s)?.[1];
  assert.ok(uid !== undefined && cap !== undefined, `no Uid/CapEff in /proc/${pid}/status`);
  return { uid: Number(uid), capEff: BigInt(`0x${cap}`) };
}

describe('the container image (make image, herald-lab up --image)', function () {
  this.timeout(420_000);
  let image = '';
  let lab: Lab | undefined;
  let dir = '';
  const plan = sitePlan({ prefix: `him${process.pid % 100000}`, router: 'bird', nodes: 2 });
  const ns = siteNamespaces(plan);

  before(async function () {
    skipUnless(this, { root: true, tools: ['podman', 'runc', 'ip', 'nft', 'bird', 'birdc', 'arping', 'dpkg-deb', 'apt-get'] });
    // A cold build is about two minutes; a warm one (no input changed) a second.
    const started = Date.now();
    const b = spawnSync('bash', [join(root, 'scripts/image/build.sh')], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 360_000 });
    assert.equal(b.status, 0, `scripts/image/build.sh failed (exit ${b.status ?? b.signal}); its reason is above`);
    image = b.stdout.trim().split('\n').pop() ?? '';
    assert.ok(image !== '', 'build.sh printed no image reference');
    process.stderr.write(`      image ${image} ready in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  });

  after(async () => {
    if (lab) await lab.stop();
    // Nothing of this lab is left: no container, no namespace.
    if (image !== '') {
      const left = await run(['podman', 'ps', '-a', '--filter', `label=dev.herald.lab=${plan.prefix}`, '--format', '{{.Names}}'], { timeoutMs: 30_000 });
      assert.equal(left.trim(), '', `containers left behind: ${left}`);
    }
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('holds the app and no test code (no dist/test, lab, test workspace, mocha, @herald/lab or @herald/e2e)', async () => {
    const script = `
      const fs = require('fs'), path = require('path');
      const found = [];
      const walk = (d) => { for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory() && !e.isSymbolicLink()) { if (e.name === 'test' && d.endsWith('/dist')) found.push(p); else walk(p); }
      } };
      walk('/app');
      for (const p of ['/app/lab', '/app/test', '/app/node_modules/mocha', '/app/node_modules/@herald/lab', '/app/node_modules/@herald/e2e']) if (fs.existsSync(p)) found.push(p);
      const app = ['/app/controller/dist/src/bin.js', '/app/speaker/dist/src/bin.js', '/app/shared/dist/src/index.js', '/app/controller/dist/bundle/herald-controller.js', '/app/speaker/dist/bundle/herald-speaker.js', '/app/speaker/dist/bundle/worker.js'].filter((p) => fs.existsSync(p));
      console.log(JSON.stringify({ found, app, node: process.versions.node }));`;
    const out = JSON.parse((await nodeInImage(image, script)).trim().split('\n').pop() ?? '{}') as { found: string[]; app: string[]; node: string };
    assert.deepEqual(out.found, [], `test code in the image: ${out.found.join(', ')}`);
    // The walk looked where the app is: the binaries are there.
    assert.equal(out.app.length, 6, `the app is missing from /app: found only ${out.app.join(', ')}`);
    assert.match(out.node, /^24\./);
  });

  it('the lab from the image: an IP allocated, ARP answered, BGP Established with the route', async () => {
    dir = mkdtempSync(join(tmpdir(), 'herald-image-e2e-'));
    const t0 = Date.now();
    lab = await Lab.start(plan, dir, createLogger({ component: 'lab', level: 'warn' }), { image });
    process.stderr.write(`      lab up from the image in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    assert.ok(lab.containerName('controller'), 'the lab runs the controller from the image');

    // The controller (in its container) wrote status.loadBalancer.ingress: read through the API.
    const core = lab.kubeConfig().makeApiClient(CoreV1Api);
    const ingress = async (name: string): Promise<string | undefined> => {
      const svc = (await core.listServiceForAllNamespaces()).items.find((s) => s.metadata?.name === name);
      return svc?.status?.loadBalancer?.ingress?.[0]?.ip;
    };
    const l2Ip = await waitFor('web-l2 has an ingress IP', () => ingress('web-l2'), { timeoutMs: 60_000, intervalMs: 500 });
    const bgpIp = await waitFor('web-bgp has an ingress IP', () => ingress('web-bgp'), { timeoutMs: 60_000, intervalMs: 500 });
    assert.match(l2Ip, /^192\.0\.2\.2[01]\d$/, 'web-l2 from the L2 pool');
    assert.match(bgpIp, /^203\.0\.113\.\d+$/, 'web-bgp from the BGP pool');

    // A speaker (in its container) answers ARP for the L2 IP: real arping from the router.
    const macs = plan.nodes.map((n) => `02:00:00:00:00:${n.macByte.toString(16).padStart(2, '0')}`);
    const reply = await waitFor(`an ARP reply for ${l2Ip} from a node`, async () => {
      const out = await nsRun(ns.router, ['arping', '-c', '1', '-w', '2', '-I', 'eth0', l2Ip], { timeoutMs: 10_000 }).catch((e: Error) => e.message);
      return macs.some((m) => out.toLowerCase().includes(m)) ? out : undefined;
    }, { timeoutMs: 30_000, intervalMs: 500 });
    assert.match(reply.toLowerCase(), /02:00:00:00:00:1\d/);

    // The speakers peer with BIRD: every session Established, and the BGP Service's prefix routed.
    const bird = lab.routerDriver();
    assert.ok(bird instanceof BirdRouter, 'the lab router is BIRD');
    const birdcAt = (cmd: string[]) => bird.birdc(cmd.join(' '));
    const protocols = await waitFor('every BGP session Established', async () => {
      const out = await birdcAt(['show', 'protocols']);
      const bgp = out.split('\n').filter((l) => /\sBGP\s/.test(l));
      return bgp.length === plan.nodes.length && bgp.every((l) => l.includes('Established')) ? out : undefined;
    }, { timeoutMs: 60_000, intervalMs: 500 });
    assert.equal((protocols.match(/Established/g) ?? []).length, plan.nodes.length);
    const route = await waitFor(`BIRD holds ${bgpIp}/32`, async () => {
      const out = await birdcAt(['show', 'route', `${bgpIp}/32`]);
      return out.includes(`${bgpIp}/32`) ? out : undefined;
    }, { timeoutMs: 30_000, intervalMs: 500 });
    // Learned from every node's speaker (the protocols are named after the nodes).
    for (const n of plan.nodes) assert.ok(route.includes(`[${n.name} `) && route.includes(`via ${n.ip4} `), `${bgpIp}/32 from ${n.name}:\n${route}`);
  });

  it("each container runs with the manifests' user and capabilities, on a read-only root", async () => {
    const up = lab;
    assert.ok(up !== undefined, 'the lab is up');
    const roles = [{ role: 'controller', uid: 65532, capEff: 0n }, { role: `speaker-${plan.nodes[0]!.name}`, uid: 0, capEff: NET_RAW_NET_ADMIN }];
    for (const r of roles) {
      const name: string = up.containerName(r.role) ?? '';
      assert.ok(name !== '', `no container for ${r.role}`);
      const pid = Number((await run(['podman', 'inspect', '--format', '{{.State.Pid}}', name], { timeoutMs: 15_000 })).trim());
      assert.ok(Number.isInteger(pid) && pid > 0, `${name} has a pid`);
      const st = procStatus(pid);
      assert.equal(st.uid, r.uid, `${name} runs as uid ${r.uid}`);
      assert.equal(st.capEff.toString(16), r.capEff.toString(16), `${name} CapEff`);
      const ro = (await run(['podman', 'inspect', '--format', '{{.HostConfig.ReadonlyRootfs}}', name], { timeoutMs: 15_000 })).trim();
      assert.equal(ro, 'true', `${name} has a read-only root filesystem`);
      const w = spawnSync('podman', ['exec', name, '/usr/local/bin/node', '-e', "try { require('fs').writeFileSync('/x', ''); console.log('WROTE') } catch (e) { console.log(e.code) }"], { encoding: 'utf8', timeout: 30_000 });
      assert.equal(w.stdout.trim(), 'EROFS', `a write to / inside ${name} fails with EROFS (got ${w.stdout.trim()} ${w.stderr.trim()})`);
    }
  });
});
