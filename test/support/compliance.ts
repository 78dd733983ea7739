// Helpers for compliance tests: append drafts, read the chain, and tamper with stored rows the way
// an attacker with database access would (through SQL, never through src/).
import { sql } from 'kysely';
import type { RecordDraft } from '../../src/core/compliance.js';
import type { Db } from '../../src/platform/storage/database.js';
import { appendRecords } from '../../src/compliance/chain/chain.repository.js';

export const draft = (n: number, o: Partial<RecordDraft> = {}): RecordDraft => ({
  eventType: 'CODEX_LOG',
  ts: Date.now() - 1000 + n,
  userId: 'u1',
  threadId: `t${n % 3}`,
  content: { kind: 'prompt', n, prompt: { text: `prompt number ${n}` } },
  ...o,
});

export async function appendN(db: Db, ws: string, n: number, o: Partial<RecordDraft> = {}, perTx = 10): Promise<void> {
  for (let i = 0; i < n; i += perTx) {
    const batch = Array.from({ length: Math.min(perTx, n - i) }, (_, k) => draft(i + k, o));
    await db.transaction().execute((trx) => appendRecords(trx, ws, batch));
  }
}

export async function chainRows(db: Db, ws: string) {
  return db.selectFrom('compliance_records').selectAll().where('workspace_id', '=', ws).orderBy('seq').execute();
}

export async function contentOf(db: Db, ws: string, seq: number): Promise<string | undefined> {
  return (
    await db
      .selectFrom('compliance_content')
      .select('content')
      .where('workspace_id', '=', ws)
      .where('seq', '=', seq)
      .executeTakeFirst()
  )?.content;
}

// Flip one character (keeps the length; a JSON-safe letter for content).
const flip = (s: string, at: number) => s.slice(0, at) + (s[at] === 'a' ? 'b' : 'a') + s.slice(at + 1);

export const tamper = {
  async contentByte(db: Db, ws: string, seq: number) {
    const c = (await contentOf(db, ws, seq))!;
    const at = c.indexOf('prompt number') + 2;
    await db
      .updateTable('compliance_content')
      .set({ content: flip(c, at) })
      .where('workspace_id', '=', ws)
      .where('seq', '=', seq)
      .execute();
  },
  async hashByte(db: Db, ws: string, seq: number) {
    const r = await db
      .selectFrom('compliance_records')
      .select('hash')
      .where('workspace_id', '=', ws)
      .where('seq', '=', seq)
      .executeTakeFirstOrThrow();
    await db
      .updateTable('compliance_records')
      .set({ hash: flip(r.hash, 10) })
      .where('workspace_id', '=', ws)
      .where('seq', '=', seq)
      .execute();
  },
  async deleteRecord(db: Db, ws: string, seq: number) {
    await db.deleteFrom('compliance_content').where('workspace_id', '=', ws).where('seq', '=', seq).execute();
    await db.deleteFrom('compliance_records').where('workspace_id', '=', ws).where('seq', '=', seq).execute();
  },
  async deleteContent(db: Db, ws: string, seq: number) {
    await db.deleteFrom('compliance_content').where('workspace_id', '=', ws).where('seq', '=', seq).execute();
  },
  // Swap the positions of two records (rows and content move together).
  async reorder(db: Db, ws: string, a: number, b: number) {
    for (const t of ['compliance_records', 'compliance_content'] as const) {
      await sql`update ${sql.table(t)} set seq = -1 where workspace_id = ${ws} and seq = ${a}`.execute(db);
      await sql`update ${sql.table(t)} set seq = ${a} where workspace_id = ${ws} and seq = ${b}`.execute(db);
      await sql`update ${sql.table(t)} set seq = ${b} where workspace_id = ${ws} and seq = -1`.execute(db);
    }
  },
};

// What the Codex captures say happened, read straight from OTLP attributes (not through src/).
export interface FixtureFacts {
  prompts: { thread: string; text: string }[];
  responses: { thread: string; model: string; input: number; cached: number; output: number; reasoning: number }[];
  toolResults: {
    thread: string;
    callId: string;
    name: string;
    arguments: string;
    output: string;
    success: boolean;
    durationMs: number;
  }[];
  toolDecisions: { thread: string; callId: string; decision: string }[];
  sessions: Set<string>;
  hosts: Set<string>;
}

