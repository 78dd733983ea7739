// GET .../skills: skill invocations per user (default) or per workspace and bucket, read from the
// skill rollups only (decisions/0032). The same window, paging and reach rules as .../usage.
import { StewardError } from '../core/errors.js';
import { encodeCursor } from '../core/query-params.js';
import type { Db } from '../platform/storage/database.js';
import { serviceUserIds } from '../platform/tenancy/users.repository.js';
import { bucketEndMs, bucketStartMs, type AnalyticsQuery } from './params.js';
import {
  skillPageBuckets,
  skillPageKeys,
  skillUserCounts,
  skillWorkspaceCounts,
  type SkillCount,
} from './skills.repository.js';
import type { Page, UserEmails } from './usage.service.js';

export const SKILL_GROUPS = ['user', 'workspace'] as const;
export const skillCursorKeys = (group: string) => (group === 'user' ? ['b', 'u'] : ['b']);

// A row's skills, most invoked first (then by name and scope, for a stable order).
function skillsOf(rows: readonly SkillCount[]) {
  const skills = rows
    .map((r) => ({ skill_name: r.skill_name, scope: r.skill_scope, invocations: r.invocations }))
    .sort(
      (a, b) =>
        b.invocations - a.invocations ||
        (a.skill_name < b.skill_name ? -1 : a.skill_name > b.skill_name ? 1 : 0) ||
        (a.scope < b.scope ? -1 : a.scope > b.scope ? 1 : 0),
    );
  return { invocations: skills.reduce((n, s) => n + s.invocations, 0), skills };
}

export async function skillsPage(
  db: Db,
  workspaceId: string,
  q: AnalyticsQuery,
  opts: { showEmails: boolean; emails: UserEmails; users?: readonly string[] | null },
): Promise<Page<Record<string, unknown>>> {
  const reach = opts.users ?? null;
  const bucketFields = (b: number) => ({
    start_time: bucketStartMs(q.grain, b) / 1000,
    end_time: bucketEndMs(q.grain, b) / 1000,
  });
  if (q.group === 'workspace') {
    if (reach)
      throw new StewardError(
        'forbidden_role',
        "this role sees only some people's skill invocations: per-user rows (group=user), not workspace totals",
      );
    const found = await skillPageBuckets(
      db,
      q.grain,
      workspaceId,
      q.startBucket,
      q.endBucket,
      q.cursor ? Number(q.cursor.b) : null,
      q.limit + 1,
    );
    const buckets = found.slice(0, q.limit);
    if (!buckets.length) return { object: 'page', data: [], has_more: false, next_page: null };
    const counts = await skillWorkspaceCounts(db, q.grain, workspaceId, buckets[0]!, buckets[buckets.length - 1]!);
    const data = buckets.map((b) => ({
      object: 'codex.skill_usage',
      ...bucketFields(b),
      ...skillsOf(counts.filter((c) => c.bucket === b)),
    }));
    const more = found.length > q.limit;
    return {
      object: 'page',
      data,
      has_more: more,
      next_page: more ? encodeCursor({ g: q.grain, b: buckets[buckets.length - 1]! }) : null,
    };
  }

  // Per-user rows: never the service identities (as usage, decisions/0026); a member only themselves.
  const except = await serviceUserIds(db, workspaceId);
  const users = reach ? { only: [...reach], except } : { except };
  const cursor = q.cursor ? { bucket: Number(q.cursor.b), user_id: String(q.cursor.u) } : null;
  const keys = await skillPageKeys(db, q.grain, workspaceId, q.startBucket, q.endBucket, cursor, q.limit + 1, users);
  const page = keys.slice(0, q.limit);
  if (!page.length) return { object: 'page', data: [], has_more: false, next_page: null };
  const byKey = new Map<string, SkillCount[]>(page.map((k) => [`${k.bucket}\u0000${k.user_id}`, []]));
  for (const c of await skillUserCounts(db, q.grain, workspaceId, page))
    byKey.get(`${c.bucket}\u0000${c.user_id}`)?.push(c);
  const emails = await opts.emails.of(
    db,
    page.map((k) => k.user_id),
  );
  const data = page.map((k) => {
    const email = opts.showEmails ? (emails.get(k.user_id) ?? null) : null;
    return {
      object: 'codex.skill_usage',
      ...bucketFields(k.bucket),
      user_id: k.user_id,
      actor: { type: 'user', user_id: k.user_id, email },
      email,
      ...skillsOf(byKey.get(`${k.bucket}\u0000${k.user_id}`)!),
    };
  });
  const more = keys.length > q.limit;
  const last = page[page.length - 1]!;
  return {
    object: 'page',
    data,
    has_more: more,
    next_page: more ? encodeCursor({ g: q.grain, b: last.bucket, u: last.user_id }) : null,
  };
}
