#!/usr/bin/env node
// herald-lab: the lab's command line (DESIGN §10). Each subcommand is a thin call into lab/src.
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger } from '@herald/shared';
import { runApiserverCommand } from './cli/apiserver.js';
import { repoRoot } from './site/cluster.js';
import { deleteNamespacesWithPrefix } from './netns/topology.js';
import { parseListen, runBackends } from './site/backend.js';
import { callControl, serveControl } from './site/control.js';
import { forward, parseEndpoint } from './site/forward.js';
import { removeLabContainers } from './site/image-runner.js';
import { Lab, type LabStatus } from './site/lab.js';
import { sitePlan, siteNamespaces, type RouterKind } from './site/plan.js';
import { renderStatus } from './site/render.js';
import { API_STATE_FILE, controlSocket, isAlive, labDir, labPrefix, supervisorPid, supervisorPidFile } from './site/state.js';

const usage = `herald-lab: a bare-metal site on one machine, for Herald

  up [--router bird|frr|gobgp] [--nodes N] [--bfd] [--graceful-restart] [--weighted-ecmp]   bring the lab up (root) and return once it is ready (--bfd: BFD 300 ms x 3 on every BGP session; --graceful-restart: enableGracefulRestart on every BGPPeer; --weighted-ecmp: weightByLocalEndpoints on the BGPAdvertisement, weighted by FRR)
     [--image REF]                          ... with the controller and speakers run from that image
                                            (podman + runc; make image builds localhost/herald:dev)
     [--prometheus]                         ... and a real Prometheus (Debian's) in mgmt scraping every
                                            component every second, with Herald's alert rules; prints
                                            its URL (also in <lab dir>/prometheus.url)
  down [--keep-state]                       remove every namespace and process the lab made, and
                                            the API server's objects (--keep-state: the next up
                                            restores them)
  status [--json] [--watch]                 the live view
  kubeconfig                                print the path of a kubeconfig for the lab's API server
  exec <client|router|mgmt|NODE> -- CMD...  run a command inside that lab namespace
  speaker NODE stop|kill|start|freeze|thaw  stop (SIGTERM: graceful handoff), kill (SIGKILL), ...
  link NODE down|up                         cut or restore a node's link
  controller restart                        restart the controller
  scale SERVICE NODE[,NODE...]              move a Service's backends to these nodes (a node named twice: two endpoints there)
  apiserver --port P --kubeconfig-out FILE  the embedded API server alone
  chaos --duration D --seed S [--faults LIST] [--out DIR]
                                            a seeded schedule of faults in a lab of its own, with
                                            live invariant checks and a report (root; --help)

The lab lives in ${labDir()} (HERALD_LAB_DIR) with namespaces ${labPrefix()}-* (HERALD_LAB_PREFIX).`;

const out = (s: string): boolean => process.stdout.write(s + '\n');

function fail(msg: string): never {
  process.stderr.write(`herald-lab: ${msg}\n`);
  process.exit(1);
}

function requireRoot(): void {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) fail('the lab needs root (network namespaces, raw sockets): run it as root');
}

