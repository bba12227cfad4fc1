/**
 * Gupshup self-serve callbacks: the version-2 envelope `{app, timestamp, version, type, payload}`
 * (reference gupshup.md B6). What becomes an event:
 * - `message-event` sent / delivered / read / failed → receipts keyed by `gsId ?? id` (our
 *   messageId; `gsId` is absent on events arriving more than a week after the send), time from the
 *   inner `ts` (seconds) else the envelope's `timestamp` (ms). `enqueued` is ignored: acceptance was
 *   already recorded from the synchronous answer, and it carries nothing else we use. `deleted`,
 *   `mismatch` and `others` are ignored.
 * - `message` → inbound (text, media, location, quick_reply / button_reply / list_reply, …).
 * - `user-event` opted-in / opted-out → user events; `sandbox-start` is ignored.
 * - `preference-event` (Meta marketing preferences) stop / resume → opted_out / opted_in: the user
 *   asked WhatsApp to stop or resume marketing messages, which is what campaigns are.
 * - `template-event`, `account-event`, `billing-event` and unknown types → no event.
 */
import {
  CallbackFieldError,
  describe,
  epochMs,
  optionalRecord,
  optionalString,
  requiredString,
  type JsonRecord,
} from '../callback-fields.js';
import type { CallbackEvent, InboundEvent, ReceiptEvent, ReceiptStatus } from '../provider.js';
import { businessNumberDigits, callbackPhoneToE164 } from '../provider-phone.js';
import { isRecord } from '../provider-wire.js';
import { categoryForGupshupFailure } from './gupshup.codes.js';

const RECEIPT_TYPES: Readonly<Record<string, ReceiptStatus>> = { sent: 'sent', delivered: 'delivered', read: 'read', failed: 'failed' };

/** Inbound `payload.type` → wacast message type (file → document; replies → button / interactive). */
const INBOUND_TYPES: Readonly<Record<string, string>> = {
  file: 'document',
  quick_reply: 'button',
  button_reply: 'interactive',
  list_reply: 'interactive',
};

export function isSelfServeEnvelope(record: JsonRecord): boolean {
  return typeof record.type === 'string' && 'payload' in record && ('app' in record || 'version' in record || 'timestamp' in record);
}

export function parseSelfServeEnvelope(envelope: JsonRecord, now: number): CallbackEvent[] {
  const type = requiredString(envelope, 'type', '');
  const payload = optionalRecord(envelope, 'payload', '');
  if (!payload) throw new CallbackFieldError(`payload: expected an object, got ${describe(envelope.payload)}`);
  const at = epochMs(envelope.timestamp, 'timestamp', now);
  switch (type) {
    case 'message-event':
      return messageEvent(payload, at);
    case 'message':
      return [inboundMessage(envelope, payload, at)];
    case 'user-event':
      return userEvent(payload);
    case 'preference-event':
      return preferenceEvent(payload);
    default:
      return [];
  }
}

function messageEvent(payload: JsonRecord, envelopeAt: number): ReceiptEvent[] {
  const kind = requiredString(payload, 'type', 'payload.');
  const status = RECEIPT_TYPES[kind];
  if (!status) return []; // enqueued, deleted, mismatch, others
  const providerMessageId = optionalString(payload, 'gsId') ?? requiredString(payload, 'id', 'payload.');
  const inner = optionalRecord(payload, 'payload', 'payload.') ?? {};
  const event: ReceiptEvent = { kind: 'receipt', providerMessageId, status, occurredAt: epochMs(inner.ts, 'payload.payload.ts', envelopeAt) };
  const phone = callbackPhoneToE164(payload.destination);
  if (phone) event.phone = phone;
  if (status === 'failed') {
    const code = optionalString(inner, 'code');
    if (code) event.errorCode = code;
    const reason = optionalString(inner, 'reason');
    if (reason) event.errorDetail = reason;
    event.category = categoryForGupshupFailure(code);
  }
  return [event];
}

function inboundMessage(envelope: JsonRecord, payload: JsonRecord, receivedAt: number): InboundEvent {
  const sender = optionalRecord(payload, 'sender', 'payload.') ?? {};
  const source = payload.source ?? sender.phone;
  const from = callbackPhoneToE164(source);
  if (!from) throw new CallbackFieldError(`payload.source: expected the sender's number (digits with country code), got ${describe(source)}`);
  const rawType = requiredString(payload, 'type', 'payload.');
  const inner = optionalRecord(payload, 'payload', 'payload.') ?? {};
  // A template quick-reply tap is marked by inner type "button", whatever the outer type says.
  let messageType = INBOUND_TYPES[rawType] ?? rawType;
  if (inner.type === 'button') messageType = 'button';

  let text: string | null;
  if (messageType === 'text') text = optionalString(inner, 'text') ?? null;
  else if (messageType === 'button') text = optionalString(inner, 'text') ?? optionalString(inner, 'title') ?? optionalString(inner, 'postbackText') ?? null;
  else if (messageType === 'interactive') text = optionalString(inner, 'title') ?? optionalString(inner, 'reply') ?? optionalString(inner, 'text') ?? null;
  else text = optionalString(inner, 'caption') ?? null;

  const event: InboundEvent = {
    kind: 'inbound',
    providerMessageId: optionalString(payload, 'id') ?? null,
    from,
    messageType,
    text,
    receivedAt,
    payload,
  };
  const appPhone = optionalString(envelope, 'phone');
  if (appPhone && /^\+?\d{3,15}$/.test(appPhone)) event.to = businessNumberDigits(appPhone);
  const name = optionalString(sender, 'name');
  if (name) event.senderName = name;
  const context = optionalRecord(payload, 'context', 'payload.');
  if (context) {
    const contextId = optionalString(context, 'gsId') ?? optionalString(context, 'id');
    if (contextId) event.contextMessageId = contextId;
  }
  return event;
}

function userEvent(payload: JsonRecord): CallbackEvent[] {
  const type = requiredString(payload, 'type', 'payload.');
  if (type !== 'opted-in' && type !== 'opted-out') return []; // sandbox-start and future types
  const phone = callbackPhoneToE164(payload.phone);
  if (!phone) throw new CallbackFieldError(`payload.phone: expected the user's number (digits with country code), got ${describe(payload.phone)}`);
  return [{ kind: 'user', phone, type: type === 'opted-in' ? 'opted_in' : 'opted_out' }];
}

function preferenceEvent(payload: JsonRecord): CallbackEvent[] {
  const inner = optionalRecord(payload, 'payload', 'payload.') ?? {};
  const preferences = inner.user_preferences;
  if (!Array.isArray(preferences)) return [];
  const events: CallbackEvent[] = [];
  preferences.forEach((preference, index) => {
    if (!isRecord(preference)) throw new CallbackFieldError(`payload.payload.user_preferences[${index}]: expected an object, got ${describe(preference)}`);
    const value = optionalString(preference, 'value');
    if (value !== 'stop' && value !== 'resume') return;
    const phone = callbackPhoneToE164(preference.wa_id);
    if (!phone) throw new CallbackFieldError(`payload.payload.user_preferences[${index}].wa_id: expected the user's number, got ${describe(preference.wa_id)}`);
    events.push({ kind: 'user', phone, type: value === 'stop' ? 'opted_out' : 'opted_in' });
  });
  return events;
}
