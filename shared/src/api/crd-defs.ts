// The one source of truth for Herald's CRDs: each kind's structural schema, printer columns,
// names and categories. `make crds` renders these into config/crd/*.yaml.
import { arr, bool, duration, int, labelSelector, obj, selectors, str, type JSONSchema } from './schema.js';

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description?: string;
  priority?: number;
}

export interface CRDDef {
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  description: string;
  spec: JSONSchema | undefined;
  status: JSONSchema | undefined;
  printerColumns: PrinterColumn[];
}

const U32 = 4294967295;
const age: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };
const poolRefs = arr('Names of the IPAddressPools this advertisement covers.', { type: 'string' });
const poolSelectors = selectors('IPAddressPools whose labels match any of these are covered too. With neither list, every pool is.');
const nodeSelectors = selectors('Only nodes matching any of these take part. Empty: every node.');
const serviceSelectors = selectors('Only Services matching any of these. Empty: every Service.');
const count = (what: string): JSONSchema => int(what, { format: 'int64', minimum: 0 });

const ipAddressPool: CRDDef = {
  kind: 'IPAddressPool',
  plural: 'ipaddresspools',
  singular: 'ipaddresspool',
  shortNames: ['hpool'],
  description: 'A set of IP addresses that Herald hands out to LoadBalancer Services.',
  spec: obj(
    'The addresses and who may use them.',
    {
      addresses: arr(
        'CIDRs (192.0.2.0/28, 2001:db8::/120) or ranges (192.0.2.10-192.0.2.20). IPv4 and IPv6 may be mixed (a dual-stack pool).',
        { type: 'string', minLength: 1 },
        { minItems: 1 },
      ),
      autoAssign: bool('Hand out addresses automatically; false: only on request by annotation or loadBalancerIP.', { default: true }),
      avoidBuggyIPs: bool('Skip IPv4 addresses ending in .0 or .255.', { default: false }),
      serviceAllocation: obj('Pin the pool to namespaces or Services.', {
        priority: int('Lower is tried first among pinned pools.', { format: 'int32', minimum: 0 }),
        namespaces: arr('Namespaces that may use the pool.', { type: 'string' }),
        namespaceSelectors: selectors('Namespaces with matching labels may use the pool.'),
        serviceSelectors: selectors('Services with matching labels may use the pool.'),
      }),
    },
    ['addresses'],
  ),
  status: obj('How much of the pool is in use.', {
    assignedIPv4: count('IPv4 addresses assigned to Services.'),
    assignedIPv6: count('IPv6 addresses assigned to Services.'),
    availableIPv4: count('IPv4 addresses still free.'),
    availableIPv6: count('IPv6 addresses still free (capped at 2^63-1).'),
  }),
  printerColumns: [
    { name: 'Auto Assign', type: 'boolean', jsonPath: '.spec.autoAssign' },
    { name: 'Avoid Buggy IPs', type: 'boolean', jsonPath: '.spec.avoidBuggyIPs' },
    { name: 'Addresses', type: 'string', jsonPath: '.spec.addresses' },
    { name: 'Assigned IPv4', type: 'integer', jsonPath: '.status.assignedIPv4', priority: 1 },
    { name: 'Available IPv4', type: 'integer', jsonPath: '.status.availableIPv4', priority: 1 },
    { name: 'Assigned IPv6', type: 'integer', jsonPath: '.status.assignedIPv6', priority: 1 },
    { name: 'Available IPv6', type: 'integer', jsonPath: '.status.availableIPv6', priority: 1 },
    age,
  ],
};

const l2Advertisement: CRDDef = {
  kind: 'L2Advertisement',
  plural: 'l2advertisements',
  singular: 'l2advertisement',
  shortNames: ['hl2adv'],
  description: 'Announce the IPs of some pools in layer 2 mode (ARP / NDP).',
  spec: obj('Which pools, from which nodes, on which interfaces.', {
    ipAddressPools: poolRefs,
    ipAddressPoolSelectors: poolSelectors,
    nodeSelectors,
    interfaces: arr('Interfaces to answer on. Empty: every suitable interface.', { type: 'string', pattern: '^[^\\s/:]{1,15}$' }),
    serviceSelectors,
    preferredNodeSelectors: arr(
      'Nodes matching these rank first in the election; a node scores the sum of the weights it matches.',
      obj(
        'A weighted node preference.',
        { weight: int('Weight of this preference.', { format: 'int32', minimum: 1, maximum: 100 }), preference: labelSelector('The nodes preferred.') },
        ['weight', 'preference'],
      ),
    ),
  }),
  status: undefined,
  printerColumns: [
    { name: 'IPAddressPools', type: 'string', jsonPath: '.spec.ipAddressPools' },
    { name: 'IPAddressPool Selectors', type: 'string', jsonPath: '.spec.ipAddressPoolSelectors' },
    { name: 'Interfaces', type: 'string', jsonPath: '.spec.interfaces' },
    { name: 'Node Selectors', type: 'string', jsonPath: '.spec.nodeSelectors', priority: 10 },
    age,
  ],
};

