// Small helpers shared by the API operations and the watch handler.

import { getPath, objAt, text, type JsonObject } from './json.js';
import type { ResourceInfo } from './registry.js';
import { matchFields, matchLabels, parseFieldSelector, parseLabelSelector, SelectorError } from './selectors.js';
import { errors } from './status.js';

function meta(o: JsonObject | undefined): JsonObject {
  return objAt(o, 'metadata');
}

export function nowTime(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

export function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

/** Field selector values of an object: metadata.* and the kind's indexed fields. */
export function fieldValue(obj: JsonObject, field: string): string {
  if (field === 'source') return text(getPath(obj, ['source', 'component']));
  const v = getPath(obj, field.split('.'));
  if (v === undefined || v === null) return '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export type Matcher = (obj: JsonObject) => boolean;

export function selectorsOf(info: ResourceInfo, query: URLSearchParams): Matcher {
  try {
    const labels = parseLabelSelector(query.get('labelSelector') ?? undefined);
    const fields = parseFieldSelector(query.get('fieldSelector') ?? undefined, ['metadata.name', 'metadata.namespace', ...info.fieldSelectors]);
    if (labels.length === 0 && fields.length === 0) return () => true;
    return (o) => matchLabels(labels, objAt(meta(o), 'labels')) && matchFields(fields, (f) => fieldValue(o, f));
  } catch (e) {
    if (e instanceof SelectorError) throw errors.badRequest(e.message);
    throw e;
  }
}
