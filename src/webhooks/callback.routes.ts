/**
 * The provider callback endpoints (no authentication but the unguessable token in the URL):
 *   GET|POST /hooks/gupshup/:token/inbound   GET|POST /hooks/gupshup/:token/delivery
 *   POST     /hooks/nexmo/:token/inbound     POST     /hooks/nexmo/:token/status
 * Write-ahead: the handler routes by token, verifies a Vonage signature when the account has a
 * signature secret, parses the body (to refuse a malformed one with a 4xx saying why), appends the
 * raw callback to `callback_events` (group commit) and answers an empty 200 once it is committed.
 * The applier does the rest in the background. Answers:
 * - 200 empty: stored (state `pending`);
 * - 400 `invalid_callback`: unreadable; stored as `invalid` with the reason, for inspection;
 * - 401 `invalid_signature`: Vonage signature wrong or expired; stored as `invalid` (signature_ok 0)
 *   so a misconfigured secret can be diagnosed from what arrived — never applied;
 * - 503 `unsigned_callback`: no Vonage signature at all on an account with a signature secret;
 *   stored like a 401, never applied. Vonage sends an unsigned callback after an internal error
 *   and retries it (signed) only on 429 / 5xx answers (vonage.md §8, §9);
 * - 404: unknown or deleted token (nothing stored);
 * - 413 `payload_too_large`: body over 256 KiB; refused before it is read, so a known token's refusal
 *   is stored as `invalid` with an empty body and the size (Content-Length) in the reason;
 * - 415 `unsupported_media_type`: unreadable Content-Type header; stored as `invalid` with the header
 *   (the body is not read) when the token is known;
 * - 503 `unavailable`: the database could not take it; the provider retries.
 * The plugin is encapsulated: its catch-all content-type parser keeps every body as the exact text
 * received (JSON, form, text, none), which Vonage's payload_hash is computed over.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../deps.js';
import type { CallbackKind } from '../storage/schema.js';
import type { ProviderType } from '../providers/provider.js';
import { verifyVonageSignature } from '../providers/provider-callback.js';
import { AppError } from '../errors.js';
import { CallbackAccounts, type CallbackAccount } from './callback-accounts.js';
import { CallbackLog, CallbackLogUnavailable, type CallbackEntry } from './callback-log.js';
import { parsedEventCache } from './parsed-events.js';
import { parseCallback, rawCallback, rawQueryOf } from './raw-callback.js';

/** Largest callback body accepted: Gupshup batches hold at most ~20 DLRs of < 1 KiB each. */
export const CALLBACK_BODY_LIMIT = 256 * 1024;
/** The part of an unreadable Content-Type header kept with a 415 (Node allows 16 KiB of headers). */
const MAX_STORED_CONTENT_TYPE = 500;

const NOT_FOUND = new AppError(404, 'not_found', 'Unknown callback URL: check the URL copied from the provider account in wacast.').toJSON();

/** A Content-Type header as kept with a refusal made before the body was read: no NUL, cut short. */
function storedContentType(header: string): string {
  return header.replaceAll('\u0000', '\uFFFD').slice(0, MAX_STORED_CONTENT_TYPE);
}

function unavailable(reply: FastifyReply, error: unknown): FastifyReply {
  const message = error instanceof CallbackLogUnavailable ? error.message : 'the callback could not be stored; try again';
  return reply.code(503).header('retry-after', '1').send(new AppError(503, 'unavailable', `Temporarily unavailable: ${message}.`).toJSON());
}

