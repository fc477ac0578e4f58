// Golden bytes from real routers: BIRD 2, FRR and GoBGP, captured with tcpdump during real
// sessions with our speaker (test/src/bgp/capture-fixtures.ts wrote fixtures/*.json; each file
// says where its bytes came from).
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BgpFramer, decodeMessage, encodeMessage, type BgpMessage } from '../../../src/wire/bgp/index.js';

const dir = fileURLToPath(new URL('../../../../test/wire/bgp/fixtures/', import.meta.url));
const want = ['bird.json', 'frr.json', 'gobgp.json'];
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

interface Fixture {
  router: string;
  source: string;
  messages: { session: 'ipv4' | 'ipv6'; hex: string }[];
}

const ctx = { fourOctetAs: true };

describe('bgp codec: golden bytes captured from BIRD, FRR and GoBGP', () => {
  it('found the three router captures', () => {
    assert.deepEqual(files, want);
  });

  for (const f of want) {
    describe(f, () => {
      const fx = JSON.parse(readFileSync(dir + f, 'utf8')) as Fixture;
      const frames = fx.messages.map((m) => Buffer.from(m.hex, 'hex'));
      const decoded = (): BgpMessage[] => frames.map((b) => decodeMessage(b, ctx));

      it(`has messages and a provenance (${fx.router})`, () => {
        assert.ok(frames.length >= 6, `${frames.length} messages`);
        assert.match(fx.source, /tcpdump/);
      });

      it('every message decodes without an RFC 7606 problem', () => {
        for (const m of decoded()) {
          assert.notEqual(m.type, 'notification');
          if (m.type === 'update') assert.equal(m.treatAsWithdraw, undefined, JSON.stringify(m));
        }
      });

      it('the OPENs: AS 64500 in the 4-octet capability, router ID 192.0.2.1, hold 3 or more', () => {
        const opens = decoded().filter((m) => m.type === 'open');
        assert.equal(opens.length, 2);
        for (const o of opens) {
          assert.ok(o.capabilities.some((c) => c.type === 'four-octet-as' && c.asn === 64500));
          assert.equal(o.routerId.toString(), '192.0.2.1');
          assert.ok(o.capabilities.some((c) => c.type === 'route-refresh'));
        }
      });

      it("the router's originated routes arrive with community 64500:1 and large community 64500:1:2", () => {
        const ups = decoded().filter((m) => m.type === 'update');
        const v4 = ups.find((u) => u.nlri.some((p) => p.toString() === '198.51.100.128/25'));
        const v6 = ups.find((u) => u.attributes.mpReach?.nlri.some((p) => p.toString() === '2001:db8:ff::/48'));
        for (const u of [v4, v6]) {
          assert.ok(u, 'update present');
          assert.deepEqual(u.attributes.communities, [{ type: 'standard', asn: 64500, value: 1 }]);
          assert.deepEqual(u.attributes.largeCommunities, [{ type: 'large', global: 64500, local1: 1, local2: 2 }]);
          assert.deepEqual(u.attributes.asPath, [{ type: 'sequence', asns: [64500] }]);
        }
        assert.equal(v4!.attributes.nextHop?.toString(), '192.0.2.1');
        assert.equal(v6!.attributes.mpReach?.nextHops[0]?.toString(), '2001:db8::1');
      });

      it('KEEPALIVEs and UPDATEs re-encode to the captured bytes where the attribute order matches ours', () => {
        let same = 0;
        for (const b of frames) {
          const m = decodeMessage(b, ctx);
          if (m.type === 'keepalive') assert.ok(encodeMessage(m, ctx).equals(b));
          if (encodeMessage(m, ctx).equals(b)) same++;
        }
        assert.ok(same >= frames.filter((b) => b[18] === 4).length);
      });

      it('the captured stream, split at every offset, frames back to the same messages', () => {
        const stream = Buffer.concat(frames);
        for (let cut = 0; cut <= stream.length; cut++) {
          const fr = new BgpFramer();
          const got = [...fr.push(stream.subarray(0, cut)), ...fr.push(stream.subarray(cut))];
          assert.equal(got.length, frames.length, `cut ${cut}`);
        }
      });
    });
  }
});
