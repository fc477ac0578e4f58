// Graceful stop: the listener closes, open watch streams stay alive until close().
import { strict as assert } from 'node:assert';
import { request } from 'node:http';
import { createLogger } from '@herald/shared';
import { startApiServer } from '../../src/apiserver/index.js';
import { parseApiserverArgs } from '../../src/cli/apiserver.js';

describe('apiserver: graceful stop', function () {
  it('stops accepting connections but keeps an open watch until close()', async function () {
    const s = await startApiServer({ logger: createLogger({ component: 'apiserver', level: 'error' }) });
    let ended = false;
    const opened = new Promise<void>((resolve, reject) => {
      const req = request(`${s.url}/api/v1/namespaces?watch=true`, (res) => {
        res.on('data', () => undefined);
        res.on('end', () => { ended = true; });
        resolve();
      });
      req.on('error', reject);
      req.end();
    });
    await opened;
    assert.equal(s.watchCount(), 1);
    await s.stopListening();
    await assert.rejects(fetch(`${s.url}/version`), 'new connections are refused');
    assert.equal(s.watchCount(), 1, 'the watch is still open');
    assert.equal(ended, false);
    await s.close();
    for (let i = 0; i < 50 && !ended; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(ended, true, 'close() ends the watch');
  });
});

describe('cli/apiserver: arguments', function () {
  const cases: { desc: string; input: string[]; want?: object; wantError?: RegExp }[] = [
    { desc: 'minimal', input: ['--port', '0', '--kubeconfig-out', 'k'],
      want: { port: 0, host: '127.0.0.1', kubeconfigOut: 'k', stateFile: undefined, historyWindow: undefined, shutdownGraceSeconds: 5, maxRequestsInflight: 400, maxMutatingRequestsInflight: 200, force429: undefined } },
    { desc: 'all flags', input: ['--port', '6443', '--host', '192.0.2.1', '--kubeconfig-out', 'k', '--state-file', 's', '--history-window', '100', '--shutdown-grace-seconds', '0',
      '--max-requests-inflight', '10', '--max-mutating-requests-inflight', '0', '--force-429', 'every=3,watches,status'],
      want: { port: 6443, host: '192.0.2.1', kubeconfigOut: 'k', stateFile: 's', historyWindow: 100, shutdownGraceSeconds: 0, maxRequestsInflight: 10, maxMutatingRequestsInflight: 0,
        force429: { type: 'every', n: 3, watches: true, form: 'status' } } },
    { desc: 'a forced window', input: ['--port', '1', '--kubeconfig-out', 'k', '--force-429', 'window-ms=2000'],
      want: { port: 1, host: '127.0.0.1', kubeconfigOut: 'k', stateFile: undefined, historyWindow: undefined, shutdownGraceSeconds: 5, maxRequestsInflight: 400, maxMutatingRequestsInflight: 200, force429: { type: 'window', ms: 2000 } } },
    { desc: 'a bad forced rule', input: ['--port', '1', '--kubeconfig-out', 'k', '--force-429', 'every=0'], wantError: /--force-429 wants/ },
    { desc: 'an unknown forced option', input: ['--port', '1', '--kubeconfig-out', 'k', '--force-429', 'next=2,loud'], wantError: /unknown option "loud"/ },
    { desc: 'missing port', input: ['--kubeconfig-out', 'k'], wantError: /--port is required/ },
    { desc: 'missing kubeconfig', input: ['--port', '1'], wantError: /--kubeconfig-out is required/ },
    { desc: 'bad port', input: ['--port', 'x', '--kubeconfig-out', 'k'], wantError: /--port wants an integer/ },
    { desc: 'unknown flag', input: ['--nope'], wantError: /unknown argument/ },
  ];
  for (const tc of cases) {
    it(tc.desc, function () {
      if (tc.wantError) assert.throws(() => parseApiserverArgs(tc.input), tc.wantError);
      else assert.deepEqual(parseApiserverArgs(tc.input), tc.want);
    });
  }
});
