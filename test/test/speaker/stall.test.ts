// Liveness that load cannot starve: three speakers' membership in one process whose main thread
// is then blocked for 2.5 s, as a reconcile pass over every Service blocked it before. With the
// packet thread (what herald-speaker runs), nobody is suspected, declared dead or fenced. The
// control runs the same Membership on the blocked main thread, as before: there the block fences
// the speakers, which is what users saw (every speaker `no-quorum`, no ARP answer for ~0.6 s).
// In a network namespace whose loopback carries 192.0.2.11-13 (documentation addresses).
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { nsRun, run as sh } from '@herald/lab';
import { skipUnless } from '@herald/testkit';

const script = fileURLToPath(new URL('../../src/stall/stall-scenario.js', import.meta.url));
const ns = `hstall${process.pid}`;

interface Outcome {
  mode: string;
  reports: number;
  fences: number;
  notLive: string[];
  endOk: boolean;
  acceptedDuring: number;
  blockMs: number;
  error?: string;
}

async function run(mode: 'packet' | 'control'): Promise<Outcome> {
  const out = await nsRun(ns, [process.execPath, script, '--mode', mode, '--block-ms', '2500', '--quiet-ms', '3000'], { timeoutMs: 40_000 });
  const o = JSON.parse(out.trim().split('\n').pop() ?? '{}') as Outcome;
  if (o.error) throw new Error(`${mode}: ${o.error}`);
  return o;
}

describe('speaker: a blocked main thread does not starve liveness', function () {
  this.timeout(90_000);

  before(async function () {
    skipUnless(this, { root: true, tools: ['ip'] });
    await sh(['ip', 'netns', 'add', ns]);
    await nsRun(ns, ['ip', 'link', 'set', 'lo', 'up']);
    for (const a of ['192.0.2.11', '192.0.2.12', '192.0.2.13']) await nsRun(ns, ['ip', 'addr', 'add', `${a}/32`, 'dev', 'lo']);
  });

  after(async () => {
    await sh(['ip', 'netns', 'del', ns]).catch(() => undefined);
  });

  it('packet thread: a 2.5 s block of the main thread: no speaker suspected, declared dead or fenced', async () => {
    const o = await run('packet');
    assert.deepEqual({ fences: o.fences, notLive: o.notLive, endOk: o.endOk }, { fences: 0, notLive: [], endOk: true });
    // Heartbeats kept flowing between the packet threads all along (3 speakers x 2 peers x 10/s),
    // so the zero above is a measurement, not silence.
    const expected = 6 * 10 * ((o.blockMs + 3000) / 1000);
    assert.ok(o.acceptedDuring > 0.6 * expected, `only ${o.acceptedDuring} heartbeats accepted during the block and after (expected ~${expected})`);
  });

  it('control (membership on the blocked thread, as before): the same block fences the speakers', async () => {
    const o = await run('control');
    assert.ok(o.fences > 0 || o.notLive.length > 0, `the control saw no effect of the block (${JSON.stringify(o)}): the test would not catch a regression`);
  });
});
