// Public API of the L2 election.
export { compareRanked, elect, firstLive, outrankedBy, ownedBy, preferenceScore, rank, type Candidate, type Election, type Ineligible, type NotChosen, type Ranked } from './elect.js';
export { candidateGroup, groupProblem, GroupInterner, MAX_GROUP_SIZE, sameGroup, type CandidateGroup, type GroupProblem } from './candidate-group.js';
export { familySeed, ipWords, mixedHash, mixK, nodeKey, nodeSeed, pairHash, rendezvousHash, seededHash } from './hash.js';
export { bestOf, exhausted, pickOwner, TOP_K, topK } from './top-k.js';
