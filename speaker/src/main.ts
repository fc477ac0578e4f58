#!/usr/bin/env node
// herald-speaker: flags in, components wired, signals handled. Nothing else lives here.
import { parseArgs } from 'node:util';
import { CoordinationV1Api, type V1Lease } from '@kubernetes/client-node';
import { DEFAULT_NAMESPACE } from '@herald/shared/api';
import { systemClock } from '@herald/shared/clock';
import { ResilientInformer, loadKubeConfig } from '@herald/shared/k8s';
import { createLogger, parseLogLevel } from '@herald/shared/log';
import { createRegistry, parseListenAddr, serveMetricsAndHealth } from '@herald/shared/metrics';
import { BgpSession } from './bgp/session.js';
import { L2Announcer } from './layer2/announcer.js';
import { listLinks } from './layer2/links.js';
import { loadKeys } from './membership/key-file.js';
import { LeaseKeeper } from './membership/lease-keeper.js';
import { SPEAKER_LEASE_LABEL, SPEAKER_LEASE_LABEL_VALUE, membersFromK8s } from './membership/member-facts.js';
import { Membership } from './membership/membership.js';
import { createMembershipMetrics } from './membership/metrics.js';
import { UdpTransport } from './membership/udp-transport.js';
import { membershipPort } from './reconcile/membership-port.js';
import type { L2Sink, SessionFactory } from './reconcile/ports.js';
import { Speaker } from './reconcile/speaker.js';
import { PacketSocket } from './sys/packet-socket.js';

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
  const log = createLogger({ component: 'speaker', level: parseLogLevel(values['log-level']), fields: { node } });
  const kc = loadKubeConfig(values.kubeconfig);
  const clock = systemClock;
  const registry = createRegistry('speaker');

  // Membership: heartbeats over UDP, one Lease per speaker, Node conditions.
  const keys = await loadKeys([values['heartbeat-key-file']]);
  const hb = parseListenAddr(values['heartbeat-addr']);
  const transport = await UdpTransport.open({
    // ':port' leaves the choice to the transport: '::' dual-stack, else '0.0.0.0'.
    ...(values['heartbeat-addr'].startsWith(':') ? {} : { bindAddress: hb.host }),
    port: hb.port,
    clock,
    onSocketError: (err) => log.error('heartbeat-socket-error', { err }),
  });
  const membership = new Membership({ node, keys, transport, clock, log: log.child({ part: 'membership' }) });
  const membershipMetrics = createMembershipMetrics();
  membershipMetrics.registerIn(registry);
  membership.onChange(() => membershipMetrics.observe(membership));
  const leaseKeeper = new LeaseKeeper({
    api: kc.makeApiClient(CoordinationV1Api),
    namespace: values.namespace,
    node,
    clock,
    log,
    onRenewed: (sentAt, key) => membership.ownLeaseRenewed(sentAt, key),
  });
  const coordination = kc.makeApiClient(CoordinationV1Api);
  const labelSelector = `${SPEAKER_LEASE_LABEL}=${SPEAKER_LEASE_LABEL_VALUE}`;
  const leases = new ResilientInformer<V1Lease>({
    name: 'speaker-leases',
    kubeConfig: kc,
    path: `/apis/coordination.k8s.io/v1/namespaces/${values.namespace}/leases`,
    labelSelector,
    list: () => coordination.listNamespacedLease({ namespace: values.namespace, labelSelector }),
    clock,
    log,
  });

  let l2: L2Sink | undefined;
  let announcer: L2Announcer | undefined;
  if (!values['no-l2']) {
    announcer = new L2Announcer({
      registry,
      clock,
      logger: log.child({ part: 'l2' }),
      listLinks,
      openConn: (name, onFrame) => new PacketSocket(name, { onFrame, onError: (err) => log.error('l2-read-failed', { iface: name, err }) }),
    });
    const fallback = values.interfaces ? values.interfaces.split(',').filter(Boolean) : [];
    const a = announcer;
    l2 = {
      setOwned: (entries) => a.setOwned(entries.map((e) => ({ ip: e.ip, interfaces: e.interfaces.length ? e.interfaces : fallback }))),
      interfaces: () => a.interfaces(),
    };
  }
  const sessionFactory: SessionFactory | undefined = values['no-bgp']
    ? undefined
    : (peer, onState) => {
        const s = new BgpSession({ peer, clock, log: log.child({ part: 'bgp' }) });
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
    membership: membershipPort(membership),
    l2,
    sessionFactory,
  });
  const feedMembers = (): void => {
    const m = membersFromK8s(leases.list(), speaker.nodes());
    membership.setMembers(m.facts, m.addresses);
  };
  for (const ev of ['add', 'update', 'delete'] as const) leases.on(ev, feedMembers);
  speaker.onNodes(feedMembers);

  const health = { live: () => true, ready: () => speaker.ready() };
  const servers = await serveMetricsAndHealth(registry, health, values['metrics-addr'], values['health-addr']);

  let stopping = false;
  const stop = (sig: string): void => {
    if (stopping) return;
    stopping = true;
    log.info('stopping', { signal: sig, handoffDeadlineMs: handoffMs });
    void speaker
      .leave(handoffMs)
      .catch((err: unknown) => log.error('stop-failed', { err }))
      .finally(() => {
        announcer?.stop();
        membership.stop();
        leaseKeeper.stop();
        void transport.close();
        void leases.stop();
        for (const s of servers) s.close();
        process.exit(0);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  log.info('starting', { namespace: values.namespace, lbClass: values['lb-class'] ?? null, l2: !values['no-l2'], bgp: !values['no-bgp'] });
  announcer?.start();
  await leases.start();
  await speaker.start();
  feedMembers();
  leaseKeeper.start();
  membership.start();
}

main().catch((err: unknown) => {
  process.stderr.write(`herald-speaker: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
