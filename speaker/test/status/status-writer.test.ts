import assert from 'node:assert/strict';
import { FakeClock, createLogger } from '@herald/shared';
import type { StatusObject } from '../../src/status/desired-status.js';
import type { StatusApi } from '../../src/status/status-api.js';
import { StatusWriter, canonical } from '../../src/status/status-writer.js';

/** A fake API server for one kind: holds objects; each call stays open until the test settles it (or auto). */
class FakeApi implements StatusApi {
  readonly objects = new Map<string, Record<string, unknown>>();
  readonly calls: string[] = [];
  open = 0;
  maxOpen = 0;
  auto = true;
  failNext = 0;
  private waiting: (() => void)[] = [];

  private async call<T>(what: string, f: () => T): Promise<T> {
    this.calls.push(what);
    this.open++;
    this.maxOpen = Math.max(this.maxOpen, this.open);
    try {
      if (!this.auto) await new Promise<void>((r) => this.waiting.push(r));
      else await Promise.resolve();
      if (this.failNext > 0) {
        this.failNext--;
        throw new Error('HTTP 500');
      }
      return f();
    } finally {
      this.open--;
    }
  }

  release(): void {
    const w = this.waiting;
    this.waiting = [];
    for (const f of w) f();
  }

  list(): Promise<Map<string, Record<string, unknown>>> {
    return this.call('list', () => new Map(this.objects));
  }
  create(o: StatusObject): Promise<void> {
    return this.call(`create ${o.name}`, () => {
      if (!this.objects.has(o.name)) this.objects.set(o.name, {});
    });
  }
  patchStatus(name: string, status: Readonly<Record<string, unknown>>): Promise<void> {
    return this.call(`patch ${name}`, () => {
      if (!this.objects.has(name)) throw new Error('404');
      this.objects.set(name, { ...status });
    });
  }
  delete(name: string): Promise<void> {
    return this.call(`delete ${name}`, () => {
      this.objects.delete(name);
    });
  }
}

const obj = (name: string, v: string): StatusObject => ({ name, labels: { 'herald.dev/node': 'node1' }, status: { node: 'node1', v } });
const settle = async (): Promise<void> => {
  for (let i = 0; i < 50; i++) await Promise.resolve();
};
const log = createLogger({ component: 'test', sink: () => undefined });

function writer(api: FakeApi, clock = new FakeClock(), concurrency = 4): StatusWriter {
  return new StatusWriter({ api, kind: 'ServiceL2Status', clock, log, concurrency, resyncMs: 0 });
}

