// A kubeconfig that points at the embedded server (plain HTTP, no credentials). client-node 2.x
// refuses an http:// server unless insecure-skip-tls-verify is set, so it is.

import { stringify } from 'yaml';

export function kubeconfigYaml(server: string, name = 'herald-lab'): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name, user: {} }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    'current-context': name,
    preferences: {},
  });
}
