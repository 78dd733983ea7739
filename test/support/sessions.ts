// Synthetic Codex sessions as both sources deliver them: the OTLP/JSON body Codex exports and the
// session-file upload `steward collect` sends (POST /v1/ingest/rollouts), with the ground truth of
// one session computed here from the inputs, never from src/. Timestamps differ between the two
// sources as on real 0.169 runs (turns ~15 ms, responses ~2 ms). Every session has two turns of
// two responses; the first turn's two responses report the same usage (matching must pair them one
// to one); `subagent` adds a review sub-agent whose file is rolled up into the parent and whose two
// responses OTLP names by the child conversation.
import { synthPayload, type SynthRecord } from './otlp.js';

export interface SessionTruth {
  threads: number;
  turns: number;
  model_requests: number;
  cached_text_input_tokens: number;
  uncached_text_input_tokens: number;
  text_output_tokens: number;
  reasoning_output_tokens: number;
}

export interface SyntheticSession {
  otlp: string;
  upload: string;
  truth: SessionTruth;
}

const MODEL = 'gpt-5.5';
const id = (i: number, part: number) =>
  `01a20${part}00-${String(i).padStart(4, '0')}-7000-8000-${String(i).padStart(12, '0')}`;

export function syntheticSession(i: number, t0: number, opts: { subagent?: boolean } = {}): SyntheticSession {
  const thread = id(i, 1);
  const otlp: SynthRecord[] = [];
  const truth: SessionTruth = {
    threads: 1,
    turns: 0,
    model_requests: 0,
    cached_text_input_tokens: 0,
    uncached_text_input_tokens: 0,
    text_output_tokens: 0,
    reasoning_output_tokens: 0,
  };
  const file = (threadId: string, meta: Record<string, unknown>) => {
    const lines: string[] = [];
    let ordinal = 0;
    const emit = (ts: number, type: string, payload: unknown) =>
      lines.push(JSON.stringify({ timestamp: new Date(ts).toISOString(), ordinal: ordinal++, type, payload }));
    emit(t0, 'session_meta', {
      id: threadId,
      session_id: thread,
      timestamp: new Date(t0).toISOString(),
      cwd: '/home/dev/app',
      originator: 'codex_exec',
      cli_version: '0.169.0',
      model_provider: 'openai',
      ...meta,
    });
    return { lines, emit };
  };
  const usage = (input: number, cached: number, output: number, reasoning: number) => {
    truth.model_requests++;
    truth.cached_text_input_tokens += cached;
    truth.uncached_text_input_tokens += input - cached;
    truth.text_output_tokens += output;
    truth.reasoning_output_tokens += reasoning;
    return {
      input_tokens: input,
      cached_input_tokens: cached,
      cache_write_input_tokens: 0,
      output_tokens: output,
      reasoning_output_tokens: reasoning,
      total_tokens: input + output,
    };
  };
  const main = file(thread, { source: 'exec', thread_source: 'user' });
  let respSeq = 0;
  for (let k = 0; k < 2; k++) {
    const tk = t0 + 1000 + k * 30_000;
    const turnId = `${id(i, 2)}-t${k}`;
    truth.turns++;
    otlp.push({ conv: thread, ts: tk, kind: 'prompt', model: MODEL });
    main.emit(tk + 15, 'event_msg', {
      type: 'task_started',
      turn_id: turnId,
      turn_attribution: { turn_id: turnId, turn_trigger: 'user', parent_turn_id: null, root_turn_id: turnId },
      root_turn_id: turnId,
      started_at: Math.floor(tk / 1000),
      model_context_window: 258400,
    });
    main.emit(tk + 16, 'turn_context', {
      turn_id: turnId,
      cwd: '/home/dev/app',
      approval_policy: 'on-request',
      sandbox_policy: { type: 'workspace-write' },
      model: MODEL,
    });
    main.emit(tk + 17, 'response_item', {
      type: 'message',
      role: 'user',
      content: [{ type: 'input_text', text: `do thing ${i}.${k}` }],
    });
    for (let r = 0; r < 2; r++) {
      const tr = tk + 3000 + r * 5000;
      const u = k === 0 ? usage(5000 + i, 1000 + i, 50 + i, 7) : usage(9000 + i * 3 + r, 2000 + r, 80 + r, 3 + r);
      otlp.push({
        conv: thread,
        ts: tr + 2,
        kind: 'response',
        model: MODEL,
        input: u.input_tokens,
        cached: u.cached_input_tokens,
        output: u.output_tokens,
        reasoning: u.reasoning_output_tokens,
      });
      main.emit(tr, 'token_usage_record', {
        thread_id: thread,
        turn_id: turnId,
        session_id: thread,
        root_turn_id: turnId,
        response_id: `resp_${i}_${respSeq++}`,
        usage: u,
        turn_token_usage: u,
        thread_token_usage: u,
      });
    }
    main.emit(tk + 9000, 'event_msg', { type: 'task_complete', turn_id: turnId, last_agent_message: 'done' });
  }
  const files = [main];
  if (opts.subagent) {
    const child = id(i, 3);
    const sub = file(child, { parent_thread_id: thread, source: { subagent: 'review' }, thread_source: 'subagent' });
    const turnId = `${id(i, 2)}-review`;
    const tk = t0 + 70_000;
    sub.emit(tk, 'event_msg', {
      type: 'task_started',
      turn_id: turnId,
      turn_attribution: { turn_id: turnId, turn_trigger: null, parent_turn_id: null, root_turn_id: turnId },
      root_turn_id: turnId,
      started_at: Math.floor(tk / 1000),
      model_context_window: 258400,
    });
    sub.emit(tk + 1, 'turn_context', { turn_id: turnId, cwd: '/home/dev/app', model: MODEL });
    for (let r = 0; r < 2; r++) {
      const tr = tk + 2000 + r * 4000;
      const u = usage(7000 + i, 500, 40 + r, 2);
      // Only the responses: a review's turn and thread are counted by each source in its own way (decisions/0007, Limits).
      otlp.push({
        conv: child,
        ts: tr + 3,
        kind: 'response',
        model: MODEL,
        input: u.input_tokens,
        cached: u.cached_input_tokens,
        output: u.output_tokens,
        reasoning: u.reasoning_output_tokens,
      });
      sub.emit(tr, 'token_usage_record', {
        thread_id: child,
        turn_id: turnId,
        session_id: thread,
        root_turn_id: turnId,
        response_id: `resp_${i}_sub${r}`,
        usage: u,
        turn_token_usage: u,
        thread_token_usage: u,
      });
    }
    files.push(sub);
  }
  const upload = {
    host: 'laptop',
    installation_id: 'race-inst',
    files: files.map((f, n) => ({
      path: `/home/dev/.codex/sessions/2026/11/22/rollout-${i}-${n}.jsonl`,
      offset: 0,
      line: 0,
      lines: f.lines.map((t) => ({ n: Buffer.byteLength(t), t })),
      final: true,
    })),
  };
  return { otlp: JSON.stringify(synthPayload(otlp)), upload: JSON.stringify(upload), truth };
}

export function sumTruth(ts: SessionTruth[]): SessionTruth {
  const out: SessionTruth = {
    threads: 0,
    turns: 0,
    model_requests: 0,
    cached_text_input_tokens: 0,
    uncached_text_input_tokens: 0,
    text_output_tokens: 0,
    reasoning_output_tokens: 0,
  };
  for (const t of ts) for (const k of Object.keys(out) as (keyof SessionTruth)[]) out[k] += t[k];
  return out;
}
