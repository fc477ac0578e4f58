// The frames a new owner sends for one IP: gratuitous ARP in both forms (request and reply, as
// RFC 5227 §3 and `arping -U`/`-A`; some hosts only honour one), or one unsolicited NA with
// Override to all-nodes (RFC 4861 §7.2.6). Pure.
import type { IP } from '@herald/shared/net';
import { gratuitousArpFrame } from '../wire/arp.js';
import type { MAC } from '../wire/ethernet.js';
import { unsolicitedNaFrame } from '../wire/ndp.js';

export function gratuitousFrames(ip: IP, mac: MAC): Buffer[] {
  if (ip.family === 4) return [gratuitousArpFrame(ip, mac, 'request'), gratuitousArpFrame(ip, mac, 'reply')];
  return [unsolicitedNaFrame(ip, mac)];
}
