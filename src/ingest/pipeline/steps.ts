// Ingest as named steps: identify > dedupe-key > classify > price > redact. Each takes the value the
// step before it made and returns a new one, or a typed drop; the types say which steps have run.
// They are pure except identify's injected user lookup.
import { clientIdFromOriginator } from '../../core/clients.js';
import { drop, type Drop, type EnrichedEvent, type NormalizedEvent } from '../../core/events.js';
import { priceUsage } from '../../core/pricing.js';
import {
  applyContentPolicy,
  type ContentApplier,
  type ContentField,
  type ContentPolicy,
} from '../../core/content-policy.js';
import { dlpValue } from '../../core/value-dlp.js';

export interface Principal {
  workspaceId: string;
  userId: string;
  keyId: string | null;
  sharedCollector: boolean;
  // A CI or service identity's key (decisions/0026): its turns make no active user.
  service?: boolean;
}

export interface PipelineEnv {
  source: EnrichedEvent['source'];
  hostName?: string;
  creditsPerUsd: number;
  // Resolves an email claim to a user id (only consulted for shared collector keys).
  userIdForEmail: (email: string) => string | undefined;
  // The workspace's content policy; absent, content is stored as received (no DLP).
  contentPolicy?: ContentPolicy;
  // The caller's memory of texts the same policy already applied to (session files: see ContentApplier).
  contentApplier?: ContentApplier;
}

// The key lives on the event, where storage and the chain read it; a brand says it was set (the
// sources leave it empty), so a step that needs it cannot be run before dedupe-key.
declare const keyed: unique symbol;
declare const redacted: unique symbol;

/** After identify: whose event it is. */
export interface Identified {
  event: NormalizedEvent;
  workspaceId: string;
  userId: string;
  service?: true;
  source: EnrichedEvent['source'];
  hostName?: string;
}
/** After dedupe-key: the event's natural key is set. */
export type Keyed = Identified & { readonly [keyed]: true };
/** After classify: the client it came from. */
export type Classified = Keyed & { clientId: string };
/** After price: a response carries its price. */
export type Priced = Keyed & EnrichedEvent;
/** After redact: content stored as the workspace's policy says. What the writer takes. */
export type Redacted = Priced & { readonly [redacted]: true };

// Who: the key's user; a shared collector key may name the user by the payload's email claim.
export function identify(event: NormalizedEvent, principal: Principal, env: PipelineEnv): Identified | Drop {
  let userId = principal.userId;
  if (principal.sharedCollector) {
    const claimed = event.emailClaim ? env.userIdForEmail(event.emailClaim) : undefined;
    if (!claimed)
      return drop(
        'unknown_user',
        event.emailClaim ? `no user with email ${event.emailClaim}` : 'shared collector record without user.email',
      );
    userId = claimed;
  }
  const who = { event, workspaceId: principal.workspaceId, userId, source: env.source, hostName: env.hostName };
  return principal.service ? { ...who, service: true } : who;
}

// The natural key (decisions/0003): a source's id when it has one, else what identifies the record.
export function keyOf(ev: NormalizedEvent): string {
  const d = ev.discriminator ?? '';
  const ts = ev.untimed ? '-' : ev.ts;
  switch (ev.kind) {
    case 'thread_started':
      return `thread:${ev.threadId}`;
    case 'turn':
      return ev.turnId ? `turn:${ev.turnId}` : `turn:${ev.threadId}:${ts}:${d}`;
    case 'response':
      // A response id is unique only within the thread that made it (decision 0020): other providers,
      // local model servers and replayed corpora reuse ids across threads. A session file's own thread,
      // not the parent its usage is rolled up to: a parent file only mirrors its sub-agents' records.
      return ev.responseId
        ? `resp:${(ev as { sourceThreadId?: string }).sourceThreadId || ev.threadId}:${ev.responseId}`
        : `resp:${ev.threadId}:${ts}:` +
            `${ev.tokens.input}:${ev.tokens.cached}:${ev.tokens.output}:${ev.tokens.reasoning}:${d}`;
    case 'tool':
      return `tool:${ev.threadId}:${ev.callId}`;
    case 'observation':
      return `event:${ev.threadId}:${ev.name}:${ts}:${d}`;
  }
}

export function dedupeKey(e: Identified): Keyed {
  return { ...e, event: { ...e.event, key: keyOf(e.event) } } as Keyed;
}

export function classify(e: Keyed): Classified {
  return { ...e, clientId: clientIdFromOriginator(e.event.originator) };
}

// Sources bound token counts (core/bounds.ts); should one let an unbounded count through,
// priceUsage refuses it and the record is dropped, not its batch.
export function price(e: Classified, env: PipelineEnv): Priced | Drop {
  if (e.event.kind !== 'response') return e as Priced;
  try {
    return { ...e, event: e.event, priced: priceUsage(e.event.model, e.event.tokens, env.creditsPerUsd) } as Priced;
  } catch (err) {
    if (err instanceof RangeError) return drop('invalid_attribute', err.message);
    throw err;
  }
}

// DLP-scan prompt, response, tool arguments and output, and store them as the workspace's policy
// says (store with secrets redacted | hash | redact); DLP-scan the attributes of other Codex events
// (a guardian's rationale, an unknown event's values), which no mode governs (decisions/0032).
// Runs after dedupe-key, so keys never change.
export function redact(e: Priced, env: PipelineEnv): Redacted {
  const policy = env.contentPolicy;
  if (!policy) return e as Redacted;
  let content: EnrichedEvent['content'];
  let findings: EnrichedEvent['findings'];
  const apply = (text: string | undefined, field: ContentField): string | undefined => {
    if (text === undefined || text === null) return text;
    const r = env.contentApplier ? env.contentApplier.apply(text, field) : applyContentPolicy(text, field, policy);
    (content ??= {})[field] = { mode: r.mode, length: r.length, redactions: r.findings.length };
    if (r.findings.length) (findings ??= []).push(...r.findings);
    return r.text ?? undefined;
  };
  const ev = e.event;
  let event: NormalizedEvent = ev;
  if (ev.kind === 'turn') event = { ...ev, prompt: apply(ev.prompt, 'prompt') };
  else if (ev.kind === 'response') event = { ...ev, text: apply(ev.text, 'response') };
  else if (ev.kind === 'tool')
    event = { ...ev, arguments: apply(ev.arguments, 'tool_arguments'), output: apply(ev.output, 'tool_output') };
  else if (ev.kind === 'observation') {
    const r = dlpValue(ev.attributes, policy, 'event_attributes');
    content = { event_attributes: { mode: 'store', length: r.length, redactions: r.findings.length } };
    if (r.findings.length) findings = r.findings;
    event = { ...ev, attributes: r.value };
  }
  if (event === ev) return e as Redacted;
  return {
    ...e,
    event,
    content: content ? { ...e.content, ...content } : e.content,
    findings: findings ?? e.findings,
  } as Redacted;
}
