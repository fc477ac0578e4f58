// STOPGAP until the lead wires the package entry points: @herald/speaker does not yet export
// its BGP API, nor @herald/lab its router drivers. Asked for (final report):
//   speaker/src/index.ts: export * as bgp from './bgp/index.js'; export * as bgpWire from './wire/bgp/index.js';
//   lab/src/index.ts:     export * from './routers/index.js';
// Until then: types from the built declarations, values loaded next to each package's entry
// point. Replace this file's body with plain imports from '@herald/speaker' / '@herald/lab'.
import type * as LabRouters from '../../../lab/dist/src/routers/index.js';
import type * as SpeakerBgp from '../../../speaker/dist/src/bgp/index.js';
import type * as SpeakerBgpWire from '../../../speaker/dist/src/wire/bgp/index.js';

export type { RouterDriver, RouterKind, RouterSpec, RibRoute, RouterSession } from '../../../lab/dist/src/routers/index.js';
export type { Advertisement, SessionStatus } from '../../../speaker/dist/src/bgp/index.js';

export const routers = (await import(new URL('./routers/index.js', import.meta.resolve('@herald/lab')).href)) as typeof LabRouters;
export const speakerBgp = (await import(new URL('./bgp/index.js', import.meta.resolve('@herald/speaker')).href)) as typeof SpeakerBgp;
export const bgpWire = (await import(new URL('./wire/bgp/index.js', import.meta.resolve('@herald/speaker')).href)) as typeof SpeakerBgpWire;
