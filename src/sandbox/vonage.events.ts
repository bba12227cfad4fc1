/**
 * What the Vonage Messages API posts back (reference vonage.md §6–§8): message status webhooks
 * (submitted → delivered → read, or rejected / undeliverable with an error) and inbound messages,
 * each in the v1 or the v0.1 shape, signed with an HS256 JWT whose `payload_hash` is the SHA-256
 * of the exact body bytes.
 */
import { createHash } from 'node:crypto';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { hexId, uuidV4 } from './sandbox.ids.js';
import { SandboxInputError } from './sandbox.schema.js';
import type { Callback } from './sandbox.callbacks.js';
import type { BuiltInbound, InboundSpec, Step } from './sandbox.core.js';
import type { AccountRuntime } from './sandbox.registry.js';
import type { FailReason, VonageAccount } from './sandbox.types.js';
import type { MessageRecord } from './sandbox.store.js';
import { webhookAuthorization } from './vonage.jwt.js';

/** Status and error per failure reason (§6 error list; §10 for 1340 and 1022). */
export const VONAGE_FAILURES: Record<FailReason, { status: 'rejected' | 'undeliverable'; code: number; title: string; detail: string }> = {
  not_on_whatsapp: { status: 'rejected', code: 1300, title: 'Not part of the provider network', detail: 'Not part of the provider network - The recipient is not on WhatsApp.' },
  template_mismatch: {
    status: 'rejected',
    code: 1022,
    title: 'Invalid template',
    detail: 'Invalid template - The template does not exist in your namespace, or its parameters do not match it.',
  },
  outside_window: {
    status: 'rejected',
    code: 1340,
    title: 'Outside of the allowed window',
    detail: 'Outside of the allowed window - This message is sent outside of allowed response window.',
  },
  undeliverable: { status: 'undeliverable', code: 1330, title: 'Delivery failed', detail: 'Unknown - The message could not be delivered.' },
  blocked: {
    status: 'rejected',
    code: 1461,
    title: 'Auto-limiting by provider',
    detail: 'Auto-limiting by provider - WhatsApp limited the marketing messages this user receives.',
  },
  // 1022 covers invalid template parameters too (§6).
  invalid_parameter: {
    status: 'rejected',
    code: 1022,
    title: 'Invalid template',
    detail: 'Invalid template - A template parameter contains a new line, a tab or more than 4 consecutive spaces.',
  },
  rate_limited: {
    status: 'rejected',
    code: 1000,
    title: 'Throttled',
    detail: 'Throttled - You have exceeded the submission capacity allowed on this account. Please wait and retry',
  },
};

export function vonageSteps(outcome: 'read' | 'delivered' | 'failed'): Step[] {
  if (outcome === 'read') return ['accepted', 'delivered', 'read'];
  if (outcome === 'delivered') return ['accepted', 'delivered'];
  return ['accepted', 'failed'];
}

