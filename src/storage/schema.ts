/**
 * Table shapes, the single source of truth for Kysely's types. Portable types only: text ids
 * (UUIDv7), integer epoch-millisecond timestamps, integer 0/1 booleans, JSON stored as text on
 * SQLite and jsonb on PostgreSQL (read through `parseJson` in ./json.ts), integer counters.
 */
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** JSON column: written as a JSON string, read as a string (SQLite) or an object (PostgreSQL). */
export type JsonColumn = ColumnType<unknown, string, string>;
/** 0/1 flag. */
export type Flag = number;
/** Epoch milliseconds. */
export type Millis = number;

export interface ProjectsTable {
  id: string;
  name: string;
  /** Project settings (opt-out keywords and replies, …) as JSON. */
  settings: JsonColumn;
  created_at: Millis;
}

export interface UsersTable {
  id: string;
  /** Lower-cased. */
  email: string;
  password_hash: string;
  is_admin: Flag;
  created_at: Millis;
  last_login_at: Millis | null;
}

export interface ProjectMembersTable {
  project_id: string;
  user_id: string;
  created_at: Millis;
}

export interface SessionsTable {
  /** sha256 (hex) of the cookie token; the token itself is never stored. */
  id: string;
  user_id: string;
  csrf_token: string;
  project_id: string | null;
  created_at: Millis;
  expires_at: Millis;
  last_seen_at: Millis;
}

export interface ApiCredentialsTable {
  id: string;
  project_id: string;
  account_id: string;
  /** sha256 (hex) of the passcode; passcodes are 160-bit random, so a fast hash is sound. */
  passcode_hash: string;
  label: string;
  created_at: Millis;
  last_used_at: Millis | null;
}

export interface InstanceSettingsTable {
  key: string;
  value: string;
}

export interface ProviderAccountsTable {
  id: string;
  project_id: string;
  type: 'gupshup' | 'nexmo';
  nickname: string;
  is_default: Flag;
  rate_per_second: number;
  auto_reply_enabled: Flag;
  auto_reply_text: string | null;
  /** ≥128-bit random token shared by the account's two callback URLs. */
  callback_token: string;
  /** Envelope-encrypted JSON of every credential field (secret or not). */
  credentials_ciphertext: string;
  /** JSON of the non-secret fields plus masked secrets (`••••1234`), safe to return. */
  credentials_public: JsonColumn;
  created_at: Millis;
  updated_at: Millis;
  /** Deleted accounts stay for the history of their campaigns; their callback URLs answer 404. */
  deleted_at: Millis | null;
  /** When the latest accepted delivery report / inbound message arrived (to within a few seconds). */
  last_receipt_at: Millis | null;
  last_inbound_at: Millis | null;
  /** When a delivery report last said the provider throttled the account (provider-throttling.ts). */
  last_throttled_at: Millis | null;
  /** WhatsApp messaging limit tier: unique users per rolling 24 h (250, 1000, 10000, 100000); null unlimited / not set (0012). */
  daily_recipient_limit: Generated<number | null>;
}

export interface TemplatesTable {
  id: string;
  project_id: string;
  provider_id: string;
  namespace: string;
  body: string;
  placeholder_count: number;
  attachment_type: 'none' | 'image' | 'video' | 'document';
  language: string;
  created_at: Millis;
  updated_at: Millis;
  /** Deleted templates stay for the history of their campaigns. */
  deleted_at: Millis | null;
}

export interface ProfilesTable {
  id: string;
  project_id: string;
  identity: string;
  /** E.164 with `+`, or null. */
  phone: string | null;
  properties: JsonColumn;
  /** MSG-whatsapp: 1 true, 0 false, null not set (= not opted in). */
  msg_whatsapp: Flag | null;
  /** MSG-dndWhatsApp: 1 true, 0 false, null not set. */
  dnd_whatsapp: Flag | null;
  created_at: Millis;
  updated_at: Millis;
}

export interface PhoneDndTable {
  project_id: string;
  phone: string;
  dnd: Flag;
  /** subscribe_api | keyword | provider | import */
  source: string;
  updated_at: Millis;
}

export interface EventsTable {
  id: string;
  project_id: string;
  profile_id: string;
  name: string;
  /** Lower-case name without spaces: event names are case- and space-insensitive. */
  name_key: string;
  properties: JsonColumn;
  ts: Millis;
  created_at: Millis;
}

export interface SegmentsTable {
  id: string;
  project_id: string;
  name: string;
  filter: JsonColumn;
  created_at: Millis;
  updated_at: Millis;
}

export type CampaignState = 'draft' | 'scheduled' | 'running' | 'paused' | 'completed' | 'stopped' | 'failed';

