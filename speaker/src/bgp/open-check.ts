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

/** The restart time we advertise when the config gives none (MetalLB's FRR default, 120 s). */
export const GR_RESTART_TIME_S = 120;

/**
 * Our OPEN. `restarting`: the Restart State bit (RFC 4724 §4.1), set until a session of this
 * process has been established (FsmState.wasEstablished).
 */
export function buildOpen(cfg: FsmConfig, opts: { restarting?: boolean } = {}): OpenMessage {
  const caps: Capability[] = [
    ...cfg.families.map((f): Capability => ({ type: 'multiprotocol', afi: f.afi, safi: f.safi })),
    { type: 'route-refresh' },
    { type: 'four-octet-as', asn: cfg.localAS },
  ];
  if (cfg.gracefulRestart) {
    // F set for every family: what forwards our routes' traffic (the node's kernel, kube-proxy)
    // is not the speaker and survives its restart (README design notes, RFC 4724 §4.1). Routers
    // keep a restarting peer's stale routes only for families with F set (§4.2).
    caps.push({
      type: 'graceful-restart',
      restarting: opts.restarting ?? false,
      restartTime: Math.min(4095, cfg.restartTimeS ?? GR_RESTART_TIME_S),
      families: cfg.families.map((f) => ({ afi: f.afi, safi: f.safi, forwardingPreserved: true })),
    });
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
  const gr = open.capabilities.find((c) => c.type === 'graceful-restart');
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
      ...(gr?.type === 'graceful-restart' ? { peerGracefulRestart: { restarting: gr.restarting, restartTimeS: gr.restartTime, families: gr.families } } : {}),
      peerOpen: open,
    },
  };
}
