#!/usr/bin/env node
// Runs every mocha suite of every workspace, one process per suite, and ends with one line:
// "N passed, N failed, N skipped". Exits non-zero if anything failed or a suite crashed.
//
// The last suite, conformance-real, runs against a real kube-apiserver (Debian's 1.20 source,
// built and cached by scripts/real-apiserver/build) with etcd on loopback: the conformance suite
// in KUBECONFIG mode, then the controller's allocation test. If it cannot build or start here it
// is one loud skip, unless HERALD_REQUIRE_REAL_APISERVER=1 (CI sets it), where that is a failure.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { needsRoot } from './suite-split.mjs';

const root = new URL('..', import.meta.url).pathname;
const only = process.argv.includes('--suite') ? process.argv[process.argv.indexOf('--suite') + 1] : undefined;

// Each suite: a name and the folder its compiled tests live in. Order: pure units first.
const suites = [
  { name: 'shared', dir: 'shared/dist/test' },
  { name: 'controller', dir: 'controller/dist/test' },
  { name: 'speaker', dir: 'speaker/dist/test' },
  { name: 'lab', dir: 'lab/dist/test', exclude: 'conformance' },
  { name: 'cli', dir: 'cli/dist/test' },
  // The benchmarks' own units (the statistics module, capture parsers); make bench runs the benches.
  { name: 'bench', dir: 'bench/dist/test' },
  { name: 'conformance', dir: 'lab/dist/test/conformance' },
  // The test/ workspace, split by what a file needs (scripts/suite-split.mjs): integration runs
  // without root (the embedded API server, no namespaces); e2e is the network tests, as root.
  { name: 'integration', dir: 'test/dist/test', exclude: ['image', 'chaos-run'], root: false },
  { name: 'e2e', dir: 'test/dist/test', exclude: ['image', 'chaos-run'], root: true },
  // The short seeded chaos (issue 14 item 2): 150 s of every fault kind in a lab of its own.
  { name: 'chaos', dir: 'test/dist/test/chaos-run' },
  // The container image: builds it (scripts/image/build.sh, cached) and runs the lab from it.
  { name: 'image', dir: 'test/dist/test/image' },
  {
    name: 'conformance-real',
    realServer: true,
    // In this order: the controller test first, while only its own LoadBalancer Services exist.
    paths: ['test/dist/test/controller/allocation-kubeconfig.test.js', 'test/dist/test/cli/cli-kubeconfig.test.js', 'lab/dist/test/conformance'],
  },
].filter((s) => only === undefined || s.name === only);
if (only !== undefined && suites.length === 0) {
  console.log(`!!! no suite named ${only}`);
  process.exit(2);
}

function findTests(dir, exclude = []) {
  const out = [];
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir)) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) {
      if (![exclude].flat().includes(entry)) out.push(...findTests(p, exclude));
    } else if (entry.endsWith('.test.js')) out.push(p);
  }
  return out.sort();
}

const total = { passed: 0, failed: 0, skipped: 0 };
const crashed = [];
const work = mkdtempSync(join(tmpdir(), 'herald-tests-'));
// A Ctrl-C reaches mocha too; we then still stop the real API server before exiting.
let interrupted = false;
process.on('SIGINT', () => { interrupted = true; });
process.on('SIGTERM', () => { interrupted = true; });

for (const suite of suites) {
  if (interrupted) break;
  if (suite.realServer) {
    runRealServerSuite(suite);
    continue;
  }
  const files = findTests(join(root, suite.dir), suite.exclude)
    .filter((f) => suite.root === undefined || needsRoot(readFileSync(f, 'utf8')) === suite.root);
  if (files.length === 0) {
    console.log(`\n=== ${suite.name}: no test files under ${suite.dir}`);
    continue;
  }
  console.log(`\n=== ${suite.name}: ${files.length} files`);
  // Only the conformance suite follows KUBECONFIG (DESIGN: make conformance); no other suite may
  // reach the cluster a developer's shell happens to point at.
  const env = { ...process.env };
  if (suite.name !== 'conformance') delete env.KUBECONFIG;
  runMocha(suite.name, files, env);
}

