// A LIST in pages, as client-go's pager and kubectl do: ask for `limit` items, follow
// metadata.continue until the server gives none. A server that does not page simply returns
// everything and no token, which ends the loop at once. All pages come from one snapshot, so the
// result carries one resourceVersion (the last page's, which a watch then starts from).
//
// A continue token expires (410 Gone) when its snapshot is compacted away under a long list:
// the list restarts from scratch; after `maxRestarts` expiries in a row it asks once for
// everything unpaged, as client-go's FullListIfExpired.
import { ApiException, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';

/** The paging parameters, spelled as client-node's generated list methods take them. */
export interface ListPage {
  readonly limit?: number;
  readonly _continue?: string;
}

/** One page: e.g. `(p) => core.listServiceForAllNamespaces(p)`. */
export type ListPageFn<T extends KubernetesObject> = (page: ListPage) => Promise<KubernetesListObject<T>>;

export interface PagedListOptions {
  /** Items per page (default 500, kubectl's chunk size). */
  readonly limit?: number;
  /** Restarts after expired continue tokens before one unpaged list (default 3). */
  readonly maxRestarts?: number;
  /** Called on each restart (logs, tests). */
  readonly onRestart?: (restart: number, err: unknown) => void;
}

export const DEFAULT_PAGE_SIZE = 500;

/** Pages through a list until done. Errors other than an expired token (410 on a continue) are thrown. */
export async function listAllPages<T extends KubernetesObject>(fn: ListPageFn<T>, o: PagedListOptions = {}): Promise<KubernetesListObject<T>> {
  const limit = o.limit ?? DEFAULT_PAGE_SIZE;
  const maxRestarts = o.maxRestarts ?? 3;
  for (let restart = 0; ; restart++) {
    const paged = restart < maxRestarts;
    const items: T[] = [];
    let token: string | undefined;
    let last: KubernetesListObject<T> | undefined;
    try {
      // Bounded: a server that hands back the same token forever is a server bug, and stops here.
      for (let page = 0; page < 1_000_000; page++) {
        const res: KubernetesListObject<T> = await fn(paged ? { limit, ...(token !== undefined ? { _continue: token } : {}) } : {});
        for (const it of res.items ?? []) items.push(it);
        last = res;
        const next = res.metadata?._continue;
        if (!paged || next === undefined || next === '') break;
        if (next === token) throw new PagingError(`the server returned the continue token it was given (${next.slice(0, 40)})`);
        token = next;
      }
    } catch (err) {
      if (token !== undefined && isExpired(err)) {
        o.onRestart?.(restart + 1, err);
        continue;
      }
      throw err;
    }
    return { ...last, apiVersion: last?.apiVersion, kind: last?.kind, metadata: { ...last?.metadata, _continue: undefined, remainingItemCount: undefined }, items };
  }
}

export class PagingError extends Error {
  override readonly name = 'PagingError';
}

function isExpired(err: unknown): boolean {
  return err instanceof ApiException && err.code === 410;
}
