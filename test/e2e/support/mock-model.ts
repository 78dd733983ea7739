// Loopback stand-in for the OpenAI Responses API, good enough to drive the real
// Codex CLI (0.169) through a full turn: tool call -> tool output -> answer.
// Every usage block it hands out is recorded, so tests can compute the ground
// truth for token accounting from what the "model" actually returned instead
// of trusting Codex's own telemetry.
import http from 'node:http';
import zlib from 'node:zlib';
import { listenOnLoopback } from '../../support/listen.js';

/** Token usage for one model response, in the flat shape tests reason about. */
export interface MockUsage {
  /** Includes the cached part, as in the real API. */
  input_tokens: number;
  cached_input_tokens: number;
  /** Includes the reasoning part, as in the real API. */
  output_tokens: number;
  reasoning_tokens: number;
}

/** What the mock decided to answer with. */
export type ResponseKind = 'tool_call' | 'message' | 'review';

export interface UsageContext {
  kind: ResponseKind;
  /** `model` field of the request body. */
  model: string;
  /** 0-based index of this response over the mock's lifetime. */
  index: number;
  threadId?: string;
  turnId?: string;
}

export type UsageFn = (ctx: UsageContext) => MockUsage;

/** One response the mock streamed back, with the usage it reported. */
export interface RecordedResponse {
  responseId: string;
  model: string;
  kind: ResponseKind;
  usage: MockUsage;
  /** Name of the tool called when kind === 'tool_call'. */
  toolName?: string;
  /** From the `thread-id` / `x-codex-turn-metadata` request headers, when Codex sent them. */
  threadId?: string;
  turnId?: string;
  /** Originator header (`codex_exec`, `codex_vscode`, ...). */
  originator?: string;
}

/** Every HTTP request the mock saw, for debugging and header assertions. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface MockModelOptions {
  /** Scripted usage: a queue consumed one per response, or a function. Falls back to DEFAULT_USAGE. */
  usage?: MockUsage[] | UsageFn;
  /** Shell command the tool step runs. Default `echo hi`. */
  command?: string;
  /** Assistant text after the tool output came back. */
  finalText?: string;
  /** Assistant text for turns answered without a tool ("no tools" prompts). */
  plainText?: string;
  /**
   * The tool call asks to run outside the sandbox (`sandbox_permissions: "require_escalated"`), so
   * an automated approval reviewer (`approvals_reviewer = "auto_review"`) assesses it; the mock
   * answers the reviewer's own request with GUARDIAN_JSON.
   */
  escalate?: boolean;
  /**
   * Mark assistant messages `phase: "final_answer"`, as the real API does: Codex exports
   * codex.agent_response (with `log_agent_responses`) only for final-answer messages.
   */
  finalAnswerPhase?: boolean;
}

export interface MockModel {
  /** Provider base_url, e.g. `http://127.0.0.1:PORT/v1`. */
  readonly url: string;
  readonly origin: string;
  readonly responses: RecordedResponse[];
  readonly requests: RecordedRequest[];
  /** Append usages to the queue (used before the function / defaults). */
  enqueueUsage(...u: MockUsage[]): void;
  /** Replace the usage source; pass undefined to go back to the defaults. */
  setUsage(usage: MockUsage[] | UsageFn | undefined): void;
  /** Sum of recorded usage, optionally filtered (e.g. by threadId). */
  totals(filter?: (r: RecordedResponse) => boolean): MockUsage;
  close(): Promise<void>;
}

/** Same numbers the fixture captures used, so tests can compare against them. */
export const DEFAULT_USAGE: Record<ResponseKind, MockUsage> = {
  tool_call: { input_tokens: 2000, cached_input_tokens: 1500, output_tokens: 40, reasoning_tokens: 10 },
  message: { input_tokens: 2100, cached_input_tokens: 2000, output_tokens: 30, reasoning_tokens: 5 },
  review: { input_tokens: 3000, cached_input_tokens: 0, output_tokens: 120, reasoning_tokens: 40 },
};

export function sumUsage(list: MockUsage[]): MockUsage {
  const t: MockUsage = { input_tokens: 0, cached_input_tokens: 0, output_tokens: 0, reasoning_tokens: 0 };
  for (const u of list) {
    t.input_tokens += u.input_tokens;
    t.cached_input_tokens += u.cached_input_tokens;
    t.output_tokens += u.output_tokens;
    t.reasoning_tokens += u.reasoning_tokens;
  }
  return t;
}

// The wire shape Codex parses out of `response.completed`.
function wireUsage(u: MockUsage) {
  return {
    input_tokens: u.input_tokens,
    input_tokens_details: { cached_tokens: u.cached_input_tokens },
    output_tokens: u.output_tokens,
    output_tokens_details: { reasoning_tokens: u.reasoning_tokens },
    total_tokens: u.input_tokens + u.output_tokens,
  };
}

