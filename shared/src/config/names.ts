// Object identity: the name of each raw object, duplicates, and the namespace filter.
import type { Issues, Scope } from './issues.js';
import { isObject, show, type JSONObject } from './read.js';

export interface RawObject {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly spec: JSONObject;
  readonly raw: JSONObject;
  readonly scope: Scope;
}

/**
 * The objects of one kind in Herald's namespace, sorted by name, each with its error scope.
 * Objects without a usable name or spec are reported and dropped; so are duplicates.
 */
export function objectsOf(kind: string, list: readonly unknown[] | undefined, namespace: string, issues: Issues): RawObject[] {
  const out: RawObject[] = [];
  const seen = new Set<string>();
  (list ?? []).forEach((item, i) => {
    const meta = isObject(item) ? item['metadata'] : undefined;
    const rawName = isObject(meta) ? meta['name'] : undefined;
    const ns = isObject(meta) ? meta['namespace'] : undefined;
    if (typeof ns === 'string' && ns !== '' && ns !== namespace) return;
    if (!isObject(item)) {
      issues.at(kind, namespace, `#${i}`).error('', `must be an object, not ${show(item)}`);
      return;
    }
    if (typeof rawName !== 'string' || rawName === '') {
      issues.at(kind, namespace, `#${i}`).error('metadata.name', `must be a non-empty string, not ${show(rawName)}`);
      return;
    }
    const scope = issues.at(kind, namespace, rawName);
    if (seen.has(rawName)) {
      scope.error('metadata.name', 'duplicate name');
      return;
    }
    seen.add(rawName);
    const spec = item['spec'] ?? {};
    if (!isObject(spec)) {
      scope.error('spec', `must be an object, not ${show(spec)}`);
      return;
    }
    const labels: Record<string, string> = {};
    const rawLabels = isObject(meta) ? meta['labels'] : undefined;
    if (isObject(rawLabels)) for (const [k, v] of Object.entries(rawLabels)) if (typeof v === 'string') labels[k] = v;
    out.push({ name: rawName, labels, spec, raw: item, scope });
  });
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
