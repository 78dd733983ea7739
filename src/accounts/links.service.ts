// One-time links (decisions/0022): 256-bit secrets stored hashed, single use, expiring after
// accounts.link_hours. A setup link (no user) makes or completes the first owner; a reset link sets
// the password of the user it names. Making and using a link are AUTH_LOG records.
import { createHash, randomBytes } from 'node:crypto';
import type { Config } from '../config/schema.js';
import { authEventDraft } from '../core/compliance-records.js';
import { StewardError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { Db, DbOrTrx } from '../platform/storage/database.js';
import { findUserByEmail, findUserById } from '../platform/tenancy/users.repository.js';
import { appendRecords, type Actor } from '../compliance/index.js';
import { findOpenLink, hasOpenSetupLink, insertLink, ownerHasPassword, useLink } from './links.repository.js';
import type { AccountLinkTable } from './accounts.tables.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export interface MadeLink {
  linkId: string;
  token: string;
  url: string;
  expiresAt: number;
}

/** Where a link points: the set-password step of the dashboard's origin. */
export function linkUrl(base: string, token: string): string {
  return `${base.replace(/\/+$/, '')}/auth/set-password#token=${token}`;
}

async function makeLink(
  trx: DbOrTrx,
  row: Pick<AccountLinkTable, 'workspace_id' | 'user_id' | 'purpose'>,
  hours: number,
  base: string,
  actor: Actor,
  now: number,
): Promise<MadeLink> {
  const token = randomBytes(32).toString('base64url');
  const link: AccountLinkTable = {
    ...row,
    id: newId(),
    secret_hash: sha256(token),
    created_at: now,
    expires_at: now + hours * 3_600_000,
    used_at: null,
  };
  await insertLink(trx, link);
  const event = row.purpose === 'setup' ? 'setup_link_created' : 'reset_link_created';
  await appendRecords(trx, row.workspace_id, [
    authEventDraft({
      ts: now,
      event,
      userId: row.user_id,
      sessionId: null,
      linkId: link.id,
      actor,
      ip: null,
      userAgent: null,
    }),
  ]);
  return { linkId: link.id, token, url: linkUrl(base, token), expiresAt: link.expires_at };
}

/** An owner's reset link for one user of the workspace (CLI users reset-link, the admin route). */
export async function createResetLink(
  db: Db,
  workspaceId: string,
  who: { id: string } | { email: string },
  cfg: { hours: number; base: string },
  actor: Actor,
  now = Date.now(),
): Promise<MadeLink & { userId: string; email: string }> {
  const user = 'id' in who ? await findUserById(db, who.id) : await findUserByEmail(db, workspaceId, who.email.trim());
  if (!user || user.workspace_id !== workspaceId || user.removed_at !== null)
    throw new StewardError('not_found', `no user ${'id' in who ? who.id : who.email} in this workspace`);
  const made = await db
    .transaction()
    .execute((trx) =>
      makeLink(trx, { workspace_id: workspaceId, user_id: user.id, purpose: 'reset' }, cfg.hours, cfg.base, actor, now),
    );
  return { ...made, userId: user.id, email: user.email };
}

/**
 * serve's first start: a setup link when no owner can sign in with a password and no unexpired
 * setup link is open, so the link is printed once, not on every restart.
 */
export async function ensureSetupLink(
  db: Db,
  workspaceId: string,
  cfg: Pick<Config['accounts'], 'link_hours'> & { base: string },
  actor: Actor,
  now = Date.now(),
): Promise<MadeLink | null> {
  return db.transaction().execute(async (trx) => {
    if ((await ownerHasPassword(trx, workspaceId)) || (await hasOpenSetupLink(trx, workspaceId, now))) return null;
    const row = { workspace_id: workspaceId, user_id: null, purpose: 'setup' as const };
    return makeLink(trx, row, cfg.link_hours, cfg.base, actor, now);
  });
}

const wellFormed = (token: string) => /^[A-Za-z0-9_-]{20,128}$/.test(token);

/** The link a token opens, if unused and unexpired (410 otherwise); nothing is changed. */
export async function openLink(db: DbOrTrx, token: string, now: number): Promise<AccountLinkTable> {
  const link = wellFormed(token) ? await findOpenLink(db, sha256(token), now) : undefined;
  if (!link) throw new StewardError('invalid_link');
  return link;
}

/** Uses the link (once: a concurrent second use gets 410); the caller sets the password in the same transaction. */
export async function consumeLink(trx: DbOrTrx, token: string, now: number): Promise<AccountLinkTable> {
  const link = wellFormed(token) ? await useLink(trx, sha256(token), now) : undefined;
  if (!link) throw new StewardError('invalid_link');
  return link;
}
