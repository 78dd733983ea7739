// Forwards every workspace's chain to one SIEM sink: at least once, in seq order, from a cursor
// kept in the database. A batch is sent until the sink accepts it (exponential backoff up to
// retry_max_ms, forever: a receiver down for ten minutes loses nothing); the cursor moves only
// after acceptance, so a crash or restart resends at most the unacknowledged batch (receivers
// deduplicate by record id). Records a receiver refuses for good are split out, counted and kept
// as dead letters so they never block the stream.
import os from 'node:os';
import crypto from 'node:crypto';
import type { SinkConfig } from '../../config/compliance.schema.js';
import { recordLine } from '../../core/compliance-record-line.js';
import type { Db } from '../../platform/storage/database.js';
import { getHead, listChainWorkspaces, listRecords } from '../chain/chain.repository.js';
import {
  acquireSinkLease,
  advanceSinkCheckpoints,
  advanceSinkCursor,
  insertDeadLetters,
  noteSinkError,
  releaseSinkLease,
  sinkCheckpointSeq,
} from './sinks.repository.js';
import { listCheckpointsBetween } from '../chain/integrity.repository.js';
import type { Checkpoint } from '../../core/compliance.js';
import type { Sink, SinkRecord } from './types.js';

export interface Logger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface ForwarderOptions {
  pollMs?: number; // idle wait between looks for new records
  leaseMs?: number;
  owner?: string;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });

export class SinkForwarder {
  private readonly abort = new AbortController();
  private running?: Promise<void>;
  private readonly owner: string;
  private readonly pollMs: number;
  private readonly leaseMs: number;
  private readonly types: Set<string> | null;
  private backoffMs = 0;

  constructor(
    private readonly db: Db,
    private readonly sink: Sink,
    private readonly cfg: SinkConfig,
    private readonly log: Logger,
    opts: ForwarderOptions = {},
  ) {
    this.owner = opts.owner ?? `${os.hostname()}:${process.pid}:${crypto.randomBytes(4).toString('hex')}`;
    this.pollMs = opts.pollMs ?? 1000;
    this.leaseMs = opts.leaseMs ?? 30_000;
    this.types = cfg.event_types ? new Set(cfg.event_types) : null;
  }

  start(): void {
    this.running ??= this.loop().catch((err) =>
      this.log.error({ err, sink: this.sink.name }, 'compliance forwarder stopped'),
    );
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
    await this.sink.close();
  }

