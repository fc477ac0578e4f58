import { strict as assert } from 'node:assert';
import { Store, type WatchSink } from '../../src/apiserver/store.js';
import type { JsonObject } from '../../src/apiserver/json.js';

function sink(ns?: string, match: (o: JsonObject) => boolean = () => true): WatchSink & { lines: any[] } {
  const lines: any[] = [];
  return { namespace: ns, matches: match, send: (l) => { lines.push(JSON.parse(l)); return true; }, close: () => undefined, lines };
}
const cm = (name: string, labels: Record<string, string> = {}, ns = 'a'): JsonObject => ({ metadata: { name, namespace: ns, labels } });

describe('apiserver/store: resourceVersions, history and watch replay', function () {
  it('stamps a cluster-wide increasing resourceVersion across resources', function () {
    const s = new Store(10);
    const a = s.commit('/configmaps', 'a/x', 'ADDED', cm('x'));
    const b = s.commit('/services', 'a/y', 'ADDED', cm('y'));
    assert.equal((a.obj['metadata'] as JsonObject)['resourceVersion'], '1');
    assert.equal((b.obj['metadata'] as JsonObject)['resourceVersion'], '2');
  });

  it('replays only events after the given resourceVersion, in order', function () {
    const s = new Store(10);
    for (let i = 0; i < 5; i++) s.commit('/configmaps', `a/c${i}`, 'ADDED', cm(`c${i}`));
    const w = sink();
    assert.equal(s.watch('/configmaps', w, 3), undefined);
    assert.deepEqual(w.lines.map((l) => l.object.metadata.name), ['c3', 'c4']);
  });

  it('sends ADDED for current objects when no resourceVersion is given', function () {
    const s = new Store(10);
    s.commit('/configmaps', 'a/x', 'ADDED', cm('x'));
    s.commit('/configmaps', 'a/x', 'DELETED', cm('x'));
    s.commit('/configmaps', 'a/y', 'ADDED', cm('y'));
    const w = sink();
    s.watch('/configmaps', w, undefined);
    assert.deepEqual(w.lines.map((l) => `${l.type}:${l.object.metadata.name}`), ['ADDED:y']);
  });

  it('reports a resourceVersion older than the window as expired (the caller answers 410)', function () {
    const s = new Store(3);
    for (let i = 0; i < 6; i++) s.commit('/configmaps', `a/c${i}`, 'ADDED', cm(`c${i}`));
    assert.equal(s.watch('/configmaps', sink(), 1), 3, 'events 1..3 fell out');
    assert.equal(s.watch('/configmaps', sink(), 3), undefined, 'from 3 nothing is missing');
  });

  it('turns a label change out of a selector into DELETED with the old object and the new RV', function () {
    const s = new Store(10);
    s.commit('/configmaps', 'a/x', 'ADDED', cm('x', { app: 'a' }));
    const w = sink(undefined, (o) => ((o['metadata'] as any).labels.app === 'a'));
    s.watch('/configmaps', w, 1);
    s.commit('/configmaps', 'a/x', 'MODIFIED', cm('x', { app: 'b' }));
    s.commit('/configmaps', 'a/x', 'MODIFIED', cm('x', { app: 'a' }));
    assert.deepEqual(w.lines.map((l) => `${l.type}:${l.object.metadata.labels.app}:${l.object.metadata.resourceVersion}`), ['DELETED:a:2', 'ADDED:a:3']);
  });

  it('filters by namespace', function () {
    const s = new Store(10);
    const w = sink('b');
    s.watch('/configmaps', w, 0);
    s.commit('/configmaps', 'a/x', 'ADDED', cm('x', {}, 'a'));
    s.commit('/configmaps', 'b/y', 'ADDED', cm('y', {}, 'b'));
    assert.deepEqual(w.lines.map((l) => l.object.metadata.name), ['y']);
  });

  it('drops a watcher whose sink reports overload', function () {
    const s = new Store(10);
    let closed = 0;
    const w: WatchSink = { namespace: undefined, matches: () => true, send: () => false, close: () => { closed++; } };
    s.watch('/configmaps', w, 0);
    s.commit('/configmaps', 'a/x', 'ADDED', cm('x'));
    s.commit('/configmaps', 'a/y', 'ADDED', cm('y'));
    assert.equal(closed, 1);
  });
});
