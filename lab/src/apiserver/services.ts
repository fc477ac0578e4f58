// Service realism: defaults, clusterIP (single and dual stack) and nodePort allocation, type
// changes that release what the new type does not need, and loadBalancerClass rules. The caller
// passes the allocations every stored Service holds (an index kept up to date on each commit, so
// a write costs no scan of the other Services); the only state this touches is that index's
// next-fit cursor, moved past each address handed out.

import { arrAt, deepEqual, goValue, text, isObject, objAt, strAt, type Json, type JsonObject } from './json.js';
import { familyOf, type Family, type IpRange } from './ip.js';
import { fieldError, type FieldError } from './status.js';
import { Overlay, type ServiceAllocations } from './service-allocations.js';

export interface ServiceNetwork {
  readonly v4: IpRange;
  readonly v6: IpRange;
  readonly nodePortMin: number;
  readonly nodePortMax: number;
}

export type ServiceResult = { type: 'ok'; obj: JsonObject } | { type: 'invalid'; errors: FieldError[] };

const types = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'];

function needsNodePorts(spec: JsonObject): boolean {
  return spec['type'] === 'NodePort' || (spec['type'] === 'LoadBalancer' && spec['allocateLoadBalancerNodePorts'] !== false);
}

function needsHealthCheck(spec: JsonObject): boolean {
  return spec['type'] === 'LoadBalancer' && spec['externalTrafficPolicy'] === 'Local';
}

function goStrings(v: readonly Json[]): string {
  return `[]string{${v.map((x) => goValue(x)).join(', ')}}`;
}

function portKey(p: JsonObject): string {
  return `${text(p['port'])}/${strAt(p, 'protocol') ?? 'TCP'}`;
}

/** dropTypeDependentFields: what a type change leaves behind unchanged is released. */
function dropTypeDependent(spec: JsonObject, old: JsonObject): void {
  if (spec['type'] === 'ExternalName' && old['type'] !== 'ExternalName') {
    if (deepEqual(spec['clusterIP'], old['clusterIP'])) delete spec['clusterIP'];
    if (deepEqual(spec['clusterIPs'], old['clusterIPs'])) delete spec['clusterIPs'];
    delete spec['ipFamilies'];
    delete spec['ipFamilyPolicy'];
  }
  if (needsNodePorts(old) && !needsNodePorts(spec)) {
    const oldPorts = new Map(arrAt(old, 'ports').filter(isObject).map((p) => [portKey(p), p['nodePort']]));
    spec['ports'] = arrAt(spec, 'ports').map((p) => {
      if (!isObject(p) || p['nodePort'] === undefined || p['nodePort'] !== oldPorts.get(portKey(p))) return p;
      const { nodePort: _drop, ...rest } = p;
      return rest;
    });
  }
  if (needsHealthCheck(old) && !needsHealthCheck(spec) && spec['healthCheckNodePort'] === old['healthCheckNodePort']) delete spec['healthCheckNodePort'];
  if (old['type'] === 'LoadBalancer' && spec['type'] !== 'LoadBalancer') {
    if (spec['loadBalancerClass'] === old['loadBalancerClass']) delete spec['loadBalancerClass'];
    if (spec['allocateLoadBalancerNodePorts'] === old['allocateLoadBalancerNodePorts']) delete spec['allocateLoadBalancerNodePorts'];
  }
  if (spec['type'] === 'ClusterIP' || spec['type'] === 'ExternalName') {
    if (spec['externalTrafficPolicy'] === old['externalTrafficPolicy']) delete spec['externalTrafficPolicy'];
  }
}

/** patchAllocatedValues: an update that omits allocated values keeps the old ones. */
function keepAllocated(spec: JsonObject, old: JsonObject): void {
  if (spec['type'] !== 'ExternalName' && old['type'] !== 'ExternalName') {
    if ((spec['clusterIP'] === undefined || spec['clusterIP'] === '') && old['clusterIP'] !== undefined) {
      spec['clusterIP'] = old['clusterIP'] ?? null;
      if (spec['clusterIPs'] === undefined) spec['clusterIPs'] = old['clusterIPs'] ?? null;
    }
    if (spec['clusterIPs'] === undefined && spec['clusterIP'] === old['clusterIP']) spec['clusterIPs'] = old['clusterIPs'] ?? null;
    if (spec['ipFamilyPolicy'] === undefined && old['ipFamilyPolicy'] !== undefined) spec['ipFamilyPolicy'] = old['ipFamilyPolicy'] ?? null;
    if (spec['ipFamilies'] === undefined && old['ipFamilies'] !== undefined && spec['ipFamilyPolicy'] === old['ipFamilyPolicy']) spec['ipFamilies'] = old['ipFamilies'] ?? null;
  }
  if (needsNodePorts(old) && needsNodePorts(spec)) {
    const oldPorts = new Map(arrAt(old, 'ports').filter(isObject).map((p) => [portKey(p), p['nodePort']]));
    spec['ports'] = arrAt(spec, 'ports').map((p) => {
      if (!isObject(p) || p['nodePort'] !== undefined) return p;
      const np = oldPorts.get(portKey(p));
      return np === undefined ? p : { ...p, nodePort: np };
    });
  }
  if (needsHealthCheck(old) && needsHealthCheck(spec) && spec['healthCheckNodePort'] === undefined) spec['healthCheckNodePort'] = old['healthCheckNodePort'] ?? null;
}

