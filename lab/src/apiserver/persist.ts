// Optional persistence: the whole store as one JSON file, written debounced and atomically
// (write a temporary file, then rename), and read back on start.

import { readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { isObject, type JsonObject } from './json.js';

export interface StateFile {
  resourceVersion: number;
  /** storeKey -> objects. */
  objects: Record<string, JsonObject[]>;
}

export function readState(path: string): StateFile | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`reading state file ${path}`, { cause: e });
  }
  const raw = JSON.parse(text) as unknown;
  if (!isObject(raw) || typeof raw['resourceVersion'] !== 'number' || !isObject(raw['objects'])) {
    throw new Error(`state file ${path} is not a Herald API server state`);
  }
  const objects: Record<string, JsonObject[]> = {};
  for (const [k, v] of Object.entries(raw['objects'])) objects[k] = Array.isArray(v) ? v.filter(isObject) : [];
  return { resourceVersion: raw['resourceVersion'], objects };
}

/** Debounced, serialised, atomic writer. */
export class StateWriter {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private seq = 0;

  constructor(private readonly path: string, private readonly snapshot: () => StateFile, private readonly delayMs = 100,
    private readonly onError: (e: unknown) => void = () => undefined) {}

  schedule(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.writing = this.writing.then(() => this.writeNow()).catch(this.onError);
    }, this.delayMs);
  }

  private async writeNow(): Promise<void> {
    const tmp = `${this.path}.tmp-${process.pid}-${this.seq++}`;
    await writeFile(tmp, JSON.stringify(this.snapshot()));
    await rename(tmp, this.path);
  }

  /** Writes any pending change now and waits for it. */
  async flush(): Promise<void> {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.writing = this.writing.then(() => this.writeNow()).catch(this.onError);
    }
    await this.writing;
  }
}
