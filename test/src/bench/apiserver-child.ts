// Runs the embedded API server with Herald's CRDs in its own process (so a benchmark measures the
// controller, not the server sharing its event loop), and prints {"url": ...} once ready.
import { createLogger } from '@herald/shared';
import { startTestCluster } from '@herald/lab';

const cluster = await startTestCluster({ log: createLogger({ component: 'apiserver', level: 'error' }), historyWindow: 50_000 });
process.stdout.write(JSON.stringify({ url: cluster.server.url, kubeconfig: cluster.server.kubeconfigYaml() }) + '\n');
process.on('SIGTERM', () => {
  void cluster.close().finally(() => process.exit(0));
});
