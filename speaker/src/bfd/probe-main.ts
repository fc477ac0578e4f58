#!/usr/bin/env node
// The BFD probe: a BfdEndpoint alone in a process, for the interop tests and the bench. argv[2]
// is a JSON ProbeSession[]; stdin takes JSON lines ({"cmd":"status"}, {"cmd":"set","sessions":
// [...]}, {"cmd":"stop"}); stdout gets JSON lines: ready, state changes, status answers.
import { createInterface } from 'node:readline';
import { createLogger } from '@herald/shared/log';
import { IP } from '@herald/shared/net';
import { BfdEndpoint, type BfdPeerSpec } from './endpoint.js';

export interface ProbeSession {
  readonly key: string;
  readonly peer: string;
  readonly local?: string;
  readonly multihop?: boolean;
  readonly intervalMs: number;
  readonly multiplier: number;
  readonly passive?: boolean;
  readonly minimumTtl?: number;
}

export type ProbeCommand = { readonly cmd: 'status' } | { readonly cmd: 'set'; readonly sessions: readonly ProbeSession[] } | { readonly cmd: 'stop' };

function spec(s: ProbeSession): BfdPeerSpec {
  return {
    key: s.key,
    peerAddress: IP.parse(s.peer),
    ...(s.local ? { localAddress: IP.parse(s.local) } : {}),
    multihop: s.multihop ?? false,
    minimumTtl: s.minimumTtl ?? 254,
    config: { desiredMinTxUs: s.intervalMs * 1000, requiredMinRxUs: s.intervalMs * 1000, detectMult: s.multiplier, passive: s.passive ?? false },
  };
}

const write = (o: unknown): void => {
  process.stdout.write(JSON.stringify(o) + '\n');
};
const log = createLogger({ component: 'bfd-probe', level: 'warn' });
const endpoint = new BfdEndpoint({ log });
endpoint.onState((key, from, to, reason) => write({ event: 'state', key, from, to, reason, at: Date.now() }));
endpoint.setSessions((JSON.parse(process.argv[2] ?? '[]') as ProbeSession[]).map(spec));
createInterface({ input: process.stdin }).on('line', (line) => {
  if (!line.trim()) return;
  const c = JSON.parse(line) as ProbeCommand;
  switch (c.cmd) {
    case 'status':
      write({ event: 'status', sessions: endpoint.statuses(), drops: Object.fromEntries(endpoint.drops()) });
      return;
    case 'set':
      endpoint.setSessions(c.sessions.map(spec));
      return;
    case 'stop':
      endpoint.close();
      setTimeout(() => process.exit(0), 200);
      return;
  }
});
write({ event: 'ready' });
