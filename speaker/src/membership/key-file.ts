// The heartbeat key, from a file (a Kubernetes Secret mounted as a volume). Several keys may be
// given as several files, for rotation: the first signs, all of them verify.
import { readFile } from 'node:fs/promises';

export const MIN_KEY_BYTES = 16;

export class KeyFileError extends Error {
  override readonly name = 'KeyFileError';
}

/** Parses key file content: raw bytes, with one trailing newline (as `echo` adds) removed. */
export function parseKey(content: Buffer, what: string): Buffer {
  let end = content.length;
  if (end > 0 && content[end - 1] === 0x0a) end--;
  if (end > 0 && content[end - 1] === 0x0d) end--;
  const key = content.subarray(0, end);
  if (key.length < MIN_KEY_BYTES) throw new KeyFileError(`${what}: key has ${key.length} bytes, need at least ${MIN_KEY_BYTES}`);
  return Buffer.from(key);
}

/** Reads keys from the given files (first signs). Never logs key material. */
export async function loadKeys(paths: readonly string[]): Promise<Buffer[]> {
  if (paths.length === 0) throw new KeyFileError('no heartbeat key file given');
  const out: Buffer[] = [];
  for (const p of paths) {
    let content: Buffer;
    try {
      content = await readFile(p);
    } catch (err) {
      throw new KeyFileError(`cannot read heartbeat key file ${p}`, { cause: err });
    }
    out.push(parseKey(content, p));
  }
  return out;
}
