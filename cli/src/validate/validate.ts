// `kubectl herald validate`, pure: objects (from files, and with --cluster the live ones) in,
// every error out, located as `Kind ns/name field: problem`. It runs the config model the
// controller and speakers run (parseConfig), the controller's Service reading (serviceInput) and
// its allocator, so it says what applying would do: which objects change, and which Services
// would get which IPs or stay pending, and why.
import { isOurs, reasonMessage } from '@herald/controller/allocator';
import { relearnAllocations } from '@herald/controller/relearn';
import { serviceClass, serviceInput } from '@herald/controller/service-input';
import { DEFAULT_NAMESPACE } from '@herald/shared/api';
import { parseConfig, type ConfigError, type ConfigInput } from '@herald/shared/config';
import type { V1Service } from '@kubernetes/client-node';
import { migrate } from '../migrate/migrate.js';
import { classify, CONFIG_KINDS, METALLB_NAMESPACE, type ConfigKind } from '../objects/kinds.js';
import { isObject, refOf, type JSONObject, type ObjectRef } from '../objects/object-ref.js';
import type { SourcedDocument } from '../objects/read-objects.js';
import { applyDefaults } from './schema-defaults.js';
import { unknownFields } from './unknown-fields.js';

/** The live objects --cluster merges the files into. */
export interface LiveObjects {
  readonly config: Readonly<Record<ConfigKind, readonly unknown[]>>;
  /** Secrets of Herald's namespace; undefined when they could not be read (passwords unchecked). */
  readonly secrets: readonly unknown[] | undefined;
  readonly services: readonly V1Service[];
  /** Namespace name -> labels (for serviceAllocation.namespaceSelectors). */
  readonly namespaceLabels: ReadonlyMap<string, Readonly<Record<string, string>>>;
}

export type Change = 'created' | 'configured' | 'unchanged';

export interface ValidateResult {
  readonly valid: boolean;
  readonly errors: readonly ConfigError[];
  /** Per file object Herald reads: what applying it would do (only with --cluster: else always created). */
  readonly changes: readonly { readonly ref: ObjectRef; readonly change: Change; readonly fromMetalLB: boolean }[];
  /** Per LoadBalancer Service in the files: the IPs it would get, or why it would stay pending. */
  readonly services: readonly ServiceOutcome[];
  readonly notes: readonly string[];
  readonly counts: { readonly herald: number; readonly metallb: number; readonly services: number; readonly ignored: number };
}

export type ServiceOutcome =
  | { readonly key: string; readonly type: 'allocated'; readonly ips: readonly string[]; readonly pool: string }
  | { readonly key: string; readonly type: 'pending'; readonly reason: string }
  | { readonly key: string; readonly type: 'not-ours'; readonly why: string };

export interface ValidateOptions {
  readonly namespace?: string;
  readonly live?: LiveObjects;
}

function withDataFromStringData(secret: JSONObject): JSONObject {
  const sd = secret['stringData'];
  if (!isObject(sd)) return secret;
  const data: Record<string, unknown> = { ...(isObject(secret['data']) ? secret['data'] : {}) };
  for (const [k, v] of Object.entries(sd)) if (typeof v === 'string') data[k] = Buffer.from(v, 'utf8').toString('base64');
  return { ...secret, data };
}

/** Object content that matters for "changed": everything but status and server-written metadata. */
function canonical(o: unknown): string {
  if (!isObject(o)) return JSON.stringify(o);
  const meta = isObject(o['metadata']) ? o['metadata'] : {};
  const sorted = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(sorted) : isObject(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted(v[k])])) : v;
  // kubectl apply's own bookkeeping is not content (the components' informers drop it too).
  const annotations = Object.fromEntries(Object.entries(isObject(meta['annotations']) ? meta['annotations'] : {}).filter(([k]) => k !== LAST_APPLIED));
  return JSON.stringify(sorted({ spec: o['spec'] ?? {}, labels: meta['labels'] ?? {}, annotations }));
}

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

const nameOf = (o: unknown): string => refOf(o).name;

