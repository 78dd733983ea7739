import { z } from 'zod';

// A boolean setting: a TOML boolean, or from the environment "true/false", "1/0", "yes/no", "on/off".
// Anything else fails at start. (z.coerce.boolean would read the string "false" as true, which for a
// privacy setting such as analytics.show_emails means failing open.)
export const flag = z.union([z.boolean(), z.stringbool()]);
