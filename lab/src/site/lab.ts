// The lab: a whole bare-metal site on one machine (DESIGN §6). A router, N nodes and a client in
// network namespaces; the embedded API server on the lab network; the controller and one speaker
// per node as real processes; backends and a kube-proxy stand-in; a real BGP router.
// One long-lived supervisor process owns all of it (so every child is reaped), and the CLI's
// status and scenario commands talk to it (control.ts).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo, Server } from 'node:net';
import { CoreV1Api, CustomObjectsApi, type KubeConfig, type V1Service } from '@kubernetes/client-node';
import { ANNOTATION_IP_ALLOCATED_FROM_POOL, GROUP, PooledKubeConfig, VERSION, type BGPSessionStateStatus, type Logger } from '@herald/shared';
import { restartApiServer, startApiServer, type ApiServer, type ApiServerOptions, type RequestRecord } from '../apiserver/index.js';
import { nsRun } from '../netns/exec.js';
import { Topology, deleteNamespacesWithPrefix, type HostSpec } from '../netns/topology.js';
import { createRouter, type RouterDriver, type RouterPeerSpec } from '../routers/index.js';
import { applyObjects, heraldCrds, repoRoot } from './cluster.js';
import { deployedEnv } from './deployed.js';
import { programFile } from './shipped.js';
import { startFibSync } from './fib-sync.js';
import { forward } from './forward.js';
import { endpointSlice, labObjects, SERVICE_NAMESPACE } from './objects.js';
import { routerBgpAddresses, siteNamespaces, type SitePlan } from './plan.js';
import { containerManagedSpec, containerName, containerPid, hostUlimitFlags, removeLabContainers } from './image-runner.js';
import { ProcessSet } from './processes.js';
import { METRICS_PORT, PROMETHEUS_BIN, PROMETHEUS_PORT, prometheusArgs, prometheusConfig } from './prometheus.js';
import { runProxySync } from './proxy-sync.js';
import { API_STATE_FILE } from './state.js';

export interface LabStatus {
  services: { namespace: string; name: string; ips: string[]; mode: 'l2' | 'bgp' | 'unknown'; owner: string | null; announcers: string[] }[];
  nodes: { name: string; addresses: string[]; speaker: 'running' | 'stopped'; link: 'up' | 'down' }[];
  routes: { prefix: string; nexthops: string[] }[];
  /** BGPSessionState objects: each speaker's session with each peer. */
  sessions?: { node: string; peer: string; state: string; establishedAt: string | null; prefixesSent: number; lastError: string | null }[];
  requests: { service: string; url: string; backend: string | null; error: string | null }[];
  /** With --prometheus: its URL from the host, and on the lab network. */
  prometheus?: { url: string; labUrl: string };
}

type SpeakerAction = 'stop' | 'kill' | 'start' | 'freeze' | 'thaw';

export class Lab {
  private topo: Topology | undefined;
  private api: ApiServer | undefined;
  private apiOptions: ApiServerOptions = {};
  private hostForward: Server | undefined;
  private promForward: Server | undefined;
  /** With --prometheus: its URL from the host (a loopback port forwarded into mgmt). */
  prometheusUrl: string | undefined;
  private router: RouterDriver | undefined;
  private stopProxy: (() => Promise<void>) | undefined;
  private stopFib: (() => void) | undefined;
  private kc = new PooledKubeConfig();
  /** Sees every request the API server answers, across restarts (benchmarks count writes). */
  onApiRequest: ((r: RequestRecord) => void) | undefined;
  private readonly procs: ProcessSet;
  private readonly ns: ReturnType<typeof siteNamespaces>;
  private readonly links = new Map<string, boolean>();
  private readonly bin: { lab: string; controller: string; speaker: string };

  private constructor(
    readonly plan: SitePlan,
    readonly dir: string,
    private readonly log: Logger,
    private readonly persist: boolean,
    /** Run the controller and the speakers from this container image (image-runner.ts). */
    readonly image: string | undefined,
    /** Start a real Prometheus in mgmt scraping every component (prometheus.ts). */
    private readonly withPrometheus = false,
  ) {
    this.ns = siteNamespaces(plan);
    this.procs = new ProcessSet(join(dir, 'logs'));
    const root = repoRoot();
    this.bin = {
      lab: join(root, 'lab/dist/src/main.js'),
      // As shipped: the bundles the image runs (shipped.ts).
      controller: programFile(root, 'controller'),
      speaker: programFile(root, 'speaker'),
    };
  }

