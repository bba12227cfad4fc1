/**
 * Wire helpers shared by the adapters: form encoding, secret redaction for RawExchange, Retry-After,
 * and the SendResult shapes for transport failures and HTTP statuses every provider treats alike.
 */
import type { HttpOutcome } from './http.client.js';
import type { ErrorCategory, RawExchange, SendResult } from './provider.js';

export const REDACTED = '[redacted]';

/**
 * application/x-www-form-urlencoded with percent-encoding for everything but RFC 3986 unreserved
 * characters (space → `%20`, as in Gupshup's documented samples; `+` → `%2B`, so a literal plus in a
 * message never turns into a space on the provider's side).
 */
export function formEncode(fields: ReadonlyArray<readonly [string, string]>): string {
  return fields.map(([name, value]) => `${strictEncode(name)}=${strictEncode(value)}`).join('&');
}

const UNRESERVED_ONLY = /^[A-Za-z0-9._~-]*$/;
const RESERVED_BY_RFC3986 = /[!'()*]/g;

function strictEncode(value: string): string {
  // Most fields (method, ids, numbers, versions) need no encoding: every send encodes ~12 fields twice.
  if (UNRESERVED_ONLY.test(value)) return value;
  const encoded = encodeURIComponent(value);
  RESERVED_BY_RFC3986.lastIndex = 0;
  return RESERVED_BY_RFC3986.test(encoded) ? encoded.replace(RESERVED_BY_RFC3986, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`) : encoded;
}

/** The same form body with the values of `secretFields` replaced by `[redacted]`. */
export function redactForm(fields: ReadonlyArray<readonly [string, string]>, secretFields: ReadonlySet<string>): string {
  return formEncode(fields.map(([name, value]) => [name, secretFields.has(name) ? REDACTED : value] as const));
}

/**
 * Retry-After → milliseconds from now. Accepts delta-seconds (`15`, `1.5`) and HTTP-dates; undefined
 * when absent or unreadable. Negative values and past dates become 0.
 */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

export interface NotSentFields {
  category: ErrorCategory;
  retryable: boolean;
  detail: string;
  code?: string;
  retryAfterMs?: number;
}

export function notSent(fields: NotSentFields, raw: RawExchange): SendResult {
  return {
    ok: false,
    outcome: 'not_sent',
    category: fields.category,
    retryable: fields.retryable,
    ...(fields.retryAfterMs === undefined ? {} : { retryAfterMs: fields.retryAfterMs }),
    ...(fields.code === undefined ? {} : { code: fields.code }),
    detail: fields.detail,
    raw,
  };
}

/** The RawExchange for an outcome: the (already redacted) request, plus the response when there was one. */
export function rawExchange(request: RawExchange['request'], outcome: HttpOutcome | null): RawExchange {
  if (outcome?.kind === 'response') return { request, response: { status: outcome.status, body: outcome.body } };
  return { request };
}

/**
 * The SendResult for outcomes whose meaning does not depend on the provider, or null when the
 * adapter must read the response itself:
 * - transport failure before the request was written → not_sent / provider_down (retryable unless
 *   our request was malformed);
 * - transport failure after → unknown;
 * - 429 → rate_limited, retryable, with Retry-After;
 * - 502 and 504 → unknown: a gateway answered, the origin behind it may have accepted the message;
 * - any other 5xx → not_sent / provider_down, retryable (the provider says it failed to process it).
 */
export function commonOutcome(outcome: HttpOutcome, raw: RawExchange, now = Date.now()): SendResult | null {
  if (outcome.kind === 'not_sent') {
    return notSent({ category: 'provider_down', retryable: outcome.retryable, code: outcome.code, detail: `not sent: ${outcome.detail}` }, raw);
  }
  if (outcome.kind === 'unknown') {
    return { ok: false, outcome: 'unknown', detail: `outcome unknown, the request was sent: ${outcome.detail}`, raw };
  }
  if (outcome.status === 429) {
    return notSent(
      {
        category: 'rate_limited',
        retryable: true,
        code: '429',
        detail: `rate limited by the provider (HTTP 429)${outcome.body ? `: ${outcome.body.slice(0, 300)}` : ''}`,
        retryAfterMs: retryAfterMs(outcome.headers['retry-after'], now),
      },
      raw,
    );
  }
  if (outcome.status === 502 || outcome.status === 504) {
    return { ok: false, outcome: 'unknown', detail: `HTTP ${outcome.status} from a gateway in front of the provider: the message may have been accepted`, raw };
  }
  if (outcome.status >= 500) {
    return notSent({ category: 'provider_down', retryable: true, code: String(outcome.status), detail: `provider error HTTP ${outcome.status}${outcome.body ? `: ${outcome.body.slice(0, 300)}` : ''}` }, raw);
  }
  return null;
}

/** JSON.parse that answers undefined instead of throwing. */
export function tryParseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A document's file name as the recipient sees it: the last path segment of its URL, else `document`. */
export function mediaFilename(mediaUrl: string): string {
  try {
    const segment = new URL(mediaUrl).pathname.split('/').filter(Boolean).pop();
    if (segment) return decodeURIComponent(segment);
  } catch {
    // not a URL, or a malformed %-escape: fall through to the default
  }
  return 'document';
}
