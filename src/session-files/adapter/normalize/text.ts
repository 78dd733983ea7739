// Message text, injected-context detection and tool-output parsing shared by the item normalizers.
import { type LineFact, type Obj, isObj } from './facts.js';
import { durationToMs } from './usage.js';

export function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const parts: string[] = [];
  for (const c of content) {
    if (typeof c === 'string') parts.push(c);
    else if (isObj(c) && typeof c.text === 'string') parts.push(c.text);
  }
  return parts.join('\n');
}

export function imageCount(content: unknown): number | undefined {
  if (!Array.isArray(content)) return undefined;
  const n = content.filter((c) => isObj(c) && typeof c.type === 'string' && /image/i.test(c.type)).length;
  return n || undefined;
}

// Messages the harness writes with role "user" that the user did not type.
const INJECTED_PREFIXES = [
  '<environment_context>',
  '<user_instructions>',
  '<user_action>',
  '# AGENTS.md instructions',
  '<INSTRUCTIONS>',
  '<turn_aborted>',
  '<user_shell_command>',
  '<permissions instructions>',
  '<skills_instructions>',
  '<subagent_notification>',
  '<collaboration_mode>',
  '<model_switch>',
];

export function isInjectedUserText(text: string): boolean {
  const t = text.trimStart();
  return INJECTED_PREFIXES.some((p) => t.startsWith(p));
}

/** 0.169 labels every content item: `content_item_kinds: ["user.text"]` / provenance `user` is typed input. */
/**
 * The fact of an item_completed's typed prompt (UserMessage), for the full decode (event-msg.ts) and
 * the usage-only mode's hand check (usage-lines.ts) alike.
 */
export function typedPromptFact(
  content: unknown,
  turnId: string | undefined,
  itemThreadId: string | undefined,
  itemId: string | undefined,
): LineFact {
  const text = textOf(content);
  const injected = isInjectedUserText(text);
  return {
    f: 'user_text',
    text,
    canonical: !injected,
    injected,
    origin: 'item_completed',
    turnId,
    itemThreadId,
    itemId,
    images: imageCount(content),
  };
}

export function genuineByMetadata(meta: Obj | null | undefined): boolean | undefined {
  if (!meta) return undefined;
  const kinds = meta.content_item_kinds;
  const prov = meta.content_item_metadata;
  if (Array.isArray(prov) && prov.some((p) => isObj(p) && isObj(p.provenance) && p.provenance.type === 'user'))
    return true;
  if (Array.isArray(kinds)) return kinds.includes('user.text');
  return undefined;
}

export interface ToolOutputInfo {
  text?: string;
  exitCode?: number;
  durationMs?: number;
  success?: boolean;
}

/**
 * A function_call_output `output`: a plain string (0.169: "Process exited with code 0\nWall
 * time: 0.1 seconds…"), an older JSON string `{"output": …, "metadata": {"exit_code", "duration_seconds"}}`,
 * or an object `{content, success}` / a content array.
 */
export function parseToolOutput(output: unknown): ToolOutputInfo {
  const out: ToolOutputInfo = {};
  if (typeof output === 'string') {
    out.text = output;
    const t = output.trimStart();
    if (t.startsWith('{')) {
      try {
        const j = JSON.parse(t) as unknown;
        if (isObj(j) && isObj(j.metadata)) {
          if (typeof j.metadata.exit_code === 'number') out.exitCode = j.metadata.exit_code;
          out.durationMs = durationToMs(j.metadata.duration_seconds, 's');
        }
        if (isObj(j) && typeof j.success === 'boolean') out.success = j.success;
      } catch {
        /* plain text that starts with "{" */
      }
    }
    if (out.exitCode === undefined) {
      const m = /(?:Process exited with code|^Exit code:)\s*(-?\d+)/m.exec(output.slice(0, 4096));
      if (m) out.exitCode = Number(m[1]);
    }
    if (out.durationMs === undefined) {
      const m = /^Wall time:\s*([\d.]+)\s*seconds/m.exec(output.slice(0, 4096));
      if (m) out.durationMs = durationToMs(Number(m[1]), 's');
    }
    if (out.exitCode === undefined && /^unsupported call:/.test(t)) out.success = false;
  } else if (Array.isArray(output)) {
    out.text = textOf(output);
  } else if (isObj(output)) {
    out.text =
      typeof output.content === 'string'
        ? output.content
        : Array.isArray(output.content)
          ? textOf(output.content)
          : JSON.stringify(output);
    if (typeof output.success === 'boolean') out.success = output.success;
  }
  if (out.exitCode !== undefined && out.success === undefined) out.success = out.exitCode === 0;
  return out;
}

export const argString = (x: unknown): string | undefined =>
  x === undefined || x === null ? undefined : typeof x === 'string' ? x : JSON.stringify(x);
