// Real UDP sockets on the loopback (no root needed): datagrams arrive, IPv6 works, and the send
// rate is bounded.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { FakeClock, systemClock } from '@herald/shared';
import { UdpTransport } from '../../src/membership/udp-transport.js';

async function pair(family: 4 | 6): Promise<[UdpTransport, UdpTransport]> {
  const addr = family === 4 ? '127.0.0.1' : '::1';
  const a = await UdpTransport.open({ bindAddress: addr, port: 0, clock: systemClock });
  const b = await UdpTransport.open({ bindAddress: addr, port: 0, peerPort: a.port, clock: systemClock });
  return [a, b];
}

function receiveOne(t: UdpTransport): Promise<{ buf: Buffer; from: string }> {
  return new Promise((resolve) => t.onMessage((buf, from) => resolve({ buf, from: from.address })));
}

describe('membership/udp-transport (loopback)', () => {
  const cases = [
    { desc: 'IPv4', input: 4 as const, want: '127.0.0.1' },
    { desc: 'IPv6', input: 6 as const, want: '::1' },
  ];
  for (const c of cases) {
    it(`${c.desc}: a datagram arrives intact`, async function () {
      let a: UdpTransport;
      let b: UdpTransport;
      try {
        [a, b] = await pair(c.input);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EADDRNOTAVAIL') throw err;
        process.stderr.write(`\n!!! SKIPPED "${c.desc} loopback": address not available on this host\n\n`);
        this.skip();
      }
      try {
        const got = receiveOne(a);
        b.send(c.want, Buffer.from('hello'));
        const r = await got;
        assert.equal(r.buf.toString(), 'hello');
        assert.equal(r.from, c.want);
      } finally {
        await a.close();
        await b.close();
      }
    });
  }

  it('the dual-stack default socket reaches an IPv4 peer', async () => {
    const a = await UdpTransport.open({ bindAddress: '127.0.0.1', port: 0, clock: systemClock });
    const b = await UdpTransport.open({ port: 0, peerPort: a.port, clock: systemClock });
    try {
      const got = receiveOne(a);
      b.send('127.0.0.1', Buffer.from('v4'));
      assert.equal((await got).buf.toString(), 'v4');
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('the send rate is bounded (a burst beyond one second of tokens is dropped and counted)', async () => {
    const clock = new FakeClock(0);
    const t = await UdpTransport.open({ bindAddress: '127.0.0.1', port: 0, peerPort: 9, clock, maxSendsPerSecond: 10 });
    try {
      for (let i = 0; i < 25; i++) t.send('127.0.0.1', Buffer.from('x'));
      assert.equal(t.counters.rateDropped, 15);
      clock.advance(500);
      for (let i = 0; i < 10; i++) t.send('127.0.0.1', Buffer.from('x'));
      assert.equal(t.counters.rateDropped, 20);
    } finally {
      await t.close();
    }
  });

  it('asks for a receive buffer that holds what queues during a stall (1 MiB unless told; the kernel caps it at rmem_max)', async () => {
    const rmemMax = Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8').trim());
    const cases = [
      { desc: 'default', input: undefined, want: Math.min(1 << 20, rmemMax) },
      { desc: '256 KiB', input: 256 * 1024, want: Math.min(256 * 1024, rmemMax) },
    ];
    for (const c of cases) {
      const t = await UdpTransport.open({ bindAddress: '127.0.0.1', port: 0, clock: systemClock, ...(c.input ? { recvBufferBytes: c.input } : {}) });
      try {
        // Linux grants twice what was asked (bookkeeping), capped at twice rmem_max.
        assert.equal(t.recvBufferBytes, 2 * c.want, c.desc);
      } finally {
        await t.close();
      }
    }
  });

  it('refuses a bind address that is not an IP', async () => {
    await assert.rejects(UdpTransport.open({ bindAddress: 'node1', clock: systemClock }), /not an IP address/);
  });
});
