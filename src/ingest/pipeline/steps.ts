// Ingest as named steps: identify > dedupe-key > classify > price > redact. Each takes the event being
// built and returns it, or a typed drop. They are pure except identify's injected user lookup.
import { clientIdFromOriginator } from '../../core/clients.js';
import { drop, type Drop, type EnrichedEvent, type NormalizedEvent } from '../../core/events.js';
import { priceUsage } from '../../core/pricing.js';
import { applyContentPolicy, type ContentField, type ContentPolicy } from '../../core/content-policy.js';

export interface Principal {
  workspaceId: string;
  userId: string;
  keyId: string | null;
  sharedCollector: boolean;
}

export interface PipelineEnv {
  source: EnrichedEvent['source'];
  hostName?: string;
  creditsPerUsd: number;
  // Resolves an email claim to a user id (only consulted for shared collector keys).
  userIdForEmail: (email: string) => string | undefined;
  // The workspace's content policy; absent, content is stored as received (no DLP).
  contentPolicy?: ContentPolicy;
}

export type Step = (e: EnrichedEvent, env: PipelineEnv) => EnrichedEvent | Drop;

// Who: the key's user; a shared collector key may name the user by the payload's email claim.
export function identify(event: NormalizedEvent, principal: Principal, env: PipelineEnv): EnrichedEvent | Drop {
  let userId = principal.userId;
  if (principal.sharedCollector) {
    const claimed = event.emailClaim ? env.userIdForEmail(event.emailClaim) : undefined;
    if (!claimed) return drop('unknown_user', event.emailClaim ? `no user with email ${event.emailClaim}` : 'shared collector record without user.email');
    userId = claimed;
  }
  return { event, workspaceId: principal.workspaceId, userId, clientId: '', source: env.source, hostName: env.hostName, countsAsTurn: false };
}

export const dedupeKey: Step = (e) => {
  const ev = e.event;
  const d = ev.discriminator ?? '';
  const ts = ev.untimed ? '-' : ev.ts;
  switch (ev.kind) {
    case 'thread_started':
      ev.key = `thread:${ev.threadId}`;
      break;
    case 'turn':
      ev.key = ev.turnId ? `turn:${ev.turnId}` : `turn:${ev.threadId}:${ts}:${d}`;
      break;
    case 'response':
      ev.key = ev.responseId
        ? `resp:${ev.responseId}`
        : `resp:${ev.threadId}:${ts}:${ev.tokens.input}:${ev.tokens.cached}:${ev.tokens.output}:${ev.tokens.reasoning}:${d}`;
      break;
    case 'tool':
      ev.key = `tool:${ev.threadId}:${ev.callId}`;
      break;
  }
  return e;
};

export const classify: Step = (e) => {
  e.clientId = clientIdFromOriginator(e.event.originator);
  e.countsAsTurn = e.event.kind === 'turn' && e.event.threadKind === 'user';
  return e;
};

// Sources bound token counts (core/bounds.ts); should one let an unbounded count through,
// priceUsage refuses it and the record is dropped, not its batch.
export const price: Step = (e, env) => {
  if (e.event.kind !== 'response') return e;
  try {
    e.priced = priceUsage(e.event.model, e.event.tokens, env.creditsPerUsd);
  } catch (err) {
    if (err instanceof RangeError) return drop('invalid_attribute', err.message);
    throw err;
  }
  return e;
};

// DLP-scan prompt, response, tool arguments and output, and store them as the workspace's policy
// says (store with secrets redacted | hash | redact). Runs after dedupe-key, so keys never change.
export const redact: Step = (e, env) => {
  const policy = env.contentPolicy;
  if (!policy) return e;
  const apply = (text: string | undefined, field: ContentField): string | undefined => {
    if (text === undefined || text === null) return text;
    const r = applyContentPolicy(text, field, policy);
    (e.content ??= {})[field] = { mode: r.mode, length: r.length, redactions: r.findings.length };
    if (r.findings.length) (e.findings ??= []).push(...r.findings);
    return r.text ?? undefined;
  };
  const ev = e.event;
  if (ev.kind === 'turn') ev.prompt = apply(ev.prompt, 'prompt');
  else if (ev.kind === 'response') ev.text = apply(ev.text, 'response');
  else if (ev.kind === 'tool') {
    ev.arguments = apply(ev.arguments, 'tool_arguments');
    ev.output = apply(ev.output, 'tool_output');
  }
  return e;
};

export const STEPS: readonly Step[] = [dedupeKey, classify, price, redact];
