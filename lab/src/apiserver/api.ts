// The generic resource operations (get, list, create, update, patch, delete) over the store,
// driven by the registry row of the resource. Kind-specific rules come from kinds.ts,
// services.ts and crd.ts; this file only sequences them as kube-apiserver does.

import { randomUUID } from 'node:crypto';
import { crdInfos, crdWithStatus, validateCrd } from './crd.js';
import { decodeObject, mediaType, parseBody } from './decode.js';
import { arrAt, clone, deepEqual, text, isObject, objAt, strAt, type Json, type JsonObject } from './json.js';
import { decodeChecks, defaultsOnCreate, normalise, validateKind, validateMeta } from './kinds.js';
import { applyConfig, conflictCauses, conflictMessage, recordUpdate } from './managed.js';
import { jsonPatch, mergePatch, PatchError, strategicMerge } from './patch.js';
import { apiVersionOf, type Registry, type ResourceInfo } from './registry.js';
import { applySchema } from './schema.js';
import { prepareService, validateServiceStatus, type ServiceNetwork } from './services.js';
import { ApiError, errors, fieldError, type FieldError } from './status.js';
import type { EventType, Store } from './store.js';
import { codecFor } from './event-convert.js';
import { eventRef, validateEventWrite } from './event-validation.js';
import { expiredEvents } from './event-ttl.js';
import { nowTime, objectKey, selectorsOf } from './api-util.js';
import { listCollection, type ListResult } from './list.js';
import { ServiceAllocations } from './service-allocations.js';

export { nowTime, objectKey, selectorsOf } from './api-util.js';

export interface Target {
  info: ResourceInfo;
  namespace: string | undefined;
  name: string | undefined;
  subresource: string | undefined;
  query: URLSearchParams;
  /** Default field manager (from the User-Agent). */
  agent: string;
}

export interface Reply {
  code: number;
  json: string;
}

const nsInfoKey = '/namespaces';

/** ListMeta of a list page: resourceVersion, and continue and remainingItemCount when paged. */
export function listMeta(r: ListResult): JsonObject {
  const md: JsonObject = { resourceVersion: r.rv };
  if (r.continue !== undefined) md['continue'] = r.continue;
  if (r.remaining !== undefined) md['remainingItemCount'] = r.remaining;
  return md;
}

function meta(o: JsonObject | undefined): JsonObject {
  return objAt(o, 'metadata');
}

/** Everything but metadata and status: what bumps a CR's generation. */
function specPart(info: ResourceInfo, o: JsonObject): Json {
  if (info.builtin) return o['spec'] ?? null;
  const { metadata: _m, status: _s, ...rest } = o;
  return rest;
}

const servicesKey = '/services';

export class Api {
  /** Cluster IPs and node ports in use, kept in step with every commit of a Service. */
  private readonly serviceAllocs: ServiceAllocations;

  constructor(private readonly registry: Registry, private readonly store: Store, private readonly net: ServiceNetwork) {
    this.serviceAllocs = ServiceAllocations.of(store.list(servicesKey, undefined));
    store.observe(servicesKey, (old, next) => this.serviceAllocs.update(old, next));
  }

  get(t: Target): Reply {
    const obj = this.mustGet(t);
    return { code: 200, json: JSON.stringify(obj) };
  }

  /** Matching objects as served at this version, the list resourceVersion and paging. */
  listObjects(t: Target): ListResult {
    const filtered = (t.query.get('labelSelector') ?? '') !== '' || (t.query.get('fieldSelector') ?? '') !== '';
    return listCollection(this.store, {
      info: t.info, namespace: t.namespace, query: t.query, match: selectorsOf(t.info, t.query), filtered,
      view: (o) => this.view(t.info, o),
    });
  }

  getObject(t: Target): JsonObject {
    return this.mustGet(t);
  }

  list(t: Target): Reply {
    const r = this.listObjects(t);
    const { items } = r;
    const md = listMeta(r);
    const head = { kind: t.info.listKind, apiVersion: apiVersionOf(t.info), metadata: md };
    return { code: 200, json: `${JSON.stringify(head).slice(0, -1)},"items":${JSON.stringify(items)}}` };
  }

