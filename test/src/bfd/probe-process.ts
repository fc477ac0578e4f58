// The test side of the BFD probe (probe-main.ts, the speaker's BfdEndpoint alone): starts it inside a
// namespace, follows its session states, asks for status, freezes and thaws it.
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { nsSpawn, stopProcess } from '@herald/lab';

import type { ProbeSessionSpec } from './probe-session.js';
import { onJsonLines } from '../harness/json-lines.js';

export type { ProbeSessionSpec } from './probe-session.js';

export interface ProbeStatus {
  readonly sessions: { key: string; state: string; remoteState: string; diag: number; detectMs: number; txIntervalMs: number; downs: number; lastDown?: { type: string } }[];
  readonly drops: Record<string, number>;
}

interface ProbeLine {
  readonly event: string;
  readonly key?: string;
  readonly to?: string;
  readonly reason?: { type: string };
  readonly at?: number;
  readonly sessions?: ProbeStatus['sessions'];
  readonly drops?: ProbeStatus['drops'];
}

const script = fileURLToPath(new URL('./probe-main.js', import.meta.url));

export class BfdProbe {
  readonly changes: { key: string; to: string; reason: string; at: number }[] = [];
  private readonly states = new Map<string, string>();
  private waiters: (() => void)[] = [];
  private statusWaiters: ((s: ProbeStatus) => void)[] = [];
  private err = '';

  private constructor(readonly child: ChildProcess) {}

  static start(ns: string, sessions: readonly ProbeSessionSpec[]): BfdProbe {
    const child = nsSpawn(ns, [process.execPath, script, JSON.stringify(sessions)], { stdio: ['pipe', 'pipe', 'pipe'] });
    const p = new BfdProbe(child);
    onJsonLines<ProbeLine>(child.stdout, (ev) => {
      if (ev.event === 'state' && ev.key && ev.to) {
        p.states.set(ev.key, ev.to);
        p.changes.push({ key: ev.key, to: ev.to, reason: ev.reason?.type ?? '', at: ev.at ?? Date.now() });
      }
      if (ev.event === 'status') {
        const ws = p.statusWaiters;
        p.statusWaiters = [];
        for (const w of ws) w({ sessions: ev.sessions ?? [], drops: ev.drops ?? {} });
      }
      const ws = p.waiters;
      p.waiters = [];
      for (const w of ws) w();
    });
    child.stderr?.on('data', (b: Buffer) => {
      p.err = (p.err + b.toString('utf8')).slice(-16_384);
    });
    return p;
  }

  state(key: string): string | undefined {
    return this.states.get(key);
  }

  waitState(key: string, state: string, timeoutMs = 15_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (this.states.get(key) === state) {
          clearTimeout(timer);
          resolve();
        } else this.waiters.push(check);
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new Error(`bfd probe: timed out waiting for ${key} ${state}; states ${JSON.stringify([...this.states])}; stderr ${this.err.slice(-2000)}`));
      }, timeoutMs);
      check();
    });
  }

  status(timeoutMs = 5000): Promise<ProbeStatus> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`bfd probe: no status answer; stderr ${this.err.slice(-2000)}`)), timeoutMs);
      this.statusWaiters.push((s) => {
        clearTimeout(timer);
        resolve(s);
      });
      this.child.stdin?.write(JSON.stringify({ cmd: 'status' }) + '\n');
    });
  }

  freeze(): void {
    this.child.kill('SIGSTOP');
  }

  thaw(): void {
    this.child.kill('SIGCONT');
  }

  async stop(): Promise<void> {
    this.thaw();
    if (this.child.exitCode === null && this.child.signalCode === null) {
      // Let it send AdminDown and exit by itself first (bounded), then make sure it is reaped.
      const exited = new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 1500);
        this.child.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
      });
      this.child.stdin?.write(JSON.stringify({ cmd: 'stop' }) + '\n');
      await exited;
    }
    await stopProcess(this.child, 'SIGTERM', 2000);
  }
}
