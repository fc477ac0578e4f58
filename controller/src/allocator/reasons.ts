// Why an allocation failed, or why an existing one was cleared. Values, not strings: the
// reconciler puts `reasonMessage` in Events and in the Service's condition, and tests assert the
// value itself.
import { familyName, type Family, type IP } from '@herald/shared/net';

export type SharingConflict = 'different-key' | 'port-conflict' | 'backend-mismatch';

export type AllocationReason =
  /** No pool may serve this Service automatically (all pinned elsewhere, or autoAssign off). */
  | { readonly type: 'no-pool-matches' }
  | { readonly type: 'pool-not-found'; readonly pool: string }
  /** The pool's serviceAllocation does not admit this Service. */
  | { readonly type: 'pool-not-allowed'; readonly pool: string; readonly why: 'namespace' | 'service-selector' }
  /** The candidate pools have the families but no free address in them. */
  | { readonly type: 'pool-exhausted'; readonly pools: readonly string[]; readonly families: readonly Family[] }
  /** None of the candidate pools has addresses of the family this Service needs. */
  | { readonly type: 'family-unavailable'; readonly pools: readonly string[]; readonly families: readonly Family[] }
  /** RequireDualStack, and no candidate pool has both families. */
  | { readonly type: 'dual-stack-unavailable'; readonly pools: readonly string[] }
  | {
      readonly type: 'requested-ips-invalid';
      readonly ips: readonly IP[];
      readonly why: 'too-many' | 'same-family' | 'family-mismatch' | 'dual-stack-required';
    }
  | {
      readonly type: 'requested-ip-not-in-pool';
      readonly ips: readonly IP[];
      readonly pool: string | undefined;
      readonly why: 'no-pool' | 'not-in-requested-pool' | 'span-pools' | 'buggy-ip-avoided';
    }
  /** The IP is held by a Service that does not share (or this one does not). */
  | { readonly type: 'requested-ip-in-use'; readonly ip: IP; readonly by: string }
  | { readonly type: 'sharing-incompatible'; readonly ip: IP; readonly with: string; readonly why: SharingConflict }
  // Reasons an existing allocation is cleared:
  /** After a pool edit, no pool covers the IPs any more. */
  | { readonly type: 'no-longer-in-pool'; readonly ips: readonly IP[]; readonly pool: string }
  | { readonly type: 'requested-ips-changed'; readonly ips: readonly IP[] }
  | { readonly type: 'requested-pool-changed'; readonly pool: string; readonly from: string }
  | { readonly type: 'ip-family-changed'; readonly families: readonly Family[] };

export type AllocationReasonType = AllocationReason['type'];

const list = (ips: readonly IP[]): string => ips.map((ip) => ip.toString()).join(', ');
const fams = (fs: readonly Family[]): string => fs.map((f) => familyName[f]).join(' and ');
const pools = (ps: readonly string[]): string => (ps.length === 0 ? 'no pool' : ps.map((p) => `"${p}"`).join(', '));

function invalidRequestMessage(
  ips: readonly IP[],
  why: 'too-many' | 'same-family' | 'family-mismatch' | 'dual-stack-required',
): string {
  switch (why) {
    case 'too-many':
      return `requested IPs ${list(ips)}: at most one IPv4 and one IPv6 address`;
    case 'same-family':
      return `requested IPs ${list(ips)}: two addresses of the same family`;
    case 'family-mismatch':
      return `requested IPs ${list(ips)} do not match the service's ipFamilies`;
    case 'dual-stack-required':
      return `requested IPs ${list(ips)}: RequireDualStack needs one IPv4 and one IPv6 address`;
  }
}

function notInPoolMessage(
  ips: readonly IP[],
  pool: string | undefined,
  why: 'no-pool' | 'not-in-requested-pool' | 'span-pools' | 'buggy-ip-avoided',
): string {
  switch (why) {
    case 'no-pool':
      return `requested IP ${list(ips)} is in no address pool`;
    case 'not-in-requested-pool':
      return `requested IP ${list(ips)} is not in the requested pool "${pool ?? ''}"`;
    case 'span-pools':
      return `requested IPs ${list(ips)} are not all in one pool`;
    case 'buggy-ip-avoided':
      return `requested IP ${list(ips)} ends in .0 or .255 and pool "${pool ?? ''}" has avoidBuggyIPs`;
  }
}

/** One sentence for an Event or a condition message. */
export function reasonMessage(r: AllocationReason): string {
  switch (r.type) {
    case 'no-pool-matches':
      return 'no address pool can serve this service automatically (pinned to other namespaces or services, or autoAssign is off); set the address-pool annotation or request an IP';
    case 'pool-not-found':
      return `address pool "${r.pool}" does not exist`;
    case 'pool-not-allowed':
      return r.why === 'namespace'
        ? `address pool "${r.pool}" is reserved for other namespaces (serviceAllocation)`
        : `address pool "${r.pool}" serves only services matching its serviceSelectors`;
    case 'pool-exhausted':
      return `no free ${fams(r.families)} address in ${pools(r.pools)}`;
    case 'family-unavailable':
      return `no candidate pool has ${fams(r.families)} addresses (tried ${pools(r.pools)})`;
    case 'dual-stack-unavailable':
      return `RequireDualStack needs a pool with both IPv4 and IPv6 addresses (tried ${pools(r.pools)})`;
    case 'requested-ips-invalid':
      return invalidRequestMessage(r.ips, r.why);
    case 'requested-ip-not-in-pool':
      return notInPoolMessage(r.ips, r.pool, r.why);
    case 'requested-ip-in-use':
      return `requested IP ${r.ip.toString()} is in use by ${r.by} and the two services do not both allow sharing`;
    case 'sharing-incompatible': {
      const why =
        r.why === 'different-key'
          ? 'the sharing keys differ'
          : r.why === 'port-conflict'
            ? 'a protocol/port is used by both'
            : 'their backends differ (externalTrafficPolicy or, with Local, the selector)';
      return `IP ${r.ip.toString()} cannot be shared with ${r.with}: ${why}`;
    }
    case 'no-longer-in-pool':
      return `IP ${list(r.ips)} is no longer in any address pool (was in "${r.pool}")`;
    case 'requested-ips-changed':
      return r.ips.length === 0 ? 'the requested IPs were removed' : `the requested IPs changed to ${list(r.ips)}`;
    case 'requested-pool-changed':
      return `the requested pool changed to "${r.pool}" (the IP was from "${r.from}")`;
    case 'ip-family-changed':
      return `the assigned addresses do not match the service's IP families (${fams(r.families)})`;
  }
  return r satisfies never;
}
