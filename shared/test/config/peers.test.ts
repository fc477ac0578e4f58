import assert from 'node:assert/strict';
import { configOf, errorsOf, obj, type ErrorCase } from './helpers.js';

const peer = (name: string, extra: Record<string, unknown> = {}): unknown =>
  obj(name, { myASN: 64500, peerASN: 64501, peerAddress: '192.0.2.254', ...extra });
const secret = (name: string, type: string, data: Record<string, string>): unknown => ({
  metadata: { name, namespace: 'herald-system' },
  type,
  data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
});
const E = (name: string, rest: string): string => `BGPPeer herald-system/${name} ${rest}`;

describe('parseConfig: BGPPeer', () => {
  const cases: ErrorCase[] = [
    { desc: 'minimal eBGP peer', input: { bgpPeers: [peer('r')] }, wantError: [] },
    { desc: 'IPv6 peer with source', input: { bgpPeers: [peer('r', { peerAddress: '2001:db8::1', sourceAddress: '2001:db8::2' })] }, wantError: [] },
    { desc: '4-byte ASNs at the edge', input: { bgpPeers: [peer('r', { myASN: 4294967295, peerASN: 1 })] }, wantError: [] },
    { desc: 'ASN 0', input: { bgpPeers: [peer('r', { myASN: 0 })] }, wantError: [E('r', 'spec.myASN: must be between 1 and 4294967295, not 0')] },
    { desc: 'ASN too big', input: { bgpPeers: [peer('r', { peerASN: 4294967296 })] }, wantError: [E('r', 'spec.peerASN: must be between 1 and 4294967295, not 4294967296')] },
    { desc: 'ASN as a string', input: { bgpPeers: [peer('r', { peerASN: '64501' })] }, wantError: [E('r', 'spec.peerASN: must be an integer, not "64501"')] },
    { desc: 'missing ASN', input: { bgpPeers: [obj('r', { peerASN: 1, peerAddress: '192.0.2.1' })] }, wantError: [E('r', 'spec.myASN: required')] },
    { desc: 'bad peer address', input: { bgpPeers: [peer('r', { peerAddress: '192.0.2.256' })] }, wantError: [E('r', 'spec.peerAddress: invalid IP address "192.0.2.256"')] },
    { desc: 'missing peer address', input: { bgpPeers: [obj('r', { myASN: 1, peerASN: 2 })] }, wantError: [E('r', 'spec.peerAddress: required')] },
    { desc: 'source family differs', input: { bgpPeers: [peer('r', { sourceAddress: '2001:db8::2' })] }, wantError: [E('r', 'spec.sourceAddress: 2001:db8::2 is not of the family of peerAddress 192.0.2.254')] },
    { desc: 'IPv6 router ID', input: { bgpPeers: [peer('r', { routerID: '2001:db8::1' })] }, wantError: [E('r', 'spec.routerID: must be an IPv4 address (a BGP identifier), not 2001:db8::1')] },
    { desc: 'port 0', input: { bgpPeers: [peer('r', { peerPort: 0 })] }, wantError: [E('r', 'spec.peerPort: must be between 1 and 65535, not 0')] },
    // Timers.
    { desc: 'hold 0 (no keepalives)', input: { bgpPeers: [peer('r', { holdTime: '0s' })] }, wantError: [] },
    { desc: 'hold 3s', input: { bgpPeers: [peer('r', { holdTime: '3s' })] }, wantError: [] },
    { desc: 'hold 1m30s, keepalive 30s', input: { bgpPeers: [peer('r', { holdTime: '1m30s', keepaliveTime: '30s' })] }, wantError: [] },
    { desc: 'hold 2s', input: { bgpPeers: [peer('r', { holdTime: '2s' })] }, wantError: [E('r', 'spec.holdTime: invalid hold time "2s": must be 0 or >= 3s')] },
    { desc: 'hold 500ms', input: { bgpPeers: [peer('r', { holdTime: '500ms' })] }, wantError: [E('r', 'spec.holdTime: invalid hold time "500ms": must be 0 or >= 3s')] },
    { desc: 'keepalive above hold', input: { bgpPeers: [peer('r', { holdTime: '9s', keepaliveTime: '10s' })] }, wantError: [E('r', 'spec.keepaliveTime: keepalive time 10s must not exceed the hold time 9s')] },
    { desc: 'keepalive with hold 0', input: { bgpPeers: [peer('r', { holdTime: '0s', keepaliveTime: '1s' })] }, wantError: [E('r', 'spec.keepaliveTime: keepalive time 1s must not exceed the hold time 0s')] },
    { desc: 'bad duration', input: { bgpPeers: [peer('r', { holdTime: '90' })] }, wantError: [E('r', 'spec.holdTime: invalid duration "90": want e.g. "90s", "1m30s" or "500ms"')] },
    { desc: 'connect time 0', input: { bgpPeers: [peer('r', { connectTime: '0s' })] }, wantError: [E('r', 'spec.connectTime: must be between 1s and 65535s, not "0s"')] },
    // Passive sessions are not supported (README): a clear error naming the field.
    { desc: 'passive: false is the only mode', input: { bgpPeers: [peer('r', { passive: false })] }, wantError: [] },
    {
      desc: 'passive: true is not supported',
      input: { bgpPeers: [peer('r', { passive: true })] },
      wantError: [E('r', "spec.passive: passive sessions are not supported: Herald's speaker always connects to the peer (configure the router to accept, e.g. BIRD 'passive on', FRR 'neighbor X passive')")],
    },
    { desc: 'passive not a boolean', input: { bgpPeers: [peer('r', { passive: 'yes' })] }, wantError: [E('r', 'spec.passive: must be true or false, not "yes"')] },
    // iBGP and multihop.
    { desc: 'eBGP multihop on eBGP', input: { bgpPeers: [peer('r', { ebgpMultiHop: true })] }, wantError: [] },
    { desc: 'eBGP multihop on iBGP', input: { bgpPeers: [peer('r', { peerASN: 64500, ebgpMultiHop: true })] }, wantError: [E('r', 'spec.ebgpMultiHop: must not be set on an iBGP peer (myASN equals peerASN)')] },
    // References.
    { desc: 'BFD profile exists', input: { bgpPeers: [peer('r', { bfdProfile: 'fast' })], bfdProfiles: [obj('fast', {})] }, wantError: [] },
    { desc: 'BFD profile missing', input: { bgpPeers: [peer('r', { bfdProfile: 'fast' })] }, wantError: [E('r', 'spec.bfdProfile: BFDProfile "fast" does not exist')] },
    // Passwords.
    { desc: 'inline password', input: { bgpPeers: [peer('r', { password: 's3cret' })] }, wantError: [] },
    { desc: 'password from Secret', input: { bgpPeers: [peer('r', { passwordSecret: { name: 'pw' } })], secrets: [secret('pw', 'kubernetes.io/basic-auth', { password: 'x' })] }, wantError: [] },
    { desc: 'Secret missing', input: { bgpPeers: [peer('r', { passwordSecret: { name: 'pw' } })], secrets: [] }, wantError: [E('r', 'spec.passwordSecret: Secret herald-system/pw does not exist')] },
    { desc: 'Secrets not read (the controller): passwords are not checked', input: { bgpPeers: [peer('r', { passwordSecret: { name: 'pw' } })] }, wantError: [] },
    {
      desc: 'Secret of the wrong type',
      input: { bgpPeers: [peer('r', { passwordSecret: { name: 'pw' } })], secrets: [secret('pw', 'Opaque', { password: 'x' })] },
      wantError: [E('r', 'spec.passwordSecret: Secret herald-system/pw must be of type kubernetes.io/basic-auth, not "Opaque"')],
    },
    {
      desc: 'Secret without a password key',
      input: { bgpPeers: [peer('r', { passwordSecret: { name: 'pw' } })], secrets: [secret('pw', 'kubernetes.io/basic-auth', { username: 'x' })] },
      wantError: [E('r', 'spec.passwordSecret: Secret herald-system/pw has no "password" key')],
    },
    {
      desc: 'Secret in another namespace',
      input: { bgpPeers: [peer('r', { passwordSecret: { name: 'pw', namespace: 'default' } })] },
      wantError: [E('r', "spec.passwordSecret.namespace: Secret default/pw is outside Herald's namespace herald-system")],
    },
    {
      desc: 'password and passwordSecret',
      input: { bgpPeers: [peer('r', { password: 'a', passwordSecret: { name: 'pw' } })] },
      wantError: [E('r', 'spec.passwordSecret: password and passwordSecret are mutually exclusive')],
    },
    { desc: 'password with a newline', input: { bgpPeers: [peer('r', { password: 'a\nb' })] }, wantError: [E('r', 'spec.password: the password must not contain line breaks')] },
    { desc: 'password over 80 bytes', input: { bgpPeers: [peer('r', { password: 'x'.repeat(81) })] }, wantError: [E('r', 'spec.password: the password is longer than 80 bytes (the TCP MD5 key limit)')] },
    // Duplicates.
    { desc: 'same address, different ports', input: { bgpPeers: [peer('a'), peer('b', { peerPort: 1179 })] }, wantError: [] },
    {
      desc: 'same address on disjoint node selectors',
      input: { bgpPeers: [peer('a', { nodeSelectors: [{ matchLabels: { rack: '1' } }] }), peer('b', { nodeSelectors: [{ matchLabels: { rack: '2' } }] })] },
      wantError: [],
    },
    { desc: 'duplicate session', input: { bgpPeers: [peer('b'), peer('a', { holdTime: '30s' })] }, wantError: [E('b', 'spec.peerAddress: duplicate of BGPPeer "a": same peerAddress, peerPort, sourceAddress and vrf on the same nodes')] },
    {
      desc: 'duplicate: one peer selects every node',
      input: { bgpPeers: [peer('a', { nodeSelectors: [{ matchLabels: { rack: '1' } }] }), peer('b')] },
      wantError: [E('b', 'spec.peerAddress: duplicate of BGPPeer "a": same peerAddress, peerPort, sourceAddress and vrf on the same nodes')],
    },
    {
      desc: 'duplicate node selectors in one peer',
      input: { bgpPeers: [peer('a', { nodeSelectors: [{ matchLabels: { rack: '1' } }, { matchLabels: { rack: '1' } }] })] },
      wantError: [E('a', 'spec.nodeSelectors[1]: duplicate selector "rack=1" (also spec.nodeSelectors[0])')],
    },
    {
      desc: 'bad node selector',
      input: { bgpPeers: [peer('a', { nodeSelectors: [{ matchExpressions: [{ key: 'rack', operator: 'Near', values: ['1'] }] }] })] },
      wantError: [E('a', 'spec.nodeSelectors[0].matchExpressions[0].operator: must be In, NotIn, Exists or DoesNotExist, not "Near"')],
    },
  ];
  for (const c of cases) it(c.desc, () => assert.deepEqual(errorsOf(c.input), c.wantError));

  it('builds the model with MetalLB defaults', () => {
    const cfg = configOf({ bgpPeers: [peer('r', { passwordSecret: { name: 'pw' } })], secrets: [secret('pw', 'kubernetes.io/basic-auth', { password: 'hunter2' })] });
    const p = cfg.peers.get('r')!;
    assert.equal(p.peerAddress.toString(), '192.0.2.254');
    assert.deepEqual([p.peerPort, p.holdTime, p.keepaliveTime, p.connectTime], [179, 90, 30, 120]);
    assert.equal(p.password, 'hunter2');
    assert.equal(p.isIBGP, false);
    assert.equal(p.ebgpMultiHop, false);
  });
  const timerCases: { desc: string; input: Record<string, string>; want: [number, number] }[] = [
    { desc: 'keepalive only: hold is 3x', input: { keepaliveTime: '10s' }, want: [30, 10] },
    { desc: 'hold only: keepalive is hold/3', input: { holdTime: '9s' }, want: [9, 3] },
    { desc: 'hold 0: keepalive 0', input: { holdTime: '0s' }, want: [0, 0] },
  ];
  for (const c of timerCases) {
    it(`timers: ${c.desc}`, () => {
      const p = configOf({ bgpPeers: [peer('r', c.input)] }).peers.get('r')!;
      assert.deepEqual([p.holdTime, p.keepaliveTime], c.want);
    });
  }
});
