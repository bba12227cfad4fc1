/**
 * Error responses in the OpenAPI document. Route schemas declare only their success answer, so
 * without this the document at /api/v1/openapi.json listed no 4xx at all and a client generated
 * from it knew neither the error body nor when to expect one. The statuses here are the ones the
 * shared machinery answers for every route of a kind (app.ts and auth.plugin.ts), derived from
 * what the route declares; a route adds its own (e.g. 409 for a state change) with
 * `config.errorStatuses`. Every one has the single error shape of errors.ts.
 */
import type { FastifySchema, RouteOptions } from 'fastify';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Error statuses this route answers beyond the ones derived for every route (OpenAPI only). */
    errorStatuses?: number[];
    /** What a status means on this route, instead of the generic description (e.g. the codes of its 409s; OpenAPI only). */
    errorDescriptions?: Record<number, string>;
  }
}

/** `{"error":{"code","message","details"}}`, as AppError.toJSON() writes it. */
export const errorBodySchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: { type: 'string', description: 'Stable snake_case code, e.g. validation_failed, not_found, invalid_state.' },
        message: { type: 'string', description: 'What was wrong and what is allowed.' },
        details: { description: 'More about the error when there is more: for validation_failed, the list of {path, message}.' },
      },
      required: ['code', 'message'],
    },
  },
  required: ['error'],
} as const;

/** A dashboard session without a project, on a project route (projectIdOf in auth.plugin.ts). */
const NO_PROJECT = 'With a dashboard session and no project open: no_project (open one with POST /api/v1/auth/project, or use project API credentials).';

const DESCRIPTIONS: Record<number, string> = {
  400: 'The request is not readable: the body is not valid JSON (invalid_json), or another malformed part (bad_request).',
  401: 'No or wrong credentials (unauthorized): send X-Wacast-Account-Id and X-Wacast-Passcode, or log in.',
  403: 'Authenticated but not allowed here: API credentials on a dashboard-only endpoint, a missing X-CSRF-Token with the session cookie, or not an instance admin (forbidden, csrf_failed).',
  404: 'No such resource in this project (not_found); another project\'s ids answer 404 too.',
  409: 'Not possible in the resource\'s current state, or a duplicate (e.g. invalid_state for an illegal campaign action).',
  413: 'The body is larger than this endpoint takes (payload_too_large).',
  415: 'The body is not sent as application/json (unsupported_media_type).',
  422: 'A field is missing or not allowed (validation_failed); details lists each field and why.',
  429: 'Too many requests (too_many_requests); the Retry-After header says when to try again.',
};

function hasSchema(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/** The error statuses a route answers, from its method, its path, its schema and its auth. */
export function errorStatusesOf(route: Pick<RouteOptions, 'method' | 'url' | 'config'>, schema: FastifySchema): number[] {
  const statuses = new Set<number>();
  const config = (route.config ?? {}) as { auth?: string; errorStatuses?: number[] };
  const auth = config.auth ?? 'public';
  const hasBody = hasSchema(schema.body);
  if (hasBody) {
    statuses.add(400);
    statuses.add(413);
    statuses.add(415);
  }
  if (hasBody || hasSchema(schema.querystring)) statuses.add(422);
  if (auth === 'project') statuses.add(400);
  if (auth !== 'public') {
    statuses.add(401);
    statuses.add(403);
  }
  if (/[:{]/.test(route.url ?? '')) statuses.add(404);
  for (const status of config.errorStatuses ?? []) statuses.add(status);
  return [...statuses].sort((a, b) => a - b);
}

function defaultDescription(status: number, projectRoute: boolean, hasBody: boolean): string {
  if (status === 400 && projectRoute) return hasBody ? `${DESCRIPTIONS[400]} ${NO_PROJECT}` : NO_PROJECT;
  return DESCRIPTIONS[status] ?? 'Error.';
}

/**
 * Adds the error responses to a route's (already JSON-Schema) schema for the OpenAPI document.
 * Responses the route declares itself are kept as they are.
 */
export function withErrorResponses(route: Pick<RouteOptions, 'method' | 'url' | 'config'>, schema: FastifySchema): FastifySchema {
  const response = { ...((schema.response as Record<string, unknown> | undefined) ?? {}) };
  const config = (route.config ?? {}) as { auth?: string; errorDescriptions?: Record<number, string> };
  const described = config.errorDescriptions ?? {};
  for (const status of errorStatusesOf(route, schema)) {
    if (response[String(status)] !== undefined) continue;
    response[String(status)] = { description: described[status] ?? defaultDescription(status, config.auth === 'project', hasSchema(schema.body)), ...errorBodySchema };
  }
  return { ...schema, response };
}
