#!/usr/bin/env node
// herald-speaker: flags in, components wired, signals handled. Nothing else lives here.
// Two threads: this one (the Kubernetes side, every O(Services) computation, BGP) and the
// packet thread (fastpath/worker.ts: heartbeats, fencing, ARP/NDP answers), which never waits
// for this one.
import { parseArgs } from 'node:util';
import { CoordinationV1Api } from '@kubernetes/client-node';
import { DEFAULT_NAMESPACE } from '@herald/shared/api';
import { systemClock } from '@herald/shared/clock';
import { SPEAKER_KUBE_API_LIMIT, kubeClientMetrics, loadKubeConfig } from '@herald/shared/k8s';
import { createLogger, parseLogLevel } from '@herald/shared/log';
import { createRegistry, parseListenAddr, serveMetricsAndHealth } from '@herald/shared/metrics';
import { BgpSession } from './bgp/session.js';
import { FastPath } from './fastpath/fast-path.js';
import { loadKeys } from './membership/key-file.js';
import { LeaseKeeper } from './membership/lease-keeper.js';
import { K8sMemberSource } from './membership/k8s-members.js';
import type { SessionFactory } from './reconcile/ports.js';
import { Speaker } from './reconcile/speaker.js';
const usage = `herald-speaker: makes Herald's Service IPs reachable from this node (L2 and BGP)

  --kubeconfig FILE          kubeconfig (default: in-cluster, or $KUBECONFIG)
  --namespace NS             Herald's namespace (default ${DEFAULT_NAMESPACE})
  --node-name NAME           this node (default $NODE_NAME; required)
  --lb-class CLASS           handle Services of this loadBalancerClass (default: those with none)
  --metrics-addr H:P         Prometheus /metrics (default :7472)
  --health-addr H:P          /healthz and /readyz (default :7474)
  --heartbeat-addr H:P       speaker-to-speaker UDP heartbeats (default :7473)
  --heartbeat-key-file FILE  heartbeat HMAC key, 16+ bytes (default /etc/herald/heartbeat/key)
  --interfaces A,B           L2: announce on these when an L2Advertisement names none
  --no-l2                    no ARP/NDP answers on this node
  --no-bgp                   no BGP sessions (and no Secrets read)
  --handoff-deadline MS      on SIGTERM, wait at most this long for peers to take over (default 5000)
  --kube-api-qps N           client-side limit on API requests per second; negative: none
                             (default ${SPEAKER_KUBE_API_LIMIT.qps}: one speaker per node, so N nodes make N times this)
  --kube-api-burst N         burst of that limit (default ${SPEAKER_KUBE_API_LIMIT.burst})
  --log-level LEVEL          debug | info | warn | error (default info)`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      kubeconfig: { type: 'string' },
      namespace: { type: 'string', default: DEFAULT_NAMESPACE },
      'node-name': { type: 'string' },
      'lb-class': { type: 'string' },
      'metrics-addr': { type: 'string', default: ':7472' },
      'health-addr': { type: 'string', default: ':7474' },
      'heartbeat-addr': { type: 'string', default: ':7473' },
      'heartbeat-key-file': { type: 'string', default: '/etc/herald/heartbeat/key' },
      interfaces: { type: 'string' },
      'no-l2': { type: 'boolean', default: false },
      'no-bgp': { type: 'boolean', default: false },
      'handoff-deadline': { type: 'string', default: '5000' },
      'kube-api-qps': { type: 'string', default: String(SPEAKER_KUBE_API_LIMIT.qps) },
      'kube-api-burst': { type: 'string', default: String(SPEAKER_KUBE_API_LIMIT.burst) },
      'log-level': { type: 'string', default: 'info' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(usage + '\n');
    return;
  }
  const node = values['node-name'] ?? process.env['NODE_NAME'];
  if (!node) throw new Error('--node-name (or NODE_NAME) is required');
  const handoffMs = Number(values['handoff-deadline']);
  if (!Number.isFinite(handoffMs) || handoffMs < 0) throw new Error(`--handoff-deadline must be milliseconds, not ${values['handoff-deadline']}`);
  const qps = Number(values['kube-api-qps']);
  if (!Number.isFinite(qps) || qps === 0) throw new Error(`--kube-api-qps must be a number > 0, or negative for no limit, not ${values['kube-api-qps']}`);
  const burst = Number(values['kube-api-burst']);
  if (!Number.isInteger(burst) || burst < 1) throw new Error(`--kube-api-burst must be an integer >= 1, not ${values['kube-api-burst']}`);
  const level = parseLogLevel(values['log-level']);
  const log = createLogger({ component: 'speaker', level, fields: { node } });
  const clock = systemClock;
  const registry = createRegistry('speaker');
  const kc = loadKubeConfig(values.kubeconfig, { qps, burst, userAgent: 'herald-speaker', metrics: kubeClientMetrics(registry) });
  // The speaker's own Lease (and the Leases of its peers) on a client of their own: a renewal
  // never waits behind status writes or Events in the other client's limiter.
  const leaseKc = kc.fork({ qps: 5, burst: 10 });

  // The packet thread: heartbeats over UDP, liveness and fencing, ARP/NDP.
  const keys = await loadKeys([values['heartbeat-key-file']]);
  const hb = parseListenAddr(values['heartbeat-addr']);
  let stop: (why: string, code: number) => void = () => process.exit(1);
  const fast = await FastPath.start({
    init: {
      node,
      keys,
      // ':port' leaves the choice to the transport: '::' dual-stack, else '0.0.0.0'.
      heartbeat: { bindAddress: values['heartbeat-addr'].startsWith(':') ? undefined : hb.host, port: hb.port },
      l2: !values['no-l2'],
      fallbackInterfaces: values.interfaces ? values.interfaces.split(',').filter(Boolean) : [],
      logLevel: level,
    },
    log: log.child({ part: 'membership' }),
    registry,
    onFailure: (why) => {
      log.error('packet-thread-failed', { why });
      stop(why, 1);
    },
  });
  const leaseKeeper = new LeaseKeeper({
    api: leaseKc.makeApiClient(CoordinationV1Api),
    namespace: values.namespace,
    node,
    clock,
    log,
    onRenewed: (sentAt, key) => fast.ownLeaseRenewed(sentAt, key),
  });

  const sessionFactory: SessionFactory | undefined = values['no-bgp']
    ? undefined
    : (peer, onState) => {
        // End-of-RIB only once the first pass computed every route (tableReady from BgpSessions).
        const s = new BgpSession({ peer, clock, log: log.child({ part: 'bgp' }), holdEndOfRib: true });
        s.on('state', (state, reason) => onState(state, reason.type === 'down' ? JSON.stringify(reason.reason) : reason.type));
        return s;
      };

  const speaker = new Speaker({
    kubeConfig: kc,
    namespace: values.namespace,
    node,
    lbClass: values['lb-class'],
    clock,
    log,
    registry,
    membership: fast,
    l2: values['no-l2'] ? undefined : fast,
    sessionFactory,
    bfd: fast,
  });
  const members = new K8sMemberSource({
    kubeConfig: leaseKc,
    namespace: values.namespace,
    nodes: () => speaker.nodes(),
    clock,
    log,
    onMembers: (m) => fast.setMembers(m.facts, m.addresses),
  });
  speaker.onNodes(() => members.nodesChanged());

  // Live while the packet thread reports (it does every second, whatever this thread is doing).
  const health = { live: () => Date.now() - fast.lastReportAt < 10_000, ready: () => speaker.ready() && fast.settled() };
  const servers = await serveMetricsAndHealth(registry, health, values['metrics-addr'], values['health-addr']);

  let stopping = false;
  stop = (why: string, code: number): void => {
    if (stopping) return;
    stopping = true;
    log.info('stopping', { why, handoffDeadlineMs: code === 0 ? handoffMs : 0 });
    const handoff = code === 0 ? speaker.leave(handoffMs) : speaker.stop();
    void handoff
      .catch((err: unknown) => log.error('stop-failed', { err }))
      .then(() => fast.stop())
      .finally(() => {
        leaseKeeper.stop();
        void members.stop();
        for (const s of servers) s.close();
        process.exit(code);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM', 0));
  process.on('SIGINT', () => stop('SIGINT', 0));

  log.info('starting', { namespace: values.namespace, lbClass: values['lb-class'] ?? null, l2: !values['no-l2'], bgp: !values['no-bgp'], heartbeatPort: fast.heartbeatPort, incarnation: fast.incarnation });
  await members.start();
  await speaker.start();
  members.nodesChanged();
  leaseKeeper.start();
}

main().catch((err: unknown) => {
  process.stderr.write(`herald-speaker: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
