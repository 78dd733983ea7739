// Who owns the sessions of a local store (steward import / report): a user of the default
// workspace, named by `--user EMAIL` or, by default, `<os user>@<host name>`; created on first use.
import { findUserByEmail } from '../platform/tenancy/users.repository.js';
import type { Db } from '../platform/storage/database.js';
import type { Principal } from '../ingest/index.js';
import type { UserTable, WorkspaceTable } from '../platform/storage/schema.js';
import type { Actor } from '../compliance/index.js';
import { addUser } from '../access/index.js';
import { ensureBootstrapped } from '../access/index.js';

export interface LocalOwner {
  workspace: WorkspaceTable;
  user: UserTable;
  principal: Principal;
  userCreated: boolean;
  ownerKey?: { id: string; secret: string }; // a fresh store's owner key, shown once
}

export async function localOwner(db: Db, email: string, actor: Actor): Promise<LocalOwner> {
  const boot = await ensureBootstrapped(db);
  const ws = boot.workspace;
  let user = await findUserByEmail(db, ws.id, email.trim().toLowerCase());
  let userCreated = false;
  if (!user) {
    user = await addUser(db, { workspaceId: ws.id, email, name: 'local sessions' }, actor);
    userCreated = true;
  }
  return {
    workspace: ws,
    user,
    principal: { workspaceId: ws.id, userId: user.id, keyId: null, sharedCollector: false },
    userCreated,
    ownerKey: boot.ownerKey,
  };
}
