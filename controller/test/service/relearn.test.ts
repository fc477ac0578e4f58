// Re-learning takes the oldest Service first, whatever form its creationTimestamp has: the typed
// client gives a Date on a LIST, a watch event gives the RFC 3339 string. Both claim one IP here;
// the older must keep it. (String(Date) starts with the weekday, so "Fri" sorted before "Thu".)
import assert from 'node:assert/strict';
import type { V1Service } from '@kubernetes/client-node';
import { parseConfig } from '@herald/shared';
import { relearnAllocations } from '../../src/service/relearn.js';

const pools = (() => {
  const r = parseConfig({ ipAddressPools: [{ metadata: { name: 'p', namespace: 'herald-system' }, spec: { addresses: ['192.0.2.0/30'] } }] });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.config.pools;
})();

function svc(name: string, created: Date | string): V1Service {
  return {
    metadata: { name, namespace: 'demo', creationTimestamp: created as Date },
    spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }] },
    status: { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } },
  };
}

const cases: { desc: string; older: Date | string; newer: Date | string }[] = [
  { desc: 'Dates (a LIST), Thursday before Friday', older: new Date('2026-12-03T10:00:00Z'), newer: new Date('2026-12-04T10:00:00Z') },
  { desc: 'strings (a watch event)', older: '2026-12-03T10:00:00Z', newer: '2026-12-04T10:00:00Z' },
  { desc: 'one of each', older: '2026-12-03T10:00:00Z', newer: new Date('2026-12-04T10:00:00Z') },
  { desc: 'same second: key order decides', older: new Date('2026-12-04T10:00:00Z'), newer: new Date('2026-12-04T10:00:00Z') },
];

describe('relearnAllocations: oldest first', () => {
  for (const c of cases) {
    it(c.desc, () => {
      // "a-old" < "b-new" by key, so the tie case keeps a-old too.
      const r = relearnAllocations([svc('b-new', c.newer), svc('a-old', c.older)], pools.values(), undefined, () => ({}));
      assert.deepEqual(r.allocator.get('demo/a-old')?.ips.map(String), ['192.0.2.1']);
      assert.equal(r.allocator.get('demo/b-new'), undefined);
      assert.deepEqual(r.refused.map((x) => x.key), ['demo/b-new']);
    });
  }
});
