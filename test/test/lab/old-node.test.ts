// The commands started by an older Node first on PATH (the machine's Node 20: the bins say
// `#!/usr/bin/env node`): each runs again on the repository's pinned Node 24 and works, with its
// exit code; with the re-run refused (the loop guard) it says what to do instead of crashing.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const OLD_NODES = ['/usr/bin/node', '/usr/local/bin/node'];

/** A node binary older than 24 on this machine, or why there is none. */
function oldNode(): { path: string; version: string } | string {
  for (const p of OLD_NODES) {
    if (!existsSync(p)) continue;
    const v = spawnSync(p, ['--version'], { encoding: 'utf8' }).stdout.trim();
    if (Number(v.replace(/^v/, '').split('.')[0]) < 24) return { path: p, version: v };
  }
  return `no Node older than 24 at ${OLD_NODES.join(' or ')}`;
}

describe('the commands under an older Node on PATH', function () {
  this.timeout(60_000);
  const old = oldNode();
  before(function () {
    if (typeof old === 'string') {
      process.stderr.write(`\n!!! SKIPPED "the commands under an older Node on PATH": ${old}\n\n`);
      this.skip();
    }
  });

  const run = (bin: string, args: string[], env: Record<string, string> = {}) => {
    if (typeof old === 'string') throw new Error(old);
    return spawnSync(old.path, [join(root, 'node_modules', '.bin', bin), ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 30_000 });
  };

  for (const [bin, banner] of [['herald-lab', 'herald-lab: a bare-metal site'], ['herald-speaker', 'herald-speaker: makes'], ['herald-controller', 'herald-controller: hands out']] as const) {
    it(`${bin} --help runs on the pinned Node 24`, () => {
      const r = run(bin, ['--help']);
      assert.equal(r.status, 0, r.stderr);
      assert.ok(r.stdout.startsWith(banner), r.stdout.slice(0, 200));
    });
  }

  it('node_modules/.bin/herald-lab runs as README says, with the older Node first on PATH', () => {
    if (typeof old === 'string') throw new Error(old);
    const path = `${dirname(old.path)}:${process.env['PATH'] ?? ''}`;
    for (const bin of ['herald-lab', 'herald-speaker', 'herald-controller', 'kubectl-herald']) {
      const r = spawnSync(join(root, 'node_modules', '.bin', bin), ['--help'], { encoding: 'utf8', env: { ...process.env, PATH: path }, timeout: 30_000 });
      assert.equal(r.error, undefined, `${bin}: ${String(r.error)} (is the bin executable?)`);
      assert.equal(r.status, 0, `${bin}: ${r.stderr}`);
    }
  });

  it("the pinned Node's exit code comes back (an unknown lab command: 1, with its own message)", () => {
    const r = run('herald-lab', ['no-such-command']);
    assert.equal(r.status, 1);
    assert.doesNotMatch(r.stderr, /needs Node\.js/);
  });

  it('with the re-run refused, it says which Node it needs and how to run it', () => {
    const r = run('herald-lab', ['--help'], { HERALD_NODE_REEXEC: 'v0' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /herald-lab needs Node\.js 24 or newer, and this is v\d+.*npx herald-lab/);
  });
});
