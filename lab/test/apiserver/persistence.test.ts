import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@herald/shared';
import { startApiServer } from '../../src/apiserver/index.js';
import type { JsonObject } from '../../src/apiserver/json.js';
import { listSegments, readState, segmentPath } from '../../src/apiserver/persist.js';
import { writeBase } from '../../src/apiserver/state-writer.js';

const quiet = createLogger({ component: 'apiserver', level: 'error' });

async function req(url: string, method: string, body?: unknown, ct = 'application/json'): Promise<any> {
  const r = await fetch(url, { method, headers: { 'content-type': ct }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: r.status, body: await r.json() };
}

describe('apiserver: persistence to a state file', function () {
  let dir = '';
  before(function () { dir = mkdtempSync(join(tmpdir(), 'herald-apiserver-')); });
  after(function () { rmSync(dir, { recursive: true, force: true }); });

  it('keeps objects, CRDs and custom resources across a restart, and resourceVersions keep increasing', async function () {
    const stateFile = join(dir, 'state.json');
    const a = await startApiServer({ stateFile, logger: quiet });
    await req(`${a.url}/api/v1/namespaces`, 'POST', { metadata: { name: 'p' } });
    const svc = await req(`${a.url}/api/v1/namespaces/p/services`, 'POST', { metadata: { name: 's' }, spec: { ports: [{ port: 80 }] } });
    await req(`${a.url}/apis/apiextensions.k8s.io/v1/customresourcedefinitions`, 'POST', {
      metadata: { name: 'things.t.herald.dev' },
      spec: { group: 't.herald.dev', scope: 'Namespaced', names: { plural: 'things', kind: 'Thing' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } } } }] },
    });
    const cr = await req(`${a.url}/apis/t.herald.dev/v1/namespaces/p/things`, 'POST', { apiVersion: 't.herald.dev/v1', kind: 'Thing', metadata: { name: 'x' }, spec: { a: 1 } });
    assert.equal(cr.status, 201);
    const lastRv = a.currentResourceVersion();
    await a.close();

    const b = await startApiServer({ stateFile, logger: quiet });
    try {
      const got = await req(`${b.url}/api/v1/namespaces/p/services/s`, 'GET');
      assert.equal(got.status, 200);
      assert.equal(got.body.spec.clusterIP, svc.body.spec.clusterIP);
      const thing = await req(`${b.url}/apis/t.herald.dev/v1/namespaces/p/things/x`, 'GET');
      assert.equal(thing.status, 200, 'the CRD is served again after restart');
      assert.deepEqual(thing.body.spec, { a: 1 });
      const next = await req(`${b.url}/api/v1/namespaces/p/configmaps`, 'POST', { metadata: { name: 'after' } });
      assert.ok(Number(next.body.metadata.resourceVersion) > lastRv);
      const dup = await req(`${b.url}/api/v1/namespaces/p/services`, 'POST', { metadata: { name: 's2' }, spec: { clusterIP: svc.body.spec.clusterIP, ports: [{ port: 80 }] } });
      assert.equal(dup.status, 422, 'allocations survive the restart');
    } finally {
      await b.close();
    }
  });
});

