// ARP for IPv4 over Ethernet (RFC 826), including the gratuitous forms (RFC 5227 §3): a request
// or reply whose sender and target protocol addresses are both the announced IP. Pure.
import { IP } from '@herald/shared/net';
import { Cursor, WireError } from './cursor.js';
import { EtherType, MAC, encodeEthernet } from './ethernet.js';

export const ARP_LEN = 28;
const HTYPE_ETHERNET = 1;

export type ArpOp = 'request' | 'reply';

export interface ArpPacket {
  readonly op: ArpOp;
  readonly senderMac: MAC;
  readonly senderIp: IP;
  readonly targetMac: MAC;
  readonly targetIp: IP;
}

/** Decodes the ARP payload of an Ethernet frame. Trailing Ethernet padding is ignored. */
export function decodeArp(payload: Uint8Array): ArpPacket {
  const c = Cursor.of(payload, 'ARP');
  const htype = c.u16();
  if (htype !== HTYPE_ETHERNET) throw new WireError({ type: 'unsupported', what: 'ARP hardware type', value: htype });
  const ptype = c.u16();
  if (ptype !== EtherType.IPv4) throw new WireError({ type: 'unsupported', what: 'ARP protocol type', value: ptype });
  const hlen = c.u8();
  if (hlen !== 6) throw new WireError({ type: 'bad-length', what: 'ARP hardware address length', value: hlen });
  const plen = c.u8();
  if (plen !== 4) throw new WireError({ type: 'bad-length', what: 'ARP protocol address length', value: plen });
  const opcode = c.u16();
  if (opcode !== 1 && opcode !== 2) throw new WireError({ type: 'unsupported', what: 'ARP opcode', value: opcode });
  const senderMac = MAC.fromBytes(c.bytes(6));
  const senderIp = IP.fromBytes(c.bytes(4));
  const targetMac = MAC.fromBytes(c.bytes(6));
  const targetIp = IP.fromBytes(c.bytes(4));
  return { op: opcode === 1 ? 'request' : 'reply', senderMac, senderIp, targetMac, targetIp };
}

export function encodeArp(p: ArpPacket): Buffer {
  if (p.senderIp.family !== 4 || p.targetIp.family !== 4) throw new Error('ARP carries IPv4 addresses only');
  const out = Buffer.alloc(ARP_LEN);
  out.writeUInt16BE(HTYPE_ETHERNET, 0);
  out.writeUInt16BE(EtherType.IPv4, 2);
  out[4] = 6;
  out[5] = 4;
  out.writeUInt16BE(p.op === 'request' ? 1 : 2, 6);
  p.senderMac.copyTo(out, 8);
  p.senderIp.toBytes().copy(out, 14);
  p.targetMac.copyTo(out, 18);
  p.targetIp.toBytes().copy(out, 24);
  return out;
}

/** True for a gratuitous ARP (announcement): sender and target IP are the same. */
export function isGratuitous(p: ArpPacket): boolean {
  return p.senderIp.equals(p.targetIp);
}

/** The reply frame answering `req` for its target IP, from `mac` (unicast to the asker). */
export function arpReplyFrame(req: ArpPacket, mac: MAC, vlan?: number): Buffer {
  const reply: ArpPacket = { op: 'reply', senderMac: mac, senderIp: req.targetIp, targetMac: req.senderMac, targetIp: req.senderIp };
  return encodeEthernet({ dst: req.senderMac, src: mac, etherType: EtherType.ARP, payload: encodeArp(reply), ...(vlan === undefined ? {} : { vlan }) });
}

/**
 * A gratuitous ARP frame for ip at mac, broadcast. The request form has target MAC
 * ff:ff:ff:ff:ff:ff and the reply form the sender's own MAC, as iputils `arping -U` / `-A` send.
 */
export function gratuitousArpFrame(ip: IP, mac: MAC, form: ArpOp): Buffer {
  const p: ArpPacket = { op: form, senderMac: mac, senderIp: ip, targetMac: form === 'request' ? MAC.broadcast : mac, targetIp: ip };
  return encodeEthernet({ dst: MAC.broadcast, src: mac, etherType: EtherType.ARP, payload: encodeArp(p) });
}
