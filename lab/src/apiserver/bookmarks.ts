// When a watch gets a BOOKMARK, as kube-apiserver's watch cache decides it (cacheWatcher.
// nextBookmarkTime and Cacher.dispatchEvents, 1.24). Pure: times are milliseconds on one clock.
//  - A watcher is due about every minute, and once 2 s before its deadline (timeoutSeconds) if that
//    comes sooner; a time already past means no more bookmarks (so timeoutSeconds <= 2 gets none).
//  - When due, it is sent only if the resource has changed since the watch started: the bookmark
//    carries the resource's newest resourceVersion, and a watcher drops every event at or below
//    the version it started from. A watch on a quiet resource therefore sees no bookmark at all
//    (what a real 1.24 did with timeoutSeconds=4).

/** When the next bookmark is due, or undefined if none will be. */
export function nextBookmarkAt(nowMs: number, deadlineMs: number, intervalMs: number): number | undefined {
  const at = Math.min(nowMs + intervalMs, deadlineMs - 2000);
  return at < nowMs ? undefined : at;
}

/** The resourceVersion a due bookmark carries, or undefined if the watcher drops it. */
export function bookmarkRv(resourceLastRv: number, watchStartRv: number): number | undefined {
  return resourceLastRv > watchStartRv ? resourceLastRv : undefined;
}

/** The object of a BOOKMARK event: an empty object of the kind, as Go serialises it. */
export function bookmarkObject(kind: string, apiVersion: string, rv: number): Record<string, unknown> {
  return { kind, apiVersion, metadata: { resourceVersion: String(rv), creationTimestamp: null } };
}
