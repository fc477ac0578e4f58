import assert from 'node:assert/strict';
import { skipUnless } from '@herald/testkit';
import { nsRun, run } from '../../src/netns/exec.js';
import { Topology, uniquePrefix } from '../../src/netns/topology.js';

describe('netns topology', function () {
  let topo: Topology | undefined;

  before(async function () {
    skipUnless(this, { root: true, tools: ['ip', 'ping'] });
    topo = await Topology.create(uniquePrefix('tp'), [
      { name: 'a', addresses: ['192.0.2.1/24', '2001:db8::1/64'], macByte: 1 },
      { name: 'b', addresses: ['192.0.2.2/24', '2001:db8::2/64'], macByte: 2 },
    ]);
  });

  after(async () => {
    const prefix = topo?.prefix;
    await topo?.destroy();
    if (prefix) {
      const left = await run(['ip', 'netns', 'list']);
      assert.ok(!left.includes(prefix), `namespaces left behind: ${left}`);
    }
  });

  it('connects hosts over the bridge, v4 and v6, with fixed MACs', async () => {
    await nsRun(topo!.ns('a'), ['ping', '-c', '1', '-W', '2', '192.0.2.2']);
    await nsRun(topo!.ns('a'), ['ping', '-6', '-c', '1', '-W', '2', '2001:db8::2']);
    const link = await nsRun(topo!.ns('b'), ['ip', '-j', 'link', 'show', 'eth0']);
    assert.equal((JSON.parse(link) as { address: string }[])[0]?.address, '02:00:00:00:00:02');
  });

  it('a cut link stops traffic and a restored one carries it again', async () => {
    await topo!.setLink('b', false);
    await assert.rejects(nsRun(topo!.ns('a'), ['ping', '-c', '1', '-W', '1', '192.0.2.2']));
    await topo!.setLink('b', true);
    await nsRun(topo!.ns('a'), ['ping', '-c', '1', '-W', '2', '192.0.2.2']);
  });
});