export async function callbackRoutes(fastify: FastifyInstance, deps: AppDeps): Promise<void> {
  // No per-request child logger (pino binds and redacts the request id for each one): the few
  // lines these routes log name the route instead.
  fastify.setChildLoggerFactory((logger) => logger);
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'string', bodyLimit: CALLBACK_BODY_LIMIT }, (_request, body, done) => done(null, body));

  const accounts = new CallbackAccounts(deps);
  const cache = parsedEventCache(deps.db);
  const log = new CallbackLog(deps.db, (committed) => {
    const counts = new Map<string, { provider: ProviderType; kind: CallbackKind; count: number }>();
    for (const { seq, entry } of committed) {
      if (entry.events) cache.put(seq, entry.events);
      const key = `${entry.providerType}/${entry.kind}`;
      const count = counts.get(key);
      if (count) count.count++;
      else counts.set(key, { provider: entry.providerType, kind: entry.kind, count: 1 });
    }
    for (const { provider, kind, count } of counts.values()) deps.metrics.callbacksReceived.inc({ provider, kind }, count);
    deps.bus.emit('callbacks-recorded');
  });
  fastify.addHook('onClose', () => log.close());

  fastify.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return refuseTooLarge(request, reply);
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return refuseMediaType(request, reply);
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) return reply.code(status).send(new AppError(status, 'bad_request', error.message).toJSON());
    request.log.error({ err: error, route: request.routeOptions.url }, 'callback handler failed');
    return reply.code(500).send(new AppError(500, 'internal_error', 'Something went wrong on the server; the error was logged.').toJSON());
  });

  /** The provider type and kind of each callback route, by its URL pattern (for the error handler). */
  const routeOf = new Map<string, { type: ProviderType; kind: CallbackKind }>();

  /**
   * Refusals Fastify makes before the handler, with the body unread: 415 (a Content-Type header
   * that cannot be parsed) and 413 (a body over CALLBACK_BODY_LIMIT, refused as soon as its
   * Content-Length or the bytes received pass the limit — reading the rest to keep it would let
   * anyone make the server buffer unbounded bodies). A known token's refusal is kept like any other
   * malformed callback (state `invalid`, empty body, the reason); an unknown token stays a 404 with
   * nothing stored.
   */
  async function refuseUnread(
    request: FastifyRequest,
    reply: FastifyReply,
    refusal: { status: 413 | 415; code: string; reason: string; message: string; contentType: string | null },
  ): Promise<FastifyReply> {
    const route = routeOf.get(request.routeOptions.url ?? '');
    const { token } = (request.params ?? {}) as { token?: string };
    if (!route || typeof token !== 'string') return reply.code(404).send(NOT_FOUND);
    const receivedAt = Date.now();
    let account: CallbackAccount | null;
    try {
      account = await accounts.resolve(route.type, token, receivedAt);
    } catch (error) {
      return unavailable(reply, error);
    }
    if (!account) return reply.code(404).send(NOT_FOUND);
    let seq: number;
    try {
      seq = await log.append({
        projectId: account.projectId,
        providerId: account.providerId,
        providerType: route.type,
        kind: route.kind,
        receivedAt,
        method: request.method,
        contentType: refusal.contentType,
        body: '',
        query: rawQueryOf(request.url),
        signatureOk: null,
        state: 'invalid',
        error: refusal.reason,
        httpStatus: refusal.status,
      });
    } catch (error) {
      return unavailable(reply, error);
    }
    return reply.code(refusal.status).send(new AppError(refusal.status, refusal.code, refusal.message, { seq }).toJSON());
  }

  function refuseMediaType(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const contentType = storedContentType(request.headers['content-type'] ?? '');
    return refuseUnread(request, reply, {
      status: 415,
      code: 'unsupported_media_type',
      contentType,
      reason: `content-type: the Content-Type header ${JSON.stringify(contentType)} is empty or unreadable, so the body was not read`,
      message: 'The Content-Type header is empty or unreadable: send the body as JSON, form fields or text. It was kept for inspection.',
    });
  }

  function refuseTooLarge(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const declared = Number(request.headers['content-length']);
    const size = Number.isSafeInteger(declared) && declared > CALLBACK_BODY_LIMIT ? `${declared} bytes (its Content-Length)` : `more than ${CALLBACK_BODY_LIMIT} bytes`;
    const header = request.headers['content-type'];
    const contentType = header === undefined ? null : storedContentType(header);
    return refuseUnread(request, reply, {
      status: 413,
      code: 'payload_too_large',
      contentType,
      reason: `body: ${size}, over the limit of ${CALLBACK_BODY_LIMIT} bytes (256 KiB), so it was not read`,
      message: `Callback bodies are limited to ${CALLBACK_BODY_LIMIT} bytes (256 KiB); this one had ${size}. The refusal was kept for inspection, without the body.`,
    });
  }

  const handle = (type: ProviderType, kind: CallbackKind) => async (request: FastifyRequest, reply: FastifyReply) => {
    const receivedAt = Date.now();
    const { token } = request.params as { token: string };
    let account: CallbackAccount | null;
    try {
      account = await accounts.resolve(type, token, receivedAt);
    } catch (error) {
      return unavailable(reply, error);
    }
    if (!account) return reply.code(404).send(NOT_FOUND);

    const contentType = request.headers['content-type'] ?? null;
    const exactBody = typeof request.body === 'string' ? request.body : '';
    // PostgreSQL text cannot hold NUL; no valid callback contains one (JSON and forms escape it).
    const body = exactBody.includes('\u0000') ? exactBody.replaceAll('\u0000', '\uFFFD') : exactBody;
    const query = rawQueryOf(request.url);
    const authorization = request.headers.authorization;
    const raw = rawCallback({ method: request.method, contentType, body, query, headers: { authorization } });
    const entry: CallbackEntry = {
      projectId: account.projectId,
      providerId: account.providerId,
      providerType: type,
      kind,
      receivedAt,
      method: request.method,
      contentType,
      body,
      query,
      signatureOk: null,
      state: 'pending',
      error: null,
      httpStatus: 200,
    };

    if (account.signatureSecret !== null) {
      // The payload hash is over the exact body received.
      entry.signatureOk = verifyVonageSignature({ ...raw, body: exactBody }, account.signatureSecret, receivedAt) ? 1 : 0;
      if (entry.signatureOk === 0) {
        entry.state = 'invalid';
        // Vonage: "in the rare case of an internal error, it is possible that the callback service
        // will send an unsigned callback. By returning an HTTP 5xx response, a retry will be
        // triggered" (vonage.md §8), and only 429 and 5xx answers are retried (§9). An unsigned
        // callback answered 401 would be lost for good; a 503 gets it sent again, signed.
        const unsigned = !authorization;
        entry.httpStatus = unsigned ? 503 : 401;
        entry.error = unsigned
          ? 'signature: no Authorization bearer token, but the account has a signature secret (signed webhooks); answered 503 so that Vonage retries it signed'
          : 'signature: the bearer token is not signed with this account\'s signature secret, is expired, or its payload_hash does not match the body';
        try {
          await log.append(entry);
        } catch (error) {
          return unavailable(reply, error);
        }
        if (unsigned) {
          return reply
            .code(503)
            .header('retry-after', '5')
            .send(new AppError(503, 'unsigned_callback', `Not accepted yet: ${entry.error}. It was kept for inspection.`).toJSON());
        }
        return reply.code(401).send(new AppError(401, 'invalid_signature', `Refused: ${entry.error}.`).toJSON());
      }
    }

    const parsed = parseCallback(type, raw, query, receivedAt);
    if (parsed.ok) entry.events = parsed.events;
    else {
      entry.state = 'invalid';
      entry.httpStatus = 400;
      entry.error = parsed.error;
    }
    let seq: number;
    try {
      seq = await log.append(entry);
    } catch (error) {
      return unavailable(reply, error);
    }
    if (!parsed.ok) {
      return reply.code(400).send(new AppError(400, 'invalid_callback', `The callback could not be read: ${parsed.error}. It was kept for inspection.`, { seq }).toJSON());
    }
    return reply.code(200).send();
  };

  const routes: Array<{ type: ProviderType; kind: CallbackKind; methods: Array<'GET' | 'POST'> }> = [
    { type: 'gupshup', kind: 'inbound', methods: ['GET', 'POST'] },
    { type: 'gupshup', kind: 'delivery', methods: ['GET', 'POST'] },
    { type: 'nexmo', kind: 'inbound', methods: ['POST'] },
    { type: 'nexmo', kind: 'status', methods: ['POST'] },
  ];
  for (const { type, kind, methods } of routes) {
    routeOf.set(`/hooks/${type}/:token/${kind}`, { type, kind });
    fastify.route({
      method: methods,
      url: `/hooks/${type}/:token/${kind}`,
      bodyLimit: CALLBACK_BODY_LIMIT,
      config: { auth: 'public' },
      schema: { hide: true },
      handler: handle(type, kind),
    });
  }
}