const bgpAdvertisement: CRDDef = {
  kind: 'BGPAdvertisement',
  plural: 'bgpadvertisements',
  singular: 'bgpadvertisement',
  shortNames: ['hbgpadv'],
  description: 'Advertise the IPs of some pools over BGP.',
  spec: obj('Which pools, how aggregated, with which attributes, to which peers.', {
    aggregationLength: int('Prefix length IPv4 addresses are rolled up to.', { format: 'int32', minimum: 0, maximum: 32, default: 32 }),
    aggregationLengthV6: int('Prefix length IPv6 addresses are rolled up to.', { format: 'int32', minimum: 0, maximum: 128, default: 128 }),
    localPref: int('LOCAL_PREF sent to iBGP peers.', { format: 'int64', minimum: 0, maximum: U32 }),
    communities: arr('Communities: AA:NN, large:A:B:C, a well-known name (no-export, ...) or the name of a Community alias.', {
      type: 'string',
      minLength: 1,
    }),
    ipAddressPools: poolRefs,
    ipAddressPoolSelectors: poolSelectors,
    nodeSelectors,
    peers: arr('Names of the BGPPeers to advertise to. Empty: every peer.', { type: 'string' }),
    serviceSelectors,
    weightByLocalEndpoints: bool(
      'Weighted ECMP: attach the BGP Link Bandwidth extended community (draft-ietf-idr-link-bandwidth) with 1 Mbps per ready local endpoint, for externalTrafficPolicy Local Services. Needs aggregationLength 32 and aggregationLengthV6 128.',
      { default: false },
    ),
  }),
  status: undefined,
  printerColumns: [
    { name: 'IPAddressPools', type: 'string', jsonPath: '.spec.ipAddressPools' },
    { name: 'IPAddressPool Selectors', type: 'string', jsonPath: '.spec.ipAddressPoolSelectors' },
    { name: 'Peers', type: 'string', jsonPath: '.spec.peers' },
    { name: 'Node Selectors', type: 'string', jsonPath: '.spec.nodeSelectors', priority: 10 },
    age,
  ],
};

const bgpPeer: CRDDef = {
  kind: 'BGPPeer',
  plural: 'bgppeers',
  singular: 'bgppeer',
  shortNames: ['hpeer'],
  description: 'A BGP router that the speakers peer with.',
  spec: obj(
    'The session.',
    {
      myASN: int('Our AS number.', { format: 'int64', minimum: 1, maximum: U32 }),
      peerASN: int("The peer's AS number; equal to myASN for iBGP.", { format: 'int64', minimum: 1, maximum: U32 }),
      peerAddress: str('The address to connect to.', { minLength: 1 }),
      peerPort: int('The TCP port to connect to.', { format: 'int32', minimum: 1, maximum: 65535, default: 179 }),
      sourceAddress: str('The local address to connect from.'),
      holdTime: duration('Requested hold time: 0 or at least 3s. Default 90s (or 3 x keepaliveTime).'),
      keepaliveTime: duration('Keepalive interval, at most holdTime. Default holdTime / 3.'),
      connectTime: duration('Time between connection attempts, 1s..65535s.', { default: '120s' }),
      routerID: str('BGP identifier (dotted quad). Default: the node address.'),
      nodeSelectors,
      password: str('TCP MD5 password, in clear. Prefer passwordSecret.'),
      passwordSecret: obj('A Secret of type kubernetes.io/basic-auth in Herald\'s namespace; its "password" key is the TCP MD5 password.', {
        name: str('Secret name.'),
        namespace: str("Secret namespace; must be Herald's."),
      }, [], { 'x-kubernetes-map-type': 'atomic' }),
      bfdProfile: str('The BFDProfile to run on the session.'),
      ebgpMultiHop: bool('The eBGP peer is more than one hop away.', { default: false }),
      enableGracefulRestart: bool('Graceful restart (RFC 4724): the router keeps forwarding on our routes while the speaker restarts (crash, SIGKILL; restart time 120 s). A SIGTERM still withdraws them first.', { default: false }),
      passive: bool('Not supported: the speaker always connects to the peer. true is a configuration error.'),
      vrf: str('VRF to establish the session from (empty: the default table).'),
    },
    ['myASN', 'peerASN', 'peerAddress'],
  ),
  status: undefined,
  printerColumns: [
    { name: 'Address', type: 'string', jsonPath: '.spec.peerAddress' },
    { name: 'ASN', type: 'integer', jsonPath: '.spec.peerASN' },
    { name: 'BFD Profile', type: 'string', jsonPath: '.spec.bfdProfile' },
    { name: 'Multi Hops', type: 'boolean', jsonPath: '.spec.ebgpMultiHop' },
    age,
  ],
};

