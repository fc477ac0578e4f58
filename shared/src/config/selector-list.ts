// A list of label selectors inside an object (nodeSelectors, serviceSelectors, ...), each
// parsed, with errors reported at their field and duplicates rejected (as MetalLB does).
import type { Scope } from './issues.js';
import type { Selector } from './model.js';
import { optArray, type JSONObject } from './read.js';
import { parseLabelSelector } from './selector.js';

export function parseSelectorInto(raw: unknown, field: string, scope: Scope): Selector | undefined {
  const r = parseLabelSelector(raw);
  if (r.ok) return r.selector;
  for (const e of r.errors) scope.error(e.field === '' ? field : `${field}.${e.field}`, e.message);
  return undefined;
}

export function selectorList(o: JSONObject, key: string, field: string, scope: Scope): Selector[] {
  const out: Selector[] = [];
  const seen = new Map<string, number>();
  optArray(o, key, field, scope).forEach((raw, i) => {
    const f = `${field}[${i}]`;
    const sel = parseSelectorInto(raw, f, scope);
    if (!sel) return;
    const first = seen.get(sel.text);
    if (first !== undefined) {
      scope.error(f, `duplicate selector ${JSON.stringify(sel.text)} (also ${field}[${first}])`);
      return;
    }
    seen.set(sel.text, i);
    out.push(sel);
  });
  return out;
}
