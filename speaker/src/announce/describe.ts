// Reasons as text, for Events and logs. Pure; the values stay the source of truth.
import type { IP } from '@herald/shared/net';
import type { IneligibleReason } from '../eligibility/index.js';
import type { BgpVerdict, L2Verdict, NotOwnerCause } from './types.js';

export function describeIneligible(node: string, r: IneligibleReason): string {
  switch (r.type) {
    case 'not-live':
      return `${node} is not a live speaker (left, fenced or unreachable)`;
    case 'node-not-ready':
      return `${node} is not Ready`;
    case 'excluded-by-label':
      return `${node} is labelled node.kubernetes.io/exclude-from-external-load-balancers`;
    case 'network-unavailable':
      return `${node} has NetworkUnavailable`;
    case 'no-advertisement':
      return r.pool === undefined ? 'the IP is in no pool' : `no advertisement covers pool ${r.pool}`;
    case 'node-not-selected':
      return `${node} is not selected by the nodeSelectors of ${r.advertisements.join(', ')}`;
    case 'no-ready-endpoints':
      return 'the service has no ready endpoint';
    case 'no-local-endpoints':
      return `${node} has no ready local endpoint (externalTrafficPolicy: Local)`;
  }
}

function describeCause(c: NotOwnerCause): string {
  switch (c) {
    case 'preference':
      return 'preferredNodeSelectors rank it higher';
    case 'hash':
      return 'it ranks first by hash';
    case 'shared-ip-coverage':
      return 'it is eligible for more of the services sharing the IP';
  }
}

export function describeL2(node: string, v: L2Verdict): string {
  switch (v.type) {
    case 'owner':
      return `${node} announces ${v.ip.toString()}`;
    case 'not-owner':
      return `${v.owner} announces ${v.ip.toString()}: ${describeCause(v.cause)}`;
    case 'ineligible':
      return describeIneligible(node, v.reason);
  }
}

export function describeBgp(node: string, v: BgpVerdict): string {
  switch (v.type) {
    case 'advertised':
      return `${node} advertises ${v.prefixes.map(String).join(', ')} to ${v.peers.join(', ')}`;
    case 'no-peer':
      return `${node} has no session with a peer of ${v.advertisements.join(', ')}`;
    case 'ineligible':
      return describeIneligible(node, v.reason);
  }
}

/**
 * The Event message when an IP's L2 owner changes: "announced from node2 (was node1): node1 is
 * not Ready". `oldVerdict` is the old owner's verdict now (undefined: it is no longer a node).
 */
export function ownerChangeMessage(ip: IP, owner: string | undefined, was: string | undefined, oldVerdict: L2Verdict | undefined): string {
  const why = was === undefined ? '' : `: ${oldVerdict ? describeL2(was, oldVerdict) : `${was} is gone`}`;
  if (owner === undefined) return `${ip.toString()} is announced by no node (was ${was ?? 'none'})${why}`;
  if (was === undefined) return `${ip.toString()} announced from ${owner}`;
  return `${ip.toString()} announced from ${owner} (was ${was})${why}`;
}