  get labKubeconfig(): string {
    return join(this.dir, 'kubeconfig-lab');
  }

  get hostKubeconfig(): string {
    return join(this.dir, 'kubeconfig');
  }

  /** Brings the whole site up. Leftovers of a lab killed halfway (same prefix) are removed first. */
  /**
   * `persist: false` keeps the API server in memory only (scale benches: with tens of thousands
   * of objects, rewriting the state file dominates).
   */
  static async start(plan: SitePlan, dir: string, log: Logger, opts: { persist?: boolean; image?: string; prometheus?: boolean } = {}): Promise<Lab> {
    if (opts.prometheus && !existsSync(PROMETHEUS_BIN)) throw new Error(`--prometheus: ${PROMETHEUS_BIN} is not installed (Debian's prometheus package; scripts/apt-deps.sh installs it)`);
    mkdirSync(dir, { recursive: true });
    const lab = new Lab(plan, dir, log, opts.persist ?? true, opts.image, opts.prometheus ?? false);
    try {
      await lab.bringUp();
    } catch (err) {
      await lab.stop();
      throw err;
    }
    return lab;
  }

  private async bringUp(): Promise<void> {
    const p = this.plan;
    const removed = await deleteNamespacesWithPrefix(`${p.prefix}-`);
    if (removed.length) this.log.info('removed-leftovers', { namespaces: removed });
    if (this.image !== undefined) {
      const gone = await removeLabContainers(p.prefix);
      if (gone.length) this.log.info('removed-leftovers', { containers: gone });
    }

    // 1. The network.
    const hosts: HostSpec[] = [
      { name: 'router', addresses: [...routerBgpAddresses(p).map((a) => `${a}/24`), `${p.router.ip6}/64`], macByte: p.router.macByte, router: true },
      { name: 'mgmt', addresses: [`${p.mgmt.ip4}/24`], macByte: p.mgmt.macByte },
      ...p.nodes.map((n) => ({ name: n.name, addresses: [`${n.ip4}/24`, `${n.ip6}/64`], macByte: n.macByte, quietArp: true, sysctls: ['net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1'] })),
      { name: 'client', addresses: [], macByte: 0xc0, bridged: false },
    ];
    this.topo = await Topology.create(p.prefix, hosts);
    await this.topo.addLink('router', 'eth1', [`${p.router.clientIp4}/24`, `${p.router.clientIp6}/64`], 'client', 'eth0', [`${p.client.ip4}/24`, `${p.client.ip6}/64`]);
    await nsRun(this.ns.client, ['ip', 'route', 'add', 'default', 'via', p.router.clientIp4]);
    await nsRun(this.ns.client, ['ip', '-6', 'route', 'add', 'default', 'via', p.router.clientIp6]);
    for (const h of [this.ns.mgmt, ...p.nodes.map((n) => this.ns.node(n.name))]) {
      await nsRun(h, ['ip', 'route', 'add', 'default', 'via', p.router.ip4]);
    }
    for (const n of p.nodes) {
      await nsRun(this.ns.node(n.name), ['ip', '-6', 'route', 'add', 'default', 'via', p.router.ip6]);
      this.links.set(n.name, true);
    }

    // 2. The API server: on the host's loopback, and on the lab network (mgmt, :6443) through a
    //    Unix socket both namespaces see. Cutting a node's link cuts its API access.
    this.apiOptions = { host: '127.0.0.1', onRequest: (r) => this.onApiRequest?.(r), ...(this.persist ? { stateFile: join(this.dir, API_STATE_FILE) } : {}), logger: this.log.child({ component: 'apiserver' }) };
    this.api = await startApiServer({ ...this.apiOptions, port: 0 });
    await this.api.writeKubeconfig(this.hostKubeconfig);
    const sock = join(this.dir, 'api.sock');
    this.hostForward = await forward({ type: 'unix', path: sock }, { type: 'tcp', host: '127.0.0.1', port: this.api.port });
    this.procs.start({ role: 'api-forward', ns: this.ns.mgmt, argv: [process.execPath, this.bin.lab, 'forward', '--listen', `${p.mgmt.ip4}:${p.mgmt.apiPort}`, '--to', `unix:${sock}`] });
    writeFileSync(this.labKubeconfig, this.api.kubeconfigYaml().replace(this.api.url, `http://${p.mgmt.ip4}:${p.mgmt.apiPort}`));
    this.kc.loadFromFile(this.hostKubeconfig);

    // 3. Kubernetes objects: CRDs, Herald's namespace and config, Nodes, Services, EndpointSlices.
    const key = randomBytes(32).toString('hex');
    writeFileSync(join(this.dir, 'heartbeat.key'), key, { mode: 0o600 });
    await applyObjects(this.kc, heraldCrds());
    await applyObjects(this.kc, labObjects(p, key));

    // 4. The router.
    this.router = createRouter(p.router.kind, {
      ns: this.ns.router,
      routerId: p.router.ip4,
      asn: p.router.asn,
      peers: routerPeers(p),
      holdTime: 9,
      keepaliveTime: 3,
      kernel: true,
      ...(p.bfd ? { bfd: { ...p.bfd, peers: [] } } : {}),
    });
    await this.router.start();
    if (p.router.kind === 'gobgp') this.stopFib = startFibSync(this.router, this.ns.router, (err) => this.log.warn('fib-sync-failed', { err }));

    // 5. Backends, and the kube-proxy stand-in fed from the API.
    for (const n of p.nodes) {
      const listens = p.services.filter((s) => s.backendNodes.includes(n.name)).flatMap((s) => ['--listen', `${n.ip4}:${s.targetPort}=${s.name}`]);
      if (listens.length) this.procs.start({ role: `backend-${n.name}`, ns: this.ns.node(n.name), argv: [process.execPath, this.bin.lab, 'backend', '--node', n.name, ...listens] });
    }
    if (p.kubeProxy !== false) this.stopProxy = await runProxySync(this.kc, p.nodes.map((n) => ({ name: n.name, ns: this.ns.node(n.name) })), this.log.child({ component: 'kube-proxy' }));

    // 6. Prometheus, when asked for: before Herald, so it sees the start too.
    if (this.withPrometheus) await this.startPrometheus();

    // 7. Herald itself.
    this.startController();
    for (const n of p.nodes) this.startSpeaker(n.name);
  }

