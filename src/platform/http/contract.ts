// Route contracts: every route states its request (params, querystring, body, headers) and response
// as Zod schemas in a *.contract.ts file; those drive validation, the 422 detail[] and the OpenAPI
// document (@fastify/swagger, served at /openapi.json). Zod issues become detail[] entries here,
// in one place, so every route reports bad input in the same FastAPI/OpenAI shape.
import { z } from 'zod';
import type { FastifySchema, FastifySchemaCompiler } from 'fastify';
import { StewardError, type ValidationDetail } from '../../core/errors.js';
import { describeAccess, ROUTE_ACCESS } from '../../core/authz.js';

const LOC: Record<string, string> = { querystring: 'query', params: 'path', body: 'body', headers: 'header' };
const TYPE_ERRORS: Record<string, string> = {
  string: 'type_error.str',
  array: 'type_error.list',
  boolean: 'type_error.bool',
  object: 'type_error.dict',
};
// Marks a schema the handler parses itself (raw receivers): documented, not validated.
const HANDLER_PARSED = 'x-parsed-by-handler';

type Issue = z.core.$ZodIssue;

// Our wording for Zod's generic issues; a schema's own `error` text takes precedence over these.
const houseMessage: z.core.$ZodErrorMap = (iss) => {
  if (iss.code === 'invalid_type') {
    if (iss.input === undefined) return 'is required';
    if (Array.isArray(iss.input) && iss.expected !== 'array') return 'must be given once';
    return `must be ${iss.expected === 'array' ? 'an' : 'a'} ${iss.expected}`;
  }
  if (iss.code === 'invalid_value') return `must be one of ${iss.values.map((v) => `'${String(v)}'`).join(', ')}`;
  if (iss.code === 'unrecognized_keys') return `unknown field${iss.keys.length > 1 ? 's' : ''} ${iss.keys.join(', ')}`;
  return undefined;
};

function issueType(iss: Issue): string {
  const custom = (iss as { params?: { type?: unknown } }).params?.type;
  if (typeof custom === 'string') return custom;
  switch (iss.code) {
    case 'invalid_type':
      if (iss.input === undefined) return 'value_error.missing';
      if (Array.isArray(iss.input) && iss.expected !== 'array') return 'value_error'; // as parseTime says it
      return TYPE_ERRORS[iss.expected] ?? `type_error.${iss.expected}`;
    case 'invalid_value':
      return 'value_error.enum';
    case 'too_big':
    case 'too_small':
      return iss.origin === 'string'
        ? `value_error.any_str.${iss.code === 'too_big' ? 'max' : 'min'}_length`
        : 'value_error.number.not_in_range';
    default:
      return 'value_error';
  }
}

/** The 422 for Zod issues in one request part: every issue in detail[], the first in the message. */
export function contractError(part: string, issues: readonly Issue[]): StewardError {
  const where = LOC[part] ?? part;
  const detail: ValidationDetail[] = issues.flatMap((iss) => {
    const loc = [where, ...iss.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
    // One entry per unknown name, at its own loc, as FastAPI reports extra fields.
    if (iss.code === 'unrecognized_keys')
      return iss.keys.map((k) => ({ loc: [...loc, k], msg: `unknown field ${k}`, type: 'value_error.extra' }));
    return [{ loc, msg: iss.message, type: issueType(iss) }];
  });
  const first = detail[0]!;
  const name = first.loc.slice(1).join('.') || where;
  return new StewardError('validation', `${name}: ${first.msg}`, { detail });
}

/**
 * A query or body field parsed by a function that throws validationError (core/query-params.ts and
 * the like): its message and type become the issue's, so the texts stay those of the one parser.
 */
export function parsedBy<I, T>(parse: (raw: I) => T) {
  return (raw: I, ctx: z.core.$RefinementCtx<I>): T => {
    try {
      return parse(raw);
    } catch (e) {
      if (!(e instanceof StewardError) || !e.detail) throw e;
      for (const d of e.detail) ctx.addIssue({ code: 'custom', message: d.msg, params: { type: d.type } });
      return z.NEVER;
    }
  };
}

/** Documents a part the handler reads from raw bytes itself (receivers): never validated. */
export const handlerParsed = <S extends z.ZodType>(schema: S): S => schema.meta({ [HANDLER_PARSED]: true }) as S;

const isZod = (s: unknown): s is z.ZodType => s instanceof z.ZodType;

export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  if (!isZod(schema)) throw new Error(`route schemas are Zod schemas (a ${httpPart ?? 'request'} schema is not)`);
  if (schema.meta()?.[HANDLER_PARSED]) return (data) => ({ value: data });
  // A query parameter no contract names is refused, not ignored (OpenAI's validation does the
  // same): a misspelt start_time would otherwise answer silently for the default window.
  const strict = httpPart === 'querystring' && schema instanceof z.ZodObject ? schema.strict() : schema;
  return (data) => {
    const r = strict.safeParse(data, { error: houseMessage, reportInput: true });
    return r.success ? { value: r.data } : { error: contractError(httpPart ?? 'body', r.error.issues) };
  };
};