export interface CampaignsTable {
  id: string;
  project_id: string;
  name: string;
  provider_id: string;
  template_id: string;
  audience: JsonColumn;
  params: JsonColumn;
  media_url: string | null;
  send_at: Millis | null;
  rate_per_second: number | null;
  dnd: JsonColumn | null;
  cutoff_at: Millis | null;
  conversion_event: string | null;
  /** `{messages, days}` (frequency-cap.ts) or null. */
  frequency_cap: JsonColumn | null;
  state: CampaignState;
  state_reason: string | null;
  cloned_from: string | null;
  created_at: Millis;
  updated_at: Millis;
  published_at: Millis | null;
  started_at: Millis | null;
  completed_at: Millis | null;
  /** Last profile id whose message row was created by publish (resumes after a crash). */
  materialize_cursor: string | null;
  /** When publish finished creating the message rows. */
  materialized_at: Millis | null;
  /** `{audience, limit, usedLast24h}` (JSON text) when published with more recipients than the account had left (0012). */
  messaging_limit_warning: Generated<string | null>;
}

/** Who or what changed a campaign (0013; src/campaigns/campaign-activity.ts). */
export interface CampaignActivityTable {
  /** UUIDv7: time-ordered, the list's order and cursor. */
  id: string;
  project_id: string;
  campaign_id: string;
  at: Millis;
  action: string;
  actor_type: 'user' | 'api' | 'system';
  /** The user's id or the API credentials' account id, as plain text (no foreign key); null for the system. */
  actor_id: string | null;
  /** The user's email, the credentials' label, or the part of wacast (scheduler, publisher, wacast restore) — as it was then. */
  actor_label: string;
  /** What else the entry says (changed field names, a reason, the other campaign of a clone), JSON. */
  details: JsonColumn | null;
}

/** Incrementally maintained counters: reports never count message rows. */
export interface CampaignCountersTable {
  campaign_id: string;
  targeted: Generated<number>;
  skipped_not_opted_in: Generated<number>;
  skipped_dnd: Generated<number>;
  skipped_invalid_phone: Generated<number>;
  skipped_render_error: Generated<number>;
  skipped_frequency_cap: Generated<number>;
  queued: Generated<number>;
  sending: Generated<number>;
  sent: Generated<number>;
  delivered: Generated<number>;
  read: Generated<number>;
  failed: Generated<number>;
  unknown: Generated<number>;
  cancelled: Generated<number>;
  replied: Generated<number>;
  converted: Generated<number>;
}

export interface CampaignFailuresTable {
  campaign_id: string;
  category: string;
  count: number;
}

export interface CampaignTimelineTable {
  campaign_id: string;
  /** Start of the minute, epoch ms. */
  bucket: Millis;
  sent: number;
  delivered: number;
  read: number;
  failed: number;
  replied: number;
}

export type MessageStatus =
  | 'skipped'
  | 'queued'
  | 'sending'
  | 'sent'
  | 'delivered'
  | 'read'
  | 'failed'
  | 'unknown'
  | 'cancelled';

export type MessageKind = 'campaign' | 'test' | 'reply' | 'auto_reply' | 'keyword_reply';

export interface MessagesTable {
  id: string;
  project_id: string;
  campaign_id: string | null;
  profile_id: string | null;
  provider_id: string;
  /** E.164 with `+`; null only for skipped rows without a usable phone. */
  phone: string | null;
  kind: MessageKind;
  /** Lower runs first: replies 0, auto-replies 1, campaigns 5. */
  priority: number;
  status: MessageStatus;
  /** Why a row was skipped: not_opted_in | dnd | invalid_phone | render_error | frequency_cap. */
  skip_reason: string | null;
  /** Rendered content as JSON: template params, body, media URL or session text. */
  payload: JsonColumn;
  provider_message_id: string | null;
  error_category: string | null;
  error_code: string | null;
  error_detail: string | null;
  attempts: number;
  /** Not claimed before this time (retry backoff, DND delay). */
  available_at: Millis;
  lease_owner: string | null;
  lease_expires_at: Millis | null;
  created_at: Millis;
  updated_at: Millis;
  sent_at: Millis | null;
  delivered_at: Millis | null;
  read_at: Millis | null;
  failed_at: Millis | null;
  /** First reply attributed to this message (counted once in the campaign's `replied`). */
  replied_at: Generated<Millis | null>;
  /** When the recipient did the campaign's conversion goal event (counted once). */
  converted_at: Generated<Millis | null>;
}

export type CallbackKind = 'delivery' | 'inbound' | 'status';
export type CallbackState = 'pending' | 'applied' | 'deferred' | 'invalid';

/** Write-ahead log of provider callbacks, in arrival order. */
export interface CallbackEventsTable {
  seq: Generated<number>;
  project_id: string;
  provider_id: string;
  provider_type: 'gupshup' | 'nexmo';
  kind: CallbackKind;
  received_at: Millis;
  method: string;
  content_type: string | null;
  body: string;
  query: string | null;
  /** Vonage signed webhook: 1 verified, 0 failed, null not checked. */
  signature_ok: Flag | null;
  state: CallbackState;
  error: string | null;
  attempts: number;
  applied_at: Millis | null;
  /** After a failed application attempt: not retried before this time. */
  retry_at: Generated<Millis | null>;
  /** The HTTP status the handler answered (200, 400, 401, 413, 415, 503 for an unsigned Vonage callback); null on rows older than migration 0006. */
  http_status: Generated<number | null>;
}

