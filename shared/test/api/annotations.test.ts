import assert from 'node:assert/strict';
import { readAnnotation, type AnnotationValue } from '../../src/api/annotations.js';
import {
  ANNOTATION_ADDRESS_POOL,
  ANNOTATION_ALLOW_SHARED_IP,
  ANNOTATION_LOAD_BALANCER_IPS,
  API_VERSION,
  type ReadAnnotation,
} from '../../src/api/constants.js';

describe('readAnnotation', () => {
  const cases: { desc: string; input: { annotations: Record<string, string> | undefined; key: ReadAnnotation }; want: AnnotationValue }[] = [
    { desc: 'absent, no annotations', input: { annotations: undefined, key: ANNOTATION_ADDRESS_POOL }, want: { type: 'absent' } },
    { desc: 'absent, others only', input: { annotations: { a: 'b' }, key: ANNOTATION_ADDRESS_POOL }, want: { type: 'absent' } },
    {
      desc: 'herald.dev only',
      input: { annotations: { 'herald.dev/address-pool': 'prod' }, key: ANNOTATION_ADDRESS_POOL },
      want: { type: 'value', value: 'prod', from: 'herald.dev/address-pool' },
    },
    {
      desc: 'metallb.io twin only',
      input: { annotations: { 'metallb.io/loadBalancerIPs': '192.0.2.1' }, key: ANNOTATION_LOAD_BALANCER_IPS },
      want: { type: 'value', value: '192.0.2.1', from: 'metallb.io/loadBalancerIPs' },
    },
    {
      desc: 'both, equal: herald.dev reported',
      input: { annotations: { 'herald.dev/allow-shared-ip': 'k', 'metallb.io/allow-shared-ip': 'k' }, key: ANNOTATION_ALLOW_SHARED_IP },
      want: { type: 'value', value: 'k', from: 'herald.dev/allow-shared-ip' },
    },
    {
      desc: 'both, different: a conflict',
      input: { annotations: { 'herald.dev/address-pool': 'a', 'metallb.io/address-pool': 'b' }, key: ANNOTATION_ADDRESS_POOL },
      want: {
        type: 'conflict',
        key: 'herald.dev/address-pool',
        value: 'a',
        twin: 'metallb.io/address-pool',
        twinValue: 'b',
        message: 'annotations herald.dev/address-pool="a" and metallb.io/address-pool="b" disagree',
      },
    },
    {
      desc: 'empty string is a value',
      input: { annotations: { 'herald.dev/address-pool': '' }, key: ANNOTATION_ADDRESS_POOL },
      want: { type: 'value', value: '', from: 'herald.dev/address-pool' },
    },
  ];
  for (const c of cases) {
    it(c.desc, () => assert.deepEqual(readAnnotation(c.input.annotations, c.input.key), c.want));
  }
  it('API version', () => assert.equal(API_VERSION, 'herald.dev/v1beta1'));
});