const jsonSchema = (s: z.ZodType, io: 'input' | 'output', target: 'draft-7' | 'draft-2020-12') => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io, target, unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return rest;
};

/**
 * A response schema from its Zod contract, as JSON Schema: Fastify compiles it into a serializer
 * (fast-json-stringify, faster than JSON.stringify) and @fastify/swagger documents it as it is.
 */
export const responseSchema = (s: z.ZodType, description?: string) => ({
  ...(description ? { description } : {}),
  ...jsonSchema(s, 'output', 'draft-7'),
});

/** A response documented by its description only (Fastify serializes it with JSON.stringify). */
export const described = (description: string) => ({ description });

/**
 * @fastify/swagger transform: the Zod request parts as JSON Schema 2020-12 (OpenAPI 3.1), and who
 * may call the operation from the access table (core/authz.ts), so the document cannot disagree
 * with what the server enforces.
 */
export function openapiTransform({
  schema,
  url,
  route,
}: {
  schema: FastifySchema;
  url: string;
  route?: { method: string | string[] };
}) {
  if (!schema) return { schema, url };
  const out: Record<string, unknown> = { ...schema };
  const method = [route?.method ?? ''].flat()[0];
  const access = ROUTE_ACCESS[`${method} ${url}`];
  if (access) {
    out.description = [describeAccess(access), schema.description].filter(Boolean).join(' ');
    const sessions = Object.keys(access.roles).length > 0;
    out.security = [...(access.scope ? BEARER : []), ...(sessions ? SESSION_COOKIE : [])];
  }
  for (const part of ['params', 'querystring', 'body', 'headers'] as const) {
    const s = (schema as Record<string, unknown>)[part];
    if (isZod(s)) out[part] = jsonSchema(s, 'input', 'draft-2020-12');
  }
  return { schema: out as FastifySchema, url };
}

const errorObject = z.object({
  message: z.string(),
  type: z.enum(['invalid_request_error', 'retryable_error', 'server_error']),
  code: z.string().describe('A code of the error registry (core/errors.ts).'),
});
const errorBody = z.object({ error: errorObject });
const validationBody = z.object({
  detail: z.array(z.object({ loc: z.array(z.union([z.string(), z.number()])), msg: z.string(), type: z.string() })),
  error: errorObject,
});

/** An error response (sendError's shape), with what it means on this route. */
export const errorResponse = (description: string) => responseSchema(errorBody, description);

/** Authenticated routes: the security requirement and the refusals requireAccess answers with. */
export const BEARER = [{ bearerAuth: [] }];
/** A browser session: the steward_session cookie (POST /auth/sign-in sets it). */
export const SESSION_COOKIE = [{ sessionCookie: [] }];
export const AUTH_ERRORS = {
  401: errorResponse('Missing, unknown, revoked or expired key or session (recorded in AUTH_LOG)'),
  403: errorResponse(
    "Key lacks the scope, the session's role may not call this, the CSRF token is missing or wrong, " +
      'or another workspace (recorded in AUTH_LOG)',
  ),
};
export const INVALID = { 422: responseSchema(validationBody, 'A parameter is invalid; detail[] names it') };

/** A JSON body that may be absent: checked as {}, so a required field is named as missing. */
export const jsonBody = <S extends z.ZodObject>(s: S) => s.prefault({} as z.input<S>);
