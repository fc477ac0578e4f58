// The HTTP shell of the embedded API server: routes URLs to the registry, reads bounded bodies,
// turns errors into Status bodies, streams watches, and persists the store when asked to.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { createLogger, systemClock, type Clock, type Logger } from '@herald/shared';
import { Api, listMeta, type Reply, type Target } from './api.js';
import { coreVersions, group, groupList, resourceList, versionDoc } from './discovery.js';
import { parseRange } from './ip.js';
import { text, type JsonObject } from './json.js';
import { kubeconfigYaml } from './kubeconfig.js';
import { readState, StateWriter, type StateFile } from './persist.js';
import { Registry } from './registry.js';
import { ApiError, errors, statusBody } from './status.js';
import { Store } from './store.js';
import type { SnapshotLimits } from './snapshots.js';
import { serveWatch } from './watch-http.js';
import { toTable, wantsTable } from './table.js';
import { codecFor } from './event-convert.js';
import { crdInfos } from './crd.js';
import { mediaType } from './decode.js';
import { classify, defaultInflightLimits, InflightLimiter, type ForcedRejections, type InflightStats, type TooManyForm } from './inflight.js';

export interface ApiServerOptions {
  host?: string;
  /** 0 (default): a free port. */
  port?: number;
  /** Events kept per resource for watch-from-resourceVersion (default 10,000). */
  historyWindow?: number;
  stateFile?: string;
  serviceCIDRs?: { v4?: string; v6?: string };
  nodePortRange?: { min: number; max: number };
  bookmarkIntervalMs?: number;
  /** Events are deleted this long after they were last recorded (default 3600, 0: never). */
  eventTtlSeconds?: number;
  maxBodyBytes?: number;
  /**
   * How long and how many list snapshots (what continue tokens read) are kept, and how many bytes
   * of writes after one it survives (default 5 min, 64, 256 MiB).
   */
  listSnapshots?: Partial<SnapshotLimits>;
  /** --max-requests-inflight: read-only requests in flight before 429 (default 400, 0: no limit). */
  maxRequestsInflight?: number;
  /** --max-mutating-requests-inflight: mutating requests in flight before 429 (default 200, 0: no limit). */
  maxMutatingRequestsInflight?: number;
  /** Test-only: 429s forced from the start (see ApiServer.forceTooManyRequests). */
  forceTooManyRequests?: ForcedRejections;
  clock?: Clock;
  logger?: Logger;
}

export interface ApiServer {
  readonly url: string;
  readonly port: number;
  kubeconfigYaml(): string;
  writeKubeconfig(path: string): Promise<void>;
  /** Current cluster-wide resourceVersion (for tests and benchmarks). */
  currentResourceVersion(): number;
  /** Number of open watch streams. */
  watchCount(): number;
  /**
   * Test-only: forces 429s on API requests (paths under /api and /apis) on top of the in-flight
   * limits, e.g. `{type: 'every', n: 3}`, `{type: 'next', n: 5}`, `{type: 'window', ms: 2000}`;
   * undefined clears it. Watches are spared unless the rule says `watches: true`.
   */
  forceTooManyRequests(rule: ForcedRejections | undefined): void;
  /** Requests in flight now and 429s answered so far, by reason. */
  inflightStats(): InflightStats;
  /**
   * Graceful stop, as kube-apiserver on SIGTERM: the listener closes and idle connections are
   * dropped, but open watch streams stay alive until close().
   */
  stopListening(): Promise<void>;
  close(): Promise<void>;
}

const MiB = 1024 * 1024;

function send(res: ServerResponse, code: number, json: string): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(json), 'Cache-Control': 'no-cache, private' });
  res.end(json);
}

function sendError(res: ServerResponse, e: ApiError): void {
  if (!res.headersSent) for (const [k, v] of Object.entries(e.headers)) res.setHeader(k, v);
  send(res, e.code, JSON.stringify(e.body));
}

const tooManyText = 'Too many requests, please try again later.\n';

