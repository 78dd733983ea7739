// The session-file adapter's public entry: the parser (parser/), reading files (read.ts) and the
// types of what they produce. Importers outside the adapter use this file, lines.ts and upload.ts.
export type * from './types.js';
export {
  collectRollout,
  findRolloutFiles,
  iterateRollout,
  iterateRolloutSync,
  readRolloutSync,
  type ReadOptions,
  type ReadScratch,
} from './read.js';
export { MAX_UNKNOWN_TYPES } from './parser/context.js';