  /** An object as served at this version (CRs may be stored under another version). */
  view(info: ResourceInfo, o: JsonObject): JsonObject {
    const codec = codecFor(info);
    if (codec !== undefined) return codec.fromStored(o);
    const av = apiVersionOf(info);
    return o['apiVersion'] === av ? o : { ...o, apiVersion: av };
  }

  /** Commits in storage form; answers in this version's form. */
  private commit(info: ResourceInfo, key: string, type: EventType, obj: JsonObject): { obj: JsonObject; json: string } {
    const codec = codecFor(info);
    const r = this.store.commit(info.storeKey, key, type, codec === undefined ? obj : codec.toStored(obj));
    if (codec === undefined) return r;
    const view = codec.fromStored(r.obj);
    return { obj: view, json: JSON.stringify(view) };
  }

  private mustGet(t: Target): JsonObject {
    const name = t.name ?? '';
    const o = this.store.get(t.info.storeKey, objectKey(t.namespace, name));
    if (o === undefined) throw errors.notFound(t.info, name);
    return this.view(t.info, o);
  }

  private checkNamespace(t: Target): void {
    if (!t.info.namespaced || t.namespace === undefined) return;
    const ns = this.store.get(nsInfoKey, objectKey(undefined, t.namespace));
    if (ns === undefined) throw errors.notFound({ group: '', resource: 'namespaces', kind: 'Namespace' }, t.namespace);
    if (meta(ns)['deletionTimestamp'] !== undefined) {
      throw errors.forbidden(`unable to create new content in namespace ${t.namespace} because it is being terminated`, { group: '', resource: 'namespaces', kind: 'Namespace' }, t.namespace);
    }
  }