/** The status webhook body for one step, or null for a step Vonage does not report (`sent`). */
export function vonageStatus(runtime: AccountRuntime, message: MessageRecord, step: Step, version: 'v1' | 'v0.1', now: number): Record<string, unknown> | null {
  const account = runtime.account as VonageAccount;
  let status: string;
  let failure: (typeof VONAGE_FAILURES)[FailReason] | undefined;
  switch (step) {
    case 'accepted':
      status = 'submitted';
      break;
    case 'delivered':
    case 'read':
      status = step;
      break;
    case 'failed':
      failure = VONAGE_FAILURES[message.failure?.reason ?? 'undeliverable'];
      status = failure.status;
      break;
    default:
      return null;
  }
  const timestamp = new Date(now).toISOString();
  const template = message.kind === 'template';
  const clientRef = message.clientRef === undefined ? {} : { client_ref: message.clientRef };
  if (version === 'v0.1') {
    return {
      message_uuid: message.id,
      to: { type: 'whatsapp', number: message.to },
      from: { type: 'whatsapp', number: account.whatsappNumber },
      timestamp,
      status,
      ...(failure ? { error: { code: failure.code, reason: failure.title } } : {}),
      ...(step === 'delivered' ? { usage: { currency: 'EUR', price: template ? '0.0400' : '0' } } : {}),
      ...clientRef,
    };
  }
  // The user id (a hash and a numbering-plan lookup) only where the status names it.
  const hidden = runtime.hiddenPhones.has(message.to);
  const userId = hidden || step === 'delivered' ? whatsappUserId(runtime, message.to) : undefined;
  return {
    message_uuid: message.id,
    // A user who keeps their number to themselves is named by user id alone.
    to: hidden ? userId : message.to,
    from: account.whatsappNumber,
    timestamp,
    status,
    channel: 'whatsapp',
    ...clientRef,
    ...(failure
      ? { error: { type: `https://developer.vonage.com/api-errors/messages#${failure.code}`, title: String(failure.code), detail: failure.detail, instance: hexId() } }
      : {}),
    ...(step === 'delivered'
      ? {
          usage: { currency: 'EUR', price: template ? '0.0400' : '0' },
          whatsapp: {
            pricing: { type: template ? 'regular' : 'free_customer_service', pricing_model: 'PMP', category: template ? 'marketing' : 'service' },
            recipient: hidden ? { user_id: userId } : { user_id: userId, wa_id: message.to },
          },
        }
      : {}),
  };
}

/** A signed JSON callback (the signature is made again on each attempt, with a fresh iat/jti). */
export function signedCallback(account: VonageAccount, url: string, kind: Callback['kind'], payload: unknown): Omit<Callback, 'onDone'> {
  const body = JSON.stringify(payload);
  return {
    url,
    kind,
    contentType: 'application/json',
    body,
    headers: () => ({ authorization: webhookAuthorization(body, account.apiKey, account.applicationId, account.signatureSecret) }),
    // "webhooks that respond with HTTP 429 or HTTP 5xx response will be attempted again" (§9): any
    // other answer ends the delivery, so a receiver that refuses one loses it, as with Vonage.
    retryStatus: (status) => status === 429 || status >= 500,
  };
}

const MEDIA_V1 = { image: 'image', video: 'video', audio: 'audio', document: 'file' } as const;

/**
 * The WhatsApp user id (BSUID) of a phone as this account's business sees it: the phone's country,
 * a dot, and 20 digits derived from the business number and the phone (ids are business-scoped,
 * and stable: every report and inbound message of one user names the same id). The account
 * remembers it, to take it back as `to`.
 */
export function whatsappUserId(runtime: AccountRuntime, phone: string): string {
  const account = runtime.account as VonageAccount;
  const digits = phone.replace(/^\+/, '');
  const country = parsePhoneNumberFromString(`+${digits}`)?.country ?? 'ZZ';
  const hash = createHash('sha256').update(`${account.whatsappNumber}\n${digits}`).digest();
  const id = `${country}.${hash.readBigUInt64BE(0).toString().padStart(20, '0').slice(-20)}`;
  runtime.userIds.set(id, digits);
  return id;
}

/** A WhatsApp user id as Vonage v1.20 takes it as `to`: country, dot, letters and digits. */
export const WHATSAPP_USER_ID = /^[A-Za-z]{2}\.[A-Za-z0-9]{1,128}$/;

