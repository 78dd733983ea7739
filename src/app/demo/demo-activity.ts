// The demo's Codex activity, one day at a time, as the normalized events an OTLP collector's batches
// become (core/events.ts): threads, turns, model responses with token usage, tool calls (built-in
// and MCP, with approval decisions, failures and durations) and skill invocations. Pure and seeded
// per day, so the days can be made in any order and a test can replay them to recompute the totals.
import type { NormalizedEvent, ToolCall, TurnStarted } from '../../core/events.js';
import { DAY_MS, dayOf } from '../../core/time.js';
import { prng } from '../../core/random.js';
import { gaussian, MODELS, pick, SURFACES, type DemoPerson, type DemoSpec } from './demo-people.js';

export interface DemoDay {
  index: number; // 0 = the oldest day
  day: number; // days since epoch (UTC)
  /** The day's events, each with the person's email as its claim (a shared collector's batches). */
  events: NormalizedEvent[];
  /** Whether the events carry content (prompts, tool arguments) for the archive. */
  content: boolean;
}

const TOOLS = ['shell', 'apply_patch', 'update_plan', 'read_file', 'web_search', 'view_image'];
const TOOL_WEIGHTS = [46, 24, 8, 10, 4, 1];
const MCP_TOOLS = [
  'mcp__github__get_pull_request',
  'mcp__github__create_issue',
  'mcp__linear__create_issue',
  'mcp__sentry__get_issue',
  'mcp__postgres__query',
  'mcp__figma__get_file',
];
const DECISIONS = ['approved', 'approved_for_session', 'denied', 'abort'];
const DECISION_WEIGHTS = [70, 22, 6, 2];
const SKILLS = [
  ['pdf-reader', 'user'],
  ['release-notes', 'repo'],
  ['migration-helper', 'repo'],
  ['security-review', 'system'],
] as const;
const PROMPTS = [
  'Fix the failing test in the payments service',
  'Add pagination to the users endpoint',
  'Explain what this function does and suggest a simpler version',
  'Write a migration that adds an index on orders.created_at',
  'Refactor the retry logic into a helper',
  'Why does the build fail on CI but not locally?',
];
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Seeded from the demo's seed and the day, so one day's events do not depend on the others. */
function dayRandom(seed: number, day: number): () => number {
  return prng((seed * 0x9e3779b1) ^ (day * 0x85ebca6b));
}

