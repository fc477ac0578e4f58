// Times "until the router's kernel route for a prefix satisfies X" to a few milliseconds: `ip
// monitor route` in the router's namespace says when the table changed, and each change (and a
// 25 ms poll as a backstop, should a line be missed) reads the route again. The time is the
// moment the change was reported, not when the re-read returned, so the spawn cost of `ip route`
// is not counted. The drain and graceful-restart tests and bench rows use it.
import type { ChildProcess } from 'node:child_process';
import { nsSpawn, stopProcess } from '@herald/lab';
import { kernelNextHops } from '../bfd/next-hops.js';

export class RouteWatch {
  private readonly child: ChildProcess;
  private changedAt: number[] = [];
  private wake: (() => void) | undefined;

  private constructor(
    private readonly ns: string,
    private readonly prefix: string,
  ) {
    this.child = nsSpawn(ns, ['ip', 'monitor', 'route']);
    this.child.stdout?.setEncoding('utf8');
    this.child.stdout?.on('data', () => {
      this.changedAt.push(Date.now());
      this.wake?.();
    });
    this.child.stderr?.resume();
  }

  /** Started and given a moment to subscribe (bounded: 200 ms). */
  static async start(ns: string, prefix: string): Promise<RouteWatch> {
    const w = new RouteWatch(ns, prefix);
    await new Promise((r) => setTimeout(r, 200));
    return w;
  }

  /**
   * ms from `since` (a Date.now()) until `pred` holds on the prefix's next hops, or undefined
   * after timeoutMs. Bounded in time, and in reads (one per change or 25 ms).
   */
  async until(pred: (hops: readonly string[]) => boolean, since: number, timeoutMs: number): Promise<number | undefined> {
    const deadline = since + timeoutMs;
    this.changedAt = [];
    for (let i = 0; i < Math.ceil(timeoutMs / 5) + 10 && Date.now() < deadline; i++) {
      const before = this.changedAt;
      this.changedAt = [];
      const readAt = Date.now();
      const hops = await kernelNextHops(this.ns, this.prefix).catch(() => undefined);
      const during = this.changedAt;
      if (hops && pred(hops)) {
        // When the table became what the read shows: the latest change reported by the read's
        // end (ip monitor reports as the kernel changes it), else the read's start.
        const at = during.at(-1) ?? before.at(-1) ?? readAt;
        return Math.max(0, at - since);
      }
      if (during.length > 0) continue;
      await new Promise<void>((r) => {
        const t = setTimeout(r, 25);
        this.wake = () => {
          clearTimeout(t);
          r();
        };
      });
      this.wake = undefined;
    }
    return undefined;
  }

  async stop(): Promise<void> {
    await stopProcess(this.child, 'SIGTERM', 1000);
  }
}
