// The session-file adapter's public entry: the parser (parser/), reading files (read.ts) and the
// types of what they produce. Importers outside the adapter use this file, lines.ts and upload.ts.
export type * from './types.js';
export { isRolloutFileName, threadIdFromFileName } from './decode.js';
export { collectRollout, findRolloutFiles, iterateRollout, parseRolloutFile, type ReadOptions } from './read.js';
export { DEFAULT_MAX_TOOL_OUTPUT_BYTES, INHERIT_GAP_MS, RolloutParser, type ParserOptions } from './parser/parser.js';
export { RECORD_VERSION } from './parser/threads.js';
