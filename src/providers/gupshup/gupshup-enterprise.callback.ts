/**
 * Gupshup Enterprise callbacks (reference gupshup.md A8, A9): delivery reports and inbound messages.
 * Field readers throw CallbackFieldError; parseGupshupCallback catches it.
 */
import { createHash } from 'node:crypto';
import {
  CallbackFieldError,
  describe,
  epochMs,
  jsonObjectField,
  optionalString,
  requiredString,
  type JsonRecord,
} from '../callback-fields.js';
import type { InboundEvent, ReceiptEvent, ReceiptStatus } from '../provider.js';
import { businessNumberDigits, callbackPhoneToE164 } from '../provider-phone.js';
import { categoryForGupshupFailure } from './gupshup.codes.js';

/**
 * DLR `eventType` (WhatsApp) or `status` (the SMS gateway's GET variant) → receipt status. The
 * WhatsApp vocabulary is SENT / DELIVERED / READ / FAILED; the SMS words are accepted because the
 * GET variant of the same DLR format uses them.
 */
const DLR_STATUS: Readonly<Record<string, ReceiptStatus>> = {
  SENT: 'sent',
  DELIVERED: 'delivered',
  SUCCESS: 'delivered',
  DELIVRD: 'delivered',
  READ: 'read',
  FAILED: 'failed',
  FAIL: 'failed',
  FAILURE: 'failed',
  UNDELIVERED: 'failed',
  UNDELIV: 'failed',
  REJECTED: 'failed',
  EXPIRED: 'failed',
};

/** One DLR object (from a batch, a single JSON object, form fields or the GET query). */
export function parseEnterpriseDlr(item: unknown, path: string, now: number): ReceiptEvent {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    throw new CallbackFieldError(`${path || 'body'}: expected a delivery report object, got ${describe(item)}`);
  }
  const record = item as JsonRecord;
  const providerMessageId = requiredString(record, 'externalId', path);
  const statusKey = optionalString(record, 'eventType') !== undefined ? 'eventType' : 'status';
  const statusText = requiredString(record, statusKey, path);
  const status = DLR_STATUS[statusText.trim().toUpperCase()];
  if (!status) throw new CallbackFieldError(`${path}${statusKey}: expected SENT, DELIVERED, READ or FAILED, got ${describe(statusText)}`);

  const event: ReceiptEvent = {
    kind: 'receipt',
    providerMessageId,
    status,
    occurredAt: epochMs(record.eventTs ?? record.deliveredTS ?? record.timestamp, `${path}eventTs`, now),
  };
  const phone = callbackPhoneToE164(record.destAddr ?? record.phoneNo ?? record.phone);
  if (phone) event.phone = phone;
  const clientRef = optionalString(record, 'extra');
  if (clientRef) event.clientRef = clientRef;
  if (status === 'failed') {
    const errorCode = optionalString(record, 'errorCode') ?? optionalString(record, 'errCode');
    const cause = optionalString(record, 'cause');
    if (errorCode) event.errorCode = errorCode;
    const detail = optionalString(record, 'errorDescription') ?? optionalString(record, 'reason') ?? cause;
    if (detail) event.errorDetail = detail;
    event.category = categoryForGupshupFailure(errorCode, cause);
  }
  return event;
}

const MEDIA_TYPES = new Set(['image', 'video', 'audio', 'voice', 'document', 'sticker']);

/**
 * An inbound message posted to the two-way account's URL: a flat object (JSON or form fields) with
 * `mobile`, `name`, `type`, `text`, `timestamp` (ms, as a string), `waNumber`, `replyId`,
 * `messageId`, and JSON-encoded strings for media, `location`, `button` and `interactive`.
 *
 * Ids follow Glific, the one public integration that stores them: `replyId` is the inbound
 * message's own id, `messageId` the id of the business message it answers (its context).
 */
export function parseEnterpriseInbound(record: JsonRecord, now: number): InboundEvent {
  const mobile = record.mobile;
  const from = callbackPhoneToE164(mobile);
  if (!from) throw new CallbackFieldError(`mobile: expected the sender's number (digits with country code), got ${describe(mobile)}`);
  const text = optionalString(record, 'text');
  const rawType = optionalString(record, 'type')?.toLowerCase() ?? (text !== undefined ? 'text' : undefined);
  if (!rawType) throw new CallbackFieldError(`type: expected text, image, video, audio, voice, document, location, button or interactive, got ${describe(record.type)}`);

  const payload: JsonRecord = { ...record };
  const messageType = rawType === 'voice' ? 'audio' : rawType;
  let body: string | null = text ?? null;

  if (MEDIA_TYPES.has(rawType)) {
    const media = jsonObjectField(record, rawType, '');
    if (media) {
      payload[rawType] = media;
      // The media URL is `url` + `signature` (the signature is a query suffix).
      const url = optionalString(media, 'url');
      if (url) payload.mediaUrl = `${url}${optionalString(media, 'signature') ?? ''}`;
      body = optionalString(media, 'caption') ?? body;
    }
  } else if (rawType === 'location') {
    const location = jsonObjectField(record, 'location', '');
    if (location) payload.location = location;
  } else if (rawType === 'button') {
    const button = jsonObjectField(record, 'button', '', 'text');
    if (button) {
      payload.button = button;
      body = optionalString(button, 'text') ?? optionalString(button, 'payload') ?? body;
    }
  } else if (rawType === 'interactive') {
    const interactive = jsonObjectField(record, 'interactive', '');
    if (interactive) {
      payload.interactive = interactive;
      const kind = optionalString(interactive, 'type');
      const reply = kind ? interactive[kind] : undefined;
      if (typeof reply === 'object' && reply !== null && !Array.isArray(reply)) {
        body = optionalString(reply as JsonRecord, 'title') ?? optionalString(reply as JsonRecord, 'id') ?? body;
      }
    }
  }

  const event: InboundEvent = {
    kind: 'inbound',
    providerMessageId: optionalString(record, 'replyId') ?? contentId(record),
    from,
    messageType,
    text: body,
    receivedAt: epochMs(record.timestamp, 'timestamp', now),
    payload,
  };
  const to = optionalString(record, 'waNumber');
  if (to) event.to = businessNumberDigits(to);
  const name = optionalString(record, 'name');
  if (name) event.senderName = name;
  const context = optionalString(record, 'messageId');
  if (context) event.contextMessageId = context;
  return event;
}

/**
 * The id of an inbound message that came without `replyId` (as in the documented samples): its
 * content — every field, in key order — hashed, when it carries the provider's `timestamp` (ms).
 * A callback the provider posts again is the same message and changes nothing the second time
 * (inbound messages are unique per account and id); two messages differ at least in their
 * timestamp. Without a timestamp, two identical texts could be two messages: no id then, each one
 * stored.
 */
function contentId(record: JsonRecord): string | null {
  if (optionalString(record, 'timestamp') === undefined) return null;
  const canonical = JSON.stringify(Object.keys(record).sort().map((key) => [key, record[key]]));
  return `wacast-content-${createHash('sha256').update(canonical).digest('hex').slice(0, 32)}`;
}

/** True for a flat object that looks like an enterprise inbound message. */
export function isEnterpriseInbound(record: JsonRecord): boolean {
  return 'mobile' in record && ('type' in record || 'text' in record || 'waNumber' in record);
}

/** True for a flat object that looks like one enterprise DLR. */
export function isEnterpriseDlr(record: JsonRecord): boolean {
  return 'externalId' in record;
}
