// Conformance: a client-node informer through list, watch, a forced 410 and a relist, across
// 10,000 writes. Every object's add, update and delete callbacks are counted exactly.
import { strict as assert } from 'node:assert';
import { makeInformer, type V1ConfigMap } from '@kubernetes/client-node';
import { ctx, freshNamespace, HISTORY_WINDOW, raw } from './harness.js';

async function inBatches(n: number, width: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  for (let start = 0; start < n; start += width) {
    const batch: Promise<unknown>[] = [];
    for (let i = start; i < Math.min(n, start + width); i++) batch.push(fn(i));
    await Promise.all(batch);
  }
}

async function until(what: string, ms: number, ok: () => boolean): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('conformance: informer across 10,000 writes with a forced 410', function () {
  it('misses and duplicates no event through list, watch, 410 and relist', async function () {
    this.timeout(120_000);
    const c = await ctx();
    const ns = await freshNamespace('inf');
    const adds = new Map<string, number>();
    const updates = new Map<string, number>();
    const deletes = new Map<string, number>();
    const bump = (m: Map<string, number>, o: V1ConfigMap): void => {
      const n = o.metadata?.name ?? '';
      if (n.startsWith('cm-')) m.set(n, (m.get(n) ?? 0) + 1);
    };
    let lists = 0;
    let errorsSeen = 0;
    const inf = makeInformer(c.kc, `/api/v1/namespaces/${ns}/configmaps`, () => {
      lists++;
      return c.core.listNamespacedConfigMap({ namespace: ns });
    });
    inf.on('add', (o) => bump(adds, o));
    inf.on('update', (o) => bump(updates, o));
    inf.on('delete', (o) => bump(deletes, o));
    inf.on('error', () => { errorsSeen++; });
    await inf.start();
    const name = (i: number): string => `cm-${i}`;
    // Writes go over raw keep-alive HTTP (client-node opens a connection per request, which is slow).
    const base = `/api/v1/namespaces/${ns}/configmaps`;
    const must = (want: number) => (r: { status: number; text: string }): void => {
      if (r.status !== want) throw new Error(`HTTP ${r.status}: ${r.text}`);
    };
    const create = (i: number): Promise<unknown> => raw('POST', base, { metadata: { name: name(i) }, data: { v: '0' } }).then(must(201));
    const update = (i: number): Promise<unknown> => raw('PATCH', `${base}/${name(i)}`, { data: { v: '1' } }, 'application/merge-patch+json').then(must(200));
    const del = (i: number): Promise<unknown> => raw('DELETE', `${base}/${name(i)}`).then(must(200));
    let writes = 0;
    const counted = (fn: (i: number) => Promise<unknown>) => async (i: number): Promise<void> => { await fn(i); writes++; };

    // Phase A: informer running.
    await inBatches(5000, 64, counted(create));
    await until('phase A seen', 30_000, () => adds.size === 5000);
    // Phase B: informer stopped; more writes than the history window.
    await inf.stop();
    await until('stop reported', 2000, () => errorsSeen > 0).catch(() => undefined);
    const gap = HISTORY_WINDOW + 100;
    await inBatches(gap, 64, counted(update));
    // Phase C: restart from the old resourceVersion -> 410 -> relist -> watch; then the rest.
    await inf.start();
    await inBatches(2400, 64, counted((i) => create(5000 + i)));
    await inBatches(1000, 64, counted((i) => update(gap + i)));
    await inBatches(1000, 64, counted((i) => del(4000 + i)));
    assert.equal(writes, 10_000);

    const updatedTotal = gap + 1000;
    await until('final state seen', 30_000, () =>
      [...deletes.values()].reduce((a, b) => a + b, 0) >= 1000 && [...updates.values()].reduce((a, b) => a + b, 0) >= updatedTotal && adds.size >= 7400);
    await inf.stop();

    for (let i = 0; i < 7400; i++) assert.equal(adds.get(name(i)), 1, `add of ${name(i)}`);
    assert.equal(adds.size, 7400);
    for (let i = 0; i < 7400; i++) {
      assert.equal(updates.get(name(i)) ?? 0, i < updatedTotal ? 1 : 0, `updates of ${name(i)}`);
      assert.equal(deletes.get(name(i)) ?? 0, i >= 4000 && i < 5000 ? 1 : 0, `deletes of ${name(i)}`);
    }
    const cached = inf.list(ns).filter((o) => o.metadata?.name?.startsWith('cm-'));
    assert.equal(cached.length, 6400);
    for (const o of cached) {
      const i = Number(o.metadata?.name?.slice(3));
      assert.equal(o.data?.['v'], i < updatedTotal ? '1' : '0', `${o.metadata?.name} final data`);
    }
    // At least one relist after the forced 410 (more if the writers outran the window during a relist).
    if (!c.real) assert.ok(lists >= 2, `relists: ${lists}`);
  });
});
