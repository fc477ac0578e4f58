#!/usr/bin/env node
// The BFD probe: the speaker's BfdEndpoint alone in a process, for the interop tests and the
// bench (a test fixture: it ships in no product package). argv[2]
// is a JSON ProbeSession[]; stdin takes JSON lines ({"cmd":"status"}, {"cmd":"set","sessions":
// [...]}, {"cmd":"stop"}); stdout gets JSON lines: ready, state changes, status answers.
import { createInterface } from 'node:readline';
import { createLogger } from '@herald/shared/log';
import { IP } from '@herald/shared/net';
import { bfd } from '@herald/speaker';
import type { ProbeSessionSpec as ProbeSession } from './probe-session.js';

export type ProbeCommand = { readonly cmd: 'status' } | { readonly cmd: 'set'; readonly sessions: readonly ProbeSession[] } | { readonly cmd: 'stop' };

function spec(s: ProbeSession): bfd.BfdPeerSpec {
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
const endpoint = new bfd.BfdEndpoint({ log });
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
