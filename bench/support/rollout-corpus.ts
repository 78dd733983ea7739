// A deterministic corpus of realistic Codex session files for bench/import.bench.ts: the shapes of
// real 0.169 rollouts (session_meta with large base instructions, developer and environment
// messages, turn_context, reasoning with encrypted content, tool calls with output, assistant
// messages, token_usage_record + token_count, resumes appended to the same file) and some files
// in the 2025-10 envelope format (token_count only). Compact JSON, as Codex writes it.
import fs from 'node:fs';
import path from 'node:path';
import { prng } from './prng.js';

export interface CorpusSummary {
  files: number;
  bytes: number;
  lines: number;
  threads: number;
  turns: number;
  responses: number;
}

const MODELS = ['gpt-5.5', 'gpt-5', 'gpt-5-codex', 'gpt-5.1-codex', 'gpt-5-mini'];
const WORDS =
  'the of and to in is that for it as with was on be by this are or from at which but not have an they you were all can one more had there when file function return value test error build import module type const let await async config server client route store parse line token model request thread turn'.split(
    ' ',
  );
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export function corpusName(targetBytes: number, seed: number): string {
  return `rollouts_${Math.round(targetBytes / 1e6)}MB_s${seed}`;
}

/** Generates the corpus under `dir/sessions` unless a complete one (marker file) is already there. */
export function ensureCorpus(dir: string, targetBytes: number, seed = 42): CorpusSummary & { reused: boolean } {
  const marker = path.join(dir, 'corpus.json');
  if (fs.existsSync(marker)) return { ...(JSON.parse(fs.readFileSync(marker, 'utf8')) as CorpusSummary), reused: true };
  fs.rmSync(dir, { recursive: true, force: true });
  const summary = generate(path.join(dir, 'sessions'), targetBytes, seed);
  fs.writeFileSync(marker, JSON.stringify(summary));
  return { ...summary, reused: false };
}

