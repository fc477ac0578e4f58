// Shared set-up of the conformance suite. Without KUBECONFIG it starts the embedded API server
// once (small history window, so 410 can be forced); with KUBECONFIG every case runs against
// that real server instead. Cases use unique namespaces and delete them afterwards.
import * as http from 'node:http';
import * as https from 'node:https';
import {
  ApiextensionsV1Api, CoordinationV1Api, CoreV1Api, CustomObjectsApi, EventsV1Api, KubeConfig,
} from '@kubernetes/client-node';
import { startApiServer, type ApiServer } from '../../src/apiserver/index.js';
import { createLogger } from '@herald/shared';

export const HISTORY_WINDOW = 500;
/** The embedded server drops a list snapshot once this much was written after it (forces 410). */
export const SNAPSHOT_BYTES = 1024 * 1024;

export interface Ctx {
  kc: KubeConfig;
  real: boolean;
  server: string;
  core: CoreV1Api;
  coord: CoordinationV1Api;
  custom: CustomObjectsApi;
  ext: ApiextensionsV1Api;
  events: EventsV1Api;
}

let embedded: ApiServer | undefined;
const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 64 });
let ctxPromise: Promise<Ctx> | undefined;
const namespaces: string[] = [];

export function ctx(): Promise<Ctx> {
  ctxPromise ??= (async () => {
    const kc = new KubeConfig();
    let real = false;
    if (process.env['KUBECONFIG']) {
      kc.loadFromDefault();
      real = true;
    } else {
      embedded = await startApiServer({ historyWindow: HISTORY_WINDOW, listSnapshots: { maxBytesAfter: SNAPSHOT_BYTES }, logger: createLogger({ component: 'apiserver', level: 'warn' }) });
      kc.loadFromString(embedded.kubeconfigYaml());
    }
    const server = kc.getCurrentCluster()?.server ?? '';
    return {
      kc, real, server,
      core: kc.makeApiClient(CoreV1Api), coord: kc.makeApiClient(CoordinationV1Api),
      custom: kc.makeApiClient(CustomObjectsApi), ext: kc.makeApiClient(ApiextensionsV1Api),
      events: kc.makeApiClient(EventsV1Api),
    };
  })();
  return ctxPromise;
}

export interface RawReply {
  status: number;
  /** The response's Content-Type ('' if none). */
  contentType: string;
  text: string;
  body: any;
}

/** A raw HTTP request (auth and TLS from the kubeconfig). */
export async function raw(method: string, path: string, body?: unknown, contentType = 'application/json', accept = 'application/json'): Promise<RawReply> {
  const c = await ctx();
  const url = new URL(c.server + path);
  const opts: https.RequestOptions = { method, headers: {} };
  await c.kc.applyToHTTPSOptions(opts);
  const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  opts.headers = { ...(opts.headers as Record<string, string>), 'Content-Type': contentType, Accept: accept };
  if (payload) (opts.headers as Record<string, string | number>)['Content-Length'] = payload.length;
  const mod = url.protocol === 'https:' ? https : http;
  opts.agent = url.protocol === 'https:' ? httpsAgent : httpAgent;
  return new Promise<RawReply>((resolve, reject) => {
    const req = mod.request(url, opts, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: any;
        try { parsed = JSON.parse(text); } catch { parsed = undefined; }
        resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'] ?? '', text, body: parsed });
      });
      res.on('error', reject);
    });
    req.setTimeout(20_000, () => req.destroy(new Error(`timeout on ${method} ${path}`)));
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

