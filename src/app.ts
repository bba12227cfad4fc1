/**
 * buildApp(deps) → a ready-to-listen Fastify instance (no listen() here; tests use app.inject()).
 * Cross-cutting HTTP behaviour lives here: one error shape, 404/413/400 handling, auth, metrics,
 * OpenAPI, security headers and the dashboard's static files.
 */
import { jsonNestingExceeds, TOO_DEEP } from './json-depth.js';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import { schemaProblems } from './validation.js';
import { AppError, invalidJson, payloadTooLarge, validationFailed } from './errors.js';
import { authPlugin } from './auth/auth.plugin.js';
import type { AppDeps } from './deps.js';
import { registerRoutes } from './routes.js';
import { endLiveStreamsOnClose } from './net/event-stream.js';
import { unstorableText } from './net/storable-text.js';
import { callbackRoutes } from './webhooks/callback.routes.js';
import { withErrorResponses } from './openapi-errors.js';
import { securitySchemes, withSecurity } from './openapi-security.js';
import { answerClientError, MAX_PATH_PARAM_LENGTH, routerError } from './net/framework-errors.js';

/** Default request body limit; routes that take bulk data raise it themselves. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

const WEB_ROOT = fileURLToPath(new URL('../dist/web/', import.meta.url));

/** Sent with every answer of the API and the dashboard (provider callbacks excepted, see below). */
const SECURITY_HEADERS = { 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: DEFAULT_BODY_LIMIT,
    // Per-request lines only at debug: at 10,000 callbacks/s they would be most of the CPU time.
    logController: new LogController({ disableRequestLogging: deps.config.logLevel !== 'debug' && deps.config.logLevel !== 'trace' }),
    // X-Forwarded-For names the client only when the connection comes from a proxy on this
    // machine or a private network (a load balancer, nginx): `true` believed any client, who could
    // then send a new address with every password guess and never reach the login limit.
    trustProxy: 'loopback, linklocal, uniquelocal',
    routerOptions: { maxParamLength: MAX_PATH_PARAM_LENGTH },
    // What the router and Node's HTTP parser refuse, before any route: in the error shape too.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      const appError = routerError(error, request.url);
      if (appError.status >= 500) request.log.error({ err: error }, 'request failed');
      void reply.status(appError.status).headers(SECURITY_HEADERS).send(appError.toJSON());
    },
    clientErrorHandler: (error, socket) => answerClientError(error, socket, SECURITY_HEADERS, deps.logger),
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  }) as unknown as FastifyInstance;
  endLiveStreamsOnClose(app);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'wacast API',
        version: '1',
        description:
          'Self-hosted WhatsApp engagement platform. Authenticate with X-Wacast-Account-Id and X-Wacast-Passcode (project API credentials) or the dashboard session cookie.',
      },
      // No document-wide requirement: each operation says who may call it (openapi-security.ts).
      components: { securitySchemes },
    },
    // Route schemas declare their success answer; the error answers every route shares are added
    // here, so the document lists them too (openapi-errors.ts), and who may call the route, from
    // its config.auth (openapi-security.ts).
    transform: (input) => {
      const transformed = jsonSchemaTransform(input);
      return { ...transformed, schema: withSecurity(input.route, withErrorResponses(input.route, transformed.schema)) };
    },
    // Emits schemas registered with an id (e.g. the recursive SegmentFilter) as components.
    transformObject: jsonSchemaTransformObject,
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const appError = toAppError(error, request);
    if (appError.status >= 500) request.log.error({ err: error }, 'request failed');
    if (appError.status === 429 && typeof (appError.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds === 'number') {
      reply.header('retry-after', String((appError.details as { retryAfterSeconds: number }).retryAfterSeconds));
    }
    return reply.status(appError.status).send(appError.toJSON());
  });

  // Provider callbacks take the shortest path: none of the dashboard's and API's hooks (cookies,
  // sessions, security headers, per-route metrics) run for them — at thousands of callbacks per
  // second those hooks cost about a tenth of the handler's time. The plugin counts what it receives.
  await app.register(callbackRoutes, deps);

  // Everything else: the API, the dashboard and its files.
  await app.register(async (site) => {
    // The API reads JSON only: a JSON text sent as text/plain would otherwise reach validation as a
    // string ("body: expected object, got string"); without this parser it is a 415 saying what to send.
    // The CSV import adds its own text/plain parser.
    site.removeContentTypeParser('text/plain');
    // JSON as Fastify parses it (prototype-poisoning checks included), with two differences: an
    // empty body is no body for routes that take none (clients send `Content-Type:
    // application/json` with a bodiless POST …/publish), and a syntax error says where it is.
    const parseJson = site.getDefaultJsonParser('error', 'error');
    site.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
      const text = body as string;
      if (text.trim() === '') {
        if (request.routeOptions.schema?.body === undefined) done(null, undefined);
        else done(invalidJson('The request body is empty: send a JSON object.'), undefined);
        return;
      }
      // Parsed, a deeper body would overflow the stack of the recursive code after it (validation,
      // an error that echoes it back) and answer a 500.
      if (jsonNestingExceeds(text)) {
        done(validationFailed([{ path: 'body', message: `${TOO_DEEP}; no request needs more` }]), undefined);
        return;
      }
      void parseJson(request, text, (error: Error | null, parsed?: unknown) => {
        if (error && (error as FastifyError).code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
          done(invalidJson(`The request body is not valid JSON: ${jsonSyntaxError(text)}.`), undefined);
          return;
        }
        // Cheap test first: the escapes that can produce such text are rare in real bodies.
        if (!error && /\\u(0000|d[89a-f])/i.test(text) && !request.routeOptions.config.checksTextItself) {
          const problems = unstorableText(parsed);
          if (problems.length > 0) {
            done(validationFailed(problems), undefined);
            return;
          }
        }
        done(error, parsed);
      });
    });
    await site.register(cookie);
    await site.register(authPlugin, { db: deps.db });

    site.addHook('onResponse', async (request, reply) => {
      const route = request.routeOptions.url ?? 'unmatched';
      deps.metrics.httpRequests.inc({ method: request.method, route, status: String(reply.statusCode) });
      deps.metrics.httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    });

    site.addHook('onSend', async (_request, reply, payload) => {
      reply.headers(SECURITY_HEADERS);
      const type = String(reply.getHeader('content-type') ?? '');
      if (type.startsWith('text/html')) {
        reply.header(
          'content-security-policy',
          "default-src 'self'; img-src 'self' data: https:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        );
        reply.header('x-frame-options', 'DENY');
      }
      return payload;
    });

    const hasWeb = existsSync(WEB_ROOT + 'index.html');
    if (hasWeb) {
      await site.register(fastifyStatic, { root: WEB_ROOT, prefix: '/', wildcard: false, index: false, cacheControl: false });
      site.get('/', { config: { auth: 'public' }, schema: { hide: true } }, (_request, reply) => reply.header('cache-control', 'no-cache').sendFile('index.html'));
    }

    site.setNotFoundHandler((request, reply) => {
      const path = request.url.split('?')[0] ?? '/';
      const isApi = path.startsWith('/api/') || path.startsWith('/hooks/') || path === '/1' || path.startsWith('/1/');
      const wantsHtml = String(request.headers.accept ?? '').includes('text/html');
      if (hasWeb && !isApi && request.method === 'GET' && wantsHtml) {
        // Client-side routes of the dashboard (/campaigns/…, /setup) all load the same page.
        return reply.header('cache-control', 'no-cache').sendFile('index.html');
      }
      return reply
        .status(404)
        .send(new AppError(404, 'not_found', `No route for ${request.method} ${path}.`).toJSON());
    });

    await registerRoutes(site, deps);
    site.get('/api/v1/openapi.json', { config: { auth: 'public' }, schema: { hide: true } }, async () => app.swagger());
  });
  return app;
}

