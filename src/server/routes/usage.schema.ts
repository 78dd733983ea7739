// Response schema for the usage endpoint. Fastify compiles it into a dedicated serializer
// (fast-json-stringify), which matters for 1,000-row pages (~1 MB of JSON).
const n = { type: 'number' } as const;
const counters = {
  threads: n,
  turns: n,
  model_requests: n,
  credits: n,
  cost_usd: n,
  estimated_cost_usd: n,
  uncached_text_input_tokens: n,
  cached_text_input_tokens: n,
  text_output_tokens: n,
  reasoning_output_tokens: n,
  text_total_tokens: n,
};
const { threads: _t, ...modelCounters } = counters;

export const usagePageSchema = {
  type: 'object',
  properties: {
    object: { type: 'string' },
    has_more: { type: 'boolean' },
    next_page: { type: ['string', 'null'] },
    data: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          object: { type: 'string' },
          start_time: n,
          end_time: n,
          user_id: { type: 'string' },
          actor: { type: 'object', properties: { type: { type: 'string' }, user_id: { type: 'string' }, email: { type: ['string', 'null'] } } },
          email: { type: ['string', 'null'] },
          totals: { type: 'object', properties: counters },
          clients: { type: 'array', items: { type: 'object', properties: { client_id: { type: 'string' }, ...counters } } },
          models: { type: 'array', items: { type: 'object', properties: { model: { type: 'string' }, ...modelCounters } } },
        },
      },
    },
  },
} as const;
