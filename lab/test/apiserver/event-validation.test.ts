import { strict as assert } from 'node:assert';
import { validateEvent, type EventApi } from '../../src/apiserver/event-validation.js';

// Objects in core/v1 form, as the server validates them (events.k8s.io/v1 converted first).
describe('apiserver/event-validation', function () {
  const t = '2026-01-01T00:00:00.000000Z';
  const ns = (n: string): Record<string, unknown> => ({ metadata: { name: 'e', namespace: n } });
  const reporting = { reportingComponent: 'herald.dev/controller', reportingInstance: 'c-1', action: 'Allocate', reason: 'Allocated', type: 'Normal' };
  const cases: { desc: string; api: EventApi; creating?: boolean; input: Record<string, unknown>; want: string[] }[] = [
    { desc: 'events.k8s.io without eventTime: only involvedObject.namespace and eventTime', api: 'events.k8s.io/v1', input: { ...ns('app'), reason: 'R', type: 'Normal', message: 'n' }, want: ['involvedObject.namespace', 'eventTime'] },
    { desc: 'events.k8s.io with eventTime: the reporting fields and action',
      api: 'events.k8s.io/v1', input: { ...ns('app'), eventTime: t, reason: 'R', type: 'Normal', involvedObject: { namespace: 'app' } },
      want: ['reportingController', 'reportingController', 'reportingController', 'reportingInstance', 'action'] },
    { desc: 'events.k8s.io complete', api: 'events.k8s.io/v1', input: { ...ns('app'), eventTime: t, ...reporting, involvedObject: { namespace: 'app' } }, want: [] },
    { desc: 'events.k8s.io with deprecated fields set', api: 'events.k8s.io/v1', input: { ...ns('app'), eventTime: t, ...reporting, involvedObject: { namespace: 'app' }, count: 3, source: { component: 'x' } }, want: ['count', 'source'] },
    { desc: 'events.k8s.io with a bad type and a short series', api: 'events.k8s.io/v1', input: { ...ns('app'), eventTime: t, ...reporting, type: 'Odd', series: { count: 1 }, involvedObject: { namespace: 'app' } }, want: ['series.count', 'series.lastObservedTime', 'type'] },
    { desc: 'events.k8s.io update: only the legacy rules', api: 'events.k8s.io/v1', creating: false, input: { ...ns('app'), eventTime: t, ...reporting, involvedObject: { namespace: 'app' }, count: 3 }, want: [] },
    { desc: 'core/v1 without eventTime, matching namespace', api: 'core/v1', input: { ...ns('app'), involvedObject: { namespace: 'app' }, reason: 'R' }, want: [] },
    { desc: 'core/v1 without eventTime, another namespace', api: 'core/v1', input: { ...ns('app'), involvedObject: { namespace: 'other' } }, want: ['involvedObject.namespace'] },
    { desc: 'core/v1, cluster-scoped object, Event in default', api: 'core/v1', input: { ...ns('default'), involvedObject: { kind: 'Node', name: 'n' } }, want: [] },
    { desc: 'core/v1, cluster-scoped object, Event elsewhere', api: 'core/v1', input: { ...ns('app'), involvedObject: { kind: 'Node', name: 'n' } }, want: ['involvedObject.namespace'] },
    { desc: 'core/v1 with eventTime: reportingComponent by its core name', api: 'core/v1', input: { ...ns('app'), eventTime: t, involvedObject: { namespace: 'app' }, reportingInstance: 'i', action: 'A', reason: 'R' }, want: ['reportingComponent', 'reportingComponent', 'reportingComponent'] },
    { desc: 'a reportingController that is not a qualified name', api: 'events.k8s.io/v1', input: { ...ns('app'), eventTime: t, ...reporting, reportingComponent: 'Herald.Dev/x', involvedObject: { namespace: 'app' } }, want: ['reportingController'] },
    { desc: 'a reason over 128 characters', api: 'events.k8s.io/v1', input: { ...ns('app'), eventTime: t, ...reporting, reason: 'R'.repeat(129), involvedObject: { namespace: 'app' } }, want: ['reason'] },
  ];
  for (const tc of cases) {
    it(tc.desc, function () {
      assert.deepEqual(validateEvent(tc.input as never, tc.api, tc.creating ?? true).map((e) => e.field), tc.want);
    });
  }

  it('words the errors as kube-apiserver does', function () {
    const errs = validateEvent({ ...ns('app'), eventTime: t, involvedObject: { namespace: 'app' }, reportingInstance: 'i', action: 'A', reason: 'R', type: 'Normal' }, 'events.k8s.io/v1', true);
    assert.deepEqual(errs.map((e) => `${e.field}: ${e.detail}`), [
      'reportingController: Required value',
      'reportingController: Invalid value: "": name part must be non-empty',
      "reportingController: Invalid value: \"\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    ]);
  });
});
