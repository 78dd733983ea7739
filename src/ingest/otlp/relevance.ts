// Most of a Codex batch is streaming noise (SSE deltas, startup phases, API request timings).
// Decoders read `event.name` (and `event.kind`) first; only records that normalize.ts turns into
// facts get their full attribute map.
const COUNTED = new Set(['codex.conversation_starts', 'codex.user_prompt', 'codex.tool_decision', 'codex.tool_result']);

/** The events normalize.ts can turn into a fact (an SSE event only when it is response.completed). */
export function isFactEvent(name: string): boolean {
  return COUNTED.has(name) || name === 'codex.sse_event';
}

/** Noise: decoded for nothing, kept nowhere (every other codex.* event is kept, decisions/0024). */
export function isNoise(name: string): boolean {
  return KNOWN_NOISE.has(name);
}

// Events of the telemetry reference that Steward keeps as they came (no facts of their own): not
// "unknown", though nothing reads them yet. The three with meaning are handled in normalize.ts.
const KEPT = new Set([
  'codex.agent_response',
  'codex.guardian_assessment',
  'codex.skill_invocation',
  'codex.sandbox_outcome',
  'codex.auth_recovery',
  'codex.plugin_install_elicitation_sent',
  'codex.plugin_install_suggestion',
  'codex.turn_cost',
]);

/** An event name the telemetry reference describes (kept as `known`), else an unknown one. */
export function isKnownEvent(name: string): boolean {
  return KEPT.has(name) || COUNTED.has(name) || KNOWN_NOISE.has(name);
}

export function isCountedEvent(name: string | undefined, kind: string | undefined): boolean {
  if (name === undefined) return false;
  if (COUNTED.has(name)) return true;
  if (name === 'codex.sse_event') return kind === 'response.completed';
  // Unknown codex.* events are kept whole: a later release may give them meaning.
  return name.startsWith('codex.') && !KNOWN_NOISE.has(name);
}

const KNOWN_NOISE = new Set([
  'codex.sse_event',
  'codex.startup_phase',
  'codex.api_request',
  'codex.turn_ttft',
  'codex.websocket_connect',
  'codex.websocket_request',
]);