/** One mocha process over these files; adds its counts to the total (a crash counts as a failure). */
function runMocha(name, files, env) {
  const countsFile = join(work, `${name}.json`);
  const res = spawnSync(process.execPath, [
    join(root, 'node_modules/mocha/bin/mocha.js'),
    '--reporter', join(root, 'scripts/mocha-reporter.cjs'),
    '--timeout', '30000',
    // A leaked handle must not hang CI; leaks are still visible as slow exits in local runs.
    '--exit',
    ...files.map((f) => relative(root, f)),
  ], { cwd: root, stdio: 'inherit', env: { ...env, HERALD_TEST_COUNTS: countsFile } });
  if (!existsSync(countsFile)) {
    crashed.push(name);
    total.failed += 1;
    console.log(`!!! suite ${name} crashed before reporting (exit ${res.status ?? res.signal})`);
    return;
  }
  const c = JSON.parse(readFileSync(countsFile, 'utf8'));
  total.passed += c.passed; total.failed += c.failed; total.skipped += c.skipped;
}

/** Build (or reuse) kube-apiserver, start it with etcd, install the CRDs, run, always stop. */
function runRealServerSuite(suite) {
  const required = process.env.HERALD_REQUIRE_REAL_APISERVER === '1';
  const script = (name) => join(root, 'scripts/real-apiserver', name);
  const cannot = (why) => {
    if (required) {
      crashed.push(suite.name);
      total.failed += 1;
      console.log(`!!! suite ${suite.name} FAILED: ${why} (HERALD_REQUIRE_REAL_APISERVER=1, so this is a failure)`);
    } else {
      total.skipped += 1;
      console.log(`\n!!! SKIPPED suite ${suite.name}: ${why}\n`);
    }
  };
  const files = suite.paths.flatMap((p) => (p.endsWith('.js') ? (existsSync(join(root, p)) ? [join(root, p)] : []) : findTests(join(root, p))));
  console.log(`\n=== ${suite.name}: ${files.length} files, against a real kube-apiserver`);
  const build = spawnSync('bash', [script('build')], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  if (build.status !== 0) return cannot(`could not build or find kube-apiserver (scripts/real-apiserver/build exit ${build.status ?? build.signal}; its reason is above)`);
  const start = spawnSync('bash', [script('start')], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  const dir = (start.stdout ?? '').trim().split('\n').pop() ?? '';
  if (start.status !== 0 || dir === '') {
    crashed.push(suite.name);
    total.failed += 1;
    console.log(`!!! suite ${suite.name}: kube-apiserver did not start (scripts/real-apiserver/start exit ${start.status ?? start.signal})`);
    return;
  }
  try {
    const env = { ...process.env, KUBECONFIG: join(dir, 'kubeconfig') };
    // The 410 Gone case compacts etcd, so it needs etcd's client URL (start writes it to env).
    const etcdUrl = /^ETCD_URL=(.*)$/m.exec(readFileSync(join(dir, 'env'), 'utf8'))?.[1];
    if (etcdUrl) env.HERALD_CONFORMANCE_ETCD = etcdUrl;
    const crds = spawnSync(process.execPath, [script('install-crds.mjs')], { cwd: root, stdio: 'inherit', env });
    if (crds.status !== 0) {
      crashed.push(suite.name);
      total.failed += 1;
      console.log(`!!! suite ${suite.name}: installing Herald's CRDs failed (exit ${crds.status ?? crds.signal})`);
      return;
    }
    if (!interrupted) runMocha(suite.name, files, env);
  } finally {
    const stop = spawnSync('bash', [script('stop'), dir], { cwd: root, stdio: 'inherit' });
    if (stop.status !== 0) console.log(`!!! scripts/real-apiserver/stop ${dir} failed (exit ${stop.status}): stop etcd and kube-apiserver by hand`);
  }
}
if (crashed.length) console.log(`\nsuites that crashed: ${crashed.join(', ')}`);
if (interrupted) console.log('\n!!! interrupted');
console.log(`\n${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(interrupted ? 130 : total.failed > 0 ? 1 : 0);
