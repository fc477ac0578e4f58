// Per-kind rules of built-in resources: decode checks (400), defaults on create, and field
// validation (422). Services live in services.ts, CRDs in crd.ts.

import { arrAt, goValue, text, isObject, objAt, strAt, type JsonObject } from './json.js';
import type { ResourceInfo } from './registry.js';
import { validLabelKey, validLabelValue } from './selectors.js';
import { ApiError, fieldError, type FieldError } from './status.js';

const microTimeRe = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}(Z|[+-]\d{2}:\d{2})$/;
const timeRe = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dns1035Label = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

function microTimeError(info: ResourceInfo, v: string): ApiError {
  const frac = /\.\d*(Z|[+-].*)?$/.exec(v)?.[0] ?? v;
  return new ApiError(400, 'BadRequest',
    `${info.kind} in version "${info.version}" cannot be handled as a ${info.kind}: parsing time ${JSON.stringify(v)} as "2006-01-02T15:04:05.000000Z07:00": cannot parse ${JSON.stringify(frac)} as ".000000"`);
}

function checkMicroTime(info: ResourceInfo, v: unknown): void {
  if (v === undefined || v === null) return;
  if (typeof v !== 'string' || !microTimeRe.test(v)) throw microTimeError(info, text(v));
}

function checkTime(info: ResourceInfo, v: unknown): void {
  if (v === undefined || v === null) return;
  if (typeof v !== 'string' || !timeRe.test(v)) {
    throw new ApiError(400, 'BadRequest',
      `${info.kind} in version "${info.version}" cannot be handled as a ${info.kind}: parsing time ${JSON.stringify(v)} as "2006-01-02T15:04:05Z07:00": cannot parse ${JSON.stringify(v)} as "2006"`);
  }
}

/** Decode-level checks: values the real server cannot even parse get 400. */
export function decodeChecks(info: ResourceInfo, obj: JsonObject): void {
  const md = objAt(obj, 'metadata');
  checkTime(info, md['creationTimestamp']);
  if (info.group === 'coordination.k8s.io' && info.resource === 'leases') {
    const spec = objAt(obj, 'spec');
    checkMicroTime(info, spec['acquireTime']);
    checkMicroTime(info, spec['renewTime']);
    const d = spec['leaseDurationSeconds'];
    if (d !== undefined && d !== null && !Number.isInteger(d)) {
      throw new ApiError(400, 'BadRequest', `${info.kind} in version "v1" cannot be handled as a Lease: json: cannot unmarshal ${typeof d} into Go struct field LeaseSpec.spec.leaseDurationSeconds of type int32`);
    }
  }
  if (info.resource === 'events') {
    checkMicroTime(info, obj['eventTime']);
    if (info.group === '') {
      checkTime(info, obj['firstTimestamp']);
      checkTime(info, obj['lastTimestamp']);
    }
  }
}

const subdomainMsg = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const labelMsg = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const dns1035Msg = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

export function validateMeta(info: ResourceInfo, obj: JsonObject): FieldError[] {
  const errs: FieldError[] = [];
  const md = objAt(obj, 'metadata');
  const name = strAt(md, 'name') ?? '';
  if (name === '') {
    errs.push(fieldError('FieldValueRequired', 'metadata.name', 'Required value: name or generateName is required'));
  } else if (info.builtin) {
    const [re, msg, max] = info.resource === 'services' ? [dns1035Label, dns1035Msg, 63]
      : info.resource === 'namespaces' ? [dns1123Label, labelMsg, 63]
        : [dns1123Subdomain, subdomainMsg, 253];
    if (!re.test(name) || name.length > max) errs.push(fieldError('FieldValueInvalid', 'metadata.name', `Invalid value: ${goValue(name)}: ${msg}`));
  } else if (!dns1123Subdomain.test(name)) {
    errs.push(fieldError('FieldValueInvalid', 'metadata.name', `Invalid value: ${goValue(name)}: ${subdomainMsg}`));
  }
  const labels = md['labels'];
  if (labels !== undefined && labels !== null) {
    if (!isObject(labels)) errs.push(fieldError('FieldValueInvalid', 'metadata.labels', 'Invalid value: must be a map of strings'));
    else {
      for (const [k, v] of Object.entries(labels)) {
        if (!validLabelKey(k)) errs.push(fieldError('FieldValueInvalid', 'metadata.labels', `Invalid value: ${goValue(k)}: name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`));
        if (typeof v !== 'string' || !validLabelValue(v)) errs.push(fieldError('FieldValueInvalid', `metadata.labels`, `Invalid value: ${goValue(v)}: a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`));
      }
    }
  }
  return errs;
}

/** Defaults applied on create (the real server's PrepareForCreate + defaulting). */
export function defaultsOnCreate(info: ResourceInfo, obj: JsonObject): JsonObject {
  if (!info.builtin || info.group !== '') return obj;
  switch (info.resource) {
    case 'namespaces': {
      const md = objAt(obj, 'metadata');
      const name = strAt(md, 'name') ?? '';
      return {
        ...obj,
        metadata: { ...md, labels: { ...objAt(md, 'labels'), 'kubernetes.io/metadata.name': name } },
        spec: { finalizers: ['kubernetes'], ...objAt(obj, 'spec') },
        status: { phase: 'Active' },
      };
    }
    case 'pods':
      return { ...obj, status: { phase: 'Pending', qosClass: 'BestEffort' } };
    case 'secrets':
    case 'configmaps':
      return obj;
    default:
      return obj;
  }
}

/** Normalisation on every write (secret stringData folds into data). */
export function normalise(info: ResourceInfo, obj: JsonObject): JsonObject {
  if (info.builtin && info.group === '' && info.resource === 'secrets') {
    const sd = obj['stringData'];
    const out: JsonObject = { ...obj, type: strAt(obj, 'type') ?? 'Opaque' };
    if (isObject(sd)) {
      const data: JsonObject = { ...objAt(obj, 'data') };
      for (const [k, v] of Object.entries(sd)) if (typeof v === 'string') data[k] = Buffer.from(v).toString('base64');
      out['data'] = data;
      delete out['stringData'];
    }
    return out;
  }
  return obj;
}

export function validateKind(info: ResourceInfo, obj: JsonObject): FieldError[] {
  const errs: FieldError[] = [];
  if (info.group === '' && info.resource === 'pods' && arrAt(objAt(obj, 'spec'), 'containers').length === 0) {
    errs.push(fieldError('FieldValueRequired', 'spec.containers', 'Required value'));
  }
  if (info.group === 'discovery.k8s.io') {
    const at = obj['addressType'];
    if (at !== 'IPv4' && at !== 'IPv6' && at !== 'FQDN') {
      errs.push(at === undefined ? fieldError('FieldValueRequired', 'addressType', 'Required value')
        : fieldError('FieldValueNotSupported', 'addressType', `Unsupported value: ${goValue(at)}: supported values: "FQDN", "IPv4", "IPv6"`));
    }
    arrAt(obj, 'endpoints').forEach((e, i) => {
      if (!isObject(e) || arrAt(e, 'addresses').length === 0) errs.push(fieldError('FieldValueRequired', `endpoints[${i}].addresses`, 'Required value: must contain at least 1 address'));
    });
  }
  return errs;
}