  /** Prometheus in mgmt (config and data in <dir>/prometheus), reachable from the host on a loopback port. */
  private async startPrometheus(): Promise<void> {
    const p = this.plan;
    const home = join(this.dir, 'prometheus');
    mkdirSync(join(home, 'data'), { recursive: true });
    const configFile = join(home, 'prometheus.yml');
    writeFileSync(configFile, prometheusConfig(p, join(repoRoot(), 'config/monitoring/herald-rules.yaml')));
    this.procs.start({ role: 'prometheus', ns: this.ns.mgmt, argv: prometheusArgs(p, configFile, join(home, 'data')) });
    const sock = join(this.dir, 'prometheus.sock');
    this.procs.start({ role: 'prometheus-forward', ns: this.ns.mgmt, argv: [process.execPath, this.bin.lab, 'forward', '--listen', `unix:${sock}`, '--to', `${p.mgmt.ip4}:${PROMETHEUS_PORT}`] });
    this.promForward = await forward({ type: 'tcp', host: '127.0.0.1', port: 0 }, { type: 'unix', path: sock });
    this.prometheusUrl = `http://127.0.0.1:${(this.promForward.address() as AddressInfo).port}`;
    writeFileSync(join(this.dir, 'prometheus.url'), this.prometheusUrl + '\n');
  }

  private startController(): void {
    const p = this.plan;
    const args = ['--kubeconfig', this.labKubeconfig, '--namespace', p.namespace, '--metrics-addr', `${p.mgmt.ip4}:${METRICS_PORT}`, '--identity', 'lab-controller', '--lease-duration', '6'];
    const env = this.nodeOptions('controller');
    this.procs.start(
      this.image === undefined
        ? { role: 'controller', ns: this.ns.mgmt, argv: [process.execPath, this.bin.controller, ...args], env }
        : containerManagedSpec({ image: this.image, labPrefix: p.prefix, role: 'controller', ns: this.ns.mgmt, program: 'herald-controller', args, env, mounts: [this.labKubeconfig], privileges: { type: 'none' }, ulimits: hostUlimitFlags() }),
    );
  }

