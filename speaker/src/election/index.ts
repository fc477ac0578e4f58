// Public API of the L2 election.
export { elect, ownedBy, preferenceScore, type Candidate, type Election, type Ineligible, type NotChosen } from './elect.js';
export { rendezvousHash } from './hash.js';
