// End-to-end controller benchmark: N Services created through the API server, each until its
// status is written, with the controller's API writes counted. The API server runs in its own
// process; the controller and the load generator share this one.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, makeInformer, type V1Service } from '@kubernetes/client-node';
import { Controller } from '@herald/controller';
import { PooledKubeConfig, createLogger, createRegistry, systemClock } from '@herald/shared';
import { applyObjects } from '@herald/lab';

interface Row {
  what: string;
  value: string;
  target: string;
}

async function startServer(): Promise<{ kc: PooledKubeConfig; stop: () => void }> {
  const child = spawn(process.execPath, [fileURLToPath(new URL('./apiserver-child.js', import.meta.url))], { stdio: ['ignore', 'pipe', 'inherit'] });
  const rl = createInterface({ input: child.stdout });
  const line = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('API server did not start in 20 s')), 20_000);
    rl.once('line', (l) => {
      clearTimeout(t);
      resolve(l);
    });
    child.once('exit', (code) => reject(new Error(`API server exited ${String(code)}`)));
  });
  const { kubeconfig } = JSON.parse(line) as { kubeconfig: string };
  const kc = new PooledKubeConfig();
  kc.loadFromString(kubeconfig);
  return { kc, stop: () => child.kill('SIGTERM') };
}

export async function benchControllerE2e(n = 5000): Promise<{ rows: Row[] }> {
  const { kc, stop } = await startServer();
  try {
    const core = kc.makeApiClient(CoreV1Api);
    await applyObjects(kc, [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } },
      { apiVersion: 'herald.dev/v1beta1', kind: 'IPAddressPool', metadata: { name: 'bench', namespace: 'herald-system' }, spec: { addresses: ['2001:db8:1::/112'] } },
    ]);
    const registry = createRegistry('controller', false);
    const ctl = new Controller({ kubeConfig: kc, namespace: 'herald-system', lbClass: undefined, identity: 'bench', clock: systemClock, log: createLogger({ component: 'controller', level: 'error' }), registry, leaderElection: false });
    await ctl.start();
    const created = new Map<string, number>();
    const latencies: number[] = [];
    let done = 0;
    let allDone: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (allDone = resolve));
    // Status is observed through a watch (an informer), not by listing 5,000 Services over and over.
    const watcher = makeInformer(kc, '/api/v1/namespaces/bench/services', () => core.listNamespacedService({ namespace: 'bench' }));
    const seen = (s: V1Service): void => {
      const name = s.metadata?.name ?? '';
      const t0 = created.get(name);
      if (t0 === undefined || !s.status?.loadBalancer?.ingress?.length) return;
      latencies.push(performance.now() - t0);
      created.delete(name);
      if (++done === n) allDone();
    };
    watcher.on('add', seen);
    watcher.on('update', seen);
    await watcher.start();
    const started = performance.now();
    // Creation in parallel batches of 20 (bounded).
    const svc = (i: number): V1Service => ({ metadata: { name: `s${i}` }, spec: { type: 'LoadBalancer', ipFamilies: ['IPv6'], ports: [{ port: 80 }] } });
    for (let i = 0; i < n; i += 20) {
      await Promise.all(
        Array.from({ length: Math.min(20, n - i) }, async (_, j) => {
          created.set(`s${i + j}`, performance.now());
          await core.createNamespacedService({ namespace: 'bench', body: svc(i + j) });
        }),
      );
    }
    const createdAt = performance.now();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([finished, new Promise<void>((resolve) => (timer = setTimeout(resolve, 300_000)))]);
    clearTimeout(timer);
    await watcher.stop();
    const total = performance.now() - started;
    const writes = (await ctl.apiWrites.get()).values;
    const statusWrites = writes.find((v) => v.labels['kind'] === 'service-status')?.value ?? 0;
    const annotationWrites = writes.find((v) => v.labels['kind'] === 'service-annotation')?.value ?? 0;
    await ctl.stop();
    latencies.sort((a, b) => a - b);
    const pct = (p: number): string => `${(latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN).toFixed(0)} ms`;
    return {
      rows: [
        { what: `${n} Services: created -> status written, all (wall)`, value: `${(total / 1000).toFixed(1)} s (creation ${((createdAt - started) / 1000).toFixed(1)} s); ${done}/${n} done`, target: '-' },
        { what: 'per Service: created -> status seen by a watcher (p50 / p99)', value: `${pct(50)} / ${pct(99)}`, target: '-' },
        { what: 'status writes per Service', value: (statusWrites / n).toFixed(2), target: '1 (goal)' },
        { what: 'annotation writes per Service (herald.dev/ip-allocated-from-pool)', value: (annotationWrites / n).toFixed(2), target: '1' },
      ],
    };
  } finally {
    stop();
  }
}