async function up(argv: string[]): Promise<void> {
  requireRoot();
  const { values } = parseArgs({ args: argv, options: { router: { type: 'string', default: 'bird' }, nodes: { type: 'string', default: '3' }, 'timeout-seconds': { type: 'string', default: '120' }, image: { type: 'string' }, bfd: { type: 'boolean', default: false }, prometheus: { type: 'boolean', default: false }, 'graceful-restart': { type: 'boolean', default: false }, 'weighted-ecmp': { type: 'boolean', default: false } } });
  const router = values.router as RouterKind;
  if (values.prometheus && !existsSync('/usr/bin/prometheus')) fail('--prometheus: /usr/bin/prometheus is not installed (Debian package prometheus; scripts/apt-deps.sh installs it)');
  if (!['bird', 'frr', 'gobgp'].includes(router)) fail(`--router must be bird, frr or gobgp, not ${values.router}`);
  sitePlan({ router, nodes: Number(values.nodes) }); // validates --nodes
  if (values.image !== undefined) checkImage(values.image);
  const dir = labDir();
  if (supervisorPid(dir) !== undefined) {
    out(`a lab is already up (${dir}); herald-lab down removes it`);
    return;
  }
  await cleanup(dir);
  mkdirSync(dir, { recursive: true });
  const state = apiStateFiles(dir);
  if (state.length) {
    const mb = state.reduce((n, f) => n + statSync(join(dir, f)).size, 0) / 1e6;
    out(`restoring the API server's objects from ${state.join(', ')} (${mb.toFixed(1)} MB, kept by an earlier lab); herald-lab down removes them`);
  }
  const logPath = join(dir, 'supervisor.log');
  const fd = openSync(logPath, 'w');
  const child = spawn(process.execPath, [process.argv[1]!, 'supervise', '--router', router, '--nodes', values.nodes, ...(values.image !== undefined ? ['--image', values.image] : []), ...(values.bfd ? ['--bfd'] : []), ...(values.prometheus ? ['--prometheus'] : []), ...(values['graceful-restart'] ? ['--graceful-restart'] : []), ...(values['weighted-ecmp'] ? ['--weighted-ecmp'] : [])], { detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  child.unref();
  const deadline = Date.now() + Number(values['timeout-seconds']) * 1000;
  let last: LabStatus | undefined;
  out(`bringing the lab up (router ${router}, ${values.nodes} nodes${values.image !== undefined ? `, Herald from image ${values.image}` : ''}); log: ${logPath}`);
  for (let i = 0; i < 10_000 && Date.now() < deadline; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    if (child.pid === undefined || !isAlive(child.pid)) fail(`the lab failed to start:\n${tail(logPath)}`);
    last = await callControl<LabStatus>(controlSocket(dir), { op: 'status' }, 10_000).catch(() => undefined);
    if (last && ready(last)) {
      out(renderStatus(last));
      if (last.prometheus) out(`\nPrometheus: ${last.prometheus.url} (from this host; ${last.prometheus.labUrl} on the lab network)`);
      out(`\nthe lab is up. herald-lab status --watch shows it live; herald-lab down removes it.`);
      return;
    }
  }
  if (last) out(renderStatus(last));
  fail(`the lab is not ready after ${values['timeout-seconds']} s (it keeps running; see ${logPath} and ${join(dir, 'logs')})`);
}

/**
 * Ready: every Service has an IP and is announced (an L2 owner, or BGP announcers with a route
 * at the router), and every request from the client is answered.
 */
export function ready(s: LabStatus): boolean {
  const announced = (v: LabStatus['services'][number]): boolean =>
    v.mode === 'l2' ? v.owner !== null : v.mode === 'bgp' ? v.announcers.length > 0 && v.ips.every((ip) => s.routes.some((r) => r.prefix === `${ip}/32`)) : false;
  return (
    s.services.length > 0 &&
    s.services.every((v) => v.ips.length > 0 && announced(v)) &&
    s.requests.length > 0 &&
    s.requests.every((r) => r.backend !== null)
  );
}

/** --image: podman and runc must be there and the image must exist locally (nothing is pulled). */
function checkImage(ref: string): void {
  for (const tool of ['podman', 'runc']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status !== 0) fail(`--image ${ref}: ${tool} is not installed (scripts/apt-deps.sh installs podman, buildah and runc)`);
  }
  const r = spawnSync('podman', ['image', 'exists', ref], { stdio: 'ignore' });
  if (r.status !== 0) fail(`--image ${ref}: no such local image (make image builds localhost/herald:dev; nothing is pulled)`);
}

function tail(path: string): string {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-30).join('\n');
  } catch {
    return '(no log)';
  }
}

