// The TCP shell against an in-process peer on loopback (no root needed): the socket is created
// through libc (koffi) with the source address bound, the session establishes, sends its table,
// and re-connects after the peer closes. The real-router proofs live in test/test/bgp.
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { IP, Prefix, createLogger, type BGPPeer } from '@herald/shared';
import { BgpSession } from '../../src/bgp/session.js';
import { BgpFramer, decodeMessage, encodeMessage, type BgpMessage } from '../../src/wire/bgp/index.js';

interface Conn {
  sock: Socket;
  msgs: BgpMessage[];
}

function fakePeer(): Promise<{ server: Server; port: number; conns: Conn[]; changed: (fn: () => boolean) => Promise<void> }> {
  const conns: Conn[] = [];
  let waiters: (() => void)[] = [];
  const poke = () => {
    const w = waiters;
    waiters = [];
    for (const f of w) f();
  };
  const server = createServer((sock) => {
    const c: Conn = { sock, msgs: [] };
    conns.push(c);
    const framer = new BgpFramer();
    sock.on('data', (chunk: Buffer) => {
      for (const f of framer.push(chunk)) {
        const m = decodeMessage(f);
        c.msgs.push(m);
        if (m.type === 'open') {
          sock.write(encodeMessage({ type: 'open', version: 4, myAS: 64500, holdTime: 9, routerId: IP.parse('192.0.2.1'), capabilities: [{ type: 'multiprotocol', afi: 1, safi: 1 }, { type: 'four-octet-as', asn: 64500 }] }));
          sock.write(encodeMessage({ type: 'keepalive' }));
        }
      }
      poke();
    });
    sock.on('error', () => undefined);
    poke();
  });
  const changed = (fn: () => boolean) =>
    new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('fake peer: timed out')), 10_000);
      const check = () => (fn() ? (clearTimeout(t), resolve()) : waiters.push(check));
      check();
    });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port, conns, changed })));
}

describe('bgp session shell (loopback peer)', function () {
  this.timeout(20_000);

  it('binds the source address, establishes, advertises, and reconnects after the peer closes', async () => {
    const peer = await fakePeer();
    const cfg: BGPPeer = {
      name: 'lo',
      myASN: 4200000001,
      peerASN: 64500,
      peerAddress: IP.parse('127.0.0.1'),
      peerPort: peer.port,
      sourceAddress: IP.parse('127.0.0.2'),
      holdTime: 9,
      keepaliveTime: 3,
      connectTime: 1,
      routerID: undefined,
      nodeSelectors: [],
      password: undefined,
      bfdProfile: undefined,
      ebgpMultiHop: false,
      enableGracefulRestart: true,
      isIBGP: false,
    };
    const s = new BgpSession({ peer: cfg, log: createLogger({ component: 'test', level: 'error' }) });
    const states: string[] = [];
    s.on('state', (st) => states.push(st));
    s.setAdvertised(new Map([['203.0.113.9/32', { prefix: Prefix.parse('203.0.113.9/32') }]]));
    s.start();
    try {
      const hasUpdate = (c: Conn | undefined) => !!c?.msgs.some((m) => m.type === 'update' && m.nlri.length > 0);
      await peer.changed(() => hasUpdate(peer.conns[0]));
      const c = peer.conns[0]!;
      assert.equal(c.sock.remoteAddress, '127.0.0.2', 'source address bound');
      const open = c.msgs[0]!;
      assert.ok(open.type === 'open');
      assert.equal(open.myAS, 23456, 'AS_TRANS in the 2-byte field');
      assert.ok(open.capabilities.some((x) => x.type === 'four-octet-as' && x.asn === 4200000001));
      assert.ok(open.capabilities.some((x) => x.type === 'graceful-restart'));
      assert.equal(open.routerId.toString(), '127.0.0.2');
      const up = c.msgs.find((m) => m.type === 'update' && m.nlri.length > 0);
      assert.ok(up?.type === 'update');
      assert.equal(up.attributes.nextHop?.toString(), '127.0.0.2');
      assert.deepEqual(up.nlri.map(String), ['203.0.113.9/32']);
      assert.equal(s.status().state, 'established');
      assert.equal(s.status().prefixesSent, 1);

      c.sock.destroy();
      await peer.changed(() => hasUpdate(peer.conns[1]));
      assert.ok(states.includes('idle'), `states ${states.join(',')}`);
      assert.deepEqual(s.status().lastError, { type: 'tcp-closed', state: 'established' });
    } finally {
      s.stop();
      for (const c of peer.conns) c.sock.destroy();
      await new Promise((r) => peer.server.close(r));
    }
  });
});
