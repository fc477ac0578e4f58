// A Kubernetes cluster for tests and the lab: the embedded API server, Herald's CRDs (read from
// config/crd, as an operator would apply them) and Herald's namespace.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiException, KubernetesObjectApi, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { DEFAULT_NAMESPACE, PooledKubeConfig, createLogger, type Logger } from '@herald/shared';
import { startApiServer, type ApiServer, type ApiServerOptions } from '../apiserver/index.js';

/** The repository root (the folder holding lerna.json), found from this file. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 10; i++) {
    if (existsSync(join(dir, 'lerna.json'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('cannot find the repository root (lerna.json) above ' + fileURLToPath(import.meta.url));
}

/** Herald's CRDs, parsed from config/crd/*.yaml. */
export function heraldCrds(): AnyObject[] {
  const dir = join(repoRoot(), 'config', 'crd');
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml').sort();
  if (files.length === 0) throw new Error(`no CRDs in ${dir}: run make crds`);
  return files.flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => d.toJSON() as AnyObject));
}

/** Creates each object, or replaces it if it exists (kubectl apply, roughly). */
/** Any object with apiVersion, kind and metadata; other fields (spec, data...) pass through. */
export type AnyObject = KubernetesObject & Record<string, unknown>;

export async function applyObjects(kc: KubeConfig, objs: readonly AnyObject[]): Promise<void> {
  const api = KubernetesObjectApi.makeApiClient(kc);
  for (const o of objs) {
    try {
      await api.create(o);
    } catch (err) {
      if (!(err instanceof ApiException && err.code === 409)) throw err;
      const cur = await api.read({ apiVersion: o.apiVersion, kind: o.kind, metadata: { name: o.metadata?.name ?? '', namespace: o.metadata?.namespace } });
      await api.replace({ ...o, metadata: { ...o.metadata, resourceVersion: cur.metadata?.resourceVersion } });
    }
  }
}

export interface TestCluster {
  readonly server: ApiServer;
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  close(): Promise<void>;
}

export async function startTestCluster(opts: ApiServerOptions & { namespace?: string; log?: Logger } = {}): Promise<TestCluster> {
  const server = await startApiServer({ logger: opts.log ?? createLogger({ component: 'apiserver', level: 'warn' }), ...opts });
  const kc = new PooledKubeConfig();
  kc.loadFromString(server.kubeconfigYaml());
  const namespace = opts.namespace ?? DEFAULT_NAMESPACE;
  await applyObjects(kc, [...heraldCrds(), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }]);
  return { server, kubeConfig: kc, namespace, close: () => server.close() };
}
