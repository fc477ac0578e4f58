// End to end, as root, in network namespaces: three nodes run the standalone L2 responder of
// @herald/speaker for 20 Services (IPv4 and IPv6, one IPv4 address shared by two Services), and a
// client on the same bridge resolves every address with the real arping and ndisc6, while
// tcpdump on the client checks that only the elected owner ever answers. Then the owner of some
// IPs is killed and a survivor takes over: its gratuitous ARP / unsolicited NA must rewrite the
// client's existing neighbour entries.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { nsRun, nsSpawn, run, stopProcess, Topology, uniquePrefix } from '@herald/lab';
import { skipUnless } from '@herald/testkit';
import { Responder, type OwnedLine } from './responders.js';

const nodes = ['node1', 'node2', 'node3'];
// 20 Services: Service i has 203.0.113.i and 2001:db8::1:i; Services 19 and 20 share 203.0.113.19.
const services = Array.from({ length: 20 }, (_, i) => ({ name: `svc${i + 1}`, v4: `203.0.113.${Math.min(i + 1, 19)}`, v6: `2001:db8::1:${(i + 1).toString(16)}` }));
const v4s = [...new Set(services.map((s) => s.v4))];
const v6s = services.map((s) => s.v6);
const allIps = [...v4s, ...v6s];

/** Waits until a child prints `marker` on stderr (tcpdump's "listening on"), bounded. */
function waitStderr(child: ChildProcess, marker: string, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const t = setTimeout(() => reject(new Error(`no "${marker}" within ${timeoutMs} ms: ${buf}`)), timeoutMs);
    child.stderr!.on('data', (d: Buffer) => {
      buf += d.toString();
      if (buf.includes(marker)) {
        clearTimeout(t);
        resolve();
      }
    });
  });
}

async function neighMac(ns: string, ip: string): Promise<string | undefined> {
  const out = await nsRun(ns, ['ip', '-j', 'neigh', 'show', ip, 'dev', 'eth0']);
  return (JSON.parse(out) as { lladdr?: string }[])[0]?.lladdr;
}

