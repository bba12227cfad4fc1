/**
 * The RawCallback the parsers read, built the same way from a live request and from a stored log
 * row, so that the applier re-parsing a stored callback sees exactly what the handler saw.
 */
import type { ParseResult, ProviderType, RawCallback } from '../providers/provider.js';
import { parseProviderCallback } from '../providers/provider-callback.js';

/** Query parameters from a raw query string; a repeated name keeps its first value. */
export function queryRecord(rawQuery: string | null): Record<string, string> {
  const record: Record<string, string> = {};
  if (!rawQuery) return record;
  for (const [key, value] of new URLSearchParams(rawQuery)) if (!(key in record)) record[key] = value;
  return record;
}

/** The raw query string of a request URL (after `?`), or null when it has none. */
export function rawQueryOf(url: string): string | null {
  const at = url.indexOf('?');
  return at < 0 || at === url.length - 1 ? null : url.slice(at + 1);
}

export function rawCallback(input: {
  method: string;
  contentType: string | null;
  body: string;
  query: string | null;
  headers?: Record<string, string | undefined>;
}): RawCallback {
  return { method: input.method, contentType: input.contentType, body: input.body, query: queryRecord(input.query), headers: input.headers ?? {} };
}

const NUL = /\u0000/g;

/** True when a callback may decode to text holding NUL (raw, JSON-escaped or percent-encoded). */
function mayHoldNul(raw: RawCallback, rawQuery: string | null): boolean {
  return /\u0000|\\u0000|%00/i.test(raw.body) || (rawQuery !== null && /%00/.test(rawQuery));
}

function withoutNul<T>(value: T): T {
  if (typeof value === 'string') return value.replace(NUL, '\uFFFD') as T;
  if (Array.isArray(value)) return value.map((item: unknown) => withoutNul(item)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([key, item]) => [withoutNul(key), withoutNul(item)])) as T;
  }
  return value;
}

/**
 * parseProviderCallback, with one guarantee added for storage: no string in the events holds NUL
 * (PostgreSQL text and jsonb cannot store it; it is replaced by U+FFFD). The handler and the
 * applier both parse through here, so they always agree.
 */
export function parseCallback(type: ProviderType, raw: RawCallback, rawQuery: string | null, now: number): ParseResult {
  const result = parseProviderCallback(type, raw, { now });
  if (!result.ok || !mayHoldNul(raw, rawQuery)) return result;
  return { ok: true, events: withoutNul(result.events) };
}