function families(spec: JsonObject, errs: FieldError[]): Family[] {
  const ips = arrAt(spec, 'clusterIPs').filter((x): x is string => typeof x === 'string' && x !== 'None');
  const given = arrAt(spec, 'ipFamilies');
  for (const [i, f] of given.entries()) {
    if (f !== 'IPv4' && f !== 'IPv6') errs.push(fieldError('FieldValueNotSupported', `spec.ipFamilies[${i}]`, `Unsupported value: ${goValue(f)}: supported values: "IPv4", "IPv6"`));
  }
  if (given.length === 2 && given[0] === given[1]) errs.push(fieldError('FieldValueDuplicate', 'spec.ipFamilies[1]', `Duplicate value: ${goValue(given[1])}`));
  const policy = spec['ipFamilyPolicy'];
  const fromIps = ips.map((ip) => familyOf(ip)).filter((f): f is Family => f !== undefined);
  let fams: Family[] = given.length > 0 ? given.filter((f): f is Family => f === 'IPv4' || f === 'IPv6') : fromIps.length > 0 ? fromIps : ['IPv4'];
  if (policy === 'PreferDualStack' || policy === 'RequireDualStack') {
    if (fams.length === 1) fams = [...fams, fams[0] === 'IPv4' ? 'IPv6' : 'IPv4'];
  } else if (policy === 'SingleStack' && (given.length > 1 || ips.length > 1)) {
    errs.push(fieldError('FieldValueInvalid', 'spec.ipFamilyPolicy', `Invalid value: "SingleStack": must be RequireDualStack or PreferDualStack when multiple 'ipFamilies' are specified`));
  } else if (policy === undefined && (given.length > 1 || ips.length > 1)) {
    errs.push(fieldError('FieldValueRequired', 'spec.ipFamilyPolicy', `Required value: must be RequireDualStack or PreferDualStack when multiple 'ipFamilies' are specified`));
  } else if (policy !== undefined && policy !== 'SingleStack') {
    errs.push(fieldError('FieldValueNotSupported', 'spec.ipFamilyPolicy', `Unsupported value: ${goValue(policy)}: supported values: "PreferDualStack", "RequireDualStack", "SingleStack"`));
  } else fams = fams.slice(0, 1);
  return fams;
}

function allocateIps(spec: JsonObject, old: JsonObject | undefined, net: ServiceNetwork, alloc: ServiceAllocations, errs: FieldError[]): void {
  const fams = families(spec, errs);
  if (spec['clusterIP'] === 'None' || arrAt(spec, 'clusterIPs')[0] === 'None') {
    spec['clusterIP'] = 'None';
    spec['clusterIPs'] = ['None'];
    spec['ipFamilies'] = fams;
    spec['ipFamilyPolicy'] = spec['ipFamilyPolicy'] ?? 'SingleStack';
    return;
  }
  const wanted = arrAt(spec, 'clusterIPs').length > 0 ? arrAt(spec, 'clusterIPs') : typeof spec['clusterIP'] === 'string' && spec['clusterIP'] !== '' ? [spec['clusterIP']] : [];
  const out: string[] = [];
  const oldIps = old === undefined ? [] : arrAt(old, 'clusterIPs');
  // What this Service held before is not "taken by another".
  const mine = new Set(oldIps.filter((x): x is string => typeof x === 'string'));
  const used = new Overlay<string>((ip) => alloc.hasIp(ip) && !mine.has(ip));
  fams.forEach((fam, i) => {
    const range = fam === 'IPv4' ? net.v4 : net.v6;
    const w = wanted[i];
    if (typeof w === 'string' && w !== '') {
      if (familyOf(w) !== fam) {
        errs.push(fieldError('FieldValueInvalid', `spec.clusterIPs[${i}]`, `Invalid value: ${goValue(w)}: expected an IP of family ${fam}`));
        return;
      }
      const ip = range.canonical(w);
      if (oldIps[i] !== undefined && oldIps[i] !== ip && i === 0) {
        errs.push(fieldError('FieldValueInvalid', 'spec.clusterIPs[0]', `Invalid value: ${goValue(w)}: may not change once set`));
      } else if (oldIps[i] === ip) {
        out.push(ip);
      } else if (!range.contains(ip)) {
        errs.push(fieldError('FieldValueInvalid', 'spec.clusterIPs', `Invalid value: ${goStrings(wanted)}: failed to allocate IP ${ip}: the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${range.cidr}`));
      } else if (used.has(ip)) {
        errs.push(fieldError('FieldValueInvalid', 'spec.clusterIPs', `Invalid value: ${goStrings(wanted)}: failed to allocate IP ${ip}: provided IP is already allocated`));
      } else out.push(ip);
      return;
    }
    // A fresh address is none this Service held, either.
    const got = range.allocate((ip) => used.has(ip) || mine.has(ip), alloc.cursor[fam]);
    if (got === undefined) {
      errs.push(fieldError('FieldValueInvalid', 'spec.clusterIPs', `Invalid value: ${goStrings(wanted)}: failed to allocate a serviceIP: range is full`));
      return;
    }
    alloc.cursor[fam] = got.index + 1;
    used.add(got.ip);
    out.push(got.ip);
  });
  if (out.length > 0) {
    spec['clusterIP'] = out[0] ?? null;
    spec['clusterIPs'] = out;
  }
  spec['ipFamilies'] = fams;
  spec['ipFamilyPolicy'] = spec['ipFamilyPolicy'] ?? 'SingleStack';
}

