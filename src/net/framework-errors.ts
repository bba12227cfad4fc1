/**
 * The answers Fastify and Node give before any route, hook or error handler of ours runs, in the
 * one error shape of errors.ts. Without these, a path the router cannot read came back as
 * Fastify's `{"error":"Bad Request","code":"FST_ERR_BAD_URL","statusCode":400}` (a 414 said
 * "Bad Request" too), and a request Node's HTTP parser refused as `{"message":"Client Error"}`.
 * - Router (Fastify's `frameworkErrors`): a path whose percent-encoding is broken (400 bad_url), a
 *   path parameter longer than MAX_PATH_PARAM_LENGTH (414 uri_too_long).
 * - HTTP parser (Fastify's `clientErrorHandler`): headers larger than Node reads (431), a request
 *   that is not HTTP/1.1 (400), one that did not arrive in time (408). No request object exists
 *   yet: the answer is written to the socket, which is then closed, as Node itself does.
 */
import { maxHeaderSize, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { ConnectionError, FastifyBaseLogger, FastifyError } from 'fastify';
import { AppError, badRequest } from '../errors.js';

/**
 * The longest path parameter the router takes, as sent (percent-encoded). Path parameters carry
 * profile identities (up to 512 characters, up to three times that once URL-encoded);
 * find-my-way's default of 100 characters answered 414 for a long email address.
 */
export const MAX_PATH_PARAM_LENGTH = 2048;

/** How much of a refused path a message quotes: enough to recognise it, not a 3,000-character echo. */
const QUOTED_PATH_LENGTH = 120;

function quotedPath(url: string): string {
  const path = url.split('?')[0] ?? url;
  return JSON.stringify(path.length > QUOTED_PATH_LENGTH ? `${path.slice(0, QUOTED_PATH_LENGTH)}…` : path);
}

/** The error answer for what the router refused (`frameworkErrors`), for the request's URL. */
export function routerError(error: FastifyError, url: string): AppError {
  switch (error.code) {
    case 'FST_ERR_BAD_URL':
      return new AppError(
        400,
        'bad_url',
        `The path ${quotedPath(url)} is not valid percent-encoding: a "%" must start a percent-encoded UTF-8 character (e.g. %20 for a space, %C3%A9 for é); send %25 for a "%" itself.`,
      );
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new AppError(
        414,
        'uri_too_long',
        `A part of the path ${quotedPath(url)} is longer than ${MAX_PATH_PARAM_LENGTH} characters (counted as sent, percent-encoded), the most a path parameter may have.`,
      );
    default:
      return new AppError(500, 'internal_error', 'Something went wrong on the server; the error was logged.');
  }
}

/** The error answer for a request Node's HTTP parser refused; null when there is no one to answer. */
export function clientError(error: ConnectionError): AppError | null {
  switch (error.code) {
    case 'ECONNRESET':
      return null;
    case 'HPE_HEADER_OVERFLOW':
      return new AppError(
        431,
        'headers_too_large',
        `The request's headers are larger than the ${maxHeaderSize} bytes (${maxHeaderSize / 1024} KiB) the server reads: send fewer or shorter headers (cookies included).`,
      );
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new AppError(408, 'request_timeout', 'The request did not arrive in full in time; send it again.');
    default: {
      // Node's parser says what it found (`reason`, e.g. "Invalid method encountered"; `code`, e.g. HPE_INVALID_METHOD).
      const reason = (error as ConnectionError & { reason?: unknown }).reason;
      return badRequest(`The request is not valid HTTP/1.1: ${typeof reason === 'string' && reason !== '' ? reason : error.code}.`);
    }
  }
}

/**
 * Fastify's `clientErrorHandler`: answers `clientError(error)` on the socket, with `headers`, and
 * closes the connection (the rest of what was sent cannot be read as requests any more). Like
 * Node's own handler, it writes nothing when an answer to an earlier request on the connection has
 * begun: the client would read the two as one.
 */
export function answerClientError(error: ConnectionError, socket: Socket, headers: Record<string, string>, logger: FastifyBaseLogger): void {
  if (socket.destroyed) return;
  const answer = clientError(error);
  // Node's (undocumented) link from a socket to the answer being written on it.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
  if (answer && socket.writable && !inFlight?.headersSent) {
    logger.debug({ err: error }, 'request refused by the HTTP parser');
    const body = JSON.stringify(answer.toJSON());
    const lines = [
      `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? ''}`,
      'content-type: application/json; charset=utf-8',
      `content-length: ${Buffer.byteLength(body)}`,
      ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
      'connection: close',
    ];
    socket.write(`${lines.join('\r\n')}\r\n\r\n${body}`);
  }
  socket.destroy();
}
