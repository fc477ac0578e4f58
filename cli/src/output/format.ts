// -o table|wide|json|yaml. json and yaml print the same value the table is drawn from.
import { stringify } from 'yaml';
import { CliError } from '../errors.js';

export const OUTPUT_FORMATS = ['table', 'wide', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export function parseOutputFormat(text: string | undefined): OutputFormat {
  const t = text ?? 'table';
  if ((OUTPUT_FORMATS as readonly string[]).includes(t)) return t as OutputFormat;
  throw new CliError(`-o ${t}: unknown output format (one of ${OUTPUT_FORMATS.join(', ')})`);
}

/** The machine forms; undefined for table/wide (the command draws those). */
export function machineOutput(format: OutputFormat, value: unknown): string | undefined {
  if (format === 'json') return JSON.stringify(value, null, 2) + '\n';
  if (format === 'yaml') return stringify(value, { lineWidth: 0 });
  return undefined;
}
