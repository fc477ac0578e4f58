import assert from 'node:assert/strict';
import { IFF_BROADCAST, IFF_LOOPBACK, IFF_NOARP, IFF_UP, selectInterfaces, type LinkState } from '../../src/layer2/interfaces.js';

const UP = IFF_UP | IFF_BROADCAST;
const link = (name: string, flags = UP, enslaved = false): LinkState => ({ name, index: 1, flags, enslaved });
const host: LinkState[] = [
  link('lo', IFF_UP | IFF_LOOPBACK),
  link('eth0'),
  link('eth1', IFF_BROADCAST),
  link('bond0'),
  link('eno1', UP, true),
  link('br0'),
  link('cali12ab'),
  link('veth9f'),
  link('cni0'),
  link('flannel.1'),
  link('docker0'),
  link('lxc00'),
  link('wg0', IFF_UP | IFF_NOARP),
  link('tun0', IFF_UP),
];

describe('layer2/interfaces', () => {
  const cases: { desc: string; input: { links: LinkState[]; configured: string[] }; want: { selected: string[]; rejected: Record<string, string> } }[] = [
    {
      desc: 'automatic: uplinks, bonds and bridges; not lo, down, enslaved, NOARP, point-to-point or container interfaces',
      input: { links: host, configured: [] },
      want: {
        selected: ['bond0', 'br0', 'eth0'],
        rejected: { lo: 'loopback', eth1: 'down', eno1: 'enslaved', cali12ab: 'container-interface', veth9f: 'container-interface', cni0: 'container-interface', 'flannel.1': 'container-interface', docker0: 'container-interface', lxc00: 'container-interface', wg0: 'noarp', 'tun0': 'not-broadcast' },
      },
    },
    {
      desc: 'configured: exactly those that exist and are up, even a veth',
      input: { links: host, configured: ['veth9f', 'eth1', 'eth7'] },
      want: { selected: ['veth9f'], rejected: { eth1: 'down', eth7: 'not-found' } },
    },
  ];
  for (const c of cases) {
    it(c.desc, () => {
      const got = selectInterfaces(c.input.links, c.input.configured);
      assert.deepEqual(got.selected.map((l) => l.name), c.want.selected);
      const rejected = Object.fromEntries(got.rejected.filter((r) => r.reason.type !== 'not-configured').map((r) => [r.name, r.reason.type]));
      assert.deepEqual(rejected, c.want.rejected);
    });
  }
});
