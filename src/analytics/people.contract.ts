// GET .../users/:user_id/threads, GET .../adoption and .../adoption/seats: the dashboard's reads about people.
import { z } from 'zod';
import {
  cursorQuery,
  enumQuery,
  limitQuery,
  offsetQuery,
  textQuery,
  timeQuery,
  workspaceParams,
} from '../platform/http/query.contract.js';
import { SEAT_SORTS, SEAT_STATES } from './people.repository.js';
import { pageOf } from './analytics.contract.js';

const n = z.number();
const thread = z.object({
  object: z.literal('codex.thread'),
  thread_id: z.string(),
  user_id: z.string(),
  client_id: z.string().describe('The surface the thread began on (codex_cli_rs, codex_vscode, …).'),
  model: z.string().nullable(),
  host_name: z.string().nullable().describe('The machine it ran on, when the client sent its name.'),
  started_at: n.describe('When the thread was first seen, Unix seconds.'),
  last_activity_at: n.describe('Its newest turn (or its start), Unix seconds.'),
  turns: n,
  model_requests: n,
  credits: n,
  text_total_tokens: n.describe('Input (cached included) plus output tokens, as the usage rows count them.'),
});

export const THREADS_MAX_LIMIT = 500;

export const userThreadsRoute = {
  summary: "One user's threads, newest first, with their turns and tokens",
  description:
    'Threads first seen in [start_time, end_time), the ones the usage rows count as threads: helper threads ' +
    '(title generation, sub-agents) are not listed, though their tokens count in the usage rows. A member ' +
    'reaches only their own (any other user is a 404 to them). ' +
    "Reading another person's threads appends an AUDIT_LOG record (person_data.viewed). Drill " +
    'into a thread with the Compliance API: GET /v1/compliance/workspaces/{workspace_id}/search?thread_id=….',
  params: workspaceParams.extend({ user_id: z.string().describe('The user id.') }),
  querystring: z.object({
    start_time: timeQuery('start_time', 'Inclusive. Default: 30 days before end_time.'),
    end_time: timeQuery('end_time', 'Exclusive. Default: now.'),
    limit: limitQuery(50, THREADS_MAX_LIMIT),
    page: cursorQuery('The next_page cursor of the previous page.'),
  }),
  page: pageOf(thread),
};

const seat = z.object({
  user_id: z.string(),
  email: z
    .string()
    .nullable()
    .describe("null unless emails are shown (analytics.show_emails and the workspace's settings)."),
  role: z.string(),
  added_at: n.describe('When the user was added, Unix seconds.'),
  has_key: z.boolean().describe('Holds a key that works now (not revoked, not expired), of any scope.'),
  has_sign_in: z.boolean().describe('Has a password set or a browser session (single sign-on).'),
  first_active_at: n
    .nullable()
    .describe('Start of the first UTC day with a counted turn (as active users count); null: never active.'),
  last_active_at: n.nullable().describe('Start of the newest UTC day with a counted turn.'),
  days_to_first_use: n.nullable().describe('Whole days from being added to the first active day (0 at least).'),
  idle_days: n.nullable().describe('Whole UTC days since the last active day (0: active today).'),
  machines: n.describe('Distinct machines seen: thread host names and session-file uploaders.'),
  turns_30d: n.describe('Turns in the last 30 UTC days, today included.'),
});

export const SEATS_MAX_LIMIT = 1000;

export const adoptionRoute = {
  summary: 'Seat and activation figures: who holds a key or signs in, who was never active, who went quiet',
  description:
    'Seats are the workspace users, without removed users and service identities. never_active counts ' +
    'seats with a key or a sign-in and no usage ever; inactive["N"] counts activated seats idle N days or ' +
    'more (no usage in the last N UTC days, today included). The seats themselves: GET .../adoption/seats. ' +
    'Names nobody, so no person_data.viewed record.',
  params: workspaceParams,
  querystring: z.object({}),
  response: z.object({
    object: z.literal('codex.adoption'),
    as_of: n,
    seats: n,
    with_key: n,
    with_sign_in: n,
    set_up: n.describe('Seats with a key or a sign-in.'),
    activated: n.describe('Seats ever active (a counted turn).'),
    never_active: n,
    active_last_14_days: n,
    inactive: z.object({ '14': n, '30': n, '60': n }),
    median_days_to_first_use: n.nullable(),
    days_to_first_use: z
      .object({ '0': n, '1-7': n, '8-30': n, '31+': n })
      .describe('Activated seats by whole days from being added to the first active day.'),
  }),
};

export const adoptionSeatsRoute = {
  summary: 'The seats, a page at a time: filtered by state, sorted on the server',
  description:
    'state: never_active (a key or a sign-in, no usage ever), active (active in the last 14 UTC days), ' +
    'inactive_N (activated, idle N days or more), all. Seats without activity sort last on the activity ' +
    'columns, either way; ties by user id. total counts the seats of every page. A person-level read: ' +
    "appends one AUDIT_LOG person_data.viewed record naming the page's people.",
  params: workspaceParams,
  querystring: z.object({
    state: enumQuery(SEAT_STATES, 'all', `must be one of ${SEAT_STATES.join(', ')}`),
    sort: enumQuery(SEAT_SORTS, 'idle_days', `must be one of ${SEAT_SORTS.join(', ')}`),
    order: enumQuery(['asc', 'desc'] as const, 'desc', 'must be asc or desc'),
    user_id: textQuery('Only these users: ids separated by commas (at most 1,000).', 40_000),
    search: textQuery(
      'Only seats whose email holds this text, in any case (their user id instead where emails are not shown).',
      200,
    ),
    limit: limitQuery(100, SEATS_MAX_LIMIT),
    offset: offsetQuery,
  }),
  response: z.object({
    object: z.literal('page'),
    data: z.array(seat),
    has_more: z.boolean(),
    next_offset: n.nullable(),
    total: n.describe('Seats in the state, on every page.'),
  }),
};
