// The cluster IPs and node ports every stored Service holds, kept up to date on each commit, so a
// Service write checks "already allocated" in O(1) instead of listing every other Service.

import { arrAt, isObject, objAt, type JsonObject } from './json.js';
import type { Family } from './ip.js';

function ipsOf(o: JsonObject | undefined): string[] {
  return arrAt(objAt(o, 'spec'), 'clusterIPs').filter((x): x is string => typeof x === 'string' && x !== 'None');
}

function portsOf(o: JsonObject | undefined): number[] {
  const s = objAt(o, 'spec');
  const out = arrAt(s, 'ports').filter(isObject).map((p) => p['nodePort']).filter((n): n is number => typeof n === 'number');
  if (typeof s['healthCheckNodePort'] === 'number') out.push(s['healthCheckNodePort']);
  return out;
}

function bump<K>(m: Map<K, number>, k: K, by: number): void {
  const n = (m.get(k) ?? 0) + by;
  if (n <= 0) m.delete(k);
  else m.set(k, n);
}

export class ServiceAllocations {
  private readonly ips = new Map<string, number>();
  private readonly ports = new Map<number, number>();
  /** Where the next search for a free cluster IP starts, per family. */
  readonly cursor: Record<Family, number> = { IPv4: 1, IPv6: 1 };
  /** Where the next search for a free node port starts (0: at the bottom of the range). */
  portCursor = 0;

  static of(services: readonly JsonObject[]): ServiceAllocations {
    const a = new ServiceAllocations();
    for (const s of services) a.update(undefined, s);
    return a;
  }

  /** A Service changed from `old` to `next` (undefined: created / deleted). */
  update(old: JsonObject | undefined, next: JsonObject | undefined): void {
    for (const ip of ipsOf(old)) bump(this.ips, ip, -1);
    for (const p of portsOf(old)) bump(this.ports, p, -1);
    for (const ip of ipsOf(next)) bump(this.ips, ip, 1);
    for (const p of portsOf(next)) bump(this.ports, p, 1);
  }

  hasIp(ip: string): boolean {
    return this.ips.has(ip);
  }

  hasPort(p: number): boolean {
    return this.ports.has(p);
  }
}

/** A set over a read-only base: add() records locally, the base is never changed. */
export class Overlay<T> {
  private readonly added = new Set<T>();
  constructor(private readonly base: (x: T) => boolean) {}
  has(x: T): boolean {
    return this.added.has(x) || this.base(x);
  }
  add(x: T): void {
    this.added.add(x);
  }
}
