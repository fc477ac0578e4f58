// A real Prometheus for the lab (`herald-lab up --prometheus`): Debian's /usr/bin/prometheus in
// the management namespace, scraping every speaker's and the controller's /metrics on the lab
// network every second, with Herald's alert rules (config/monitoring/herald-rules.yaml) evaluated
// every second too, so tests see a change in seconds. It listens on the management host
// (192.0.2.2:9090); the host reaches it through a Unix socket both namespaces see, forwarded to a
// loopback port (as the API server is, the other way round). Its data lives in the lab dir.
import { stringify } from 'yaml';
import type { SitePlan } from './plan.js';

export const PROMETHEUS_BIN = '/usr/bin/prometheus';
export const PROMETHEUS_PORT = 9090;
/** Where a component serves /metrics in the lab (lab.ts starts them with --metrics-addr on it). */
export const METRICS_PORT = 7472;

/** The lab's prometheus.yml: one job for the controller, one for the speakers (labelled by node). */
export function prometheusConfig(p: SitePlan, rulesFile: string): string {
  return stringify({
    global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s', external_labels: { lab: p.prefix } },
    rule_files: [rulesFile],
    scrape_configs: [
      { job_name: 'herald-controller', static_configs: [{ targets: [`${p.mgmt.ip4}:${METRICS_PORT}`] }] },
      { job_name: 'herald-speaker', static_configs: p.nodes.map((n) => ({ targets: [`${n.ip4}:${METRICS_PORT}`], labels: { node: n.name } })) },
    ],
  });
}

/** The prometheus command line (its data and config in `dir`). */
export function prometheusArgs(p: SitePlan, configFile: string, dataDir: string): string[] {
  return [
    PROMETHEUS_BIN,
    `--config.file=${configFile}`,
    `--storage.tsdb.path=${dataDir}`,
    '--storage.tsdb.retention.time=1d',
    `--web.listen-address=${p.mgmt.ip4}:${PROMETHEUS_PORT}`,
    '--log.level=warn',
  ];
}