describe('status/StatusWriter: per object, in the background, only on change', () => {
  it('writes what is wanted once listed; the same content again writes nothing', async () => {
    const api = new FakeApi();
    const w = writer(api);
    w.set('a', obj('a', '1'));
    w.start();
    await settle();
    assert.deepEqual(api.calls, ['list', 'create a', 'patch a']);
    w.set('a', obj('a', '1'));
    await settle();
    assert.equal(api.calls.length, 3);
    assert.equal(w.writes, 2);
  });

  it('what the server already has (a restarted speaker, an informer relist) is not written again', async () => {
    const api = new FakeApi();
    api.objects.set('a', { v: '1', node: 'node1' }); // keys in another order than ours
    const w = writer(api);
    w.start();
    w.set('a', obj('a', '1'));
    w.synced();
    await settle();
    assert.deepEqual(api.calls, ['list']);
  });

  it('coalesces: five changes while a write is in flight become one more write, with the latest', async () => {
    const api = new FakeApi();
    const w = writer(api);
    w.start();
    await settle();
    api.auto = false;
    w.set('a', obj('a', '1'));
    await settle();
    for (let i = 2; i <= 6; i++) w.set('a', obj('a', String(i)));
    api.release();
    await settle();
    api.release();
    await settle();
    api.release();
    await settle();
    assert.deepEqual(api.calls.filter((c) => c !== 'list'), ['create a', 'patch a', 'patch a']);
    assert.deepEqual(api.objects.get('a'), { node: 'node1', v: '6' });
  });

  it('bounded concurrency: 100 new objects, at most 4 writes in flight', async () => {
    const api = new FakeApi();
    const w = writer(api, new FakeClock(), 4);
    w.start();
    await settle();
    api.auto = false;
    for (let i = 0; i < 100; i++) w.set(`o${i}`, obj(`o${i}`, 'x'));
    for (let k = 0; k < 400 && api.objects.size < 100; k++) {
      await settle();
      api.release();
    }
    assert.equal(api.objects.size, 100);
    assert.equal(api.maxOpen, 4);
  });

  it("leftovers are deleted only once the desired set is complete (synced), never before", async () => {
    const api = new FakeApi();
    api.objects.set('old', { node: 'node1', v: 'x' });
    const w = writer(api);
    w.start();
    await settle();
    assert.ok(api.objects.has('old'), 'not deleted before synced()');
    w.set('new', obj('new', '1'));
    w.synced();
    await settle();
    assert.deepEqual([...api.objects.keys()].sort(), ['new']);
  });

  it('a failed write is retried with backoff, with the latest content', async () => {
    const api = new FakeApi();
    const clock = new FakeClock();
    const w = writer(api, clock);
    w.start();
    await settle();
    api.failNext = 1;
    w.set('a', obj('a', '1'));
    await settle();
    assert.equal(api.objects.has('a'), false);
    w.set('a', obj('a', '2'));
    await settle();
    assert.equal(api.calls.filter((c) => c === 'create a').length, 1, 'waits for its backoff');
    clock.advance(499);
    await settle();
    assert.equal(api.objects.has('a'), false);
    clock.advance(1);
    await settle();
    assert.deepEqual(api.objects.get('a'), { node: 'node1', v: '2' });
  });

  it('a list that fails is retried; nothing is written before it succeeds', async () => {
    const api = new FakeApi();
    const clock = new FakeClock();
    api.failNext = 1;
    const w = writer(api, clock);
    w.set('a', obj('a', '1'));
    w.start();
    await settle();
    assert.deepEqual(api.calls, ['list']);
    clock.advance(500);
    await settle();
    assert.deepEqual(api.calls, ['list', 'list', 'create a', 'patch a']);
  });

  it('a list failing again and again warns once, then debug, and says when it recovers', async () => {
    const api = new FakeApi();
    const clock = new FakeClock();
    const lines: { level: string; event: string }[] = [];
    const w = new StatusWriter({ api, kind: 'ServiceL2Status', clock, log: createLogger({ component: 'test', level: 'debug', sink: (l) => lines.push(JSON.parse(l) as { level: string; event: string }) }), resyncMs: 0 });
    api.failNext = 4;
    w.start();
    await settle();
    for (const ms of [500, 1000, 2000, 4000]) {
      clock.advance(ms);
      await settle();
    }
    assert.deepEqual(api.calls, ['list', 'list', 'list', 'list', 'list']);
    assert.deepEqual(lines.map((l) => `${l.level} ${l.event}`), ['warn status-list-failed', 'debug status-list-failed', 'debug status-list-failed', 'debug status-list-failed', 'info status-list-recovered']);
  });

  it('finish(): every object of ours goes', async () => {
    const api = new FakeApi();
    api.objects.set('old', { node: 'node1' });
    const w = writer(api);
    w.start();
    w.set('a', obj('a', '1'));
    await settle();
    await w.finish(1000);
    assert.equal(api.objects.size, 0);
  });

  it('canonical JSON ignores key order at every level, not array order', () => {
    assert.equal(canonical({ b: 1, a: [{ y: 1, x: 2 }] }), canonical({ a: [{ x: 2, y: 1 }], b: 1 }));
    assert.notEqual(canonical({ a: [1, 2] }), canonical({ a: [2, 1] }));
  });
});
