// The packet socket's two ways of hearing IPv6 neighbour solicitations, on a real interface in a
// network namespace: one membership per solicited-node group (the kernel's multicast list shows
// each), and all-multicast (PACKET_MR_ALLMULTI: the interface's IFF_ALLMULTI flag), which the
// announcer switches to above 256 groups (speaker/src/layer2/announcer.ts). The encoding of both
// requests is what this checks: a wrong struct packet_mreq is refused or does nothing.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { nsRun, Topology, uniquePrefix } from '@herald/lab';
import { skipUnless } from '@herald/testkit';

const socketModule = fileURLToPath(new URL('../../../../speaker/dist/src/sys/packet-socket.js', import.meta.url));
const macModule = fileURLToPath(new URL('../../../../speaker/dist/src/wire/ethernet.js', import.meta.url));

// Run inside the namespace: prints the interface's flags and multicast list after each step.
const child = `
import { readFileSync } from 'node:fs';
const { PacketSocket } = await import(${JSON.stringify(socketModule)});
const { MAC } = await import(${JSON.stringify(macModule)});
const ifindex = Number(readFileSync('/sys/class/net/eth0/ifindex', 'utf8'));
const state = () => ({
  allmulti: (Number(readFileSync('/sys/class/net/eth0/flags', 'utf8')) & 0x200) !== 0,
  groups: readFileSync('/proc/net/dev_mcast', 'utf8').split('\\n').map((l) => l.trim().split(/\\s+/)).filter((f) => Number(f[0]) === ifindex && f[4]?.startsWith('3333ff')).map((f) => f[4]).sort(),
});
const s = new PacketSocket('eth0', { onFrame: () => {} });
const out = { start: state() };
s.joinMulticast(MAC.parse('33:33:ff:00:00:01'));
s.joinMulticast(MAC.parse('33:33:ff:00:00:02'));
out.joined = state();
s.setAllMulticast(true);
out.allOn = state();
s.leaveMulticast(MAC.parse('33:33:ff:00:00:01'));
s.setAllMulticast(false);
out.allOff = state();
s.close();
out.closed = state();
console.log(JSON.stringify(out));
`;

describe('packet socket: multicast memberships and all-multicast, on a real interface', function () {
  this.timeout(60_000);
  let topo: Topology | undefined;

  before(async function () {
    skipUnless(this, { root: true, tools: ['ip'] });
    topo = await Topology.create(uniquePrefix('mc'), [{ name: 'node1', addresses: ['192.0.2.11/24', '2001:db8::11/64'], macByte: 0x0b }]);
  });
  after(async () => {
    await topo?.destroy();
  });

  it('joins and leaves each group, and turns IFF_ALLMULTI on and off', async () => {
    const r = JSON.parse(await nsRun(topo!.ns('node1'), [process.execPath, '--input-type=module', '-e', child])) as Record<string, { allmulti: boolean; groups: string[] }>;
    const base = r['start']!.groups; // the kernel's own groups for the interface's addresses
    const without = (g: string[]) => g.filter((x) => !base.includes(x));
    assert.equal(r['start']!.allmulti, false);
    assert.deepEqual(without(r['joined']!.groups), ['3333ff000001', '3333ff000002']);
    assert.equal(r['joined']!.allmulti, false);
    assert.equal(r['allOn']!.allmulti, true, 'PACKET_MR_ALLMULTI sets IFF_ALLMULTI');
    assert.equal(r['allOff']!.allmulti, false, 'and dropping it clears it');
    assert.deepEqual(without(r['allOff']!.groups), ['3333ff000002']);
    assert.deepEqual(without(r['closed']!.groups), [], 'closing the socket leaves every group');
  });
});
