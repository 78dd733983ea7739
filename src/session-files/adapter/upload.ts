// The body of POST /v1/ingest/rollouts: new parts of session files from one machine, as lines
// (see lines.ts). JSON, optionally gzip-compressed. Validated at the boundary; nothing `any` past it.
import { z } from 'zod';
import type { StoredCounts } from './counts.js';
import { UPLOAD_MAX_FILES } from './upload-limits.js';

export { UPLOAD_MAX_FILES };

// PostgreSQL text cannot hold NUL: a path or host with one failed the whole upload with a 500.
const text = (max: number) =>
  z
    .string()
    .max(max)
    .refine((v) => !v.includes('\u0000'), { message: 'must not contain NUL characters' });

export const WireLineSchema = z.strictObject({
  n: z.number().int().min(0),
  t: z.string().optional(),
  h: z.string().optional(),
  b: z.literal(1).optional(),
});

export const UploadFileSchema = z.strictObject({
  // The file on the client machine: with the machine, its identity.
  path: text(4096).refine((v) => v.length > 0, { message: 'must not be empty' }),
  thread_id: text(200).optional(),
  offset: z.number().int().min(0), // byte offset of the first line
  line: z.number().int().min(0), // lines before it
  lines: z.array(WireLineSchema),
  reset: z.boolean().optional(), // the file was replaced or rewritten: read it again from 0
  final: z.boolean().optional(), // the file is complete (idle): emit what waits for more lines
  mtime_ms: z.number().optional(),
  size: z.number().int().min(0).optional(),
});

export const UploadSchema = z.strictObject({
  host: text(255).optional(),
  installation_id: text(200).optional(), // $CODEX_HOME/installation_id
  files: z.array(UploadFileSchema).max(UPLOAD_MAX_FILES),
});

export type UploadFile = z.infer<typeof UploadFileSchema>;

/** Per-file answer: where the server's reading of the file now stands. */
export interface UploadFileResult {
  path: string;
  status: 'stored' | 'duplicate' | 'gap' | 'conflict';
  offset: number; // the server's offset after this request: the client resumes here
  line: number;
  lines: number; // lines read from this request
  skipped: number; // bad lines among them
  // Lines of a type Steward does not know: kept (content records) and counted, not skipped. Absent
  // from servers older than this field.
  unknown?: number;
  // The first of them (at most UPLOAD_MAX_REJECTED per file), each with its reason: e.g. a token
  // count that is not a plausible integer (decisions/0012).
  rejected?: { line: number; reason: string; detail?: string }[];
}

export const UPLOAD_MAX_REJECTED = 100;

export interface UploadResult {
  machine_id: string;
  files: UploadFileResult[];
  stored: StoredCounts;
}
