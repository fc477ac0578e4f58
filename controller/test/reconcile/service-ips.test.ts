// herald_controller_service_ip from the allocations (service-ips.ts), over a recording sink.
import assert from 'node:assert/strict';
import { IP } from '@herald/shared';
import type { Allocation } from '../../src/allocator/types.js';
import { ServiceIPs, type ServiceIPLabels } from '../../src/reconcile/service-ips.js';

const alloc = (key: string, ips: string[], pool = 'prod'): Allocation => ({ key, ips: ips.map((s) => IP.parse(s)), pool });

describe('reconcile/ServiceIPs: herald_controller_service_ip', () => {
  const cases: { desc: string; syncs: Allocation[][]; want: string[] }[] = [
    { desc: 'one series per IP and Service', syncs: [[alloc('a/web', ['192.0.2.1', '2001:db8::1']), alloc('a/db', ['192.0.2.2'], 'other')]], want: ['192.0.2.1 a/web prod', '192.0.2.2 a/db other', '2001:db8::1 a/web prod'] },
    { desc: 'a shared IP: one per Service sharing it', syncs: [[alloc('a/x', ['192.0.2.1']), alloc('a/y', ['192.0.2.1'])]], want: ['192.0.2.1 a/x prod', '192.0.2.1 a/y prod'] },
    { desc: 'a released Service loses its series', syncs: [[alloc('a/web', ['192.0.2.1']), alloc('a/db', ['192.0.2.2'])], [alloc('a/db', ['192.0.2.2'])]], want: ['192.0.2.2 a/db prod'] },
    { desc: 'an IP that moves pool (re-homed) is one series, the new one', syncs: [[alloc('a/web', ['192.0.2.1'])], [alloc('a/web', ['192.0.2.1'], 'new')]], want: ['192.0.2.1 a/web new'] },
  ];
  for (const c of cases) {
    it(c.desc, () => {
      const series = new Set<string>();
      const k = (l: ServiceIPLabels): string => `${l.ip} ${l.service} ${l.pool}`;
      const s = new ServiceIPs({ set: (l) => void series.add(k(l)), remove: (l) => assert.ok(series.delete(k(l))) });
      for (const sync of c.syncs) s.sync(sync);
      assert.deepEqual([...series].sort(), c.want);
      assert.equal(s.size, c.want.length);
      s.clear();
      assert.equal(series.size, 0, 'leadership lost: nothing left');
    });
  }
});
