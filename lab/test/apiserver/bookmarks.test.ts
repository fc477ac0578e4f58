import { strict as assert } from 'node:assert';
import { bookmarkObject, bookmarkRv, nextBookmarkAt } from '../../src/apiserver/bookmarks.js';

describe('apiserver/bookmarks', function () {
  const minute = 60_000;
  const cases: { desc: string; now: number; deadline: number; want: number | undefined }[] = [
    { desc: 'timeoutSeconds=10: 2 s before the deadline', now: 0, deadline: 10_000, want: 8_000 },
    { desc: 'timeoutSeconds=4: at 2 s', now: 0, deadline: 4_000, want: 2_000 },
    { desc: 'timeoutSeconds=1: the pre-timeout time is already past, none', now: 0, deadline: 1_000, want: undefined },
    { desc: 'a 30 min watch: every minute', now: 0, deadline: 30 * minute, want: minute },
    { desc: 'after the pre-timeout bookmark: none more', now: 8_000, deadline: 10_000, want: 8_000 },
    { desc: 'just after it', now: 8_001, deadline: 10_000, want: undefined },
  ];
  for (const tc of cases) {
    it(`next bookmark: ${tc.desc}`, function () {
      assert.equal(nextBookmarkAt(tc.now, tc.deadline, minute), tc.want);
    });
  }

  const rvCases: { desc: string; last: number; start: number; want: number | undefined }[] = [
    { desc: 'the resource changed after the watch began: its newest version', last: 42, start: 40, want: 42 },
    { desc: 'no change since the watch began: dropped', last: 40, start: 40, want: undefined },
    { desc: 'last change older than the watch: dropped', last: 12, start: 40, want: undefined },
  ];
  for (const tc of rvCases) {
    it(`bookmark version: ${tc.desc}`, function () {
      assert.equal(bookmarkRv(tc.last, tc.start), tc.want);
    });
  }

  it('writes the object as Go does: kind, apiVersion, metadata {resourceVersion, creationTimestamp: null}', function () {
    assert.equal(JSON.stringify(bookmarkObject('ConfigMap', 'v1', 7)), '{"kind":"ConfigMap","apiVersion":"v1","metadata":{"resourceVersion":"7","creationTimestamp":null}}');
  });
});