/**
 * A 429 as kube-apiserver's max-in-flight and priority-and-fairness filters write it (Go's
 * http.Error: text/plain, Retry-After: 1; client-go turns it into reason TooManyRequests with
 * retryAfterSeconds from the header), or with a Status body as other 429s of kube-apiserver carry.
 */
function sendTooMany(res: ServerResponse, form: TooManyForm): void {
  if (form === 'status') {
    sendError(res, errors.tooManyRequests());
    return;
  }
  res.writeHead(429, {
    'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', 'Retry-After': '1',
    'Content-Length': Buffer.byteLength(tooManyText), 'Cache-Control': 'no-cache, private',
  });
  res.end(tooManyText);
}

/** A watch by URL: ?watch=true|1, or the old /watch/ path prefix. */
function isWatchUrl(url: URL): boolean {
  const w = url.searchParams.get('watch');
  if (w === 'true' || w === '1') return true;
  const segs = url.pathname.split('/');
  return (segs[1] === 'api' && segs[3] === 'watch') || (segs[1] === 'apis' && segs[4] === 'watch');
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > limit) {
      reject(errors.tooLarge(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) {
        failed = true;
        reject(errors.tooLarge(limit));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => { if (!failed) resolve(Buffer.concat(chunks)); });
    req.on('error', (e) => { if (!failed) { failed = true; reject(e); } });
  });
}

interface Route {
  type: 'resource';
  target: Target;
  watch: boolean;
}

