// The lab starts each component with the memory settings its manifest gives it (deployed.ts):
// read from the real config/ files, so a change there reaches the lab and the benches.
import assert from 'node:assert/strict';
import { deployedEnv, deployedNodeOptions } from '../../src/site/deployed.js';

const cases: { desc: string; component: 'controller' | 'speaker'; want: RegExp }[] = [
  { desc: 'controller: heap cap and 1 MB semi-spaces', component: 'controller', want: /^--max-old-space-size=\d+ --max-semi-space-size=1$/ },
  { desc: 'speaker: heap cap and 1 MB semi-spaces', component: 'speaker', want: /^--max-old-space-size=\d+ --max-semi-space-size=1$/ },
];

describe('deployedEnv: the manifests\' memory settings', () => {
  for (const c of cases) {
    it(c.desc, () => {
      const env = deployedEnv(c.component);
      assert.match(env.NODE_OPTIONS ?? '', c.want);
      assert.equal(deployedNodeOptions(c.component), env.NODE_OPTIONS);
      assert.equal(env.MALLOC_ARENA_MAX, '1');
    });
  }
});
