// When a node's BGP speaker said goodbye on the wire, as the router's interface sees it: tcpdump in
// the router's namespace prints the first TCP FIN (or RST) from the node's BGP session, with its
// kernel timestamp. The drain writes its withdrawals and the Cease before that FIN, so SIGTERM ->
// FIN is our side of "SIGTERM -> next hop gone"; the rest is the router's own work.
import type { ChildProcess } from 'node:child_process';
import { nsSpawn, stopProcess } from '@herald/lab';

export class FinWatch {
  private atMs: number | undefined;
  private ready: Promise<void>;

  private constructor(private readonly child: ChildProcess) {
    let buf = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (s: string) => {
      buf += s;
      const m = /^(\d+\.\d+) /m.exec(buf);
      if (m && this.atMs === undefined) this.atMs = Number(m[1]) * 1000;
      if (buf.length > 65_536) buf = buf.slice(-4096);
    });
    this.ready = new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 3000);
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', (s: string) => {
        if (s.includes('listening on')) {
          clearTimeout(t);
          resolve();
        }
      });
    });
  }

  /** Starts tcpdump in `ns` for FIN/RST from `from`:any to port 179; resolves once it listens (at most 3 s). */
  static async start(ns: string, from: string): Promise<FinWatch> {
    const w = new FinWatch(nsSpawn(ns, ['tcpdump', '-i', 'eth0', '-nn', '-tt', '-l', '-c', '1', `src host ${from} and tcp dst port 179 and (tcp[tcpflags] & (tcp-fin|tcp-rst) != 0)`]));
    await w.ready;
    return w;
  }

  /** The FIN's kernel time (epoch ms), if one was seen. */
  async stop(): Promise<number | undefined> {
    // Let tcpdump print a packet it has captured (bounded: 200 ms).
    for (let i = 0; i < 20 && this.atMs === undefined && this.child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 10));
    await stopProcess(this.child, 'SIGTERM', 1000);
    return this.atMs;
  }
}
