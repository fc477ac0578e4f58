// Which Services the speaker handles: the same reading as the controller's (shared/src/api/
// service-class.ts), so a Service the controller gives an IP is one the speaker announces.
import { strict as assert } from 'node:assert';
import type { V1Service } from '@kubernetes/client-node';
import { isOurs } from '@herald/shared/api';
import { handles } from '../../src/announce/from-k8s.js';

const svc = (type: string | undefined, loadBalancerClass?: string): V1Service => ({ spec: { ...(type ? { type } : {}), ...(loadBalancerClass !== undefined ? { loadBalancerClass } : {}) } });

describe('announce/from-k8s: handles', () => {
  const cases: { desc: string; input: V1Service; lbClass: string | undefined; want: boolean }[] = [
    { desc: 'a LoadBalancer with no class, no --lb-class', input: svc('LoadBalancer'), lbClass: undefined, want: true },
    { desc: 'an empty class is no class (as the controller reads it)', input: svc('LoadBalancer', ''), lbClass: undefined, want: true },
    { desc: "another implementation's class", input: svc('LoadBalancer', 'example.com/other'), lbClass: undefined, want: false },
    { desc: 'our class, with --lb-class', input: svc('LoadBalancer', 'herald.dev/lb'), lbClass: 'herald.dev/lb', want: true },
    { desc: 'no class, with --lb-class', input: svc('LoadBalancer'), lbClass: 'herald.dev/lb', want: false },
    { desc: 'a ClusterIP Service', input: svc('ClusterIP'), lbClass: undefined, want: false },
    { desc: 'no type at all', input: svc(undefined), lbClass: undefined, want: false },
  ];
  for (const c of cases) {
    it(c.desc, () => {
      assert.equal(handles(c.input, c.lbClass), c.want);
      // And the controller agrees, on every row.
      assert.equal(isOurs({ type: c.input.spec?.type, loadBalancerClass: c.input.spec?.loadBalancerClass }, c.lbClass), c.want);
    });
  }
});
