// GET .../usage: per-user (default) or workspace rows per bucket, read from rollups only.
import { StewardError } from '../core/errors.js';
import { isKnownModel, nanoToUnits } from '../core/pricing.js';
import type { Db } from '../platform/storage/database.js';
import { usagePageKeys, usageRows, workspaceRows } from './usage.repository.js';
import { bucketPage } from './bucket-page.js';
import { findUsersByIds, serviceUserIds } from '../platform/tenancy/users.repository.js';
import { findTeam, teamMembers, teamsOfUsers } from '../platform/tenancy/teams.repository.js';
import { validationError } from '../core/errors.js';
import { teamUsagePage, type TeamView } from './usage-teams.service.js';
import type { UsageCounters } from '../ingest/ingest.tables.js';
import { encodeCursor } from '../core/query-params.js';
import { bucketEndMs, bucketStartMs, type AnalyticsQuery } from './params.js';

export interface Page<T> {
  object: 'page';
  data: T[];
  has_more: boolean;
  next_page: string | null;
}

export interface UsageTotals {
  threads: number;
  turns: number;
  model_requests: number;
  credits: number;
  cost_usd: number;
  estimated_cost_usd: number;
  uncached_text_input_tokens: number;
  cached_text_input_tokens: number;
  text_output_tokens: number;
  reasoning_output_tokens: number;
  text_total_tokens: number;
}

export const USAGE_GROUPS = ['user', 'workspace', 'team'] as const;
export const usageCursorKeys = (group: string) => (group === 'user' ? ['b', 'u'] : ['b']);

function zero(): UsageCounters {
  return {
    threads: 0,
    turns: 0,
    requests: 0,
    input_tokens: 0,
    cached_input_tokens: 0,
    output_tokens: 0,
    reasoning_tokens: 0,
    cost_nusd: 0,
    credits_n: 0,
  };
}

function addInto(acc: UsageCounters, r: UsageCounters): UsageCounters {
  for (const k of Object.keys(acc) as (keyof UsageCounters)[]) acc[k] += Number(r[k]);
  return acc;
}

// Credits and dollars are different units; each is converted from its own integer counter.
export function totalsOf(c: UsageCounters): UsageTotals {
  const cost = nanoToUnits(c.cost_nusd);
  return {
    threads: c.threads,
    turns: c.turns,
    model_requests: c.requests,
    credits: nanoToUnits(c.credits_n),
    cost_usd: cost,
    estimated_cost_usd: cost,
    uncached_text_input_tokens: c.input_tokens - c.cached_input_tokens,
    cached_text_input_tokens: c.cached_input_tokens,
    text_output_tokens: c.output_tokens,
    reasoning_output_tokens: c.reasoning_tokens,
    text_total_tokens: c.input_tokens + c.output_tokens,
  };
}

function breakdowns(
  clientRows: (UsageCounters & { client_id: string })[],
  modelRows: (UsageCounters & { model: string })[],
) {
  const total = clientRows.reduce((acc, r) => addInto(acc, r), zero());
  // In key order whatever order the rows came in: PostgreSQL returns a user's rows in the order they
  // lie in the table, which an update or a restore changes (SQLite's come in key order already).
  const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const clients = [...clientRows]
    .sort((a, b) => byName(a.client_id, b.client_id))
    .map((r) => ({ client_id: r.client_id, ...totalsOf(r) }));
  // Models outside the rate card bucket as "other", as in OpenAI's API.
  const models = new Map<string, UsageCounters>();
  for (const r of [...modelRows].sort((a, b) => byName(a.model, b.model))) {
    const name = isKnownModel(r.model) ? r.model : 'other';
    addInto(models.get(name) ?? models.set(name, zero()).get(name)!, r);
  }
  const modelList = [...models].map(([model, c]) => {
    const t = totalsOf(c);
    return {
      model,
      credits: t.credits,
      cost_usd: t.cost_usd,
      estimated_cost_usd: t.estimated_cost_usd,
      turns: t.turns,
      model_requests: t.model_requests,
      uncached_text_input_tokens: t.uncached_text_input_tokens,
      cached_text_input_tokens: t.cached_text_input_tokens,
      text_output_tokens: t.text_output_tokens,
      reasoning_output_tokens: t.reasoning_output_tokens,
      text_total_tokens: t.text_total_tokens,
    };
  });
  return { totals: totalsOf(total), clients, models: modelList };
}

