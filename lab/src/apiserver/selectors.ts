// Label and field selectors: parsed once per request into predicates, with kube-apiserver's
// accepted grammar and its rejections (400 "unable to parse requirement", unknown field labels).

export type LabelRequirement =
  | { op: 'exists'; key: string }
  | { op: 'notexists'; key: string }
  | { op: 'in'; key: string; values: string[] }
  | { op: 'notin'; key: string; values: string[] };

export type LabelSelector = LabelRequirement[];

export class SelectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SelectorError';
  }
}

const nameRe = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const prefixRe = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const valueRe = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export function validLabelKey(key: string): boolean {
  const slash = key.indexOf('/');
  if (slash < 0) return nameRe.test(key);
  const prefix = key.slice(0, slash);
  const name = key.slice(slash + 1);
  return prefix.length > 0 && prefix.length <= 253 && prefixRe.test(prefix) && nameRe.test(name);
}

export function validLabelValue(v: string): boolean {
  return v.length <= 63 && valueRe.test(v);
}

function fail(detail: string): never {
  throw new SelectorError(`unable to parse requirement: ${detail}`);
}

/** Splits on commas that are not inside parentheses. */
function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (depth < 0) fail(`unbalanced parentheses in ${JSON.stringify(s)}`);
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (depth !== 0) fail(`unbalanced parentheses in ${JSON.stringify(s)}`);
  out.push(cur);
  return out;
}

function checkKey(key: string): string {
  if (!validLabelKey(key)) {
    fail(`key: Invalid value: ${JSON.stringify(key)}: name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`);
  }
  return key;
}

function checkValue(v: string): string {
  if (!validLabelValue(v)) {
    fail(`values[0]: Invalid value: ${JSON.stringify(v)}: a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`);
  }
  return v;
}

function parseRequirement(raw: string): LabelRequirement {
  const s = raw.trim();
  if (s === '') fail('found \'\', expected: !, identifier, or \'end of string\'');
  const setMatch = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(s);
  if (setMatch) {
    const [, key = '', op, list = ''] = setMatch;
    const values = list.split(',').map((v) => checkValue(v.trim()));
    return { op: op === 'in' ? 'in' : 'notin', key: checkKey(key), values };
  }
  if (s.startsWith('!')) return { op: 'notexists', key: checkKey(s.slice(1).trim()) };
  const eq = /^([^=!\s]+)\s*(==|=|!=)\s*(.*)$/.exec(s);
  if (eq) {
    const [, key = '', op, value = ''] = eq;
    if (/[=!(),\s]/.test(value)) fail(`found ${JSON.stringify(value)}, expected: identifier`);
    return { op: op === '!=' ? 'notin' : 'in', key: checkKey(key), values: [checkValue(value)] };
  }
  if (/[=!()<>\s]/.test(s)) fail(`found ${JSON.stringify(s)}, expected: in, notin, =, ==, !=, gt, lt`);
  return { op: 'exists', key: checkKey(s) };
}

export function parseLabelSelector(s: string | undefined): LabelSelector {
  if (s === undefined || s.trim() === '') return [];
  return splitTop(s).map(parseRequirement);
}

export function matchLabels(sel: LabelSelector, labels: Readonly<Record<string, unknown>> | undefined): boolean {
  for (const r of sel) {
    const v = labels?.[r.key];
    const has = typeof v === 'string';
    switch (r.op) {
      case 'exists': if (!has) return false; break;
      case 'notexists': if (has) return false; break;
      case 'in': if (!has || !r.values.includes(v)) return false; break;
      case 'notin': if (has && r.values.includes(v)) return false; break;
    }
  }
  return true;
}

export interface FieldRequirement {
  field: string;
  op: '=' | '!=';
  value: string;
}

function unescapeField(s: string): string {
  return s.replace(/\\(.)/g, '$1');
}

/** Parses a field selector and rejects fields this resource does not index. */
export function parseFieldSelector(s: string | undefined, allowed: readonly string[]): FieldRequirement[] {
  if (s === undefined || s.trim() === '') return [];
  const parts = s.split(/(?<!\\),/);
  return parts.map((p) => {
    const m = /^(.*?)(==|!=|=)(.*)$/.exec(p);
    if (!m) throw new SelectorError(`invalid selector: '${s}'; can't understand '${p}'`);
    const field = (m[1] ?? '').trim();
    if (!allowed.includes(field)) {
      throw new SelectorError(`${JSON.stringify(field)} is not a known field selector: only "metadata.name", "metadata.namespace"`);
    }
    return { field, op: m[2] === '!=' ? '!=' : '=', value: unescapeField(m[3] ?? '') };
  });
}

export function matchFields(reqs: readonly FieldRequirement[], get: (field: string) => string): boolean {
  for (const r of reqs) {
    const v = get(r.field);
    if ((r.op === '=') !== (v === r.value)) return false;
  }
  return true;
}
