/**
 * Shared vocabulary of the sandbox: the three provider protocols it stands in for, the accounts
 * it is told about, the behaviour knobs, and what it records about every message it accepted.
 * Nothing here comes from src/providers/: the sandbox reads the wire references on its own.
 */
import type { KeyObject } from 'node:crypto';

export type SandboxProvider = 'gupshup-enterprise' | 'gupshup-selfserve' | 'vonage';

/** An inclusive range of milliseconds; a fixed value has min === max. */
export interface Range {
  min: number;
  max: number;
}

/**
 * Why a message fails. One cross-provider vocabulary; each protocol turns it into its own codes
 * (docs/sandbox.md has the table).
 */
export type FailReason =
  | 'not_on_whatsapp'
  | 'template_mismatch'
  | 'outside_window'
  | 'undeliverable'
  | 'blocked'
  | 'rate_limited'
  /** A template parameter holds a new line, a tab or more than 4 consecutive spaces (Meta 132018). */
  | 'invalid_parameter';

export const FAIL_REASONS: readonly FailReason[] = [
  'not_on_whatsapp',
  'template_mismatch',
  'outside_window',
  'undeliverable',
  'blocked',
  'rate_limited',
  'invalid_parameter',
];

/**
 * WhatsApp refuses template parameter values with a new line, a tab or more than four consecutive
 * spaces (Meta error 132018, reference gupshup.md §0): the provider accepts the send and the
 * failure comes later, like a template mismatch.
 */
export function invalidTemplateParameter(values: readonly string[]): boolean {
  return values.some((value) => /[\n\t]| {5}/.test(value));
}

/** Behaviour knobs that may differ per account (an account's value replaces the global one). */
export interface AccountKnobs {
  /** Time before a protocol answer is written. */
  latencyMs: Range;
  /** Share (0–1) of accepted messages that later fail with `failReason`. */
  failShare: number;
  failReason: FailReason;
  /** Numbers (digits) that are "not on WhatsApp"; an entry ending in `*` is a prefix. */
  notOnWhatsApp: string[];
  /** Delay before each successive status callback of a message. */
  dlrDelayMs: Range;
  /** Share (0–1) of delivered messages that are also read. */
  readShare: number;
  /** Share (0–1) of messages whose status callbacks are sent in a shuffled order. */
  reorderShare: number;
  /** Share (0–1) of status callbacks that are sent twice. */
  duplicateShare: number;
  /** Whether status callbacks and automatic replies are posted at all. */
  callbacks: boolean;
  /** Every Nth wall-clock second (epoch second divisible by N) answers every send with a 429; 0 = off. */
  burst429EverySeconds: number;
  /** Share (0–1) of requests answered with a 429. */
  burst429Share: number;
  /** Share (0–1) of accepted sends that time out: the message is accepted but the answer is late or never comes. */
  timeoutShare: number;
  /** For timed-out sends: answer after this many ms; 0 = never answer. */
  timeoutMs: number;
  /** Requests per sliding second above which the account gets the protocol's 429; 0 = unlimited. */
  rateLimitPerSecond: number;
  /** Share (0–1) of delivered template messages the recipient answers. */
  autoReplyShare: number;
  autoReplyText: string;
  /** Whether automatic replies quote (carry the context id of) the message they answer. */
  autoReplyContext: boolean;
  /** Delay of an automatic reply after the delivery. */
  autoReplyDelayMs: Range;
  /** "Provider down": `5xx` answers a server error, `reset` drops the connection. */
  down: 'off' | '5xx' | 'reset';
  /** Session (free-form) messages fail unless the recipient wrote within the last 24 hours. */
  enforceSessionWindow: boolean;
}

/** Knobs that only exist once, for the whole sandbox. */
export interface GlobalKnobs extends AccountKnobs {
  /** Callback requests in flight at once, across all URLs. */
  callbackConcurrency: number;
  /** Attempts after the first one for a callback answered with a non-2xx or not at all. */
  callbackRetries: number;
  /** Delay before the first retry; it doubles on each following retry. */
  callbackRetryDelayMs: number;
  /** A callback attempt that takes longer counts as failed. */
  callbackTimeoutMs: number;
  /** How long Gupshup Enterprise DLR events wait to be batched (≤ 20 per request). */
  dlrBatchMs: number;
}

export interface TemplateDefinition {
  /** Name as the product knows it (`ACME:welcome`), or a Gupshup self-serve template id. */
  name: string;
  /** The approved body with `{{1}}`, `{{2}}`, … */
  body: string;
  /** `none`, `image`, `video` or `document`; undefined accepts any. */
  attachment?: 'none' | 'image' | 'video' | 'document';
  /** Language code; undefined accepts any locale. */
  language?: string;
}

interface AccountBase {
  /** Sandbox-side name of the account, unique across providers. */
  id: string;
  templates: TemplateDefinition[];
  /** Per-account knob overrides. */
  knobs: Partial<AccountKnobs>;
}

export interface GupshupEnterpriseAccount extends AccountBase {
  provider: 'gupshup-enterprise';
  notificationUserId: string;
  notificationPassword: string;
  twoWayUserId: string;
  twoWayPassword: string;
  /** WABA number (digits) shown as `srcAddr` and `waNumber`. */
  businessNumber: string;
  dlrUrl?: string;
  inboundUrl?: string;
}

export interface GupshupSelfServeAccount extends AccountBase {
  provider: 'gupshup-selfserve';
  apiKey: string;
  /** `src.name` */
  appName: string;
  /** `source` (digits). */
  sourceNumber: string;
  webhookUrl?: string;
}

export interface VonageAccount extends AccountBase {
  provider: 'vonage';
  apiKey: string;
  apiSecret: string;
  applicationId: string;
  /** Verifies RS256 request JWTs. */
  publicKey: KeyObject;
  signatureSecret: string;
  whatsappNumber: string;
  /** The WhatsApp namespace of the business; a template from another namespace fails with 1022. */
  namespace?: string;
  statusUrl?: string;
  inboundUrl?: string;
  webhookVersion: 'v1' | 'v0.1';
}

export type SandboxAccount = GupshupEnterpriseAccount | GupshupSelfServeAccount | VonageAccount;

export type MessageKind = 'template' | 'session' | 'opt_in' | 'opt_out';

/** What the sandbox decided will happen to an accepted message. */
export type Outcome = 'read' | 'delivered' | 'failed' | 'none';

/** One accepted request, as `GET /_sandbox/messages` shows it. */
export interface SandboxMessage {
  /** Arrival order, from 1; the paging cursor. */
  seq: number;
  provider: SandboxProvider;
  account: string;
  /** The provider's message id given in the answer. */
  id: string;
  /** Recipient, digits. */
  to: string;
  kind: MessageKind;
  /** `text`, `image`, `video`, `audio`, `document`, `sticker`, `interactive`, `custom`, … */
  type: string;
  /** Template name (registered name, self-serve template id, Vonage element name). */
  template?: string;
  namespace?: string;
  params?: string[];
  /** Rendered body, session text or caption. */
  body?: string;
  mediaUrl?: string;
  /** Arrival time, epoch ms. */
  arrivedAt: number;
  /** False while a "timed out" answer is held back (or forever when it is never sent). */
  answered: boolean;
  outcome: Outcome;
  failure?: { reason: FailReason; code: string };
  /** Gupshup Enterprise `extra`, echoed in DLRs. */
  extra?: string;
  /** Vonage `client_ref`, echoed in status webhooks. */
  clientRef?: string;
}
