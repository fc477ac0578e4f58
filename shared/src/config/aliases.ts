// Community objects -> the alias table. Alias names are unique across all Community objects.
import { parseCommunityLiteral } from './community.js';
import type { Community } from './model.js';
import type { RawObject } from './names.js';
import { isObject, optArray, show } from './read.js';

export function parseAliases(objects: readonly RawObject[]): Map<string, Community> {
  const out = new Map<string, Community>();
  const where = new Map<string, string>();
  for (const o of objects) {
    const { scope } = o;
    optArray(o.spec, 'communities', 'spec.communities', scope).forEach((entry, i) => {
      const f = `spec.communities[${i}]`;
      if (!isObject(entry)) return scope.error(f, `must be an object {name, value}, not ${show(entry)}`);
      const name = entry['name'];
      const value = entry['value'];
      if (typeof name !== 'string' || name === '') return scope.error(`${f}.name`, `must be a non-empty string, not ${show(name)}`);
      if (typeof value !== 'string') return scope.error(`${f}.value`, `must be a string, not ${show(value)}`);
      const c = parseCommunityLiteral(value);
      if (!c.ok) return scope.error(`${f}.value`, c.message);
      const first = where.get(name);
      if (first !== undefined) return scope.error(`${f}.name`, `duplicate community alias ${JSON.stringify(name)}: also defined in ${first}`);
      where.set(name, `Community ${o.scope.namespace}/${o.name} ${f}`);
      out.set(name, Object.freeze(c.community));
      return undefined;
    });
  }
  return out;
}
