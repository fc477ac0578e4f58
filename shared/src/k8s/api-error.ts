// What an API failure means, as a value. The generated clients raise ApiException with the status
// code and the body as text; client-node's watch raises a plain Error with `statusCode` and no
// body. Two 404s must not be confused:
//  - a 404 with a Status body (reason NotFound): the object does not exist (create it, or it is
//    gone);
//  - a 404 with any other body: no handler serves the path at all. kube-apiserver answers an
//    unknown group, version or resource (a CRD not installed yet) with Go's http.NotFound, text/
//    plain "404 page not found". Creating the object cannot help; waiting for the CRD can.
import { ApiException } from '@kubernetes/client-node';
import { parseRetryAfter } from './retry-policy.js';

export type ApiFailure =
  /** 404 without a Status: the server serves no such group/version/resource (a missing CRD). */
  | { readonly type: 'not-served'; readonly body: string }
  /** 404 NotFound Status: the object does not exist. */
  | { readonly type: 'not-found'; readonly message: string }
  /** 429 (the client already sent it again as often as it may): the server sheds load. */
  | { readonly type: 'too-many-requests'; readonly retryAfterMs: number | undefined }
  /** Any other HTTP answer. */
  | { readonly type: 'http'; readonly code: number; readonly reason: string | undefined; readonly message: string }
  /** No HTTP answer: connection refused or cut, a timeout, an abort. */
  | { readonly type: 'transport'; readonly message: string };

export type ApiFailureType = ApiFailure['type'];

interface StatusLike {
  kind?: unknown;
  reason?: unknown;
  message?: unknown;
}

/** The body as a Status, if it is one (client-node hands bodies over as text or parsed). */
function statusOf(body: unknown): StatusLike | undefined {
  let v: unknown = body;
  if (typeof body === 'string') {
    try {
      v = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const s = v as StatusLike;
  return s.kind === 'Status' ? s : undefined;
}

function header(headers: unknown, name: string): string | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  const v = (headers as Record<string, unknown>)[name];
  return typeof v === 'string' ? v : undefined;
}

function bodyText(body: unknown): string {
  return typeof body === 'string' ? body : body === undefined ? '' : JSON.stringify(body);
}

export function classifyApiError(err: unknown, wallNow: number = Date.now()): ApiFailure {
  let code: number | undefined;
  let body: unknown;
  let headers: unknown;
  if (err instanceof ApiException) {
    code = err.code;
    body = err.body;
    headers = err.headers;
  } else if (err instanceof Error && typeof (err as Error & { statusCode?: unknown }).statusCode === 'number') {
    // client-node's watch: a non-200 answer, its body unread. A watch is of a collection, so a
    // 404 there means the collection is not served.
    code = (err as Error & { statusCode: number }).statusCode;
  } else {
    return { type: 'transport', message: err instanceof Error ? err.message : String(err) };
  }
  const status = statusOf(body);
  if (code === 404) {
    if (status !== undefined) return { type: 'not-found', message: typeof status.message === 'string' ? status.message : '' };
    return { type: 'not-served', body: bodyText(body).trim() };
  }
  if (code === 429) return { type: 'too-many-requests', retryAfterMs: parseRetryAfter(header(headers, 'retry-after'), wallNow) };
  const message = typeof status?.message === 'string' ? status.message : bodyText(body).trim().slice(0, 300);
  return { type: 'http', code, reason: typeof status?.reason === 'string' ? status.reason : undefined, message };
}

/** True only for a 404 that says the object does not exist (not for a resource not served). */
export function isObjectNotFound(err: unknown): boolean {
  return classifyApiError(err).type === 'not-found';
}

/** One line for a log, saying what the failure means. `what`: the path or object asked for. */
export function describeApiFailure(f: ApiFailure, what?: string): string {
  const of = what === undefined ? '' : ` ${what}`;
  switch (f.type) {
    case 'not-served':
      return `HTTP 404 without a Status (${JSON.stringify(f.body.slice(0, 60))}): the API server does not serve${of === '' ? ' this resource' : of}; is its CRD installed?`;
    case 'not-found':
      return `HTTP 404 NotFound: ${f.message}`;
    case 'too-many-requests':
      return `HTTP 429 Too Many Requests${f.retryAfterMs === undefined ? '' : ` (Retry-After ${Math.round(f.retryAfterMs / 1000)} s)`}: the API server is shedding load`;
    case 'http':
      return `HTTP ${f.code}${f.reason === undefined ? '' : ` ${f.reason}`}: ${f.message}`;
    case 'transport':
      return `no answer from the API server: ${f.message}`;
  }
}
