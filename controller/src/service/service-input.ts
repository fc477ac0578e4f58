// From a Service object to what the allocator needs. Bad annotations are values here, naming the
// annotation and the problem; the reconciler reports them and keeps any IP validly held.
import type { V1Service } from '@kubernetes/client-node';
import {
  ANNOTATION_ADDRESS_POOL,
  ANNOTATION_ALLOW_SHARED_IP,
  ANNOTATION_LOAD_BALANCER_IPS,
  IP,
  readAnnotation,
  type Family,
  type Labels,
} from '@herald/shared';
import type { AllocService, IPFamilyPolicy, Protocol, ServicePort } from '../allocator/types.js';
import type { ServiceClass } from '../allocator/ownership.js';
import { serviceKey } from '@herald/shared/api';

export interface InputProblem {
  /** The annotation or field: "metadata.annotations[herald.dev/loadBalancerIPs]", "spec.loadBalancerIP". */
  readonly field: string;
  readonly message: string;
}

export type ServiceInput = { readonly ok: true; readonly service: AllocService } | { readonly ok: false; readonly problems: readonly InputProblem[] };

export { serviceKey };

/** What isOurs() needs from a Service. */
export function serviceClass(svc: V1Service): ServiceClass {
  return { type: svc.spec?.type, loadBalancerClass: svc.spec?.loadBalancerClass };
}

const protocols: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];
const policies: readonly IPFamilyPolicy[] = ['SingleStack', 'PreferDualStack', 'RequireDualStack'];

function annotationField(key: string): string {
  return `metadata.annotations[${key}]`;
}

export function serviceInput(svc: V1Service, namespaceLabels: Labels): ServiceInput {
  const problems: InputProblem[] = [];
  const ann = svc.metadata?.annotations ?? {};

  const requestedIPs: IP[] = [];
  const ipsAnn = readAnnotation(ann, ANNOTATION_LOAD_BALANCER_IPS);
  if (ipsAnn.type === 'conflict') problems.push({ field: annotationField(ipsAnn.key), message: ipsAnn.message });
  else if (ipsAnn.type === 'value') {
    const parts = ipsAnn.value.split(',').map((s) => s.trim());
    parts.forEach((text, i) => {
      const ip = IP.tryParse(text);
      if (!ip) problems.push({ field: annotationField(ipsAnn.from), message: `item ${i}: ${JSON.stringify(text)} is not an IP address` });
      else requestedIPs.push(ip);
    });
    const fams = requestedIPs.map((x) => x.family);
    if (new Set(fams).size !== fams.length) {
      problems.push({ field: annotationField(ipsAnn.from), message: 'at most one IPv4 and one IPv6 address may be requested' });
    }
  }
  const legacy = svc.spec?.loadBalancerIP;
  if (legacy) {
    const ip = IP.tryParse(legacy);
    if (!ip) problems.push({ field: 'spec.loadBalancerIP', message: `${JSON.stringify(legacy)} is not an IP address` });
    else if (ipsAnn.type === 'value') {
      if (!requestedIPs.some((x) => x.equals(ip))) {
        problems.push({ field: 'spec.loadBalancerIP', message: `conflicts with ${ipsAnn.from}` });
      }
    } else if (ipsAnn.type === 'absent') requestedIPs.push(ip);
  }

  let requestedPool: string | undefined;
  const poolAnn = readAnnotation(ann, ANNOTATION_ADDRESS_POOL);
  if (poolAnn.type === 'conflict') problems.push({ field: annotationField(poolAnn.key), message: poolAnn.message });
  else if (poolAnn.type === 'value') {
    if (poolAnn.value.trim() === '') problems.push({ field: annotationField(poolAnn.from), message: 'empty pool name' });
    else requestedPool = poolAnn.value.trim();
  }

  let sharingKey: string | undefined;
  const shareAnn = readAnnotation(ann, ANNOTATION_ALLOW_SHARED_IP);
  if (shareAnn.type === 'conflict') problems.push({ field: annotationField(shareAnn.key), message: shareAnn.message });
  else if (shareAnn.type === 'value') {
    if (shareAnn.value === '') problems.push({ field: annotationField(shareAnn.from), message: 'empty sharing key' });
    else sharingKey = shareAnn.value;
  }

  const ports: ServicePort[] = [];
  (svc.spec?.ports ?? []).forEach((p, i) => {
    const proto = (p.protocol ?? 'TCP') as Protocol;
    if (!protocols.includes(proto)) problems.push({ field: `spec.ports[${i}].protocol`, message: `unknown protocol ${JSON.stringify(p.protocol)}` });
    else ports.push({ protocol: proto, port: p.port });
  });

  const policyText = svc.spec?.ipFamilyPolicy ?? 'SingleStack';
  const ipFamilyPolicy = policies.includes(policyText as IPFamilyPolicy) ? (policyText as IPFamilyPolicy) : undefined;
  if (!ipFamilyPolicy) problems.push({ field: 'spec.ipFamilyPolicy', message: `unknown policy ${JSON.stringify(policyText)}` });
  const ipFamilies: Family[] = [];
  for (const f of svc.spec?.ipFamilies ?? []) {
    if (f === 'IPv4') ipFamilies.push(4);
    else if (f === 'IPv6') ipFamilies.push(6);
    else problems.push({ field: 'spec.ipFamilies', message: `unknown family ${JSON.stringify(f)}` });
  }

  if (problems.length > 0 || !ipFamilyPolicy) return { ok: false, problems };
  return {
    ok: true,
    service: {
      key: serviceKey(svc),
      namespace: svc.metadata?.namespace ?? 'default',
      labels: svc.metadata?.labels ?? {},
      namespaceLabels,
      requestedIPs,
      requestedPool,
      sharingKey,
      ports,
      externalTrafficPolicy: svc.spec?.externalTrafficPolicy === 'Local' ? 'Local' : 'Cluster',
      selector: svc.spec?.selector ?? {},
      ipFamilyPolicy,
      ipFamilies,
    },
  };
}

/** The IPs in a Service's status, parsed; text that is not an IP is skipped (and reported). */
export function statusIPs(svc: V1Service): { ips: IP[]; bad: string[] } {
  const ips: IP[] = [];
  const bad: string[] = [];
  for (const ing of svc.status?.loadBalancer?.ingress ?? []) {
    if (!ing.ip) continue;
    const ip = IP.tryParse(ing.ip);
    if (ip) ips.push(ip);
    else bad.push(ing.ip);
  }
  return { ips, bad };
}
