import { strict as assert } from 'node:assert';
import type { V1Lease, V1Node } from '@kubernetes/client-node';
import { membersFromK8s, nodeAddresses, speakerLeaseName } from '../../src/membership/member-facts.js';
import { parseKey, KeyFileError } from '../../src/membership/key-file.js';

const lease = (name: string, rv: string | undefined, dur: number | undefined): V1Lease => ({
  metadata: { name, namespace: 'herald-system', resourceVersion: rv },
  spec: { holderIdentity: name, leaseDurationSeconds: dur },
});
const node = (name: string, ready: string | undefined, addrs: { type: string; address: string }[] = []): V1Node => ({
  metadata: { name },
  status: { conditions: ready === undefined ? [] : [{ type: 'Ready', status: ready }], addresses: addrs },
});

describe('membership/member-facts', () => {
  const cases: { desc: string; input: { leases: V1Lease[]; nodes: V1Node[] }; want: Record<string, unknown> }[] = [
    {
      desc: 'a speaker Lease and a Ready node',
      input: { leases: [lease('herald-speaker-node1', '42', 10)], nodes: [node('node1', 'True')] },
      want: { node1: { lease: { renewKey: '42', durationMs: 10_000 }, nodeReady: true } },
    },
    {
      desc: 'NotReady and Unknown conditions are not ready; a missing Node is not ready',
      input: {
        leases: [lease('herald-speaker-a', '1', 10), lease('herald-speaker-b', '2', 10), lease('herald-speaker-c', '3', 10)],
        nodes: [node('a', 'False'), node('b', 'Unknown')],
      },
      want: {
        a: { lease: { renewKey: '1', durationMs: 10_000 }, nodeReady: false },
        b: { lease: { renewKey: '2', durationMs: 10_000 }, nodeReady: false },
        c: { lease: { renewKey: '3', durationMs: 10_000 }, nodeReady: false },
      },
    },
    {
      desc: 'other Leases are ignored; a Lease without duration or version carries no lease',
      input: { leases: [lease('herald-controller', '9', 15), lease('herald-speaker-x', undefined, 10), lease('herald-speaker-', '5', 10)], nodes: [] },
      want: { x: { lease: undefined, nodeReady: false } },
    },
  ];
  for (const c of cases) {
    it(c.desc, () => {
      const got = membersFromK8s(c.input.leases, c.input.nodes);
      assert.deepEqual(Object.fromEntries(got.facts), c.want);
    });
  }

  it('addresses: InternalIP before ExternalIP, IPv4 before IPv6, hostnames dropped', () => {
    const n = node('n', 'True', [
      { type: 'Hostname', address: 'n' },
      { type: 'ExternalIP', address: '203.0.113.5' },
      { type: 'InternalIP', address: '2001:db8::5' },
      { type: 'InternalIP', address: '192.0.2.5' },
    ]);
    assert.deepEqual(nodeAddresses(n), ['192.0.2.5', '2001:db8::5', '203.0.113.5']);
  });

  it('lease name', () => assert.equal(speakerLeaseName('node1'), 'herald-speaker-node1'));
});

describe('membership/key-file', () => {
  const cases: { desc: string; input: string; want?: string; wantError?: boolean }[] = [
    { desc: 'raw key', input: 'abcdefghijklmnopqrstuvwxyz012345', want: 'abcdefghijklmnopqrstuvwxyz012345' },
    { desc: 'one trailing newline is dropped', input: 'abcdefghijklmnop\n', want: 'abcdefghijklmnop' },
    { desc: 'CRLF is dropped', input: 'abcdefghijklmnop\r\n', want: 'abcdefghijklmnop' },
    { desc: 'too short', input: 'short\n', wantError: true },
    { desc: 'empty', input: '', wantError: true },
  ];
  for (const c of cases) {
    it(c.desc, () => {
      if (c.wantError) assert.throws(() => parseKey(Buffer.from(c.input), 'k'), KeyFileError);
      else assert.equal(parseKey(Buffer.from(c.input), 'k').toString(), c.want);
    });
  }
});