function generate(root: string, targetBytes: number, seed: number): CorpusSummary {
  const rnd = prng(seed);
  const int = (a: number, b: number) => a + Math.floor(rnd() * (b - a + 1));
  const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const words = (n: number) => {
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(pick(WORDS));
    return out.join(' ');
  };
  const b64 = (n: number) => {
    let s = '';
    for (let i = 0; i < n; i++) s += B64[Math.floor(rnd() * 64)];
    return s;
  };
  const hex = (n: number) => {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(rnd() * 16)];
    return s;
  };
  // UUIDv7-shaped ids whose first 48 bits are the time, so they sort like Codex's.
  const uuid7 = (ms: number) => {
    const t = ms.toString(16).padStart(12, '0');
    return `${t.slice(0, 8)}-${t.slice(8, 12)}-7${hex(3)}-${'89ab'[int(0, 3)]}${hex(3)}-${hex(12)}`;
  };
  const baseInstructions = words(3500);
  const s: CorpusSummary = { files: 0, bytes: 0, lines: 0, threads: 0, turns: 0, responses: 0 };
  const start = Date.UTC(2026, 8, 1);
  let respSeq = 0;
  while (s.bytes < targetBytes) {
    const legacy = rnd() < 0.15; // 2025-10 envelope: no ordinal, no token_usage_record
    const startMs = start + int(0, 80) * 86_400_000 + int(0, 86_399_000);
    const threadId = uuid7(startMs);
    const d = new Date(startMs);
    const dayDir = path.join(
      root,
      String(d.getUTCFullYear()),
      String(d.getUTCMonth() + 1).padStart(2, '0'),
      String(d.getUTCDate()).padStart(2, '0'),
    );
    fs.mkdirSync(dayDir, { recursive: true });
    const file = path.join(dayDir, `rollout-${d.toISOString().slice(0, 19).replace(/:/g, '-')}-${threadId}.jsonl`);
    const lines: string[] = [];
    let t = startMs;
    let ordinal = 0;
    const total = {
      input_tokens: 0,
      cached_input_tokens: 0,
      cache_write_input_tokens: 0,
      output_tokens: 0,
      reasoning_output_tokens: 0,
      total_tokens: 0,
    };
    const emit = (type: string, payload: unknown, dt = int(1, 40)) => {
      t += dt;
      const env: Record<string, unknown> = { timestamp: new Date(t).toISOString() };
      if (!legacy) env.ordinal = ordinal++;
      env.type = type;
      env.payload = payload;
      lines.push(JSON.stringify(env));
    };
    const model = pick(MODELS);
    const cwd = `/home/dev/src/project-${int(1, 40)}`;
    emit('session_meta', {
      id: threadId,
      session_id: threadId,
      timestamp: new Date(startMs).toISOString(),
      cwd,
      originator: pick(['codex_exec', 'codex_cli_rs', 'codex_vscode', 'codex-tui']),
      cli_version: legacy ? '0.46.0' : '0.169.0',
      source: pick(['exec', 'cli', 'vscode']),
      thread_source: 'user',
      model_provider: 'openai',
      base_instructions: { text: baseInstructions },
      ...(legacy ? {} : { history_mode: 'paginated', context_window: { window_id: uuid7(startMs) } }),
      git: {
        commit_hash: hex(40),
        branch: pick(['main', 'dev', 'feature/x']),
        repository_url: `git@github.com:acme/project-${int(1, 40)}.git`,
      },
    });
    s.threads++;
    const processes = rnd() < 0.25 ? 2 : 1; // a resume appends a second run to the same file
    for (let p = 0; p < processes; p++) {
      if (p > 0) t += int(60_000, 3_600_000);
      const turns = int(1, 6);
      for (let k = 0; k < turns; k++) {
        const turnId = uuid7(t);
        const meta = { turn_id: turnId };
        if (!legacy)
          emit('event_msg', {
            type: 'task_started',
            turn_attribution: { turn_id: turnId, turn_trigger: 'user', parent_turn_id: null, root_turn_id: turnId },
            turn_id: turnId,
            root_turn_id: turnId,
            trace_id: hex(32),
            started_at: Math.floor(t / 1000),
            model_context_window: 258400,
          });
        else emit('event_msg', { type: 'task_started', model_context_window: 272000 });
        if (k === 0 && p === 0) {
          emit('response_item', {
            type: 'message',
            role: 'developer',
            content: [
              {
                type: 'input_text',
                text: `<permissions instructions>\n${words(int(600, 1600))}\n</permissions instructions>`,
              },
            ],
            internal_chat_message_metadata_passthrough: meta,
          });
          emit('response_item', {
            type: 'message',
            role: 'user',
            content: [
              {
                type: 'input_text',
                text: `<environment_context>\n  <cwd>${cwd}</cwd>\n  <shell>bash</shell>\n</environment_context>`,
              },
            ],
            internal_chat_message_metadata_passthrough: meta,
          });
        }
        emit('turn_context', {
          turn_id: turnId,
          root_turn_id: turnId,
          cwd,
          approval_policy: 'on-request',
          sandbox_policy: { type: 'workspace-write' },
          model,
          effort: 'medium',
          summary: 'auto',
          collaboration_mode: { mode: 'default', settings: { model } },
        });
        const prompt = words(int(5, 120));
        emit('response_item', {
          type: 'message',
          role: 'user',
          content: [{ type: 'input_text', text: prompt }],
          internal_chat_message_metadata_passthrough: meta,
        });
        if (!legacy)
          emit('event_msg', {
            type: 'item_completed',
            thread_id: threadId,
            turn_id: turnId,
            item: { type: 'UserMessage', id: uuid7(t), content: [{ type: 'text', text: prompt, text_elements: [] }] },
          });
        else emit('event_msg', { type: 'user_message', message: prompt, images: [] });
        s.turns++;
        const steps = int(1, 6);
        for (let r = 0; r < steps; r++) {
          const last = r === steps - 1;
          const respId = `resp_${(respSeq++).toString(36)}_${hex(8)}`;
          const input = int(8_000, 180_000);
          const cached = Math.floor(input * rnd() * 0.95);
          const reasoning = int(0, 2_000);
          const output = reasoning + int(20, 3_000);
          const usage = {
            input_tokens: input,
            cached_input_tokens: cached,
            cache_write_input_tokens: 0,
            output_tokens: output,
            reasoning_output_tokens: reasoning,
            total_tokens: input + output,
          };
          emit(
            'response_item',
            {
              type: 'reasoning',
              summary: [{ type: 'summary_text', text: words(int(10, 60)) }],
              content: null,
              encrypted_content: b64(int(1_500, 9_000)),
              internal_chat_message_metadata_passthrough: meta,
            },
            int(500, 20_000),
          );
          let callId: string | undefined;
          if (!last) {
            callId = `call_${hex(24)}`;
            emit('response_item', {
              type: 'function_call',
              name: 'exec_command',
              arguments: JSON.stringify({ cmd: `rg -n "${pick(WORDS)}" src` }),
              call_id: callId,
              internal_chat_message_metadata_passthrough: meta,
            });
          } else {
            const text = words(int(20, 400));
            if (!legacy)
              emit('event_msg', {
                type: 'item_completed',
                thread_id: threadId,
                turn_id: turnId,
                item: { type: 'AgentMessage', id: `msg_${respId}`, content: [{ type: 'Text', text }] },
              });
            else emit('event_msg', { type: 'agent_message', message: text });
            emit('response_item', {
              type: 'message',
              role: 'assistant',
              content: [{ type: 'output_text', text }],
              internal_chat_message_metadata_passthrough: meta,
            });
          }
          for (const k2 of Object.keys(total) as (keyof typeof total)[]) total[k2] += usage[k2];
          if (!legacy)
            emit('token_usage_record', {
              thread_id: threadId,
              turn_id: turnId,
              session_id: threadId,
              root_turn_id: turnId,
              response_id: respId,
              usage,
              turn_token_usage: usage,
              thread_token_usage: { ...total },
            });
          emit('event_msg', {
            type: 'token_count',
            info: { total_token_usage: { ...total }, last_token_usage: usage, model_context_window: 258400 },
            rate_limits: {
              limit_id: 'codex',
              primary: { used_percent: int(0, 100), window_minutes: 300 },
              secondary: null,
            },
          });
          s.responses++;
          if (callId) {
            const out = Array.from(
              { length: int(2, 400) },
              () => `src/${pick(WORDS)}.ts:${int(1, 900)}: ${words(int(4, 16))}`,
            ).join('\n');
            if (!legacy)
              emit(
                'event_msg',
                {
                  type: 'item_completed',
                  thread_id: threadId,
                  turn_id: turnId,
                  item: {
                    type: 'CommandExecution',
                    id: callId,
                    command: ['/bin/bash', '-lc', 'rg'],
                    cwd: `file://${cwd}`,
                    status: 'completed',
                    aggregated_output: out,
                    exit_code: 0,
                    duration: { secs: 0, nanos: int(1e6, 9e8) },
                  },
                },
                int(50, 3_000),
              );
            emit('response_item', {
              type: 'function_call_output',
              call_id: callId,
              output: `Process exited with code 0\nOutput:\n${out}`,
              internal_chat_message_metadata_passthrough: meta,
            });
          }
        }
        emit('event_msg', {
          type: 'task_complete',
          turn_id: turnId,
          last_agent_message: 'done',
          duration_ms: int(1_000, 120_000),
        });
      }
    }
    const text = lines.join('\n') + '\n';
    fs.writeFileSync(file, text);
    const mtime = new Date(t);
    fs.utimesSync(file, mtime, mtime);
    s.files++;
    s.bytes += Buffer.byteLength(text);
    s.lines += lines.length;
  }
  return s;
}
