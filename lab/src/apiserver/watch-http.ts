// A watch over HTTP: newline-delimited JSON events on a chunked 200 response, 410 Expired as an
// ERROR event, bookmarks on request, and the timeoutSeconds deadline. Slow readers are dropped
// once their unsent backlog passes a bound, so memory stays bounded.

import type { ServerResponse } from 'node:http';
import type { JsonObject } from './json.js';
import { apiVersionOf } from './registry.js';
import { selectorsOf, type Target } from './api.js';
import { errors, statusBody } from './status.js';
import { eventLine, type Store, type WatchSink } from './store.js';
import { bookmarkObject, bookmarkRv, nextBookmarkAt } from './bookmarks.js';

export interface WatchOptions {
  bookmarkIntervalMs: number;
  maxBacklogBytes: number;
  /** Renders each object (server-side printing, another version); default: the stored JSON. */
  render: ((obj: JsonObject) => string) | undefined;
  /** The object as this API version shows it (selectors match on this). */
  view: ((obj: JsonObject) => JsonObject) | undefined;
}

function parseRv(s: string | null): number | undefined {
  if (s === null || s === '') return undefined;
  const n = Number(s);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

/** Starts a watch; throws ApiError (before any byte is sent) for a bad request. */
export function serveWatch(store: Store, t: Target, res: ServerResponse, opts: WatchOptions, track: (close: () => void) => () => void): void {
  const match = selectorsOf(t.info, t.query);
  const rvParam = t.query.get('resourceVersion');
  const rv = parseRv(rvParam);
  if (rvParam !== null && rvParam !== '' && rv === undefined) {
    throw errors.badRequest(`resourceVersion: Invalid value: ${JSON.stringify(rvParam)}: invalid resource version`);
  }
  const timeoutS = Number(t.query.get('timeoutSeconds') ?? '');
  const timeoutMs = Number.isFinite(timeoutS) && timeoutS > 0 ? timeoutS * 1000 : (1800 + Math.random() * 1800) * 1000;
  const bookmarks = t.query.get('allowWatchBookmarks') === 'true';
  const nameFilter = t.name;
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
  let closed = false;
  const timers: NodeJS.Timeout[] = [];
  let pending: string[] = [];
  let pendingBytes = 0;
  const flush = (): void => {
    if (pending.length === 0) return;
    const chunk = pending.length === 1 ? pending[0] ?? '' : pending.join('');
    pending = [];
    pendingBytes = 0;
    if (!res.writableEnded && !res.destroyed) res.write(chunk);
  };
  // The version the watch starts from: what it asked for, or now (no version, or 0).
  const startRv = rv === undefined || rv === 0 ? store.currentRv() : rv;
  const bookmark = (): void => {
    const at = bookmarkRv(store.lastRvOf(t.info.storeKey), startRv);
    if (at === undefined) return;
    flush();
    res.write(eventLine('BOOKMARK', JSON.stringify(bookmarkObject(t.info.kind, apiVersionOf(t.info), at))));
  };
  const sink: WatchSink = {
    namespace: t.namespace,
    matches: (o) => {
      if (nameFilter !== undefined) {
        const md = o['metadata'] as { name?: unknown } | undefined;
        if (md?.name !== nameFilter) return false;
      }
      return match(opts.view === undefined ? o : opts.view(o));
    },
    send: (line) => {
      if (closed) return false;
      // Lines written in one turn of the event loop go out in one chunk (one syscall, not one
      // per event), which is what keeps 20 watchers cheap under a write storm.
      pending.push(line);
      pendingBytes += line.length;
      if (pending.length === 1) setImmediate(flush);
      return res.writableLength + pendingBytes < opts.maxBacklogBytes;
    },
    close: () => finish(),
    ...(opts.render === undefined ? {} : { render: opts.render }),
  };
  const untrack = track(() => finish());
  function finish(): void {
    if (closed) return;
    closed = true;
    for (const tm of timers) clearTimeout(tm);
    store.unwatch(t.info.storeKey, sink);
    untrack();
    flush();
    res.end();
  }
  res.on('close', () => {
    if (!closed) {
      closed = true;
      for (const tm of timers) clearTimeout(tm);
      store.unwatch(t.info.storeKey, sink);
      untrack();
    }
  });
  const evicted = store.watch(t.info.storeKey, sink, rv);
  if (evicted !== undefined) {
    const body = statusBody(410, 'Expired', `too old resource version: ${rv ?? 0} (${evicted})`);
    flush();
    res.write(eventLine('ERROR', JSON.stringify(body)));
    store.unwatch(t.info.storeKey, sink);
    closed = true;
    untrack();
    res.end();
    return;
  }
  const startedAt = Date.now();
  const deadlineAt = startedAt + timeoutMs;
  const deadline = setTimeout(finish, timeoutMs);
  deadline.unref();
  timers.push(deadline);
  if (bookmarks) {
    const schedule = (now: number): void => {
      const at = nextBookmarkAt(now, deadlineAt, opts.bookmarkIntervalMs);
      if (at === undefined) return;
      const tm = setTimeout(() => {
        if (closed) return;
        bookmark();
        schedule(Date.now());
      }, at - now);
      tm.unref();
      timers.push(tm);
    };
    schedule(startedAt);
  }
}
