// Public API of the L2 election.
export { compareRanked, elect, firstLive, outrankedBy, ownedBy, preferenceScore, rank, type Candidate, type Election, type Ineligible, type NotChosen, type Ranked } from './elect.js';
export { ipWords, nodeKey, pairHash, rendezvousHash } from './hash.js';
