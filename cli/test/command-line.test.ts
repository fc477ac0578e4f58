// The command line itself: --help on every command, and `kubectl herald` through kubectl's own
// plugin discovery (a `kubectl-herald` executable on PATH), as an operator runs it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { skipUnless } from '@herald/testkit';
import { FIXTURES, REPO_ROOT } from './golden.js';
import { cli } from './run-cli.js';

describe('kubectl-herald command line', () => {
  const helps: { args: string[]; want: RegExp }[] = [
    { args: ['--help'], want: /Commands:[\s\S]*validate[\s\S]*migrate[\s\S]*status[\s\S]*explain/ },
    { args: ['validate', '--help'], want: /-f, --filename <file\|dir>[\s\S]*--cluster/ },
    { args: ['migrate', '--help'], want: /--from-namespace <ns>/ },
    { args: ['status', '--help'], want: /-w, --watch[\s\S]*--interval <seconds>/ },
    { args: ['explain', '--help'], want: /Commands:\n  service <ns\/name>/ },
    { args: ['explain', 'service', '--help'], want: /Usage: kubectl-herald explain service \[options\] <ns\/name>/ },
  ];
  for (const h of helps) {
    it(`${h.args.join(' ')}: help, exit 0`, async () => {
      const r = await cli(h.args);
      assert.equal(r.code, 0);
      assert.match(r.out, h.want);
    });
  }

  it('an unknown option or command exits non-zero with a message', async () => {
    for (const args of [['--nope'], ['frobnicate'], ['status', '--interval', '0'], ['status', '-o', 'xml']]) {
      const r = await cli(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.notEqual(r.err, '', args.join(' '));
    }
  });

  describe('through kubectl', () => {
    before(function () {
      skipUnless(this, { tools: ['kubectl'] });
    });
    const kubectl = (args: string[]) =>
      spawnSync('kubectl', ['herald', ...args], {
        encoding: 'utf8',
        timeout: 60_000,
        // kubectl finds plugins on PATH; node_modules/.bin holds kubectl-herald and the pinned node.
        env: { ...process.env, PATH: `${join(REPO_ROOT, 'node_modules/.bin')}:${process.env['PATH'] ?? ''}`, KUBECONFIG: '/nonexistent' },
      });
    it('kubectl herald validate: the plugin runs, with its exit codes', () => {
      const ok = kubectl(['validate', '-f', join(REPO_ROOT, 'config/samples')]);
      assert.equal(ok.status, 0, ok.stderr);
      assert.match(ok.stdout, /^valid: /m);
      const bad = kubectl(['validate', '-f', join(FIXTURES, 'broken')]);
      assert.equal(bad.status, 1, bad.stderr);
      assert.match(bad.stdout, /^BGPPeer herald-system\/no-asn spec\.peerASN: required$/m);
    });
  });
});