  /** The name of a component's container ('controller', 'speaker-node1'), when the lab runs an image. */
  containerName(role: string): string | undefined {
    return this.image === undefined ? undefined : containerName(this.plan.prefix, role);
  }

  /** The host pid of the component itself: the process, or the container's main process. */
  async componentPid(role: string): Promise<number | undefined> {
    const name = this.containerName(role);
    return name === undefined ? this.procs.pid(role) : this.procs.running(role) ? containerPid(name) : undefined;
  }

  /**
   * The memory settings the real manifests give the component (V8 heap caps in NODE_OPTIONS,
   * MALLOC_ARENA_MAX; deployed.ts), so the lab runs it as deployed.
   */
  private nodeOptions(component: 'controller' | 'speaker'): NodeJS.ProcessEnv {
    const { NODE_OPTIONS: fromManifest, ...rest } = deployedEnv(component);
    // HERALD_LAB_NODE_OPTIONS (debugging, benches): more flags after the manifest's, e.g.
    // --heapsnapshot-signal=SIGUSR2 or --cpu-prof.
    const v = [fromManifest, process.env['HERALD_LAB_NODE_OPTIONS']].filter((x) => x !== undefined && x !== '').join(' ');
    return v === '' ? { ...rest } : { ...rest, NODE_OPTIONS: v };
  }

  private startSpeaker(node: string): void {
    const p = this.plan;
    const n = p.nodes.find((x) => x.name === node);
    if (!n) throw new Error(`no node ${node}: the lab has ${p.nodes.map((x) => x.name).join(', ')}`);
    const keyFile = join(this.dir, 'heartbeat.key');
    const args = [
      '--kubeconfig', this.labKubeconfig,
      '--namespace', p.namespace,
      '--node-name', node,
      '--metrics-addr', `${n.ip4}:${METRICS_PORT}`,
      '--health-addr', `${n.ip4}:7474`,
      '--heartbeat-addr', `${n.ip4}:${p.heartbeatPort}`,
      '--heartbeat-key-file', keyFile,
    ];
    const role = `speaker-${node}`;
    const env = this.nodeOptions('speaker');
    this.procs.start(
      this.image === undefined
        ? { role, ns: this.ns.node(node), argv: [process.execPath, this.bin.speaker, ...args], env }
        : containerManagedSpec({ image: this.image, labPrefix: p.prefix, role, ns: this.ns.node(node), program: 'herald-speaker', args, env, mounts: [this.labKubeconfig, keyFile], privileges: { type: 'net' }, ulimits: hostUlimitFlags() }),
    );
  }

  async speaker(node: string, action: SpeakerAction): Promise<void> {
    if (action === 'start') this.startSpeaker(node);
    else await this.procs.signal(`speaker-${node}`, action);
  }

  async link(node: string, up: boolean): Promise<void> {
    if (!this.topo) throw new Error('lab is not up');
    await this.topo.setLink(node, up);
    // The kernel drops routes through a link that goes down, and does not bring them back with
    // it: without these the node answers its LAN again but nothing behind the router (found by
    // chaos: every probe from the client to the node failed after a link flap).
    if (up) await this.addDefaultRoutes(this.ns.node(node));
    this.links.set(node, up);
  }

  private async addDefaultRoutes(ns: string): Promise<void> {
    await nsRun(ns, ['ip', 'route', 'replace', 'default', 'via', this.plan.router.ip4]);
    await nsRun(ns, ['ip', '-6', 'route', 'replace', 'default', 'via', this.plan.router.ip6]);
  }

