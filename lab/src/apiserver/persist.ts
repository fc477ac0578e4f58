// Persistence, read side. The state is a base file (`P`: the whole store at one resourceVersion,
// `{"resourceVersion":R,"objects":{storeKey:[object...]}}`, the format older servers wrote) and a
// journal of the changes after it, in numbered segments (`P.journal-N`, JSON lines
// `{"rv":N,"sk":storeKey,"key":"ns/name","obj":object|null}`, null for a deletion). A restore
// reads the base, then replays every segment in order, skipping what the base already holds. A
// line that cannot be used is skipped and reported (which file, which line, why), never silently.

import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { SortedMap } from './btree.js';
import { isObject, type JsonObject } from './json.js';
import type { StoreImage } from './store.js';

/** The base file's shape. */
export interface StateFile {
  resourceVersion: number;
  /** storeKey -> objects. */
  objects: Record<string, JsonObject[]>;
}

export interface RestoredState {
  readonly image: StoreImage;
  /** Lines or objects that could not be used, each saying where and why. */
  readonly problems: string[];
  /** Journal lines replayed on top of the base. */
  readonly replayed: number;
}

export class StateFileError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StateFileError';
  }
}

/** Path of journal segment n of the state file at path. */
export function segmentPath(path: string, n: number): string {
  return `${path}.journal-${n}`;
}

/** Journal segment numbers present on disk, in order. */
export function listSegments(path: string): number[] {
  const prefix = `${basename(path)}.journal-`;
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return [];
  }
  return names.filter((n) => n.startsWith(prefix) && /^\d+$/.test(n.slice(prefix.length)))
    .map((n) => Number(n.slice(prefix.length))).sort((a, b) => a - b);
}

function objectKeyOf(o: JsonObject): string | undefined {
  const md = o['metadata'];
  if (!isObject(md) || typeof md['name'] !== 'string' || md['name'] === '') return undefined;
  return `${typeof md['namespace'] === 'string' ? md['namespace'] : ''}/${md['name']}`;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StateFileError(`reading state file ${path}`, { cause: e });
  }
}

/** The base file into sorted trees; undefined if there is none. */
function readBase(path: string, problems: string[]): { rv: number; trees: Map<string, SortedMap<string, JsonObject>> } | undefined {
  const text = readText(path);
  if (text === undefined) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new StateFileError(`state file ${path} is not JSON: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  if (!isObject(raw) || typeof raw['resourceVersion'] !== 'number' || !isObject(raw['objects'])) {
    throw new StateFileError(`state file ${path} is not a Herald API server state (want {resourceVersion: number, objects: {...}})`);
  }
  const trees = new Map<string, SortedMap<string, JsonObject>>();
  for (const [sk, v] of Object.entries(raw['objects'])) {
    if (!Array.isArray(v)) {
      problems.push(`${path}: objects[${JSON.stringify(sk)}] is not an array: skipped`);
      continue;
    }
    const pairs: [string, JsonObject][] = [];
    v.forEach((o, i) => {
      const key = isObject(o) ? objectKeyOf(o) : undefined;
      if (isObject(o) && key !== undefined) pairs.push([key, o]);
      else problems.push(`${path}: objects[${JSON.stringify(sk)}][${i}] has no metadata.name: skipped`);
    });
    trees.set(sk, new SortedMap<string, JsonObject>(pairs));
  }
  return { rv: raw['resourceVersion'], trees };
}

interface JournalEntry {
  rv: number;
  sk: string;
  key: string;
  obj: JsonObject | null;
}

function parseLine(line: string): JournalEntry | string {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch (e) {
    return `not JSON (${e instanceof Error ? e.message : String(e)})`;
  }
  if (!isObject(raw)) return 'not an object';
  const { rv, sk, key, obj } = raw;
  if (typeof rv !== 'number' || !Number.isInteger(rv) || rv <= 0) return 'rv is not a positive integer';
  if (typeof sk !== 'string' || typeof key !== 'string' || key === '') return 'sk or key missing';
  if (obj !== null && !isObject(obj)) return 'obj is neither an object nor null';
  return { rv, sk, key, obj };
}

/** Reads the base and replays the journal; undefined when neither exists. Throws StateFileError
 * when the base is unreadable (a server must not start on top of a state it cannot read). */
export function readState(path: string): RestoredState | undefined {
  const problems: string[] = [];
  const base = readBase(path, problems);
  const segments = listSegments(path);
  if (base === undefined && segments.length === 0) return undefined;
  const trees = base?.trees ?? new Map<string, SortedMap<string, JsonObject>>();
  let rv = base?.rv ?? 0;
  let replayed = 0;
  for (const n of segments) {
    const file = segmentPath(path, n);
    const text = readText(file) ?? '';
    const lines = text.split('\n');
    const torn = !text.endsWith('\n');
    lines.forEach((line, i) => {
      if (line === '') return;
      const e = parseLine(line);
      if (typeof e === 'string') {
        const last = i === lines.length - 1 && torn;
        problems.push(`${file}:${i + 1}: ${e}${last ? ' (a write cut short by a crash)' : ''}: skipped`);
        return;
      }
      if (e.rv <= rv) {
        // Already in the base (a compaction that finished after this segment was closed).
        if (e.rv > (base?.rv ?? 0)) problems.push(`${file}:${i + 1}: resourceVersion ${e.rv} is not after ${rv}: skipped`);
        return;
      }
      rv = e.rv;
      let tree = trees.get(e.sk);
      if (tree === undefined) {
        tree = new SortedMap<string, JsonObject>();
        trees.set(e.sk, tree);
      }
      if (e.obj === null) tree.delete(e.key);
      else tree.set(e.key, e.obj);
      replayed++;
    });
  }
  for (const [sk, t] of trees) if (t.size === 0) trees.delete(sk);
  return { image: { rv, trees }, problems, replayed };
}

/**
 * The whole state at path (base plus journal) as one base-file object, for tools and tests that
 * edit a stopped server's state: write it back to path and remove the journal (removeJournal)
 * before the next start, or the journal's later entries are replayed on top of the edit.
 */
export function readStateFile(path: string): StateFile | undefined {
  const s = readState(path);
  if (s === undefined) return undefined;
  const objects: Record<string, JsonObject[]> = {};
  for (const [sk, t] of s.image.trees) objects[sk] = [...t.values()];
  return { resourceVersion: s.image.rv, objects };
}

/** Deletes every journal segment of the state file at path. */
export function removeJournal(path: string): void {
  for (const n of listSegments(path)) rmSync(segmentPath(path, n), { force: true });
}