describe('L2 responder end to end (3 nodes, 20 Services, arping/ndisc6/tcpdump)', function () {
  let topo: Topology | undefined;
  const responders = new Map<string, Responder>();
  const owners = new Map<string, string>(); // ip -> node
  const macs = new Map<string, string>(); // node -> MAC
  let capture = '';
  const arpAnswers = new Map<string, string | undefined>();
  const ndpAnswers = new Map<string, string | undefined>();

  before(async function () {
    skipUnless(this, { root: true, tools: ['ip', 'arping', 'ndisc6', 'tcpdump', 'ping'] });
    this.timeout(60_000);
    topo = await Topology.create(uniquePrefix('l2'), [
      { name: 'client', addresses: ['203.0.113.250/24', '2001:db8::250/64'], macByte: 0x64 },
      { name: 'node1', addresses: ['192.0.2.11/24'], macByte: 0x0b, quietArp: true },
      { name: 'node2', addresses: ['192.0.2.12/24'], macByte: 0x0c, quietArp: true },
      { name: 'node3', addresses: ['192.0.2.13/24'], macByte: 0x0d, quietArp: true },
    ]);
    const tcpdump = nsSpawn(topo.ns('client'), ['tcpdump', '-i', 'eth0', '-nn', '-e', '-l', 'arp or icmp6']);
    let out = '';
    tcpdump.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await waitStderr(tcpdump, 'listening on');
      for (const n of nodes) responders.set(n, new Responder(n, topo.ns(n), nodes, allIps));
      const lines: OwnedLine[] = await Promise.all(nodes.map((n) => responders.get(n)!.next()));
      for (const l of lines) {
        macs.set(l.node, l.mac);
        for (const ip of l.owned) {
          assert.equal(owners.get(ip), undefined, `${ip} claimed by ${owners.get(ip)} and ${l.node}`);
          owners.set(ip, l.node);
        }
      }
      // The questions of phase 1, asked while tcpdump watches.
      for (const ip of v4s) {
        const res = await nsRun(topo.ns('client'), ['arping', '-c', '1', '-w', '2', '-I', 'eth0', ip]);
        arpAnswers.set(ip, /\[([0-9a-fA-F:]{17})\]/.exec(res)?.[1]?.toLowerCase());
      }
      for (const ip of v6s) {
        const res = await nsRun(topo.ns('client'), ['ndisc6', '-r', '1', '-w', '500', ip, 'eth0']).catch((e: Error) => e.message);
        ndpAnswers.set(ip, /Target link-layer address: ([0-9A-Fa-f:]{17})/.exec(res)?.[1]?.toLowerCase());
      }
      await sleep(200); // the last replies reach tcpdump's output
    } finally {
      await stopProcess(tcpdump, 'SIGTERM');
      capture = out;
    }
  });
  after(async function () {
    this.timeout(30_000);
    for (const r of responders.values()) await r.stop();
    const prefix = topo?.prefix;
    await topo?.destroy();
    if (prefix) assert.ok(!(await run(['ip', 'netns', 'list'])).includes(prefix), 'namespaces left behind');
  });

  it('the three responders agree: every IP has exactly one owner, and each node owns some', () => {
    assert.deepEqual([...owners.keys()].sort(), [...allIps].sort());
    assert.deepEqual(new Set(owners.values()), new Set(nodes));
  });

  it('each node joined the solicited-node multicast group of every IPv6 address it owns', async () => {
    for (const n of nodes) {
      const maddr = await nsRun(topo!.ns(n), ['ip', 'maddr', 'show', 'dev', 'eth0']);
      for (const ip of v6s.filter((x) => owners.get(x) === n)) {
        const low = ip.split(':').pop()!.padStart(4, '0');
        const group = `33:33:ff:01:${low.slice(0, 2)}:${low.slice(2)}`; // 2001:db8::1:XXXX -> ff02::1:ff01:XXXX
        assert.ok(maddr.includes(group), `${n} has not joined ${group} for ${ip}:\n${maddr}`);
      }
    }
  });

  it('arping from the client resolves every IPv4 Service IP to its owner\'s MAC', () => {
    for (const ip of v4s) assert.equal(arpAnswers.get(ip), macs.get(owners.get(ip)!), ip);
  });

  it('ndisc6 from the client resolves every IPv6 Service IP to its owner\'s MAC', () => {
    for (const ip of v6s) assert.equal(ndpAnswers.get(ip), macs.get(owners.get(ip)!), ip);
  });

  it('the capture shows only owners answering, the shared IP included', () => {
    const replies = capture.split('\n').flatMap((line) => {
      const arp = /^\S+ ([0-9a-f:]{17}) > \S+, ethertype ARP.*Reply (\S+) is-at ([0-9a-f:]{17})/.exec(line);
      if (arp) return [{ ip: arp[2]!, src: arp[1]!, what: 'arp' }];
      const na = /^\S+ ([0-9a-f:]{17}) > \S+, ethertype IPv6.*neighbor advertisement, tgt is (\S+?),/.exec(line);
      if (na) return [{ ip: na[2]!, src: na[1]!, what: 'na' }];
      return [];
    });
    const answered = new Set(replies.map((r) => r.ip));
    for (const ip of allIps) assert.ok(answered.has(ip), `no answer to ${ip} in the capture`);
    for (const r of replies) {
      if (r.ip.startsWith('fe80:') || r.ip === '2001:db8::250') continue; // the client's own addresses
      assert.equal(r.src, macs.get(owners.get(r.ip)!), `${r.what} for ${r.ip} from ${r.src}`);
    }
    const shared = replies.filter((r) => r.ip === '203.0.113.19' && r.what === 'arp');
    assert.ok(shared.length >= 1 && new Set(shared.map((r) => r.src)).size === 1, 'shared IP answered by one node only');
  });

  it('takeover: a survivor\'s gratuitous ARP / unsolicited NA rewrites the client\'s neighbour entries', async function () {
    this.timeout(60_000);
    const victim = 'node2';
    const v4 = v4s.find((ip) => owners.get(ip) === victim);
    const v6 = v6s.find((ip) => owners.get(ip) === victim);
    assert.ok(v4 && v6, `${victim} owns no IPv4 or no IPv6 address`);
    const client = topo!.ns('client');
    // Make the client resolve both first: a gratuitous frame only updates an existing entry.
    await nsRun(client, ['ping', '-c', '1', '-W', '1', v4]).catch(() => undefined);
    await nsRun(client, ['ping', '-6', '-c', '1', '-W', '1', v6]).catch(() => undefined);
    assert.equal(await neighMac(client, v4), macs.get(victim));
    assert.equal(await neighMac(client, v6), macs.get(victim));
    await sleep(1100); // past the kernel's neighbour locktime (1 s), which ignores overrides sooner
    await responders.get(victim)!.stop('SIGKILL');
    responders.delete(victim);
    const survivors = nodes.filter((n) => n !== victim);
    const lines = await Promise.all(survivors.map((n) => responders.get(n)!.setNodes(survivors)));
    const newOwner = (ip: string): string => lines.find((l) => l.owned.includes(ip))!.node;
    for (const ip of owners.keys()) {
      const claimed = lines.filter((l) => l.owned.includes(ip)).map((l) => l.node);
      assert.equal(claimed.length, 1, `${ip} claimed by ${claimed.join(',')}`);
      if (owners.get(ip) !== victim) assert.equal(claimed[0], owners.get(ip), `${ip} moved though its owner lives`);
    }
    for (const ip of [v4, v6]) {
      const want = macs.get(newOwner(ip));
      let got: string | undefined;
      for (let i = 0; i < 50 && got !== want; i++) {
        got = await neighMac(client, ip);
        if (got !== want) await sleep(100);
      }
      assert.equal(got, want, `client's entry for ${ip} still points at ${got}`);
    }
  });

  it('a responder keeps answering after its link goes down and comes back', async function () {
    this.timeout(30_000);
    const survivor = [...responders.keys()][0]!;
    const line = await responders.get(survivor)!.setNodes([...responders.keys()]);
    const ip = line.owned.find((x) => !x.includes(':'));
    assert.ok(ip, `${survivor} owns no IPv4 address`);
    await topo!.setLink(survivor, false);
    await topo!.setLink(survivor, true);
    let res = '';
    for (let i = 0; i < 10 && !res.includes(macs.get(survivor)!); i++) {
      res = await nsRun(topo!.ns('client'), ['arping', '-c', '1', '-w', '1', '-I', 'eth0', ip]).catch((e: Error) => e.message);
    }
    assert.ok(res.toLowerCase().includes(`[${macs.get(survivor)!}]`), `${res}\n${responders.get(survivor)!.stderr.join('')}`);
  });
});
