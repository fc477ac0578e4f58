// Public API of the L2 half of the speaker.
export { L2Announcer, type AnnouncerOptions, type OwnedIP } from './announcer.js';
export { respond, dropLabel, type ResponderContext, type ResponderOutcome, type IgnoreReason, type DropReason, type L2Protocol } from './responder.js';
export { gratuitousFrames } from './gratuitous.js';
export { selectInterfaces, containerPrefixes, type LinkState, type InterfaceRejection, type InterfaceSelection } from './interfaces.js';
export { listLinks } from './links.js';
export { L2Metrics } from './metrics.js';
export { PacketSocket, readLinkAddress, ARP_AND_NS_FILTER, PacketSocketError, type PacketConn, type PacketSocketOptions } from '../sys/packet-socket.js';
export { MAC } from '../wire/ethernet.js';
