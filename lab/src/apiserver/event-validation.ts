// Validation of an Event on create, as kube-apiserver 1.24 does it (pkg/apis/core/validation/
// events.go, ValidateEventCreate). Both Event APIs share it and see the object in core/v1 form, so
// field paths use core names (involvedObject, reportingController) whichever API was called:
//  - "legacy" rules always apply. Without eventTime, only the involvedObject.namespace rule does;
//    with eventTime, the reporting fields, action and reason are required too;
//  - events.k8s.io/v1 adds the strict rules: eventTime required, type Normal or Warning, the
//    deprecated fields unset, a series with count >= 2 and a lastObservedTime.
// So an events.k8s.io/v1 Event without eventTime is told only about involvedObject.namespace and
// eventTime; the reporting fields are asked for once eventTime is set.

import { goValue, isObject, objAt, strAt, type Json, type JsonObject } from './json.js';
import { codecFor } from './event-convert.js';
import type { ResourceInfo } from './registry.js';
import { fieldError, type FieldError } from './status.js';

export type EventApi = 'core/v1' | 'events.k8s.io/v1';

const reportingInstanceLimit = 128;
const actionLimit = 128;
const reasonLimit = 128;
const noteLimit = 1024;
const qualifiedNameMax = 63;
const qualifiedName = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const qualifiedNameRegexMsg = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const subdomainRegexMsg = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

/** A time field counts as unset when absent, null or empty (Go's zero time). */
function unsetTime(v: Json | undefined): boolean {
  return v === undefined || v === null || v === '';
}

function str(o: JsonObject, k: string): string {
  return strAt(o, k) ?? '';
}

/** apimachinery's IsQualifiedName: `[prefix/]name`, the prefix a DNS subdomain. */
function qualifiedNameProblems(value: string): string[] {
  const parts = value.split('/');
  if (parts.length > 2) {
    return [`a qualified name ${qualifiedNameRegexMsg} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  }
  const out: string[] = [];
  const name = parts.length === 2 ? parts[1] ?? '' : parts[0] ?? '';
  if (parts.length === 2) {
    const prefix = parts[0] ?? '';
    if (prefix === '') out.push('prefix part must be non-empty');
    else {
      if (prefix.length > 253) out.push('prefix part must be no more than 253 characters');
      if (!dns1123Subdomain.test(prefix)) out.push(`prefix part ${subdomainRegexMsg}`);
    }
  }
  if (name === '') out.push('name part must be non-empty');
  else if (name.length > qualifiedNameMax) out.push(`name part must be no more than ${qualifiedNameMax} characters`);
  if (!qualifiedName.test(name)) out.push(`name part ${qualifiedNameRegexMsg}`);
  return out;
}

function tooLong(field: string, limit: number): FieldError {
  return fieldError('FieldValueInvalid', field, `Invalid value: "": can have at most ${limit} characters`);
}

function legacy(ev: JsonObject, api: EventApi): FieldError[] {
  const errs: FieldError[] = [];
  const ns = str(objAt(ev, 'metadata'), 'namespace');
  const ioNs = str(objAt(ev, 'involvedObject'), 'namespace');
  const nsMismatch = (): FieldError => fieldError('FieldValueInvalid', 'involvedObject.namespace', `Invalid value: ${goValue(ioNs)}: does not match event.namespace`);
  if (unsetTime(ev['eventTime'])) {
    if (ioNs === '' ? ns !== '' && ns !== 'default' : ns !== ioNs) errs.push(nsMismatch());
    return errs;
  }
  if (ioNs === '' && ns !== 'default' && ns !== 'kube-system') errs.push(nsMismatch());
  const rcField = api === 'core/v1' ? 'reportingComponent' : 'reportingController';
  const rc = str(ev, 'reportingComponent');
  if (rc === '') errs.push(fieldError('FieldValueRequired', rcField, 'Required value'));
  for (const p of qualifiedNameProblems(rc)) errs.push(fieldError('FieldValueInvalid', rcField, `Invalid value: ${goValue(rc)}: ${p}`));
  const inst = str(ev, 'reportingInstance');
  if (inst === '') errs.push(fieldError('FieldValueRequired', 'reportingInstance', 'Required value'));
  if (inst.length > reportingInstanceLimit) errs.push(tooLong('reportingInstance', reportingInstanceLimit));
  const action = str(ev, 'action');
  if (action === '') errs.push(fieldError('FieldValueRequired', 'action', 'Required value'));
  if (action.length > actionLimit) errs.push(tooLong('action', actionLimit));
  const reason = str(ev, 'reason');
  if (reason === '') errs.push(fieldError('FieldValueRequired', 'reason', 'Required value'));
  if (reason.length > reasonLimit) errs.push(tooLong('reason', reasonLimit));
  if (str(ev, 'message').length > noteLimit) errs.push(tooLong('message', noteLimit));
  return errs;
}

function strict(ev: JsonObject): FieldError[] {
  const errs: FieldError[] = [];
  const series = ev['series'];
  if (isObject(series)) {
    const count = series['count'];
    if (typeof count !== 'number' || count < 2) errs.push(fieldError('FieldValueInvalid', 'series.count', 'Invalid value: "": should be at least 2'));
    if (unsetTime(series['lastObservedTime'])) errs.push(fieldError('FieldValueRequired', 'series.lastObservedTime', 'Required value'));
  }
  if (unsetTime(ev['eventTime'])) errs.push(fieldError('FieldValueRequired', 'eventTime', 'Required value'));
  const type = ev['type'];
  if (type !== 'Normal' && type !== 'Warning') {
    errs.push(fieldError('FieldValueInvalid', 'type', `Invalid value: "": has invalid value: ${typeof type === 'string' ? type : ''}`));
  }
  if (!unsetTime(ev['firstTimestamp'])) errs.push(fieldError('FieldValueInvalid', 'firstTimestamp', 'Invalid value: "": needs to be unset'));
  if (!unsetTime(ev['lastTimestamp'])) errs.push(fieldError('FieldValueInvalid', 'lastTimestamp', 'Invalid value: "": needs to be unset'));
  const count = ev['count'];
  if (count !== undefined && count !== null && count !== 0) errs.push(fieldError('FieldValueInvalid', 'count', 'Invalid value: "": needs to be unset'));
  const source = objAt(ev, 'source');
  if (str(source, 'component') !== '' || str(source, 'host') !== '') errs.push(fieldError('FieldValueInvalid', 'source', 'Invalid value: "": needs to be unset'));
  return errs;
}

/** Field errors of an Event in core/v1 form; the strict rules apply to creates through events.k8s.io/v1. */
export function validateEvent(ev: JsonObject, api: EventApi, creating: boolean): FieldError[] {
  const errs = legacy(ev, api);
  if (api === 'events.k8s.io/v1' && creating) errs.push(...strict(ev));
  return errs;
}

/** The same, for an object as the request's API shows it. */
export function validateEventWrite(info: ResourceInfo, obj: JsonObject, creating: boolean): FieldError[] {
  const codec = codecFor(info);
  return validateEvent(codec === undefined ? obj : codec.toStored(obj), codec === undefined ? 'core/v1' : 'events.k8s.io/v1', creating);
}

/**
 * How an Invalid error names an Event: kube-apiserver takes the first kind its scheme knows for the
 * internal (core) Event, so events.k8s.io/v1 errors read `Event "x" is invalid`, as core/v1 ones do.
 */
export const eventRef = { group: '', resource: 'events', kind: 'Event' } as const;
