// A live ARP or NDP capture on one interface of a namespace (tcpdump), parsed into events of one
// shape: an NDP neighbour solicitation is a request (who has target, from sender), a neighbour
// advertisement a reply (target is-at the frame's source MAC). The failover bench and e2e read it
// to time takeovers and to look for two MACs answering one IP.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { stopProcess } from '@herald/lab';

export type ArpEvent =
  | { readonly t: number; readonly src: string; readonly op: 'request'; readonly target: string; readonly sender: string }
  | {
      readonly t: number;
      readonly src: string;
      readonly op: 'reply';
      readonly sender: string;
      readonly mac: string;
      /** NDP only: an advertisement to all nodes (ff02::1), not to the one who asked. */
      readonly unsolicited?: boolean;
      /** ARP only, set when true: sent to the Ethernet broadcast address (a gratuitous reply), not to the one who asked. */
      readonly broadcast?: true;
    };

export type CaptureProtocol = 'arp' | 'ndp';

/** Parses one `tcpdump -nn -e -tt` ARP line; undefined for anything else. t is epoch ms. */
export function parseArpLine(line: string): ArpEvent | undefined {
  const head = /^(\d+\.\d+) ([0-9a-f:]{17}) > ([0-9a-f:]{17})?/.exec(line);
  if (!head) return undefined;
  const t = Number(head[1]) * 1000;
  const src = head[2]!;
  const req = /Request who-has (\S+?)(?: \([^)]*\))? tell (\S+?),/.exec(line);
  if (req) return { t, src, op: 'request', target: req[1]!, sender: req[2]! };
  const rep = /Reply (\S+) is-at ([0-9a-f:]{17})/.exec(line);
  if (rep) return { t, src, op: 'reply', sender: rep[1]!, mac: rep[2]!, ...(head[3] === 'ff:ff:ff:ff:ff:ff' ? { broadcast: true as const } : {}) };
  return undefined;
}

/**
 * One `tcpdump -nn -e -tt` ICMPv6 line: a neighbour solicitation (request) or advertisement
 * (reply; the target's MAC is the frame's source, as Herald and the kernel send them: the
 * target link-layer option is not printed without -v). Undefined for anything else.
 */
export function parseNdpLine(line: string): ArpEvent | undefined {
  const m = /^(\d+\.\d+) ([0-9a-f:]{17}) > [0-9a-f:]{17}, ethertype IPv6 \(0x86dd\), length \d+: (\S+) > (\S+): ICMP6, neighbor (solicitation, who has|advertisement, tgt is) ([0-9a-f:.]+),/.exec(line);
  if (!m) return undefined;
  const t = Number(m[1]) * 1000;
  const src = m[2]!;
  if (m[5]!.startsWith('solicitation')) return { t, src, op: 'request', target: m[6]!, sender: m[3]! };
  return { t, src, op: 'reply', sender: m[6]!, mac: src, unsolicited: m[4] === 'ff02::1' };
}

/**
 * A gratuitous announcement for ip: an ARP request "who-has ip tell ip", an ARP reply for ip
 * from its own MAC, or an unsolicited neighbour advertisement for ip (to all nodes).
 */
export function isGratuitous(e: ArpEvent, ip: string): boolean {
  if (e.op === 'request') return e.target === ip && e.sender === ip;
  if (e.unsolicited !== undefined) return e.sender === ip && e.unsolicited;
  return e.sender === ip && e.mac === e.src;
}

/**
 * Requests for ip from `asker` (its address, or the MAC it sends from: an NDP solicitation comes
 * from a link-local address) answered by more than one MAC (before the asker's next request):
 * two nodes answering at once. Returns each such request's time and the MACs that answered.
 */
export function doubleAnswers(events: readonly ArpEvent[], ip: string, asker: string, askerMac?: string): { t: number; macs: string[] }[] {
  const out: { t: number; macs: string[] }[] = [];
  let open: { t: number; macs: Set<string> } | undefined;
  const close = (): void => {
    if (open && open.macs.size > 1) out.push({ t: open.t, macs: [...open.macs].sort() });
  };
  for (const e of events) {
    if (e.op === 'request' && e.target === ip && (e.sender === asker || (askerMac !== undefined && e.src === askerMac))) {
      close();
      open = { t: e.t, macs: new Set() };
    } else if (e.op === 'reply' && e.sender === ip && open && !e.broadcast && !e.unsolicited) {
      // A gratuitous reply (to the broadcast address, or an NA to all nodes) answers nobody:
      // the new owner's takeover burst right after the old owner's last answer is no double.
      open.macs.add(e.mac);
    }
  }
  close();
  return out;
}

/** Requests for ip from `asker` (address or MAC, as in doubleAnswers): how many probes ran. */
export function requestsFrom(events: readonly ArpEvent[], ip: string, asker: string, askerMac?: string): number {
  return events.filter((e) => e.op === 'request' && e.target === ip && (e.sender === asker || (askerMac !== undefined && e.src === askerMac))).length;
}

export class ArpCapture {
  readonly events: ArpEvent[] = [];
  private readonly child: ChildProcess;
  private readonly waiters = new Set<() => void>();

  private constructor(ns: string, iface: string, proto: CaptureProtocol) {
    // NDP: ICMPv6 types 135 (solicitation) and 136 (advertisement), no extension headers.
    const filter = proto === 'arp' ? ['arp'] : ['icmp6 and (ip6[40] == 135 or ip6[40] == 136)'];
    const parse = proto === 'arp' ? parseArpLine : parseNdpLine;
    this.child = spawn('ip', ['netns', 'exec', ns, 'tcpdump', '-i', iface, '-nn', '-e', '-l', '-tt', '--immediate-mode', ...filter], { stdio: ['ignore', 'pipe', 'pipe'] });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      const e = parse(line);
      if (!e) return;
      // Bounded: a capture lives for one bench or test; keep at most 200k events.
      if (this.events.length < 200_000) this.events.push(e);
      for (const w of [...this.waiters]) w();
    });
  }

  /** Starts tcpdump and resolves once it is listening (or rejects after 10 s). */
  static async start(ns: string, iface = 'eth0', proto: CaptureProtocol = 'arp'): Promise<ArpCapture> {
    const c = new ArpCapture(ns, iface, proto);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`tcpdump in ${ns} did not start in 10 s`)), 10_000);
      c.child.stderr!.on('data', (b: Buffer) => {
        if (b.toString().includes('listening on')) {
          clearTimeout(timer);
          resolve();
        }
      });
      c.child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`tcpdump in ${ns} exited ${String(code)}`));
      });
    });
    return c;
  }

  /** The first event at or after `since` (epoch ms) matching `pred`, or undefined at the deadline. */
  first(pred: (e: ArpEvent) => boolean, since: number, timeoutMs: number): Promise<ArpEvent | undefined> {
    return new Promise((resolve) => {
      const check = (): boolean => {
        const e = this.events.find((x) => x.t >= since && pred(x));
        if (!e) return false;
        finish(e);
        return true;
      };
      const finish = (e: ArpEvent | undefined): void => {
        clearTimeout(timer);
        this.waiters.delete(onEvent);
        resolve(e);
      };
      const onEvent = (): void => void check();
      const timer = setTimeout(() => finish(undefined), timeoutMs);
      this.waiters.add(onEvent);
      check();
    });
  }

  between(from: number, to: number): ArpEvent[] {
    return this.events.filter((e) => e.t >= from && e.t <= to);
  }

  async stop(): Promise<void> {
    for (const w of [...this.waiters]) w();
    await stopProcess(this.child, 'SIGTERM', 2000);
  }
}
