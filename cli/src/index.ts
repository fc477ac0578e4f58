// Public API of @herald/cli (what tests use): the command line, and its pure cores.
export { run, buildProgram, type Io } from './main.js';
export { validate, type ValidateResult, type LiveObjects } from './validate/validate.js';
export { migrate, renderDocuments, formatRefusal, type Refusal } from './migrate/migrate.js';
export { parseDocuments, readDocuments, type SourcedDocument } from './objects/read-objects.js';
export type { Snapshot } from './cluster/snapshot.js';
