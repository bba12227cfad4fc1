/**
 * What Gupshup self-serve posts to the app's webhook (reference gupshup.md B6, B7): version-2
 * envelopes `{app, timestamp, version, type, payload}` for message events (enqueued, sent,
 * delivered, read, failed), inbound messages and user events.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { hexId, inboundWhatsappId, whatsappIdFor } from './sandbox.ids.js';
import { SandboxInputError } from './sandbox.schema.js';
import type { BuiltInbound, InboundSpec, Step } from './sandbox.core.js';
import type { AccountRuntime } from './sandbox.registry.js';
import type { FailReason, GupshupSelfServeAccount } from './sandbox.types.js';
import type { MessageRecord } from './sandbox.store.js';

/**
 * `failed` codes per reason (B7). `sync` failures replace `enqueued` and carry the Gupshup id in
 * `payload.id`; the others follow `enqueued` and carry the WhatsApp id with `gsId` (B6.1).
 */
export const SELFSERVE_FAILURES: Record<FailReason, { code: number; reason: string; sync: boolean }> = {
  not_on_whatsapp: { code: 1002, reason: 'Number Does Not Exist On WhatsApp', sync: true },
  template_mismatch: { code: 4003, reason: 'Message Sending failed as the template did not match.', sync: true },
  rate_limited: { code: 4001, reason: 'API Rate Limited', sync: true },
  outside_window: {
    code: 470,
    reason: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number',
    sync: false,
  },
  undeliverable: { code: 131026, reason: 'Message Undeliverable.', sync: false },
  blocked: { code: 131049, reason: 'This message was not delivered to maintain healthy ecosystem engagement.', sync: false },
  // A Meta code, passed through on an asynchronous failure (B7).
  invalid_parameter: {
    code: 132018,
    reason: 'There was an issue with the parameters in your template: they cannot have new-line/tab characters or more than 4 consecutive spaces.',
    sync: false,
  },
};

export function selfServeSteps(outcome: 'read' | 'delivered' | 'failed', reason?: FailReason): Step[] {
  if (outcome === 'read') return ['accepted', 'sent', 'delivered', 'read'];
  if (outcome === 'delivered') return ['accepted', 'sent', 'delivered'];
  return SELFSERVE_FAILURES[reason ?? 'undeliverable'].sync ? ['failed'] : ['accepted', 'failed'];
}

function envelope(account: GupshupSelfServeAccount, type: string, payload: unknown, now: number): Record<string, unknown> {
  return { app: account.appName, timestamp: now, version: 2, type, phone: account.sourceNumber, payload };
}

/** The `message-event` envelope for one step of a message. */
export function selfServeEvent(account: GupshupSelfServeAccount, message: MessageRecord, step: Step, now: number): Record<string, unknown> {
  const gsId = message.id;
  const waId = whatsappIdFor(gsId);
  const destination = message.to;
  const ts = Math.floor(now / 1000);
  switch (step) {
    case 'accepted':
      return envelope(account, 'message-event', { id: gsId, type: 'enqueued', destination, payload: { whatsappMessageId: waId, type: message.kind === 'template' ? 'template' : 'session' } }, now);
    case 'sent':
      return envelope(
        account,
        'message-event',
        {
          id: waId,
          gsId,
          type: 'sent',
          destination,
          payload: { ts },
          conversation: { id: hexId(), expiresAt: ts + 24 * 60 * 60, type: message.kind === 'template' ? 'marketing' : 'service' },
          pricing: { policy: 'CBP', category: message.kind === 'template' ? 'marketing' : 'service' },
        },
        now,
      );
    case 'delivered':
    case 'read':
      return envelope(account, 'message-event', { id: waId, gsId, type: step, destination, payload: { ts } }, now);
    case 'failed': {
      const failure = SELFSERVE_FAILURES[message.failure?.reason ?? 'undeliverable'];
      const ids = failure.sync ? { id: gsId } : { id: waId, gsId };
      return envelope(account, 'message-event', { ...ids, type: 'failed', destination, payload: { code: failure.code, reason: failure.reason } }, now);
    }
  }
}

/** A `user-event` (opted-in, opted-out) for a phone. */
export function selfServeUserEvent(account: GupshupSelfServeAccount, phone: string, type: 'opted-in' | 'opted-out', now: number): Record<string, unknown> {
  return envelope(account, 'user-event', { phone, type }, now);
}

export function sender(phone: string, name: string): { phone: string; name: string; country_code: string; dial_code: string } {
  const parsed = parsePhoneNumberFromString(`+${phone}`);
  return parsed
    ? { phone, name, country_code: parsed.countryCallingCode, dial_code: parsed.nationalNumber }
    : { phone, name, country_code: '', dial_code: phone };
}

/** Builds the `message` (or `user-event`) callback of B6.2 / B6.3 for the app's webhook. */
export function selfServeInbound(runtime: AccountRuntime, spec: InboundSpec, now: number): BuiltInbound {
  const account = runtime.account as GupshupSelfServeAccount;
  if (!account.webhookUrl) throw new SandboxInputError([{ path: 'account', message: `account ${account.id} has no webhookUrl` }]);
  const type = spec.type ?? 'text';
  let envelopeBody: Record<string, unknown>;
  let id: string;
  if (type === 'opted-in' || type === 'opted-out') {
    id = '';
    envelopeBody = selfServeUserEvent(account, spec.from, type, now);
  } else {
    id = inboundWhatsappId();
    let payloadType: string = type;
    let inner: Record<string, unknown>;
    switch (type) {
      case 'text':
        inner = { text: spec.text ?? '' };
        break;
      case 'image':
      case 'video':
      case 'audio':
      case 'document':
        if (!spec.mediaUrl) throw new SandboxInputError([{ path: 'mediaUrl', message: `is required for type ${type}` }]);
        payloadType = type === 'document' ? 'file' : type;
        inner = {
          url: spec.mediaUrl,
          ...(spec.caption === undefined ? {} : { caption: spec.caption }),
          contentType: spec.mimeType ?? { image: 'image/jpeg', video: 'video/mp4', audio: 'audio/ogg', document: 'application/pdf' }[type],
          urlExpiry: now + 24 * 60 * 60 * 1000,
          ...(type === 'document' && spec.fileName ? { name: spec.fileName } : {}),
        };
        break;
      case 'location':
        if (spec.latitude === undefined || spec.longitude === undefined) {
          throw new SandboxInputError([{ path: 'latitude', message: 'latitude and longitude are required for type location' }]);
        }
        inner = { longitude: spec.longitude, latitude: spec.latitude };
        break;
      case 'button':
        if (!spec.buttonText) throw new SandboxInputError([{ path: 'buttonText', message: 'is required for type button' }]);
        // Template quick-reply tap: the inner type "button" is the reliable marker (B6.2).
        payloadType = 'quick_reply';
        inner = { text: spec.buttonText, type: 'button', postbackText: spec.buttonPayload ?? spec.buttonText };
        break;
    }
    const payload: Record<string, unknown> = {
      id,
      source: spec.from,
      type: payloadType,
      payload: inner,
      sender: sender(spec.from, spec.name ?? 'Sandbox User'),
    };
    if (spec.contextId) payload.context = { id: whatsappIdFor(spec.contextId), gsId: spec.contextId };
    envelopeBody = envelope(account, 'message', payload, now);
  }
  const body = JSON.stringify(envelopeBody);
  return {
    id,
    url: account.webhookUrl,
    payload: envelopeBody,
    callback: { url: account.webhookUrl, kind: type === 'opted-in' || type === 'opted-out' ? 'event' : 'inbound', contentType: 'application/json; charset=utf-8', body },
  };
}