/** The inbound webhook of §7 in the account's webhook version. */
export function vonageInbound(runtime: AccountRuntime, spec: InboundSpec, now: number): BuiltInbound {
  const account = runtime.account as VonageAccount;
  if (!account.inboundUrl) throw new SandboxInputError([{ path: 'account', message: `account ${account.id} has no inboundUrl` }]);
  if (spec.hidePhone && !spec.username) throw new SandboxInputError([{ path: 'hidePhone', message: 'needs username: true (only a user with a username can hide their number)' }]);
  if (spec.username && account.webhookVersion === 'v0.1') {
    throw new SandboxInputError([{ path: 'username', message: 'WhatsApp user ids exist only in Vonage v1 webhooks; this account sends v0.1' }]);
  }
  const type = spec.type ?? 'text';
  if (type === 'opted-in' || type === 'opted-out') {
    throw new SandboxInputError([{ path: 'type', message: `${type} is a Gupshup self-serve user event; Vonage has none` }]);
  }
  const id = uuidV4();
  const timestamp = new Date(now).toISOString();
  let payload: Record<string, unknown>;
  if (account.webhookVersion === 'v0.1') {
    let content: Record<string, unknown>;
    switch (type) {
      case 'text':
        content = { type: 'text', text: spec.text ?? '' };
        break;
      case 'image':
      case 'video':
      case 'audio':
      case 'document': {
        if (!spec.mediaUrl) throw new SandboxInputError([{ path: 'mediaUrl', message: `is required for type ${type}` }]);
        const key = MEDIA_V1[type];
        content = { type: key, [key]: { url: spec.mediaUrl, ...(spec.caption === undefined ? {} : { caption: spec.caption }) } };
        break;
      }
      case 'location':
        if (spec.latitude === undefined || spec.longitude === undefined) {
          throw new SandboxInputError([{ path: 'latitude', message: 'latitude and longitude are required for type location' }]);
        }
        content = { type: 'location', location: { lat: spec.latitude, long: spec.longitude } };
        break;
      case 'button':
        // The v0.1 inbound schema has no button type (§7): a template button tap is "unsupported".
        content = { type: 'unsupported' };
        break;
    }
    payload = {
      message_uuid: id,
      timestamp,
      to: { type: 'whatsapp', number: account.whatsappNumber },
      from: { type: 'whatsapp', number: spec.from },
      message: { content },
    };
  } else {
    const userId = spec.username ? whatsappUserId(runtime, spec.from) : undefined;
    if (spec.username) {
      if (spec.hidePhone) runtime.hiddenPhones.add(spec.from);
      else runtime.hiddenPhones.delete(spec.from);
    }
    payload = {
      channel: 'whatsapp',
      message_uuid: id,
      to: account.whatsappNumber,
      from: userId ?? spec.from,
      timestamp,
      profile: { name: spec.name ?? 'Sandbox User', ...(userId ? { username: `user${spec.from.slice(-4)}` } : {}) },
      context_status: spec.contextId ? 'available' : 'none',
      ...(spec.contextId ? { context: { message_uuid: spec.contextId, message_from: account.whatsappNumber } } : {}),
      ...(userId ? { whatsapp: { sender: { user_id: userId, ...(spec.hidePhone ? {} : { wa_id: spec.from }) } } } : {}),
    };
    switch (type) {
      case 'text':
        payload.message_type = 'text';
        payload.text = spec.text ?? '';
        break;
      case 'image':
      case 'video':
      case 'audio':
      case 'document': {
        if (!spec.mediaUrl) throw new SandboxInputError([{ path: 'mediaUrl', message: `is required for type ${type}` }]);
        const key = MEDIA_V1[type];
        payload.message_type = key;
        payload[key] = { url: spec.mediaUrl, ...(spec.fileName ? { name: spec.fileName } : {}) };
        break;
      }
      case 'location':
        if (spec.latitude === undefined || spec.longitude === undefined) {
          throw new SandboxInputError([{ path: 'latitude', message: 'latitude and longitude are required for type location' }]);
        }
        payload.message_type = 'location';
        payload.location = { lat: spec.latitude, long: spec.longitude };
        break;
      case 'button':
        if (!spec.buttonText) throw new SandboxInputError([{ path: 'buttonText', message: 'is required for type button' }]);
        payload.message_type = 'button';
        payload.button = { payload: spec.buttonPayload ?? spec.buttonText, text: spec.buttonText };
        break;
    }
  }
  return { id, url: account.inboundUrl, payload, callback: signedCallback(account, account.inboundUrl, 'inbound', payload) };
}
