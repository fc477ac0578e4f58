// Public API of the speaker's reconcile shell.
export { Speaker, RECONCILE_KEY, type SpeakerOptions } from './speaker.js';
export { SpeakerReconciler, type Snapshot, type StatusWriter, type ReconcilerOptions } from './reconciler.js';
export { BgpSessions, type BgpSessionsOptions, type SessionView, type SessionError } from './bgp-sessions.js';
export { membershipPort, StaticMembership } from './membership-port.js';
export type { L2Sink, BgpSessionLike, SessionFactory, MembershipPort } from './ports.js';
