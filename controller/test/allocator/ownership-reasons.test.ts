// isOurs() and reason messages.
import { deepStrictEqual, ok } from 'node:assert/strict';
import { IP } from '@herald/shared';
import { isOurs, reasonMessage, type AllocationReason, type ServiceClass } from '../../src/allocator/index.js';

describe('allocator: isOurs', () => {
  const cases: { desc: string; input: { svc: ServiceClass; ours: string | undefined }; want: boolean }[] = [
    { desc: 'LoadBalancer, no class, no flag', input: { svc: { type: 'LoadBalancer', loadBalancerClass: undefined }, ours: undefined }, want: true },
    { desc: 'ClusterIP is never ours', input: { svc: { type: 'ClusterIP', loadBalancerClass: undefined }, ours: undefined }, want: false },
    { desc: 'NodePort is never ours', input: { svc: { type: 'NodePort', loadBalancerClass: undefined }, ours: undefined }, want: false },
    { desc: 'another class without a flag', input: { svc: { type: 'LoadBalancer', loadBalancerClass: 'other.io/lb' }, ours: undefined }, want: false },
    { desc: 'our class with the flag', input: { svc: { type: 'LoadBalancer', loadBalancerClass: 'herald.dev/lb' }, ours: 'herald.dev/lb' }, want: true },
    { desc: 'no class with a flag', input: { svc: { type: 'LoadBalancer', loadBalancerClass: undefined }, ours: 'herald.dev/lb' }, want: false },
    { desc: 'an empty class counts as none', input: { svc: { type: 'LoadBalancer', loadBalancerClass: '' }, ours: undefined }, want: true },
  ];
  for (const c of cases) it(c.desc, () => deepStrictEqual(isOurs(c.input.svc, c.input.ours), c.want));
});

describe('allocator: reasonMessage', () => {
  const ip = IP.parse('192.0.2.9');
  const cases: { desc: string; input: AllocationReason; want: string[] }[] = [
    { desc: 'no-pool-matches', input: { type: 'no-pool-matches' }, want: ['no address pool'] },
    { desc: 'pool-not-found', input: { type: 'pool-not-found', pool: 'gold' }, want: ['"gold"', 'does not exist'] },
    { desc: 'pool-not-allowed namespace', input: { type: 'pool-not-allowed', pool: 'gold', why: 'namespace' }, want: ['"gold"', 'namespaces'] },
    { desc: 'pool-not-allowed selector', input: { type: 'pool-not-allowed', pool: 'gold', why: 'service-selector' }, want: ['"gold"', 'serviceSelectors'] },
    { desc: 'pool-exhausted', input: { type: 'pool-exhausted', pools: ['a', 'b'], families: [4, 6] }, want: ['IPv4 and IPv6', '"a", "b"'] },
    { desc: 'family-unavailable', input: { type: 'family-unavailable', pools: ['a'], families: [6] }, want: ['IPv6', '"a"'] },
    { desc: 'dual-stack-unavailable', input: { type: 'dual-stack-unavailable', pools: [] }, want: ['RequireDualStack', 'no pool'] },
    { desc: 'requested-ips-invalid', input: { type: 'requested-ips-invalid', ips: [ip], why: 'family-mismatch' }, want: ['192.0.2.9', 'ipFamilies'] },
    { desc: 'requested-ip-not-in-pool buggy', input: { type: 'requested-ip-not-in-pool', ips: [ip], pool: 'p', why: 'buggy-ip-avoided' }, want: ['192.0.2.9', 'avoidBuggyIPs'] },
    { desc: 'requested-ip-in-use', input: { type: 'requested-ip-in-use', ip, by: 'ns/x' }, want: ['192.0.2.9', 'ns/x'] },
    { desc: 'sharing-incompatible', input: { type: 'sharing-incompatible', ip, with: 'ns/x', why: 'port-conflict' }, want: ['ns/x', 'protocol/port'] },
    { desc: 'no-longer-in-pool', input: { type: 'no-longer-in-pool', ips: [ip], pool: 'p' }, want: ['192.0.2.9', '"p"'] },
    { desc: 'requested-ips-changed', input: { type: 'requested-ips-changed', ips: [ip] }, want: ['192.0.2.9'] },
    { desc: 'requested-pool-changed', input: { type: 'requested-pool-changed', pool: 'b', from: 'a' }, want: ['"b"', '"a"'] },
    { desc: 'ip-family-changed', input: { type: 'ip-family-changed', families: [6] }, want: ['IPv6'] },
  ];
  for (const c of cases) {
    it(c.desc, () => {
      const m = reasonMessage(c.input);
      for (const w of c.want) ok(m.includes(w), `${JSON.stringify(m)} should mention ${w}`);
    });
  }
});
