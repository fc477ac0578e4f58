// A Snapshot as validate --cluster's LiveObjects.
import type { Snapshot } from '../cluster/snapshot.js';
import type { LiveObjects } from './validate.js';

export function liveObjects(s: Snapshot): LiveObjects {
  return {
    config: s.config,
    secrets: s.secrets,
    services: s.services,
    namespaceLabels: new Map(s.namespaces.map((n) => [n.metadata?.name ?? '', n.metadata?.labels ?? {}])),
  };
}
