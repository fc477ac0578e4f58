// The membership API the e2e suites use, from @herald/speaker's entry point.
import { membership as m } from '@herald/speaker';

export type LivenessView = m.LivenessView;
export type Members = m.Members;
export type MemberFacts = m.MemberFacts;
export const membership = m;
