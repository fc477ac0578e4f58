// The routers' BFD CLI output, parsed (captured from FRR 8.4 bfdd and BIRD 2.0.12 in the
// interop namespaces), and the configs the lab writes.
import assert from 'node:assert/strict';
import { birdBfdConfig, frrBfddConfig, parseBirdBfdSessions, parseFrrBfdPeers } from '../../src/routers/index.js';

const BIRD = `BIRD 2.0.12 ready.
bfd1:
IP address                Interface  State      Since         Interval  Timeout
198.51.100.1              ---        Up         17:59:03.098    0.300    0.900
192.0.2.1                 eth0       Down       17:59:02.970    1.000    0.000
2001:db8::1               eth0       Init       17:59:02.970    1.000    3.000
`;

const FRR = JSON.stringify([
  { multihop: false, peer: '192.0.2.11', local: '192.0.2.1', vrf: 'default', interface: 'eth0', id: 1, 'remote-id': 2, status: 'up' },
  { multihop: true, peer: '192.0.2.11', local: '198.51.100.1', vrf: 'default', id: 3, 'remote-id': 0, status: 'down' },
  { multihop: false, peer: '2001:db8::11', status: 'shutdown' },
]);

describe('lab routers: BFD', () => {
  it('parses birdc show bfd sessions', () => {
    assert.deepEqual(parseBirdBfdSessions(BIRD), [
      { peer: '198.51.100.1', multihop: true, state: 'up', raw: 'Up' },
      { peer: '192.0.2.1', multihop: false, state: 'down', raw: 'Down' },
      { peer: '2001:db8::1', multihop: false, state: 'init', raw: 'Init' },
    ]);
  });

  it('parses show bfd peers json', () => {
    assert.deepEqual(parseFrrBfdPeers(FRR), [
      { peer: '192.0.2.11', multihop: false, state: 'up', raw: 'up' },
      { peer: '192.0.2.11', multihop: true, state: 'down', raw: 'down' },
      { peer: '2001:db8::11', multihop: false, state: 'admin-down', raw: 'shutdown' },
    ]);
    assert.throws(() => parseFrrBfdPeers('{}'), /not an array/);
  });

  it('writes bfdd and BIRD configs with the timers and every peer', () => {
    const spec = { ns: 'x', routerId: '192.0.2.1', asn: 64500, peers: [], bfd: { intervalMs: 300, multiplier: 3, peers: [{ address: '192.0.2.11', localAddress: '192.0.2.1', interface: 'eth0' }, { address: '192.0.2.12', multihop: true, minimumTtl: 250 }] } };
    const frr = frrBfddConfig(spec);
    assert.match(frr, / peer 192\.0\.2\.11 local-address 192\.0\.2\.1 interface eth0\n  receive-interval 300\n  transmit-interval 300\n  detect-multiplier 3\n exit/);
    assert.match(frr, / peer 192\.0\.2\.12 multihop\n[^]*minimum-ttl 250/);
    const bird = birdBfdConfig(spec).join('\n');
    assert.match(bird, /neighbor 192\.0\.2\.11 dev "eth0" local 192\.0\.2\.1;/);
    assert.match(bird, /neighbor 192\.0\.2\.12 multihop;/);
    assert.match(bird, /min rx interval 300 ms; min tx interval 300 ms;.*multiplier 3;/);
  });
});
