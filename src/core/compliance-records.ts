// What each compliance record says: pure builders from ingested facts, findings, state changes
// and authentication failures to record drafts. Field names are snake_case, as in the API.
import type { RecordDraft } from './compliance.js';
import type { ContentFinding } from './content-policy.js';
import { DLP_RULE_DESCRIPTIONS } from './dlp.js';
import type { EnrichedEvent } from './events.js';

// Request metadata of an ingest call (the same for every record of one request).
export interface IngestRequestMeta {
  keyId: string | null;
  host?: string;
  appVersion?: string;
  serviceName?: string;
  serviceVersion?: string;
  terminalType?: string;
  authMode?: string;
}

const iso = (ms: number) => new Date(ms).toISOString();
const orNull = <T>(v: T | undefined): T | null => (v === undefined ? null : v);
const turnIdOf = (e: EnrichedEvent): string | null => {
  const ev = e.event as { turnId?: string };
  return ev.turnId ?? null;
};

// Codex's exec tool reports its exit code only inside the output text.
const EXIT_CODE = /Process exited with code (-?\d+)/;

// One CODEX_LOG record per newly stored fact: a session start, a prompt, a model response (with the
// assistant's text when the source has it), or a tool call (decision and/or result). Every object is
// built with its keys in canonical (sorted) order, so canonicalJson writes it with JSON.stringify
// (a test holds this).
export function codexLogDraft(e: EnrichedEvent, meta: IngestRequestMeta): RecordDraft {
  const ev = e.event;
  if (ev.kind === 'observation') return observationDraft(e, ev, meta);
  const content: Record<string, unknown> = {
    client_id: e.clientId,
    fact_key: ev.key,
    kind:
      ev.kind === 'thread_started'
        ? 'session_start'
        : ev.kind === 'turn'
          ? 'prompt'
          : ev.kind === 'response'
            ? 'response'
            : 'tool_call',
    model: orNull(ev.model),
    originator: orNull(ev.originator),
  };
  const info = (f: keyof NonNullable<EnrichedEvent['content']>) => {
    const c = e.content?.[f];
    return c ? { length: c.length, policy: c.mode, redactions: c.redactions } : {};
  };
  if (ev.kind === 'turn') {
    const i = e.content?.prompt;
    // The content policy's length (of the text as received) stands for the client's prompt_length.
    content.prompt = i
      ? { length: i.length, policy: i.mode, redactions: i.redactions, text: orNull(ev.prompt) }
      : { length: orNull(ev.promptLength), text: orNull(ev.prompt) };
  }
  content.request = {
    app_version: orNull(meta.appVersion),
    auth_mode: orNull(meta.authMode),
    email_claim: orNull(ev.emailClaim),
    host: orNull(e.hostName ?? meta.host),
    key_id: meta.keyId,
    service_name: orNull(meta.serviceName),
    service_version: orNull(meta.serviceVersion),
    source: e.source,
    terminal_type: orNull(meta.terminalType),
  };
  if (ev.kind === 'response') {
    const t = ev.tokens;
    content.response = {
      cost_usd: e.priced ? e.priced.costNanoUsd / 1e9 : null,
      credits: e.priced ? e.priced.creditsNano / 1e9 : null,
      id: orNull(ev.responseId),
      pricing_version: e.priced?.pricingVersion ?? null,
      text: orNull(ev.text),
      ...(ev.text !== undefined || e.content?.response ? { text_info: info('response') } : {}),
      usage: {
        cache_write_tokens: ev.cacheWrite ?? 0,
        cached_input_tokens: t.cached,
        input_tokens: t.input,
        output_tokens: t.output,
        reasoning_tokens: t.reasoning,
        total_tokens: t.input + t.output,
      },
    };
  }
  if (ev.kind === 'thread_started') {
    content.session = {
      approval_policy: orNull(ev.approvalPolicy),
      parent_thread_id: orNull(ev.parentThreadId),
      provider: orNull(ev.provider),
      sandbox_policy: orNull(ev.sandboxPolicy),
      thread_kind: ev.threadKind,
    };
  }
  content.thread_id = ev.threadId;
  if (ev.kind === 'turn') content.thread_kind = ev.threadKind;
  content.timestamp = iso(ev.ts);
  if (ev.kind === 'tool') {
    const exit = ev.exitCode ?? (ev.output ? EXIT_CODE.exec(ev.output)?.[1] : undefined);
    content.tool = {
      arguments: orNull(ev.arguments),
      arguments_info: info('tool_arguments'),
      call_id: ev.callId,
      decision: orNull(ev.decision),
      decision_source: orNull(ev.decisionSource),
      duration_ms: orNull(ev.durationMs),
      exit_status: exit === undefined ? null : Number(exit),
      name: orNull(ev.toolName),
      output: orNull(ev.output),
      output_info: info('tool_output'),
      success: orNull(ev.success),
    };
  }
  content.turn_id = turnIdOf(e);
  content.user_id = e.userId;
  content.workspace_id = e.workspaceId;
  return { eventType: 'CODEX_LOG', ts: ev.ts, userId: e.userId, threadId: ev.threadId, content };
}

