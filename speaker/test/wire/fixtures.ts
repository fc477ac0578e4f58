// Loads the real captures in test/wire/fixtures/*.txt (tcpdump -xx output, provenance in each
// file's # header) as frames. Tests read the sources, not dist, so no copy step is needed.
import { readFileSync, readdirSync } from 'node:fs';

const dir = new URL('../../../test/wire/fixtures/', import.meta.url);

export function parseTcpdumpHex(text: string): Buffer {
  const hex: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s+0x[0-9a-f]{4}:\s+((?:[0-9a-f]{2,4}\s?)+)/.exec(line);
    if (m) hex.push(m[1]!.replace(/\s+/g, ''));
  }
  return Buffer.from(hex.join(''), 'hex');
}

/** Every capture, by file name without .txt. */
export function loadCaptures(): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.txt')).sort()) {
    out.set(f.replace(/\.txt$/, ''), parseTcpdumpHex(readFileSync(new URL(f, dir), 'utf8')));
  }
  return out;
}

export function capture(name: string): Buffer {
  const b = loadCaptures().get(name);
  if (!b || b.length === 0) throw new Error(`fixture ${name} not found or empty`);
  return b;
}