  /**
   * Restarts the embedded API server as a kill -9 and a start would: every watch and connection is
   * cut, then after stallMs (default 0) it serves again on the same address with the same objects
   * and resourceVersions (its storage survives, as etcd does), so informers relist (410) or
   * re-watch. downMs: from the kill until it listens again; startMs: its own start.
   */
  async restartApiServer(opts: { stallMs?: number } = {}): Promise<{ downMs: number; startMs: number; resourceVersion: number }> {
    const old = this.api;
    if (old === undefined) throw new Error('the lab API server is not running');
    this.api = undefined;
    const r = await restartApiServer(old, this.apiOptions, opts.stallMs ?? 0);
    this.api = r.server;
    this.log.info('apiserver-restarted', { downMs: Math.round(r.downMs), startMs: Math.round(r.startMs), resourceVersion: r.server.currentResourceVersion() });
    return { downMs: r.downMs, startMs: r.startMs, resourceVersion: r.server.currentResourceVersion() };
  }

  async restartController(): Promise<void> {
    if (this.procs.running('controller')) await this.procs.signal('controller', 'stop');
    this.startController();
  }

  /** Moves a Service's backends to these nodes (its EndpointSlice), as scaling pods would. */
  async scale(service: string, nodes: readonly string[]): Promise<void> {
    const s = this.plan.services.find((x) => x.name === service);
    if (!s) throw new Error(`no service ${service}: the lab has ${this.plan.services.map((x) => x.name).join(', ')}`);
    const slice = endpointSlice(this.plan, service, s.targetPort, nodes);
    await applyObjects(this.kc, [slice]);
  }

