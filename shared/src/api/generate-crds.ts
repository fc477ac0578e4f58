// CLI: node shared/dist/src/api/generate-crds.js <dir>. Writes config/crd/ from crd-defs.ts.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createLogger } from '../log.js';
import { renderCRDFiles } from './crds.js';

export function writeCRDs(dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, text] of renderCRDFiles()) {
    writeFileSync(join(dir, name), text);
    written.push(name);
  }
  return written;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const dir = process.argv[2];
  const log = createLogger({ component: 'generate-crds' });
  if (!dir) {
    log.error('usage', { message: 'usage: generate-crds <output dir>' });
    process.exit(2);
  }
  const files = writeCRDs(dir);
  log.info('crds written', { dir, files: files.length });
}
