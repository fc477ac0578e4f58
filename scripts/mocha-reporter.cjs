// Spec output for people, plus the counts for scripts/run-tests.mjs, written to HERALD_TEST_COUNTS.
// Skipped tests (this.skip()) are counted as skipped, never as passed.
'use strict';
const fs = require('node:fs');
const Mocha = require('mocha');

class HeraldReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const counts = { passed: 0, failed: 0, skipped: 0 };
    runner.on(Mocha.Runner.constants.EVENT_TEST_PASS, () => { counts.passed++; });
    runner.on(Mocha.Runner.constants.EVENT_TEST_FAIL, () => { counts.failed++; });
    runner.on(Mocha.Runner.constants.EVENT_TEST_PENDING, () => { counts.skipped++; });
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const out = process.env.HERALD_TEST_COUNTS;
      if (out) fs.writeFileSync(out, JSON.stringify(counts));
    });
  }
}
module.exports = HeraldReporter;
