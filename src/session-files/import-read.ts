// One session file of `steward import`, read into write-ready batches: the parser from the file's
// checkpoint, its content records as session items (content policy and DLP applied) and its events
// through the ingest pipeline, so that what is left for the store's thread is the transaction
// (decisions/0048). The same code runs on the reader threads (import-read.worker.ts) and, for a
// small import, on the main thread.
import { ContentApplier, type ContentPolicy } from '../core/content-policy.js';
import type { SessionItem } from '../core/session-items.js';
import { contentHashesSync } from './adapter/content-check.js';
import { isGzipPath } from './adapter/lines.js';
import {
  iterateRollout,
  iterateRolloutSync,
  type RolloutCheckpoint,
  type RolloutEvent,
  type RolloutRecord,
  type RolloutStats,
} from './adapter/parser.js';
import { runPipeline, type Principal, type Redacted } from '../ingest/index.js';
import { ContentKeyer, contentItem } from './store.service.js';

/** What every file of one import shares (sent to each reader thread once). */
export interface ReadEnv {
  principal: Principal;
  origin: string;
  hostName?: string;
  creditsPerUsd: number;
  // The workspace's policy when the import started: items and events of the whole import follow it.
  policy: ContentPolicy;
  // A batch is cut at this many events + items, or this many bytes of item bodies.
  batchRows: number;
  batchBytes: number;
}

export interface ReadTask {
  id: number;
  path: string;
  checkpoint?: RolloutCheckpoint;
  final: boolean;
  // The stored content check, when the file is known unchanged up to the checkpoint (an idle file
  // only being finalized): kept as it is unless the read moves the offset.
  hashes?: FileHashes;
}

export interface FileHashes {
  head: string | null;
  tail: string | null;
}

export interface ReadBatch {
  events: Redacted[];
  items: SessionItem[];
  rows: number;
  bytes: number;
}

export interface ReadDone {
  stats: RolloutStats;
  checkpoint: RolloutCheckpoint;
  hashes: FileHashes;
}

// An event's weight in a batch's bytes: its JSON is a few hundred bytes; items carry the texts.
const EVENT_BYTES = 512;

/** Reads one file from its checkpoint: yields its batches in file order, returns its end. */
export async function* readFileBatches(
  task: ReadTask,
  env: ReadEnv,
  applier: ContentApplier,
): AsyncGenerator<ReadBatch, ReadDone, undefined> {
  const keyer = new ContentKeyer();
  const { principal, origin } = env;
  let events: RolloutEvent[] = [];
  let items: SessionItem[] = [];
  let bytes = 0;
  const cut = (): ReadBatch => {
    const { events: prepared } = runPipeline(
      events.map((event, index) => ({ index, event })),
      principal,
      {
        source: 'rollout',
        hostName: env.hostName,
        creditsPerUsd: env.creditsPerUsd,
        // A local import's principal is its owner, never a shared collector that names users by email.
        userIdForEmail: () => undefined,
        contentPolicy: env.policy,
        contentApplier: applier,
      },
    );
    const b = { events: prepared, items, rows: prepared.length + items.length, bytes };
    // The memory of applied texts serves one batch: an item and the event that repeats its text.
    applier.clear();
    events = [];
    items = [];
    bytes = 0;
    return b;
  };
  // The first and last pieces read: the content check hashes them without reading the file again.
  const pieces: { bytes: Buffer; start: number }[] = [];
  const onBytes = (chunk: Buffer, start: number) => {
    if (pieces.length < 2) pieces.push({ bytes: chunk, start });
    else pieces[1] = { bytes: chunk, start };
  };
  const opts = { checkpoint: task.checkpoint, final: task.final, content: true };
  const records: Iterable<RolloutRecord> | AsyncIterable<RolloutRecord> = isGzipPath(task.path)
    ? iterateRollout(task.path, opts)
    : iterateRolloutSync(task.path, { ...opts, onBytes });
  let end: Omit<ReadDone, 'hashes'> | undefined;
  for await (const r of records) {
    if (r.type === 'event') {
      events.push(r.event);
      bytes += EVENT_BYTES;
    } else if (r.type === 'content') {
      const item = contentItem(
        r.content,
        keyer.key(r.content),
        principal.workspaceId,
        principal.userId,
        origin,
        applier,
      );
      items.push(item);
      bytes += item.bytes;
    } else end = r.result;
    if (events.length + items.length >= env.batchRows || bytes >= env.batchBytes) yield cut();
  }
  if (!end) throw new Error('the parser ended without a result');
  if (events.length || items.length) yield cut();
  const moved = end.checkpoint.offset !== task.checkpoint?.offset;
  const hashes = task.hashes && !moved ? task.hashes : contentHashesSync(task.path, end.checkpoint.offset, pieces);
  return { ...end, hashes };
}

export const newApplier = (env: ReadEnv): ContentApplier => new ContentApplier(env.policy);