const ms = (what: string, def: number): JSONSchema => int(`${what}, in milliseconds.`, { format: 'int32', minimum: 10, maximum: 60000, default: def });

const bfdProfile: CRDDef = {
  kind: 'BFDProfile',
  plural: 'bfdprofiles',
  singular: 'bfdprofile',
  shortNames: ['hbfd'],
  description: 'BFD settings that BGPPeers can refer to.',
  spec: obj('BFD timers and modes.', {
    receiveInterval: ms('Minimum interval between received control packets', 300),
    transmitInterval: ms('Minimum interval between sent control packets', 300),
    detectMultiplier: int('Missed packets before the session is declared down.', { format: 'int32', minimum: 2, maximum: 255, default: 3 }),
    echoInterval: ms('Echo packet interval', 50),
    echoMode: bool('Send echo packets.', { default: false }),
    passiveMode: bool('Wait for the peer to start the session.', { default: false }),
    minimumTtl: int('Lowest TTL accepted on multihop sessions.', { format: 'int32', minimum: 1, maximum: 254, default: 254 }),
  }),
  status: undefined,
  printerColumns: [
    { name: 'Passive Mode', type: 'boolean', jsonPath: '.spec.passiveMode' },
    { name: 'Transmit Interval', type: 'integer', jsonPath: '.spec.transmitInterval' },
    { name: 'Receive Interval', type: 'integer', jsonPath: '.spec.receiveInterval' },
    { name: 'Multiplier', type: 'integer', jsonPath: '.spec.detectMultiplier' },
    age,
  ],
};

const community: CRDDef = {
  kind: 'Community',
  plural: 'communities',
  singular: 'community',
  shortNames: ['hcomm'],
  description: 'Named aliases for BGP communities, usable in BGPAdvertisements.',
  spec: obj('The aliases.', {
    communities: arr(
      'Aliases; names are unique across all Community objects.',
      obj('One alias.', {
        name: str('The alias.', { minLength: 1 }),
        value: str('AA:NN (16-bit halves) or large:A:B:C (32-bit parts).', { pattern: '^([0-9]+:[0-9]+|large:[0-9]+:[0-9]+:[0-9]+)$' }),
      }, ['name', 'value']),
    ),
  }),
  status: undefined,
  printerColumns: [age],
};

const serviceStatus = (what: string, extra: Record<string, JSONSchema>): JSONSchema =>
  obj(what, {
    node: str('The announcing node.'),
    serviceName: str('The Service.'),
    serviceNamespace: str("The Service's namespace."),
    ...extra,
  });

const serviceL2Status: CRDDef = {
  kind: 'ServiceL2Status',
  plural: 'servicel2statuses',
  singular: 'servicel2status',
  shortNames: ['hl2st'],
  description: 'Written by speakers: which node announces a Service in layer 2 mode, on which interfaces.',
  spec: obj('Empty.', {}),
  status: serviceStatus('The announcement.', {
    interfaces: arr('Interfaces the IPs are announced on.', obj('An interface.', { name: str('Interface name.') }, ['name'])),
  }),
  printerColumns: [
    { name: 'Allocated Node', type: 'string', jsonPath: '.status.node' },
    { name: 'Service Name', type: 'string', jsonPath: '.status.serviceName' },
    { name: 'Service Namespace', type: 'string', jsonPath: '.status.serviceNamespace' },
    age,
  ],
};

