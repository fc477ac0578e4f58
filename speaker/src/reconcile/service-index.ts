// The speaker's view of Services and their EndpointSlices, by Service key, fed by informer
// events: which Services changed since the last pass (dirty), each one's slices, and whether a
// Service's announce-relevant content really changed (a signature), so that an update of an
// unrelated field, or a relist that re-delivers an object, costs one comparison.
import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import { handles, serviceKey, serviceState, SERVICE_NAME_LABEL, type ServiceState } from '../announce/index.js';

const sliceKey = (s: V1EndpointSlice): string => `${s.metadata?.namespace ?? 'default'}/${s.metadata?.name ?? ''}`;

function sliceService(s: V1EndpointSlice): string | undefined {
  const name = s.metadata?.labels?.[SERVICE_NAME_LABEL];
  return name ? `${s.metadata?.namespace ?? 'default'}/${name}` : undefined;
}

/** What of a ServiceState decides announcements, as one string. */
function signature(st: ServiceState): string {
  const ep = st.endpoints.map((e) => `${e.nodeName ?? ''}|${String(e.ready)}|${String(e.serving)}|${String(e.terminating)}`).sort();
  const labels = Object.entries(st.info.labels).sort((a, b) => (a[0] < b[0] ? -1 : 1));
  return JSON.stringify([st.info.externalTrafficPolicy, st.info.pool ?? null, labels, st.ips.map((i) => i.key), ep]);
}

export class ServiceIndex {
  private readonly dirty = new Set<string>();
  /** slice key -> the Service key it belongs to (its label), as last seen. */
  private readonly sliceOwner = new Map<string, string>();
  /** Service key -> its slices. */
  private readonly slices = new Map<string, Map<string, V1EndpointSlice>>();
  private readonly sigs = new Map<string, string>();

  constructor(private readonly lbClass: string | undefined) {}

  serviceEvent(svc: V1Service): void {
    this.dirty.add(serviceKey(svc));
  }

  sliceEvent(s: V1EndpointSlice, deleted: boolean): void {
    const k = sliceKey(s);
    const before = this.sliceOwner.get(k);
    const after = deleted ? undefined : sliceService(s);
    if (before !== undefined && before !== after) {
      this.slices.get(before)?.delete(k);
      if (this.slices.get(before)?.size === 0) this.slices.delete(before);
      this.dirty.add(before);
    }
    if (after === undefined) this.sliceOwner.delete(k);
    else {
      this.sliceOwner.set(k, after);
      let m = this.slices.get(after);
      if (!m) this.slices.set(after, (m = new Map<string, V1EndpointSlice>()));
      m.set(k, s);
      this.dirty.add(after);
    }
  }

  /** Marks every Service known (a resync). */
  markAll(keys: Iterable<string>): void {
    for (const k of keys) this.dirty.add(k);
  }

  get pending(): number {
    return this.dirty.size;
  }

  /**
   * Takes up to `max` dirty Services; for each, what the announce state should now hold: its
   * ServiceState, or undefined (gone, not ours, no IP), or 'same' when nothing relevant changed.
   */
  take(max: number, get: (key: string) => V1Service | undefined): { key: string; state: ServiceState | undefined | 'same' }[] {
    const out: { key: string; state: ServiceState | undefined | 'same' }[] = [];
    for (const key of this.dirty) {
      if (out.length >= max) break;
      this.dirty.delete(key);
      const svc = get(key);
      let st: ServiceState | undefined;
      if (svc && handles(svc, this.lbClass)) {
        const s = serviceState(svc, [...(this.slices.get(key)?.values() ?? [])]);
        if (s.ips.length > 0) st = s;
      }
      const sig = st ? signature(st) : undefined;
      if (sig === this.sigs.get(key)) {
        out.push({ key, state: 'same' });
        continue;
      }
      if (sig === undefined) this.sigs.delete(key);
      else this.sigs.set(key, sig);
      out.push({ key, state: st });
    }
    return out;
  }
}