async function supervise(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { router: { type: 'string', default: 'bird' }, nodes: { type: 'string', default: '3' }, image: { type: 'string' }, bfd: { type: 'boolean', default: false }, prometheus: { type: 'boolean', default: false }, 'graceful-restart': { type: 'boolean', default: false }, 'weighted-ecmp': { type: 'boolean', default: false } } });
  const dir = labDir();
  const log = createLogger({ component: 'lab' });
  writeFileSync(supervisorPidFile(dir), String(process.pid));
  const plan = sitePlan({ prefix: labPrefix(), router: values.router as RouterKind, nodes: Number(values.nodes), bfd: values.bfd, gracefulRestart: values['graceful-restart'], weightedEcmp: values['weighted-ecmp'] });
  const lab = await Lab.start(plan, dir, log, { ...(values.image !== undefined ? { image: values.image } : {}), prometheus: values.prometheus });
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    log.info('lab-stopping', {});
    void lab.stop().finally(() => {
      rmSync(supervisorPidFile(dir), { force: true });
      rmSync(controlSocket(dir), { force: true });
      process.exit(0);
    });
  };
  await serveControl(controlSocket(dir), lab, stop);
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  log.info('lab-up', { dir });
}

/** Removes what a lab left behind: its supervisor, and namespaces with its prefix. */
/** The embedded API server's persisted store in the lab directory: its base file and journals. */
function apiStateFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f === API_STATE_FILE || f.startsWith(`${API_STATE_FILE}.journal-`)).sort();
}

