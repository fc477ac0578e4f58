// The alert rules in config/monitoring: Prometheus's own promtool checks them and runs their unit
// tests (one firing and one quiet case per alert, herald-rules.test.yaml); the PrometheusRule
// carries exactly the same groups; and every metric an alert reads is one a component exports
// (an alert on a misspelt metric never fires, and promtool cannot tell).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { skipUnless } from '@herald/testkit';
import { exportedMetrics, monitoringDir as dir, unknownMetrics } from './monitoring-files.js';

interface Rule { alert?: string; expr: string }
interface Groups { groups: { name: string; rules: Rule[] }[] }

const rules = (): Groups => YAML.parse(readFileSync(join(dir, 'herald-rules.yaml'), 'utf8')) as Groups;

describe('alert rules (config/monitoring)', function () {
  this.timeout(60_000);

  it('the PrometheusRule holds exactly the rules file', () => {
    const pr = YAML.parse(readFileSync(join(dir, 'prometheusrule.yaml'), 'utf8')) as { kind: string; spec: Groups };
    assert.equal(pr.kind, 'PrometheusRule');
    assert.deepEqual(pr.spec.groups, rules().groups);
  });

  it('every metric an alert reads is exported by a component, and every alert has a promtool test', () => {
    const exported = exportedMetrics();
    assert.ok(exported.size > 20, `found the metric definitions (${exported.size})`);
    const tests = readFileSync(join(dir, 'herald-rules.test.yaml'), 'utf8');
    const alerts = rules().groups.flatMap((g) => g.rules).filter((r) => r.alert);
    assert.ok(alerts.length >= 6);
    for (const r of alerts) {
      assert.deepEqual(unknownMetrics(r.expr, exported), [], `${r.alert} reads metrics nothing exports`);
      assert.match(tests, new RegExp(`alertname: ${r.alert}\\b`), `${r.alert} has a unit test`);
    }
  });

  describe('promtool', () => {
    before(function () {
      skipUnless(this, { tools: ['promtool'] });
    });
    it('check rules: valid', () => {
      const r = spawnSync('promtool', ['check', 'rules', join(dir, 'herald-rules.yaml')], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.match(r.stdout + r.stderr, /SUCCESS: 6 rules found/);
    });
    it('test rules: every case passes', () => {
      const r = spawnSync('promtool', ['test', 'rules', 'herald-rules.test.yaml'], { encoding: 'utf8', cwd: dir });
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.match(r.stdout + r.stderr, /SUCCESS/);
    });
  });
});
