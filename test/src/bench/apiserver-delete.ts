// Bench: `kubectl apply -f` and `kubectl delete -f` of 1,000 Services + 1,000 EndpointSlices
// against the embedded API server, wall time of each. There is no real kube-apiserver here, so
// each row carries kubectl's own figures (requests sent, time its client-side rate limiter held
// requests back, from its -v=6 log) and the server's time per request (p50/p99/max, measured in
// the server), which together say where the wall time goes. `delete --wait=false` is the
// reference: the same deletes without kubectl's wait.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@herald/shared';
import { missingTools } from '@herald/testkit';
import { startApiServer, type RequestRecord } from '@herald/lab';
import { percentile } from '@herald/bench/stats';

interface Row {
  what: string;
  value: string;
  target: string;
}

const N = 1000;
const NS = 'bench-delete';
/** Every kubectl run is bounded: the default-wait delete of 2,000 objects takes ~7 min. */
const KUBECTL_TIMEOUT_MS = 15 * 60_000;

function manifests(): string {
  const docs: string[] = [];
  for (let i = 0; i < N; i++) {
    docs.push([
      'apiVersion: v1', 'kind: Service', `metadata: {name: s${i}, namespace: ${NS}}`,
      `spec: {ipFamilies: [IPv6], ports: [{name: http, port: 80}], selector: {app: s${i}}}`,
    ].join('\n'));
    docs.push([
      'apiVersion: discovery.k8s.io/v1', 'kind: EndpointSlice',
      `metadata: {name: s${i}-a, namespace: ${NS}, labels: {kubernetes.io/service-name: s${i}}}`,
      'addressType: IPv6', 'ports: [{name: http, port: 80, protocol: TCP}]',
      `endpoints: [{addresses: ["2001:db8:1::${(i + 1).toString(16)}"], conditions: {ready: true}}]`,
    ].join('\n'));
  }
  return `${docs.join('\n---\n')}\n`;
}

interface KubectlRun {
  wallMs: number;
  code: number | null;
  /** HTTP requests kubectl logged (round_trippers lines with a status). */
  requests: number;
  /** Sum of "Waited for X due to client-side throttling". */
  throttledMs: number;
  throttledRequests: number;
  stderrTail: string;
}

/** Runs kubectl with -v=6 and reads its request and throttling lines. */
function kubectl(kubeconfig: string, args: readonly string[]): Promise<KubectlRun> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn('kubectl', ['--kubeconfig', kubeconfig, '-v=6', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let requests = 0;
    let throttledMs = 0;
    let throttledRequests = 0;
    let partial = '';
    let tail = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), KUBECTL_TIMEOUT_MS);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) {
        const w = /Waited for ([0-9.]+)(ms|s|µs) due to client-side throttling/.exec(l);
        if (w?.[1] !== undefined) {
          throttledRequests++;
          throttledMs += Number(w[1]) * (w[2] === 's' ? 1000 : w[2] === 'µs' ? 0.001 : 1);
        } else if (/round_trippers\.go:\d+\].* (GET|POST|PUT|PATCH|DELETE) http/.test(l) || /"Response" verb=/.test(l)) requests++;
        else if (!l.includes('] ')) tail = l;
      }
    });
    child.once('error', (e) => { clearTimeout(timer); reject(e); });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ wallMs: performance.now() - t0, code, requests, throttledMs, throttledRequests, stderrTail: tail });
    });
  });
}

function serverFigures(recs: readonly RequestRecord[]): string {
  const ms = recs.filter((r) => !r.watch).map((r) => r.ms);
  if (ms.length === 0) return 'server: no requests';
  const f = (x: number): string => x.toFixed(x >= 10 ? 0 : 2);
  const busy = ms.reduce((a, b) => a + b, 0) / 1000;
  return `server: ${ms.length} requests, p50 ${f(percentile(ms, 50))} ms, p99 ${f(percentile(ms, 99))} ms, max ${f(Math.max(...ms))} ms, ${busy.toFixed(1)} s in all`;
}

function kubectlFigures(r: KubectlRun): string {
  const fail = r.code === 0 ? '' : ` (kubectl exit ${String(r.code)}: ${r.stderrTail.slice(0, 120)})`;
  return `kubectl: ${r.requests} requests, ${r.throttledRequests} held by its client-side rate limiter for ${(r.throttledMs / 1000).toFixed(1)} s${fail}`;
}

export async function benchApiServerDelete(): Promise<{ rows: Row[] }> {
  if (missingTools(['kubectl']).length > 0) {
    return { rows: [{ what: 'SKIPPED: kubectl is not installed', value: '-', target: '-' }] };
  }
  const dir = mkdtempSync(join(tmpdir(), 'bench-apiserver-delete-'));
  let recs: RequestRecord[] = [];
  const server = await startApiServer({ logger: createLogger({ component: 'apiserver', level: 'error' }), onRequest: (r) => recs.push(r) });
  try {
    const kc = join(dir, 'kubeconfig');
    await server.writeKubeconfig(kc);
    const file = join(dir, 'objects.yaml');
    writeFileSync(file, manifests());
    // Not `kubectl create namespace`: that sends protobuf, which the embedded server does not decode.
    const ns = await fetch(`${server.url}/api/v1/namespaces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ metadata: { name: NS } }) });
    if (ns.status !== 201) throw new Error(`creating namespace ${NS}: HTTP ${ns.status} ${await ns.text()}`);
    const rows: Row[] = [];
    const step = async (what: string, args: readonly string[]): Promise<void> => {
      recs = [];
      const r = await kubectl(kc, args);
      rows.push({ what, value: `${(r.wallMs / 1000).toFixed(1)} s`, target: `${kubectlFigures(r)}; ${serverFigures(recs)}` });
    };
    const objects = `${N} Services + ${N} EndpointSlices`;
    await step(`kubectl apply -f: ${objects}`, ['apply', '-f', file]);
    await step(`kubectl delete -f: ${objects} (default --wait: one GET per object until it is gone)`, ['delete', '-f', file]);
    await step(`kubectl apply -f again: ${objects}`, ['apply', '-f', file]);
    await step(`reference: kubectl delete -f --wait=false: ${objects}`, ['delete', '-f', file, '--wait=false']);
    return { rows };
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
