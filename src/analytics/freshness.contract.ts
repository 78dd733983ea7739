// GET .../freshness: how current each source's data is (the dashboard's data freshness indicator).
import { z } from 'zod';
import { workspaceParams } from '../platform/http/query.contract.js';

const at = z.number().nullable();
export const FRESHNESS_SOURCES = ['otlp', 'rollout', 'api', 'code_review'] as const;

export const freshnessRoute = {
  summary: 'How current the data is: the newest event, overall and per source',
  description:
    'Per source (otlp: Codex OpenTelemetry exporters; rollout: session files uploaded or imported; api: the ' +
    'JSON ingest API; code_review: GitHub webhooks and the Code Review ingest API), the newest event time ' +
    'among the facts it stored and when it last stored one. Every source is listed; one that never sent ' +
    'anything has nulls. stored_at is null for data stored before Steward kept it. Read from the read ' +
    'replica when one is configured (its lag in X-Steward-Replica-Lag-Ms). Names nobody.',
  params: workspaceParams,
  querystring: z.object({}),
  response: z.object({
    object: z.literal('codex.freshness'),
    as_of: z.number().describe('When this was read, Unix milliseconds.'),
    newest_event_at: at.describe("The newest of the sources' newest events, Unix milliseconds."),
    sources: z.array(
      z.object({
        source: z.enum(FRESHNESS_SOURCES),
        newest_event_at: at.describe('Its newest stored event, Unix milliseconds (the event’s own time).'),
        stored_at: at.describe('When it last stored a new fact, Unix milliseconds.'),
      }),
    ),
  }),
};
export type Freshness = z.output<typeof freshnessRoute.response>;
