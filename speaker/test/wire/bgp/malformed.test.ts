import assert from 'node:assert/strict';
import { DecodeError, decodeMessage, type BgpMessage } from '../../../src/wire/bgp/index.js';
import { frame } from './helpers.js';

const ctx = { fourOctetAs: true };
const base = '400101 00 400206 0201 0000fbf4 400304 c000020b';

// Rejections that reset the session: [code, subcode].
const resets: { desc: string; input: Buffer; want: [number, number] }[] = [
  { desc: 'OPEN version 3', input: frame(1, '03 fbf4 005a c000020b 00'), want: [2, 1] },
  { desc: 'OPEN short', input: frame(1, '04 fbf4 005a c0000'), want: [1, 2] },
  { desc: 'OPEN parameter length mismatch', input: frame(1, '04 fbf4 005a c000020b 05 0202 0200'), want: [1, 2] },
  { desc: 'OPEN optional parameter type 1', input: frame(1, '04 fbf4 005a c000020b 03 0101 00'), want: [2, 4] },
  { desc: 'KEEPALIVE with a body', input: frame(4, '00'), want: [1, 2] },
  { desc: 'ROUTE-REFRESH of 3 bytes', input: frame(5, '000101 00 00').subarray(0, 22), want: [1, 2] },
  { desc: 'UPDATE withdrawn length too large', input: frame(2, '0010 0000'), want: [3, 1] },
  { desc: 'UPDATE attribute length too large', input: frame(2, '0000 0040 400101 00'), want: [3, 1] },
  { desc: 'UPDATE NLRI prefix length 33', input: frame(2, `0000 0015 ${base} 21c0000201`), want: [3, 10] },
  { desc: 'UPDATE NLRI truncated', input: frame(2, `0000 0015 ${base} 18c000`), want: [3, 10] },
  { desc: 'UPDATE withdrawn prefix truncated', input: frame(2, '0002 18c0 0000'), want: [3, 10] },
  { desc: 'UPDATE unrecognized well-known attribute', input: frame(2, '0000 0003 406300'), want: [3, 2] },
  { desc: 'UPDATE MP_REACH unknown AFI', input: frame(2, '0000 000c 800e09 0009 01 04 c000020b 00'), want: [3, 9] },
  { desc: 'UPDATE MP_REACH bad next-hop length', input: frame(2, '0000 000b 800e08 0002 01 03 c00002 00'), want: [3, 9] },
  { desc: 'UPDATE duplicate MP_UNREACH', input: frame(2, '0000 000c 800f03 000201 800f03 000201'), want: [3, 1] },
  { desc: 'UPDATE MP_REACH flags well-known', input: frame(2, '0000 0010 400e0d 0001 01 04 c000020b 00 18c00002'), want: [3, 4] },
];

describe('bgp decode: malformed input -> NOTIFICATION code/subcode', () => {
  for (const c of resets) {
    it(`${c.desc} -> ${c.want.join('/')}`, () => {
      assert.throws(
        () => decodeMessage(c.input, ctx),
        (e: unknown) => e instanceof DecodeError && e.code === c.want[0] && e.subcode === c.want[1],
      );
    });
  }
});

