// The incremental BGP workload for bench.ts: on an established session, 10,000 IPv6 /128s added in
// 100 batches of 100 (updateAdvertised, back to back), then withdrawn the same way; timed until
// the receiver's RIB matches, and per batch. The reference, in the same run and session: the
// same 10,000 added and withdrawn as one batch each. Packing: UPDATE messages per prefix, from the
// speaker's own count. Times are on our clock; the receiver is polled through its CLI as fast as
// it answers, and a batch counts as arrived at the answer of the first poll that shows it (an
// upper bound: the poll's own time is charged to us, never to the reference alone).
import { IP, Prefix } from '@herald/shared';
import type { SpeakerProcess } from './speaker-process.js';
import { max, median, p95 } from '@herald/bench/stats';

export interface IncrementalRow {
  what: string;
  value: string;
  target: string;
}

export const TOTAL = 10_000;
export const BATCH = 100;

const now = (): number => performance.now();

function prefixes(base: string, n: number): string[] {
  const b = IP.parse(base);
  return Array.from({ length: n }, (_, i) => Prefix.of(IP.fromBigInt(6, b.value + BigInt(i)), 128).toString());
}

interface Sample {
  readonly at: number;
  readonly count: number;
}

/**
 * Sends `batches` (each awaited until the speaker applied it) while polling the receiver; resolves
 * when `done(count)` holds. `reached(i, count)`: whether batch i shows in the count. Returns the
 * time from the first send until done, and each batch's latency.
 */
async function run(
  count: () => Promise<number>,
  send: readonly (() => Promise<void>)[],
  reached: (i: number, count: number) => boolean,
  timeoutMs: number,
): Promise<{ totalMs: number; perBatch: number[] }> {
  const sentAt: number[] = [];
  const samples: Sample[] = [];
  let sending = true;
  const t0 = now();
  const sender = (async () => {
    for (const s of send) {
      sentAt.push(now());
      await s();
    }
    sending = false;
  })();
  const last = send.length - 1;
  for (let i = 0; i < 1_000_000; i++) {
    const c = await count();
    const at = now();
    samples.push({ at, count: c });
    if (!sending && reached(last, c)) break;
    if (at - t0 > timeoutMs) throw new Error(`incremental bench: the receiver never matched (last count ${c}) in ${timeoutMs} ms`);
  }
  await sender;
  const perBatch = sentAt.map((t, i) => {
    const s = samples.find((x) => x.at >= t && reached(i, x.count));
    return (s?.at ?? samples[samples.length - 1]!.at) - t;
  });
  return { totalMs: samples[samples.length - 1]!.at - t0, perBatch };
}

async function updatesSent(sp: SpeakerProcess): Promise<number> {
  return (await sp.status())[0]?.updatesSent ?? 0;
}

/** The rows for one receiver (`into`: its name in the row). `count`: what it holds from us. */
export async function incrementalRows(sp: SpeakerProcess, count: () => Promise<number>, into: string): Promise<IncrementalRow[]> {
  const base = await count();
  const ps = prefixes('2001:db8:500::', TOTAL);
  const batches: string[][] = [];
  for (let i = 0; i < TOTAL; i += BATCH) batches.push(ps.slice(i, i + BATCH));
  const timeout = 120_000;

  // Reference: one batch of 10,000 in, then out.
  let u = await updatesSent(sp);
  const oneIn = await run(count, [() => sp.change(ps.map((prefix) => ({ prefix })))], (_, c) => c >= base + TOTAL, timeout);
  const oneOut = await run(count, [() => sp.change([], ps)], (_, c) => c <= base, timeout);
  const oneUpdates = (await updatesSent(sp)) - u;

  u = await updatesSent(sp);
  const adds = await run(count, batches.map((b) => () => sp.change(b.map((prefix) => ({ prefix })))), (i, c) => c >= base + (i + 1) * BATCH, timeout);
  const dels = await run(count, batches.map((b) => () => sp.change([], b)), (i, c) => c <= base + TOTAL - (i + 1) * BATCH, timeout);
  const incUpdates = (await updatesSent(sp)) - u;

  const lat = [...adds.perBatch, ...dels.perBatch];
  const ms = (x: number) => `${x.toFixed(0)} ms`;
  const per = (n: number) => (n / (2 * TOTAL)).toFixed(4);
  return [
    { what: `Incremental: ${TOTAL} /128s added in ${TOTAL / BATCH} batches of ${BATCH} -> all in ${into}'s RIB`, value: ms(adds.totalMs), target: `reference: one batch of ${TOTAL}: ${ms(oneIn.totalMs)}; <= 15 s (DESIGN §8)` },
    { what: `Incremental: the same withdrawn in batches of ${BATCH} -> all gone from ${into}'s RIB`, value: ms(dels.totalMs), target: `reference: one batch of ${TOTAL}: ${ms(oneOut.totalMs)}` },
    {
      what: `Incremental: a batch of ${BATCH} handed to the speaker -> in ${into}'s RIB (median / p95 / max of ${lat.length}, CLI-polled upper bound)`,
      value: `${ms(median(lat))} / ${ms(p95(lat))} / ${ms(max(lat))}`,
      target: '< 300 ms median (DESIGN §8)',
    },
    {
      what: `Incremental: UPDATE messages per prefix changed (${TOTAL} adds + ${TOTAL} withdrawals in batches of ${BATCH})`,
      value: `${per(incUpdates)} (${incUpdates} UPDATEs)`,
      target: `reference: one batch each way: ${per(oneUpdates)} (${oneUpdates}); a batch sent alone: >= ${(1 / BATCH).toFixed(4)}`,
    },
  ];
}