/** Next-fit node port from the index's cursor, wrapping once round the range. */
function allocatePort(net: ServiceNetwork, used: Overlay<number>, alloc: ServiceAllocations): number | undefined {
  const n = net.nodePortMax - net.nodePortMin + 1;
  const from = alloc.portCursor >= net.nodePortMin && alloc.portCursor <= net.nodePortMax ? alloc.portCursor : net.nodePortMin;
  for (let k = 0; k < n; k++) {
    const p = net.nodePortMin + ((from - net.nodePortMin + k) % n);
    if (!used.has(p)) {
      used.add(p);
      alloc.portCursor = p + 1;
      return p;
    }
  }
  return undefined;
}

function checkNodePort(np: Json, field: string, net: ServiceNetwork, used: Overlay<number>, mine: ReadonlySet<number>, errs: FieldError[]): void {
  if (typeof np !== 'number') return;
  if (np < net.nodePortMin || np > net.nodePortMax) {
    errs.push(fieldError('FieldValueInvalid', field, `Invalid value: ${np}: provided port is not in the valid range. The range of valid ports is ${net.nodePortMin}-${net.nodePortMax}`));
  } else if (used.has(np) && !mine.has(np)) {
    errs.push(fieldError('FieldValueInvalid', field, `Invalid value: ${np}: provided port is already allocated`));
  }
  used.add(np);
}

