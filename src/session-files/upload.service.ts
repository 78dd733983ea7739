// Server side of `steward push` / `steward collect`: new parts of session files from one machine.
// Per (machine, path) the server keeps the same checkpoint `steward import` keeps locally and runs
// the same parser from it, so an upload is read exactly as a local file would be. Idempotent: a
// chunk that starts before the stored offset is trimmed to what is new (a retry after a lost
// answer), one that starts after it is refused with the offset to resend from (a gap), and every
// fact is keyed by response_id / turn_id / (thread, ordinal) anyway.
import { ContentApplier } from '../core/content-policy.js';
import { StewardError } from '../core/errors.js';
import { fromWireLines, parseRawLines } from './adapter/lines.js';
import type { RolloutCheckpoint, RolloutEvent } from './adapter/parser.js';
import {
  UPLOAD_MAX_REJECTED,
  UploadSchema,
  type UploadFile,
  type UploadFileResult,
  type UploadResult,
} from './adapter/upload.js';
import type { Principal } from '../ingest/index.js';
import { advanceFile, findFile, type RolloutFileRow } from './files.repository.js';
import type { SessionItem } from '../core/session-items.js';
import { touchMachine } from './machines.repository.js';
import type { IngestDeps } from '../ingest/index.js';
import { addCounts, emptyCounts } from './adapter/counts.js';
import { ContentKeyer, contentItem, storeRolloutBatch } from './store.service.js';

export function parseUpload(body: unknown) {
  const r = UploadSchema.safeParse(body);
  if (!r.success) {
    const detail = r.error.issues.slice(0, 20).map((i) => ({
      loc: ['body', ...i.path.map((p) => (typeof p === 'symbol' ? String(p) : p))],
      msg: i.message,
      type: i.code,
    }));
    throw new StewardError(
      'validation',
      `invalid rollout upload: ${detail.map((d) => `${d.loc.slice(1).join('.') || '(body)'}: ${d.msg}`).join('; ')}`,
      { detail },
    );
  }
  return r.data;
}

export function machineIdOf(host: string | undefined, installationId: string | undefined): string {
  return installationId ? `codex:${installationId}` : `host:${host ?? 'unknown'}`;
}

interface Planned {
  file: UploadFile;
  row?: RolloutFileRow; // what was stored before this request
  next: RolloutFileRow; // the checkpoint after it
  result: UploadFileResult;
}

