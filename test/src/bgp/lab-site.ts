// The shared site for the BGP interop suites: a router and three nodes on one bridge, plus the
// router loopback (198.51.100.1) that node3 reaches through the router for the multihop cell,
// and a client whose default route is the router.
import { Topology, nsRun, uniquePrefix } from '@herald/lab';

export async function createBgpSite(tag: string): Promise<Topology> {
  const topo = await Topology.create(uniquePrefix(tag), [
    { name: 'router', addresses: ['192.0.2.1/24', '2001:db8::1/64'], macByte: 1, router: true },
    { name: 'node1', addresses: ['192.0.2.11/24', '192.0.2.21/24', '192.0.2.31/24', '2001:db8::11/64'], macByte: 11 },
    { name: 'node2', addresses: ['192.0.2.12/24', '2001:db8::12/64'], macByte: 12 },
    { name: 'node3', addresses: ['192.0.2.13/24', '192.0.2.23/24', '192.0.2.33/24', '2001:db8::13/64'], macByte: 13 },
    { name: 'client', addresses: ['192.0.2.100/24'], macByte: 100 },
  ]);
  try {
    await nsRun(topo.ns('router'), ['ip', 'addr', 'add', '198.51.100.1/32', 'dev', 'lo']);
    await nsRun(topo.ns('node3'), ['ip', 'route', 'add', '198.51.100.1/32', 'via', '192.0.2.1', 'src', '192.0.2.23']);
    // The client reaches Service IPs through the router (and so through its ECMP route).
    await nsRun(topo.ns('client'), ['ip', 'route', 'add', 'default', 'via', '192.0.2.1']);
  } catch (err) {
    await topo.destroy();
    throw err;
  }
  return topo;
}
