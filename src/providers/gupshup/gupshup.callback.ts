/**
 * parseGupshupCallback: every documented Gupshup callback shape → CallbackEvents, whichever of the
 * account's two URLs it arrived on (users paste URLs into the wrong box; Gupshup support configures
 * the DLR URL by hand). Recognised (reference gupshup.md A8, A9, B6):
 * - enterprise DLR: form field `response=[…]` (the documented default), a bare JSON array, JSON
 *   `{"response":[…]}` (or the array as a JSON string), a single DLR object, and the GET variant with
 *   query parameters `externalId, deliveredTS, status, cause, phoneNo, errCode…`;
 * - enterprise inbound: a flat object as JSON, form fields or query parameters;
 * - self-serve version-2 envelopes (`message-event`, `message`, `user-event`, …).
 * Subscription version 3 (Meta's format) is refused with an explanation. Malformed input answers
 * `{ok:false, error}` naming the field; the parser never throws. A batch is parsed whole: one bad
 * element fails it, so the raw callback is kept for inspection instead of half-applied.
 */
import { CallbackFieldError, decodeBody, describe, guard, type JsonRecord, type ParseOptions } from '../callback-fields.js';
import type { CallbackEvent, ParseResult, RawCallback } from '../provider.js';
import { isRecord } from '../provider-wire.js';
import { jsonNestingExceeds, TOO_DEEP } from '../../json-depth.js';
import { isEnterpriseDlr, isEnterpriseInbound, parseEnterpriseDlr, parseEnterpriseInbound } from './gupshup-enterprise.callback.js';
import { isSelfServeEnvelope, parseSelfServeEnvelope } from './gupshup-selfserve.callback.js';

const EXPECTED =
  'expected a Gupshup delivery report (form field response=[…], a JSON array, {"response":[…]} or externalId fields), ' +
  'an enterprise inbound message (mobile, type, …) or a self-serve version-2 event ({app, timestamp, version, type, payload})';

export function parseGupshupCallback(raw: RawCallback, options: ParseOptions = {}): ParseResult {
  const now = options.now ?? Date.now();
  return guard(() => {
    const body = decodeBody(raw);
    if (body.kind === 'json') return { ok: true, events: fromJson(body.value, now) };
    if (body.kind === 'form') return { ok: true, events: fromFlat(body.fields, 'form field ', now) };
    if (Object.keys(raw.query).length > 0) return { ok: true, events: fromFlat(raw.query, 'query parameter ', now) };
    throw new CallbackFieldError('empty callback: no body and no query parameters');
  });
}

function fromJson(value: unknown, now: number): CallbackEvent[] {
  if (Array.isArray(value)) return dlrBatch(value, now);
  if (!isRecord(value)) throw new CallbackFieldError(`body: ${EXPECTED}; got ${describe(value)}`);
  if ('response' in value) return dlrResponseField(value.response, now);
  if (value.object === 'whatsapp_business_account' || 'entry' in value) {
    throw new CallbackFieldError('body: a version-3 (Meta format) Gupshup callback; set the app callback to payload version 2');
  }
  if (isSelfServeEnvelope(value)) return parseSelfServeEnvelope(value, now);
  if (isEnterpriseDlr(value)) return [parseEnterpriseDlr(value, '', now)];
  if (isEnterpriseInbound(value)) return [parseEnterpriseInbound(value, now)];
  throw new CallbackFieldError(`body: ${EXPECTED}; got an object with keys ${Object.keys(value).slice(0, 10).join(', ') || '(none)'}`);
}

/** Form fields or query parameters: a DLR (`response` or `externalId`) or an inbound message. */
function fromFlat(fields: Record<string, string>, where: string, now: number): CallbackEvent[] {
  if ('response' in fields) return dlrResponseField(fields.response, now);
  const record: JsonRecord = fields;
  if (isEnterpriseDlr(record)) return [parseEnterpriseDlr(record, '', now)];
  if (isEnterpriseInbound(record)) return [parseEnterpriseInbound(record, now)];
  throw new CallbackFieldError(`${where.trim()}s: ${EXPECTED}; got ${Object.keys(fields).slice(0, 10).join(', ')}`);
}

/** The `response` field: a JSON array (or a JSON string holding one, or a single object). */
function dlrResponseField(value: unknown, now: number): CallbackEvent[] {
  let decoded = value;
  if (typeof value === 'string') {
    if (jsonNestingExceeds(value)) throw new CallbackFieldError(`response: ${TOO_DEEP}`);
    try {
      decoded = JSON.parse(value) as unknown;
    } catch (error) {
      throw new CallbackFieldError(`response: expected a JSON array of delivery reports, got invalid JSON (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  if (Array.isArray(decoded)) return dlrBatch(decoded, now, 'response');
  if (isRecord(decoded)) return [parseEnterpriseDlr(decoded, 'response.', now)];
  throw new CallbackFieldError(`response: expected a JSON array of delivery reports, got ${describe(decoded)}`);
}

function dlrBatch(items: unknown[], now: number, prefix = ''): CallbackEvent[] {
  return items.map((item, index) => parseEnterpriseDlr(item, `${prefix}[${index}].`, now));
}