export async function startApiServer(opts: ApiServerOptions = {}): Promise<ApiServer> {
  const log = opts.logger ?? createLogger({ component: 'apiserver' });
  const host = opts.host ?? '127.0.0.1';
  const maxBody = opts.maxBodyBytes ?? 3 * MiB;
  const registry = new Registry();
  const state = opts.stateFile === undefined ? undefined : readState(opts.stateFile);
  const store = new Store(opts.historyWindow ?? 10_000, state?.resourceVersion ?? 0, { snapshots: opts.listSnapshots ?? {} });
  if (state !== undefined) {
    for (const crd of state.objects['apiextensions.k8s.io/customresourcedefinitions'] ?? []) {
      const md = crd['metadata'] as JsonObject;
      registry.setCrd(text(md['name']), crdInfos(crd));
    }
    for (const [sk, objs] of Object.entries(state.objects)) {
      for (const o of objs) {
        const md = o['metadata'] as JsonObject;
        store.load(sk, `${typeof md['namespace'] === 'string' ? md['namespace'] : ''}/${text(md['name'])}`, o);
      }
    }
  }
  const net = {
    v4: parseRange(opts.serviceCIDRs?.v4 ?? '198.51.100.0/24'),
    v6: parseRange(opts.serviceCIDRs?.v6 ?? '2001:db8:ffff::/112'),
    nodePortMin: opts.nodePortRange?.min ?? 30000,
    nodePortMax: opts.nodePortRange?.max ?? 32767,
  };
  const api = new Api(registry, store, net);
  for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) api.ensureNamespace(ns);
  let writer: StateWriter | undefined;
  if (opts.stateFile !== undefined) {
    const snapshot = (): StateFile => {
      const objects: Record<string, JsonObject[]> = {};
      for (const sk of store.storeKeys()) objects[sk] = store.list(sk, undefined);
      return { resourceVersion: store.currentRv(), objects };
    };
    writer = new StateWriter(opts.stateFile, snapshot, 100, (e) => log.error('state_write_failed', { error: e }));
    const w = writer;
    store.onCommit = () => w.schedule();
  }
  const ttl = opts.eventTtlSeconds ?? 3600;
  const sweeper = ttl > 0 ? setInterval(() => api.expireEvents(ttl), Math.min(60_000, Math.max(250, ttl * 250))) : undefined;
  sweeper?.unref();
  const watchClosers = new Set<() => void>();
  const track = (close: () => void): (() => void) => {
    watchClosers.add(close);
    return () => watchClosers.delete(close);
  };
  let address = '';

  const route = (url: URL, agent: string): Route | JsonObject | 'ok' | 'openapi' => {
    let segs: string[];
    try {
      segs = url.pathname.split('/').filter((s) => s !== '').map(decodeURIComponent);
    } catch {
      throw errors.badRequest(`invalid URL escape in ${JSON.stringify(url.pathname)}`);
    }
    const p0 = segs[0];
    if (segs.length === 1 && (p0 === 'healthz' || p0 === 'livez' || p0 === 'readyz')) return 'ok';
    if (segs.length === 1 && p0 === 'version') return versionDoc();
    if (segs.length === 2 && p0 === 'openapi' && segs[1] === 'v2') return 'openapi';
    let g: string;
    let v: string;
    let rest: string[];
    if (p0 === 'api') {
      if (segs.length === 1) return coreVersions(address);
      g = '';
      v = segs[1] ?? '';
      rest = segs.slice(2);
    } else if (p0 === 'apis') {
      if (segs.length === 1) return groupList(registry);
      g = segs[1] ?? '';
      if (segs.length === 2) return group(registry, g) ?? (() => { throw errors.noSuchPath(); })();
      v = segs[2] ?? '';
      rest = segs.slice(3);
    } else throw errors.noSuchPath();
    if (rest.length === 0) {
      const doc = resourceList(registry, g, v);
      if (doc === undefined) throw errors.noSuchPath();
      return doc;
    }
    let watch = false;
    if (rest[0] === 'watch') {
      watch = true;
      rest = rest.slice(1);
    }
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3 && registry.lookup(g, v, rest[2] ?? '')?.namespaced === true) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    if (rest.length > 3) throw errors.noSuchPath();
    const info = registry.lookup(g, v, rest[0] ?? '');
    if (info === undefined) throw errors.noSuchPath();
    if (namespace !== undefined && !info.namespaced) throw errors.noSuchPath();
    const name = rest[1];
    const sub = rest[2];
    if (sub !== undefined && !(sub === 'status' && info.statusSubresource)) throw errors.noSuchPath();
    if (info.namespaced && namespace === undefined && name !== undefined) throw errors.noSuchPath();
    if (url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1') watch = true;
    return { type: 'resource', watch, target: { info, namespace, name, subresource: sub, query: url.searchParams, agent } };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const method = req.method ?? 'GET';
    const agent = (req.headers['user-agent'] ?? 'unknown').split('/')[0] ?? 'unknown';
    let body: Buffer = Buffer.alloc(0);
    if (method !== 'GET' && method !== 'HEAD') {
      try {
        body = await readBody(req, maxBody);
      } catch (e) {
        res.setHeader('Connection', 'close');
        if (e instanceof ApiError) sendError(res, e);
        else send(res, 400, JSON.stringify(statusBody(400, 'BadRequest', 'error reading request body')));
        req.resume();
        return;
      }
    }
    const ctype = mediaType(req.headers['content-type']);
    if (body.length > 0 && ctype.includes('protobuf')) {
      throw errors.unsupportedMediaType(ctype, ['application/json', 'application/yaml']);
    }
    const r = route(url, agent);
    if (r === 'openapi') {
      // No OpenAPI schemas are served: an empty document (an empty protobuf message is zero bytes),
      // so kubectl's client-side validation finds nothing to check and relies on the server.
      if ((req.headers.accept ?? '').includes('protobuf')) {
        res.writeHead(200, { 'Content-Type': 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf', 'Content-Length': 0 });
        res.end();
      } else send(res, 200, JSON.stringify({ swagger: '2.0', info: { title: 'Kubernetes', version: 'v1.24.17' }, paths: {}, definitions: {} }));
      return;
    }
    if (r === 'ok') {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('ok');
      return;
    }
    if (r['type'] !== 'resource') {
      if (method !== 'GET') throw errors.methodNotAllowed();
      send(res, 200, JSON.stringify(r));
      return;
    }
    const { target: t, watch } = r as Route;
    const ct = req.headers['content-type'];
    const table = wantsTable(req.headers.accept);
    let reply: Reply;
    switch (method) {
      case 'GET':
        if (watch) {
          const view = codecFor(t.info) === undefined ? undefined : (o: JsonObject): JsonObject => api.view(t.info, o);
          const shown = (o: JsonObject): JsonObject => (view === undefined ? o : view(o));
          const render = table ? (o: JsonObject): string => JSON.stringify(toTable(t.info, [shown(o)], undefined))
            : view === undefined ? undefined : (o: JsonObject): string => JSON.stringify(view(o));
          serveWatch(store, t, res, { bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 60_000, maxBacklogBytes: 16 * MiB, render, view }, track);
          return;
        }
        if (table) {
          if (t.name === undefined) {
            const r = api.listObjects(t);
            reply = { code: 200, json: JSON.stringify(toTable(t.info, r.items, listMeta(r))) };
          } else reply = { code: 200, json: JSON.stringify(toTable(t.info, [api.getObject(t)], undefined)) };
        } else reply = t.name === undefined ? api.list(t) : api.get(t);
        break;
      case 'POST':
        if (t.name !== undefined) throw errors.methodNotAllowed();
        reply = api.create(t, body, ct);
        break;
      case 'PUT':
        if (t.name === undefined) throw errors.methodNotAllowed();
        reply = api.update(t, body, ct);
        break;
      case 'PATCH':
        if (t.name === undefined) throw errors.methodNotAllowed();
        reply = api.patch(t, body, ct);
        break;
      case 'DELETE':
        reply = t.name === undefined ? api.deleteCollection(t) : api.delete(t, body);
        break;
      default:
        throw errors.methodNotAllowed();
    }
    send(res, reply.code, reply.json);
  };

  const limiter = new InflightLimiter({
    maxRequestsInflight: opts.maxRequestsInflight ?? defaultInflightLimits.maxRequestsInflight,
    maxMutatingRequestsInflight: opts.maxMutatingRequestsInflight ?? defaultInflightLimits.maxMutatingRequestsInflight,
  }, opts.clock ?? systemClock);
  limiter.force(opts.forceTooManyRequests);
  const server = createServer((req, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      req.resume();
      send(res, 400, JSON.stringify(statusBody(400, 'BadRequest', `invalid request URL ${JSON.stringify(req.url ?? '')}`)));
      return;
    }
    const apiPath = url.pathname === '/api' || url.pathname === '/apis' || url.pathname.startsWith('/api/') || url.pathname.startsWith('/apis/');
    const admission = limiter.admit(classify(req.method ?? 'GET', isWatchUrl(url)), !apiPath);
    if (admission.type === 'rejected') {
      req.resume();
      sendTooMany(res, admission.form);
      return;
    }
    res.once('close', admission.release);
    handle(req, res, url).catch((e: unknown) => {
      if (e instanceof ApiError) {
        sendError(res, e);
        return;
      }
      log.error('request_failed', { method: req.method, url: req.url, error: e });
      send(res, 500, JSON.stringify(statusBody(500, 'InternalError', `Internal error occurred: ${e instanceof Error ? e.message : String(e)}`)));
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  address = `${urlHost}:${port}`;
  const url = `http://${address}`;
  log.info('apiserver_started', { url, historyWindow: store.historyWindow, stateFile: opts.stateFile });
  let closing: Promise<void> | undefined;
  let listenerClosed: Promise<void> | undefined;
  return {
    url,
    port,
    kubeconfigYaml: () => kubeconfigYaml(url),
    writeKubeconfig: (path) => writeFile(path, kubeconfigYaml(url), { mode: 0o600 }),
    currentResourceVersion: () => store.currentRv(),
    watchCount: () => watchClosers.size,
    forceTooManyRequests: (rule) => limiter.force(rule),
    inflightStats: () => limiter.stats(),
    stopListening: () => {
      listenerClosed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      return Promise.resolve();
    },
    close: () => {
      closing ??= (async () => {
        if (sweeper !== undefined) clearInterval(sweeper);
        const closed = listenerClosed ?? new Promise<void>((resolve) => server.close(() => resolve()));
        for (const c of [...watchClosers]) c();
        store.closeAll();
        server.closeAllConnections();
        await closed;
        await writer?.flush();
      })();
      return closing;
    },
  };
}