/** Reads a watch stream until it ends or `max` events or `ms` pass; returns the events. */
export async function watchEvents(path: string, opts: { max?: number; ms?: number; onOpen?: () => Promise<void> } = {}): Promise<any[]> {
  const c = await ctx();
  const url = new URL(c.server + path);
  const o: https.RequestOptions = { method: 'GET', headers: {} };
  await c.kc.applyToHTTPSOptions(o);
  const mod = url.protocol === 'https:' ? https : http;
  const max = opts.max ?? Infinity;
  const ms = opts.ms ?? 10_000;
  return new Promise<any[]>((resolve, reject) => {
    const events: any[] = [];
    let buf = '';
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.destroy();
      resolve(events);
    };
    const timer = setTimeout(finish, ms);
    const req = mod.request(url, o, (res) => {
      if (res.statusCode !== 200) {
        done = true;
        clearTimeout(timer);
        reject(new Error(`watch ${path}: HTTP ${res.statusCode}`));
        res.resume();
        return;
      }
      res.on('data', (d: Buffer) => {
        buf += d.toString('utf8');
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (line.trim() !== '') events.push(JSON.parse(line));
          if (events.length >= max) finish();
        }
      });
      res.on('end', finish);
      res.on('close', finish);
      if (opts.onOpen) opts.onOpen().catch((e: unknown) => { done = true; clearTimeout(timer); req.destroy(); reject(e instanceof Error ? e : new Error(String(e))); });
    });
    req.on('error', (e) => { if (!done) { done = true; clearTimeout(timer); reject(e); } });
    req.end();
  });
}

/** A server version as /version reports it; minor "20+" (some distributions) reads as 20. */
export interface ServerVersion { major: number; minor: number; gitVersion: string }

let versionPromise: Promise<ServerVersion | undefined> | undefined;
/** The server's /version; undefined for the embedded server (it models the newest behaviour). */
export function serverVersion(): Promise<ServerVersion | undefined> {
  versionPromise ??= (async () => {
    const c = await ctx();
    if (!c.real) return undefined;
    const r = await raw('GET', '/version');
    const major = Number.parseInt(String(r.body?.major ?? ''), 10);
    const minor = Number.parseInt(String(r.body?.minor ?? ''), 10);
    if (r.status !== 200 || !Number.isFinite(major) || !Number.isFinite(minor)) {
      throw new Error(`GET /version: HTTP ${r.status}, cannot read major/minor from ${r.text.slice(0, 200)}`);
    }
    return { major, minor, gitVersion: String(r.body?.gitVersion ?? `v${major}.${minor}`) };
  })();
  return versionPromise;
}

/**
 * A one-line marker at the top of a case (or a describe's `before`) that needs a newer server:
 *   await needsServer('1.21', this, 'spec.loadBalancerClass');
 * Against an older KUBECONFIG server it skips loudly (counted as skipped) with the reason and the
 * minimum version. The embedded server always passes.
 */
export async function needsServer(min: string, t: Mocha.Context, why: string): Promise<void> {
  const m = /^(\d+)\.(\d+)$/.exec(min);
  if (!m) throw new Error(`needsServer: "${min}" is not MAJOR.MINOR`);
  const v = await serverVersion();
  if (v === undefined) return;
  const want = { major: Number(m[1]), minor: Number(m[2]) };
  if (v.major > want.major || (v.major === want.major && v.minor >= want.minor)) return;
  const title = t.currentTest?.fullTitle() ?? t.test?.fullTitle() ?? 'case';
  process.stderr.write(`\n!!! SKIPPED "${title}": needs a server >= ${min} (${why}); this one is ${v.gitVersion}\n\n`);
  t.skip();
}

let seq = 0;
/** A fresh namespace for one case; deleted after the suite. */
export async function freshNamespace(prefix: string): Promise<string> {
  const name = `conf-${prefix}-${process.pid}-${seq++}`.slice(0, 63);
  const c = await ctx();
  await c.core.createNamespace({ body: { metadata: { name } } });
  namespaces.push(name);
  return name;
}

export function rv(o: any): bigint {
  return BigInt(o?.metadata?.resourceVersion ?? '0');
}

/** Runs a promise that must fail with an ApiException of this code; returns the parsed body. */
export async function expectApiError(p: Promise<unknown>, code: number): Promise<any> {
  try {
    await p;
  } catch (e: any) {
    if (e?.code !== code) throw new Error(`want HTTP ${code}, got ${e?.code}: ${String(e?.message).slice(0, 300)}`);
    return typeof e.body === 'string' ? JSON.parse(e.body) : e.body;
  }
  throw new Error(`want HTTP ${code}, got success`);
}

after(async function () {
  this.timeout(60_000);
  if (ctxPromise === undefined) return;
  const c = await ctx();
  for (const ns of namespaces) {
    try { await c.core.deleteNamespace({ name: ns }); } catch { /* already gone */ }
  }
  await embedded?.close();
  httpAgent.destroy();
  httpsAgent.destroy();
});
