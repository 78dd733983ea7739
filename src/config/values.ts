import { z } from 'zod';

// A boolean setting: a TOML boolean, or from the environment "true/false", "1/0", "yes/no", "on/off".
// Anything else fails at start. (z.coerce.boolean would read the string "false" as true, which for a
// privacy setting such as analytics.show_emails means failing open.)
export const flag = z.union([z.boolean(), z.stringbool()]);

// A map of workspace id to secret. In steward.toml a table; from the environment (one variable, since
// workspace ids are UUIDs and cannot be part of a variable name) "id=secret,id=secret": split at the
// first "=", so a secret may hold "=" but not ",". Zod messages name the key, never the value.
export const secretMap = z.preprocess(
  (v, ctx) => {
    if (typeof v !== 'string') return v;
    const out: Record<string, string> = {};
    for (const pair of v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      const at = pair.indexOf('=');
      if (at <= 0) {
        ctx.addIssue({ code: 'custom', message: 'expected "workspace_id=secret" pairs separated by commas' });
        return z.NEVER;
      }
      out[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
    }
    return out;
  },
  z.record(z.string().min(1, 'a workspace id is empty'), z.string().min(1)),
);
