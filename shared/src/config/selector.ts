// metav1.LabelSelector -> a compiled Selector, with Kubernetes' rules for keys, values and
// operators. The text form is canonical (sorted), so equal selectors print equal.
import type { Labels, Selector } from './model.js';
import { isObject, show } from './read.js';

export interface FieldProblem {
  /** Relative to the selector: "matchExpressions[0].operator". */
  readonly field: string;
  readonly message: string;
}

export type SelectorResult = { readonly ok: true; readonly selector: Selector } | { readonly ok: false; readonly errors: readonly FieldProblem[] };

type Requirement =
  | { readonly op: 'in' | 'notin'; readonly key: string; readonly values: readonly string[] }
  | { readonly op: 'exists' | '!exists'; readonly key: string };

const nameRe = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const dnsSubdomainRe = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why a label key is invalid, or undefined. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !dnsSubdomainRe.test(prefix))) {
    return `invalid label key ${show(key)}: the prefix must be a DNS subdomain`;
  }
  if (name.length === 0 || name.length > 63 || !nameRe.test(name)) {
    return `invalid label key ${show(key)}: the name must be 1-63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric`;
  }
  return undefined;
}

/** Why a label value is invalid, or undefined. */
export function labelValueProblem(value: string): string | undefined {
  if (value === '') return undefined;
  if (value.length > 63 || !nameRe.test(value)) {
    return `invalid label value ${show(value)}: at most 63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric`;
  }
  return undefined;
}

class CompiledSelector implements Selector {
  constructor(
    readonly text: string,
    private readonly reqs: readonly Requirement[],
  ) {
    Object.freeze(this);
  }

  matches(labels: Labels): boolean {
    for (const r of this.reqs) {
      const has = Object.hasOwn(labels, r.key);
      switch (r.op) {
        case 'in':
          if (!has || !r.values.includes(labels[r.key]!)) return false;
          break;
        case 'notin':
          if (has && r.values.includes(labels[r.key]!)) return false;
          break;
        case 'exists':
          if (!has) return false;
          break;
        case '!exists':
          if (has) return false;
          break;
      }
    }
    return true;
  }
}

function reqText(r: Requirement): string {
  switch (r.op) {
    case 'in':
      return r.values.length === 1 ? `${r.key}=${r.values[0]}` : `${r.key} in (${r.values.join(',')})`;
    case 'notin':
      return `${r.key} notin (${r.values.join(',')})`;
    case 'exists':
      return r.key;
    case '!exists':
      return `!${r.key}`;
  }
}

const operators: Record<string, Requirement['op']> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!exists' };

/** The selector that matches everything. */
export const EVERYTHING: Selector = new CompiledSelector('', []);

export function parseLabelSelector(raw: unknown): SelectorResult {
  const errors: FieldProblem[] = [];
  if (!isObject(raw)) return { ok: false, errors: [{ field: '', message: `must be a label selector object, not ${show(raw)}` }] };
  const reqs: Requirement[] = [];
  const ml = raw['matchLabels'];
  if (ml !== undefined && ml !== null) {
    if (!isObject(ml)) errors.push({ field: 'matchLabels', message: `must be an object of label: value, not ${show(ml)}` });
    else {
      for (const [k, v] of Object.entries(ml)) {
        const f = `matchLabels[${JSON.stringify(k)}]`;
        const kp = labelKeyProblem(k);
        if (kp) errors.push({ field: f, message: kp });
        if (typeof v !== 'string') errors.push({ field: f, message: `must be a string, not ${show(v)}` });
        else {
          const vp = labelValueProblem(v);
          if (vp) errors.push({ field: f, message: vp });
          else if (!kp) reqs.push({ op: 'in', key: k, values: [v] });
        }
      }
    }
  }
  const me = raw['matchExpressions'];
  if (me !== undefined && me !== null) {
    if (!Array.isArray(me)) errors.push({ field: 'matchExpressions', message: `must be a list, not ${show(me)}` });
    else me.forEach((e: unknown, i) => parseRequirement(e, `matchExpressions[${i}]`, reqs, errors));
  }
  for (const k of Object.keys(raw)) {
    if (k !== 'matchLabels' && k !== 'matchExpressions') errors.push({ field: k, message: 'unknown field of a label selector' });
  }
  if (errors.length > 0) return { ok: false, errors };
  const texts = [...new Set(reqs.map(reqText))].sort();
  return { ok: true, selector: new CompiledSelector(texts.join(','), reqs) };
}

function parseRequirement(e: unknown, f: string, reqs: Requirement[], errors: FieldProblem[]): void {
  if (!isObject(e)) {
    errors.push({ field: f, message: `must be an object, not ${show(e)}` });
    return;
  }
  const key = e['key'];
  const opName = e['operator'];
  const values = e['values'];
  let ok = true;
  if (typeof key !== 'string') {
    errors.push({ field: `${f}.key`, message: `must be a string, not ${show(key)}` });
    ok = false;
  } else {
    const kp = labelKeyProblem(key);
    if (kp) {
      errors.push({ field: `${f}.key`, message: kp });
      ok = false;
    }
  }
  const op = typeof opName === 'string' ? operators[opName] : undefined;
  if (!op) {
    errors.push({ field: `${f}.operator`, message: `must be In, NotIn, Exists or DoesNotExist, not ${show(opName)}` });
    return;
  }
  const vals: string[] = [];
  if (values !== undefined && values !== null) {
    if (!Array.isArray(values)) {
      errors.push({ field: `${f}.values`, message: `must be a list, not ${show(values)}` });
      return;
    }
    values.forEach((v: unknown, j) => {
      const vp = typeof v === 'string' ? labelValueProblem(v) : `must be a string, not ${show(v)}`;
      if (vp) {
        errors.push({ field: `${f}.values[${j}]`, message: vp });
        ok = false;
      } else vals.push(v as string);
    });
  }
  if ((op === 'in' || op === 'notin') && vals.length === 0 && ok) {
    errors.push({ field: `${f}.values`, message: `must not be empty for operator ${String(opName)}` });
    return;
  }
  if ((op === 'exists' || op === '!exists') && vals.length > 0) {
    errors.push({ field: `${f}.values`, message: `must be empty for operator ${String(opName)}` });
    return;
  }
  if (!ok || typeof key !== 'string') return;
  if (op === 'in' || op === 'notin') reqs.push({ op, key, values: [...new Set(vals)].sort() });
  else reqs.push({ op, key });
}
