/**
 * Field readers shared by the callback parsers. They throw CallbackFieldError with a message that
 * names the field, what was found and what is allowed; the parsers' entry points catch it and turn
 * it into `{ok:false, error}` — no parser ever lets an exception out.
 */
import { jsonNestingExceeds, TOO_DEEP } from '../json-depth.js';
import type { ParseResult, RawCallback } from './provider.js';
import { isRecord } from './provider-wire.js';

export class CallbackFieldError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CallbackFieldError';
  }
}

export type JsonRecord = Record<string, unknown>;

export interface ParseOptions {
  /** Epoch ms used when a callback carries no timestamp of its own (default Date.now()). */
  now?: number;
}

/** Runs a parser body, converting any throw into `{ok:false}`. */
export function guard(parse: () => ParseResult): ParseResult {
  try {
    return parse();
  } catch (error) {
    if (error instanceof CallbackFieldError) return { ok: false, error: error.message };
    return { ok: false, error: `unreadable callback: ${error instanceof Error ? error.message : String(error)}` };
  }
}

export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** A required non-empty string (numbers are accepted and converted: ids sometimes arrive as numbers). */
export function requiredString(record: JsonRecord, key: string, path: string): string {
  const value = optionalString(record, key);
  if (value === undefined) throw new CallbackFieldError(`${path}${key}: expected a non-empty string, got ${describe(record[key])}`);
  return value;
}

export function optionalString(record: JsonRecord, key: string): string | undefined {
  const value = record[key];
  if (typeof value === 'string') return value.trim() === '' ? undefined : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

export function optionalRecord(record: JsonRecord, key: string, path: string): JsonRecord | undefined {
  const value = record[key];
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) throw new CallbackFieldError(`${path}${key}: expected an object, got ${describe(value)}`);
  return value;
}

/**
 * An object given either as JSON or as a JSON-encoded string (Gupshup enterprise inbound sends
 * `image`, `button`, `interactive` as strings). A plain non-JSON string becomes `{text: value}`
 * when `plainStringKey` is given (a button sent as its bare title).
 */
export function jsonObjectField(record: JsonRecord, key: string, path: string, plainStringKey?: string): JsonRecord | undefined {
  const value = record[key];
  if (value === undefined || value === null || value === '') return undefined;
  if (isRecord(value)) return value;
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (trimmed.startsWith('{')) {
      if (jsonNestingExceeds(trimmed)) throw new CallbackFieldError(`${path}${key}: ${TOO_DEEP}`);
      try {
        const parsed = JSON.parse(trimmed) as unknown;
        if (isRecord(parsed)) return parsed;
      } catch {
        // reported below
      }
      throw new CallbackFieldError(`${path}${key}: expected a JSON object (or a JSON-encoded object string), got ${describe(value)}`);
    }
    if (plainStringKey) return { [plainStringKey]: value };
  }
  throw new CallbackFieldError(`${path}${key}: expected a JSON object (or a JSON-encoded object string), got ${describe(value)}`);
}

/**
 * A timestamp → epoch ms. Numbers and digit strings below 10^11 are seconds (10^11 ms is 1973, 10^11 s
 * is year 5138), larger ones milliseconds; strings may also be ISO 8601 (`2020-01-01T14:00:00.000Z`)
 * or Vonage's `2020-01-01 14:00:00 UTC`. A missing value gives `fallback`; a present but unreadable
 * one is an error.
 */
export function epochMs(value: unknown, path: string, fallback: number): number {
  if (value === undefined || value === null || value === '') return fallback;
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value < 1e11 ? Math.round(value * 1000) : Math.round(value);
  if (typeof value === 'string') {
    const text = value.trim();
    if (/^\d+(\.\d+)?$/.test(text)) return epochMs(Number(text), path, fallback);
    const utc = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d+)?)\s*(?:UTC|GMT)?$/i.exec(text);
    const iso = utc ? `${utc[1]}T${utc[2]}Z` : text;
    if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(iso)) {
      const parsed = Date.parse(iso);
      if (!Number.isNaN(parsed)) return parsed;
    }
  }
  throw new CallbackFieldError(`${path}: expected epoch seconds or milliseconds, or an ISO 8601 date, got ${describe(value)}`);
}

export type DecodedBody =
  | { kind: 'empty' }
  | { kind: 'json'; value: unknown }
  | { kind: 'form'; fields: Record<string, string> };

/**
 * The callback body as JSON or as form fields. The content type decides when it is JSON or form;
 * otherwise (missing, text/plain, proxies that drop it) a body starting with `{` or `[` is JSON and
 * anything else is read as a form.
 */
export function decodeBody(raw: RawCallback): DecodedBody {
  const text = raw.body.trim();
  if (text === '') return { kind: 'empty' };
  const type = (raw.contentType ?? '').toLowerCase();
  const looksJson = text.startsWith('{') || text.startsWith('[');
  if (type.includes('json') || (!type.includes('form-urlencoded') && looksJson)) {
    // Parsed, such a body would overflow the stack of the recursive code that stores it.
    if (jsonNestingExceeds(text)) throw new CallbackFieldError(`body: ${TOO_DEEP}`);
    try {
      return { kind: 'json', value: JSON.parse(text) as unknown };
    } catch (error) {
      throw new CallbackFieldError(`body: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  if (type.includes('multipart/')) throw new CallbackFieldError(`body: unsupported content type ${raw.contentType ?? ''}; expected JSON or application/x-www-form-urlencoded`);
  const fields: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(text)) if (!(key in fields)) fields[key] = value;
  return { kind: 'form', fields };
}
