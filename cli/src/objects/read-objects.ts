// -f FILE|DIR -> the objects in them, each with where it came from. A directory is read
// recursively (*.yaml, *.yml, *.json, in name order), as kubectl -f DIR -R does. Syntax errors
// name the file and line; a document that is not an object is an error, not a crash.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, type Document } from 'yaml';
import { CliError } from '../errors.js';

export interface SourcedDocument {
  /** "path" or "path#3" (the 1-based document number in a multi-document file). */
  readonly source: string;
  readonly doc: Document;
}

const EXTENSIONS = ['.yaml', '.yml', '.json'];

function filesUnder(path: string): string[] {
  let st;
  try {
    st = statSync(path);
  } catch (err) {
    throw new CliError(`${path}: no such file or directory`, 2, { cause: err });
  }
  if (!st.isDirectory()) return [path];
  const out: string[] = [];
  for (const entry of readdirSync(path).sort()) {
    const p = join(path, entry);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else if (EXTENSIONS.some((e) => entry.endsWith(e))) out.push(p);
  }
  return out;
}

/** Parses YAML text (one or many documents); empty documents are skipped. */
export function parseDocuments(text: string, file: string): SourcedDocument[] {
  const docs = parseAllDocuments(text, { prettyErrors: true });
  if (!Array.isArray(docs)) return [];
  const out: SourcedDocument[] = [];
  docs.forEach((doc, i) => {
    const err = doc.errors[0];
    if (err) {
      const line = err.linePos?.[0]?.line;
      throw new CliError(`${file}${line ? `:${line}` : ''}: YAML syntax error: ${err.message.split('\n')[0] ?? ''}`, 1);
    }
    if (doc.contents === null) return;
    out.push({ source: docs.length > 1 ? `${file}#${i + 1}` : file, doc });
  });
  return out;
}

export function readDocuments(paths: readonly string[]): SourcedDocument[] {
  if (paths.length === 0) throw new CliError('no input: give -f FILE or -f DIR');
  const out: SourcedDocument[] = [];
  for (const p of paths) {
    const files = filesUnder(p);
    if (files.length === 0) throw new CliError(`${p}: no .yaml, .yml or .json file in it`);
    for (const f of files) out.push(...parseDocuments(readFileSync(f, 'utf8'), f));
  }
  return out;
}
