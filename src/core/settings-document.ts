// The workspace settings document (workspaces.settings): one JSON object holding a section per
// owner ("analytics": decisions/0052, "compliance": the content policy). Each writer replaces its own
// section and keeps the others; a document that cannot be read is never rewritten, because a writer
// starting from {} would drop the other sections, and an analytics section that was unreadable (so
// applied closed) would be replaced by nothing (the server's defaults: a privacy setting failing open).
import { StewardError } from './errors.js';

type Parsed = { ok: true; doc: Record<string, unknown> } | { ok: false };

export function parseSettings(json: string | null | undefined): Parsed {
  try {
    const doc = JSON.parse(json || '{}') as unknown;
    if (doc && typeof doc === 'object' && !Array.isArray(doc)) return { ok: true, doc: doc as Record<string, unknown> };
  } catch {
    // below
  }
  return { ok: false };
}

/** The document with `section` set to `value`; a 409 naming the problem when the stored one is unreadable. */
export function withSettingsSection(json: string | null | undefined, section: string, value: unknown): string {
  const parsed = parseSettings(json);
  if (!parsed.ok)
    throw new StewardError(
      'conflict',
      `the workspace's settings document cannot be read (not a JSON object); changing "${section}" would ` +
        'drop its other sections: repair workspaces.settings first',
    );
  return JSON.stringify({ ...parsed.doc, [section]: value });
}
