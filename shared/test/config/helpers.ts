import { formatConfigError, type Config } from '../../src/config/model.js';
import type { ConfigInput } from '../../src/config/input.js';
import { parseConfig } from '../../src/config/parse-config.js';

export const NS = 'herald-system';

export function obj(name: string, spec: unknown, labels?: Record<string, string>): unknown {
  return { metadata: { name, namespace: NS, ...(labels ? { labels } : {}) }, spec };
}

/** The formatted errors (empty when the config is valid). */
export function errorsOf(input: ConfigInput): string[] {
  const r = parseConfig(input);
  return r.ok ? [] : r.errors.map(formatConfigError);
}

export function configOf(input: ConfigInput): Config {
  const r = parseConfig(input);
  if (!r.ok) throw new Error(`unexpected errors:\n${r.errors.map(formatConfigError).join('\n')}`);
  return r.config;
}

export interface ErrorCase {
  desc: string;
  input: ConfigInput;
  /** [] for a valid row. */
  wantError: string[];
}

export const pool = (name: string, ...addresses: unknown[]): unknown => obj(name, { addresses });
