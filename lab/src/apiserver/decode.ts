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
      return (docs ?? null) as Json;
    } catch (e) {
      throw errors.badRequest(`error converting YAML to JSON: ${e instanceof Error ? e.message.split('\n')[0] ?? '' : String(e)}`);
    }
  }
  try {
    return JSON.parse(text) as Json;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw errors.badRequest(`couldn't get version/kind; json parse error: ${msg}`);
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
  return { kind: info.kind, apiVersion: want, ...raw, metadata: isObject(md) ? md : {} };
}
