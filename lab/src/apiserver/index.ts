// The embedded Kubernetes API server of the lab.
export { startApiServer, type ApiServer, type ApiServerOptions, type ApiServerStorage, type RequestRecord } from './server.js';
export type { StateWriterOptions, StateWriterStats } from './state-writer.js';
export { readStateFile, removeJournal, listSegments, segmentPath, type StateFile } from './persist.js';
export { kubeconfigYaml } from './kubeconfig.js';
export { restartApiServer, type RestartResult } from './restart.js';
export { parseLabelSelector, matchLabels, parseFieldSelector, matchFields, SelectorError } from './selectors.js';
export { mergePatch, jsonPatch, strategicMerge, PatchError } from './patch.js';
export { applySchema } from './schema.js';
export { ApiError, statusBody } from './status.js';
export { Registry, type ResourceInfo } from './registry.js';
export type { SnapshotLimits } from './snapshots.js';
export type { ForcedRejections, InflightStats, Rejection, TooManyForm } from './inflight.js';
