// BGPPeer -> BGPPeer model: ASNs, addresses, timers, password (inline or from a Secret),
// BFD profile reference, eBGP multihop, and the duplicate-session check.
import { IP } from '../net/index.js';
import type { Scope } from './issues.js';
import type { BGPPeer } from './model.js';
import type { RawObject } from './names.js';
import { isObject, optBool, optInt, optObject, optString, show, type JSONObject } from './read.js';
import { selectorList } from './selector-list.js';
import { parseTimers } from './timers.js';

const U32 = 4294967295;
/** Linux TCP_MD5SIG_MAXKEYLEN. */
const MD5_MAX_KEY = 80;

export interface PeerContext {
  readonly namespace: string;
  readonly bfdProfiles: ReadonlySet<string>;
  /** Secrets of Herald's namespace by name. */
  /** undefined: this component does not read Secrets (the controller); passwords are not resolved. */
  readonly secrets: ReadonlyMap<string, JSONObject> | undefined;
}

export interface ParsedPeer {
  readonly peer: BGPPeer;
  readonly vrf: string;
  readonly scope: Scope;
}

function ip(o: JSONObject, key: string, scope: Scope, required: boolean): IP | undefined {
  const f = `spec.${key}`;
  const s = optString(o, key, f, scope);
  if (s === undefined || s === '') {
    if (required) scope.error(f, 'required');
    return undefined;
  }
  const v = IP.tryParse(s);
  if (!v) scope.error(f, `invalid IP address ${JSON.stringify(s)}`);
  return v;
}

function asn(o: JSONObject, key: string, scope: Scope): number | undefined {
  if (o[key] === undefined || o[key] === null) {
    scope.error(`spec.${key}`, 'required');
    return undefined;
  }
  return optInt(o, key, `spec.${key}`, scope, 1, U32);
}

export function parsePeer(o: RawObject, ctx: PeerContext): ParsedPeer | undefined {
  const { spec, scope } = o;
  const before = scope.count;
  const myASN = asn(spec, 'myASN', scope);
  const peerASN = asn(spec, 'peerASN', scope);
  const peerAddress = ip(spec, 'peerAddress', scope, true);
  const sourceAddress = ip(spec, 'sourceAddress', scope, false);
  if (peerAddress && sourceAddress && peerAddress.family !== sourceAddress.family) {
    scope.error('spec.sourceAddress', `${sourceAddress.toString()} is not of the family of peerAddress ${peerAddress.toString()}`);
  }
  const routerID = ip(spec, 'routerID', scope, false);
  if (routerID && routerID.family !== 4) scope.error('spec.routerID', `must be an IPv4 address (a BGP identifier), not ${routerID.toString()}`);
  const peerPort = optInt(spec, 'peerPort', 'spec.peerPort', scope, 1, 65535) ?? 179;
  const timers = parseTimers(spec, scope);
  const nodeSelectors = selectorList(spec, 'nodeSelectors', 'spec.nodeSelectors', scope);
  const ebgpMultiHop = optBool(spec, 'ebgpMultiHop', 'spec.ebgpMultiHop', scope) ?? false;
  const enableGracefulRestart = optBool(spec, 'enableGracefulRestart', 'spec.enableGracefulRestart', scope) ?? false;
  // Passive sessions (the router connects in) are not supported: the speaker only connects out.
  // The field is in the CRD so that setting it is an error here, not silently pruned away.
  if (optBool(spec, 'passive', 'spec.passive', scope) === true) {
    scope.error('spec.passive', "passive sessions are not supported: Herald's speaker always connects to the peer (configure the router to accept, e.g. BIRD 'passive on', FRR 'neighbor X passive')");
  }
  const vrf = optString(spec, 'vrf', 'spec.vrf', scope) ?? '';
  const isIBGP = myASN !== undefined && myASN === peerASN;
  if (isIBGP && ebgpMultiHop) scope.error('spec.ebgpMultiHop', 'must not be set on an iBGP peer (myASN equals peerASN)');
  const bfdProfile = optString(spec, 'bfdProfile', 'spec.bfdProfile', scope) || undefined;
  if (bfdProfile !== undefined && !ctx.bfdProfiles.has(bfdProfile)) {
    scope.error('spec.bfdProfile', `BFDProfile ${JSON.stringify(bfdProfile)} does not exist`);
  }
  const password = parsePassword(spec, scope, ctx);
  if (scope.count !== before || myASN === undefined || peerASN === undefined || !peerAddress || !timers) return undefined;
  const peer: BGPPeer = Object.freeze({
    name: o.name,
    myASN,
    peerASN,
    peerAddress,
    peerPort,
    sourceAddress,
    ...timers,
    routerID,
    nodeSelectors: Object.freeze(nodeSelectors),
    password,
    bfdProfile,
    ebgpMultiHop,
    enableGracefulRestart,
    isIBGP,
  });
  return { peer, vrf, scope };
}

