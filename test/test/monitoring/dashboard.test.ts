// The Grafana dashboard (config/monitoring/grafana-dashboard.json), offline: a current schema,
// a datasource variable every panel and query uses (no fixed datasource), no instance names
// fixed in a query, and every query reads only metrics a component exports. That every query
// returns data from the real components is proven on the lab (prometheus-lab.test.ts).
import assert from 'node:assert/strict';
import { dashboard, dashboardQueries, exportedMetrics, unknownMetrics } from './monitoring-files.js';

describe('Grafana dashboard (config/monitoring)', () => {
  const d = dashboard();
  const queries = dashboardQueries(d);

  it('has a current schema, a uid and a Prometheus datasource variable', () => {
    assert.ok(d.schemaVersion >= 39, `schemaVersion ${d.schemaVersion}`);
    assert.equal(d.uid, 'herald');
    const v = d.templating.list.find((x) => x.name === 'datasource');
    assert.deepEqual(v && { type: v.type, query: v.query }, { type: 'datasource', query: 'prometheus' });
  });

  it('every panel and query uses the datasource variable, and no query names an instance', () => {
    const panels = d.panels.filter((p) => p.type !== 'row');
    assert.ok(panels.length >= 12, `found the panels (${panels.length})`);
    assert.ok(queries.length >= panels.length);
    for (const p of panels) assert.equal(p.datasource?.uid, '${datasource}', p.title);
    for (const p of panels) for (const t of p.targets ?? []) assert.equal(t.datasource?.uid, '${datasource}', `${p.title} ${t.refId}`);
    for (const q of queries) assert.doesNotMatch(q.expr, /instance\s*=~?\s*"/, `${q.panel} ${q.refId} fixes an instance`);
  });

  it('covers what issue 16 asks for', () => {
    const text = queries.map((q) => q.expr).join('\n');
    for (const m of ['herald_bgp_session_up', 'herald_speaker_announced', 'herald_speaker_ip_unannounceable', 'herald_controller_pool_addresses_in_use', 'herald_config_valid', 'herald_speaker_membership_self_fences_total', 'herald_speaker_packet_thread_lag_seconds', 'herald_speaker_packet_thread_heap_used_bytes', 'herald_controller_api_writes_total', 'herald_kube_api_retries_total', 'herald_speaker_reconcile_duration_seconds_bucket', 'herald_controller_reconcile_duration_seconds_bucket'])
      assert.ok(text.includes(m), `a panel reads ${m}`);
  });

  it('every query reads only metrics a component exports', () => {
    const exported = exportedMetrics();
    assert.ok(exported.size > 20, `found the metric definitions (${exported.size})`);
    for (const q of queries) {
      assert.match(q.expr, /herald_/, `${q.panel} ${q.refId} reads a Herald metric`);
      assert.deepEqual(unknownMetrics(q.expr, exported), [], `${q.panel} ${q.refId} reads metrics nothing exports`);
    }
  });
});
