// The L2 watcher's probe process, run inside the router's namespace by l2-watch.ts:
//   node l2-watch-child.js --iface eth0 --ip4 192.0.2.1 --ip6 2001:db8:0:1::1
// It sends ARP requests (IPv4) and Neighbour Solicitations (IPv6) from the router's own
// addresses through an AF_PACKET socket (the speaker's PacketSocket and wire codecs, so no
// second implementation of either), and reports each answer with its time. Commands arrive as
// JSON lines on stdin, reports leave as JSON lines on stdout:
//   {"cmd":"watch","ips":[...],"intervalMs":20}  probe these every intervalMs (replaces the set)
//   {"cmd":"sweep","id":1,"ips":[...],"waitMs":500,"perSecond":5000}  probe each once, paced
//   {"cmd":"stop"}
//   out: {"ready":...} once; {"p":t} per watch round; {"a":t,"ip":..,"mac":..} per answer to a
//   watched IP; {"sweep":id,"answered":{ip:{"t":first,"macs":[...]}},"sendErrors":n} per sweep.
// Bounded: at most 20,000 IPs per sweep, a watch interval of at least 5 ms, and it exits when
// stdin closes (its parent died), so it can never outlive the bench.
import { createInterface } from 'node:readline';
import { IP } from '@herald/shared/net';
import { layer2 } from '@herald/speaker';
import type * as Arp from '../../../speaker/dist/src/wire/arp.js';
import type * as Eth from '../../../speaker/dist/src/wire/ethernet.js';
import type * as Ndp from '../../../speaker/dist/src/wire/ndp.js';

// The wire codecs are not on @herald/speaker's public surface: loaded next to its entry point.
const wire = (f: string): string => new URL(`./wire/${f}`, import.meta.resolve('@herald/speaker')).href;
const arp = (await import(wire('arp.js'))) as typeof Arp;
const eth = (await import(wire('ethernet.js'))) as typeof Eth;
const ndp = (await import(wire('ndp.js'))) as typeof Ndp;

/** `tcpdump -dd 'arp or (icmp6 and ip6[40] == 136)'`: ARP, and ICMPv6 Neighbor Advertisements. */
const ARP_AND_NA_FILTER = [
  [0x28, 0, 0, 0x0000000c],
  [0x15, 8, 0, 0x00000806],
  [0x15, 0, 8, 0x000086dd],
  [0x30, 0, 0, 0x00000014],
  [0x15, 3, 0, 0x0000003a],
  [0x15, 0, 5, 0x0000002c],
  [0x30, 0, 0, 0x00000036],
  [0x15, 0, 3, 0x0000003a],
  [0x30, 0, 0, 0x00000036],
  [0x15, 0, 1, 0x00000088],
  [0x6, 0, 0, 0x00040000],
  [0x6, 0, 0, 0x00000000],
].map(([code, jt, jf, k]) => ({ code: code!, jt: jt!, jf: jf!, k: k! }));

const MAX_SWEEP = 20_000;

function arg(name: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? process.argv[i + 1] : undefined;
  if (v === undefined) throw new Error(`l2-watch-child: --${name} is required`);
  return v;
}

const out = (o: unknown): void => void process.stdout.write(JSON.stringify(o) + '\n');

const iface = arg('iface');
const ip4 = IP.parse(arg('ip4'));
const ip6 = IP.parse(arg('ip6'));

interface Sweep {
  readonly id: number;
  readonly ips: Set<string>;
  /** IP -> when it first answered, and every MAC that did. */
  readonly answered: Map<string, { t: number; macs: Set<string> }>;
  sendErrors: number;
}
let watched = new Set<string>();
const sweeps = new Set<Sweep>();

function onAnswer(ip: string, mac: string): void {
  const t = Date.now();
  if (watched.has(ip)) out({ a: t, ip, mac });
  for (const s of sweeps) {
    if (!s.ips.has(ip)) continue;
    const got = s.answered.get(ip) ?? { t, macs: new Set<string>() };
    got.macs.add(mac);
    s.answered.set(ip, got);
  }
}

const sock = new layer2.PacketSocket(iface, {
  filter: ARP_AND_NA_FILTER,
  onFrame: (frame) => {
    try {
      const f = eth.decodeEthernet(frame);
      if (f.etherType === eth.EtherType.ARP) {
        const p = arp.decodeArp(f.payload);
        // A reply to the router (to us or to its kernel); a gratuitous ARP is not an answer.
        if (p.op === 'reply' && p.targetIp.equals(ip4) && !arp.isGratuitous(p)) onAnswer(p.senderIp.toString(), p.senderMac.toString());
      } else if (f.etherType === eth.EtherType.IPv6) {
        const ip = ndp.decodeIPv6(f.payload);
        const m = ndp.decodeIcmpv6(ip);
        // A solicited advertisement; an unsolicited one (a takeover's announcement) is not an answer.
        if (m.type === 'neighbor-advertisement' && m.solicited) {
          const lla = m.options.find((o) => o.type === 'target-lla');
          onAnswer(m.target.toString(), (lla?.type === 'target-lla' ? lla.mac : f.src).toString());
        }
      }
    } catch {
      // Not a frame the watcher asked about (or malformed): nothing to record.
    }
  },
  onError: (err) => {
    process.stderr.write(`l2-watch-child: ${err.message}\n`);
    process.exit(3);
  },
});