type SseEvent = { type: string; [k: string]: unknown };

function messageEvents(id: string, model: string, text: string, u: MockUsage, phase?: string): SseEvent[] {
  const item = {
    type: 'message',
    role: 'assistant',
    id: `msg_${id}`,
    ...(phase ? { phase } : {}),
    content: [{ type: 'output_text', text }],
  };
  return [
    { type: 'response.created', response: { id, model } },
    { type: 'response.output_item.added', output_index: 0, item: { ...item, content: [] } },
    { type: 'response.output_text.delta', item_id: item.id, output_index: 0, content_index: 0, delta: text },
    { type: 'response.output_item.done', output_index: 0, item },
    { type: 'response.completed', response: { id, model, usage: wireUsage(u) } },
  ];
}

function toolEvents(id: string, model: string, name: string, args: unknown, u: MockUsage): SseEvent[] {
  const item = { type: 'function_call', id: `fc_${id}`, call_id: `call_${id}`, name, arguments: JSON.stringify(args) };
  return [
    { type: 'response.created', response: { id, model } },
    { type: 'response.output_item.added', output_index: 0, item },
    { type: 'response.output_item.done', output_index: 0, item },
    { type: 'response.completed', response: { id, model, usage: wireUsage(u) } },
  ];
}

// Codex offers different shell tools depending on the surface: `exec_command`
// for exec/app-server, `shell_command` for the TUI, `shell` on older builds.
// Each takes differently shaped arguments.
function pickShellTool(tools: unknown[], command: string, cwd: string | undefined) {
  const names = tools.map((t) => (t as { name?: string; type?: string }).name ?? (t as { type?: string }).type);
  if (names.includes('exec_command')) return { name: 'exec_command', args: { cmd: command } };
  if (names.includes('shell_command'))
    return { name: 'shell_command', args: cwd ? { command, workdir: cwd } : { command } };
  if (names.includes('shell')) return { name: 'shell', args: { command: ['bash', '-lc', command] } };
  return undefined;
}

type InputItem = { type?: string; role?: string; content?: unknown };

function textOf(item: InputItem | undefined): string {
  if (!item) return '';
  if (typeof item.content === 'string') return item.content;
  if (!Array.isArray(item.content)) return '';
  return item.content.map((c: { text?: string }) => c?.text ?? '').join('\n');
}

