// The fixed cluster status and explain are checked against: the embedded API server (lab/) with
// the objects of test/fixtures/cluster, each status written through its /status subresource as
// the components write it. Reached through the real @kubernetes/client-node by the CLI.
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { applyObjects, startTestCluster, type AnyObject, type TestCluster } from '@herald/lab';
import { CRD_DEFS, GROUP, VERSION, mergePatch } from '@herald/shared';
import { parseAllDocuments } from 'yaml';
import { FIXTURES } from './golden.js';

export interface FixtureCluster {
  readonly cluster: TestCluster;
  /** A kubeconfig file for the CLI's --kubeconfig. */
  readonly kubeconfig: string;
  close(): Promise<void>;
}

export function fixtureObjects(...files: string[]): AnyObject[] {
  return files.flatMap((f) => parseAllDocuments(readFileSync(join(FIXTURES, 'cluster', f), 'utf8')).map((d) => d.toJSON() as AnyObject)).filter((o) => o !== null);
}

export async function applyWithStatus(c: TestCluster, objs: readonly AnyObject[]): Promise<void> {
  const core = c.kubeConfig.makeApiClient(CoreV1Api);
  const custom = c.kubeConfig.makeApiClient(CustomObjectsApi);
  for (const o of objs) {
    const { status, ...rest } = o as AnyObject & { status?: unknown };
    await applyObjects(c.kubeConfig, [rest]);
    if (status === undefined) continue;
    const name = o.metadata?.name ?? '';
    const namespace = o.metadata?.namespace ?? 'default';
    const body = { status };
    if (o.kind === 'Service') await core.patchNamespacedServiceStatus({ name, namespace, body }, mergePatch);
    else if (o.kind === 'Node') await core.patchNodeStatus({ name, body }, mergePatch);
    else if (o.apiVersion === `${GROUP}/${VERSION}`) {
      const plural = CRD_DEFS.find((d) => d.kind === o.kind)?.plural ?? '';
      await custom.patchNamespacedCustomObjectStatus({ group: GROUP, version: VERSION, namespace, plural, name, body }, mergePatch);
    } else throw new Error(`fixture ${o.kind} ${name}: no status writer for this kind`);
  }
}

export async function startFixtureCluster(): Promise<FixtureCluster> {
  const cluster = await startTestCluster();
  await applyWithStatus(cluster, fixtureObjects('config.yaml', 'cluster.yaml'));
  const kubeconfig = join(tmpdir(), `herald-cli-${process.pid}-${Date.now()}.kubeconfig`);
  writeFileSync(kubeconfig, cluster.server.kubeconfigYaml());
  return { cluster, kubeconfig, close: () => cluster.close() };
}