// RFC 7606: contained errors come back as values.
const contained: { desc: string; input: Buffer; want: { action: 'treat-as-withdraw' | 'attribute-discard'; attrCode: number; subcode: number } }[] = [
  { desc: 'ORIGIN value 3', input: frame(2, '0000 0014 400101 03 400206 0201 0000fbf4 400304 c000020b 18c00002'), want: { action: 'treat-as-withdraw', attrCode: 1, subcode: 6 } },
  { desc: 'ORIGIN length 2', input: frame(2, '0000 0015 400102 0000 400206 0201 0000fbf4 400304 c000020b 18c00002'), want: { action: 'treat-as-withdraw', attrCode: 1, subcode: 5 } },
  { desc: 'AS_PATH segment type 9', input: frame(2, `0000 0014 400101 00 400206 0901 0000fbf4 400304 c000020b 18c00002`), want: { action: 'treat-as-withdraw', attrCode: 2, subcode: 11 } },
  { desc: 'AS_PATH segment overruns', input: frame(2, `0000 0014 400101 00 400206 0202 0000fbf4 400304 c000020b 18c00002`), want: { action: 'treat-as-withdraw', attrCode: 2, subcode: 11 } },
  { desc: 'NEXT_HOP 0.0.0.0', input: frame(2, `0000 0014 400101 00 400206 0201 0000fbf4 400304 00000000 18c00002`), want: { action: 'treat-as-withdraw', attrCode: 3, subcode: 8 } },
  { desc: 'NEXT_HOP length 3', input: frame(2, `0000 0013 400101 00 400206 0201 0000fbf4 400303 c00002 18c00002`), want: { action: 'treat-as-withdraw', attrCode: 3, subcode: 5 } },
  { desc: 'missing NEXT_HOP with NLRI', input: frame(2, `0000 000d 400101 00 400206 0201 0000fbf4 18c00002`), want: { action: 'treat-as-withdraw', attrCode: 3, subcode: 3 } },
  { desc: 'COMMUNITIES length 3', input: frame(2, `0000 001a ${base} c00803 fbf400 18c00002`), want: { action: 'treat-as-withdraw', attrCode: 8, subcode: 5 } },
  { desc: 'EXTENDED_COMMUNITIES length 7', input: frame(2, `0000 001e ${base} c01007 40040000 47f424 18c00002`), want: { action: 'treat-as-withdraw', attrCode: 16, subcode: 5 } },
  { desc: 'EXTENDED_COMMUNITIES flagged non-transitive', input: frame(2, `0000 001f ${base} 801008 4004fbf4 47f42400 18c00002`), want: { action: 'treat-as-withdraw', attrCode: 16, subcode: 4 } },
  { desc: 'LARGE_COMMUNITY length 8', input: frame(2, `0000 001f ${base} c02008 0000000100000002 18c00002`), want: { action: 'treat-as-withdraw', attrCode: 32, subcode: 5 } },
  { desc: 'LOCAL_PREF flagged optional', input: frame(2, `0000 001b ${base} 800504 00000064 18c00002`), want: { action: 'treat-as-withdraw', attrCode: 5, subcode: 4 } },
  { desc: 'last attribute overruns the attribute field', input: frame(2, `0000 001a ${base} 800409 000000 18c00002`), want: { action: 'treat-as-withdraw', attrCode: 4, subcode: 5 } },
  { desc: 'ATOMIC_AGGREGATE with a value', input: frame(2, `0000 0018 ${base} 400601 00 18c00002`), want: { action: 'attribute-discard', attrCode: 6, subcode: 5 } },
  { desc: 'AGGREGATOR length 5', input: frame(2, `0000 001c ${base} c00705 0000fbf400 18c00002`), want: { action: 'attribute-discard', attrCode: 7, subcode: 5 } },
];

describe('bgp decode: RFC 7606 contained errors', () => {
  for (const c of contained) {
    it(`${c.desc} -> ${c.want.action}`, () => {
      const m: BgpMessage = decodeMessage(c.input, ctx);
      assert.equal(m.type, 'update');
      if (m.type !== 'update') return;
      const p = c.want.action === 'treat-as-withdraw' ? m.treatAsWithdraw : m.discarded?.[0];
      assert.ok(p, 'problem reported');
      assert.deepEqual({ action: p.action, attrCode: p.attrCode, subcode: p.subcode }, c.want);
      assert.equal(p.code, 3);
      assert.equal(m.nlri.length, 1, 'NLRI still decoded so it can be withdrawn');
    });
  }

  it('a duplicate COMMUNITIES keeps the first and is not an error', () => {
    const m = decodeMessage(frame(2, `0000 0022 ${base} c00804 fbf40001 c00804 fbf40002 18c00002`), ctx);
    assert.ok(m.type === 'update' && !m.treatAsWithdraw);
    assert.deepEqual(m.type === 'update' && m.attributes.communities, [{ type: 'standard', asn: 64500, value: 1 }]);
  });
});