export function fixtureFacts(payloads: any[]): FixtureFacts {
  const f: FixtureFacts = {
    prompts: [],
    responses: [],
    toolResults: [],
    toolDecisions: [],
    sessions: new Set(),
    hosts: new Set(),
  };
  for (const p of payloads)
    for (const rl of p.resourceLogs ?? []) {
      for (const kv of rl.resource?.attributes ?? [])
        if (kv.key === 'host.name') f.hosts.add(Object.values(kv.value)[0] as string);
      for (const sl of rl.scopeLogs ?? [])
        for (const r of sl.logRecords ?? []) {
          const a: Record<string, any> = {};
          for (const kv of r.attributes ?? []) a[kv.key] = Object.values(kv.value)[0];
          const thread = a['conversation.id'];
          switch (a['event.name']) {
            case 'codex.conversation_starts':
              f.sessions.add(thread);
              break;
            case 'codex.user_prompt':
              f.prompts.push({ thread, text: a.prompt });
              break;
            case 'codex.sse_event':
              if (a['event.kind'] === 'response.completed' && a.input_token_count !== undefined)
                f.responses.push({
                  thread,
                  model: a.model,
                  input: Number(a.input_token_count),
                  cached: Number(a.cached_token_count ?? 0),
                  output: Number(a.output_token_count),
                  reasoning: Number(a.reasoning_token_count ?? 0),
                });
              break;
            case 'codex.tool_result':
              f.toolResults.push({
                thread,
                callId: a.call_id,
                name: a.tool_name,
                arguments: a.arguments,
                output: a.output,
                success: String(a.success) === 'true',
                durationMs: Number(a.duration_ms),
              });
              break;
            case 'codex.tool_decision':
              f.toolDecisions.push({ thread, callId: a.call_id, decision: a.decision });
              break;
          }
        }
    }
  return f;
}

// Every record of one event type, through the Logs API (list all files, download each).
export async function downloadAll(
  app: import('fastify').FastifyInstance,
  ws: string,
  key: string,
  eventType: string,
  limit = 100,
): Promise<any[]> {
  const out: any[] = [];
  let after = '';
  for (;;) {
    const r = await app.inject({
      method: 'GET',
      url: `/v1/compliance/workspaces/${ws}/logs?event_type=${eventType}&limit=${limit}${after ? `&after=${encodeURIComponent(after)}` : ''}`,
      headers: { authorization: `Bearer ${key}` },
    });
    if (r.statusCode !== 200) throw new Error(r.body);
    const page = r.json();
    for (const file of page.data) {
      const d = await app.inject({ method: 'GET', url: file.url, headers: { authorization: `Bearer ${key}` } });
      if (d.statusCode !== 200) throw new Error(d.body);
      for (const line of d.body.split('\n')) if (line) out.push(JSON.parse(line));
    }
    if (!page.has_more) return out;
    after = page.last_end_time;
  }
}

/** The session-file content in the archive: the CODEX_LOG session_item records, in seq order. */
export async function sessionItems(db: Db, ws?: string): Promise<{ seq: number; content: any }[]> {
  const rows = await db
    .selectFrom('compliance_records as r')
    .innerJoin('compliance_content as c', (j) =>
      j.onRef('c.workspace_id', '=', 'r.workspace_id').onRef('c.seq', '=', 'r.seq'),
    )
    .select(['r.seq', 'c.content'])
    .where('r.event_type', '=', 'CODEX_LOG')
    .$if(ws !== undefined, (q) => q.where('r.workspace_id', '=', ws!))
    .orderBy('r.workspace_id')
    .orderBy('r.seq')
    .execute();
  return rows
    .map((r) => ({ seq: Number(r.seq), content: r.content === null ? null : JSON.parse(r.content) }))
    .filter((r) => r.content?.kind === 'session_item');
}
