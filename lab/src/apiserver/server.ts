// The HTTP shell of the embedded API server: routes URLs to the registry, reads bounded bodies,
// turns errors into Status bodies, streams watches, and persists the store when asked to.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { createLogger, systemClock, type Clock, type Logger } from '@herald/shared';
import { Api, listMeta, type Reply, type Target } from './api.js';
import { coreVersions, group, groupList, resourceList, versionDoc } from './discovery.js';
import { parseRange } from './ip.js';
import { objAt, text, type JsonObject } from './json.js';
import { kubeconfigYaml } from './kubeconfig.js';
import { readState } from './persist.js';
import { defaultStateWriterOptions, StateWriter, type StateWriterOptions, type StateWriterStats } from './state-writer.js';
import { Registry } from './registry.js';
import { ApiError, errors, PageNotFoundError, statusBody } from './status.js';
import { Store, type StoreImage } from './store.js';
import type { SnapshotLimits } from './snapshots.js';
import { serveWatch } from './watch-http.js';
import { isWatchUrl, readBody, send, sendError, sendPageNotFound, sendTooMany } from './http-reply.js';
import { toTable, wantsTable } from './table.js';
import { codecFor } from './event-convert.js';
import { crdInfos } from './crd.js';
import { mediaType } from './decode.js';
import { classify, defaultInflightLimits, InflightLimiter, type ForcedRejections, type InflightStats } from './inflight.js';

export interface ApiServerOptions {
  host?: string;
  /** 0 (default): a free port. */
  port?: number;
  /** Events kept per resource for watch-from-resourceVersion (default 10,000). */
  historyWindow?: number;
  /**
   * Persists the store: a base file at this path and a journal beside it (P.journal-N), restored
   * on start. Writes are journaled and the base rewritten in the background (state-writer.ts).
   */
  stateFile?: string;
  /** Tuning of the state writer (journal flush interval, compaction threshold, chunk size). */
  stateWriter?: Partial<StateWriterOptions>;
  /**
   * Starts from this storage (what kill() returned) instead of reading the state file: a restart
   * of the API server over the same etcd. The state file, if any, goes on being written.
   */
  storage?: ApiServerStorage;
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
  /** Called once each request is answered (or its connection closed): for benchmarks and tests. */
  onRequest?: (r: RequestRecord) => void;
}

export interface RequestRecord {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** From arrival until the response was finished or the connection closed. */
  readonly ms: number;
  readonly watch: boolean;
}

/** What an API server stores (its etcd): opaque, from kill(), for startApiServer({storage}). */
export type ApiServerStorage = StoreImage;

const crdStoreKey = 'apiextensions.k8s.io/customresourcedefinitions';

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
  /**
   * Stops at once, as kill -9 does to kube-apiserver: the listener closes and every connection,
   * watches included, is cut with no goodbye. The storage survives, as etcd does: it is returned
   * (with the journal flushed) for startApiServer({storage}) to carry on from.
   */
  kill(): Promise<ApiServerStorage>;
  /** How long the start took (state restore included), and the state writer's figures. */
  startupMs(): number;
  stateWriterStats(): StateWriterStats | undefined;
}

const MiB = 1024 * 1024;

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
  const t0 = performance.now();
  const restored = opts.storage === undefined && opts.stateFile !== undefined ? readState(opts.stateFile) : undefined;
  for (const problem of restored?.problems ?? []) log.warn('state_file_problem', { stateFile: opts.stateFile, problem });
  const image = opts.storage ?? restored?.image;
  const store = new Store(opts.historyWindow ?? 10_000, 0, { snapshots: opts.listSnapshots ?? {}, ...(image === undefined ? {} : { image }) });
  for (const crd of store.list(crdStoreKey, undefined)) registry.setCrd(text(objAt(crd, 'metadata')['name']), crdInfos(crd));
  const net = {
    v4: parseRange(opts.serviceCIDRs?.v4 ?? '198.51.100.0/24'),
    v6: parseRange(opts.serviceCIDRs?.v6 ?? '2001:db8:ffff::/112'),
    nodePortMin: opts.nodePortRange?.min ?? 30000,
    nodePortMax: opts.nodePortRange?.max ?? 32767,
  };
  const api = new Api(registry, store, net);
  const writer = opts.stateFile === undefined ? undefined
    : new StateWriter(opts.stateFile, () => store.image(), (e) => log.error('state_write_failed', { stateFile: opts.stateFile, error: e }), { ...defaultStateWriterOptions, ...opts.stateWriter });
  if (writer !== undefined) store.onCommit = (rec) => writer.append(rec);
  for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) api.ensureNamespace(ns);
  const restoreMs = performance.now() - t0;
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
    const pageNotFound = (): never => {
      throw new PageNotFoundError(url.pathname);
    };
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
      if (segs.length === 2) return group(registry, g) ?? pageNotFound();
      v = segs[2] ?? '';
      rest = segs.slice(3);
    } else return pageNotFound();
    if (rest.length === 0) return resourceList(registry, g, v) ?? pageNotFound();
    // Inside a built-in group/version, go-restful answers an unknown path with a Status; a
    // group/version that only CRDs serve hands it on to the NotFound handler (text/plain).
    const missing = registry.servesBuiltin(g, v) ? (): never => { throw errors.noSuchPath(); } : pageNotFound;
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
    if (rest.length > 3) return missing();
    const info = registry.lookup(g, v, rest[0] ?? '') ?? missing();
    if (namespace !== undefined && !info.namespaced) return missing();
    const name = rest[1];
    const sub = rest[2];
    if (sub !== undefined && !(sub === 'status' && info.statusSubresource)) throw errors.noSuchPath();
    if (info.namespaced && namespace === undefined && name !== undefined) return missing();
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
    const cls = classify(req.method ?? 'GET', isWatchUrl(url));
    const observe = opts.onRequest;
    if (observe !== undefined) {
      const t0 = performance.now();
      res.once('close', () => observe({ method: req.method ?? 'GET', path: url.pathname, status: res.statusCode, ms: performance.now() - t0, watch: cls === 'long-running' }));
    }
    const admission = limiter.admit(cls, !apiPath);
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
      if (e instanceof PageNotFoundError) {
        sendPageNotFound(res);
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
  log.info('apiserver_started', { url, historyWindow: store.historyWindow, stateFile: opts.stateFile, resourceVersion: store.currentRv(), restoreMs: Math.round(restoreMs), replayed: restored?.replayed ?? 0 });
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
        await writer?.close();
      })();
      return closing;
    },
    kill: async () => {
      closing ??= (async () => {
        if (sweeper !== undefined) clearInterval(sweeper);
        const closed = listenerClosed ?? new Promise<void>((resolve) => server.close(() => resolve()));
        // Sockets first: a watcher sees its connection cut, not a clean end of the stream.
        server.closeAllConnections();
        store.closeAll();
        await closed;
        await writer?.close();
        log.info('apiserver_killed', { url, resourceVersion: store.currentRv() });
      })();
      await closing;
      return store.image();
    },
    startupMs: () => restoreMs,
    stateWriterStats: () => writer?.stats(),
  };
}
