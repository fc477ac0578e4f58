// Building our OPEN and checking the peer's (RFC 4271 §6.2, RFC 6793, RFC 4760, RFC 6286).
import {
  AS_TRANS,
  ErrorCode,
  OpenSubcode,
  type AddressFamily,
  type Capability,
  type OpenMessage,
} from '../wire/bgp/index.js';
import type { FsmConfig, Negotiated } from './fsm-types.js';

export function buildOpen(cfg: FsmConfig): OpenMessage {
  const caps: Capability[] = [
    ...cfg.families.map((f): Capability => ({ type: 'multiprotocol', afi: f.afi, safi: f.safi })),
    { type: 'route-refresh' },
    { type: 'four-octet-as', asn: cfg.localAS },
  ];
  if (cfg.gracefulRestart) {
    // Capability only: we restart with no preserved forwarding state (behaviour comes later).
    caps.push({ type: 'graceful-restart', restarting: false, restartTime: 120, families: [] });
  }
  return {
    type: 'open',
    version: 4,
    myAS: cfg.localAS > 0xffff ? AS_TRANS : cfg.localAS,
    holdTime: cfg.holdTime,
    routerId: cfg.routerId,
    capabilities: caps,
  };
}

export type OpenCheck =
  | { readonly ok: true; readonly negotiated: Negotiated }
  | { readonly ok: false; readonly code: number; readonly subcode: number; readonly why: string; readonly data?: Buffer };

function sameFamily(a: AddressFamily, b: AddressFamily): boolean {
  return a.afi === b.afi && a.safi === b.safi;
}

export function checkOpen(cfg: FsmConfig, open: OpenMessage): OpenCheck {
  const four = open.capabilities.find((c) => c.type === 'four-octet-as');
  const peerAS = four?.type === 'four-octet-as' ? four.asn : open.myAS;
  if (peerAS !== cfg.peerAS) {
    return { ok: false, code: ErrorCode.openMessage, subcode: OpenSubcode.badPeerAS, why: `peer AS ${peerAS}, want ${cfg.peerAS}` };
  }
  if (open.holdTime === 1 || open.holdTime === 2) {
    return { ok: false, code: ErrorCode.openMessage, subcode: OpenSubcode.unacceptableHoldTime, why: `hold time ${open.holdTime}` };
  }
  if (open.routerId.value === 0n) {
    return { ok: false, code: ErrorCode.openMessage, subcode: OpenSubcode.badBgpIdentifier, why: 'router ID 0.0.0.0' };
  }
  if (cfg.peerAS === cfg.localAS && open.routerId.equals(cfg.routerId)) {
    return { ok: false, code: ErrorCode.openMessage, subcode: OpenSubcode.badBgpIdentifier, why: `iBGP peer has our router ID ${cfg.routerId.toString()}` };
  }
  const peerFamilies = open.capabilities.flatMap((c) => (c.type === 'multiprotocol' ? [{ afi: c.afi, safi: c.safi }] : []));
  // A peer with no multiprotocol capability speaks IPv4 unicast only (RFC 4760 §8).
  const theirs = peerFamilies.length ? peerFamilies : [{ afi: 1, safi: 1 }];
  const families = cfg.families.filter((f) => theirs.some((t) => sameFamily(f, t)));
  if (families.length === 0) {
    const data = Buffer.concat(
      cfg.families.map((f) => Buffer.from([1, 4, f.afi >> 8, f.afi & 0xff, 0, f.safi])),
    );
    return { ok: false, code: ErrorCode.openMessage, subcode: OpenSubcode.unsupportedCapability, why: 'no address family in common', data };
  }
  const holdTime = Math.min(cfg.holdTime, open.holdTime);
  const keepaliveTime = holdTime === 0 ? 0 : Math.max(1, Math.min(cfg.keepaliveTime || Math.floor(holdTime / 3), Math.floor(holdTime / 3)));
  return {
    ok: true,
    negotiated: {
      peerAS,
      peerRouterId: open.routerId,
      holdTime,
      keepaliveTime,
      fourOctetAs: four !== undefined,
      routeRefresh: open.capabilities.some((c) => c.type === 'route-refresh'),
      families,
      peerOpen: open,
    },
  };
}
