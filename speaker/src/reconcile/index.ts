// Public API of the speaker's reconcile shell.
export { Speaker, type SpeakerOptions } from './speaker.js';
export { SpeakerReconciler, type ReconcilerOptions, type PassResult } from './reconciler.js';
export { BgpSessions, type BgpSessionsOptions, type SessionView, type SessionError } from './bgp-sessions.js';
export { StaticMembership } from './membership-port.js';
export type { L2Port, BgpSessionLike, SessionFactory, MembershipPort } from './ports.js';
