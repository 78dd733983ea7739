import { z } from 'zod';

// [accounts] in steward.toml: browser sessions and sign-in throttling (decisions/0022).
const minutes = (d: number) => z.coerce.number().int().min(1).default(d);
export const accountsSchema = z
  .object({
    // A session ends after this long without a request, and in any case this long after sign-in.
    session_idle_minutes: minutes(60),
    session_absolute_hours: z.coerce.number().int().min(1).default(12),
    // Reset links an owner hands out, and the setup link serve prints on first start.
    link_hours: z.coerce.number().int().min(1).default(24),
    // Failed sign-ins allowed per account (and per address) before each further one waits, the wait
    // doubling from one second up to the cap; a failure older than the cap is forgotten.
    account_free_failures: z.coerce.number().int().min(1).default(5),
    address_free_failures: z.coerce.number().int().min(1).default(20),
    throttle_cap_minutes: minutes(15),
  })
  .strict()
  .default({
    session_idle_minutes: 60,
    session_absolute_hours: 12,
    link_hours: 24,
    account_free_failures: 5,
    address_free_failures: 20,
    throttle_cap_minutes: 15,
  });
