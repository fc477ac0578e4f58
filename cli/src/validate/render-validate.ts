// validate's output: every error as `Kind ns/name field: problem`, then what applying would do.
import { formatConfigError } from '@herald/shared/config';
import { machineOutput, type OutputFormat } from '../output/format.js';
import { refText } from '../objects/object-ref.js';
import type { ValidateResult } from './validate.js';

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

export function renderValidate(r: ValidateResult, format: OutputFormat, cluster: boolean): string {
  const value = {
    valid: r.valid,
    errors: r.errors.map((e) => ({ ...e, text: formatConfigError(e) })),
    ...(cluster ? { changes: r.changes.map((c) => ({ kind: c.ref.kind, namespace: c.ref.namespace, name: c.ref.name, change: c.change, fromMetalLB: c.fromMetalLB })) } : {}),
    services: r.services,
    notes: r.notes,
    counts: r.counts,
  };
  const m = machineOutput(format, value);
  if (m !== undefined) return m;
  const lines: string[] = [];
  for (const e of r.errors) lines.push(formatConfigError(e));
  if (cluster) for (const c of r.changes) lines.push(`${refText(c.ref)} ${c.change}${c.fromMetalLB ? ' (from MetalLB)' : ''}`);
  for (const s of r.services) {
    if (s.type === 'allocated') lines.push(`Service ${s.key}: would get ${s.ips.join(', ')} from pool ${s.pool}`);
    else if (s.type === 'not-ours') lines.push(`Service ${s.key}: not handled by Herald: ${s.why}`);
  }
  for (const n of r.notes) lines.push(`note: ${n}`);
  const c = r.counts;
  const what = `${plural(c.herald, 'Herald object')}, ${plural(c.metallb, 'MetalLB object')}, ${plural(c.services, 'Service')}${c.ignored ? `; ${plural(c.ignored, 'object')} of other kinds ignored` : ''}`;
  lines.push(r.valid ? `valid: ${what}` : `invalid: ${plural(r.errors.length, 'error')} in ${what}`);
  return lines.join('\n') + '\n';
}
