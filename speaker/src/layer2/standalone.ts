// A standalone L2 responder for tests and benchmarks (not the speaker): run inside a network
// namespace, it elects the owner of each given IP among the given live nodes (the same pure
// election every speaker runs), answers ARP/NDP for the IPs this node owns, and sends the
// takeover burst. Membership comes from stdin lines `nodes a,b,c`; each change is answered
// with one JSON line on stdout: {"event":"owned","node":..,"mac":..,"owned":[..]}.
//   node standalone.js --node node1 --nodes node1,node2,node3 --ips 203.0.113.1,2001:db8::1
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { createLogger, parseLogLevel } from '@herald/shared/log';
import { IP } from '@herald/shared/net';
import { ownedBy } from '../election/index.js';
import { PacketSocket, readLinkAddress } from '../sys/packet-socket.js';
import { L2Announcer } from './announcer.js';
import { L2Tally } from './tally.js';
import { listLinks } from './links.js';

const { values } = parseArgs({
  options: {
    node: { type: 'string' },
    nodes: { type: 'string' },
    ips: { type: 'string' },
    interface: { type: 'string', default: 'eth0' },
    'log-level': { type: 'string', default: 'warn' },
  },
});
if (!values.node || !values.nodes || !values.ips) {
  process.stderr.write('usage: standalone.js --node NAME --nodes a,b,c --ips ip,ip [--interface eth0]\n');
  process.exit(2);
}
const me = values.node;
const ips = values.ips.split(',').map((s) => IP.parse(s));
const iface = values.interface;
const log = createLogger({ component: 'l2-standalone', level: parseLogLevel(values['log-level']), fields: { node: me } });
const announcer = new L2Announcer({
  counters: new L2Tally(),
  logger: log,
  listLinks: () => listLinks().filter((l) => l.name === iface),
  openConn: (name, onFrame) => new PacketSocket(name, { onFrame, onError: (err) => log.error('l2-read-failed', { iface: name, err }) }),
});

function apply(nodes: string[]): void {
  const owned = ownedBy(me, ips, () => nodes.map((name) => ({ name, labels: {} })));
  announcer.setOwned(owned.map((ip) => ({ ip, interfaces: [] })));
  const line = { event: 'owned', node: me, mac: readLinkAddress(iface).mac.toString(), interfaces: announcer.interfaces(), owned: owned.map(String) };
  process.stdout.write(JSON.stringify(line) + '\n');
}

announcer.start();
apply(values.nodes.split(','));
createInterface({ input: process.stdin }).on('line', (l) => {
  const m = /^nodes (.*)$/.exec(l.trim());
  if (m) apply(m[1]!.split(',').filter(Boolean));
});
const stop = (): void => {
  announcer.stop();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
