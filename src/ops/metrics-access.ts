/**
 * Who may read GET /metrics. Its series name provider account ids and count messages, callbacks
 * and requests, so it is not public, but a Prometheus scrape must stay a one-line setup:
 * - with `WACAST_METRICS_TOKEN` set: `Authorization: Bearer <token>` (compared in constant time),
 *   or an instance admin's dashboard session;
 * - without it: a connection from this machine (the socket's loopback address, never
 *   X-Forwarded-For, which the client writes; and not one a proxy on this machine forwards, whose
 *   socket is loopback for every client it relays), or an instance admin's dashboard session.
 * Anything else: 401 (no or wrong credentials) or 403 (a session that is not an admin's), in the
 * error shape, saying how to get access.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../storage/db.js';
import { AppError, forbidden } from '../errors.js';
import { findSession, SESSION_COOKIE } from '../auth/sessions.service.js';

export const METRICS_ACCESS_HELP =
  'Set WACAST_METRICS_TOKEN on the server and send it as `Authorization: Bearer <token>` (Prometheus: `authorization: { credentials: <token> }`), or log in to the dashboard as an instance admin. Without WACAST_METRICS_TOKEN, /metrics answers only requests from the server itself (127.0.0.1 or ::1).';

/** True for 127.0.0.0/8 and ::1, also written as IPv4-mapped IPv6 (`::ffff:127.0.0.1`). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const bare = address.toLowerCase().replace(/^::ffff:/, '');
  return bare === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

/** Equal strings, in time that depends on neither their contents nor their lengths. */
function sameSecret(given: string, expected: string): boolean {
  // Equal-length digests: timingSafeEqual needs them, and the token's length is not given away.
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function bearerOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header) : null;
  return match?.[1];
}

/** A request a proxy relays: its socket is the proxy's, not the client's. */
function isForwarded(request: FastifyRequest): boolean {
  return ['x-forwarded-for', 'forwarded', 'x-real-ip'].some((name) => request.headers[name] !== undefined);
}

function unauthorizedForMetrics(reply: FastifyReply, message: string): AppError {
  reply.header('www-authenticate', 'Bearer realm="wacast metrics"');
  return new AppError(401, 'unauthorized', `${message} ${METRICS_ACCESS_HELP}`);
}

/** Throws the 401/403 for a request that may not read /metrics; returns when it may. */
export async function assertMayReadMetrics(request: FastifyRequest, reply: FastifyReply, options: { db: Db; token: string | undefined }): Promise<void> {
  const { db, token } = options;
  const bearer = bearerOf(request);
  if (token !== undefined && bearer !== undefined) {
    if (sameSecret(bearer, token)) return;
    throw unauthorizedForMetrics(reply, 'The bearer token is wrong.');
  }
  if (token === undefined && isLoopbackAddress(request.socket.remoteAddress) && !isForwarded(request)) return;

  const cookie = request.cookies[SESSION_COOKIE];
  const user = cookie ? await findSession(db, cookie) : null;
  if (user?.isAdmin) return;
  if (user) throw forbidden(`Only instance admins can read the metrics with a dashboard session. ${METRICS_ACCESS_HELP}`);
  throw unauthorizedForMetrics(reply, 'The metrics need credentials.');
}