  /** `applied`: managedFields of a server-side apply that creates the object. */
  create(t: Target, body: Buffer, contentType: string | undefined, applied?: Json): Reply {
    if (t.subresource !== undefined) throw errors.methodNotAllowed();
    let obj = decodeObject(t.info, parseBody(body, contentType));
    const md = { ...meta(obj) };
    const bodyNs = strAt(md, 'namespace');
    if (t.info.namespaced) {
      if (bodyNs !== undefined && bodyNs !== '' && bodyNs !== t.namespace) {
        throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      md['namespace'] = t.namespace ?? '';
    } else delete md['namespace'];
    if ((strAt(md, 'name') ?? '') === '' && typeof md['generateName'] === 'string' && md['generateName'] !== '') {
      md['name'] = `${md['generateName']}${randomUUID().slice(0, 5)}`;
    }
    for (const k of ['resourceVersion', 'uid', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation', 'managedFields', 'selfLink']) delete md[k];
    md['uid'] = randomUUID();
    md['creationTimestamp'] = nowTime();
    if (t.info.hasGeneration) md['generation'] = 1;
    obj = { ...obj, metadata: md };
    decodeChecks(t.info, obj);
    this.checkNamespace(t);
    if (t.info.statusSubresource && (!t.info.builtin || t.info.resource === 'services')) delete obj['status'];
    obj = defaultsOnCreate(t.info, normalise(t.info, obj));
    const name = strAt(md, 'name') ?? '';
    obj = this.prepare(t, obj, undefined);
    const key = objectKey(t.namespace, name);
    if (this.store.get(t.info.storeKey, key) !== undefined) throw errors.alreadyExists(t.info, name);
    obj = applied === undefined
      ? recordUpdate(undefined, obj, this.manager(t), apiVersionOf(t.info), undefined, nowTime())
      : { ...obj, metadata: { ...meta(obj), managedFields: applied } };
    if (t.query.get('dryRun') === 'All') return { code: 201, json: JSON.stringify(obj) };
    const { json, obj: stored } = this.commit(t.info, key, 'ADDED', obj);
    this.afterWrite(t.info, stored, false);
    return { code: 201, json };
  }

  private manager(t: Target): string {
    return t.query.get('fieldManager') ?? t.agent;
  }

  /** Kind defaults, allocation and validation shared by create and update. Throws 422. */
  private prepare(t: Target, obj: JsonObject, old: JsonObject | undefined): JsonObject {
    const name = strAt(meta(obj), 'name') ?? '';
    const errs: FieldError[] = [...validateMeta(t.info, obj)];
    let out = obj;
    if (!t.info.builtin) {
      const r = applySchema(out, t.info.schema);
      errs.push(...r.errors);
      if (isObject(r.value)) out = r.value;
    } else errs.push(...validateKind(t.info, out));
    if (t.info.builtin && t.info.resource === 'events') errs.push(...validateEventWrite(t.info, out, old === undefined));
    if (t.info.builtin && t.info.group === '' && t.info.resource === 'services') {
      if (t.subresource === 'status') errs.push(...validateServiceStatus(out));
      else if (errs.length === 0) {
        const r = prepareService(out, old, this.serviceAllocs, this.net);
        if (r.type === 'invalid') errs.push(...r.errors);
        else out = r.obj;
      }
    }
    if (t.info.group === 'apiextensions.k8s.io') {
      errs.push(...validateCrd(out));
      if (errs.length === 0) out = crdWithStatus(out, nowTime());
    }
    if (errs.length > 0) throw errors.invalid(codecFor(t.info) === undefined ? t.info : eventRef, name, errs);
    return out;
  }

  /** Side effects of writes on the registry (CRDs). */
  private afterWrite(info: ResourceInfo, obj: JsonObject, deleted: boolean): void {
    if (info.group !== 'apiextensions.k8s.io') return;
    const name = strAt(meta(obj), 'name') ?? '';
    if (deleted) {
      const infos = crdInfos(obj);
      this.registry.removeCrd(name);
      const sk = infos[0]?.storeKey;
      if (sk !== undefined) this.store.dropAll(sk);
    } else this.registry.setCrd(name, crdInfos(obj));
  }

  update(t: Target, body: Buffer, contentType: string | undefined): Reply {
    const old = this.mustGet(t);
    const obj = decodeObject(t.info, parseBody(body, contentType));
    const name = t.name ?? '';
    const bodyName = strAt(meta(obj), 'name');
    if (bodyName !== undefined && bodyName !== name) {
      throw errors.badRequest(`the name of the object (${bodyName}) does not match the name on the URL (${name})`);
    }
    const rv = strAt(meta(obj), 'resourceVersion');
    if ((rv === undefined || rv === '') && !t.info.unconditionalUpdate) {
      throw errors.invalid(t.info, name, [fieldError('FieldValueInvalid', 'metadata.resourceVersion', 'Invalid value: 0x0: must be specified for an update')], 'resource');
    }
    return this.finishUpdate(t, old, obj);
  }

  patch(t: Target, body: Buffer, contentType: string | undefined): Reply {
    const mt = mediaType(contentType);
    const name = t.name ?? '';
    if (mt === 'application/apply-patch+yaml') return this.apply(t, body, contentType);
    const old = this.mustGet(t);
    const accepted = t.info.builtin
      ? ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml', 'application/strategic-merge-patch+json']
      : ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'];
    if (!accepted.includes(mt)) throw errors.unsupportedMediaType(mt, accepted);
    const doc = parseBody(body, 'application/json');
    let patched: Json;
    try {
      if (mt === 'application/json-patch+json') patched = jsonPatch(old, doc);
      else if (mt === 'application/merge-patch+json') patched = mergePatch(old, doc);
      else patched = strategicMerge(old, doc);
    } catch (e) {
      if (e instanceof PatchError) {
        if (e.code === 400) throw errors.badRequest(e.message);
        throw new ApiError(422, 'Invalid', e.message, { name, ...(t.info.group ? { group: t.info.group } : {}), kind: t.info.kind });
      }
      throw e;
    }
    if (!isObject(patched)) throw errors.badRequest('the patch did not produce an object');
    return this.finishUpdate(t, old, decodeObject(t.info, patched));
  }

  private apply(t: Target, body: Buffer, contentType: string | undefined): Reply {
    const manager = t.query.get('fieldManager');
    const name = t.name ?? '';
    if (manager === null || manager === '') {
      throw errors.invalid({ group: 'meta.k8s.io', resource: 'patchoptions', kind: 'PatchOptions' }, '',
        [fieldError('FieldValueRequired', 'fieldManager', 'Required value: is required for apply patch')]);
    }
    const raw = parseBody(body, contentType);
    if (!isObject(raw) || raw['apiVersion'] === undefined || raw['kind'] === undefined) {
      throw errors.badRequest('invalid object type: /, Kind=');
    }
    const cfg = decodeObject(t.info, raw);
    const key = objectKey(t.namespace, name);
    const live = this.store.get(t.info.storeKey, key);
    const cfgName = strAt(meta(cfg), 'name');
    if (cfgName !== undefined && cfgName !== name) throw errors.badRequest(`the name of the object (${cfgName}) does not match the name on the URL (${name})`);
    const res = applyConfig(live === undefined ? undefined : this.view(t.info, live), cfg, manager, t.query.get('force') === 'true', apiVersionOf(t.info), nowTime());
    if (res.type === 'conflict') {
      const d = { name, ...(t.info.group ? { group: t.info.group } : {}), kind: t.info.resource, causes: conflictCauses(res.conflicts) };
      throw new ApiError(409, 'Conflict', conflictMessage(res.conflicts), d);
    }
    if (live === undefined) {
      const md = { ...meta(res.obj), name };
      return this.create({ ...t, name: undefined }, Buffer.from(JSON.stringify({ ...res.obj, metadata: md })), 'application/json', meta(res.obj)['managedFields'] ?? []);
    }
    return this.finishUpdate(t, this.view(t.info, live), res.obj, true);
  }

  private finishUpdate(t: Target, old: JsonObject, input: JsonObject, applied = false): Reply {
    const name = t.name ?? '';
    const oldMd = meta(old);
    const inMd = meta(input);
    const rv = strAt(inMd, 'resourceVersion');
    if (rv !== undefined && rv !== '' && rv !== strAt(oldMd, 'resourceVersion')) throw errors.conflict(t.info, name);
    decodeChecks(t.info, input);
    let obj: JsonObject;
    if (t.subresource === 'status') {
      obj = { ...old, status: input['status'] ?? null };
      if (input['status'] === undefined) delete obj['status'];
    } else {
      const md: JsonObject = { ...inMd };
      for (const k of ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation', 'namespace', 'name', 'selfLink']) {
        if (oldMd[k] !== undefined) md[k] = oldMd[k] ?? null;
        else delete md[k];
      }
      if (oldMd['deletionTimestamp'] !== undefined) {
        const added = (Array.isArray(md['finalizers']) ? md['finalizers'] : []).filter((f) => !(Array.isArray(oldMd['finalizers']) && oldMd['finalizers'].includes(f)));
        if (added.length > 0) throw errors.invalid(t.info, name, [fieldError('FieldValueForbidden', 'metadata.finalizers', 'Forbidden: no new finalizers can be added if the object is being deleted')]);
      }
      obj = normalise(t.info, { ...input, metadata: md });
      if (t.info.statusSubresource) {
        if (old['status'] !== undefined) obj['status'] = old['status'];
        else delete obj['status'];
      }
    }
    if (!applied) obj = { ...obj, metadata: { ...meta(obj), managedFields: oldMd['managedFields'] ?? null } };
    if (meta(obj)['managedFields'] === null) delete (obj['metadata'] as JsonObject)['managedFields'];
    obj = this.prepare(t, obj, old);
    if (t.info.hasGeneration && !deepEqual(specPart(t.info, obj), specPart(t.info, old))) {
      obj = { ...obj, metadata: { ...meta(obj), generation: (Number(oldMd['generation']) || 0) + 1 } };
    }
    const stripRv = (o: JsonObject): JsonObject => {
      const { resourceVersion: _rv, managedFields: _mf, ...m } = meta(o);
      return { ...o, metadata: m };
    };
    // A no-op write changes nothing and bumps nothing; for an apply, a change of ownership counts.
    const owners = (o: JsonObject): Json => arrAt(meta(o), 'managedFields').map((e) => (isObject(e) ? { ...e, time: null } : e));
    if (deepEqual(stripRv(obj), stripRv(old)) && (!applied || deepEqual(owners(obj), owners(old)))) return { code: 200, json: JSON.stringify(old) };
    if (!applied) obj = recordUpdate(old, obj, this.manager(t), apiVersionOf(t.info), t.subresource, nowTime());
    if (t.query.get('dryRun') === 'All') return { code: 200, json: JSON.stringify(obj) };
    const key = objectKey(t.namespace, name);
    const fin = meta(obj)['finalizers'];
    if (meta(obj)['deletionTimestamp'] !== undefined && (!Array.isArray(fin) || fin.length === 0)) {
      const { json, obj: stored } = this.commit(t.info, key, 'DELETED', obj);
      this.afterWrite(t.info, stored, true);
      return { code: 200, json };
    }
    const { json, obj: stored } = this.commit(t.info, key, 'MODIFIED', obj);
    this.afterWrite(t.info, stored, false);
    return { code: 200, json };
  }

  delete(t: Target, body: Buffer): Reply {
    if (t.subresource !== undefined) throw errors.methodNotAllowed();
    const old = this.mustGet(t);
    const name = t.name ?? '';
    const oldMd = meta(old);
    if (body.length > 0) {
      const opts = parseBody(body, 'application/json');
      const pre = isObject(opts) ? objAt(opts, 'preconditions') : {};
      const prv = strAt(pre, 'resourceVersion');
      if (prv !== undefined && prv !== strAt(oldMd, 'resourceVersion')) {
        throw errors.preconditionConflict(t.info, name, `Precondition failed: ResourceVersion in precondition: ${prv}, ResourceVersion in object meta: ${text(oldMd['resourceVersion'])}`);
      }
      const puid = strAt(pre, 'uid');
      if (puid !== undefined && puid !== strAt(oldMd, 'uid')) {
        throw errors.preconditionConflict(t.info, name, `Precondition failed: UID in precondition: ${puid}, UID in object meta: ${text(oldMd['uid'])}`);
      }
    }
    if (t.query.get('dryRun') === 'All') return { code: 200, json: JSON.stringify(old) };
    const key = objectKey(t.namespace, name);
    const fin = oldMd['finalizers'];
    if (Array.isArray(fin) && fin.length > 0) {
      if (oldMd['deletionTimestamp'] !== undefined) return { code: 200, json: JSON.stringify(old) };
      const md: JsonObject = { ...oldMd, deletionTimestamp: nowTime(), deletionGracePeriodSeconds: 0 };
      if (t.info.hasGeneration) md['generation'] = (Number(oldMd['generation']) || 0) + 1;
      const { json } = this.commit(t.info, key, 'MODIFIED', { ...old, metadata: md });
      return { code: 200, json };
    }
    if (t.info.group === '' && t.info.resource === 'namespaces') this.emptyNamespace(name);
    const { json, obj } = this.commit(t.info, key, 'DELETED', old);
    this.afterWrite(t.info, obj, true);
    return { code: 200, json };
  }

  deleteCollection(t: Target): Reply {
    const match = selectorsOf(t.info, t.query);
    const items = this.store.list(t.info.storeKey, t.namespace).filter(match);
    const deleted: JsonObject[] = [];
    for (const o of items) {
      const name = strAt(meta(o), 'name') ?? '';
      const r = this.delete({ ...t, name, namespace: strAt(meta(o), 'namespace') ?? t.namespace }, Buffer.alloc(0));
      deleted.push(JSON.parse(r.json) as JsonObject);
    }
    const head = { kind: t.info.listKind, apiVersion: apiVersionOf(t.info), metadata: { resourceVersion: String(this.store.currentRv()) }, items: deleted };
    return { code: 200, json: JSON.stringify(head) };
  }

  /** Deletes Events older than the TTL (both Event APIs share the core storage). */
  expireEvents(ttlSeconds: number): void {
    for (const e of expiredEvents(this.store.list('/events', undefined), Date.now(), ttlSeconds)) {
      const m = meta(e);
      this.store.commit('/events', objectKey(strAt(m, 'namespace'), strAt(m, 'name') ?? ''), 'DELETED', e);
    }
  }

  /** Creates a namespace if it is missing (the namespaces every cluster starts with). */
  ensureNamespace(name: string): void {
    const info = this.registry.lookup('', 'v1', 'namespaces');
    if (info === undefined || this.store.get(info.storeKey, objectKey(undefined, name)) !== undefined) return;
    const t: Target = { info, namespace: undefined, name: undefined, subresource: undefined, query: new URLSearchParams(), agent: 'kube-apiserver' };
    this.create(t, Buffer.from(JSON.stringify({ metadata: { name } })), 'application/json');
  }

  /** Namespace deletion: everything in it goes first (the namespace controller's job). */
  private emptyNamespace(ns: string): void {
    for (const info of this.registry.all()) {
      if (!info.namespaced) continue;
      for (const o of this.store.list(info.storeKey, ns)) {
        const name = strAt(meta(o), 'name') ?? '';
        this.store.commit(info.storeKey, objectKey(ns, name), 'DELETED', clone(o));
      }
    }
  }
}
