// The generic code review ingest use-case: validate the envelope (422 naming the field), normalize
// each event (bad ones are reported by index, the rest land), store in one transaction.
import type { Config } from '../../config/schema.js';
import { validationError } from '../../core/errors.js';
import { envelope } from './schema.js';
import { normalizeEvents, type Rejected } from './normalize.js';
import type { Db } from '../../platform/storage/database.js';
import { applyCodeReviewFacts, type ApplyResult } from '../ingest.service.js';
import { codeReviewEnv } from '../github/github-webhook.service.js';

export interface CodeReviewEventsResult {
  accepted: number;
  rejected: Rejected[];
  applied: ApplyResult | null;
}

export async function ingestCodeReviewEvents(
  db: Db,
  github: Config['github'],
  workspaceId: string,
  body: unknown,
  now: number,
): Promise<CodeReviewEventsResult> {
  const env = envelope.safeParse(body);
  if (!env.success) {
    const i = env.error.issues[0];
    const param = i.path.length ? i.path.join('.') : ((i as { keys?: string[] }).keys?.join(', ') ?? 'body');
    throw validationError(param, i.message, 'body');
  }
  const { facts, rejected } = normalizeEvents(env.data.host, env.data.events, { botLogins: github.bot_logins, now });
  if (facts.length === 0) return { accepted: 0, rejected, applied: null };
  const { result } = await applyCodeReviewFacts(db, workspaceId, facts, codeReviewEnv(github, now));
  return { accepted: facts.length, rejected, applied: result };
}
