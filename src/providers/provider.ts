/**
 * The one interface every WhatsApp provider adapter implements (Gupshup Enterprise, Gupshup
 * self-serve, Nexmo/Vonage). Adapters speak the provider's wire protocol and nothing else: no
 * database, no campaign logic. Expected failures are values, never throws.
 *
 * Guarantees every adapter gives (checked by the contract suite):
 * - a send resolves to exactly one SendResult; `not_sent` means the provider certainly did not
 *   accept the message (safe to retry when `retryable`), `unknown` means the request may have
 *   reached the provider (never retry blindly);
 * - phone numbers go out in the provider's format (digits with country code, no `+`);
 * - no secret appears in `raw` (credentials are replaced by `[redacted]`).
 */

export type ProviderType = 'gupshup' | 'nexmo';

export interface GupshupCredentials {
  /** `enterprise` (GatewayAPI, userid/password accounts) or `selfserve` (api.gupshup.io, apikey). */
  mode: 'enterprise' | 'selfserve';
  notificationUserId: string;
  notificationPassword: string;
  twoWayUserId: string;
  twoWayPassword: string;
  /** Self-serve `src.name`. */
  appName: string;
  /** Business number (digits with country code, or E.164) or a 3–8 digit shortcode. */
  mobileNumber: string;
  facebookUrl: string;
  /** Self-serve API key (header `apikey`). */
  apiKey?: string;
}

export interface NexmoCredentials {
  applicationId: string;
  /** PEM RSA private key of the Vonage application (JWT auth). */
  privateKey: string;
  apiKey: string;
  apiSecret: string;
  /** Verifies signed webhooks (HS256). */
  signatureSecret: string;
  /** Business WhatsApp number. */
  whatsappNumber: string;
}

export type ProviderCredentials = GupshupCredentials | NexmoCredentials;

/** Stable failure categories, shown in reports and used for retry decisions. */
export type ErrorCategory =
  | 'auth' // credentials refused
  | 'invalid_number' // not a valid / not a WhatsApp number
  | 'not_opted_in' // the provider requires an opt-in it does not have, or the user opted out
  | 'template_mismatch' // template unknown, not approved, or parameters do not match
  | 'outside_window' // session message outside the 24-hour window
  | 'media' // media URL unreachable, too large or of a wrong type
  | 'rate_limited' // throttled by the provider (429, 4001, 1000, 130429)
  | 'provider_down' // the provider failed (5xx, connection refused, internal error)
  | 'invalid_request' // the provider refused our request's shape (a bug or a bad value)
  | 'blocked' // blocked by WhatsApp / spam / user blocked the business
  | 'insufficient_funds'
  | 'other';

export interface AttachmentTemplate {
  /** `ABC:welcome_message` */
  namespace: string;
  /** Approved body with `{{n}}` placeholders. */
  body: string;
  /** BCP-47-ish language code (`en`, `en_US`). */
  language: string;
  attachmentType: 'none' | 'image' | 'video' | 'document';
}

export interface TemplateMessage {
  /** E.164 with `+`. */
  to: string;
  template: AttachmentTemplate;
  /** Values for {{1}}, {{2}}, … in order. */
  params: string[];
  /** The body with every placeholder replaced (Gupshup Enterprise matches on this text). */
  renderedBody: string;
  /** Required when the template has an attachment. */
  mediaUrl?: string;
  /** Our message id, passed where the protocol echoes it in callbacks (`extra`, `client_ref`). */
  clientRef?: string;
}

export interface SessionMessage {
  /** E.164 with `+`. */
  to: string;
  text: string;
  clientRef?: string;
}

/** What went over the wire, secrets redacted: shown by "Send test message" and kept for debugging. */
export interface RawExchange {
  request: { method: string; url: string; body: string };
  response?: { status: number; body: string };
}

