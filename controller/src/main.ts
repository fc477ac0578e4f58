#!/usr/bin/env node
// herald-controller: flags in, components wired, signals handled. Nothing else lives here.
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { CONTROLLER_KUBE_API_LIMIT, createLogger, createRegistry, kubeClientMetrics, loadKubeConfig, DEFAULT_NAMESPACE, parseLogLevel, serveMetricsAndHealth, systemClock } from '@herald/shared';
import { Controller } from './controller.js';

const usage = `herald-controller: hands out LoadBalancer IPs from Herald's pools

  --kubeconfig FILE       kubeconfig (default: in-cluster, or $KUBECONFIG)
  --namespace NS          Herald's namespace (default ${DEFAULT_NAMESPACE})
  --lb-class CLASS        handle Services of this loadBalancerClass (default: those with none)
  --metrics-addr H:P      Prometheus /metrics (default :7472)
  --health-addr H:P       /healthz and /readyz (default: the metrics address)
  --log-level LEVEL       debug | info | warn | error (default info)
  --identity ID           leader-election identity (default hostname-pid)
  --no-leader-elect       act as the only replica (no Lease)
  --lease-duration S      leader Lease duration in seconds (default 15)
  --kube-api-qps N        client-side limit on API requests per second; negative
                          (--kube-api-qps=-1): none. Default ${CONTROLLER_KUBE_API_LIMIT.qps}: rely on the server's
                          API Priority and Fairness, and back off on its 429s
  --kube-api-burst N      burst of that limit (default ${CONTROLLER_KUBE_API_LIMIT.burst})`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      kubeconfig: { type: 'string' },
      namespace: { type: 'string', default: DEFAULT_NAMESPACE },
      'lb-class': { type: 'string' },
      'metrics-addr': { type: 'string', default: ':7472' },
      'health-addr': { type: 'string' },
      'log-level': { type: 'string', default: 'info' },
      identity: { type: 'string' },
      'no-leader-elect': { type: 'boolean', default: false },
      'lease-duration': { type: 'string', default: '15' },
      'kube-api-qps': { type: 'string', default: String(CONTROLLER_KUBE_API_LIMIT.qps) },
      'kube-api-burst': { type: 'string', default: String(CONTROLLER_KUBE_API_LIMIT.burst) },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(usage + '\n');
    return;
  }
  const identity = values.identity ?? `${hostname()}-${process.pid}`;
  const log = createLogger({ component: 'controller', level: parseLogLevel(values['log-level']), fields: { identity } });
  const lease = Number(values['lease-duration']);
  if (!Number.isFinite(lease) || lease < 2) throw new Error(`--lease-duration must be a number of seconds >= 2, not ${values['lease-duration']}`);
  const qps = Number(values['kube-api-qps']);
  if (!Number.isFinite(qps) || qps === 0) throw new Error(`--kube-api-qps must be a number > 0, or negative for no limit, not ${values['kube-api-qps']}`);
  const burst = Number(values['kube-api-burst']);
  if (!Number.isInteger(burst) || burst < 1) throw new Error(`--kube-api-burst must be an integer >= 1, not ${values['kube-api-burst']}`);

  const registry = createRegistry('controller');
  const kc = loadKubeConfig(values.kubeconfig, { qps, burst, userAgent: 'herald-controller', metrics: kubeClientMetrics(registry) });
  const controller = new Controller({
    kubeConfig: kc,
    namespace: values.namespace,
    lbClass: values['lb-class'],
    identity,
    clock: systemClock,
    log,
    registry,
    leaderElection: !values['no-leader-elect'],
    leaseDurationSeconds: lease,
    retryPeriodMs: Math.min(2000, (lease * 1000) / 5),
  });
  const health = { live: () => true, ready: () => controller.ready() };
  const servers = await serveMetricsAndHealth(registry, health, values['metrics-addr'], values['health-addr']);
  let stopping = false;
  const stop = (sig: string): void => {
    if (stopping) return;
    stopping = true;
    log.info('stopping', { signal: sig });
    void controller
      .stop()
      .catch((err: unknown) => log.error('stop-failed', { err }))
      .finally(() => {
        for (const s of servers) s.close();
        process.exit(0);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  log.info('starting', { namespace: values.namespace, lbClass: values['lb-class'] ?? null, kubeApiQps: qps, kubeApiBurst: burst });
  await controller.start();
}

main().catch((err: unknown) => {
  process.stderr.write(`herald-controller: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
