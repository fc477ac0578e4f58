// The readers of the routers' CLI that the drain and graceful-restart lab tests assert on, over
// output captured from BIRD 2.0.12 and FRR 8.4 in this lab (trimmed to the lines they read), so a
// reader that matches nothing fails here, not as a vacuous pass there.
import assert from 'node:assert/strict';
import { parseBirdLastShutdown, parseFrrLastShutdown } from '../../src/bgp/router-shutdown.js';
import { parseBirdGr, parseFrrGr } from '../../src/bgp/router-gr.js';

const BIRD_DRAINED = `BIRD 2.0.12 ready.
Name       Proto      Table      State  Since         Info
node2      BGP        ---        start  20:11:25.603  Active        Received: Administrative shutdown
  Message:        herald: node node2 shutting down
  BGP state:          Active
    Neighbor address: 192.0.2.12
    Last error:       Received: Administrative shutdown
`;

const BIRD_UP_GR = `node1      BGP        ---        up     20:31:58.459  Established
  BGP state:          Established
    Local capabilities
      Multiprotocol
        AF announced: ipv4
      Graceful restart
      4-octet AS numbers
    Neighbor capabilities
      Multiprotocol
        AF announced: ipv4 ipv6
      Route refresh
      Graceful restart
        Restart time: 120
        Restart recovery
        AF supported: ipv4 ipv6
        AF preserved: ipv4 ipv6
      4-octet AS numbers
    Session:          external AS4
`;

const BIRD_HELPING = `node1      BGP        ---        start  20:32:02.400  Active        Socket: Connection closed
  BGP state:          Active
    Neighbor graceful restart active
    Restart timer:    119.778/-
    Last error:       Socket: Connection closed
`;

const FRR_UP_GR = JSON.stringify({
  '192.0.2.11': {
    neighborCapabilities: { gracefulRestart: 'advertisedAndReceived', addressFamiliesByPeer: { ipv4Unicast: { preserved: true } } },
    gracefulRestartInfo: { endOfRibRecv: { ipv4Unicast: true }, localGrMode: 'Helper*', remoteGrMode: 'Restart', rBit: true, nBit: false, timers: { configuredRestartTimer: 120, receivedRestartTimer: 120 }, ipv4Unicast: { fBit: true } },
    messageStats: { updatesRecv: 2 },
  },
});
const FRR_HELPING = JSON.stringify({
  '192.0.2.11': { gracefulRestartInfo: { gracefulRestartTimerMsecs: 119000, localGrMode: 'Helper*', remoteGrMode: 'NotApplicable', rBit: false, timers: { receivedRestartTimer: 120 } } },
});
const FRR_DRAINED = JSON.stringify({
  '192.0.2.12': { messageStats: { updatesRecv: 3 }, lastNotificationReason: 'Cease/Administrative Shutdown', lastShutdownDescription: 'herald: node node2 shutting down' },
});

describe('router CLI readers (drain and graceful restart)', () => {
  it('BIRD: the Cease and its shutdown communication', () => {
    assert.deepEqual(parseBirdLastShutdown(BIRD_DRAINED), { reason: 'Administrative shutdown', message: 'herald: node node2 shutting down' });
  });
  it('FRR: the Cease, its shutdown communication and the UPDATE count', () => {
    assert.deepEqual(parseFrrLastShutdown(FRR_DRAINED), { reason: 'Cease/Administrative Shutdown', message: 'herald: node node2 shutting down', updatesReceived: 3 });
  });
  const gr: { desc: string; got: () => unknown; want: unknown }[] = [
    { desc: 'BIRD: our capability as received', got: () => parseBirdGr(BIRD_UP_GR), want: { receivedRestartTimeS: 120, rBit: true, preserved: ['ipv4', 'ipv6'], helping: false } },
    { desc: 'BIRD: helping our restart', got: () => parseBirdGr(BIRD_HELPING).helping, want: true },
    { desc: 'FRR: our capability as received', got: () => parseFrrGr(FRR_UP_GR), want: { receivedRestartTimeS: 120, rBit: true, preserved: ['ipv4'], helping: false, endOfRibReceived: ['ipv4'] } },
    { desc: 'FRR: helping our restart', got: () => parseFrrGr(FRR_HELPING).helping, want: true },
  ];
  for (const c of gr) it(c.desc, () => assert.deepEqual(c.got(), c.want));
});