const serviceBGPStatus: CRDDef = {
  kind: 'ServiceBGPStatus',
  plural: 'servicebgpstatuses',
  singular: 'servicebgpstatus',
  shortNames: ['hbgpst'],
  description: 'Written by speakers: which node advertises a Service over BGP, to which peers.',
  spec: obj('Empty.', {}),
  status: serviceStatus('The advertisement.', {
    peers: arr('Names of the BGPPeers the Service is advertised to.', { type: 'string' }),
  }),
  printerColumns: [
    { name: 'Node', type: 'string', jsonPath: '.status.node' },
    { name: 'Service Name', type: 'string', jsonPath: '.status.serviceName' },
    { name: 'Service Namespace', type: 'string', jsonPath: '.status.serviceNamespace' },
    age,
  ],
};

const configurationState: CRDDef = {
  kind: 'ConfigurationState',
  plural: 'configurationstates',
  singular: 'configurationstate',
  shortNames: ['hcfgst'],
  description: 'Written by each component: is the config it runs valid, and if not, why (the last good config stays in force).',
  spec: obj('Empty.', {}),
  status: obj('The verdict.', {
    result: str('Valid, Invalid or Unknown.', { enum: ['Valid', 'Invalid', 'Unknown'] }),
    errorSummary: str('The errors, one per line: kind namespace/name field: problem.'),
    component: str('controller or speaker.'),
    node: str('For a speaker, its node.'),
    lastTransitionTime: str('When result last changed.', { format: 'date-time' }),
  }),
  printerColumns: [
    { name: 'Result', type: 'string', jsonPath: '.status.result' },
    { name: 'Component', type: 'string', jsonPath: '.status.component' },
    { name: 'Node', type: 'string', jsonPath: '.status.node' },
    { name: 'Errors', type: 'string', jsonPath: '.status.errorSummary', priority: 1 },
    age,
  ],
};

const bgpSessionState: CRDDef = {
  kind: 'BGPSessionState',
  plural: 'bgpsessionstates',
  singular: 'bgpsessionstate',
  shortNames: ['hbgpsess'],
  description: "Written by speakers: the state of one node's BGP session with one BGPPeer (one object per node and peer).",
  spec: obj('Empty.', {}),
  status: obj('The session.', {
    node: str('The node whose speaker holds the session.'),
    peer: str('The BGPPeer.'),
    peerAddress: str("The peer's address."),
    state: str('BGP FSM state (RFC 4271).', { enum: ['Idle', 'Connect', 'Active', 'OpenSent', 'OpenConfirm', 'Established'] }),
    establishedAt: str('When the session reached Established; absent while it is not.', { format: 'date-time' }),
    prefixesSent: count('Prefixes advertised to the peer.'),
    prefixesReceived: count('Prefixes the peer announced (counted, never installed).'),
    updatesSent: count('UPDATE messages sent in the current session.'),
    lastError: str('Why the session last went down or could not come up, e.g. "hold timer expired".'),
    lastTransitionTime: str('When state last changed.', { format: 'date-time' }),
    bfdState: str("The BFD session's state (RFC 5880), when the BGPPeer has a bfdProfile.", { enum: ['AdminDown', 'Down', 'Init', 'Up'] }),
  }),
  printerColumns: [
    { name: 'Node', type: 'string', jsonPath: '.status.node' },
    { name: 'Peer', type: 'string', jsonPath: '.status.peer' },
    { name: 'State', type: 'string', jsonPath: '.status.state' },
    { name: 'BFD', type: 'string', jsonPath: '.status.bfdState', description: 'BFD session state, with a bfdProfile.' },
    { name: 'Established', type: 'date', jsonPath: '.status.establishedAt', description: 'Uptime of the session.' },
    { name: 'Prefixes', type: 'integer', jsonPath: '.status.prefixesSent', description: 'Prefixes sent.' },
    { name: 'Last Error', type: 'string', jsonPath: '.status.lastError' },
    { name: 'Address', type: 'string', jsonPath: '.status.peerAddress', priority: 1 },
    { name: 'Received', type: 'integer', jsonPath: '.status.prefixesReceived', priority: 1 },
    age,
  ],
};

/** Every CRD, in a fixed order. */
export const CRD_DEFS: readonly CRDDef[] = [
  ipAddressPool,
  l2Advertisement,
  bgpAdvertisement,
  bgpPeer,
  bfdProfile,
  community,
  serviceL2Status,
  serviceBGPStatus,
  configurationState,
  bgpSessionState,
];

export const CATEGORIES = ['herald'];

