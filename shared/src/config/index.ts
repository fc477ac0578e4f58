export * from './model.js';
export * from './input.js';
export * from './parse-config.js';
export { parseLabelSelector, labelKeyProblem, labelValueProblem, EVERYTHING, type SelectorResult, type FieldProblem } from './selector.js';
export { parseDuration, formatDuration } from './duration.js';
export { parseCommunityLiteral, resolveCommunity, formatCommunity, WELL_KNOWN_COMMUNITIES, type CommunityResult } from './community.js';
