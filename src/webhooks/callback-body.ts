/**
 * Reads a callback's body for the callback routes: the exact text received when it is within
 * CALLBACK_BODY_LIMIT, else an OversizedCallbackBody holding only its first bytes, so that the
 * handler can keep a known token's refusal for inspection (413, state `invalid`) like every other
 * refused callback.
 *
 * Why a stream parser and not Fastify's `bodyLimit`: Fastify's string/buffer parsers refuse a body
 * over the limit before the handler runs and throw away what they read, so the handler could not
 * store anything (and could not tell a known token from an unknown one). Raising the route's
 * `bodyLimit` and checking the size afterwards would hold every oversized body whole in memory up
 * to the raised limit, and still refuse anything beyond it unseen. Reading the stream here keeps
 * at most CALLBACK_BODY_LIMIT plus one socket chunk (≤ 64 KiB) per request whatever arrives: past
 * the limit the bytes are only counted, up to OVERSIZED_READ_LIMIT, and then reading stops (the
 * reply closes the connection). Fastify applies no `bodyLimit` to stream parsers; this is the
 * only limit on these routes.
 */
import type { IncomingMessage } from 'node:http';
import { StringDecoder } from 'node:string_decoder';
import { errorCodes, type FastifyRequest } from 'fastify';

/** Largest callback body accepted: Gupshup batches hold at most ~20 DLRs of < 1 KiB each. */
export const CALLBACK_BODY_LIMIT = 256 * 1024;
/**
 * Bytes of an oversized body kept for inspection: enough to recognise what was sent. Refused
 * callbacks are capped at 10,000 per account (Applier.pruneLog), so a flood of huge bodies stores
 * at most ~40 MiB per account instead of ~2.5 GiB.
 */
export const OVERSIZED_BODY_KEPT = 4096;
/**
 * Bytes of an oversized body read (and discarded past the kept part) before reading stops. Reading
 * to the end lets a client that writes its whole body before reading the answer see the 413 (and
 * the reason states the exact size); past this bound a body is not worth the bandwidth, and the
 * connection is closed instead.
 */
export const OVERSIZED_READ_LIMIT = 4 * CALLBACK_BODY_LIMIT;

const NOTHING = Buffer.alloc(0);

/** A body over CALLBACK_BODY_LIMIT: its first bytes and what is known of its size. */
export class OversizedCallbackBody {
  constructor(
    /** The first OVERSIZED_BODY_KEPT bytes as UTF-8 (a character cut in two at the end is dropped). */
    readonly head: string,
    /** Bytes read, the kept ones included. */
    readonly bytesRead: number,
    /** False when reading stopped before the end: the connection must be closed after the answer. */
    readonly complete: boolean,
    /** The Content-Length header, when there was a valid one. */
    readonly declaredLength: number | null,
  ) {}

  /** The size for people: exact when read to the end, else what is known. */
  describeSize(): string {
    if (this.complete) return `${this.bytesRead} bytes`;
    if (this.declaredLength !== null) return `${this.declaredLength} bytes (its Content-Length; reading stopped after ${this.bytesRead})`;
    return `more than ${this.bytesRead} bytes (reading stopped there)`;
  }
}

export type CallbackBody = string | OversizedCallbackBody;

/**
 * The content-type parser of the callback routes (every content type). Answers the body decoded
 * as UTF-8 in one piece (a character split across chunks stays whole), or an OversizedCallbackBody.
 */
export function readCallbackBody(request: FastifyRequest, payload: IncomingMessage, done: (error: Error | null, body?: CallbackBody) => void): void {
  const header = request.headers['content-length'];
  const declared = header === undefined ? NaN : Number(header);
  const declaredLength = Number.isSafeInteger(declared) && declared >= 0 ? declared : null;
  // A body announced beyond the read bound would be cut off anyway: keep its head and stop there.
  const stopAfter = declaredLength !== null && declaredLength > OVERSIZED_READ_LIMIT ? OVERSIZED_BODY_KEPT : OVERSIZED_READ_LIMIT;
  let received = 0;
  /** The body so far; null once it is known to be oversized (then only `head` is kept). */
  let chunks: Buffer[] | null = [];
  let head = NOTHING;

  payload.on('data', onData);
  payload.on('end', onEnd);
  payload.on('error', onError);
  payload.resume();

  function stopListening(): void {
    payload.removeListener('data', onData);
    payload.removeListener('end', onEnd);
    payload.removeListener('error', onError);
  }

  function oversized(complete: boolean): OversizedCallbackBody {
    // StringDecoder.write holds back the bytes of a character cut off at the end.
    return new OversizedCallbackBody(new StringDecoder('utf8').write(head), received, complete, declaredLength);
  }

  function onData(chunk: Buffer | string): void {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    received += bytes.length;
    if (chunks !== null) {
      chunks.push(bytes);
      if (received <= CALLBACK_BODY_LIMIT && received <= stopAfter) return;
      // Buffer.concat copies and truncates: the chunks read so far can be freed.
      head = Buffer.concat(chunks, Math.min(received, OVERSIZED_BODY_KEPT));
      chunks = null;
    }
    if (received > stopAfter) {
      stopListening();
      // Paused, the socket stops being read (TCP backpressure); the 413 closes it.
      payload.pause();
      done(null, oversized(false));
    }
  }

  function onEnd(): void {
    stopListening();
    if (chunks === null) {
      done(null, oversized(true));
      return;
    }
    if (declaredLength !== null && declaredLength !== received) {
      done(new errorCodes.FST_ERR_CTP_INVALID_CONTENT_LENGTH());
      return;
    }
    done(null, chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks, received).toString('utf8'));
  }

  function onError(error: Error & { statusCode?: number }): void {
    stopListening();
    // An aborted or broken upload is the client's problem (as Fastify's own parsers answer).
    if (!(typeof error.statusCode === 'number' && error.statusCode >= 400)) error.statusCode = 400;
    done(error);
  }
}
