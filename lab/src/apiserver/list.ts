// GET of a collection as kube-apiserver 1.24 serves it: limit/continue paging where every page
// comes from the snapshot the first page was read at (the token's resourceVersion), 410 Expired
// with an inconsistent token once that snapshot is gone, remainingItemCount on unfiltered lists,
// resourceVersion=0 served whole from the "watch cache" (limit ignored), and
// resourceVersionMatch=Exact at a version still kept.

import { decodeContinue, encodeContinue } from './continue-token.js';
import type { JsonObject } from './json.js';
import { readPage } from './list-page.js';
import type { ResourceInfo } from './registry.js';
import { errors } from './status.js';
import type { Store } from './store.js';
import type { Matcher } from './api-util.js';

export interface ListQuery {
  info: ResourceInfo;
  namespace: string | undefined;
  query: URLSearchParams;
  match: Matcher;
  /** A label or field selector is set. */
  filtered: boolean;
  /** The object as this API version shows it. */
  view: (o: JsonObject) => JsonObject;
}

export interface ListResult {
  items: JsonObject[];
  rv: string;
  continue?: string;
  remaining?: number;
}

function parseLimit(s: string | null): number | undefined {
  if (s === null || s === '') return undefined;
  const n = Number(s);
  if (!Number.isInteger(n)) throw errors.badRequest(`limit: Invalid value: ${JSON.stringify(s)}: must be an integer`);
  return n > 0 ? n : undefined;
}

export function listCollection(store: Store, q: ListQuery): ListResult {
  const sk = q.info.storeKey;
  const prefix = q.namespace === undefined ? '' : `${q.namespace}/`;
  const cont = q.query.get('continue') ?? '';
  const rvParam = q.query.get('resourceVersion') ?? '';
  const rvMatch = q.query.get('resourceVersionMatch') ?? '';
  let limit = parseLimit(q.query.get('limit'));
  const match = (o: JsonObject): boolean => q.match(q.view(o));
  let tree = store.current(sk);
  let rv = store.currentRv();
  let start: string | undefined;
  if (cont !== '') {
    if (rvParam !== '' && rvParam !== '0') throw errors.badRequest('specifying resource version is not allowed when using continue');
    const d = decodeContinue(cont);
    if (d.type === 'invalid') throw errors.badRequest(`invalid continue token: ${d.detail}`);
    start = d.token.start;
    if (d.token.rv !== -1) {
      const snap = store.snapshotAt(sk, d.token.rv);
      if (snap === undefined) throw errors.expiredContinue(encodeContinue({ rv: -1, start }));
      tree = snap;
      rv = d.token.rv;
    }
  } else if (rvMatch === 'Exact') {
    const want = Number(rvParam);
    if (rvParam === '' || rvParam === '0' || !Number.isInteger(want) || want < 0) {
      throw errors.badRequest(`resourceVersionMatch "Exact" needs a resourceVersion other than "0", got ${JSON.stringify(rvParam)}`);
    }
    const snap = want > rv ? undefined : store.snapshotAt(sk, want);
    if (snap === undefined) {
      if (want > rv) throw errors.badRequest(`Too large resource version: ${want}, current: ${rv}`);
      throw errors.expired('The resourceVersion for the provided list is too old.');
    }
    tree = snap;
    rv = want;
  } else if (rvParam === '0') {
    // Served from the watch cache, which does not page: the whole list, limit ignored.
    limit = undefined;
  }
  const page = readPage(tree, { prefix, start, limit, match, filtered: q.filtered });
  const items = page.items.map(q.view);
  if (page.next === undefined) return { items, rv: String(rv) };
  // Later pages read this snapshot, whatever is written meanwhile.
  if (rv === store.currentRv()) store.keepSnapshot(sk);
  const out: ListResult = { items, rv: String(rv), continue: encodeContinue({ rv, start: page.next }) };
  if (page.remaining !== undefined) out.remaining = page.remaining;
  return out;
}