describe('apiserver: state journal and background compaction', function () {
  let dir = '';
  beforeEach(function () { dir = mkdtempSync(join(tmpdir(), 'herald-journal-')); });
  afterEach(function () { rmSync(dir, { recursive: true, force: true }); });

  const cm = (name: string, v: string): unknown => ({ metadata: { name }, data: { v } });

  it('journals each write (no rewrite of the whole store) and replays the journal on start', async function () {
    const stateFile = join(dir, 'state.json');
    const a = await startApiServer({ stateFile, logger: quiet, stateWriter: { compactMinBytes: 1 << 30 } });
    for (let i = 0; i < 20; i++) assert.equal((await req(`${a.url}/api/v1/namespaces/default/configmaps`, 'POST', cm(`c${i}`, '0'))).status, 201);
    await req(`${a.url}/api/v1/namespaces/default/configmaps/c3`, 'PATCH', { data: { v: '1' } }, 'application/merge-patch+json');
    await req(`${a.url}/api/v1/namespaces/default/configmaps/c4`, 'DELETE');
    const rv = a.currentResourceVersion();
    await a.close();
    assert.equal(existsSync(stateFile), false, 'no base was written: every write went to the journal');
    assert.deepEqual(listSegments(stateFile), [1]);
    const lines = readFileSync(segmentPath(stateFile, 1), 'utf8').trim().split('\n');
    assert.ok(lines.length >= 26, `namespaces, 20 creates, a patch and a delete are journaled (${lines.length} lines)`);

    const b = await startApiServer({ stateFile, logger: quiet });
    try {
      assert.equal(b.currentResourceVersion(), rv, 'the resourceVersion continues where it was');
      const list = await req(`${b.url}/api/v1/namespaces/default/configmaps`, 'GET');
      assert.equal(list.body.items.length, 19);
      assert.equal(list.body.items.find((o: any) => o.metadata.name === 'c3').data.v, '1');
      assert.equal((await req(`${b.url}/api/v1/namespaces/default/configmaps/c4`, 'GET')).status, 404);
      await req(`${b.url}/api/v1/namespaces/default/configmaps`, 'POST', cm('after', '0'));
    } finally {
      await b.close();
    }
    assert.deepEqual(listSegments(stateFile), [1, 2], 'a restarted writer starts a new segment (the old one may end in a torn line)');
  });

  it('compacts into a new base in the background, then drops the segments it covers; the result restores the same', async function () {
    const stateFile = join(dir, 'state.json');
    const a = await startApiServer({ stateFile, logger: quiet, stateWriter: { compactMinBytes: 4096, flushMs: 1, chunkBytes: 1024 } });
    for (let i = 0; i < 60; i++) await req(`${a.url}/api/v1/namespaces/default/configmaps`, 'POST', cm(`c${i}`, 'x'.repeat(100)));
    await a.close();
    const stats = a.stateWriterStats();
    assert.ok(stats !== undefined && stats.compactions >= 1, `compactions: ${JSON.stringify(stats)}`);
    const base = JSON.parse(readFileSync(stateFile, 'utf8')) as { resourceVersion: number; objects: Record<string, unknown[]> };
    assert.ok(base.resourceVersion > 0);
    assert.ok(listSegments(stateFile).every((n) => n > 1), `covered segments are gone: ${JSON.stringify(listSegments(stateFile))}`);
    const b = await startApiServer({ stateFile, logger: quiet });
    try {
      assert.equal(b.currentResourceVersion(), a.currentResourceVersion());
      const list = await req(`${b.url}/api/v1/namespaces/default/configmaps`, 'GET');
      assert.equal(list.body.items.filter((o: any) => /^c\d+$/.test(o.metadata.name)).length, 60);
    } finally {
      await b.close();
    }
  });

  it('writes a base chunk by chunk, giving the event loop turns in between', async function () {
    const { SortedMap } = await import('../../src/apiserver/btree.js');
    const tree = new SortedMap<string, JsonObject>();
    for (let i = 0; i < 2000; i++) tree.set(`a/o${i}`, { metadata: { name: `o${i}`, namespace: 'a' }, data: { pad: 'y'.repeat(200) } });
    let turns = 0;
    let done = false;
    const tick = (): void => { turns++; if (!done) setImmediate(tick); };
    setImmediate(tick);
    const path = join(dir, 'base.json');
    await writeBase(path, { rv: 7, trees: new Map([['/configmaps', tree]]) }, 4096, 't');
    done = true;
    assert.ok(turns >= 50, `the loop turned ${turns} times while ~500 KiB were written in 4 KiB chunks`);
    const back = readState(path);
    assert.equal(back?.image.rv, 7);
    assert.equal(back?.image.trees.get('/configmaps')?.size, 2000);
  });

  it('replays segments over the base, skips what the base holds, and reports a torn or bad line', function () {
    const stateFile = join(dir, 'state.json');
    const o = (name: string, rv: number): JsonObject => ({ metadata: { name, namespace: 'a', resourceVersion: String(rv) } });
    writeFileSync(stateFile, JSON.stringify({ resourceVersion: 5, objects: { '/configmaps': [o('x', 4), o('y', 5)] } }));
    const line = (rv: number, key: string, obj: JsonObject | null): string => `${JSON.stringify({ rv, sk: '/configmaps', key, obj })}\n`;
    // Segment 1 was compacted into the base but not yet deleted (a crash right after the rename).
    writeFileSync(segmentPath(stateFile, 1), line(4, 'a/x', o('x', 4)) + line(5, 'a/y', o('y', 5)));
    writeFileSync(segmentPath(stateFile, 2), line(6, 'a/z', o('z', 6)) + 'not json\n' + line(7, 'a/x', null) + '{"rv":8,"sk":"/conf');
    const r = readState(stateFile);
    assert.ok(r !== undefined);
    assert.equal(r.image.rv, 7);
    assert.deepEqual([...(r.image.trees.get('/configmaps')?.keys() ?? [])], ['a/y', 'a/z']);
    assert.equal(r.replayed, 2);
    assert.equal(r.problems.length, 2, r.problems.join('\n'));
    assert.match(r.problems[0] ?? '', /journal-2:2: not JSON/);
    assert.match(r.problems[1] ?? '', /journal-2:4: not JSON .*cut short by a crash/);
  });

  it('refuses to start on a base it cannot read, naming the file', async function () {
    const stateFile = join(dir, 'state.json');
    writeFileSync(stateFile, '{"resourceVersion": "x"}');
    await assert.rejects(startApiServer({ stateFile, logger: quiet }), /state file .*state\.json is not a Herald API server state/);
  });
});
