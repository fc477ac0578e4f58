import assert from 'node:assert/strict';
import { createLogger, parseLogLevel } from '../src/log.js';

describe('log', () => {
  const now = () => new Date('2026-01-02T03:04:05.000Z');

  it('writes one JSON object per line with component, event and fields', () => {
    const lines: string[] = [];
    const log = createLogger({ component: 'controller', sink: (l) => lines.push(l), now });
    log.info('allocated', { service: 'default/web', ip: '192.0.2.10' });
    assert.deepEqual(lines.map((l) => JSON.parse(l)), [
      { ts: '2026-01-02T03:04:05.000Z', level: 'info', component: 'controller', event: 'allocated', service: 'default/web', ip: '192.0.2.10' },
    ]);
  });

  it('drops lines below the level', () => {
    const lines: string[] = [];
    const log = createLogger({ component: 'c', level: 'warn', sink: (l) => lines.push(l), now });
    log.debug('a');
    log.info('b');
    log.warn('c');
    log.error('d');
    assert.deepEqual(lines.map((l) => (JSON.parse(l) as { event: string }).event), ['c', 'd']);
  });

  it('child loggers add fields, errors keep message and cause', () => {
    const lines: string[] = [];
    const log = createLogger({ component: 'speaker', sink: (l) => lines.push(l), now }).child({ node: 'node1' });
    log.error('failed', { err: new Error('outer', { cause: new Error('inner') }) });
    const rec = JSON.parse(lines[0]!);
    assert.equal(rec.node, 'node1');
    assert.deepEqual(rec.err, { message: 'outer', name: 'Error', cause: { message: 'inner', name: 'Error' } });
  });

  const levels: { input: string; want?: string; wantError?: RegExp }[] = [
    { input: 'debug', want: 'debug' },
    { input: 'error', want: 'error' },
    { input: 'verbose', wantError: /invalid log level "verbose"/ },
  ];
  for (const c of levels) {
    it(`parseLogLevel(${c.input})`, () => {
      if (c.wantError) assert.throws(() => parseLogLevel(c.input), c.wantError);
      else assert.equal(parseLogLevel(c.input), c.want);
    });
  }
});
