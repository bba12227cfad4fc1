/**
 * What Gupshup Enterprise posts back (reference gupshup.md A8, A9): DLR events, batched by the
 * callback sender into the form field `response=[…]`, and flat-JSON inbound messages to the
 * two-way account's URL.
 */
import { uuidV4 } from './sandbox.ids.js';
import { SandboxInputError } from './sandbox.schema.js';
import type { BuiltInbound, InboundSpec, Step } from './sandbox.core.js';
import type { AccountRuntime } from './sandbox.registry.js';
import type { FailReason, GupshupEnterpriseAccount } from './sandbox.types.js';
import type { MessageRecord } from './sandbox.store.js';

/**
 * FAILED `cause` / `errorCode` per failure reason. The WhatsApp vocabulary is undocumented
 * (reference A8 [?], C3); UNKNOWN_SUBSCRIBER/003 is the documented SMS pairing, 470, 130429 and
 * 132018 are Meta's codes, passed through as Gupshup does on asynchronous failures (B7), the rest
 * are the sandbox's choice (docs/sandbox.md).
 */
export const ENTERPRISE_FAILURES: Record<FailReason, { cause: string; errorCode: string }> = {
  not_on_whatsapp: { cause: 'UNKNOWN_SUBSCRIBER', errorCode: '003' },
  template_mismatch: { cause: 'OTHER', errorCode: '005' },
  outside_window: { cause: 'OTHER', errorCode: '470' },
  undeliverable: { cause: 'OTHER', errorCode: '100' },
  blocked: { cause: 'BLOCKED_FOR_USER', errorCode: '006' },
  // Meta's throughput code. (It was HTTP's 429, which nothing maps to throttling.)
  rate_limited: { cause: 'OTHER', errorCode: '130429' },
  // Meta's code, passed through as for the closed window (470).
  invalid_parameter: { cause: 'OTHER', errorCode: '132018' },
};

/** WhatsApp "sent then failed" (the message left for the phone) versus refused before sending. */
export function enterpriseSteps(outcome: 'read' | 'delivered' | 'failed', reason?: FailReason): Step[] {
  if (outcome === 'read') return ['sent', 'delivered', 'read'];
  if (outcome === 'delivered') return ['sent', 'delivered'];
  return reason === 'undeliverable' || reason === 'blocked' ? ['sent', 'failed'] : ['failed'];
}

const STEP_EVENT: Record<Exclude<Step, 'accepted' | 'failed'>, { eventType: string; cause: string; errorCode: string }> = {
  sent: { eventType: 'SENT', cause: 'SENT', errorCode: '000' },
  delivered: { eventType: 'DELIVERED', cause: 'SUCCESS', errorCode: '000' },
  // "026" with READ is what CleverTap's sample shows (reference A8, example 1).
  read: { eventType: 'READ', cause: 'READ', errorCode: '026' },
};

/** One DLR event object, as it appears inside the `response` array. */
export function enterpriseDlrEvent(account: GupshupEnterpriseAccount, message: MessageRecord, step: Step, now: number): Record<string, unknown> | null {
  let kind: { eventType: string; cause: string; errorCode: string };
  if (step === 'failed') {
    const failure = ENTERPRISE_FAILURES[message.failure?.reason ?? 'undeliverable'];
    kind = { eventType: 'FAILED', ...failure };
  } else if (step === 'accepted') {
    return null;
  } else {
    kind = STEP_EVENT[step];
  }
  return {
    srcAddr: account.businessNumber,
    ...(message.extra === undefined ? {} : { extra: message.extra }),
    channel: 'WHATSAPP',
    externalId: message.id,
    cause: kind.cause,
    errorCode: kind.errorCode,
    destAddr: message.to,
    eventType: kind.eventType,
    eventTs: now,
  };
}

const MEDIA_KEYS = { image: 'image', video: 'video', audio: 'audio', document: 'document' } as const;

/** Builds the flat-JSON inbound callback of reference A9 for the two-way account's URL. */
export function enterpriseInbound(runtime: AccountRuntime, spec: InboundSpec, now: number): BuiltInbound {
  const account = runtime.account as GupshupEnterpriseAccount;
  if (!account.inboundUrl) throw new SandboxInputError([{ path: 'account', message: `account ${account.id} has no inboundUrl` }]);
  const type = spec.type ?? 'text';
  // replyId is what clients store as the inbound message's own id; messageId names the business
  // message answered (reference A9 [?]; Glific's reading).
  const replyId = uuidV4();
  const payload: Record<string, string> = {
    waNumber: account.businessNumber,
    mobile: spec.from,
    name: spec.name ?? 'Sandbox User',
    type,
    timestamp: String(now),
    replyId,
  };
  if (spec.contextId) payload.messageId = spec.contextId;
  switch (type) {
    case 'text':
      payload.text = spec.text ?? '';
      break;
    case 'image':
    case 'video':
    case 'audio':
    case 'document': {
      if (!spec.mediaUrl) throw new SandboxInputError([{ path: 'mediaUrl', message: `is required for type ${type}` }]);
      // Clients rebuild the media URL as url + signature (reference A9), so split it that way.
      const cut = spec.mediaUrl.lastIndexOf('/') + 1;
      payload[MEDIA_KEYS[type]] = JSON.stringify({
        url: spec.mediaUrl.slice(0, cut),
        signature: spec.mediaUrl.slice(cut),
        mime_type: spec.mimeType ?? defaultMime(type),
        ...(spec.caption === undefined ? {} : { caption: spec.caption }),
      });
      break;
    }
    case 'location':
      if (spec.latitude === undefined || spec.longitude === undefined) {
        throw new SandboxInputError([{ path: 'latitude', message: 'latitude and longitude are required for type location' }]);
      }
      payload.location = JSON.stringify({ longitude: String(spec.longitude), latitude: String(spec.latitude) });
      break;
    case 'button':
      if (!spec.buttonText) throw new SandboxInputError([{ path: 'buttonText', message: 'is required for type button' }]);
      payload.button = JSON.stringify({ text: spec.buttonText, payload: spec.buttonPayload ?? spec.buttonText });
      break;
    default:
      throw new SandboxInputError([{ path: 'type', message: `${type} is a Gupshup self-serve user event; Gupshup Enterprise has none` }]);
  }
  const body = JSON.stringify(payload);
  return { id: replyId, url: account.inboundUrl, payload, callback: { url: account.inboundUrl, kind: 'inbound', contentType: 'application/json', body } };
}

function defaultMime(type: 'image' | 'video' | 'audio' | 'document'): string {
  return { image: 'image/jpeg', video: 'video/mp4', audio: 'audio/ogg', document: 'application/pdf' }[type];
}
