// --kubeconfig and --context, as kubectl takes them: the file (else $KUBECONFIG, in-cluster,
// ~/.kube/config) and a context in it (else its current-context).
import { loadKubeConfig, type PooledKubeConfig } from '@herald/shared/k8s';
import { CliError } from '../errors.js';

export interface ConnectionFlags {
  readonly kubeconfig?: string | undefined;
  readonly context?: string | undefined;
}

export function connect(f: ConnectionFlags): PooledKubeConfig {
  let kc: PooledKubeConfig;
  try {
    kc = loadKubeConfig(f.kubeconfig, { userAgent: 'kubectl-herald' });
  } catch (err) {
    throw new CliError(`cannot load kubeconfig ${f.kubeconfig ?? '(default)'}: ${err instanceof Error ? err.message : String(err)}`, 2, { cause: err });
  }
  if (f.context !== undefined) {
    if (!kc.getContextObject(f.context)) {
      throw new CliError(`--context ${f.context}: no such context in the kubeconfig (it has: ${kc.getContexts().map((c) => c.name).join(', ') || 'none'})`);
    }
    kc.setCurrentContext(f.context);
  }
  if (!kc.getCurrentCluster()) throw new CliError('no cluster in the kubeconfig: give --kubeconfig or set KUBECONFIG');
  return kc;
}
