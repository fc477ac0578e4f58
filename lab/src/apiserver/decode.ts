// Request bodies: JSON or YAML into a JSON object, with the real server's 4xx answers for
// malformed input, wrong apiVersion/kind and unknown media types.

import { parse as parseYaml } from 'yaml';
import { isObject, text, type Json, type JsonObject } from './json.js';
import { apiVersionOf, type ResourceInfo } from './registry.js';
import { ApiError, errors } from './status.js';

export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** Parses a body as JSON or YAML (by media type); throws 400 on malformed input. */
export function parseBody(body: Buffer, contentType: string | undefined, yamlAllowed = true): Json {
  const mt = mediaType(contentType);
  const text = body.toString('utf8');
  if (mt === 'application/yaml' || mt === 'application/apply-patch+yaml' || mt === 'text/yaml') {
    if (!yamlAllowed) throw errors.unsupportedMediaType(mt, ['application/json']);
    try {
      const docs = parseYaml(text, { maxAliasCount: 100, uniqueKeys: false }) as unknown;
      return checkDepth((docs ?? null) as Json);
    } catch (e) {
      if (e instanceof ApiError) throw e;
      throw errors.badRequest(`error converting YAML to JSON: ${e instanceof Error ? e.message.split('\n')[0] ?? '' : String(e)}`);
    }
  }
  try {
    return checkDepth(JSON.parse(text) as Json);
  } catch (e) {
    if (e instanceof ApiError) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    throw errors.badRequest(`couldn't get version/kind; json parse error: ${msg}`);
  }
}

/** Nesting deeper than this is refused (the tree walkers here are recursive). */
const maxDepth = 256;

function depthOk(v: Json): boolean {
  const stack: [Json, number][] = [[v, 0]];
  while (stack.length > 0) {
    const [cur, d] = stack.pop() ?? [null, 0];
    if (d > maxDepth) return false;
    if (Array.isArray(cur)) for (const x of cur) stack.push([x, d + 1]);
    else if (isObject(cur)) for (const x of Object.values(cur)) stack.push([x, d + 1]);
  }
  return true;
}

export function checkDepth(v: Json): Json {
  if (!depthOk(v)) throw errors.badRequest(`json: exceeded max depth ${maxDepth}`);
  return v;
}

function metaTypeError(info: ResourceInfo, field: string, want: string, got: unknown): ApiError {
  const what = got === null ? 'null' : Array.isArray(got) ? 'array' : typeof got;
  return new ApiError(400, 'BadRequest',
    `${info.kind} in version "${info.version}" cannot be handled as a ${info.kind}: json: cannot unmarshal ${what} into Go struct field ObjectMeta.metadata.${field} of type ${want}`);
}

/** ObjectMeta fields with the wrong JSON type cannot be decoded by the real server (400). */
function checkMetaTypes(info: ResourceInfo, md: JsonObject): void {
  for (const f of ['name', 'namespace', 'generateName', 'resourceVersion', 'uid']) {
    const v = md[f];
    if (v !== undefined && v !== null && typeof v !== 'string') throw metaTypeError(info, f, 'string', v);
  }
  for (const f of ['labels', 'annotations']) {
    const v = md[f];
    if (v === undefined || v === null) continue;
    if (!isObject(v)) throw metaTypeError(info, f, 'map[string]string', v);
    for (const x of Object.values(v)) if (typeof x !== 'string') throw metaTypeError(info, f, 'string', x);
  }
  const fin = md['finalizers'];
  if (fin !== undefined && fin !== null && (!Array.isArray(fin) || fin.some((x) => typeof x !== 'string'))) {
    throw metaTypeError(info, 'finalizers', '[]string', fin);
  }
}

export const bodyMediaTypes = ['application/json', 'application/yaml', ''];

/** A full object body for create/update: object, matching apiVersion and kind. */
export function decodeObject(info: ResourceInfo, raw: Json): JsonObject {
  if (!isObject(raw)) {
    const what = raw === null ? 'null' : Array.isArray(raw) ? 'array' : typeof raw;
    throw new ApiError(400, 'BadRequest',
      `${info.kind} in version "${info.version}" cannot be handled as a ${info.kind}: json: cannot unmarshal ${what} into Go value of type struct`);
  }
  const av = raw['apiVersion'];
  const want = apiVersionOf(info);
  if (av !== undefined && av !== want) {
    if (typeof av !== 'string' || av === '') throw errors.badRequest(`Object 'apiVersion' is missing in '${JSON.stringify(raw).slice(0, 200)}'`);
    throw errors.badRequest(`the API version in the data (${av}) does not match the expected API version (${want})`);
  }
  const kind = raw['kind'];
  if (kind !== undefined && kind !== info.kind) {
    throw errors.badRequest(`the kind in the data (${text(kind)}) does not match the expected kind (${info.kind}) for ${want}, Resource=${info.resource}`);
  }
  const md = raw['metadata'];
  if (md !== undefined && md !== null && !isObject(md)) {
    throw new ApiError(400, 'BadRequest', `${info.kind} in version "${info.version}" cannot be handled as a ${info.kind}: json: cannot unmarshal ${Array.isArray(md) ? 'array' : typeof md} into Go struct field ${info.kind}.metadata of type v1.ObjectMeta`);
  }
  if (isObject(md)) checkMetaTypes(info, md);
  return { kind: info.kind, apiVersion: want, ...raw, metadata: isObject(md) ? md : {} };
}
