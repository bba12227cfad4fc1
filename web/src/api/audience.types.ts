/** Shapes of the audience API: profiles, segments and CSV imports (mirrors src/audience/*.routes.ts). */

export type Scalar = string | number | boolean;
export type Bound = number | string;

/** A test on one property (of the profile, or of an event in `where`). */
export type PropertyTest =
  | { name: string; op: 'eq' | 'ne'; value: Scalar }
  | { name: string; op: 'in' | 'notIn'; value: Scalar[] }
  | { name: string; op: 'contains' | 'notContains'; value: string }
  | { name: string; op: 'exists' | 'notExists' }
  | { name: string; op: 'gt' | 'gte' | 'lt' | 'lte'; value: Bound }
  | { name: string; op: 'between'; from: Bound; to: Bound }
  | { name: string; op: 'inLastDays'; value: number };

export type PropertyOp = PropertyTest['op'];
export type PropertyCondition = PropertyTest & { type: 'property' };
export type EventWindow = { lastDays: number } | { from: string; to: string };

export interface EventCondition {
  type: 'event';
  name: string;
  did?: boolean;
  atLeast?: number;
  within?: EventWindow;
  where?: PropertyTest[];
}

export interface FilterGroup {
  type: 'and' | 'or';
  filters: SegmentFilter[];
}

export type SegmentFilter = FilterGroup | PropertyCondition | EventCondition;

export interface Segment {
  id: string;
  name: string;
  filter: SegmentFilter;
  createdAt: number;
  updatedAt: number;
}

/** Profiles matching, and of those the ones WhatsApp can reach now. */
export interface AudienceEstimate {
  total: number;
  reachable: number;
  /** Campaign audiences asked with a frequency cap only: of the reachable, those the cap would skip now. */
  frequencyCapped?: number;
  /** Asked with the campaign's provider account only: its daily messaging limit and, when the audience is larger than what is left, a warning. */
  messagingLimit?: { limit: number; usedLast24h: number; remaining: number; warning: string | null } | null;
}

export interface ProfileSummary {
  id: string;
  identity: string;
  phone: string | null;
  name: string | null;
  whatsappReachable: boolean;
  updatedAt: number;
}

export type UnreachableReason = 'not_opted_in' | 'dnd' | 'phone_dnd' | 'no_phone';

export interface ProfileEvent {
  id: string;
  name: string;
  properties: Record<string, unknown>;
  ts: number;
}

export interface Profile {
  id: string;
  identity: string;
  phone: string | null;
  properties: Record<string, unknown>;
  whatsappReachable: boolean;
  reachability: {
    reachable: boolean;
    reason: UnreachableReason | null;
    reasonText: string | null;
    msgWhatsapp: boolean | null;
    dndWhatsapp: boolean | null;
    phoneDnd: { dnd: boolean; source: string; updatedAt: number } | null;
  };
  events: ProfileEvent[];
  createdAt: number;
  updatedAt: number;
}

export interface ProfileMessage {
  id: string;
  campaignId: string | null;
  campaignName: string | null;
  kind: string;
  status: string;
  skipReason: string | null;
  phone: string | null;
  providerMessageId: string | null;
  errorCategory: string | null;
  errorCode: string | null;
  errorDetail: string | null;
  createdAt: number;
  sentAt: number | null;
  deliveredAt: number | null;
  readAt: number | null;
  failedAt: number | null;
}

export interface BadRow {
  line: number;
  identity: string | null;
  reason: string;
}

export interface ProfileImport {
  id: string;
  filename: string;
  source: string;
  status: 'running' | 'completed' | 'failed';
  sizeBytes: number | null;
  processedBytes: number;
  rows: number;
  importedRows: number;
  createdRows: number;
  updatedRows: number;
  unchangedRows: number;
  failedRows: number;
  badRows: BadRow[];
  badRowsTruncated: boolean;
  message: string | null;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
}
