/** Shapes of the API resources the dashboard uses (mirrors the server's response schemas). */

export interface SessionUser {
  id: string;
  email: string;
  isAdmin: boolean;
}

export interface ProjectRef {
  id: string;
  name: string;
}

/** `GET /api/v1/auth/me`, and the answer of login, setup and project switch. */
export interface Me {
  user: SessionUser;
  csrfToken: string;
  projects: ProjectRef[];
  currentProjectId: string | null;
}

export interface Project {
  id: string;
  name: string;
  /** Epoch milliseconds. */
  createdAt: number;
}

export interface ApiCredential {
  id: string;
  accountId: string;
  label: string;
  createdAt: number;
  lastUsedAt: number | null;
}

/** The only time a passcode is ever visible. */
/** Someone who can open a project: a member, or an instance admin (who opens every project). */
export interface ProjectMember {
  /** The user's id. */
  id: string;
  email: string;
  isAdmin: boolean;
  /** When the user was given the project (epoch ms); null for an admin who never was. */
  memberSince: number | null;
}

/** A dashboard user as instance admins see it (`GET /api/v1/users`). */
export interface DashboardUser {
  id: string;
  email: string;
  /** Instance admins open every project and manage users and projects. */
  isAdmin: boolean;
  createdAt: number;
  /** The projects given to the user, oldest first; an admin opens every project whatever this lists. */
  projects: ProjectRef[];
}

export interface NewApiCredential {
  accountId: string;
  passcode: string;
}

export type ProviderType = 'gupshup' | 'nexmo';

export interface AutoReply {
  enabled: boolean;
  text: string;
}

/** A provider account as the API returns it: secret credentials come back masked (`••••1234`). */
export interface ProviderAccount {
  id: string;
  type: ProviderType;
  nickname: string;
  isDefault: boolean;
  ratePerSecond: number;
  autoReply: AutoReply;
  credentials: Record<string, string | undefined>;
  inboundCallbackUrl: string;
  deliveryCallbackUrl: string;
  /** When the latest accepted delivery report / inbound message arrived (to within a few seconds). */
  lastReceiptAt: number | null;
  lastInboundAt: number | null;
  /** When a delivery report last said the provider throttled the account; null if none did. */
  lastThrottledAt: number | null;
  /** WhatsApp's daily messaging limit tier set on the account (unique users per rolling 24 h); null unlimited / not set. */
  dailyRecipientLimit: DailyRecipientLimit | null;
  /** The limit with its usage now; null without a limit. */
  messagingLimit: MessagingLimit | null;
  createdAt: number;
  updatedAt: number;
}

/** `GET /api/v1/providers/:id/callbacks/rejected`: one callback wacast refused for the account. */
export interface RejectedCallback {
  seq: number;
  receivedAt: number;
  /** Which callback URL was called. */
  kind: 'inbound' | 'delivery' | 'status';
  method: string;
  /** The HTTP status wacast answered: 400, 401, 413, 415, 503 (unsigned Vonage callback); 200 when accepted and found unreadable when applied. */
  status: number;
  reason: string;
  contentType: string | null;
  /** Values of parameters named like credentials come back as [redacted]. */
  query: string | null;
  /** Plain text as received (render as text, never as HTML), cut to 8,192 characters. */
  body: string;
  bodyLength: number;
  bodyTruncated: boolean;
}

/** `POST /api/v1/providers/callback-urls`: the URLs a new account will have, before its first save. */
export interface CallbackUrls {
  callbackToken: string;
  inboundCallbackUrl: string;
  deliveryCallbackUrl: string;
}

export type DailyRecipientLimit = 250 | 1000 | 10000 | 100000;

/** `messagingLimit` of a provider account: distinct phones sent a campaign message in the last 24 hours, against the limit. */
export interface MessagingLimit {
  limit: DailyRecipientLimit;
  usedLast24h: number;
  remaining: number;
}

export interface ProviderInput {
  type: ProviderType;
  nickname: string;
  isDefault?: boolean;
  ratePerSecond?: number;
  dailyRecipientLimit?: DailyRecipientLimit | null;
  autoReply?: AutoReply;
  callbackToken?: string;
  credentials: Record<string, string>;
}

/** `PATCH /api/v1/providers/:id`: a credential sent as null is removed from the account. */
export type ProviderPatch = Partial<Omit<ProviderInput, 'type' | 'callbackToken' | 'credentials'>> & { credentials?: Record<string, string | null> };

export interface TestMessageInput {
  to: string;
  templateId: string;
  params: string[];
  /** Required for templates with an attachment. */
  mediaUrl?: string;
}

/** `POST /api/v1/providers/:id/test`: the provider's verdict and the raw exchange. */
export interface TestMessageResult {
  ok: boolean;
  providerMessageId?: string;
  category?: string;
  detail?: string;
  raw: {
    request: { method: string; url: string; body: unknown };
    response?: { status: number; body: unknown };
  };
}

export type AttachmentType = 'none' | 'image' | 'video' | 'document';

export interface Template {
  id: string;
  providerId: string;
  namespace: string;
  body: string;
  placeholderCount: number;
  attachmentType: AttachmentType;
  language: string;
  createdAt: number;
  updatedAt: number;
}

export interface TemplateInput {
  providerId: string;
  namespace: string;
  body: string;
  attachmentType: AttachmentType;
  language?: string;
}

/** One keyword rule (`GET /api/v1/settings/keywords`): keywords come back normalised, upper case. */
export interface KeywordRule {
  /** An empty list turns the rule off. */
  keywords: string[];
  /** The confirmation sent when a phone's state changes; '' sends none. */
  reply: string;
}

export interface KeywordSettings {
  optOut: KeywordRule;
  optIn: KeywordRule;
}
