/** Shapes of the campaign API (mirrors src/campaigns/campaigns.routes.ts). */

export const CAMPAIGN_STATES = ['draft', 'scheduled', 'running', 'paused', 'completed', 'stopped', 'failed'] as const;
export type CampaignState = (typeof CAMPAIGN_STATES)[number];

export type Audience = { segmentId: string } | { all: true } | { identities: string[] };

export interface DndWindow {
  /** HH:MM, 24-hour. */
  from: string;
  to: string;
  /** IANA timezone, e.g. Asia/Kolkata. */
  timezone: string;
  action: 'delay' | 'discard';
}

export interface SkippedStats {
  notOptedIn: number;
  dnd: number;
  invalidPhone: number;
  renderError: number;
  frequencyCap: number;
  total: number;
}

export interface CampaignStats {
  targeted: number;
  skipped: SkippedStats;
  queued: number;
  sent: number;
  delivered: number;
  read: number;
  failed: number;
  unknown: number;
  cancelled: number;
  replied: number;
  converted: number;
  /** Failed messages per error category (only categories with failures). */
  failedByCategory: Record<string, number>;
}

export interface Campaign {
  id: string;
  name: string;
  providerId: string;
  templateId: string;
  audience: Audience;
  params: string[];
  mediaUrl: string | null;
  sendAt: number | null;
  ratePerSecond: number | null;
  dnd: DndWindow | null;
  cutoffAt: number | null;
  conversionEvent: string | null;
  frequencyCap: FrequencyCap | null;
  state: CampaignState;
  stateReason: string | null;
  clonedFrom: string | null;
  createdAt: number;
  updatedAt: number;
  publishedAt: number | null;
  startedAt: number | null;
  completedAt: number | null;
  audienceMaterialized: boolean;
  stats: CampaignStats;
  warnings: CampaignWarning[];
  /** In the list only: who created it (its activity's first entry); null before activity was recorded. */
  createdBy?: { type: 'user' | 'api' | 'system'; label: string } | null;
}

/**
 * `no_delivery_reports`: messages were sent but no delivery report reached the account since the campaign started.
 * `provider_throttling`: while it runs, a delivery report said the provider throttled its account (sending slowed down).
 * `messaging_limit`: when published, its audience was larger than what its account had left of WhatsApp's daily messaging limit.
 */
export interface CampaignWarning {
  code: 'no_delivery_reports' | 'provider_throttling' | 'messaging_limit';
  message: string;
}

/** What `POST /api/v1/campaigns` and `PATCH /api/v1/campaigns/:id` take. */
export interface CampaignInput {
  name: string;
  providerId: string;
  templateId: string;
  audience: Audience;
  params: string[];
  mediaUrl: string | null;
  /** ISO 8601 date-time or null for "now". */
  sendAt: string | null;
  ratePerSecond: number | null;
  dnd: DndWindow | null;
  cutoffAt: string | null;
  conversionEvent: string | null;
  frequencyCap: FrequencyCap | null;
}

/** Skip recipients who already received `messages` campaign messages in the last `days` days. */
export interface FrequencyCap {
  messages: number;
  days: number;
}

export interface PreviewInput {
  templateId: string;
  params: string[];
  identity?: string;
}

/** `POST /api/v1/campaigns/preview`: the message for a sample profile, or why it cannot be rendered. */
export interface PreviewResult {
  identity: string | null;
  ok: boolean;
  values?: string[];
  body?: string;
  error?: string;
}

export interface SendTestInput {
  providerId: string;
  templateId: string;
  params: string[];
  mediaUrl: string | null;
  to: string;
  identity?: string;
}

export const LOG_STATUSES = ['skipped', 'queued', 'sent', 'delivered', 'read', 'failed', 'unknown', 'cancelled'] as const;
export type LogStatus = (typeof LOG_STATUSES)[number];

/** One row of the per-message log. */
export interface MessageLogEntry {
  id: string;
  identity: string | null;
  phone: string | null;
  status: string;
  skipReason: string | null;
  errorCategory: string | null;
  errorCode: string | null;
  errorDetail: string | null;
  providerMessageId: string | null;
  attempts: number;
  createdAt: number;
  sentAt: number | null;
  deliveredAt: number | null;
  readAt: number | null;
  failedAt: number | null;
  repliedAt: number | null;
  convertedAt: number | null;
}

/** One minute of the timeline (`at` = start of the minute, epoch ms). */
export interface TimelinePoint {
  at: number;
  sent: number;
  delivered: number;
  read: number;
  failed: number;
  replied: number;
}

/** What `GET /api/v1/campaigns/:id/activity` lists, newest first (mirrors src/campaigns/campaign-activity.ts). */
export type ActivityAction = 'created' | 'edited' | 'published' | 'started' | 'paused' | 'resumed' | 'stopped' | 'completed' | 'failed' | 'cloned' | 'cloned_from' | 'interrupted';

export interface ActivityEntry {
  id: string;
  at: number;
  action: ActivityAction;
  /** user: their email; api: the credentials' label; system: scheduler, publisher or wacast restore. */
  actor: { type: 'user' | 'api' | 'system'; label: string; id: string | null };
  /** edited: {fields}; published/resumed: {state, sendAt?}; stopped/completed/failed/paused by restore: {reason}; cloned/cloned_from: {campaignId, name}; interrupted: {requeued, unknown}. */
  details: { fields?: string[]; state?: string; sendAt?: number; reason?: string; campaignId?: string; name?: string; requeued?: number; unknown?: number };
}
