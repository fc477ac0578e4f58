// The transport under every generated API client a PooledKubeConfig makes: undici's `request`
// on the pooled dispatcher, instead of client-node's default, undici's WHATWG `fetch`.
//
// Why: fetch builds a Request, a Response, a pair of web streams and a chain of dependent
// AbortSignals for every call, and all of it is garbage a moment later. In the controller e2e
// bench (10,000 Services, 2 writes each) fetch and its garbage were the largest single cost
// after JSON itself: `request` does the same HTTP/1.1 exchange on the same connection pool with
// a Node stream body and plain header objects. Everything above the transport (the generated
// API classes, serialisation, authentication, the retry layer) is still client-node's.
//
// Bodies other than a string (client-node sends JSON as a string; FormData and URLSearchParams
// are for endpoints we never call) go to the fetch library, so nothing is refused.
import { IsomorphicFetchHttpLibrary, ResponseContext, wrapHttpLibrary, type HttpLibrary, type RequestContext, type ResponseBody } from '@kubernetes/client-node';
import { Readable } from 'node:stream';
import { request, type Dispatcher } from 'undici';

type Headers = Record<string, string | string[] | undefined>;

/** One header value per name, as fetch's Headers gives them (repeats joined with ", "). */
export function flatHeaders(h: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

/**
 * On the dispatcher client-node put on the request context (PooledKubeConfig's pooled one), or,
 * for plain-HTTP servers, where it puts none, undici's global keep-alive one, as fetch would.
 */
export function undiciHttpLibrary(): HttpLibrary {
  const fallback = new IsomorphicFetchHttpLibrary();
  return wrapHttpLibrary({
    async send(ctx: RequestContext): Promise<ResponseContext> {
      const body = ctx.getBody();
      if (body !== undefined && typeof body !== 'string') return fallback.send(ctx).toPromise();
      const d = ctx.getDispatcher();
      const res = await request(ctx.getUrl(), {
        method: ctx.getHttpMethod().toString(),
        headers: ctx.getHeaders(),
        body: body ?? null,
        signal: ctx.getSignal(),
        ...(d ? { dispatcher: d } : {}),
      });
      return new ResponseContext(res.statusCode, flatHeaders(res.headers), responseBody(res.body));
    },
  });
}

function responseBody(b: Dispatcher.ResponseData['body']): ResponseBody {
  return {
    text: () => b.text(),
    binary: async () => Buffer.from(await b.arrayBuffer()),
    stream: () => Readable.toWeb(b) as ReadableStream<Uint8Array>,
  };
}
