// Machines that upload session files: host name and Codex installation id, first and last upload.
import type { DbOrTrx } from '../platform/storage/database.js';
import type { RolloutMachineTable } from './session-files.tables.js';

export async function touchMachine(
  db: DbOrTrx,
  m: Omit<RolloutMachineTable, 'first_seen_at' | 'last_seen_at'>,
  now: number,
): Promise<void> {
  await db
    .insertInto('rollout_machines')
    .values({ ...m, first_seen_at: now, last_seen_at: now })
    .onConflict((oc) =>
      oc.columns(['workspace_id', 'machine_id']).doUpdateSet((eb) => ({
        last_seen_at: eb.ref('excluded.last_seen_at'),
        host_name: eb.ref('excluded.host_name'),
        user_id: eb.ref('excluded.user_id'),
      })),
    )
    .execute();
}