export function validate(inputs: readonly SourcedDocument[], o: ValidateOptions = {}): ValidateResult {
  const namespace = o.namespace ?? DEFAULT_NAMESPACE;
  const errors: ConfigError[] = [];
  const notes: string[] = [];
  const err = (ref: ObjectRef, field: string, message: string): void => {
    errors.push({ kind: ref.kind || '(no kind)', namespace: ref.namespace, name: ref.name || '(no name)', field, message });
  };
  const fileConfig = new Map<ConfigKind, unknown[]>(Object.keys(CONFIG_KINDS).map((k) => [k as ConfigKind, []]));
  const fileSecrets: JSONObject[] = [];
  const fileServices: V1Service[] = [];
  const fileNamespaces = new Map<string, Record<string, string>>();
  const changes: { ref: ObjectRef; change: Change; fromMetalLB: boolean }[] = [];
  const counts = { herald: 0, metallb: 0, services: 0, ignored: 0 };

  for (const input of inputs) {
    const raw: unknown = input.doc.toJSON();
    if (!isObject(raw)) {
      errors.push({ kind: '(document)', namespace: '', name: input.source, field: '', message: 'not an object' });
      continue;
    }
    let obj: JSONObject = raw;
    let ref = refOf(obj);
    let cls = classify(ref.apiVersion, ref.kind);
    let fromMetalLB = false;
    // A Secret in MetalLB's namespace goes with the MetalLB objects (a BGPPeer's password).
    if (cls.type === 'metallb' || (cls.type === 'secret' && ref.namespace === METALLB_NAMESPACE && namespace !== METALLB_NAMESPACE)) {
      const m = migrate([input], { toNamespace: namespace });
      for (const r of m.refusals) err(r.ref, r.field, `(MetalLB ${r.ref.apiVersion}) ${r.reason}`);
      if (m.refusals.length > 0 || m.documents[0] === undefined) continue;
      const converted: unknown = m.documents[0].toJSON();
      if (!isObject(converted)) continue;
      obj = converted;
      ref = refOf(obj);
      cls = classify(ref.apiVersion, ref.kind);
      fromMetalLB = true;
      if (cls.type !== 'secret') counts.metallb++;
    }
    switch (cls.type) {
      case 'herald-config': {
        if (ref.namespace !== '' && ref.namespace !== namespace) {
          err(ref, 'metadata.namespace', `Herald reads only objects in its namespace ${namespace}; this one would be ignored`);
          continue;
        }
        for (const f of unknownFields(ref.kind, obj)) err({ ...ref, namespace }, f, `unknown field: the API server would drop it`);
        fileConfig.get(cls.kind)?.push(obj);
        changes.push({ ref: { ...ref, namespace }, change: 'created', fromMetalLB });
        if (!fromMetalLB) counts.herald++;
        break;
      }
      case 'herald-status':
        err(ref, 'kind', "written by Herald's components, not configuration: they overwrite or delete it");
        break;
      case 'herald-bad-version':
        err(ref, 'apiVersion', `Herald serves ${ref.kind} as herald.dev/v1beta1, not ${ref.apiVersion}`);
        break;
      case 'herald-unknown-kind':
        err(ref, 'kind', `herald.dev has no kind ${JSON.stringify(ref.kind)} (configuration kinds: ${Object.keys(CONFIG_KINDS).join(', ')})`);
        break;
      case 'service':
        fileServices.push(obj);
        counts.services++;
        break;
      case 'secret':
        if (ref.namespace === namespace) fileSecrets.push(withDataFromStringData(obj));
        else counts.ignored++;
        break;
      case 'metallb':
        break;
      case 'other':
        if (ref.apiVersion === 'v1' && ref.kind === 'Namespace') {
          const meta = isObject(obj['metadata']) ? obj['metadata'] : {};
          fileNamespaces.set(ref.name, (isObject(meta['labels']) ? meta['labels'] : {}) as Record<string, string>);
        }
        counts.ignored++;
        break;
    }
  }

  // Merge into the live objects: a file object replaces the live one of its kind and name.
  const live = o.live;
  const merged: Record<string, unknown[]> = {};
  for (const [kind, field] of Object.entries(CONFIG_KINDS) as [ConfigKind, string][]) {
    const mine = fileConfig.get(kind) ?? [];
    const names = new Set(mine.map(nameOf));
    const liveList = live?.config[kind] ?? [];
    merged[field] = [...liveList.filter((x) => !names.has(nameOf(x))), ...mine];
    if (live) {
      for (const c of changes) {
        if (c.ref.kind !== kind) continue;
        const cur = liveList.find((x) => nameOf(x) === c.ref.name);
        const want = mine.find((x) => nameOf(x) === c.ref.name);
        c.change = cur === undefined ? 'created' : canonical(applyDefaults(kind, cur)) === canonical(applyDefaults(kind, want)) ? 'unchanged' : 'configured';
      }
    }
  }
  let secrets: unknown[] | undefined;
  if (live) {
    if (live.secrets === undefined) notes.push('BGPPeer passwords not checked: the Secrets of the namespace could not be read');
    else {
      const names = new Set(fileSecrets.map(nameOf));
      secrets = [...live.secrets.filter((x) => !names.has(nameOf(x))), ...fileSecrets];
    }
  } else if (fileSecrets.length > 0) secrets = fileSecrets;
  else if ((fileConfig.get('BGPPeer') ?? []).length > 0) notes.push('BGPPeer passwords not checked: no Secret of the namespace among the files');

  const input: ConfigInput = { namespace, ...merged, ...(secrets ? { secrets } : {}) };
  const parsed = parseConfig(input);
  if (!parsed.ok) errors.push(...parsed.errors);

  // Services: the controller's own reading of them, then its allocator over the merged pools.
  const nsLabels = (ns: string): Readonly<Record<string, string>> => fileNamespaces.get(ns) ?? live?.namespaceLabels.get(ns) ?? {};
  const serviceOutcomes: ServiceOutcome[] = [];
  const fileKeys = new Set(fileServices.map((s) => `${s.metadata?.namespace ?? 'default'}/${s.metadata?.name ?? ''}`));
  // As a new leader does: re-learn what the live Services hold (the controller's relearnAllocations).
  const liveServices = (live?.services ?? []).filter((s) => !fileKeys.has(`${s.metadata?.namespace ?? 'default'}/${s.metadata?.name ?? ''}`));
  const allocator = parsed.ok ? relearnAllocations(liveServices, parsed.config.pools.values(), undefined, nsLabels).allocator : undefined;
  for (const s of [...fileServices].sort((a, b) => refKey(a).localeCompare(refKey(b)))) {
    const ref = refOf(s, 'default');
    const key = `${ref.namespace}/${ref.name}`;
    const r = serviceInput(s, nsLabels(ref.namespace));
    if (!r.ok) {
      for (const p of r.problems) err(ref, p.field, p.message);
      continue;
    }
    if (!isOurs(serviceClass(s), undefined)) {
      const cls = s.spec?.loadBalancerClass;
      serviceOutcomes.push({ key, type: 'not-ours', why: s.spec?.type !== 'LoadBalancer' ? `type ${s.spec?.type ?? 'ClusterIP'}, not LoadBalancer` : `loadBalancerClass ${cls ?? ''} (Herald by default handles Services with no class)` });
      continue;
    }
    if (!allocator) continue;
    const res = allocator.allocate(r.service);
    if (res.ok) serviceOutcomes.push({ key, type: 'allocated', ips: res.ips.map(String), pool: res.pool });
    else {
      const reason = reasonMessage(res.reason);
      serviceOutcomes.push({ key, type: 'pending', reason });
      err(ref, 'status.loadBalancer', `would stay pending: ${reason}`);
    }
  }

  return { valid: errors.length === 0, errors, changes, services: serviceOutcomes, notes, counts };
}

function refKey(s: V1Service): string {
  return `${s.metadata?.namespace ?? 'default'}/${s.metadata?.name ?? ''}`;
}
