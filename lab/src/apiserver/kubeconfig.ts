// A kubeconfig that points at the embedded server (plain HTTP, no credentials).

import { stringify } from 'yaml';

export function kubeconfigYaml(server: string, name = 'herald-lab'): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server } }],
    users: [{ name, user: {} }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    'current-context': name,
    preferences: {},
  });
}
