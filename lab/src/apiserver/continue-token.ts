// List continue tokens as kube-apiserver writes them: base64url (no padding) of
// {"v":"meta.k8s.io/v1","rv":N,"start":KEY}, where KEY is the first key of the next page, relative
// to the list's key prefix (the last key served plus "\u0000"). rv -1 means "continue at the
// latest version" (the inconsistent token handed out with a 410). Pure.

export interface ContinueToken {
  /** The snapshot the list reads (-1: whatever is current). */
  readonly rv: number;
  /** Inclusive lower bound of the next page, relative to the list prefix. */
  readonly start: string;
}

export type DecodedContinue =
  | { type: 'ok'; token: ContinueToken }
  | { type: 'invalid'; why: 'not-base64-json' | 'bad-resource-version' | 'empty-start-key' | 'unknown-version'; detail: string };

export function encodeContinue(token: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: token.rv, start: token.start })).toString('base64url');
}

const base64url = /^[A-Za-z0-9_-]*={0,2}$/;

export function decodeContinue(s: string): DecodedContinue {
  let raw: unknown;
  try {
    if (!base64url.test(s)) throw new SyntaxError('illegal base64 data');
    raw = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
  } catch (e) {
    return { type: 'invalid', why: 'not-base64-json', detail: `continue key is not valid: ${e instanceof Error ? e.message : String(e)}` };
  }
  const o = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  if (o['v'] !== 'meta.k8s.io/v1') {
    return { type: 'invalid', why: 'unknown-version', detail: `continue key is not valid: server does not recognize this encoded version ${JSON.stringify(o['v'] ?? '')}` };
  }
  const rv = o['rv'];
  if (typeof rv !== 'number' || !Number.isInteger(rv) || rv === 0 || rv < -1) {
    return { type: 'invalid', why: 'bad-resource-version', detail: 'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)' };
  }
  const start = o['start'];
  if (typeof start !== 'string' || start === '') {
    return { type: 'invalid', why: 'empty-start-key', detail: 'continue key is not valid: encoded start key empty (version meta.k8s.io/v1)' };
  }
  return { type: 'ok', token: { rv, start } };
}
