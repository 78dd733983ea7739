// Per-file read checkpoints of session files: what `steward import` (origin 'local') or the uploads
// of one machine (origin = machine id) have read so far.
import type { DbOrTrx } from '../platform/storage/database.js';
import type { RolloutFileTable } from './session-files.tables.js';

export type RolloutFileRow = RolloutFileTable;

const num = (r: RolloutFileRow): RolloutFileRow => ({
  ...r,
  ino: r.ino === null ? null : Number(r.ino),
  size: Number(r.size),
  mtime_ms: Number(r.mtime_ms),
  read_offset: Number(r.read_offset),
  read_lines: Number(r.read_lines),
  skipped: Number(r.skipped),
  finalized: Number(r.finalized),
  updated_at: Number(r.updated_at),
});

/** Every checkpoint of one origin, without parser state (cheap: used to skip unchanged files). */
export async function listFileHeads(
  db: DbOrTrx,
  workspaceId: string,
  origin: string,
): Promise<Omit<RolloutFileRow, 'state'>[]> {
  const rows = await db
    .selectFrom('rollout_files')
    .select([
      'workspace_id',
      'origin',
      'path',
      'user_id',
      'thread_id',
      'ino',
      'size',
      'mtime_ms',
      'read_offset',
      'read_lines',
      'head_hash',
      'tail_hash',
      'skipped',
      'finalized',
      'updated_at',
    ])
    .where('workspace_id', '=', workspaceId)
    .where('origin', '=', origin)
    .execute();
  return rows.map((r) => num({ ...r, state: '' }));
}

export async function findFile(
  db: DbOrTrx,
  workspaceId: string,
  origin: string,
  path: string,
): Promise<RolloutFileRow | undefined> {
  const r = await db
    .selectFrom('rollout_files')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('origin', '=', origin)
    .where('path', '=', path)
    .executeTakeFirst();
  return r ? num(r) : undefined;
}

/** Insert or replace one checkpoint. */
export async function saveFile(db: DbOrTrx, row: RolloutFileRow): Promise<void> {
  const { workspace_id: _w, origin: _o, path: _p, ...rest } = row;
  await db
    .insertInto('rollout_files')
    .values(row)
    .onConflict((oc) => oc.columns(['workspace_id', 'origin', 'path']).doUpdateSet(rest))
    .execute();
}

/**
 * Moves a checkpoint forward only if nobody else moved it since it was read (two uploads of the
 * same file racing): returns false when the stored offset is no longer `expectedOffset`.
 */
export async function advanceFile(db: DbOrTrx, row: RolloutFileRow, expectedOffset: number | null): Promise<boolean> {
  if (expectedOffset === null) {
    const res = await db
      .insertInto('rollout_files')
      .values(row)
      .onConflict((oc) => oc.columns(['workspace_id', 'origin', 'path']).doNothing())
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
  }
  const { workspace_id: _w, origin: _o, path: _p, ...rest } = row;
  const res = await db
    .updateTable('rollout_files')
    .set(rest)
    .where('workspace_id', '=', row.workspace_id)
    .where('origin', '=', row.origin)
    .where('path', '=', row.path)
    .where('read_offset', '=', expectedOffset)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/** The checkpoints of `paths` (of one origin), with parser state, in one query. */
export async function findFiles(
  db: DbOrTrx,
  workspaceId: string,
  origin: string,
  paths: string[],
): Promise<RolloutFileRow[]> {
  if (!paths.length) return [];
  const rows = await db
    .selectFrom('rollout_files')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('origin', '=', origin)
    .where('path', 'in', paths)
    .execute();
  return rows.map(num);
}