async function cleanup(dir: string): Promise<void> {
  const pid = supervisorPid(dir);
  if (pid !== undefined) {
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 300 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
  const prefix = `${labPrefix()}-`;
  const list = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
  for (const ns of list.split('\n').map((l) => l.split(' ')[0] ?? '').filter((n) => n.startsWith(prefix))) {
    const pids = (spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout ?? '').split(/\s+/).filter(Boolean);
    for (const p of pids) {
      try {
        process.kill(Number(p), 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }
  await deleteNamespacesWithPrefix(prefix);
  // Containers of a lab run with --image, if podman is here at all (without it there are none).
  if (spawnSync('sh', ['-c', 'command -v podman'], { stdio: 'ignore' }).status === 0) {
    const gone = await removeLabContainers(labPrefix());
    if (gone.length) out(`removed containers: ${gone.join(', ')}`);
  }
  rmSync(supervisorPidFile(dir), { force: true });
  rmSync(controlSocket(dir), { force: true });
  // --prometheus: its config, data and socket.
  for (const f of ['prometheus', 'prometheus.sock', 'prometheus.url']) rmSync(join(dir, f), { recursive: true, force: true });
}

async function down(argv: string[]): Promise<void> {
  requireRoot();
  const { values } = parseArgs({ args: argv, options: { 'keep-state': { type: 'boolean', default: false } } });
  const dir = labDir();
  const pid = supervisorPid(dir);
  if (pid !== undefined) {
    await callControl(controlSocket(dir), { op: 'down' }, 5000).catch(() => process.kill(pid, 'SIGTERM'));
    for (let i = 0; i < 300 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  }
  await cleanup(dir);
  if (values['keep-state']) {
    const kept = apiStateFiles(dir);
    out(`the lab is down; kept the API server's objects (${kept.length ? kept.join(', ') : 'none yet'}) for the next up`);
    return;
  }
  for (const f of apiStateFiles(dir)) rmSync(join(dir, f), { force: true });
  out('the lab is down');
}

async function status(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean', default: false }, watch: { type: 'boolean', default: false } } });
  const sock = controlSocket(labDir());
  // --watch refreshes every 2 s for at most a day (bounded, like every loop here).
  for (let i = 0; i < (values.watch ? 43_200 : 1); i++) {
    const s = await callControl<LabStatus>(sock, { op: 'status' });
    if (values.json) out(JSON.stringify(s));
    else {
      if (values.watch) process.stdout.write('\x1b[2J\x1b[H' + new Date().toISOString() + '\n\n');
      out(renderStatus(s));
    }
    if (values.watch) await new Promise((r) => setTimeout(r, 2000));
  }
}

function execIn(argv: string[]): void {
  const [target, sep, ...cmd] = argv;
  if (!target || sep !== '--' || cmd.length === 0) fail('usage: herald-lab exec <client|router|mgmt|NODE> -- CMD...');
  const ns = siteNamespaces(sitePlan({ prefix: labPrefix() }));
  const name = target === 'client' ? ns.client : target === 'router' ? ns.router : target === 'mgmt' ? ns.mgmt : ns.node(target);
  const r = spawnSync('ip', ['netns', 'exec', name, ...cmd], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

async function probe(urls: string[]): Promise<void> {
  const res = await Promise.all(
    urls.map(async (url) => {
      try {
        const r = await fetch(url, { signal: AbortSignal.timeout(1000) });
        return { url, status: r.status, body: (await r.json()) };
      } catch (err) {
        return { url, error: err instanceof Error ? err.message : String(err) };
      }
    }),
  );
  out(JSON.stringify(res));
}

/**
 * The chaos runner lives with the probes and watchers it uses (@herald/e2e, test/src/chaos); the
 * lab runs it as a program, as it runs the controller and the speakers, so lab does not depend on
 * the test package.
 */
function chaos(argv: string[]): void {
  const script = join(repoRoot(), 'test/dist/src/chaos/main.js');
  if (!existsSync(script)) fail(`chaos: ${script} is missing; build first (make build)`);
  const r = spawnSync(process.execPath, [script, ...argv], { stdio: 'inherit' });
  process.exit(r.status ?? 2);
}

async function main(): Promise<void> {
  const [cmd, ...rest] = process.argv.slice(2);
  const sock = (): string => controlSocket(labDir());
  switch (cmd) {
    case 'apiserver':
      return runApiserverCommand(rest);
    case 'up':
      return up(rest);
    case 'supervise':
      return supervise(rest);
    case 'down':
      return down(rest);
    case 'status':
      return status(rest);
    case 'kubeconfig':
      out(join(labDir(), 'kubeconfig'));
      return;
    case 'exec':
      return execIn(rest);
    case 'speaker': {
      const [node, action] = rest;
      if (!node || !['stop', 'kill', 'start', 'freeze', 'thaw'].includes(action ?? '')) fail('usage: herald-lab speaker NODE stop|kill|start|freeze|thaw');
      await callControl(sock(), { op: 'speaker', node, action: action as 'stop' });
      out(`speaker on ${node}: ${action}`);
      return;
    }
    case 'link': {
      const [node, state] = rest;
      if (!node || (state !== 'up' && state !== 'down')) fail('usage: herald-lab link NODE down|up');
      await callControl(sock(), { op: 'link', node, up: state === 'up' });
      out(`link of ${node}: ${state}`);
      return;
    }
    case 'controller':
      if (rest[0] !== 'restart') fail('usage: herald-lab controller restart');
      await callControl(sock(), { op: 'controller-restart' });
      out('controller restarted');
      return;
    case 'scale': {
      const [service, nodes] = rest;
      if (!service || nodes === undefined) fail('usage: herald-lab scale SERVICE NODE[,NODE...]');
      await callControl(sock(), { op: 'scale', service, nodes: nodes.split(',').filter(Boolean) });
      out(`${service} backends on: ${nodes || '(none)'}`);
      return;
    }
    case 'forward': {
      const { values } = parseArgs({ args: rest, options: { listen: { type: 'string' }, to: { type: 'string' } } });
      if (!values.listen || !values.to) fail('usage: herald-lab forward --listen EP --to EP');
      await forward(parseEndpoint(values.listen), parseEndpoint(values.to));
      return;
    }
    case 'backend': {
      const { values } = parseArgs({ args: rest, options: { node: { type: 'string' }, listen: { type: 'string', multiple: true } } });
      if (!values.node || !values.listen?.length) fail('usage: herald-lab backend --node NODE --listen HOST:PORT=SERVICE...');
      await runBackends(values.node, values.listen.map(parseListen));
      return;
    }
    case 'probe':
      return probe(rest);
    case 'chaos':
      return chaos(rest);
    case undefined:
    case 'help':
    case '--help':
      out(usage);
      return;
    default:
      fail(`unknown command ${JSON.stringify(cmd)}\n\n${usage}`);
  }
}

main().catch((err: unknown) => fail(err instanceof Error ? err.message : String(err)));
