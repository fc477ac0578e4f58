// `herald-lab down` removes what the lab's API server stored, so the next `up` starts clean
// (issue 14: after three bursts `up` restored 3,004 Services from a 70 MB state file and was not
// ready after 120 s); `down --keep-state` keeps it, and `up` then says that it restores.
// Through the real command, in a lab directory and namespace prefix of its own.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { skipUnless } from '@herald/testkit';

const bin = fileURLToPath(new URL('../../../../lab/dist/src/bin.js', import.meta.url));

describe('herald-lab up/down and the API server state', function () {
  this.timeout(400_000);
  let dir = '';
  const env = { ...process.env, HERALD_LAB_PREFIX: `hls${process.pid % 100000}` };

  const lab = (...args: string[]): { status: number | null; out: string } => {
    const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...env, HERALD_LAB_DIR: dir }, timeout: 180_000 });
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
  };
  const stateFiles = (): string[] => (existsSync(dir) ? readdirSync(dir).filter((f) => f.startsWith('apiserver-state.json')) : []);
  const core = (): CoreV1Api => {
    const kc = new KubeConfig();
    kc.loadFromFile(join(dir, 'kubeconfig'));
    return kc.makeApiClient(CoreV1Api);
  };

  before(function () {
    skipUnless(this, { root: true, tools: ['ip', 'nft', 'bird', 'birdc'] });
    dir = mkdtempSync(join(tmpdir(), 'herald-lab-state-'));
  });
  after(() => {
    if (dir) {
      lab('down');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('down --keep-state keeps the objects and up says it restores them; down removes them', async () => {
    const up1 = lab('up');
    assert.equal(up1.status, 0, up1.out);
    assert.doesNotMatch(up1.out, /restoring/);
    await core().createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'kept' }, data: { a: 'b' } } });
    const down1 = lab('down', '--keep-state');
    assert.equal(down1.status, 0, down1.out);
    assert.match(down1.out, /kept the API server's objects/);
    assert.ok(stateFiles().length > 0, 'the state is kept');

    const up2 = lab('up');
    assert.equal(up2.status, 0, up2.out);
    assert.match(up2.out, /restoring the API server's objects from apiserver-state\.json/);
    const cm = await core().readNamespacedConfigMap({ namespace: 'default', name: 'kept' });
    assert.equal(cm.data?.['a'], 'b', 'restored');

    const down2 = lab('down');
    assert.equal(down2.status, 0, down2.out);
    assert.deepEqual(stateFiles(), [], 'down removes the stored objects');
  });
});
