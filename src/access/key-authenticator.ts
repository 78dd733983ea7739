// Bearer keys checked against their stored hashes. The key's last use is recorded at most once a
// minute and its first use is an audit record; both are written beside the request, not in its
// path: a read never waits for them and never fails because of them.
import { setImmediate } from 'node:timers/promises';
import { StewardError } from '../core/errors.js';
import type { AuthenticatedKey } from '../core/credentials.js';
import { hasScope, type Scope } from '../core/scopes.js';
import { audit } from '../compliance/index.js';
import type { Db } from '../platform/storage/database.js';
import { withoutLockWait } from '../platform/storage/dialect.js';
import { findKeyByHash, touchKey } from './keys.repository.js';
import { hashSecret } from './keys.service.js';

const LAST_USED_EVERY_MS = 60_000;

export class KeyAuthenticator {
  private readonly lastTouched = new Map<string, number>();
  private readonly writes = new Set<Promise<void>>();

  constructor(
    private readonly db: Db,
    private readonly onWriteError: (err: unknown) => void,
  ) {}

  async authenticate(secret: string, needed: Scope): Promise<AuthenticatedKey> {
    const row = await findKeyByHash(this.db, hashSecret(secret));
    const now = Date.now();
    if (!row || row.revoked_at !== null || (row.expires_at !== null && Number(row.expires_at) <= now)) {
      const why = !row ? 'unknown' : row.revoked_at !== null ? 'revoked' : 'expired';
      throw new StewardError('invalid_key', `API key is ${why}`);
    }
    const scopes = row.scopes.split(' ').filter(Boolean);
    if (!hasScope(scopes, needed)) {
      throw new StewardError('forbidden_scope', `API key lacks scope ${needed} (has: ${scopes.join(', ') || 'none'})`);
    }
    if (row.last_used_at === null || now - (this.lastTouched.get(row.id) ?? 0) > LAST_USED_EVERY_MS) {
      this.lastTouched.set(row.id, now);
      this.track(row.id, this.touch(row.id, row.workspace_id, now));
    }
    return {
      keyId: row.id,
      workspaceId: row.workspace_id,
      userId: row.user_id,
      scopes,
      sharedCollector: !!row.shared_collector,
      service: !!row.service,
    };
  }

  /** Waits for the use records written so far (tests, and shutdown before the store closes). */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.writes]);
  }

  private async touch(keyId: string, workspaceId: string, now: number): Promise<void> {
    // After the request's own queries: they are what the caller waits for.
    await setImmediate();
    await withoutLockWait(this.db, (conn) =>
      conn.transaction().execute(async (trx) => {
        if (await touchKey(trx, keyId, now)) {
          await audit(trx, workspaceId, { type: 'key', id: keyId }, 'key.first_used', { type: 'api_key', id: keyId });
        }
      }),
    );
  }

  private track(keyId: string, write: Promise<void>): void {
    const p = write.catch((err) => {
      // The next use tries again instead of waiting a minute.
      this.lastTouched.delete(keyId);
      this.onWriteError(err);
    });
    this.writes.add(p);
    void p.finally(() => this.writes.delete(p));
  }
}
