import assert from 'node:assert/strict';
import { FakeClock } from '../src/clock.js';

describe('FakeClock', () => {
  it('fires timers in deadline order, including ones added while firing', () => {
    const c = new FakeClock(100);
    const fired: string[] = [];
    c.setTimeout(() => fired.push('b@30'), 30);
    c.setTimeout(() => {
      fired.push('a@10');
      c.setTimeout(() => fired.push('c@15'), 5);
    }, 10);
    const h = c.setTimeout(() => fired.push('never'), 20);
    c.clearTimeout(h);
    c.advance(50);
    assert.deepEqual(fired, ['a@10', 'c@15', 'b@30']);
    assert.equal(c.now(), 150);
    assert.equal(c.pending(), 0);
  });
});
