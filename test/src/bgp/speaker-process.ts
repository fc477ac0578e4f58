// The test side of speaker-child: starts it inside a namespace, waits for session states,
// sends commands, freezes and thaws it.
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { nsSpawn, stopProcess } from '@herald/lab';
import type { ChildCommand, ChildConfig, ChildRoute } from './speaker-child.js';
import { onJsonLines } from '../harness/json-lines.js';

export interface ChildEvent {
  readonly event: string;
  readonly peer?: string;
  readonly state?: string;
  readonly reason?: unknown;
  readonly tag?: string;
  readonly sessions?: { name: string; state: string; prefixesSent: number; prefixesQueued?: number; writeStalls?: number; updatesSent: number; prefixesReceived: number; lastError: unknown }[];
}

const script = fileURLToPath(new URL('./speaker-child.js', import.meta.url));

export class SpeakerProcess {
  readonly events: ChildEvent[] = [];
  private readonly states = new Map<string, string>();
  private waiters: (() => void)[] = [];
  private err = '';
  private tags = 0;
  private constructor(readonly child: ChildProcess) {}

  static start(ns: string, cfg: ChildConfig): SpeakerProcess {
    const child = nsSpawn(ns, [process.execPath, script, JSON.stringify(cfg)], { stdio: ['pipe', 'pipe', 'pipe'] });
    const p = new SpeakerProcess(child);
    onJsonLines<ChildEvent>(child.stdout, (ev) => {
      p.events.push(ev);
      if (ev.event === 'state' && ev.peer && ev.state) p.states.set(ev.peer, ev.state);
      const ws = p.waiters;
      p.waiters = [];
      for (const w of ws) w();
    });
    child.stderr?.on('data', (b: Buffer) => {
      p.err = (p.err + b.toString('utf8')).slice(-16_384);
    });
    return p;
  }

  get stderr(): string {
    return this.err;
  }

  state(peer: string): string | undefined {
    return this.states.get(peer);
  }

  /** Resolves when pred holds over the events so far; rejects after timeoutMs. */
  waitFor(what: string, pred: () => boolean, timeoutMs = 15_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (pred()) {
          clearTimeout(timer);
          resolve();
        } else this.waiters.push(check);
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new Error(`speaker: timed out waiting for ${what}; states ${JSON.stringify([...this.states])}; stderr ${this.err.slice(-2000)}`));
      }, timeoutMs);
      check();
    });
  }

  waitState(peer: string, state: string, timeoutMs?: number): Promise<void> {
    return this.waitFor(`${peer} ${state}`, () => this.states.get(peer) === state, timeoutMs);
  }

  send(c: ChildCommand): void {
    this.child.stdin?.write(JSON.stringify(c) + '\n');
  }

  advertise(routes: readonly ChildRoute[]): void {
    this.send({ cmd: 'advertise', routes });
  }

  /** Hands the sessions changes only (updateAdvertised); resolves once the child has applied them. */
  async change(announce: readonly ChildRoute[], withdraw: readonly string[] = []): Promise<void> {
    const tag = String(++this.tags);
    this.send({ cmd: 'change', announce, withdraw, tag });
    await this.waitFor(`change ${tag} applied`, () => this.events.some((e) => e.event === 'changed' && e.tag === tag), 10_000);
  }

  /** Asks the child for its sessions' status and waits for the answer. */
  async status(): Promise<NonNullable<ChildEvent['sessions']>> {
    const n = this.events.length;
    this.send({ cmd: 'status' });
    await this.waitFor('status', () => this.events.slice(n).some((e) => e.event === 'status'), 5000);
    return this.events.slice(n).find((e) => e.event === 'status')?.sessions ?? [];
  }

  freeze(): void {
    this.child.kill('SIGSTOP');
  }

  thaw(): void {
    this.child.kill('SIGCONT');
  }

  async stop(): Promise<void> {
    this.thaw();
    this.child.stdin?.end();
    await stopProcess(this.child, 'SIGTERM', 2000);
  }
}
