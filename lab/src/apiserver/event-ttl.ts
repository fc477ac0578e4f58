// Events expire (kube-apiserver's --event-ttl, 1 h by default), counted from the Event's last
// recorded time. Pure: picks the expired ones; the server deletes them.

import { getPath, objAt, strAt, type JsonObject } from './json.js';

function lastSeen(o: JsonObject): number {
  const times = [
    strAt(objAt(o, 'metadata'), 'creationTimestamp'), strAt(o, 'lastTimestamp'), strAt(o, 'eventTime'),
    getPath(o, ['series', 'lastObservedTime']),
  ].filter((t): t is string => typeof t === 'string').map((t) => Date.parse(t)).filter((n) => Number.isFinite(n));
  return times.length === 0 ? Number.POSITIVE_INFINITY : Math.max(...times);
}

export function expiredEvents(events: readonly JsonObject[], nowMs: number, ttlSeconds: number): JsonObject[] {
  return events.filter((e) => nowMs - lastSeen(e) > ttlSeconds * 1000);
}