export async function ingestRolloutUpload(
  deps: IngestDeps,
  principal: Principal,
  body: unknown,
  opts: { creditsPerUsd: number; now?: number },
): Promise<UploadResult> {
  const db = deps.db;
  const upload = parseUpload(body);
  const now = opts.now ?? Date.now();
  const ws = principal.workspaceId;
  const machineId = machineIdOf(upload.host, upload.installation_id);
  await touchMachine(
    db,
    {
      workspace_id: ws,
      machine_id: machineId,
      user_id: principal.userId,
      host_name: upload.host ?? null,
      installation_id: upload.installation_id ?? null,
    },
    now,
  );
  // One memory of applied texts for the request: an item and the event it repeats are scanned once.
  const policy = new ContentApplier(await deps.policies.for(db, ws));
  const out: UploadResult = { machine_id: machineId, files: [], stored: emptyCounts() };
  const events: RolloutEvent[] = [];
  const content: SessionItem[] = [];
  const advances: Planned[] = [];
  const seen = new Set<string>();
  for (const file of upload.files) {
    if (seen.has(file.path)) throw new StewardError('invalid_request', `file ${file.path} appears twice in one upload`);
    seen.add(file.path);
    const stored = await findFile(db, ws, machineId, file.path);
    const row = file.reset ? undefined : stored;
    const baseOffset = row?.read_offset ?? 0;
    const baseLine = row?.read_lines ?? 0;
    const result: UploadFileResult = {
      path: file.path,
      status: 'stored',
      offset: baseOffset,
      line: baseLine,
      lines: 0,
      skipped: 0,
    };
    out.files.push(result);
    if (file.offset > baseOffset) {
      result.status = 'gap'; // the client must resend from our offset
      continue;
    }
    let raws = fromWireLines(file.lines, file.offset, file.line);
    if (file.offset < baseOffset) {
      const chunkEnd = raws.length ? raws[raws.length - 1]!.offset + raws[raws.length - 1]!.bytes + 1 : file.offset;
      raws = raws.filter((r) => r.offset >= baseOffset);
      if ((raws.length && raws[0]!.offset !== baseOffset) || (!raws.length && chunkEnd > baseOffset)) {
        result.status = 'conflict'; // line boundaries differ: the file changed; the client re-sends it with reset
        continue;
      }
      // Renumber: the client counted lines from its own start.
      raws = raws.map((r, i) => ({ ...r, lineNo: baseLine + 1 + i }));
    }
    if (!raws.length && !(file.final && !(row?.finalized === 1))) {
      result.status = 'duplicate';
      continue;
    }
    const checkpoint: RolloutCheckpoint | undefined = row
      ? { v: 1, offset: row.read_offset, lines: row.read_lines, state: JSON.parse(row.state) }
      : undefined;
    const { records, result: read } = parseRawLines(raws, {
      path: file.path,
      threadId: file.thread_id,
      checkpoint,
      offset: baseOffset,
      line: baseLine,
      final: file.final,
      fallbackTs: file.mtime_ms,
      content: true,
    });
    const keyer = new ContentKeyer();
    for (const r of records) {
      if (r.type === 'event') events.push(r.event);
      else if (r.type === 'content')
        content.push(contentItem(r.content, keyer.key(r.content), ws, principal.userId, machineId, policy));
    }
    result.lines = raws.length;
    result.skipped = read.stats.skippedCount;
    if (read.stats.unknownLines) result.unknown = read.stats.unknownLines;
    if (read.stats.skipped.length)
      result.rejected = read.stats.skipped
        .slice(0, UPLOAD_MAX_REJECTED)
        .map((k) => ({ line: k.line, reason: k.reason, ...(k.detail ? { detail: k.detail } : {}) }));
    result.offset = read.checkpoint.offset;
    result.line = read.checkpoint.lines;
    advances.push({
      file,
      row: stored,
      result,
      next: {
        workspace_id: ws,
        origin: machineId,
        path: file.path,
        user_id: principal.userId,
        thread_id: read.stats.threadId ?? file.thread_id ?? null,
        ino: null,
        size: file.size ?? read.checkpoint.offset,
        mtime_ms: Math.trunc(file.mtime_ms ?? now),
        read_offset: read.checkpoint.offset,
        read_lines: read.checkpoint.lines,
        head_hash: null,
        tail_hash: null,
        state: JSON.stringify(read.checkpoint.state),
        skipped: (row?.skipped ?? 0) + read.stats.skippedCount,
        finalized: file.final ? 1 : 0,
        updated_at: now,
      },
    });
  }
  // Facts and content first (idempotent), then the checkpoints: a crash in between re-reads, never loses.
  const r = await storeRolloutBatch(deps, principal, events, content, {
    hostName: upload.host,
    creditsPerUsd: opts.creditsPerUsd,
    requestMeta: { host: upload.host },
    contentApplier: policy,
  });
  addCounts(out.stored, r);
  for (const a of advances) {
    const ok = await advanceFile(db, a.next, a.row ? a.row.read_offset : null);
    if (!ok) {
      // Another upload of this file moved it first: report where it stands now.
      const cur = await findFile(db, ws, machineId, a.file.path);
      a.result.status = 'conflict';
      a.result.offset = cur?.read_offset ?? 0;
      a.result.line = cur?.read_lines ?? 0;
    }
  }
  return out;
}
