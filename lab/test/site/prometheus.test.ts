// The lab's Prometheus config (site/prometheus.ts): it scrapes the controller and every node's
// speaker at the addresses the lab starts them on, every second, and loads Herald's rules; and
// Prometheus's own promtool accepts it, rule file included.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { skipUnless } from '@herald/testkit';
import { repoRoot } from '../../src/site/cluster.js';
import { sitePlan } from '../../src/site/plan.js';
import { prometheusArgs, prometheusConfig } from '../../src/site/prometheus.js';

interface Scrape { job_name: string; static_configs: { targets: string[]; labels?: Record<string, string> }[] }
interface PromConfig { global: Record<string, string>; rule_files: string[]; scrape_configs: Scrape[] }

const rules = join(repoRoot(), 'config/monitoring/herald-rules.yaml');

describe('lab: the Prometheus config', () => {
  const cases = [1, 3, 8].map((nodes) => ({ desc: `${nodes} node(s)`, plan: sitePlan({ nodes }) }));
  for (const c of cases) {
    it(`${c.desc}: scrapes the controller on mgmt and every speaker, each second, with Herald's rules`, () => {
      const cfg = YAML.parse(prometheusConfig(c.plan, rules)) as PromConfig;
      assert.equal(cfg.global['scrape_interval'], '1s');
      assert.equal(cfg.global['evaluation_interval'], '1s');
      assert.deepEqual(cfg.rule_files, [rules]);
      const jobs = Object.fromEntries(cfg.scrape_configs.map((s) => [s.job_name, s.static_configs]));
      assert.deepEqual(jobs['herald-controller'], [{ targets: ['192.0.2.2:7472'] }]);
      assert.deepEqual(
        jobs['herald-speaker'],
        c.plan.nodes.map((n) => ({ targets: [`${n.ip4}:7472`], labels: { node: n.name } })),
      );
    });
  }

  it('listens on the management host, data where it is told', () => {
    const args = prometheusArgs(sitePlan({}), '/x/prometheus.yml', '/x/data');
    assert.ok(args.includes('--web.listen-address=192.0.2.2:9090'));
    assert.ok(args.includes('--storage.tsdb.path=/x/data'));
    assert.ok(args.includes('--config.file=/x/prometheus.yml'));
  });

  describe('promtool', () => {
    before(function () {
      skipUnless(this, { tools: ['promtool'] });
    });
    it('check config: valid, rule file included', () => {
      const dir = mkdtempSync(join(tmpdir(), 'herald-prom-config-'));
      try {
        const f = join(dir, 'prometheus.yml');
        writeFileSync(f, prometheusConfig(sitePlan({}), rules));
        const r = spawnSync('promtool', ['check', 'config', f], { encoding: 'utf8' });
        assert.equal(r.status, 0, r.stdout + r.stderr);
        assert.match(r.stdout + r.stderr, /SUCCESS: 6 rules found/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
