import crypto from 'node:crypto';
import { StewardError, validationError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { isScope } from '../core/scopes.js';
import type { Db, DbOrTrx } from '../platform/storage/database.js';
import { expireBy, findKey, insertKey, listKeys, markRevoked } from './keys.repository.js';
import { findUserByEmail, updateUser } from '../platform/tenancy/users.repository.js';
import type { ApiKeyTable } from '../platform/storage/schema.js';
import { audit, type Actor } from '../compliance/index.js';

// Keys are 192 random bits, so a fast SHA-256 is the right hash (see docs/decisions/0002);
// lookup is by the hash, so the secret itself is never compared.
export const hashSecret = (secret: string) => crypto.createHash('sha256').update(secret).digest('hex');

export interface CreateKeyInput {
  workspaceId: string;
  scopes: string[];
  userEmail?: string;
  name?: string;
  sharedCollector?: boolean;
  /** A CI or service identity: its user's usage counts in totals, not as an active user (0026). */
  service?: boolean;
  expiresAt?: number;
}

export interface KeyView {
  id: string;
  name: string | null;
  prefix: string;
  scopes: string[];
  user_id: string | null;
  shared_collector: boolean;
  service: boolean;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  last_used_at: number | null;
}

export function keyView(k: ApiKeyTable): KeyView {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    scopes: k.scopes.split(' ').filter(Boolean),
    user_id: k.user_id,
    shared_collector: !!k.shared_collector,
    service: !!k.service,
    created_at: Number(k.created_at),
    expires_at: k.expires_at === null ? null : Number(k.expires_at),
    revoked_at: k.revoked_at === null ? null : Number(k.revoked_at),
    last_used_at: k.last_used_at === null ? null : Number(k.last_used_at),
  };
}

const newSecret = () => `stw_${crypto.randomBytes(24).toString('base64url')}`;

export async function createKey(
  db: Db,
  input: CreateKeyInput,
  actor: Actor,
): Promise<{ key: KeyView; secret: string }> {
  if (input.scopes.length === 0) throw validationError('scope', 'at least one scope is required', 'body');
  for (const s of input.scopes) if (!isScope(s)) throw validationError('scope', `unknown scope "${s}"`, 'body');
  if (input.scopes.includes('ingest.write') && !input.userEmail && !input.sharedCollector) {
    throw validationError(
      'user',
      'an ingest.write key belongs to a user: name one with --user EMAIL (or make it a shared collector key)',
      'body',
    );
  }
  if (input.service && (!input.userEmail || input.sharedCollector))
    throw validationError(
      'service',
      'a service key acts for one service user: name it with --user EMAIL (not with a shared collector key)',
      'body',
    );
  const secret = newSecret();
  return db.transaction().execute(async (trx) => {
    let userId: string | null = null;
    let serviceUser: string | null = null;
    if (input.userEmail) {
      const user = await findUserByEmail(trx, input.workspaceId, input.userEmail);
      if (!user)
        throw validationError(
          'user',
          `no user with email ${input.userEmail}; add it first with "steward users add"`,
          'body',
        );
      userId = user.id;
      // The identity, not only this key, is the service: every fact is per user, and the per-user
      // reads leave such users out; a rotated or second key of theirs needs no flag of its own.
      if (input.service && !user.service) {
        await updateUser(trx, user.id, { service: 1 });
        serviceUser = user.id;
      }
    }
    const row: ApiKeyTable = {
      id: newId(),
      workspace_id: input.workspaceId,
      user_id: userId,
      name: input.name ?? null,
      prefix: secret.slice(0, 12),
      secret_hash: hashSecret(secret),
      scopes: [...new Set(input.scopes)].join(' '),
      shared_collector: input.sharedCollector ? 1 : 0,
      service: input.service ? 1 : 0,
      created_at: Date.now(),
      expires_at: input.expiresAt ?? null,
      revoked_at: null,
      last_used_at: null,
    };
    await insertKey(trx, row);
    const key = keyView(row);
    const after = serviceUser ? { ...key, service_user_marked: serviceUser } : key;
    await audit(trx, input.workspaceId, actor, 'key.created', { type: 'api_key', id: row.id }, { after });
    return { key, secret };
  });
}

/** Revokes key `id`; with `workspaceId`, a key of another workspace is not found (admin API). */
export async function revokeKey(db: Db, id: string, actor: Actor, workspaceId?: string): Promise<KeyView> {
  return db.transaction().execute(async (trx) => {
    const before = await findKey(trx, id);
    if (!before || (workspaceId !== undefined && before.workspace_id !== workspaceId))
      throw new StewardError('not_found', `no key with id ${id}`);
    if (before.revoked_at !== null) throw new StewardError('conflict', `key ${id} is already revoked`);
    const at = Date.now();
    await markRevoked(trx, id, at);
    const after = { ...before, revoked_at: at };
    await audit(
      trx,
      before.workspace_id,
      actor,
      'key.revoked',
      { type: 'api_key', id },
      { before: keyView(before), after: keyView(after) },
    );
    return keyView(after);
  });
}

/** The workspace's keys, each with its holder's email (null: no holder), so a list needs no user list beside it. */
export async function listKeyViews(
  db: DbOrTrx,
  workspaceId: string,
): Promise<(KeyView & { user_email: string | null })[]> {
  return (await listKeys(db, workspaceId)).map((k) => ({ ...keyView(k), user_email: k.user_email }));
}

// How long a rotated key's old secret keeps working unless told otherwise: a day to roll it out.
export const DEFAULT_ROTATION_GRACE_MS = 24 * 3_600_000;

/**
 * Rotates key `id`: a new key with the same workspace, owner, name, scopes and expiry, whose secret is
 * returned once; the old secret keeps working for `graceMs` (0: it stops now), then gets the expired 401.
 * One AUDIT_LOG record (key.rotated) names both keys. With `workspaceId`, another workspace's key is not found.
 */
export async function rotateKey(
  db: Db,
  id: string,
  graceMs: number,
  actor: Actor,
  workspaceId?: string,
): Promise<{ key: KeyView; secret: string; old: KeyView }> {
  if (!(graceMs >= 0) || !Number.isFinite(graceMs)) throw validationError('grace', 'must be zero or more', 'body');
  const secret = newSecret();
  return db.transaction().execute(async (trx) => {
    const before = await findKey(trx, id);
    if (!before || (workspaceId !== undefined && before.workspace_id !== workspaceId))
      throw new StewardError('not_found', `no key with id ${id}`);
    const now = Date.now();
    if (before.revoked_at !== null) throw new StewardError('conflict', `key ${id} is revoked: create a new one`);
    if (before.expires_at !== null && Number(before.expires_at) <= now)
      throw new StewardError('conflict', `key ${id} has expired: create a new one`);
    const row: ApiKeyTable = {
      ...before,
      id: newId(),
      prefix: secret.slice(0, 12),
      secret_hash: hashSecret(secret),
      created_at: now,
      revoked_at: null,
      last_used_at: null,
    };
    await insertKey(trx, row);
    const until = now + graceMs;
    await expireBy(trx, id, until);
    const old = keyView((await findKey(trx, id))!);
    const key = keyView(row);
    await audit(
      trx,
      before.workspace_id,
      actor,
      'key.rotated',
      { type: 'api_key', id },
      { before: keyView(before), after: { old, new: key, grace_ms: graceMs } },
    );
    return { key, secret, old };
  });
}
