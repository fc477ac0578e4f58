import { strict as assert } from 'node:assert';
import { jsonPatch, mergePatch, PatchError, strategicMerge } from '../../src/apiserver/patch.js';
import type { Json } from '../../src/apiserver/json.js';

describe('apiserver/patch: merge patch (RFC 7386)', function () {
  const cases: { desc: string; input: [Json, Json]; want: Json }[] = [
    { desc: 'adds and replaces', input: [{ a: 1, b: { c: 2 } }, { b: { d: 3 }, e: 4 }], want: { a: 1, b: { c: 2, d: 3 }, e: 4 } },
    { desc: 'null deletes', input: [{ a: 1, b: 2 }, { a: null }], want: { b: 2 } },
    { desc: 'arrays replace', input: [{ a: [1, 2] }, { a: [3] }], want: { a: [3] } },
    { desc: 'non-object patch replaces', input: [{ a: 1 }, 5], want: 5 },
  ];
  for (const tc of cases) it(tc.desc, function () { assert.deepEqual(mergePatch(tc.input[0], tc.input[1]), tc.want); });
});

describe('apiserver/patch: JSON patch (RFC 6902)', function () {
  const doc: Json = { a: { b: [1, 2] }, c: 'x' };
  const cases: { desc: string; input: Json; want?: Json; wantError?: RegExp }[] = [
    { desc: 'add to array end', input: [{ op: 'add', path: '/a/b/-', value: 3 }], want: { a: { b: [1, 2, 3] }, c: 'x' } },
    { desc: 'remove', input: [{ op: 'remove', path: '/c' }], want: { a: { b: [1, 2] } } },
    { desc: 'replace', input: [{ op: 'replace', path: '/a/b/0', value: 9 }], want: { a: { b: [9, 2] }, c: 'x' } },
    { desc: 'move', input: [{ op: 'move', from: '/c', path: '/d' }], want: { a: { b: [1, 2] }, d: 'x' } },
    { desc: 'copy', input: [{ op: 'copy', from: '/c', path: '/e' }], want: { a: { b: [1, 2] }, c: 'x', e: 'x' } },
    { desc: 'test passes', input: [{ op: 'test', path: '/c', value: 'x' }], want: doc },
    { desc: 'escaped pointer', input: [{ op: 'add', path: '/a~1b', value: 1 }], want: { a: { b: [1, 2] }, c: 'x', 'a/b': 1 } },
    { desc: 'test fails', input: [{ op: 'test', path: '/c', value: 'y' }], wantError: /test failed/ },
    { desc: 'missing path', input: [{ op: 'replace', path: '/zz/y', value: 1 }], wantError: /missing/ },
    { desc: 'object body', input: { op: 'add' }, wantError: /cannot unmarshal object into Go value of type jsonpatch.Patch/ },
  ];
  for (const tc of cases) {
    it(tc.desc, function () {
      if (tc.wantError) assert.throws(() => jsonPatch(doc, tc.input), (e: unknown) => e instanceof PatchError && tc.wantError!.test(e.message));
      else assert.deepEqual(jsonPatch(doc, tc.input), tc.want);
    });
  }
  it('does not mutate its input', function () {
    const before = JSON.stringify(doc);
    jsonPatch(doc, [{ op: 'remove', path: '/a/b/0' }]);
    assert.equal(JSON.stringify(doc), before);
  });
});

describe('apiserver/patch: strategic merge', function () {
  const cases: { desc: string; input: [Json, Json]; want: Json }[] = [
    { desc: 'ports merge by port', input: [{ ports: [{ port: 80, name: 'a' }] }, { ports: [{ port: 443, name: 'b' }] }], want: { ports: [{ port: 80, name: 'a' }, { port: 443, name: 'b' }] } },
    { desc: 'same port item merges', input: [{ ports: [{ port: 80, name: 'a' }] }, { ports: [{ port: 80, nodePort: 30001 }] }], want: { ports: [{ port: 80, name: 'a', nodePort: 30001 }] } },
    { desc: '$patch delete removes an item', input: [{ containers: [{ name: 'a' }, { name: 'b' }] }, { containers: [{ name: 'a', $patch: 'delete' }] }], want: { containers: [{ name: 'b' }] } },
    { desc: 'finalizers merge as a set', input: [{ finalizers: ['a'] }, { finalizers: ['b', 'a'] }], want: { finalizers: ['a', 'b'] } },
    { desc: 'unknown lists replace', input: [{ args: ['a'] }, { args: ['b'] }], want: { args: ['b'] } },
    { desc: 'conditions merge by type', input: [{ conditions: [{ type: 'A', status: 'False' }] }, { conditions: [{ type: 'A', status: 'True' }] }], want: { conditions: [{ type: 'A', status: 'True' }] } },
    { desc: 'null deletes a key', input: [{ a: 1, b: 2 }, { a: null }], want: { b: 2 } },
    { desc: '$deleteFromPrimitiveList', input: [{ finalizers: ['a', 'b'] }, { '$deleteFromPrimitiveList/finalizers': ['a'] }], want: { finalizers: ['b'] } },
  ];
  for (const tc of cases) it(tc.desc, function () { assert.deepEqual(strategicMerge(tc.input[0], tc.input[1]), tc.want); });
});
