// Each driver starts its daemon in a namespace, reports the configured peer (not established:
// nobody is there), and stop() reaps the daemon and removes its work directory.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { skipUnless } from '@herald/testkit';
import { Topology, uniquePrefix } from '../../src/netns/topology.js';
import { createRouter, type RouterKind } from '../../src/routers/index.js';

const workDirs = (kind: string) => readdirSync(tmpdir()).filter((d) => d.startsWith(`herald-${kind}-`));

describe('router drivers: lifecycle', function () {
  this.timeout(60_000);
  let topo: Topology | undefined;

  before(async function () {
    skipUnless(this, { root: true, tools: ['ip', 'bird', 'birdc', 'gobgpd', 'gobgp', 'vtysh'] });
    topo = await Topology.create(uniquePrefix('rd'), [{ name: 'r', addresses: ['192.0.2.1/24'], macByte: 1 }]);
  });

  after(async () => {
    await topo?.destroy();
  });

  for (const kind of ['bird', 'frr', 'gobgp'] as RouterKind[]) {
    it(`${kind}: starts, lists its peer as not established, stops clean`, async () => {
      const before = workDirs(kind);
      const r = createRouter(kind, { ns: topo!.ns('r'), routerId: '192.0.2.1', asn: 64500, peers: [{ name: 'nobody', address: '192.0.2.99', asn: 64512 }] });
      await r.start();
      try {
        const ss = await r.sessions();
        assert.equal(ss.length, 1);
        assert.equal(ss[0]!.peer, 'nobody');
        assert.notEqual(ss[0]!.state, 'established');
        assert.deepEqual(await r.routes(4), []);
        assert.equal(workDirs(kind).length, before.length + 1);
      } finally {
        await r.stop();
      }
      assert.deepEqual(workDirs(kind), before);
      await r.stop(); // twice is fine
    });
  }
});
