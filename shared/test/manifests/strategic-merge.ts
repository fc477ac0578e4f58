// A strategic merge patch, as far as Herald's kustomizations use it: maps merge recursively, a
// null value deletes a key, lists of the Kubernetes kinds below merge by their merge key, and
// every other list is replaced. `$patch: replace` on a map replaces it.

type Json = unknown;
type JsonMap = Record<string, unknown>;

/** List fields that merge item by item, and the key that identifies an item (k8s.io/api). */
const MERGE_KEYS: Readonly<Record<string, string>> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  volumes: 'name',
  env: 'name',
  imagePullSecrets: 'name',
  volumeMounts: 'mountPath',
  ports: 'containerPort',
};

export function isMap(v: Json): v is JsonMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function strategicMerge(base: Json, patch: Json, field = ''): Json {
  if (isMap(patch)) {
    if (patch.$patch === 'replace') return withoutDirectives(patch);
    if (patch.$patch !== undefined) throw new Error(`unsupported $patch: ${JSON.stringify(patch.$patch)} at ${field}`);
    const out: JsonMap = isMap(base) ? { ...base } : {};
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) delete out[k];
      else out[k] = strategicMerge(out[k], v, k);
    }
    return out;
  }
  if (Array.isArray(patch)) {
    const key = MERGE_KEYS[field];
    if (key === undefined || !Array.isArray(base)) return patch.map((p) => withoutDirectives(p));
    const out = [...base];
    for (const item of patch) {
      if (!isMap(item) || item[key] === undefined) throw new Error(`${field}: item without merge key ${key}`);
      const i = out.findIndex((b) => isMap(b) && b[key] === item[key]);
      if (item.$patch === 'delete') {
        if (i >= 0) out.splice(i, 1);
      } else if (i >= 0) out[i] = strategicMerge(out[i], item, field);
      else out.push(withoutDirectives(item));
    }
    return out;
  }
  return patch;
}

function withoutDirectives(v: Json): Json {
  if (!isMap(v)) return v;
  const { $patch: _drop, ...rest } = v;
  return rest;
}
