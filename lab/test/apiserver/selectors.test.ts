import { strict as assert } from 'node:assert';
import { matchFields, matchLabels, parseFieldSelector, parseLabelSelector } from '../../src/apiserver/selectors.js';

describe('apiserver/selectors: label selectors', function () {
  const labels = { app: 'web', tier: 'front', 'herald.dev/pool': 'a' };
  const cases: { desc: string; input: string; want: boolean }[] = [
    { desc: 'empty matches all', input: '', want: true },
    { desc: '= match', input: 'app=web', want: true },
    { desc: '== match', input: 'app==web', want: true },
    { desc: '!= on equal value', input: 'app!=web', want: false },
    { desc: '!= on missing key', input: 'nope!=x', want: true },
    { desc: 'in', input: 'tier in (back, front)', want: true },
    { desc: 'notin', input: 'tier notin (front)', want: false },
    { desc: 'notin on missing key', input: 'zone notin (a)', want: true },
    { desc: 'exists', input: 'herald.dev/pool', want: true },
    { desc: '!exists', input: '!app', want: false },
    { desc: 'conjunction, one false', input: 'app=web,tier=back', want: false },
    { desc: 'prefixed key with value', input: 'herald.dev/pool=a', want: true },
    { desc: 'empty value matches missing? no: = needs key', input: 'zone=', want: false },
  ];
  for (const tc of cases) {
    it(tc.desc, function () {
      assert.equal(matchLabels(parseLabelSelector(tc.input), labels), tc.want);
    });
  }
  const bad: { desc: string; input: string }[] = [
    { desc: 'unbalanced parenthesis', input: 'a in (b' },
    { desc: 'bad key characters', input: 'a b=c' },
    { desc: 'bad value', input: 'a=-x-' },
    { desc: 'double operator', input: 'a==b==c' },
    { desc: 'empty requirement', input: 'a=b,' },
    { desc: 'bare operator', input: '=x' },
  ];
  for (const tc of bad) {
    it(`rejects ${tc.desc}`, function () {
      assert.throws(() => parseLabelSelector(tc.input), /^SelectorError: unable to parse requirement/);
    });
  }
});

describe('apiserver/selectors: field selectors', function () {
  const allowed = ['metadata.name', 'metadata.namespace', 'reason'];
  const get = (f: string): string => ({ 'metadata.name': 'x', 'metadata.namespace': 'ns', reason: 'A,B' } as Record<string, string>)[f] ?? '';
  const cases: { desc: string; input: string; want: boolean }[] = [
    { desc: '= match', input: 'metadata.name=x', want: true },
    { desc: '== match', input: 'metadata.name==x', want: true },
    { desc: '!=', input: 'metadata.namespace!=ns', want: false },
    { desc: 'escaped comma in value', input: 'reason=A\\,B', want: true },
    { desc: 'conjunction', input: 'metadata.name=x,reason=C', want: false },
  ];
  for (const tc of cases) {
    it(tc.desc, function () {
      assert.equal(matchFields(parseFieldSelector(tc.input, allowed), get), tc.want);
    });
  }
  it('rejects an unknown field with the real server message', function () {
    assert.throws(() => parseFieldSelector('spec.type=LoadBalancer', allowed), /"spec.type" is not a known field selector: only "metadata.name", "metadata.namespace"/);
  });
  it('rejects a requirement without an operator', function () {
    assert.throws(() => parseFieldSelector('metadata.name', allowed), /invalid selector/);
  });
});