function checkPassword(p: string, field: string, scope: Scope): string | undefined {
  if (/[\r\n]/.test(p)) scope.error(field, 'the password must not contain line breaks');
  else if (Buffer.byteLength(p) > MD5_MAX_KEY) scope.error(field, `the password is longer than ${MD5_MAX_KEY} bytes (the TCP MD5 key limit)`);
  else return p;
  return undefined;
}

function parsePassword(spec: JSONObject, scope: Scope, ctx: PeerContext): string | undefined {
  const inline = optString(spec, 'password', 'spec.password', scope) || undefined;
  const ref = optObject(spec, 'passwordSecret', 'spec.passwordSecret', scope);
  const refName = ref ? optString(ref, 'name', 'spec.passwordSecret.name', scope) || undefined : undefined;
  if (inline !== undefined && refName !== undefined) {
    scope.error('spec.passwordSecret', 'password and passwordSecret are mutually exclusive');
    return undefined;
  }
  if (inline !== undefined) return checkPassword(inline, 'spec.password', scope);
  if (!ref || refName === undefined) return undefined;
  const refNs = optString(ref, 'namespace', 'spec.passwordSecret.namespace', scope) || ctx.namespace;
  const secretText = `Secret ${refNs}/${refName}`;
  if (refNs !== ctx.namespace) {
    scope.error('spec.passwordSecret.namespace', `${secretText} is outside Herald's namespace ${ctx.namespace}`);
    return undefined;
  }
  if (ctx.secrets === undefined) return undefined;
  const secret = ctx.secrets.get(refName);
  if (!secret) {
    scope.error('spec.passwordSecret', `${secretText} does not exist`);
    return undefined;
  }
  if (secret['type'] !== 'kubernetes.io/basic-auth') {
    scope.error('spec.passwordSecret', `${secretText} must be of type kubernetes.io/basic-auth, not ${show(secret['type'])}`);
    return undefined;
  }
  const data = secret['data'];
  const b64 = isObject(data) ? data['password'] : undefined;
  if (typeof b64 !== 'string') {
    scope.error('spec.passwordSecret', `${secretText} has no "password" key`);
    return undefined;
  }
  return checkPassword(Buffer.from(b64, 'base64').toString('utf8'), 'spec.passwordSecret', scope);
}

/**
 * Two peers are one session twice if they share peerAddress, peerPort, sourceAddress and vrf on
 * nodes that may overlap: either one selects every node, or both select by the same selectors.
 * (Without the node list, differently written selectors are taken as disjoint.)
 */
export function checkDuplicatePeers(peers: readonly ParsedPeer[]): void {
  const byKey = new Map<string, ParsedPeer[]>();
  for (const p of peers) {
    const k = `${p.peer.peerAddress.key}|${p.peer.peerPort}|${p.peer.sourceAddress?.key ?? ''}|${p.vrf}`;
    const group = byKey.get(k) ?? [];
    for (const q of group) {
      if (selectorsMayOverlap(p.peer, q.peer)) {
        p.scope.error('spec.peerAddress', `duplicate of BGPPeer ${JSON.stringify(q.peer.name)}: same peerAddress, peerPort, sourceAddress and vrf on the same nodes`);
        break;
      }
    }
    group.push(p);
    byKey.set(k, group);
  }
}

function selectorsMayOverlap(a: BGPPeer, b: BGPPeer): boolean {
  const all = (p: BGPPeer): boolean => p.nodeSelectors.length === 0 || p.nodeSelectors.some((s) => s.text === '');
  if (all(a) || all(b)) return true;
  const ta = a.nodeSelectors.map((s) => s.text);
  return b.nodeSelectors.some((s) => ta.includes(s.text));
}
