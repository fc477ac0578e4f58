// STOPGAP until the lead wires `export * from './membership/index.js'` into speaker/src/index.ts:
// the membership module, loaded next to @herald/speaker's entry point, with its types from the
// built declarations. Then replace this body with `export * from '@herald/speaker'`.
import type * as SpeakerMembership from '../../../speaker/dist/src/membership/index.js';

export type { LivenessView, Members, MemberFacts } from '../../../speaker/dist/src/membership/index.js';
export const membership = (await import(new URL('./membership/index.js', import.meta.resolve('@herald/speaker')).href)) as typeof SpeakerMembership;