  private get stopped() {
    return this.abort.signal.aborted;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      let busy = false;
      try {
        for (const ws of await listChainWorkspaces(this.db)) {
          if (this.stopped) break;
          busy = (await this.pump(ws)) || busy;
        }
      } catch (err) {
        this.log.warn({ err, sink: this.sink.name }, 'compliance forwarder: storage error; retrying');
        await sleep(this.pollMs * 5, this.abort.signal);
      }
      if (!busy) await sleep(this.pollMs, this.abort.signal);
    }
    for (const ws of await listChainWorkspaces(this.db).catch(() => []))
      await releaseSinkLease(this.db, this.sink.name, ws, this.owner).catch(() => {});
  }

  // Sends the next batch of one workspace; true when there was something to do.
  private async pump(workspaceId: string): Promise<boolean> {
    const cursor = await acquireSinkLease(this.db, this.sink.name, workspaceId, this.owner, Date.now(), this.leaseMs);
    if (cursor === undefined) return false;
    const head = await getHead(this.db, workspaceId);
    if (!head || head.seq <= cursor) return this.pumpCheckpoints(workspaceId, cursor);
    const until = Math.min(head.seq, cursor + this.cfg.batch_size);
    const rows = await listRecords(this.db, workspaceId, cursor, until);
    if (!rows.length) {
      // A gap in seq (records deleted behind our back): nothing to send in this window.
      await advanceSinkCursor(this.db, this.sink.name, workspaceId, this.owner, until, 0, 0, Date.now());
      return true;
    }
    const batch: SinkRecord[] = rows
      .filter((r) => !this.types || this.types.has(r.event_type))
      .map((rec) => ({ rec, line: recordLine(rec) }));
    const dead: { rec: SinkRecord; error: string }[] = [];
    if (batch.length) {
      const delivered = await this.deliver(batch, dead);
      if (!delivered) return false; // stopping: the cursor stays, the batch is sent again later
    }
    const lastSeq = until; // everything in the window was delivered or is not for this sink
    const now = Date.now();
    if (dead.length) await this.keepDeadLetters(workspaceId, dead, 'record(s)', now);
    await advanceSinkCursor(
      this.db,
      this.sink.name,
      workspaceId,
      this.owner,
      lastSeq,
      batch.length - dead.length,
      dead.length,
      now,
    );
    return true;
  }

  // Signed checkpoints as events of their own (event_type STEWARD_CHECKPOINT), each once the records
  // it seals were delivered: the sink holds every head the chain was signed at, so a chain cut from
  // the tail with its later checkpoints deleted no longer matches what the sink holds. Every sink
  // gets them, whatever its event-type filter. true when there was something to do.
  private async pumpCheckpoints(workspaceId: string, deliveredSeq: number): Promise<boolean> {
    const after = await sinkCheckpointSeq(this.db, this.sink.name, workspaceId);
    const rows = await listCheckpointsBetween(this.db, workspaceId, after, deliveredSeq, this.cfg.batch_size);
    if (!rows.length) return false;
    const batch: SinkRecord[] = rows.map((row) => {
      const cp = JSON.parse(row.body) as Checkpoint;
      const rec = {
        workspace_id: workspaceId,
        seq: cp.seq,
        id: `checkpoint-${cp.key_id}-${cp.seq}`,
        event_type: 'STEWARD_CHECKPOINT',
        ts: row.signed_at,
        recorded_at: cp.recorded_at,
        user_id: null,
        thread_id: null,
        content: row.body,
        content_sha256: '',
        prev_hash: '',
        hash: cp.hash,
      };
      return {
        rec,
        line: JSON.stringify({
          id: rec.id,
          event_type: rec.event_type,
          workspace_id: workspaceId,
          seq: cp.seq,
          hash: cp.hash,
          timestamp: cp.signed_at,
          checkpoint: cp,
        }),
      };
    });
    const dead: { rec: SinkRecord; error: string }[] = [];
    if (!(await this.deliver(batch, dead))) return false;
    // Kept like refused records: the sink's status shows it and an operator can resend it. (A record
    // refused at the same seq keeps its row: the checkpoint's is then in the log alone.)
    if (dead.length) await this.keepDeadLetters(workspaceId, dead, 'checkpoint(s)', Date.now());
    await advanceSinkCheckpoints(this.db, this.sink.name, workspaceId, this.owner, rows[rows.length - 1].seq);
    return true;
  }

  // What a sink refused for good: dead letters, the sink's last error, a warning.
  private async keepDeadLetters(
    workspaceId: string,
    dead: { rec: SinkRecord; error: string }[],
    what: string,
    now: number,
  ) {
    const rows = dead.map((d) => ({
      sink: this.sink.name,
      workspace_id: workspaceId,
      seq: d.rec.rec.seq,
      record_id: d.rec.rec.id,
      error: d.error.slice(0, 1000),
      at: now,
    }));
    await insertDeadLetters(this.db, rows);
    await noteSinkError(this.db, this.sink.name, workspaceId, `${dead.length} ${what} refused: ${dead[0].error}`, now);
    const warning = { sink: this.sink.name, workspaceId, dead: dead.length, error: dead[0].error };
    this.log.warn(warning, `compliance sink refused ${what}; kept as dead letters`);
  }

  // Sends until accepted. Returns false only when stopped first.
  private async deliver(batch: SinkRecord[], dead: { rec: SinkRecord; error: string }[]): Promise<boolean> {
    for (;;) {
      if (this.stopped) return false;
      const out = await this.sink.send(batch);
      if (out.ok) {
        this.backoffMs = 0;
        return true;
      }
      if (!out.retryable) {
        if (out.rejected) {
          for (const i of out.rejected) if (batch[i]) dead.push({ rec: batch[i], error: out.error });
          return true;
        }
        if (batch.length === 1) {
          dead.push({ rec: batch[0], error: out.error });
          return true;
        }
        // Split so the refused record is found and the others still go, in order.
        const mid = Math.ceil(batch.length / 2);
        return (await this.deliver(batch.slice(0, mid), dead)) && (await this.deliver(batch.slice(mid), dead));
      }
      this.backoffMs = Math.min(this.cfg.retry_max_ms, this.backoffMs ? this.backoffMs * 2 : this.cfg.retry_initial_ms);
      await noteSinkError(this.db, this.sink.name, batch[0].rec.workspace_id, out.error, Date.now()).catch(() => {});
      this.log.warn(
        { sink: this.sink.name, error: out.error, retryInMs: this.backoffMs },
        'compliance sink unavailable; will retry',
      );
      await sleep(this.backoffMs, this.abort.signal);
      // Keep the lease while waiting out an outage.
      await acquireSinkLease(
        this.db,
        this.sink.name,
        batch[0].rec.workspace_id,
        this.owner,
        Date.now(),
        this.leaseMs,
      ).catch(() => {});
    }
  }
}