function headerStr(h: http.IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

function turnIdFrom(headers: http.IncomingHttpHeaders): string | undefined {
  const raw = headerStr(headers, 'x-codex-turn-metadata');
  if (!raw) return undefined;
  try {
    return (JSON.parse(raw) as { turn_id?: string }).turn_id;
  } catch {
    return undefined;
  }
}

function decodeBody(buf: Buffer, encoding: string | undefined): Buffer {
  // Codex compresses request bodies only on some auth paths; be tolerant anyway.
  switch (encoding) {
    case 'gzip':
      return zlib.gunzipSync(buf);
    case 'br':
      return zlib.brotliDecompressSync(buf);
    case 'deflate':
      return zlib.inflateSync(buf);
    default:
      return buf;
  }
}

const REVIEW_JSON = {
  findings: [
    {
      title: '[P1] Greeting ignores provided name',
      body: 'The function always returns a fixed string.',
      confidence_score: 0.8,
      priority: 1,
      code_location: { absolute_file_path: '/tmp/hello.py', line_range: { start: 1, end: 2 } },
    },
  ],
  overall_correctness: 'patch is incorrect',
  overall_explanation: 'One functional bug.',
  overall_confidence_score: 0.7,
};

/** The reviewer's verdict, in the JSON schema its prompt asks for. */
export const GUARDIAN_JSON = {
  risk_level: 'medium',
  user_authorization: 'high',
  outcome: 'allow',
  rationale: 'The user asked for this command; it only prints a word.',
};
// The reviewer's prompt ends with this instruction (Codex 0.169 and 0.171).
const GUARDIAN_MARK = 'final message must be strict JSON';

export async function startMockModel(opts: MockModelOptions = {}): Promise<MockModel> {
  const command = opts.command ?? 'echo hi';
  const finalText = opts.finalText ?? 'Done: the command printed hi.';
  const plainText = opts.plainText ?? 'Hello from the mock model.';
  const responses: RecordedResponse[] = [];
  const requests: RecordedRequest[] = [];
  let queue: MockUsage[] = [];
  let usageFn: UsageFn | undefined;
  let seq = 0;
  const setUsage = (u: MockUsage[] | UsageFn | undefined) => {
    queue = Array.isArray(u) ? [...u] : [];
    usageFn = typeof u === 'function' ? u : undefined;
  };
  setUsage(opts.usage);
  // Unique per mock instance too, so ids never collide across servers in one test run.
  const idPrefix = `resp_${process.pid}_${Date.now().toString(36)}`;

  function nextUsage(ctx: UsageContext): MockUsage {
    const queued = queue.shift();
    if (queued) return { ...queued };
    if (usageFn) return { ...usageFn(ctx) };
    return { ...DEFAULT_USAGE[ctx.kind] };
  }

  function handleResponses(req: http.IncomingMessage, body: string, res: http.ServerResponse) {
    let j: { model?: string; input?: InputItem[]; tools?: unknown[]; instructions?: unknown } = {};
    try {
      j = JSON.parse(body);
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'mock: body is not JSON' } }));
      return;
    }
    const input = Array.isArray(j.input) ? j.input : [];
    const model = j.model ?? 'unknown';
    let lastUserIdx = -1;
    input.forEach((x, i) => {
      if (x.type === 'message' && x.role === 'user') lastUserIdx = i;
    });
    const userText = textOf(input[lastUserIdx]);
    // A tool output after the latest user message means the tool step is done.
    const toolDone = input.slice(lastUserIdx + 1).some((x) => x.type === 'function_call_output');
    const allText = JSON.stringify(input) + JSON.stringify(j.instructions ?? '');

    const cwdMatch = /<cwd>([^<]+)<\/cwd>/.exec(allText);
    const tool = pickShellTool(Array.isArray(j.tools) ? j.tools : [], command, cwdMatch?.[1]);
    let kind: ResponseKind;
    const guardian = opts.escalate === true && allText.includes(GUARDIAN_MARK);
    if (/overall_correctness/.test(allText)) kind = 'review';
    else if (guardian) kind = 'message';
    else if (!toolDone && tool && !/no tools/i.test(userText)) kind = 'tool_call';
    else kind = 'message';

    const index = seq++;
    const responseId = `${idPrefix}_${index}`;
    const threadId = headerStr(req.headers, 'thread-id') ?? headerStr(req.headers, 'session-id');
    const turnId = turnIdFrom(req.headers);
    const usage = nextUsage({ kind, model, index, threadId, turnId });
    const rec: RecordedResponse = {
      responseId,
      model,
      kind,
      usage,
      threadId,
      turnId,
      originator: headerStr(req.headers, 'originator'),
    };

    let events: SseEvent[];
    if (kind === 'tool_call' && tool) {
      rec.toolName = tool.name;
      const args = opts.escalate
        ? { ...tool.args, sandbox_permissions: 'require_escalated', justification: 'The user asked to run it.' }
        : tool.args;
      events = toolEvents(responseId, model, tool.name, args, usage);
    } else if (kind === 'review') {
      events = messageEvents(responseId, model, JSON.stringify(REVIEW_JSON), usage);
    } else if (guardian) {
      events = messageEvents(responseId, model, JSON.stringify(GUARDIAN_JSON), usage);
    } else {
      const phase = opts.finalAnswerPhase ? 'final_answer' : undefined;
      events = messageEvents(responseId, model, toolDone ? finalText : plainText, usage, phase);
    }
    responses.push(rec);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    for (const e of events) res.write(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
    res.end();
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0];
      let body: string;
      try {
        body = decodeBody(Buffer.concat(chunks), headerStr(req.headers, 'content-encoding')).toString('utf8');
      } catch {
        body = '';
      }
      requests.push({ method: req.method ?? 'GET', path, headers: req.headers, body });
      const json = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      if (req.method === 'POST' && path.endsWith('/responses')) return handleResponses(req, body, res);
      // Codex probes turn pricing at process start; "pending" is the harmless answer.
      if (path.endsWith('/turn-costs')) {
        let ids: string[] = [];
        try {
          ids = (JSON.parse(body) as { turn_ids?: string[] }).turn_ids ?? [];
        } catch {
          /* ignore */
        }
        return json(200, { turns: ids.map((turn_id) => ({ turn_id, status: 'pending' })) });
      }
      // An empty catalog makes Codex fall back to its bundled model metadata.
      if (path.endsWith('/models')) return json(200, { data: [], models: [] });
      return json(200, {});
    });
  });
  // Codex holds keep-alive connections; don't let them block close().
  server.keepAliveTimeout = 1000;
  const { origin } = await listenOnLoopback(server);

  return {
    url: `${origin}/v1`,
    origin,
    responses,
    requests,
    enqueueUsage: (...u) => void queue.push(...u),
    setUsage,
    totals: (filter) => sumUsage(responses.filter(filter ?? (() => true)).map((r) => r.usage)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