const probes = new Map<string, Buffer>();
function probeFrame(ipText: string): Buffer {
  const cached = probes.get(ipText);
  if (cached) return cached;
  const target = IP.parse(ipText);
  let frame: Buffer;
  if (target.family === 4) {
    const req = arp.encodeArp({ op: 'request', senderMac: sock.mac, senderIp: ip4, targetMac: layer2.MAC.zero, targetIp: target });
    frame = eth.encodeEthernet({ dst: layer2.MAC.broadcast, src: sock.mac, etherType: eth.EtherType.ARP, payload: req });
  } else {
    const group = ndp.solicitedNodeAddress(target);
    const ns: Ndp.NeighborSolicitation = { type: 'neighbor-solicitation', target, options: [{ type: 'source-lla', mac: sock.mac }] };
    const icmp = ndp.encodeIcmpv6(ns, ip6, group);
    const pkt = ndp.encodeIPv6({ trafficClass: 0, flowLabel: 0, nextHeader: ndp.NEXT_HEADER_ICMPV6, hopLimit: 255, src: ip6, dst: group, payload: icmp });
    frame = eth.encodeEthernet({ dst: ndp.multicastMac(group), src: sock.mac, etherType: eth.EtherType.IPv6, payload: pkt });
  }
  if (probes.size < 50_000) probes.set(ipText, frame);
  return frame;
}

/** Sends one probe; false if the socket refused it (a full send buffer under a sweep). */
function send(ipText: string): boolean {
  try {
    sock.send(probeFrame(ipText));
    return true;
  } catch {
    return false;
  }
}

let watchTimer: NodeJS.Timeout | undefined;
function watch(ips: readonly string[], intervalMs: number): void {
  if (watchTimer) clearInterval(watchTimer);
  watched = new Set(ips.slice(0, 1000));
  const every = Math.max(5, intervalMs);
  for (const ip of watched) probeFrame(ip);
  watchTimer = setInterval(() => {
    out({ p: Date.now() });
    for (const ip of watched) send(ip);
  }, every);
}

async function sweep(id: number, ips: readonly string[], waitMs: number, perSecond: number): Promise<void> {
  const s: Sweep = { id, ips: new Set(ips.slice(0, MAX_SWEEP)), answered: new Map(), sendErrors: 0 };
  sweeps.add(s);
  const chunk = Math.max(1, Math.round(perSecond / 200));
  const list = [...s.ips];
  for (let i = 0; i < list.length; i += chunk) {
    for (const ip of list.slice(i, i + chunk)) if (!send(ip)) s.sendErrors++;
    await new Promise((r) => setTimeout(r, 5));
  }
  await new Promise((r) => setTimeout(r, Math.min(Math.max(waitMs, 0), 10_000)));
  sweeps.delete(s);
  out({ sweep: id, answered: Object.fromEntries([...s.answered].map(([ip, a]) => [ip, { t: a.t, macs: [...a.macs].sort() }])), sendErrors: s.sendErrors });
}

function stop(code: number): void {
  if (watchTimer) clearInterval(watchTimer);
  sock.close();
  process.exit(code);
}

const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  let c: { cmd?: string; ips?: unknown; intervalMs?: unknown; id?: unknown; waitMs?: unknown; perSecond?: unknown };
  try {
    c = JSON.parse(line) as typeof c;
  } catch {
    process.stderr.write(`l2-watch-child: not JSON: ${line.slice(0, 80)}\n`);
    return;
  }
  const ips = Array.isArray(c.ips) ? c.ips.filter((x): x is string => typeof x === 'string') : [];
  switch (c.cmd) {
    case 'watch':
      watch(ips, typeof c.intervalMs === 'number' ? c.intervalMs : 20);
      break;
    case 'sweep':
      void sweep(typeof c.id === 'number' ? c.id : 0, ips, typeof c.waitMs === 'number' ? c.waitMs : 500, typeof c.perSecond === 'number' ? c.perSecond : 5000);
      break;
    case 'stop':
      stop(0);
      break;
    default:
      process.stderr.write(`l2-watch-child: unknown command ${JSON.stringify(c.cmd)}\n`);
  }
});
rl.on('close', () => stop(0));
out({ ready: true, mac: sock.mac.toString(), ip4: ip4.toString(), ip6: ip6.toString() });
