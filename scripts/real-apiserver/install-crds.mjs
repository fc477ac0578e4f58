#!/usr/bin/env node
// Applies Herald's CRDs (config/crd, as an operator would) to the server in KUBECONFIG and waits,
// bounded, until each is Established. Run with the repository's Node after `make build`.
//   KUBECONFIG=... node_modules/.bin/node scripts/real-apiserver/install-crds.mjs
import { ApiextensionsV1Api, KubeConfig } from '@kubernetes/client-node';
import { applyObjects, heraldCrds } from '@herald/lab';

const TIMEOUT_MS = 60_000;
const kc = new KubeConfig();
kc.loadFromDefault();
const crds = heraldCrds();
await applyObjects(kc, crds);
const ext = kc.makeApiClient(ApiextensionsV1Api);
const deadline = Date.now() + TIMEOUT_MS;
for (const crd of crds) {
  const name = crd.metadata?.name ?? '';
  for (let i = 0; ; i++) {
    const cur = await ext.readCustomResourceDefinition({ name });
    if (cur.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) break;
    if (Date.now() > deadline || i > 600) {
      process.stderr.write(`!!! CRD ${name} not Established after ${TIMEOUT_MS} ms: ${JSON.stringify(cur.status?.conditions ?? [])}\n`);
      process.exit(1);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
process.stderr.write(`real-apiserver: ${crds.length} Herald CRDs Established\n`);
