/**
 * parseNexmoCallback: Vonage Messages API webhooks → CallbackEvents, whichever of the two URLs they
 * arrived on (reference vonage.md §6, §7). Recognised:
 * - message status, v1 (`to`/`from` strings, `error{type,title,detail}`) and v0.1 (`to{type,number}`,
 *   `error{code,reason}`): submitted → sent, delivered, read, rejected / undeliverable → failed;
 * - inbound messages, v1 (`message_type` + a field per type, `profile`, `context.message_uuid`) and
 *   v0.1 (`message.content{type,…}`).
 * Timestamps are ISO 8601 or the `2020-01-01 14:00:00 UTC` form of one documented example. Verify the
 * signature (verifyVonageSignature) before trusting what this returns. Never throws.
 */
import {
  CallbackFieldError,
  decodeBody,
  describe,
  epochMs,
  guard,
  optionalRecord,
  optionalString,
  requiredString,
  type JsonRecord,
  type ParseOptions,
} from '../callback-fields.js';
import type { CallbackEvent, InboundEvent, ParseResult, RawCallback, ReceiptEvent, ReceiptStatus } from '../provider.js';
import { businessNumberDigits, callbackPhoneToE164, whatsappUserIdOf } from '../provider-phone.js';
import { isRecord } from '../provider-wire.js';
import { categoryForVonageCode, vonageCodeOf } from './nexmo.codes.js';

const STATUS: Readonly<Record<string, ReceiptStatus>> = {
  submitted: 'sent',
  delivered: 'delivered',
  read: 'read',
  rejected: 'failed',
  undeliverable: 'failed',
};

/** Vonage message types → wacast message types (`file` → document, interactive `reply` → interactive). */
const INBOUND_TYPES: Readonly<Record<string, string>> = { file: 'document', reply: 'interactive' };

export function parseNexmoCallback(raw: RawCallback, options: ParseOptions = {}): ParseResult {
  const now = options.now ?? Date.now();
  return guard(() => {
    const body = decodeBody(raw);
    if (body.kind !== 'json') throw new CallbackFieldError('body: expected a JSON object (a Vonage message status or inbound message)');
    const value = body.value;
    if (!isRecord(value)) throw new CallbackFieldError(`body: expected a JSON object, got ${describe(value)}`);
    if (typeof value.status === 'string' && 'message_uuid' in value) return { ok: true, events: [status(value, now)] };
    if ('message_type' in value || isRecord(value.message)) return { ok: true, events: [inbound(value, now)] };
    throw new CallbackFieldError(
      `body: expected a message status (message_uuid, status, …) or an inbound message (message_type, or message.content); got keys ${Object.keys(value).slice(0, 10).join(', ') || '(none)'}`,
    );
  });
}

/** v1 `"447700900000"` or v0.1 `{"type":"whatsapp","number":"447700900000"}`. */
function address(record: JsonRecord, key: string): unknown {
  const value = record[key];
  return isRecord(value) ? value.number : value;
}

function status(record: JsonRecord, now: number): CallbackEvent {
  const providerMessageId = requiredString(record, 'message_uuid', '');
  const text = requiredString(record, 'status', '');
  const mapped = STATUS[text.toLowerCase()];
  if (!mapped) throw new CallbackFieldError(`status: expected submitted, delivered, read, rejected or undeliverable, got ${describe(text)}`);
  const event: ReceiptEvent = { kind: 'receipt', providerMessageId, status: mapped, occurredAt: epochMs(record.timestamp, 'timestamp', now) };
  const phone = callbackPhoneToE164(address(record, 'to'));
  if (phone) event.phone = phone;
  const clientRef = optionalString(record, 'client_ref');
  if (clientRef) event.clientRef = clientRef;
  const whatsapp = optionalRecord(record, 'whatsapp', '');
  const recipient = whatsapp ? optionalRecord(whatsapp, 'recipient', 'whatsapp.') : undefined;
  const userId = whatsappUserIdOf(recipient?.user_id);
  // WhatsApp's own spelling of the number first: an inbound message from the user carries that one.
  const userPhone = callbackPhoneToE164(recipient?.wa_id) ?? phone;
  if (userId && userPhone) event.user = { id: userId, phone: userPhone };
  if (mapped === 'failed') {
    const error = optionalRecord(record, 'error', '');
    if (error) {
      const code = vonageCodeOf(error);
      if (code) event.errorCode = code;
      const detail = optionalString(error, 'detail') ?? optionalString(error, 'reason') ?? (code ? undefined : optionalString(error, 'title'));
      if (detail) event.errorDetail = detail;
      event.category = categoryForVonageCode(code);
    } else {
      // undeliverable = Vonage could not reach WhatsApp at all.
      event.category = text.toLowerCase() === 'undeliverable' ? 'provider_down' : 'other';
    }
  }
  return event;
}

function inbound(record: JsonRecord, now: number): InboundEvent {
  const whatsapp = optionalRecord(record, 'whatsapp', '');
  const sender = whatsapp ? optionalRecord(whatsapp, 'sender', 'whatsapp.') : undefined;
  // v1.20: `from` is the user's WhatsApp user id (BSUID) when they set a username; their number is
  // then in whatsapp.sender.wa_id, when they share it. Without it the applier looks the id up.
  const fromValue = address(record, 'from');
  const fromPhone = callbackPhoneToE164(fromValue);
  const from = fromPhone ?? callbackPhoneToE164(sender?.wa_id);
  const senderUserId = whatsappUserIdOf(sender?.user_id) ?? (fromPhone ? undefined : whatsappUserIdOf(fromValue));
  if (!from && !senderUserId) {
    throw new CallbackFieldError(`from: expected the sender's number (digits with country code) or WhatsApp user id (such as US.13491208655302741918), got ${describe(fromValue)}`);
  }

  let type: string;
  let content: JsonRecord;
  if ('message_type' in record) {
    type = requiredString(record, 'message_type', '');
    content = record;
  } else {
    const message = optionalRecord(record, 'message', '') ?? {};
    const inner = optionalRecord(message, 'content', 'message.');
    if (!inner) throw new CallbackFieldError(`message.content: expected an object with a type, got ${describe(message.content)}`);
    type = requiredString(inner, 'type', 'message.content.');
    content = inner;
  }

  const messageType = INBOUND_TYPES[type] ?? type;
  let text: string | null = null;
  const typedValue = content[type];
  const typed: JsonRecord | undefined = isRecord(typedValue) ? typedValue : undefined;
  if (type === 'text') text = optionalString(content, 'text') ?? null;
  else if (type === 'reply' && typed) text = optionalString(typed, 'title') ?? optionalString(typed, 'id') ?? null;
  else if (type === 'button' && typed) text = optionalString(typed, 'text') ?? optionalString(typed, 'payload') ?? null;
  else if (typed && type !== 'reaction') text = optionalString(typed, 'caption') ?? null;

  const event: InboundEvent = {
    kind: 'inbound',
    providerMessageId: optionalString(record, 'message_uuid') ?? null,
    from,
    ...(senderUserId ? { senderUserId } : {}),
    messageType,
    text,
    receivedAt: epochMs(record.timestamp, 'timestamp', now),
    payload: record,
  };
  const to = address(record, 'to');
  if (typeof to === 'string' && to.trim()) event.to = businessNumberDigits(to);
  const profile = optionalRecord(record, 'profile', '');
  const name = profile ? optionalString(profile, 'name') : undefined;
  if (name) event.senderName = name;
  const context = optionalRecord(record, 'context', '');
  const contextId = context ? optionalString(context, 'message_uuid') : undefined;
  if (contextId) event.contextMessageId = contextId;
  return event;
}
