// Reading the identity of a raw object (apiVersion, kind, namespace, name) without trusting it.
export type JSONObject = Record<string, unknown>;

export function isObject(v: unknown): v is JSONObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

export function refOf(o: unknown, defaultNamespace = ''): ObjectRef {
  const obj = isObject(o) ? o : {};
  const meta = isObject(obj['metadata']) ? obj['metadata'] : {};
  const str = (v: unknown): string => (typeof v === 'string' ? v : '');
  return {
    apiVersion: str(obj['apiVersion']),
    kind: str(obj['kind']),
    namespace: str(meta['namespace']) || defaultNamespace,
    name: str(meta['name']),
  };
}

/** "Kind ns/name", as config errors name objects. */
export function refText(r: ObjectRef): string {
  return `${r.kind || '(no kind)'} ${r.namespace ? `${r.namespace}/` : ''}${r.name || '(no name)'}`;
}