export type SendResult =
  | { ok: true; providerMessageId: string; raw: RawExchange }
  | {
      ok: false;
      /** The provider certainly did not accept the message. */
      outcome: 'not_sent';
      category: ErrorCategory;
      /** True for 429, connection refused, and documented transient errors. */
      retryable: boolean;
      /** From Retry-After when the provider sent one. */
      retryAfterMs?: number;
      code?: string;
      detail: string;
      raw: RawExchange;
      /**
       * Set by wacast's sender, never by a provider: no request was made, because the message's
       * lease ran out or the send journal could not be written (send-journal.ts). The message goes
       * back to its claimer's queue instead of being recorded as an outcome.
       */
      heldBack?: true;
    }
  | {
      ok: false;
      /** The request may have reached the provider (timeout after it left, connection reset). */
      outcome: 'unknown';
      detail: string;
      raw: RawExchange;
    };

/**
 * Outcome of an opt-in / opt-out call. `raw` is null when the provider has no such API (Vonage,
 * Gupshup self-serve where opt-in is no longer enforced) and nothing was sent.
 */
export type OptResult =
  | { ok: true; raw: RawExchange | null }
  | { ok: false; category: ErrorCategory; retryable: boolean; detail: string; raw: RawExchange };

export interface ProviderClient {
  readonly type: ProviderType;
  sendTemplate(message: TemplateMessage): Promise<SendResult>;
  /** Free-form text inside the 24-hour window (Gupshup: the two-way account). */
  sendSession(message: SessionMessage): Promise<SendResult>;
  /** Gupshup OPT_IN / OPT_OUT through the notification account; a no-op `ok` where not supported. */
  optIn(phone: string): Promise<OptResult>;
  optOut(phone: string): Promise<OptResult>;
  close(): Promise<void>;
}

/** Base URLs from configuration (GUPSHUP_ENTERPRISE_URL, GUPSHUP_API_URL, VONAGE_API_URL). */
export interface ProviderUrls {
  gupshupEnterprise: string;
  gupshupApi: string;
  vonageApi: string;
}

/** One HTTP request to a callback URL, as received. */
export interface RawCallback {
  method: string;
  contentType: string | null;
  /** Raw body text ('' when none). */
  body: string;
  /** Query-string parameters. */
  query: Record<string, string>;
  /** Lower-case header names. */
  headers: Record<string, string | undefined>;
}

export type ReceiptStatus = 'sent' | 'delivered' | 'read' | 'failed';

export interface ReceiptEvent {
  kind: 'receipt';
  providerMessageId: string;
  status: ReceiptStatus;
  /** Epoch ms. */
  occurredAt: number;
  /** E.164 with `+`, when the callback carries it. */
  phone?: string;
  /**
   * The recipient's WhatsApp user id (BSUID, Vonage v1.20 `whatsapp.recipient`) and the number it
   * stands for (E.164): lets a later inbound message that names the user only by this id be matched
   * to their number (webhooks/whatsapp-users.ts).
   */
  user?: { id: string; phone: string };
  errorCode?: string;
  errorDetail?: string;
  category?: ErrorCategory;
  clientRef?: string;
}

export interface InboundEvent {
  kind: 'inbound';
  providerMessageId: string | null;
  /**
   * Sender, E.164 with `+`; null when the callback names the sender only by their WhatsApp user id
   * (`senderUserId`): the applier then looks the number up (whatsapp-users.ts).
   */
  from: string | null;
  /** The sender's WhatsApp user id (BSUID), when the callback carries one (Vonage v1.20). */
  senderUserId?: string;
  /** Business number, digits, when present. */
  to?: string;
  senderName?: string;
  /** text, image, video, audio, document, location, button, interactive, … */
  messageType: string;
  /** The text (or caption / button title) when there is one. */
  text: string | null;
  /** Provider id of our message this replies to, when present (our provider message id). */
  contextMessageId?: string | null;
  /** Epoch ms. */
  receivedAt: number;
  /** The provider's own inbound object, for display. */
  payload: unknown;
}

export interface UserPreferenceEvent {
  kind: 'user';
  /** E.164 with `+`. */
  phone: string;
  type: 'opted_in' | 'opted_out';
}

export type CallbackEvent = ReceiptEvent | InboundEvent | UserPreferenceEvent;

export type ParseResult =
  | { ok: true; events: CallbackEvent[] }
  | { ok: false; error: string };
