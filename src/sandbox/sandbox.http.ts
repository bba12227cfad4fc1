/**
 * The smallest HTTP layer the sandbox needs on node:http: answers as plain values, body reading
 * with a size limit, and helpers for the three content types the protocols use. Kept lean: the
 * benchmark measures the raw request ceiling against this server.
 */
import type { IncomingMessage } from 'node:http';
import { parse as parseQuery, type ParsedUrlQuery } from 'node:querystring';
import type { AccountRuntime } from './sandbox.registry.js';
import type { MessageRecord } from './sandbox.store.js';

/** A protocol or control answer. */
export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The account the request belonged to: its latency and timeout knobs apply. */
  runtime?: AccountRuntime;
  /** Set when the request was accepted as a message (timeouts apply only to those). */
  message?: MessageRecord;
}

/** Drop the connection without an answer ("provider down: connection reset"). */
export const RESET = 'reset' as const;

export type Answer = Reply | typeof RESET;

export const MAX_BODY_BYTES = 1024 * 1024;

const JSON_TYPE = 'application/json; charset=utf-8';

export function jsonReply(status: number, value: unknown, extraHeaders?: Record<string, string>): Reply {
  return { status, headers: { 'content-type': JSON_TYPE, ...extraHeaders }, body: JSON.stringify(value) };
}

export function textReply(status: number, text: string, contentType = 'text/plain; charset=utf-8'): Reply {
  return { status, headers: { 'content-type': contentType }, body: text };
}

/** The product's error shape, used by the control API. */
export function controlError(status: number, code: string, message: string, details?: unknown): Reply {
  return jsonReply(status, { error: { code, message, ...(details === undefined ? {} : { details }) } });
}

export class BodyTooLargeError extends Error {}

/** Reads the whole body as UTF-8; rejects above MAX_BODY_BYTES. */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLargeError(`request body over ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * Form or query parameters as a flat object. `lowerKeys` folds names to lower case (the Gupshup
 * gateway is matched case-insensitively, see docs/sandbox.md); a repeated name keeps its first value.
 */
export function parseParams(text: string, lowerKeys: boolean): Record<string, string> {
  const parsed: ParsedUrlQuery = parseQuery(text);
  const out: Record<string, string> = {};
  for (const key of Object.keys(parsed)) {
    const value = parsed[key];
    const name = lowerKeys ? key.toLowerCase() : key;
    if (name in out) continue;
    out[name] = Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
  }
  return out;
}

/** A random whole number of ms within the range. */
export function pickMs(range: { min: number; max: number }): number {
  return range.max <= range.min ? range.min : range.min + Math.random() * (range.max - range.min);
}
