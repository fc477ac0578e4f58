// Which API an object belongs to: Herald's configuration kinds, the kinds Herald's components
// write (never configuration), MetalLB's twins of them, and the core kinds validate reads.
import { API_VERSION, GROUP } from '@herald/shared/api';

/** The kinds parseConfig reads, and the ConfigInput field each goes to. */
export const CONFIG_KINDS = {
  IPAddressPool: 'ipAddressPools',
  L2Advertisement: 'l2Advertisements',
  BGPAdvertisement: 'bgpAdvertisements',
  BGPPeer: 'bgpPeers',
  BFDProfile: 'bfdProfiles',
  Community: 'communities',
} as const;
export type ConfigKind = keyof typeof CONFIG_KINDS;

/** Kinds the components write: status, not configuration. */
export const STATUS_KINDS = ['ServiceL2Status', 'ServiceBGPStatus', 'ConfigurationState', 'BGPSessionState'] as const;

export const METALLB_GROUP = 'metallb.io';
export const METALLB_NAMESPACE = 'metallb-system';

export function isConfigKind(kind: string): kind is ConfigKind {
  return Object.hasOwn(CONFIG_KINDS, kind);
}

export type ApiClass =
  | { readonly type: 'herald-config'; readonly kind: ConfigKind }
  | { readonly type: 'herald-status' }
  | { readonly type: 'herald-bad-version' }
  | { readonly type: 'herald-unknown-kind' }
  | { readonly type: 'metallb' }
  | { readonly type: 'service' }
  | { readonly type: 'secret' }
  | { readonly type: 'other' };

export function classify(apiVersion: string, kind: string): ApiClass {
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  if (group === GROUP) {
    const known = isConfigKind(kind) || (STATUS_KINDS as readonly string[]).includes(kind);
    if (!known) return { type: 'herald-unknown-kind' };
    if (apiVersion !== API_VERSION) return { type: 'herald-bad-version' };
    if (isConfigKind(kind)) return { type: 'herald-config', kind };
    return { type: 'herald-status' };
  }
  if (group === METALLB_GROUP) return { type: 'metallb' };
  if (apiVersion === 'v1' && kind === 'Service') return { type: 'service' };
  if (apiVersion === 'v1' && kind === 'Secret') return { type: 'secret' };
  return { type: 'other' };
}
