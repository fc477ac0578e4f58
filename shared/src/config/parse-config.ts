// The set of Herald objects -> one immutable, validated Config, or the list of every error.
// Pure: no clock, no I/O. Deterministic: objects are taken in name order.
import { DEFAULT_NAMESPACE } from '../api/constants.js';
import { checkLocalPrefs, parseBGPAdvertisement, parseL2Advertisement, type AdContext, type ParsedBGPAdvertisement } from './advertisements.js';
import { parseAliases } from './aliases.js';
import { parseBFDProfile } from './bfd.js';
import type { ConfigInput } from './input.js';
import { Issues } from './issues.js';
import type { BFDProfile, BGPPeer, Config, ConfigResult, L2Advertisement, Pool } from './model.js';
import { objectsOf } from './names.js';
import { checkDuplicatePeers, parsePeer, type ParsedPeer } from './peers.js';
import { checkOverlaps, parsePool, type ParsedPool } from './pools.js';
import { isObject, type JSONObject } from './read.js';

function secretsByName(list: readonly unknown[] | undefined, namespace: string): Map<string, JSONObject> | undefined {
  if (list === undefined) return undefined;
  const out = new Map<string, JSONObject>();
  for (const s of list) {
    const meta = isObject(s) ? s['metadata'] : undefined;
    if (!isObject(s) || !isObject(meta) || typeof meta['name'] !== 'string') continue;
    const ns = meta['namespace'];
    if (typeof ns === 'string' && ns !== '' && ns !== namespace) continue;
    out.set(meta['name'], s);
  }
  return out;
}

export function parseConfig(input: ConfigInput): ConfigResult {
  const namespace = input.namespace ?? DEFAULT_NAMESPACE;
  const issues = new Issues();

  const bfdObjects = objectsOf('BFDProfile', input.bfdProfiles, namespace, issues);
  const bfdProfiles = new Map<string, BFDProfile>();
  for (const o of bfdObjects) {
    const p = parseBFDProfile(o);
    if (p) bfdProfiles.set(p.name, p);
  }

  const poolObjects = objectsOf('IPAddressPool', input.ipAddressPools, namespace, issues);
  const parsedPools: ParsedPool[] = poolObjects.map(parsePool);
  checkOverlaps(parsedPools);
  const pools = new Map<string, Pool>(parsedPools.filter((p) => p.valid).map((p) => [p.pool.name, p.pool]));

  const peerObjects = objectsOf('BGPPeer', input.bgpPeers, namespace, issues);
  const peerCtx = { namespace, bfdProfiles: new Set(bfdObjects.map((o) => o.name)), secrets: secretsByName(input.secrets, namespace) };
  const parsedPeers: ParsedPeer[] = [];
  for (const o of peerObjects) {
    const p = parsePeer(o, peerCtx);
    if (p) parsedPeers.push(p);
  }
  checkDuplicatePeers(parsedPeers);
  const peers = new Map<string, BGPPeer>(parsedPeers.map((p) => [p.peer.name, p.peer]));

  const aliases = parseAliases(objectsOf('Community', input.communities, namespace, issues));
  const adCtx: AdContext = { poolObjects, pools, aliases, peerNames: new Set(peerObjects.map((o) => o.name)) };

  const l2Advertisements: L2Advertisement[] = [];
  for (const o of objectsOf('L2Advertisement', input.l2Advertisements, namespace, issues)) {
    const a = parseL2Advertisement(o, adCtx);
    if (a) l2Advertisements.push(a);
  }
  const parsedBGP: ParsedBGPAdvertisement[] = [];
  for (const o of objectsOf('BGPAdvertisement', input.bgpAdvertisements, namespace, issues)) {
    const a = parseBGPAdvertisement(o, adCtx);
    if (a) parsedBGP.push(a);
  }
  checkLocalPrefs(parsedBGP, pools);

  if (issues.errors.length > 0) return Object.freeze({ ok: false, errors: Object.freeze([...issues.errors]) });
  const config: Config = Object.freeze({
    pools,
    l2Advertisements: Object.freeze(l2Advertisements),
    bgpAdvertisements: Object.freeze(parsedBGP.map((a) => a.ad)),
    peers,
    bfdProfiles,
  });
  return Object.freeze({ ok: true, config });
}
