/**
 * Who may call each route, in the OpenAPI document: derived from the route's `config.auth`, which
 * is what auth.plugin.ts checks, so the two cannot say different things. A single document-wide
 * requirement (the API credentials) had every route asking for them: the login and setup asked
 * for credentials no one has yet, and the dashboard-only routes for ones they refuse (403).
 */
import type { FastifySchema, RouteOptions } from 'fastify';
import type { AuthRequirement } from './auth/auth.plugin.js';
import { SESSION_COOKIE } from './auth/sessions.service.js';

/** The schemes a requirement below names. */
export const securitySchemes = {
  accountId: { type: 'apiKey', in: 'header', name: 'X-Wacast-Account-Id' },
  passcode: { type: 'apiKey', in: 'header', name: 'X-Wacast-Passcode' },
  session: {
    type: 'apiKey',
    in: 'cookie',
    name: SESSION_COOKIE,
    description: 'The dashboard session (log in at POST /api/v1/auth/login). Requests that change something also send its CSRF token in X-CSRF-Token (GET /api/v1/auth/me).',
  },
  metricsToken: { type: 'http', scheme: 'bearer', description: 'WACAST_METRICS_TOKEN, for GET /metrics only.' },
} as const;

type SecurityRequirement = Record<keyof typeof securitySchemes, string[]>;

/** Alternatives (any one is enough); within one, every scheme is needed. */
const BY_AUTH: Record<AuthRequirement, Array<Partial<SecurityRequirement>>> = {
  public: [],
  // A logged-in user; `admin` also answers 403 to one who is not an instance admin.
  session: [{ session: [] }],
  admin: [{ session: [] }],
  // Project API credentials (both headers), or a session with a project open.
  project: [{ accountId: [], passcode: [] }, { session: [] }],
};

/**
 * The route's security requirement. A public route that checks callers itself (e.g. /metrics and
 * its scrape token) declares its own `schema.security`; on any other route the declaration would
 * only be a second account of `config.auth` that could drift, and the derived one is used.
 */
export function securityOf(route: Pick<RouteOptions, 'config'>, schema: FastifySchema): Array<Partial<SecurityRequirement>> {
  const auth = (route.config as { auth?: AuthRequirement } | undefined)?.auth ?? 'public';
  const declared = (schema as { security?: Array<Partial<SecurityRequirement>> }).security;
  if (auth === 'public' && declared !== undefined) return declared;
  return BY_AUTH[auth];
}

/** The route's (already JSON-Schema) schema with its security requirement, for the OpenAPI document. */
export function withSecurity(route: Pick<RouteOptions, 'config'>, schema: FastifySchema): FastifySchema {
  return { ...schema, security: securityOf(route, schema) } as FastifySchema;
}
