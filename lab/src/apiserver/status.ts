// Status error bodies shaped like kube-apiserver's, and the error that carries them out of a
// handler. Every failure the server returns is one of these.

import type { JsonObject } from './json.js';

export type StatusReason =
  | 'BadRequest'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Invalid'
  | 'Expired'
  | 'Gone'
  | 'MethodNotAllowed'
  | 'UnsupportedMediaType'
  | 'RequestEntityTooLarge'
  | 'NotAcceptable'
  | 'Forbidden'
  | 'TooManyRequests'
  | 'InternalError';

export interface StatusCause {
  reason: string;
  message: string;
  field: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** ListMeta of a Status (a 410 for an expired continue token carries a fresh token). */
export interface StatusListMeta {
  continue?: string;
}

/** A field error as Kubernetes validation reports it. */
export interface FieldError {
  type: 'FieldValueRequired' | 'FieldValueInvalid' | 'FieldValueNotSupported' | 'FieldValueForbidden'
    | 'FieldValueTypeInvalid' | 'FieldValueDuplicate' | 'FieldValueTooLong' | 'FieldValueTooMany';
  field: string;
  /** Full detail after the field, e.g. `Required value` or `Invalid value: "x": must be ...`. */
  detail: string;
}

export function statusBody(code: number, reason: StatusReason, message: string, details?: StatusDetails, listMeta: StatusListMeta = {}): JsonObject {
  const body: JsonObject = { kind: 'Status', apiVersion: 'v1', metadata: { ...listMeta }, status: 'Failure', message, reason };
  if (details !== undefined) body['details'] = details as unknown as JsonObject;
  body['code'] = code;
  return body;
}

export class ApiError extends Error {
  readonly code: number;
  readonly body: JsonObject;
  /** Extra response headers (Retry-After on a 429). */
  readonly headers: Readonly<Record<string, string>>;
  constructor(code: number, reason: StatusReason, message: string, details?: StatusDetails, listMeta?: StatusListMeta, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.body = statusBody(code, reason, message, details, listMeta);
    this.headers = headers;
  }
}

/** How a resource is named in messages: `services`, `ipaddresspools.herald.dev`. */
export interface ResourceRef {
  group: string;
  resource: string;
  kind: string;
}

function qualified(r: ResourceRef): string {
  return r.group === '' ? r.resource : `${r.resource}.${r.group}`;
}

function details(r: ResourceRef, name: string, kind = r.resource): StatusDetails {
  const d: StatusDetails = { name };
  if (r.group !== '') d.group = r.group;
  d.kind = kind;
  return d;
}

/**
 * A path no API handler claims: an unknown group, an unknown version, or a resource of a group that
 * only CRDs serve (a CRD not installed). kube-apiserver hands these to its NotFound handler, which
 * answers as Go's http.NotFound does: 404, text/plain, "404 page not found", not a Status.
 * (Unknown paths inside a built-in group/version are go-restful's and do get a Status:
 * errors.noSuchPath.)
 */
export class PageNotFoundError extends Error {
  override readonly name = 'PageNotFoundError';
  constructor(readonly path: string) {
    super(`no handler for ${path}`);
  }
}

export const errors = {
  badRequest: (message: string): ApiError => new ApiError(400, 'BadRequest', message),
  notFound: (r: ResourceRef, name: string): ApiError =>
    new ApiError(404, 'NotFound', `${qualified(r)} "${name}" not found`, details(r, name)),
  noSuchPath: (): ApiError =>
    new ApiError(404, 'NotFound', 'the server could not find the requested resource', {}),
  alreadyExists: (r: ResourceRef, name: string): ApiError =>
    new ApiError(409, 'AlreadyExists', `${qualified(r)} "${name}" already exists`, details(r, name)),
  conflict: (r: ResourceRef, name: string): ApiError =>
    new ApiError(409, 'Conflict',
      `Operation cannot be fulfilled on ${qualified(r)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      details(r, name)),
  preconditionConflict: (r: ResourceRef, name: string, what: string): ApiError =>
    new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(r)} "${name}": ${what}`, details(r, name)),
  /**
   * 422 Invalid. `as: 'resource'` names the object by its plural resource instead of its Kind, as
   * the generic registry does for an update without resourceVersion
   * (`leases.coordination.k8s.io "l1" is invalid: ...`, details.kind "leases").
   */
  invalid: (r: ResourceRef, name: string, errs: readonly FieldError[], as: 'kind' | 'resource' = 'kind'): ApiError => {
    const parts = errs.map((e) => `${e.field}: ${e.detail}`);
    const joined = parts.length === 1 ? parts[0] ?? '' : `[${parts.join(', ')}]`;
    const kind = as === 'kind' ? r.kind : r.resource;
    const kindName = r.group === '' ? kind : `${kind}.${r.group}`;
    const d: StatusDetails = { name };
    if (r.group !== '') d.group = r.group;
    d.kind = kind;
    d.causes = errs.map((e) => ({ reason: e.type, message: e.detail, field: e.field }));
    return new ApiError(422, 'Invalid', `${kindName} "${name}" is invalid: ${joined}`, d);
  },
  expired: (message: string): ApiError => new ApiError(410, 'Expired', message),
  /** kube-apiserver's answer to a continue token whose snapshot is compacted away. */
  expiredContinue: (inconsistentToken: string): ApiError => new ApiError(410, 'Expired',
    'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, ' +
    'or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an ' +
    'inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
    undefined, { continue: inconsistentToken }),
  /** Over --max-requests-inflight / --max-mutating-requests-inflight (or forced by the test knob). */
  tooManyRequests: (): ApiError => new ApiError(429, 'TooManyRequests', 'Too many requests, please try again later.',
    { retryAfterSeconds: 1 }, undefined, { 'Retry-After': '1' }),
  methodNotAllowed: (): ApiError =>
    new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {}),
  unsupportedMediaType: (contentType: string, accepted: readonly string[]): ApiError =>
    new ApiError(415, 'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
      contentType === '' ? {} : {}),
  tooLarge: (limit: number): ApiError =>
    new ApiError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limit}`),
  forbidden: (message: string, r?: ResourceRef, name?: string): ApiError =>
    new ApiError(403, 'Forbidden', message, r && name !== undefined ? details(r, name) : undefined),
};

export function fieldError(type: FieldError['type'], field: string, detail: string): FieldError {
  return { type, field, detail };
}
