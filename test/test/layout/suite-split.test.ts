// The integration / e2e split of this workspace's tests (scripts/suite-split.mjs, issue 17 item 7):
// the rule on examples, and on every test file here, so a file that needs root or a namespace
// cannot land in the suite a developer without root runs.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const TESTS = join(ROOT, 'test', 'test');
const split = (await import(pathToFileURL(join(ROOT, 'scripts', 'suite-split.mjs')).href)) as { needsRoot(text: string): boolean };

/** What only a network e2e test does: make namespaces or run in them, open raw sockets, start the lab. */
const NETWORK = /(Topology\.create|nsRun\(|nsSpawn\(|'netns'|ip netns|Lab\.start\(|new PacketSocket)/;

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (e.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

describe('layout: integration and e2e suites of test/', () => {
  // Built from pieces, so that this file's own text does not declare root.
  const skip = (opts: string): string => `before(function () { skipUnless(this, { ${opts} }); });`;
  const cases: { desc: string; input: string; want: boolean }[] = [
    { desc: 'root and tools', input: skip("root: true, tools: ['ip', 'bird']"), want: true },
    { desc: 'root alone, compiled spacing', input: skip('root:true'), want: true },
    { desc: 'tools first, then root', input: skip('tools: CHAOS_TOOLS.bird, root: true'), want: true },
    { desc: 'a tool but no root', input: skip("tools: ['promtool']"), want: false },
    { desc: 'root: false', input: skip('root: false'), want: false },
    { desc: 'no skip at all', input: "describe('x', () => { it('y', () => undefined); });", want: false },
  ];
  for (const c of cases) it(`rule: ${c.desc}`, () => assert.equal(split.needsRoot(c.input), c.want));

  const files = existsSync(TESTS) ? walk(TESTS) : [];
  it('finds this workspace\'s test sources', () => assert.ok(files.length > 30, `found ${files.length} under ${TESTS}`));

  it('no integration test touches a namespace, raw socket, router or the lab', () => {
    const bad = files
      .filter((f) => !f.includes('/image/') && !f.includes('/chaos-run/') && !f.includes('/layout/'))
      .map((f) => ({ f, text: readFileSync(f, 'utf8') }))
      .filter(({ text }) => !split.needsRoot(text) && NETWORK.test(text))
      .map(({ f, text }) => `${f.slice(ROOT.length + 1)}: uses ${NETWORK.exec(text)?.[0]} but does not skipUnless({ root: true })`);
    assert.deepEqual(bad, []);
  });

  it('both suites are non-empty', () => {
    const e2e = files.filter((f) => split.needsRoot(readFileSync(f, 'utf8')));
    assert.ok(e2e.length >= 10, `e2e: ${e2e.length}`);
    assert.ok(files.length - e2e.length >= 10, `integration: ${files.length - e2e.length}`);
  });
});