/** A delivery receipt whose message id is not stored yet; applied when the id arrives. */
export interface PendingReceiptsTable {
  id: string;
  provider_id: string;
  provider_message_id: string;
  status: string;
  occurred_at: Millis;
  error_code: string | null;
  error_detail: string | null;
  error_category: Generated<string | null>;
  callback_seq: number;
  created_at: Millis;
  /** E.164; only for receipts without a reference of ours (see unknown-by-phone.ts). */
  phone: Generated<string | null>;
}

export interface InboundMessagesTable {
  id: string;
  project_id: string;
  provider_id: string;
  phone: string;
  profile_id: string | null;
  provider_message_id: string | null;
  context_message_id: string | null;
  campaign_id: string | null;
  message_type: string;
  text: string | null;
  payload: JsonColumn;
  received_at: Millis;
  created_at: Millis;
}

export interface ConversationsTable {
  project_id: string;
  phone: string;
  provider_id: string;
  profile_id: string | null;
  last_inbound_at: Millis | null;
  last_outbound_at: Millis | null;
  last_text: string | null;
  last_auto_reply_at: Millis | null;
  unread: number;
  updated_at: Millis;
  /** The campaign the latest attributed inbound message answers. */
  last_campaign_id: Generated<string | null>;
  /** Who wrote `last_text`: `in` (the user) or `out` (an agent). */
  last_direction: Generated<'in' | 'out' | null>;
  /** The WhatsApp profile name the sender set, from their latest message that carried one (migration 0011); plain text, unverified. */
  sender_name: Generated<string | null>;
}

/** A WhatsApp user id (BSUID) seen with a number on a provider account (migration 0015). */
export interface WhatsappUsersTable {
  provider_id: string;
  user_id: string;
  project_id: string;
  /** E.164 with `+`, as WhatsApp spells it. */
  phone: string;
  updated_at: Millis;
}

/** Callback tokens replaced by a rotation: never adopted by a new account again. */
export interface RetiredCallbackTokensTable {
  token: string;
  provider_id: string;
  retired_at: Millis;
}

/** Named leases: `provider:<id>` (one dispatcher per provider account), `scheduler`, `applier`. */
export interface LeasesTable {
  name: string;
  owner: string;
  expires_at: Millis;
}

export interface ImportsTable {
  id: string;
  project_id: string;
  filename: string;
  status: 'running' | 'completed' | 'failed';
  /** Data rows read so far (header excluded). */
  total_rows: number;
  /** Rows stored: created + updated. */
  imported_rows: number;
  /** Bad rows (each reported in `errors`, up to the first 1000). */
  failed_rows: number;
  /** JSON array of `{line, identity, reason}` bad rows. */
  errors: JsonColumn;
  created_at: Millis;
  finished_at: Millis | null;
  /** dashboard | cli (0002). */
  source: ColumnType<string, string | undefined, string>;
  /** Size of the file in bytes, when known (0002). */
  size_bytes: number | null;
  /** Bytes of the file read so far: the progress measure (0002). */
  processed_bytes: ColumnType<number, number | undefined, number>;
  created_rows: ColumnType<number, number | undefined, number>;
  updated_rows: ColumnType<number, number | undefined, number>;
  /** Rows whose profile already held exactly these values (nothing written). */
  unchanged_rows: ColumnType<number, number | undefined, number>;
  /** Why a failed import failed. */
  message: string | null;
  /** Last progress write (epoch ms): a running import not updated for minutes was interrupted. */
  updated_at: ColumnType<number, number | undefined, number>;
}

export interface Database {
  projects: ProjectsTable;
  users: UsersTable;
  project_members: ProjectMembersTable;
  sessions: SessionsTable;
  api_credentials: ApiCredentialsTable;
  instance_settings: InstanceSettingsTable;
  provider_accounts: ProviderAccountsTable;
  retired_callback_tokens: RetiredCallbackTokensTable;
  whatsapp_users: WhatsappUsersTable;
  templates: TemplatesTable;
  profiles: ProfilesTable;
  phone_dnd: PhoneDndTable;
  events: EventsTable;
  segments: SegmentsTable;
  campaigns: CampaignsTable;
  campaign_counters: CampaignCountersTable;
  campaign_activity: CampaignActivityTable;
  campaign_failures: CampaignFailuresTable;
  campaign_timeline: CampaignTimelineTable;
  messages: MessagesTable;
  callback_events: CallbackEventsTable;
  pending_receipts: PendingReceiptsTable;
  inbound_messages: InboundMessagesTable;
  conversations: ConversationsTable;
  leases: LeasesTable;
  imports: ImportsTable;
}

export type Project = Selectable<ProjectsTable>;
export type User = Selectable<UsersTable>;
export type ProviderAccountRow = Selectable<ProviderAccountsTable>;
export type TemplateRow = Selectable<TemplatesTable>;
export type ProfileRow = Selectable<ProfilesTable>;
export type CampaignRow = Selectable<CampaignsTable>;
export type MessageRow = Selectable<MessagesTable>;
export type NewMessage = Insertable<MessagesTable>;
export type MessageUpdate = Updateable<MessagesTable>;
