// HTTP replies of the embedded API server: JSON bodies, Status errors (with their headers), the
// 429 of the in-flight filters, bounded request bodies, and which URLs are watches.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, errors } from './status.js';
import type { TooManyForm } from './inflight.js';

export function send(res: ServerResponse, code: number, json: string): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(json), 'Cache-Control': 'no-cache, private' });
  res.end(json);
}

export function sendError(res: ServerResponse, e: ApiError): void {
  if (!res.headersSent) for (const [k, v] of Object.entries(e.headers)) res.setHeader(k, v);
  send(res, e.code, JSON.stringify(e.body));
}

const pageNotFoundText = '404 page not found\n';

/** Go's http.NotFound, which kube-apiserver's last handler in the chain calls (see PageNotFoundError). */
export function sendPageNotFound(res: ServerResponse): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', 'Content-Length': Buffer.byteLength(pageNotFoundText) });
  res.end(pageNotFoundText);
}

const tooManyText = 'Too many requests, please try again later.\n';

/**
 * A 429 as kube-apiserver's max-in-flight and priority-and-fairness filters write it (Go's
 * http.Error: text/plain, Retry-After: 1; client-go turns it into reason TooManyRequests with
 * retryAfterSeconds from the header), or with a Status body as other 429s of kube-apiserver carry.
 */
export function sendTooMany(res: ServerResponse, form: TooManyForm): void {
  if (form === 'status') {
    sendError(res, errors.tooManyRequests());
    return;
  }
  res.writeHead(429, {
    'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', 'Retry-After': '1',
    'Content-Length': Buffer.byteLength(tooManyText), 'Cache-Control': 'no-cache, private',
  });
  res.end(tooManyText);
}

/** A watch by URL: ?watch=true|1, or the old /watch/ path prefix. */
export function isWatchUrl(url: URL): boolean {
  const w = url.searchParams.get('watch');
  if (w === 'true' || w === '1') return true;
  const segs = url.pathname.split('/');
  return (segs[1] === 'api' && segs[3] === 'watch') || (segs[1] === 'apis' && segs[4] === 'watch');
}

export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > limit) {
      reject(errors.tooLarge(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) {
        failed = true;
        reject(errors.tooLarge(limit));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => { if (!failed) resolve(Buffer.concat(chunks)); });
    req.on('error', (e) => { if (!failed) { failed = true; reject(e); } });
  });
}