/** Defaults, allocates and validates a Service's spec for create (old undefined) or update. */
export function prepareService(obj: JsonObject, old: JsonObject | undefined, alloc: ServiceAllocations, net: ServiceNetwork): ServiceResult {
  const errs: FieldError[] = [];
  const spec: JsonObject = { ...objAt(obj, 'spec') };
  const oldSpec = old === undefined ? undefined : objAt(old, 'spec');
  spec['type'] = spec['type'] ?? 'ClusterIP';
  if (!types.includes(text(spec['type']))) {
    return { type: 'invalid', errors: [fieldError('FieldValueNotSupported', 'spec.type', `Unsupported value: ${goValue(spec['type'])}: supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"`)] };
  }
  if (oldSpec !== undefined) {
    dropTypeDependent(spec, oldSpec);
    keepAllocated(spec, oldSpec);
  }
  spec['sessionAffinity'] = spec['sessionAffinity'] ?? 'None';
  const type = spec['type'];
  spec['ports'] = arrAt(spec, 'ports').map((p, i) => {
    if (!isObject(p)) return p;
    const port = p['port'];
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
      errs.push(port === undefined ? fieldError('FieldValueRequired', `spec.ports[${i}].port`, 'Required value')
        : fieldError('FieldValueInvalid', `spec.ports[${i}].port`, `Invalid value: ${goValue(port)}: must be between 1 and 65535, inclusive`));
    }
    return { ...p, protocol: p['protocol'] ?? 'TCP', targetPort: p['targetPort'] ?? port ?? null };
  });
  const ports = arrAt(spec, 'ports').filter(isObject);
  if (type === 'ExternalName') {
    if (typeof spec['externalName'] !== 'string' || spec['externalName'] === '') errs.push(fieldError('FieldValueRequired', 'spec.externalName', 'Required value'));
  } else {
    if (ports.length === 0 && spec['clusterIP'] !== 'None') errs.push(fieldError('FieldValueRequired', 'spec.ports', 'Required value'));
    spec['internalTrafficPolicy'] = spec['internalTrafficPolicy'] ?? 'Cluster';
    allocateIps(spec, oldSpec, net, alloc, errs);
  }
  if (type === 'NodePort' || type === 'LoadBalancer') spec['externalTrafficPolicy'] = spec['externalTrafficPolicy'] ?? 'Cluster';
  if (type === 'LoadBalancer') spec['allocateLoadBalancerNodePorts'] = spec['allocateLoadBalancerNodePorts'] ?? true;
  else if (spec['allocateLoadBalancerNodePorts'] !== undefined) {
    errs.push(fieldError('FieldValueForbidden', 'spec.allocateLoadBalancerNodePorts', "Forbidden: may only be used when `type` is 'LoadBalancer'"));
  }
  const mine = new Set<number>();
  if (oldSpec !== undefined) for (const p of arrAt(oldSpec, 'ports')) if (isObject(p) && typeof p['nodePort'] === 'number') mine.add(p['nodePort']);
  if (oldSpec !== undefined && typeof oldSpec['healthCheckNodePort'] === 'number') mine.add(oldSpec['healthCheckNodePort']);
  const usedPorts = new Overlay<number>((p) => alloc.hasPort(p));
  ports.forEach((p, i) => {
    if (p['nodePort'] !== undefined && (type === 'ClusterIP' || type === 'ExternalName')) {
      errs.push(fieldError('FieldValueForbidden', `spec.ports[${i}].nodePort`, `Forbidden: may not be used when \`type\` is '${String(type)}'`));
    }
    checkNodePort(p['nodePort'] ?? null, `spec.ports[${i}].nodePort`, net, usedPorts, mine, errs);
  });
  if (needsNodePorts(spec)) {
    spec['ports'] = ports.map((p) => (p['nodePort'] !== undefined ? p : { ...p, nodePort: allocatePort(net, usedPorts, alloc) ?? null }));
  }
  if (needsHealthCheck(spec)) {
    checkNodePort(spec['healthCheckNodePort'] ?? null, 'spec.healthCheckNodePort', net, usedPorts, mine, errs);
    spec['healthCheckNodePort'] = spec['healthCheckNodePort'] ?? allocatePort(net, usedPorts, alloc) ?? null;
  } else if (spec['healthCheckNodePort'] !== undefined) {
    errs.push(fieldError('FieldValueInvalid', 'spec.healthCheckNodePort', `Invalid value: ${goValue(spec['healthCheckNodePort'])}: may only be set when \`type\` is 'LoadBalancer' and \`externalTrafficPolicy\` is 'Local'`));
  }
  const lbc = spec['loadBalancerClass'];
  if (lbc !== undefined && lbc !== null) {
    if (type !== 'LoadBalancer') errs.push(fieldError('FieldValueForbidden', 'spec.loadBalancerClass', "Forbidden: may only be used when `type` is 'LoadBalancer'"));
    else if (typeof lbc !== 'string' || !/^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(lbc)) {
      errs.push(fieldError('FieldValueInvalid', 'spec.loadBalancerClass', `Invalid value: ${goValue(lbc)}: name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`));
    }
  }
  if (oldSpec !== undefined && oldSpec['type'] === 'LoadBalancer' && type === 'LoadBalancer' && !deepEqual(oldSpec['loadBalancerClass'], lbc)) {
    errs.push(fieldError('FieldValueInvalid', 'spec.loadBalancerClass', `Invalid value: ${goValue(lbc ?? null)}: may not change once set`));
  }
  if (errs.length > 0) return { type: 'invalid', errors: errs };
  const out: JsonObject = { ...obj, spec };
  if (old === undefined) out['status'] = { loadBalancer: {} };
  return { type: 'ok', obj: out };
}

/** Validation of a Service's status (the /status subresource). */
export function validateServiceStatus(obj: JsonObject): FieldError[] {
  const errs: FieldError[] = [];
  arrAt(objAt(objAt(obj, 'status'), 'loadBalancer'), 'ingress').forEach((ing, i) => {
    const ip = isObject(ing) ? ing['ip'] : undefined;
    if (ip !== undefined && (typeof ip !== 'string' || familyOf(ip) === undefined)) {
      errs.push(fieldError('FieldValueInvalid', `status.loadBalancer.ingress[${i}].ip`, `Invalid value: ${goValue(ip)}: must be a valid IP address`));
    }
  });
  return errs;
}
