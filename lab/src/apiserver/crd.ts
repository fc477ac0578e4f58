// CustomResourceDefinitions: validation of the CRD itself, the registry rows it serves, and the
// status (NamesAccepted, Established) the real server's controllers would set.

import { arrAt, goValue, text, isObject, objAt, strAt, type JsonObject } from './json.js';
import type { ResourceInfo } from './registry.js';
import { structuralErrors } from './schema.js';
import { fieldError, type FieldError } from './status.js';

export function validateCrd(obj: JsonObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = objAt(obj, 'spec');
  const names = objAt(spec, 'names');
  const group = strAt(spec, 'group') ?? '';
  const plural = strAt(names, 'plural') ?? '';
  const name = strAt(objAt(obj, 'metadata'), 'name') ?? '';
  if (group === '') errs.push(fieldError('FieldValueRequired', 'spec.group', 'Required value'));
  else if (!group.includes('.')) errs.push(fieldError('FieldValueInvalid', 'spec.group', `Invalid value: ${goValue(group)}: should be a domain with at least one dot`));
  if (plural === '') errs.push(fieldError('FieldValueRequired', 'spec.names.plural', 'Required value'));
  if ((strAt(names, 'kind') ?? '') === '') errs.push(fieldError('FieldValueRequired', 'spec.names.kind', 'Required value'));
  if (plural !== '' && group !== '' && name !== `${plural}.${group}`) {
    errs.push(fieldError('FieldValueInvalid', 'metadata.name', `Invalid value: ${goValue(name)}: must be spec.names.plural+"."+spec.group`));
  }
  const scope = spec['scope'];
  if (scope !== 'Namespaced' && scope !== 'Cluster') {
    errs.push(fieldError('FieldValueNotSupported', 'spec.scope', `Unsupported value: ${goValue(scope ?? '')}: supported values: "Cluster", "Namespaced"`));
  }
  const versions = arrAt(spec, 'versions').filter(isObject);
  if (versions.length === 0) errs.push(fieldError('FieldValueInvalid', 'spec.versions', 'Invalid value: null: must have exactly one version marked as storage version'));
  else if (versions.filter((v) => v['storage'] === true).length !== 1) {
    errs.push(fieldError('FieldValueInvalid', 'spec.versions', `Invalid value: ${JSON.stringify(versions.map((v) => v['name']))}: must have exactly one version marked as storage version`));
  }
  versions.forEach((v, i) => {
    const schema = objAt(v, 'schema')['openAPIV3Schema'];
    if (schema === undefined) errs.push(fieldError('FieldValueRequired', `spec.versions[${i}].schema.openAPIV3Schema`, 'Required value: schemas are required'));
    else errs.push(...structuralErrors(schema, `spec.versions[${i}].schema.openAPIV3Schema`));
  });
  return errs;
}

export function crdInfos(obj: JsonObject): ResourceInfo[] {
  const spec = objAt(obj, 'spec');
  const names = objAt(spec, 'names');
  const group = strAt(spec, 'group') ?? '';
  const plural = strAt(names, 'plural') ?? '';
  const kind = strAt(names, 'kind') ?? '';
  return arrAt(spec, 'versions').filter(isObject).filter((v) => v['served'] !== false).map((v) => {
    const schema = objAt(v, 'schema')['openAPIV3Schema'];
    const info: ResourceInfo = {
      group, version: strAt(v, 'name') ?? '', resource: plural, kind,
      listKind: strAt(names, 'listKind') ?? `${kind}List`, singular: strAt(names, 'singular') ?? kind.toLowerCase(),
      namespaced: spec['scope'] === 'Namespaced',
      shortNames: arrAt(names, 'shortNames').filter((s): s is string => typeof s === 'string'),
      statusSubresource: isObject(objAt(v, 'subresources')['status']),
      hasGeneration: true, unconditionalUpdate: false, builtin: false, fieldSelectors: [],
      storeKey: `${group}/${plural}`,
      ...(isObject(schema) ? { schema } : {}),
      printerColumns: arrAt(v, 'additionalPrinterColumns').filter(isObject),
    };
    return info;
  });
}

export function crdWithStatus(obj: JsonObject, now: string): JsonObject {
  const spec = objAt(obj, 'spec');
  const names = { ...objAt(spec, 'names') };
  names['singular'] = names['singular'] ?? text(names['kind']).toLowerCase();
  names['listKind'] = names['listKind'] ?? `${text(names['kind'])}List`;
  const storage = arrAt(spec, 'versions').filter(isObject).find((v) => v['storage'] === true);
  const stored = arrAt(objAt(obj, 'status'), 'storedVersions');
  const sv = strAt(storage, 'name');
  const prev = arrAt(objAt(obj, 'status'), 'conditions').filter(isObject);
  const cond = (type: string, reason: string, message: string): JsonObject => {
    const p = prev.find((c) => c['type'] === type && c['status'] === 'True');
    return { type, status: 'True', lastTransitionTime: strAt(p, 'lastTransitionTime') ?? now, reason, message };
  };
  return {
    ...obj,
    spec: { ...spec, names },
    status: {
      conditions: [cond('NamesAccepted', 'NoConflicts', 'no conflicts found'), cond('Established', 'InitialNamesAccepted', 'the initial names have been accepted')],
      acceptedNames: names,
      storedVersions: sv === undefined || stored.includes(sv) ? stored : [...stored, sv],
    },
  };
}
