// How scripts/run-tests.mjs splits the test/ workspace's tests (issue 17 item 7) into
//   integration: no root, no network namespace: the embedded API server, parsers, the chaos
//                planner. A developer without root runs all of it (--suite integration).
//   e2e:         network end-to-end tests in namespaces the test creates (root, ip, routers).
// The split is the declaration each file already makes for its loud skip: a file whose
// skipUnless(...) asks for `root: true` is e2e; every other file is integration.
// test/test/layout/suite-split.test.ts checks the rule against the sources (an integration file
// that touches a namespace fails it). Pure: no I/O, so the test can import it.

/** Whether a test file's text (source or compiled) declares that it needs root. */
export function needsRoot(text) {
  return /skipUnless\(\s*this\s*,\s*\{[^}]*\broot:\s*true/.test(text);
}
