// Drivers for real BGP routers (BIRD 2, FRR, GoBGP) in network namespaces.
export * from './types.js';
export { poll, PollTimeout } from './poll.js';
export { BirdRouter, birdConfig } from './bird.js';
export { FrrRouter, frrBgpdConfig } from './frr.js';
export { GobgpRouter, gobgpConfig } from './gobgp.js';
export { frrBfddConfig, birdBfdConfig, parseFrrBfdPeers, parseBirdBfdSessions, type RouterBfdSession, type RouterBfdState } from './bfd.js';
export { parseBirdProtocols, parseBirdRoutes } from './bird-parse.js';
export { parseFrrNeighbors, parseFrrPrefixDetail, parseFrrTablePrefixes } from './frr-parse.js';
export { parseGobgpNeighbors, parseGobgpRib } from './gobgp-parse.js';

import { BirdRouter } from './bird.js';
import { FrrRouter } from './frr.js';
import { GobgpRouter } from './gobgp.js';
import type { RouterDriver, RouterKind, RouterSpec } from './types.js';

export function createRouter(kind: RouterKind, spec: RouterSpec): RouterDriver {
  switch (kind) {
    case 'bird':
      return new BirdRouter(spec);
    case 'frr':
      return new FrrRouter(spec);
    case 'gobgp':
      return new GobgpRouter(spec);
  }
}