export async function usagePage(
  db: Db,
  workspaceId: string,
  q: AnalyticsQuery,
  opts: {
    showEmails: boolean;
    emails: UserEmails;
    team: TeamView;
    users?: readonly string[] | null;
    userId?: string;
  },
): Promise<Page<Record<string, unknown>>> {
  // null: the whole workspace; a member: only themselves (core/authz.ts). Team and workspace rows are
  // other people's totals: a caller limited to some users never reaches them.
  const reach = opts.users ?? null;
  const ownOnly = (what: string) =>
    new StewardError(
      'forbidden_role',
      `this role sees only some people's usage: per-user rows (group=user), not ${what}`,
    );
  if (opts.userId !== undefined && q.group !== 'user')
    throw validationError('user_id', 'applies to group=user only', 'query', 'value_error.user');
  if (q.group === 'team') {
    if (reach) throw ownOnly('team rows');
    return teamUsagePage(db, workspaceId, q, opts.team, breakdowns);
  }
  const bucketFields = (b: number) => ({
    start_time: bucketStartMs(q.grain, b) / 1000,
    end_time: bucketEndMs(q.grain, b) / 1000,
  });
  if (q.group === 'workspace') {
    if (reach) throw ownOnly('workspace totals');
    if (opts.team.teamId !== undefined)
      throw validationError('team_id', 'applies to group=user or group=team', 'query', 'value_error.team');
    const { buckets: page, nextPage } = await bucketPage(db, workspaceId, q);
    if (page.length === 0) return { object: 'page', data: [], has_more: false, next_page: null };
    const { clients, models } = await workspaceRows(db, q.grain, workspaceId, page[0], page[page.length - 1]);
    const data = page.map((b) => ({
      object: 'codex.usage',
      ...bucketFields(b),
      ...breakdowns(
        clients.filter((r) => r.bucket === b),
        models.filter((r) => r.bucket === b),
      ),
    }));
    return { object: 'page', data, has_more: nextPage !== null, next_page: nextPage };
  }

  const cursor = q.cursor ? { bucket: Number(q.cursor.b), userId: String(q.cursor.u) } : null;
  const teamFilter = await userFilter(db, workspaceId, opts.team.teamId);
  const one = opts.userId;
  const filter =
    one === undefined ? teamFilter : { ...teamFilter, only: (teamFilter.only ?? [one]).filter((u) => u === one) };
  const users = reach
    ? { ...filter, only: filter.only ? filter.only.filter((u) => reach.includes(u)) : [...reach] }
    : filter;
  const keys = await usagePageKeys(db, q.grain, workspaceId, q.startBucket, q.endBucket, cursor, q.limit + 1, users);
  const hasMore = keys.length > q.limit;
  const page = keys.slice(0, q.limit);
  if (page.length === 0) return { object: 'page', data: [], has_more: false, next_page: null };
  const last = page[page.length - 1];
  const ids = [...new Set(page.map((k) => k.user_id))];
  const [{ clients, models }, emails, teamsOf] = await Promise.all([
    usageRows(db, q.grain, workspaceId, page, users),
    opts.emails.of(db, ids),
    teamsOfUsers(db, workspaceId, ids),
  ]);
  const byKey = <T extends { bucket: number; user_id: string }>(rows: T[]) => {
    const m = new Map<string, T[]>();
    for (const r of rows) {
      const k = `${r.bucket}\u0000${r.user_id}`;
      (m.get(k) ?? m.set(k, []).get(k)!).push(r);
    }
    return m;
  };
  const clientMap = byKey(clients);
  const modelMap = byKey(models);
  const data = page.map((k) => {
    const id = `${k.bucket}\u0000${k.user_id}`;
    const email = opts.showEmails ? (emails.get(k.user_id) ?? null) : null;
    return {
      object: 'codex.usage',
      ...bucketFields(k.bucket),
      user_id: k.user_id,
      actor: { type: 'user', user_id: k.user_id, email },
      email,
      teams: teamsOf.get(k.user_id) ?? [],
      ...breakdowns(clientMap.get(id) ?? [], modelMap.get(id) ?? []),
    };
  });
  return {
    object: 'page',
    data,
    has_more: hasMore,
    next_page: hasMore ? encodeCursor({ g: q.grain, b: last.bucket, u: last.user_id }) : null,
  };
}

// Per-user rows leave the service identities out (decisions/0026); team_id keeps its members only.
async function userFilter(db: Db, workspaceId: string, teamRef: string | undefined) {
  const except = await serviceUserIds(db, workspaceId);
  if (teamRef === undefined) return { except };
  const t = await findTeam(db, workspaceId, teamRef);
  if (!t) throw validationError('team_id', `no team ${teamRef}`, 'query', 'value_error.team');
  return { except, only: (await teamMembers(db, t.id)).map((u) => u.id) };
}

/**
 * id -> email of the users usage pages name: a user's email never changes (users are added, never
 * renamed by email), so a 1,000-row page need not look up ~1,000 users on every request. Bounded;
 * one per runtime (app/runtime.ts).
 */
export class UserEmails {
  private cache = new Map<string, string>();
  constructor(private readonly max = 200_000) {}

  async of(db: Db, ids: string[]): Promise<Map<string, string>> {
    const missing = [...new Set(ids)].filter((id) => !this.cache.has(id));
    if (missing.length) {
      for (const u of await findUsersByIds(db, missing)) {
        if (this.cache.size >= this.max) this.cache.delete(this.cache.keys().next().value!);
        this.cache.set(u.id, u.email);
      }
    }
    return this.cache;
  }
}