  /** The live view, once. */
  async status(): Promise<LabStatus> {
    const core = this.kc.makeApiClient(CoreV1Api);
    const custom = this.kc.makeApiClient(CustomObjectsApi);
    const list = async (plural: string): Promise<{ status?: { node?: string; serviceName?: string; serviceNamespace?: string } }[]> =>
      ((await custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: this.plan.namespace, plural })) as { items: { status?: { node?: string; serviceName?: string; serviceNamespace?: string } }[] }).items;
    const [svcs, l2, bgp, sess] = await Promise.all([
      core.listNamespacedService({ namespace: SERVICE_NAMESPACE }),
      list('servicel2statuses').catch(() => []),
      list('servicebgpstatuses').catch(() => []),
      list('bgpsessionstates').catch(() => []),
    ]);
    const routes = this.router ? (await this.router.routes(4).catch(() => [])).filter((r) => r.prefix.startsWith('203.0.113.')) : [];
    const byPrefix = new Map<string, Set<string>>();
    for (const r of routes) for (const nh of r.nextHops) (byPrefix.get(r.prefix) ?? byPrefix.set(r.prefix, new Set()).get(r.prefix)!).add(nh);
    const nodeOf = (ip: string): string => this.plan.nodes.find((n) => n.ip4 === ip || n.ip6 === ip)?.name ?? ip;
    const services: LabStatus['services'] = svcs.items.map((s: V1Service) => {
      const name = s.metadata?.name ?? '';
      const ips = (s.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '').filter(Boolean);
      const pool = s.metadata?.annotations?.[ANNOTATION_IP_ALLOCATED_FROM_POOL];
      const mode = pool === 'lab-l2' ? 'l2' : pool === 'lab-bgp' ? 'bgp' : 'unknown';
      const mine = (x: { status?: { serviceName?: string; serviceNamespace?: string } }): boolean => x.status?.serviceName === name && x.status.serviceNamespace === SERVICE_NAMESPACE;
      const owner = l2.filter(mine).map((x) => x.status?.node ?? '')[0] ?? null;
      const viaRoutes = ips.flatMap((ip) => [...(byPrefix.get(`${ip}/32`) ?? [])].map(nodeOf));
      const announcers = mode === 'bgp' ? [...new Set([...bgp.filter(mine).map((x) => x.status?.node ?? ''), ...viaRoutes])].sort() : owner ? [owner] : [];
      return { namespace: SERVICE_NAMESPACE, name, ips, mode, owner: mode === 'l2' ? owner : null, announcers };
    });
    const nodes: LabStatus['nodes'] = this.plan.nodes.map((n) => ({
      name: n.name,
      addresses: [n.ip4, n.ip6],
      speaker: this.procs.running(`speaker-${n.name}`) ? 'running' : 'stopped',
      link: this.links.get(n.name) === false ? 'down' : 'up',
    }));
    const urls = services.flatMap((s) => s.ips.filter((ip) => !ip.includes(':')).map((ip) => ({ service: s.name, url: `http://${ip}:80/` })));
    const requests = await this.probe(urls);
    const sessions: NonNullable<LabStatus['sessions']> = (sess as { status?: BGPSessionStateStatus }[])
      .map(({ status: st = {} }) => ({
        node: st.node ?? '',
        peer: st.peer ?? '',
        state: st.state ?? 'Unknown',
        establishedAt: st.establishedAt ?? null,
        prefixesSent: st.prefixesSent ?? 0,
        lastError: st.lastError ?? null,
      }))
      .sort((a, b) => (a.node + '/' + a.peer < b.node + '/' + b.peer ? -1 : 1));
    const prometheus = this.prometheusUrl ? { prometheus: { url: this.prometheusUrl, labUrl: `http://${this.plan.mgmt.ip4}:${PROMETHEUS_PORT}` } } : {};
    return { services, nodes, routes: [...byPrefix].map(([prefix, nh]) => ({ prefix, nexthops: [...nh].sort() })), sessions, requests, ...prometheus };
  }

  /** One HTTP request from the client host through each URL (1 s timeout each). */
  private async probe(urls: { service: string; url: string }[]): Promise<LabStatus['requests']> {
    if (urls.length === 0) return [];
    const out = await nsRun(this.ns.client, [process.execPath, this.bin.lab, 'probe', ...urls.map((u) => u.url)], { timeoutMs: 15_000 }).catch(() => '[]');
    const res = JSON.parse(out) as { url: string; body?: { node?: string }; error?: string }[];
    return urls.map((u) => {
      const r = res.find((x) => x.url === u.url);
      return { service: u.service, url: u.url, backend: r?.body?.node ?? null, error: r?.error ?? (r ? null : 'no answer') };
    });
  }

  /** The pid of a lab process ('controller', 'speaker-node1', ...), or undefined if it is not running. */
  pid(role: string): number | undefined {
    return this.procs.pid(role);
  }

  /** How a lab process that is not running ended, with the tail of its log. */
  whyNotRunning(role: string): string {
    return this.procs.whyNotRunning(role);
  }

  routerDriver(): RouterDriver | undefined {
    return this.router;
  }

  kubeConfig(): KubeConfig {
    return this.kc;
  }

  /** Stops every process and deletes every namespace the lab made. Safe to call twice. */
  async stop(): Promise<void> {
    this.stopFib?.();
    await this.stopProxy?.().catch(() => undefined);
    this.stopProxy = undefined;
    await this.procs.stopAll();
    if (this.image !== undefined) await removeLabContainers(this.plan.prefix).catch((err: unknown) => this.log.warn('containers-not-removed', { err }));
    await this.router?.stop().catch(() => undefined);
    this.router = undefined;
    this.hostForward?.close();
    this.hostForward = undefined;
    this.promForward?.close();
    this.promForward = undefined;
    await this.api?.close().catch(() => undefined);
    this.api = undefined;
    await this.topo?.destroy();
    await deleteNamespacesWithPrefix(`${this.plan.prefix}-`);
    this.topo = undefined;
  }
}

/**
 * The router's BGP sessions: one per node and router address (also carrying IPv6 routes when the
 * plan asks). The first session of each node is named after the node; extra ones get a suffix and
 * are passive with a nominal neighbour port of their own (BIRD's session lock; see
 * RouterPeerSpec.passive): the speakers connect to BIRD's port 179 on each router address.
 */
export function routerPeers(p: SitePlan): RouterPeerSpec[] {
  const addrs = routerBgpAddresses(p);
  const one = addrs.length === 1;
  return p.nodes.flatMap((n) =>
    addrs.map((local, i) => ({
      name: i === 0 ? n.name : `${n.name}_s${i + 1}`,
      address: n.ip4,
      asn: p.nodeAsn,
      ...(one ? {} : { localAddress: local }),
      ...(i === 0 ? {} : { passive: true, neighborPort: 179 + i }),
      ...(p.routerIpv6Routes ? { families: [4, 6] as const } : {}),
      ...(p.bfd ? { bfd: true } : {}),
    })),
  );
}

