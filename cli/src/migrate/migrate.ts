// MetalLB YAML -> Herald YAML, pure. What maps: apiVersion (metallb.io/v1beta1, and v1beta2 for
// BGPPeer) to herald.dev/v1beta1; the namespace (MetalLB's, default metallb-system) to Herald's;
// a BGPPeer's passwordSecret namespace and the Secrets in MetalLB's namespace with it (Herald reads
// Secrets only in its own). Annotations, labels and every other field are kept as they are, and
// so are comments (the YAML documents are edited in place). Server-written metadata (uid,
// resourceVersion, managedFields...) and status are dropped, as docs/migrate-from-metallb.md asks.
//
// What has no mapping is refused by name, with the reason, and then nothing is written: a partial
// migration applied by a pipe would silently lose what was refused.
import { API_VERSION, DEFAULT_NAMESPACE } from '@herald/shared/api';
import type { Document } from 'yaml';
import { CONFIG_KINDS, isConfigKind, METALLB_GROUP, METALLB_NAMESPACE, STATUS_KINDS } from '../objects/kinds.js';
import { isObject, refOf, refText, type ObjectRef } from '../objects/object-ref.js';
import type { SourcedDocument } from '../objects/read-objects.js';
import { unknownFields } from '../validate/unknown-fields.js';

export interface Refusal {
  readonly ref: ObjectRef;
  readonly source: string;
  readonly field: string;
  readonly reason: string;
}

export function formatRefusal(r: Refusal): string {
  return `${refText(r.ref)} ${r.field}: ${r.reason}`;
}

export interface MigrateOptions {
  /** MetalLB's namespace in the input (default metallb-system). */
  readonly fromNamespace?: string;
  /** Herald's namespace (default herald-system). */
  readonly toNamespace?: string;
}

export interface MigrateResult {
  readonly documents: readonly Document[];
  readonly refusals: readonly Refusal[];
  /** How many objects were changed (MetalLB kinds, moved Secrets). */
  readonly mapped: number;
}

/** Fields Herald has no equivalent of, with the reason (the rest: "Herald's <kind> has no such field"). */
const NO_MAPPING: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  BGPPeer: {
    'spec.dynamicASN': 'Herald has no dynamic ASN: set spec.peerASN explicitly',
    'spec.interface': 'unnumbered BGP over an interface is not supported: peer over an address (spec.peerAddress)',
    'spec.disableMP': 'Herald always negotiates IPv4 and IPv6 unicast as MP-BGP families; there is no switch to turn that off',
  },
};

const SERVER_METADATA = ['uid', 'resourceVersion', 'creationTimestamp', 'managedFields', 'generation', 'selfLink', 'deletionTimestamp'];
const LEGACY_ANNOTATION_PREFIX = 'metallb.universe.tf/';

function versionsOf(kind: string): string[] {
  return kind === 'BGPPeer' ? ['v1beta1', 'v1beta2'] : ['v1beta1'];
}

export function migrate(inputs: readonly SourcedDocument[], o: MigrateOptions = {}): MigrateResult {
  const from = o.fromNamespace ?? METALLB_NAMESPACE;
  const to = o.toNamespace ?? DEFAULT_NAMESPACE;
  const refusals: Refusal[] = [];
  const documents: Document[] = [];
  let mapped = 0;
  for (const { source, doc } of inputs) {
    const out = doc.clone();
    const obj: unknown = doc.toJSON();
    const ref = refOf(obj);
    const refuse = (field: string, reason: string): void => {
      refusals.push({ ref, source, field, reason });
    };
    documents.push(out);
    if (!isObject(obj)) {
      refuse('', `${source}: not an object`);
      continue;
    }
    const [group, version] = ref.apiVersion.split('/');
    if (group === METALLB_GROUP) {
      if ((STATUS_KINDS as readonly string[]).includes(ref.kind) || ref.kind === 'ServiceL2Status' || ref.kind === 'ServiceBGPStatus') {
        refuse('kind', `written by MetalLB's components, not configuration; Herald's components write their own ${ref.kind}`);
        continue;
      }
      if (!isConfigKind(ref.kind)) {
        refuse('kind', `Herald has no kind ${ref.kind} (it maps ${Object.keys(CONFIG_KINDS).join(', ')})`);
        continue;
      }
      if (version === undefined || !versionsOf(ref.kind).includes(version)) {
        refuse('apiVersion', `${ref.apiVersion} ${ref.kind} has no mapping (mapped: ${versionsOf(ref.kind).map((v) => `${METALLB_GROUP}/${v}`).join(', ')})`);
        continue;
      }
      const table = NO_MAPPING[ref.kind] ?? {};
      const spec = isObject(obj['spec']) ? obj['spec'] : {};
      for (const [field, reason] of Object.entries(table)) {
        const key = field.slice('spec.'.length);
        if (!(key in spec)) continue;
        // disableMP: false is MetalLB's default and Herald's behaviour: nothing is lost.
        if (key === 'disableMP' && spec[key] === false) {
          out.deleteIn(['spec', key]);
          continue;
        }
        refuse(field, reason);
      }
      for (const field of unknownFields(ref.kind, { ...obj, status: undefined })) {
        if (field in table) continue;
        refuse(field, `Herald's ${ref.kind} has no such field`);
      }
      out.setIn(['apiVersion'], API_VERSION);
      if (ref.namespace === '' || ref.namespace === from) out.setIn(['metadata', 'namespace'], to);
      else refuse('metadata.namespace', `not MetalLB's namespace ${from} (give --from-namespace); Herald reads only its own namespace ${to}`);
      for (const k of SERVER_METADATA) out.deleteIn(['metadata', k]);
      out.deleteIn(['status']);
      if (ref.kind === 'BGPPeer' && isObject(spec['passwordSecret'])) {
        const ns = spec['passwordSecret']['namespace'];
        if (ns === undefined || ns === from) out.setIn(['spec', 'passwordSecret', 'namespace'], to);
      }
      mapped++;
      continue;
    }
    if (ref.apiVersion === 'v1' && ref.kind === 'Secret' && ref.namespace === from) {
      out.setIn(['metadata', 'namespace'], to);
      for (const k of SERVER_METADATA) out.deleteIn(['metadata', k]);
      mapped++;
      continue;
    }
    if (ref.apiVersion === 'v1' && ref.kind === 'ConfigMap' && ref.namespace === from && ref.name === 'config') {
      refuse('data.config', "MetalLB's ConfigMap configuration (before 0.13) has no mapping: convert it to MetalLB's CRDs first, then migrate those");
      continue;
    }
    if (ref.apiVersion === 'v1' && ref.kind === 'Service') {
      const meta = isObject(obj['metadata']) ? obj['metadata'] : {};
      const ann = isObject(meta['annotations']) ? meta['annotations'] : {};
      for (const k of Object.keys(ann).sort()) {
        if (!k.startsWith(LEGACY_ANNOTATION_PREFIX)) continue;
        const rest = k.slice(LEGACY_ANNOTATION_PREFIX.length);
        refuse(`metadata.annotations[${k}]`, `Herald does not read the legacy ${LEGACY_ANNOTATION_PREFIX} annotations; rename it to metallb.io/${rest} (read by Herald too) or herald.dev/${rest}`);
      }
    }
  }
  return { documents, refusals, mapped };
}

/** The documents as one YAML stream. */
export function renderDocuments(docs: readonly Document[]): string {
  return docs.map((d) => d.toString({ lineWidth: 0 })).map((t) => (t.startsWith('---') ? t : `---\n${t}`)).join('');
}
