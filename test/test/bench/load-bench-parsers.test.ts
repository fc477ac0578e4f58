// The pure parts the load benches' figures rest on: /proc parsing for the CPU hog and memory,
// the L2 watcher's silence and double-answer analysis, BIRD's counts, the MRT writer that feeds
// the GoBGP reference, and the bounded creator of a burst.
import assert from 'node:assert/strict';
import { ApiException } from '@kubernetes/client-node';
import { IP } from '@herald/shared';
import { bgpWire } from '@herald/speaker';
import { parsePathCount, parseRouteCount } from '../../src/bench/bird-rib.js';
import { createAll } from '../../src/bench/burst.js';
import { busyFractions, cpuPressure, parsePidStatTicks, parseProcStat } from '../../src/bench/cpu-hog.js';
import { analyseIp, longestRoundGap, type Answer } from '../../src/bench/l2-watch.js';
import { kubectlThrottleMs } from '../../src/bench/load-burst-run.js';
import { mrtHostRib } from '../../src/bench/mrt-rib.js';
import { parseRss } from '../../src/bench/proc-status.js';

describe('bench: load-bench parsers', () => {
  describe('/proc/stat', () => {
    const a = 'cpu  300 0 30 700 0 0 0 0 0 0\ncpu0 100 0 10 390 0 0 0 0 0 0\ncpu1 200 0 20 310 0 0 0 0 0 0\nintr 1 2 3\n';
    const b = 'cpu  600 0 30 800 0 0 0 0 0 0\ncpu0 200 0 10 390 0 0 0 0 0 0\ncpu1 300 0 20 410 0 0 0 0 0 5\n';
    it('reads each core, not the total line', () => assert.deepEqual(parseProcStat(a), [{ cpu: 0, busy: 110, total: 500 }, { cpu: 1, busy: 220, total: 530 }]));
    it('gives each core its busy fraction (guest time is already in user)', () => assert.deepEqual(busyFractions(parseProcStat(a), parseProcStat(b)), [1, 0.5]));
    it('a core without ticks is NaN, never 100%', () => assert.ok(Number.isNaN(busyFractions(parseProcStat(a), parseProcStat(a))[0]!)));
    const cases: { desc: string; input: string; want: number }[] = [
      { desc: 'utime + stime', input: '1234 (node) R 1 1234 1234 0 -1 4194304 100 0 0 0 250 50 0 0 20 0 1 0', want: 300 },
      { desc: 'a command name with spaces and a parenthesis', input: '99 (a b) c) S 1 99 99 0 -1 0 0 0 0 0 7 3 0 0 20 0 1 0', want: 10 },
    ];
    for (const c of cases) it(`/proc/PID/stat: ${c.desc}`, () => assert.equal(parsePidStatTicks(c.input), c.want));
  });

  describe('/proc/pressure/cpu', () => {
    it('reads "some avg10" as a fraction', () => assert.equal(cpuPressure('some avg10=75.17 avg60=80.13 avg300=62.33 total=5986802954\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n'), 0.7517));
    it('is undefined for text without it', () => assert.equal(cpuPressure('full avg10=1.00\n'), undefined));
  });

  describe('/proc/PID/status', () => {
    it('reads VmRSS and RssAnon in MB', () => assert.deepEqual(parseRss('Name:\tnode\nVmRSS:\t  204800 kB\nRssAnon:\t  102400 kB\n'), { vmRssMb: 200, rssAnonMb: 100 }));
    it('names a missing field', () => assert.throws(() => parseRss('VmRSS:\t1 kB\n'), /RssAnon/));
  });

  describe('L2 watcher analysis', () => {
    const ip = '192.0.2.230';
    const rounds = [0, 20, 40, 60, 80, 100];
    const ans = (t: number, mac: string, who = ip): Answer => ({ t, ip: who, mac });
    const cases: { desc: string; answers: Answer[]; from: number; to: number; silence: number; silenceFrom: number; doubles: number }[] = [
      { desc: 'every round answered: the silence is one round', answers: [1, 21, 41, 61, 81, 101].map((t) => ans(t, 'm1')), from: 1, to: 101, silence: 20, silenceFrom: 1, doubles: 0 },
      { desc: 'a gap of three rounds', answers: [1, 21, 81, 101].map((t) => ans(t, 'm1')), from: 1, to: 101, silence: 60, silenceFrom: 21, doubles: 0 },
      { desc: 'silent at the end of the window counts', answers: [ans(1, 'm1')], from: 1, to: 101, silence: 100, silenceFrom: 1, doubles: 0 },
      { desc: 'never answered: the whole window', answers: [ans(50, 'm1', '192.0.2.231')], from: 0, to: 100, silence: 100, silenceFrom: 0, doubles: 0 },
      { desc: 'two MACs after one round is a double', answers: [ans(21, 'm1'), ans(22, 'm2'), ans(41, 'm1')], from: 0, to: 100, silence: 59, silenceFrom: 41, doubles: 1 },
      { desc: 'a MAC per round, changing, is no double', answers: [ans(21, 'm1'), ans(41, 'm2'), ans(61, 'm2')], from: 0, to: 61, silence: 21, silenceFrom: 0, doubles: 0 },
    ];
    for (const c of cases) {
      it(c.desc, () => {
        const r = analyseIp(ip, rounds, c.answers, c.from, c.to);
        assert.deepEqual([r.maxSilenceMs, r.silenceFrom, r.doubles.length], [c.silence, c.silenceFrom, c.doubles]);
      });
    }
    it("the watcher's own longest stall", () => assert.equal(longestRoundGap([0, 20, 40, 200, 220, 900], 0, 300), 160));
  });

  describe('BIRD output (captured from BIRD 2.0.12 in the lab, 2 nodes x 2 sessions)', () => {
    const count = 'BIRD 2.0.12 ready.\n5 of 5 routes for 2 networks in table master4\n';
    const route = [
      'BIRD 2.0.12 ready.',
      'Table master6:',
      '2001:db8:0:3:1::/128 unicast [node1_s2 08:44:22.874 from 192.0.2.11] * (100) [AS64512i]',
      '\tvia 2001:db8:0:1::11 on eth0',
      '                     unicast [node2 08:44:22.863 from 192.0.2.12] (100) [AS64512i]',
      '\tvia 2001:db8:0:1::12 on eth0',
      '                     unicast [node2_s2 08:44:22.863 from 192.0.2.12] (100) [AS64512i]',
      '\tvia 2001:db8:0:1::12 on eth0',
      '                     unicast [node1 08:44:22.874 from 192.0.2.11] (100) [AS64512i]',
      '\tvia 2001:db8:0:1::11 on eth0',
      '',
    ].join('\n');
    it('route count: every path, and the networks', () => assert.deepEqual(parseRouteCount(count), { routes: 5, networks: 2 }));
    it('route count: nothing readable is zero', () => assert.deepEqual(parseRouteCount('BIRD 2.0.12 ready.\n'), { routes: 0, networks: 0 }));
    it('one prefix: a path per session', () => assert.equal(parsePathCount(route), 4));
  });

  describe('MRT host RIB', () => {
    const hosts = [IP.parse('203.0.113.32'), IP.parse('2001:db8:0:3:1::7')];
    const buf = mrtHostRib({ peerId: IP.parse('192.0.2.11'), peerAddress: IP.parse('192.0.2.11'), peerAS: 64512, nextHop4: IP.parse('192.0.2.11'), nextHop6: IP.parse('2001:db8:0:1::11'), hosts, time: 1 });
    // An independent reader of the framing (RFC 6396 §2, §4.3): type, subtype, length, body.
    const records: { type: number; subtype: number; body: Buffer }[] = [];
    for (let o = 0; o < buf.length; ) {
      const len = buf.readUInt32BE(o + 8);
      records.push({ type: buf.readUInt16BE(o + 4), subtype: buf.readUInt16BE(o + 6), body: buf.subarray(o + 12, o + 12 + len) });
      o += 12 + len;
    }
    it('a peer index table, then one RIB record per host, framed end to end', () => assert.deepEqual(records.map((r) => [r.type, r.subtype]), [[13, 1], [13, 2], [13, 4]]));
    it('the peer: IPv4 address, 4-byte AS', () => assert.deepEqual([...records[0]!.body], [192, 0, 2, 11, 0, 0, 0, 1, 0x02, 192, 0, 2, 11, 192, 0, 2, 11, 0, 0, 0xfc, 0x00]));
    const cases = [
      { desc: 'IPv4: a /32 with NEXT_HOP', rec: 1, bytes: 4, prefix: '203.0.113.32', nextHop: '192.0.2.11' },
      { desc: 'IPv6: a /128 with MP_REACH_NLRI', rec: 2, bytes: 16, prefix: '2001:db8:0:3:1::7', nextHop: '2001:db8:0:1::11' },
    ];
    for (const c of cases) {
      it(c.desc, () => {
        const b = records[c.rec]!.body;
        assert.equal(b[4], c.bytes * 8);
        assert.equal(IP.fromBytes(b.subarray(5, 5 + c.bytes)).toString(), c.prefix);
        assert.equal(b.readUInt16BE(5 + c.bytes), 1, 'one entry');
        const dec = bgpWire.decodeAttributes(b.subarray(5 + c.bytes + 10, 5 + c.bytes + 10 + b.readUInt16BE(13 + c.bytes)), { fourOctetAs: true }, c.bytes === 4);
        assert.equal(dec.treatAsWithdraw, undefined);
        const attrs = dec.attributes;
        const nh = attrs.mpReach ? attrs.mpReach.nextHops[0] : attrs.nextHop;
        assert.equal(nh?.toString(), c.nextHop);
        assert.deepEqual(attrs.asPath, [{ type: 'sequence', asns: [64512] }]);
      });
    }
  });

  describe("kubectl's throttling (lines captured from kubectl 1.32 -v=4)", () => {
    const log = [
      'I1203 11:15:01.970495    4417 request.go:661] Waited for 196.319826ms due to client-side throttling, not priority and fairness, request: GET:http://127.0.0.1:45951/api/v1/namespaces/kd/services/s10',
      'I1203 11:15:02.171010    4417 request.go:661] Waited for 1.199350329s due to client-side throttling, not priority and fairness, request: GET:http://127.0.0.1:45951/api/v1/namespaces/kd/services/s11',
      'service "s12" deleted',
    ].join('\n');
    it('sums every wait, ms and s', () => assert.equal(Math.round(kubectlThrottleMs(log)), 1396));
    it('no waits: zero', () => assert.equal(kubectlThrottleMs('service "s1" deleted\n'), 0));
  });

  describe('createAll', () => {
    const far = Date.now() + 60_000;
    it('keeps at most `concurrency` in flight and creates each index once', async () => {
      let inFlight = 0;
      let peak = 0;
      const seen: number[] = [];
      const r = await createAll(50, async (i) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        seen.push(i);
        await Promise.resolve();
        inFlight--;
      }, { concurrency: 4, deadline: far });
      assert.equal(peak, 4);
      assert.deepEqual([...seen].sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i));
      assert.deepEqual([r.created, r.failed, r.retries, r.notAttempted], [50, 0, 0, 0]);
      assert.ok(r.at.every((t) => t !== undefined));
    });
    const err = (code: number): ApiException<string> => new ApiException(code, `HTTP ${code}`, 'body', {});
    const cases: { desc: string; fail: (attempt: number) => Error | undefined; want: { created: number; failed: number; retries: number } }[] = [
      { desc: 'a 429 twice, then success: retried', fail: (a) => (a < 2 ? err(429) : undefined), want: { created: 1, failed: 0, retries: 2 } },
      { desc: 'a 409 AlreadyExists counts as created', fail: () => err(409), want: { created: 1, failed: 0, retries: 0 } },
      { desc: 'a 422 is not retried', fail: () => err(422), want: { created: 0, failed: 1, retries: 0 } },
      { desc: 'a 503 forever: five retries, then failed', fail: () => err(503), want: { created: 0, failed: 1, retries: 5 } },
    ];
    for (const c of cases) {
      it(c.desc, async () => {
        let attempt = 0;
        const r = await createAll(1, () => {
          const e = c.fail(attempt++);
          return e ? Promise.reject(e) : Promise.resolve();
        }, { deadline: far, backoffMs: () => 0 });
        assert.deepEqual({ created: r.created, failed: r.failed, retries: r.retries }, c.want);
      });
    }
    it('starts nothing after the deadline, and says how many it left', async () => {
      const r = await createAll(10, () => Promise.resolve(), { deadline: Date.now() - 1 });
      assert.deepEqual([r.created, r.notAttempted], [0, 10]);
    });
  });
});
