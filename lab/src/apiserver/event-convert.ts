// events.k8s.io/v1 and core/v1 Events share one storage, as in kube-apiserver: objects are
// stored in core/v1 form and converted on the way in and out of the events.k8s.io API.

import type { JsonObject } from './json.js';
import type { ResourceInfo } from './registry.js';

export interface Codec {
  toStored(o: JsonObject): JsonObject;
  fromStored(o: JsonObject): JsonObject;
}

/** events.k8s.io/v1 field -> core/v1 field. */
const renames: [string, string][] = [
  ['regarding', 'involvedObject'], ['note', 'message'], ['reportingController', 'reportingComponent'],
  ['deprecatedSource', 'source'], ['deprecatedFirstTimestamp', 'firstTimestamp'],
  ['deprecatedLastTimestamp', 'lastTimestamp'], ['deprecatedCount', 'count'],
];

function rename(o: JsonObject, pairs: readonly [string, string][], apiVersion: string): JsonObject {
  const out: JsonObject = { kind: 'Event', apiVersion };
  const map = new Map(pairs);
  for (const [k, v] of Object.entries(o)) {
    if (k === 'kind' || k === 'apiVersion') continue;
    out[map.get(k) ?? k] = v;
  }
  return out;
}

const eventsV1: Codec = {
  toStored: (o) => rename(o, renames, 'v1'),
  fromStored: (o) => rename(o, renames.map(([a, b]) => [b, a]), 'events.k8s.io/v1'),
};

export function codecFor(info: ResourceInfo): Codec | undefined {
  return info.group === 'events.k8s.io' && info.resource === 'events' ? eventsV1 : undefined;
}