// A thread id as Codex makes one: a UUIDv7, its first 48 bits the thread's start time (ms), so
// keys that begin with it (threads, turns, responses, tool calls) sort by time as real ones do.
function uuidV7At(ms: number, rnd: () => number): string {
  let h = ms.toString(16).padStart(12, '0').slice(-12);
  rnd(); // the random bits the timestamp replaces: the rest of the day's stream is unchanged
  for (let i = 0; i < 3; i++)
    h += Math.floor(rnd() * 0x100000000)
      .toString(16)
      .padStart(8, '0');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-7${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Whether the person is active on the day: weekends are quiet, adoption and churn bound it. */
function activeOn(p: DemoPerson, index: number, day: number, rnd: () => number): boolean {
  if (p.neverActive || index < p.firstDay || index > p.lastDay) return false;
  const weekday = (day + 4) % 7; // 0 = Sunday (1970-01-01 was a Thursday)
  const rate = weekday === 0 || weekday === 6 ? p.rate * 0.12 : p.rate;
  return rnd() < rate;
}

function fakeSecret(rnd: () => number): string {
  let s = 'ghp_';
  for (let i = 0; i < 36; i++) s += ALNUM[Math.floor(rnd() * ALNUM.length)];
  return s;
}

export function demoDay(spec: DemoSpec, people: readonly DemoPerson[], index: number, content: boolean): DemoDay {
  const day = dayOf(spec.now) - (spec.days - 1) + index;
  const rnd = dayRandom(spec.seed, day);
  const events: NormalizedEvent[] = [];
  // Nothing after the demo's clock: today is filled up to a minute ago.
  const until = spec.now - 60_000;
  let n = 0;
  let leaked = 0;
  const d = () => `demo:${day}:${n++}`;
  for (const p of people) {
    if (!activeOn(p, index, day, rnd)) continue;
    // Heavy-tailed turns per day around the person's own mean; a thread every few turns.
    const turns = Math.max(1, Math.round(p.intensity * Math.exp(0.6 * gaussian(rnd) - 0.18)));
    let left = turns;
    while (left > 0) {
      const inThread = Math.min(left, 1 + Math.floor(rnd() * 6));
      left -= inThread;
      const originator = SURFACES[pick(p.surfaces, rnd)]!;
      const model = MODELS[pick(p.models, rnd)]!;
      // Working hours, UTC-ish, with a lunch dip; a thread's turns a few minutes apart, same day.
      const hour = 7 + Math.floor(rnd() * 11) + (rnd() < 0.2 ? 1 : 0);
      const start = day * DAY_MS + hour * 3_600_000 + Math.floor(rnd() * 3_000_000);
      if (start + inThread * 600_000 > until) continue;
      const threadId = uuidV7At(start, rnd);
      // Each event written out whole rather than spread from a common base: measured, the spreads
      // were most of the generator's time (it runs for every one of ~2.7 M events).
      const emailClaim = p.email;
      const base = { key: '', threadId, originator, model, emailClaim };
      events.push({
        key: '',
        threadId,
        originator,
        model,
        emailClaim,
        kind: 'thread_started',
        ts: start,
        discriminator: d(),
        threadKind: 'user',
      });
      let ts = start;
      let context = 8_000 + Math.floor(rnd() * 12_000);
      for (let t = 0; t < inThread; t++) {
        ts += 30_000 + Math.floor(rnd() * 500_000);
        const prompt = content ? promptText(rnd, leaked++ === 0) : undefined;
        const turn: TurnStarted = {
          key: '',
          threadId,
          originator,
          model,
          emailClaim,
          kind: 'turn',
          ts,
          discriminator: d(),
          threadKind: 'user',
          promptLength: prompt?.length ?? 20 + Math.floor(rnd() * 400),
        };
        if (prompt) turn.prompt = prompt;
        events.push(turn);
        if (t === 0 && rnd() < 0.05) {
          const [skillName, skillScope] = SKILLS[Math.floor(rnd() * SKILLS.length)]!;
          const attributes = { 'skill.name': skillName, 'skill.scope': skillScope };
          events.push({
            key: '',
            threadId,
            originator,
            model,
            emailClaim,
            kind: 'observation',
            ts: ts + 1_000,
            discriminator: d(),
            name: 'codex.skill_invocation',
            category: 'skill_invocation',
            skillName,
            skillScope,
            attributes,
          });
        }
        const calls = rnd() < 0.4 ? 1 + Math.floor(rnd() * 2) : 0;
        for (let c = 0; c < calls; c++) events.push(toolCall(base, ts + 2_000 + c * 4_000, rnd, content));
        // The context grows along the thread; most of it is cached after the first turn.
        context += 2_000 + Math.floor(rnd() * 9_000);
        const input = Math.round(context * Math.exp(0.3 * gaussian(rnd)));
        const cached = t === 0 ? Math.floor(input * 0.3 * rnd()) : Math.floor(input * (0.75 + 0.2 * rnd()));
        const output = Math.round(300 + 1_200 * Math.exp(0.8 * gaussian(rnd)));
        const reasoning = Math.round(output * (0.2 + 0.5 * rnd()));
        events.push({
          key: '',
          threadId,
          originator,
          model,
          emailClaim,
          kind: 'response',
          ts: ts + 20_000,
          discriminator: d(),
          tokens: { input, cached, output, reasoning },
        });
      }
    }
  }
  return { index, day, events, content };
}

// A few prompts carry a token pasted by mistake (the first of each archived day, and one in 500): the
// DLP rules find them (CODEX_SECURITY_LOG).
function promptText(rnd: () => number, leak: boolean): string {
  const text = PROMPTS[Math.floor(rnd() * PROMPTS.length)]!;
  return rnd() < 0.002 || leak ? `${text}, using the token ${fakeSecret(rnd)}` : text;
}

function toolCall(
  base: { key: string; threadId: string; originator: string; model: string; emailClaim: string },
  ts: number,
  rnd: () => number,
  content: boolean,
): NormalizedEvent {
  const toolName = rnd() < 0.15 ? MCP_TOOLS[Math.floor(rnd() * MCP_TOOLS.length)]! : TOOLS[pick(TOOL_WEIGHTS, rnd)]!;
  const decision = DECISIONS[pick(DECISION_WEIGHTS, rnd)]!;
  const ran = decision === 'approved' || decision === 'approved_for_session';
  const callId = `call_${Math.floor(rnd() * 2 ** 48).toString(36)}`;
  const { threadId, originator, model, emailClaim } = base;
  const call: ToolCall = {
    key: '',
    threadId,
    originator,
    model,
    emailClaim,
    kind: 'tool',
    ts,
    discriminator: callId,
    callId,
    toolName,
    decision,
    decisionSource: rnd() < 0.6 ? 'config' : 'user',
  };
  if (ran) {
    call.success = rnd() >= 0.08;
    call.durationMs = Math.round(40 * Math.exp(1.3 * gaussian(rnd) + 1));
    if (content) {
      call.arguments = '{"command":["npm","test"]}';
      call.output = 'ok';
    }
  }
  return call;
}