// A Codex event that is not a fact (decisions/0024): guardian assessments and risk scores are
// CODEX_SECURITY_LOG records, everything else (skill invocations, events and line types Steward has
// no meaning for yet) a CODEX_LOG record, each with the attributes it came with.
function observationDraft(
  e: EnrichedEvent,
  ev: Extract<EnrichedEvent['event'], { kind: 'observation' }>,
  meta: IngestRequestMeta,
): RecordDraft {
  const security = ev.category === 'guardian_assessment' || ev.category === 'risk_score';
  const sorted = Object.fromEntries(Object.entries(ev.attributes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const info = e.content?.event_attributes;
  const content: Record<string, unknown> = {
    attributes: sorted,
    // What DLP did to the attributes (decisions/0032); absent where no content policy ran.
    ...(info ? { attributes_info: { length: info.length, policy: info.mode, redactions: info.redactions } } : {}),
    client_id: e.clientId,
    event_name: ev.name,
    fact_key: ev.key,
    kind: ev.category === 'skill_invocation' ? 'skill_invocation' : security ? ev.category : 'event',
    known: ev.category !== 'unknown',
    model: orNull(ev.model),
    originator: orNull(ev.originator),
    request: { app_version: orNull(meta.appVersion), host: orNull(e.hostName ?? meta.host), source: e.source },
    ...(security ? { severity: ev.category === 'guardian_assessment' ? 'info' : 'medium' } : {}),
    ...(ev.category === 'skill_invocation'
      ? { skill: { name: orNull(ev.skillName), scope: orNull(ev.skillScope) } }
      : {}),
    thread_id: ev.threadId,
    timestamp: iso(ev.ts),
    turn_id: orNull(ev.turnId),
    user_id: e.userId,
    workspace_id: e.workspaceId,
  };
  const eventType = security ? 'CODEX_SECURITY_LOG' : 'CODEX_LOG';
  return { eventType, ts: ev.ts, userId: e.userId, threadId: ev.threadId || null, content };
}

// One CODEX_SECURITY_LOG record per DLP finding of a newly stored fact.
export function dlpFindingDrafts(e: EnrichedEvent, findings: readonly ContentFinding[]): RecordDraft[] {
  return findings.map((f) => ({
    eventType: 'CODEX_SECURITY_LOG',
    ts: e.event.ts,
    userId: e.userId,
    threadId: e.event.threadId,
    content: {
      kind: 'dlp',
      rule_id: f.rule,
      description: DLP_RULE_DESCRIPTIONS.get(f.rule) ?? f.rule,
      severity: 'high',
      workspace_id: e.workspaceId,
      user_id: e.userId,
      thread_id: e.event.threadId,
      turn_id: turnIdOf(e),
      timestamp: iso(e.event.ts),
      client_id: e.clientId,
      fact_key: e.event.key,
      location: {
        field: f.field,
        ...(f.path !== undefined ? { path: f.path } : {}),
        start: f.start,
        end: f.end,
        line: f.line,
        column: f.column,
      },
      excerpt: f.excerpt,
      secret: { shown: f.shown, length: f.length },
      action:
        e.content?.[f.field]?.mode === 'store'
          ? 'redacted_in_stored_content'
          : `content_${e.content?.[f.field]?.mode ?? 'stored'}`,
    },
  }));
}

export function policyFindingDraft(
  e: EnrichedEvent,
  v: { rule: string; value: string; allowed: string[] },
): RecordDraft {
  return {
    eventType: 'CODEX_SECURITY_LOG',
    ts: e.event.ts,
    userId: e.userId,
    threadId: e.event.threadId,
    content: {
      kind: 'policy',
      rule_id: v.rule,
      description:
        v.rule === 'sandbox_policy_not_allowed'
          ? 'a session ran with a sandbox mode the workspace policy does not allow'
          : 'a session ran with an approval mode the workspace policy does not allow',
      severity: 'medium',
      workspace_id: e.workspaceId,
      user_id: e.userId,
      thread_id: e.event.threadId,
      timestamp: iso(e.event.ts),
      client_id: e.clientId,
      fact_key: e.event.key,
      value: v.value,
      allowed: v.allowed,
    },
  };
}

export interface AuditFacts {
  ts: number;
  actor: { type: string; id: string | null };
  action: string;
  target: { type: string; id: string } | null;
  before?: unknown;
  after?: unknown;
  migratedFrom?: string; // id in the pre-chain audit_events table
}

export function auditDraft(a: AuditFacts): RecordDraft {
  return {
    eventType: 'AUDIT_LOG',
    ts: a.ts,
    userId: a.target?.type === 'user' ? a.target.id : a.actor.type === 'user' ? a.actor.id : null,
    threadId: a.target?.type === 'thread' ? a.target.id : null,
    content: {
      action: a.action,
      timestamp: iso(a.ts),
      actor: { type: a.actor.type, id: a.actor.id },
      target: a.target,
      before: a.before === undefined ? null : a.before,
      after: a.after === undefined ? null : a.after,
      ...(a.migratedFrom ? { migrated_from: a.migratedFrom } : {}),
    },
  };
}

export interface AuthFailureFacts {
  ts: number;
  reason: string; // the error code: unauthenticated | invalid_key | forbidden_scope | forbidden_workspace
  message: string;
  method: string;
  path: string;
  route: string | null;
  requiredScope: string | null;
  key: { id: string; prefix: string; user_id: string | null; scopes: string[] } | null;
  keyFingerprint: string | null; // sha256 prefix of an unknown presented key, never the key
  /** The user a refused browser session or a failed sign-in concerns, when known. */
  userId?: string | null;
  ip: string | null;
  userAgent: string | null;
  requestedWorkspace: string | null;
  /** Set on the record of an overflow fold: more source addresses than are followed at once. */
  overflow?: boolean;
  /** A summary of the failures folded after the recorded one (access/auth-log.service.ts). */
  repeated?: { count: number; otherKeys: number; from: number; to: number };
}

export function authFailureDraft(a: AuthFailureFacts): RecordDraft {
  return {
    eventType: 'AUTH_LOG',
    ts: a.ts,
    userId: a.key?.user_id ?? a.userId ?? null,
    threadId: null,
    content: {
      outcome: 'failure',
      ...(a.userId ? { user_id: a.userId } : {}),
      reason: a.reason,
      message: a.message,
      timestamp: iso(a.ts),
      method: a.method,
      path: a.path,
      route: a.route,
      required_scope: a.requiredScope,
      key: a.key,
      key_fingerprint: a.keyFingerprint,
      ip: a.ip,
      user_agent: a.userAgent,
      requested_workspace_id: a.requestedWorkspace,
      ...(a.overflow ? { overflow: true } : {}),
      ...(a.repeated
        ? {
            repeated: {
              count: a.repeated.count,
              other_keys: a.repeated.otherKeys,
              first_at: iso(a.repeated.from),
              last_at: iso(a.repeated.to),
            },
          }
        : {}),
    },
  };
}

/** A browser-account event that is not a refusal: sign-in, sign-out, a link made or used. */
export interface AuthEventFacts {
  ts: number;
  event: 'sign_in' | 'sign_out' | 'sign_out_everywhere' | 'reset_link_created' | 'setup_link_created' | 'password_set';
  userId: string | null;
  sessionId: string | null;
  /** Sessions ended by the event (sign-out everywhere, a password set through a link). */
  sessionsEnded?: number;
  linkId?: string;
  /** The OIDC issuer that vouched for a sign-in (absent: a password). */
  identityProvider?: string;
  actor?: { type: string; id: string | null };
  ip: string | null;
  userAgent: string | null;
}

export function authEventDraft(a: AuthEventFacts): RecordDraft {
  return {
    eventType: 'AUTH_LOG',
    ts: a.ts,
    userId: a.userId,
    threadId: null,
    content: {
      outcome: 'success',
      event: a.event,
      timestamp: iso(a.ts),
      user_id: a.userId,
      session_id: a.sessionId,
      ...(a.sessionsEnded !== undefined ? { sessions_ended: a.sessionsEnded } : {}),
      ...(a.linkId ? { link_id: a.linkId } : {}),
      ...(a.identityProvider ? { identity_provider: a.identityProvider } : {}),
      ...(a.actor ? { actor: a.actor } : {}),
      ip: a.ip,
      user_agent: a.userAgent,
    },
  };
}
