// Persistence, write side, so a large store never blocks request handling for long. Each commit
// appends one journal line built from the JSON the store already serialised (no second
// stringify), buffered and written every flushMs in one write. Once the journal outgrows the base
// (and a floor), a compaction writes a new base in the background: it takes an O(1) image of the
// store, switches the journal to a new segment, serialises the image chunk by chunk (one chunk of
// about chunkBytes between event-loop turns), renames it into place and only then deletes the
// segments it covers. A crash at any point leaves a base plus segments that replay to the same
// state (persist.ts). A failed journal write forces a compaction, which rewrites everything.

import { statSync } from 'node:fs';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { listSegments, segmentPath } from './persist.js';
import type { CommitRecord, StoreImage } from './store.js';

export interface StateWriterOptions {
  /** How long appended lines wait before they are written (one write per flush). */
  readonly flushMs: number;
  /** No compaction before the journal holds this many bytes (it also waits for the base size). */
  readonly compactMinBytes: number;
  /** Bytes serialised between two event-loop turns while writing a base. */
  readonly chunkBytes: number;
}

export const defaultStateWriterOptions: StateWriterOptions = { flushMs: 50, compactMinBytes: 8 * 1024 * 1024, chunkBytes: 512 * 1024 };

export interface StateWriterStats {
  readonly baseBytes: number;
  readonly journalBytes: number;
  readonly compactions: number;
  /** Wall time of the last compaction, ms. */
  readonly lastCompactionMs: number | undefined;
  readonly writeErrors: number;
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** Writes the image as a base file: {"resourceVersion":R,"objects":{sk:[...]}}, chunk by chunk. */
export async function writeBase(path: string, image: StoreImage, chunkBytes: number, tmpSuffix: string): Promise<number> {
  const tmp = `${path}.tmp-${tmpSuffix}`;
  const fh = await open(tmp, 'w');
  let bytes = 0;
  try {
    let buf = `{"resourceVersion":${image.rv},"objects":{`;
    let firstSk = true;
    for (const [sk, tree] of image.trees) {
      buf += `${firstSk ? '' : ','}${JSON.stringify(sk)}:[`;
      firstSk = false;
      let first = true;
      for (const obj of tree.values()) {
        buf += (first ? '' : ',') + JSON.stringify(obj);
        first = false;
        if (buf.length >= chunkBytes) {
          bytes += (await fh.write(buf)).bytesWritten;
          buf = '';
        }
      }
      buf += ']';
    }
    buf += '}}';
    bytes += (await fh.write(buf)).bytesWritten;
    await fh.sync();
  } catch (e) {
    await fh.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  await fh.close();
  await rename(tmp, path);
  return bytes;
}

export class StateWriter {
  private pending: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** Serialises journal writes and segment switches. */
  private chain: Promise<void> = Promise.resolve();
  private handle: FileHandle | undefined;
  private seq: number;
  private baseBytes: number;
  private journalBytes = 0;
  private compacting: Promise<void> | undefined;
  private mustCompact = false;
  private compactions = 0;
  private lastCompactionMs: number | undefined;
  private writeErrors = 0;
  private closed = false;

  /**
   * Continues the state at path: new lines go to a segment after every one on disk (a segment a
   * crashed writer left may end in a torn line, so it is never appended to).
   */
  constructor(private readonly path: string, private readonly image: () => StoreImage, private readonly onError: (e: unknown) => void,
    private readonly opts: StateWriterOptions = defaultStateWriterOptions) {
    const segs = listSegments(path);
    this.seq = (segs[segs.length - 1] ?? 0) + 1;
    this.baseBytes = sizeOf(path);
    for (const n of segs) this.journalBytes += sizeOf(segmentPath(path, n));
  }

  /** Records one commit (called synchronously by the store, in resourceVersion order). */
  append(rec: CommitRecord): void {
    if (this.closed) return;
    const obj = rec.type === 'DELETED' ? 'null' : rec.json;
    this.pending.push(`{"rv":${rec.rv},"sk":${JSON.stringify(rec.storeKey)},"key":${JSON.stringify(rec.key)},"obj":${obj}}\n`);
    this.timer ??= setTimeout(() => { this.timer = undefined; this.writePending(); }, this.opts.flushMs);
  }

  /** Writes what is buffered now and waits for it (and for nothing queued later). */
  async flush(): Promise<void> {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.writePending();
    await this.chain;
  }

  /** Flushes, lets a running compaction finish, and closes the journal. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    await this.compacting;
    this.chain = this.chain.then(async () => { await this.handle?.close(); this.handle = undefined; });
    await this.chain;
  }

  stats(): StateWriterStats {
    return { baseBytes: this.baseBytes, journalBytes: this.journalBytes, compactions: this.compactions, lastCompactionMs: this.lastCompactionMs, writeErrors: this.writeErrors };
  }

  /** Starts a compaction now unless one runs (tests; also called when the journal is big). */
  compact(): Promise<void> {
    this.compacting ??= this.runCompaction().finally(() => { this.compacting = undefined; });
    return this.compacting;
  }

  private writePending(): void {
    if (this.pending.length === 0) return;
    const data = this.pending.join('');
    this.pending = [];
    this.chain = this.chain.then(async () => {
      try {
        this.handle ??= await open(segmentPath(this.path, this.seq), 'a');
        await this.handle.write(data);
        this.journalBytes += Buffer.byteLength(data);
      } catch (e) {
        this.writeErrors++;
        this.mustCompact = true;
        this.onError(e);
      }
    });
    void this.chain.then(() => {
      if (!this.closed && (this.mustCompact || this.journalBytes >= Math.max(this.opts.compactMinBytes, this.baseBytes))) void this.compact();
    });
  }

  private async runCompaction(): Promise<void> {
    const t0 = performance.now();
    this.mustCompact = false;
    // One moment: the image holds every commit so far, and so do the segments up to `covered`
    // once the lines buffered now are written; later commits go to the next segment.
    const image = this.image();
    const covered = this.seq;
    this.writePending();
    this.chain = this.chain.then(async () => {
      await this.handle?.close();
      this.handle = undefined;
      this.seq = covered + 1;
      this.journalBytes = 0;
    });
    try {
      this.baseBytes = await writeBase(this.path, image, this.opts.chunkBytes, `${process.pid}-${covered}`);
      for (const n of listSegments(this.path)) if (n <= covered) await unlink(segmentPath(this.path, n)).catch(() => undefined);
      this.compactions++;
      this.lastCompactionMs = performance.now() - t0;
    } catch (e) {
      this.writeErrors++;
      this.mustCompact = true;
      this.onError(e);
    }
  }
}