/** The JavaScript parser's account of a JSON syntax error ("Unexpected end of JSON input", "… at position 12"). */
function jsonSyntaxError(text: string): string {
  try {
    JSON.parse(text);
    return 'it holds a forbidden key (__proto__ or constructor.prototype)';
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** "1048576 bytes (1 MiB)": a body limit as clients count it, and as people read it. */
function bytesAndMiB(bytes: number): string {
  return `${bytes} bytes (${Number((bytes / (1024 * 1024)).toFixed(2))} MiB)`;
}

/** Maps anything thrown by a handler or by Fastify itself to the one error shape. */
function toAppError(error: FastifyError, request: FastifyRequest): AppError {
  if (error instanceof AppError) return error;
  const contentType = request.headers['content-type'];
  const problems = schemaProblems(error);
  if (problems) return validationFailed(problems);
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': {
      // Fastify's message names no number: the limit is the route's (uploads take more than the default).
      const limit = request.routeOptions.bodyLimit ?? DEFAULT_BODY_LIMIT;
      const declared = Number(request.headers['content-length']);
      const size = Number.isSafeInteger(declared) && declared > limit ? `: this one has ${declared} bytes` : '';
      return payloadTooLarge(`The request body is larger than this endpoint's limit of ${bytesAndMiB(limit)}${size}.`);
    }
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return invalidJson(`The request body is not valid JSON: ${error.message}`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError(
        415,
        'unsupported_media_type',
        `Unsupported Content-Type ${JSON.stringify(contentType?.split(';')[0]?.trim() || '(none)')}: send the body as JSON with Content-Type: application/json.`,
      );
    default:
      break;
  }
  if (error instanceof SyntaxError || (error.statusCode === 400 && /JSON/i.test(error.message))) {
    return invalidJson(`The request body is not valid JSON: ${error.message}`);
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    return new AppError(status, (error.code ?? 'bad_request').toLowerCase().replace(/^fst_err_/, ''), error.message);
  }
  return new AppError(500, 'internal_error', 'Something went wrong on the server; the error was logged.');
}
