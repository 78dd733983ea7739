// A compliance record as an Elastic Common Schema document. ECS fields where ECS has a name for
// the fact; the whole record under `steward` so nothing is lost.
import type { ChainRecord } from '../../core/compliance.js';

type Obj = Record<string, unknown>;
const CATEGORY: Record<string, { kind: string; category: string[]; type: string[] }> = {
  CODEX_LOG: { kind: 'event', category: ['api'], type: ['info'] },
  CODEX_SECURITY_LOG: { kind: 'alert', category: ['intrusion_detection'], type: ['info'] },
  AUDIT_LOG: { kind: 'event', category: ['configuration', 'iam'], type: ['change'] },
  AUTH_LOG: { kind: 'event', category: ['authentication'], type: ['info'] },
};

export function ecsDocument(rec: ChainRecord, record: Obj): Obj {
  const content = (record.content ?? {}) as Obj;
  const c = CATEGORY[rec.event_type] ?? CATEGORY.CODEX_LOG;
  const action = (content.action ?? content.kind ?? content.reason ?? rec.event_type.toLowerCase()) as string;
  const doc: Obj = {
    '@timestamp': new Date(rec.ts).toISOString(),
    ecs: { version: '8.11.0' },
    event: {
      id: rec.id,
      kind: c.kind,
      category: c.category,
      type: c.type,
      action,
      dataset: `steward.${rec.event_type.toLowerCase()}`,
      module: 'steward',
      provider: 'steward',
      created: new Date(rec.recorded_at).toISOString(),
      sequence: rec.seq,
      hash: rec.hash,
      ...(rec.event_type === 'AUTH_LOG' ? { outcome: 'failure', reason: content.reason } : {}),
      ...(rec.event_type === 'CODEX_SECURITY_LOG'
        ? { severity: content.severity === 'high' ? 73 : 47, reason: content.rule_id }
        : {}),
    },
    organization: { id: rec.workspace_id },
    labels: {
      workspace_id: rec.workspace_id,
      event_type: rec.event_type,
      ...(rec.thread_id ? { thread_id: rec.thread_id } : {}),
    },
    message: `${rec.event_type} ${action}`,
    steward: record,
  };
  if (rec.user_id) {
    doc.user = { id: rec.user_id };
    doc.related = { user: [rec.user_id] };
  }
  const request = content.request as Obj | undefined;
  if (request?.host) doc.host = { name: request.host };
  if (request?.app_version || content.client_id)
    doc.agent = { type: 'codex', version: request?.app_version ?? undefined, name: content.client_id ?? undefined };
  if (content.model) doc.gen_ai = { request: { model: content.model } };
  const tool = content.tool as Obj | undefined;
  if (tool) {
    doc.process = { name: tool.name ?? undefined, exit_code: tool.exit_status ?? undefined };
    if (typeof tool.duration_ms === 'number') (doc.event as Obj).duration = tool.duration_ms * 1_000_000;
  }
  if (rec.event_type === 'AUTH_LOG') {
    if (content.ip) doc.source = { ip: content.ip };
    if (content.user_agent) doc.user_agent = { original: content.user_agent };
    doc.url = { path: content.path };
    doc.http = { request: { method: content.method } };
  }
  if (rec.event_type === 'AUDIT_LOG') {
    const actor = content.actor as Obj | undefined;
    if (actor?.id)
      doc.related = {
        ...(doc.related as Obj),
        user: [...(((doc.related as Obj)?.user as string[]) ?? []), String(actor.id)],
      };
  }
  return doc;
}
