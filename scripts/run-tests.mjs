#!/usr/bin/env node
// Runs every mocha suite of every workspace, one process per suite, and ends with one line:
// "N passed, N failed, N skipped". Exits non-zero if anything failed or a suite crashed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const only = process.argv.includes('--suite') ? process.argv[process.argv.indexOf('--suite') + 1] : undefined;

// Each suite: a name and the folder its compiled tests live in. Order: pure units first.
const suites = [
  { name: 'shared', dir: 'shared/dist/test' },
  { name: 'controller', dir: 'controller/dist/test' },
  { name: 'speaker', dir: 'speaker/dist/test' },
  { name: 'lab', dir: 'lab/dist/test', exclude: 'conformance' },
  { name: 'conformance', dir: 'lab/dist/test/conformance' },
  { name: 'e2e', dir: 'test/dist/test' },
].filter((s) => only === undefined || s.name === only);

function findTests(dir, exclude) {
  const out = [];
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir)) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) {
      if (entry !== exclude) out.push(...findTests(p, exclude));
    } else if (entry.endsWith('.test.js')) out.push(p);
  }
  return out.sort();
}

const total = { passed: 0, failed: 0, skipped: 0 };
const crashed = [];
const work = mkdtempSync(join(tmpdir(), 'herald-tests-'));
for (const suite of suites) {
  const files = findTests(join(root, suite.dir), suite.exclude);
  if (files.length === 0) {
    console.log(`\n=== ${suite.name}: no test files under ${suite.dir}`);
    continue;
  }
  console.log(`\n=== ${suite.name}: ${files.length} files`);
  const countsFile = join(work, `${suite.name}.json`);
  const res = spawnSync(process.execPath, [
    join(root, 'node_modules/mocha/bin/mocha.js'),
    '--reporter', join(root, 'scripts/mocha-reporter.cjs'),
    '--timeout', '30000',
    // A leaked handle must not hang CI; leaks are still visible as slow exits in local runs.
    '--exit',
    ...files.map((f) => relative(root, f)),
  ], { cwd: root, stdio: 'inherit', env: { ...process.env, HERALD_TEST_COUNTS: countsFile } });
  if (!existsSync(countsFile)) {
    crashed.push(suite.name);
    total.failed += 1;
    console.log(`!!! suite ${suite.name} crashed before reporting (exit ${res.status ?? res.signal})`);
    continue;
  }
  const c = JSON.parse(readFileSync(countsFile, 'utf8'));
  total.passed += c.passed; total.failed += c.failed; total.skipped += c.skipped;
}
if (crashed.length) console.log(`\nsuites that crashed: ${crashed.join(', ')}`);
console.log(`\n${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(total.failed > 0 ? 1 : 0);
