// AUTH_LOG: every failed authentication and every wrong-scope or wrong-workspace attempt, on every
// endpoint, in the chain of the workspace it concerns (the key's; else the one named in the path;
// else the first). A presented secret is never recorded: a known key by id and prefix, an unknown
// one by a short fingerprint of its hash.
import { authFailureDraft } from '../../core/compliance-records.js';
import type { Db } from '../../storage/database.js';
import { appendRecords } from '../../storage/repositories/compliance-chain.repository.js';
import { findKeyByHash } from '../../storage/repositories/keys.repository.js';
import { findWorkspace, listWorkspaces } from '../../storage/repositories/workspaces.repository.js';
import { hashSecret } from '../keys.service.js';

export interface AuthFailure {
  code: string;
  message: string;
  secret?: string;
  method: string;
  path: string;
  route: string | null;
  requiredScope: string | null;
  requestedWorkspace: string | null;
  ip: string | null;
  userAgent: string | null;
}

export async function recordAuthFailure(db: Db, f: AuthFailure): Promise<void> {
  const hash = f.secret ? hashSecret(f.secret) : undefined;
  const key = hash ? await findKeyByHash(db, hash) : undefined;
  let workspaceId = key?.workspace_id;
  if (!workspaceId && f.requestedWorkspace) workspaceId = (await findWorkspace(db, f.requestedWorkspace))?.id;
  workspaceId ??= (await listWorkspaces(db))[0]?.id;
  if (!workspaceId) return; // nothing to attribute to before the first workspace exists
  const draft = authFailureDraft({
    ts: Date.now(),
    reason: f.code,
    message: f.message,
    method: f.method,
    path: f.path,
    route: f.route,
    requiredScope: f.requiredScope,
    key: key ? { id: key.id, prefix: key.prefix, user_id: key.user_id, scopes: key.scopes.split(' ').filter(Boolean) } : null,
    keyFingerprint: !key && hash ? `sha256:${hash.slice(0, 16)}` : null,
    ip: f.ip,
    userAgent: f.userAgent,
    requestedWorkspace: f.requestedWorkspace,
  });
  const ws = workspaceId;
  await db.transaction().execute((trx) => appendRecords(trx, ws, [draft]));
}
