/**
 * Applies delivery receipts to messages, set-based, inside the caller's transaction:
 * 1. match each receipt by (provider account, provider message id), else by our message id echoed
 *    back as `clientRef` (a message still `sending` or `unknown` has no provider id yet);
 * 2. run every receipt through the message state machine in order (`transition`: status only moves
 *    forward, duplicates are no-ops, `unknown` settles, a later delivered/read overturns `failed`);
 * 3. write the final state of every changed message with one UPDATE, the campaign counters and
 *    timeline through CampaignDeltas, and the profile events of campaign messages.
 * Receipts that match no message are returned: the caller keeps them as pending receipts, applied
 * when the provider id is stored. Matching is always within the receipt's provider account, so a
 * callback URL of one project can never touch another project's messages.
 */
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../storage/db.js';
import type { Database, MessageKind, MessageStatus } from '../storage/schema.js';
import type { ErrorCategory, ReceiptStatus } from '../providers/provider.js';
import { updateJsonRows, type JsonRowColumn } from '../storage/json-rows.js';
import { lockForUpdate } from '../storage/row-locks.js';
import { inJsonList } from '../storage/dialect.js';
import { transition } from '../campaigns/message-status.js';
import type { CampaignDeltas } from '../campaigns/counters.js';
import { SYSTEM_EVENTS } from '../audience/event-names.js';
import { recordMessageEvents } from '../audience/system-events.js';

/** One receipt to apply, from a callback or from the pending receipts. */
export interface ReceiptWork {
  providerId: string;
  providerMessageId: string;
  status: ReceiptStatus;
  occurredAt: number;
  errorCode?: string | undefined;
  errorDetail?: string | undefined;
  category?: ErrorCategory | undefined;
  clientRef?: string | undefined;
  /** The recipient (E.164), when the receipt names it: kept with a pending receipt without a reference. */
  phone?: string | undefined;
  /** The callback it came from. */
  seq: number;
}

interface MessageState {
  id: string;
  project_id: string;
  campaign_id: string | null;
  profile_id: string | null;
  kind: MessageKind;
  phone: string | null;
  provider_id: string;
  provider_message_id: string | null;
  status: MessageStatus;
  sent_at: number | null;
  delivered_at: number | null;
  read_at: number | null;
  failed_at: number | null;
  error_category: string | null;
  error_code: string | null;
  error_detail: string | null;
  updated_at: number;
}

const COLUMNS = [
  'id', 'project_id', 'campaign_id', 'profile_id', 'kind', 'phone', 'provider_id', 'provider_message_id', 'status', 'sent_at',
  'delivered_at', 'read_at', 'failed_at', 'error_category', 'error_code', 'error_detail', 'updated_at',
] as const;

/** Statuses of a message handed to the provider whose answer we do not have: `updated_at` is when that happened. */
const IN_FLIGHT = new Set<MessageStatus>(['sending', 'unknown']);

const CHUNK = 500;

const text = (name: string): JsonRowColumn => ({ name, type: 'text' });
const big = (name: string): JsonRowColumn => ({ name, type: 'bigint' });
const ID = text('id');
const NARROW_COLUMNS = [text('status'), big('sent_at'), big('delivered_at'), big('read_at'), big('failed_at'), text('error_category'), text('error_code'), text('error_detail'), big('updated_at')];
const WIDE_COLUMNS = [...NARROW_COLUMNS, text('provider_message_id'), text('lease_owner'), big('lease_expires_at')];

// Our message ids are UUIDs; anything else echoed as a client reference cannot be ours.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const PROFILE_EVENT: Record<'sent' | 'delivered' | 'read' | 'failed', string> = {
  sent: SYSTEM_EVENTS.sent,
  delivered: SYSTEM_EVENTS.delivered,
  read: SYSTEM_EVENTS.viewed,
  failed: SYSTEM_EVENTS.failed,
};

export interface ReceiptResult {
  /** Receipts that matched no message (keep them pending). */
  unmatched: ReceiptWork[];
  /** Receipts that matched a message (whether or not they changed it). */
  matched: number;
  /** Messages whose status changed. */
  changed: number;
  /**
   * Conversations whose agent reply, auto-reply or confirmation changed (new ticks), to announce
   * to the Inbox. Campaign messages are not listed: the Inbox polls for those (announcing
   * thousands a second would make every open Inbox refetch everything).
   */
  conversations: Array<{ projectId: string; phone: string }>;
}

const key = (providerId: string, providerMessageId: string) => `${providerId}\n${providerMessageId}`;

/**
 * The messages a batch of reports names, locked in id order. The values go in as one JSON list
 * (`inJsonList`), whose length PostgreSQL's planner cannot see: given 500 literal provider ids on a
 * `messages` table it had no statistics for yet (the first minute of a new install's first large
 * campaign, before autovacuum's first analyze), it estimated 0.5 % of the table per id — all of
 * it — and read the whole table for every batch (30–65 ms at 60,000 messages, instead of ~2 ms
 * through `messages_provider_message`); the applier fell behind the reports arriving.
 */
export function messagesByColumn(db: Kysely<Database>, dialect: Dialect, column: 'provider_message_id' | 'id', values: readonly string[]) {
  return lockForUpdate(db.selectFrom('messages').select([...COLUMNS]).where(inJsonList(dialect, sql.ref(column), values)).orderBy('id'), dialect);
}

async function selectMessages(db: Kysely<Database>, dialect: Dialect, column: 'provider_message_id' | 'id', values: string[]): Promise<MessageState[]> {
  const rows: MessageState[] = [];
  for (let start = 0; start < values.length; start += CHUNK) {
    rows.push(...(await messagesByColumn(db, dialect, column, values.slice(start, start + CHUNK)).execute()));
  }
  return rows;
}

/** Applies `works` in order; the caller writes `deltas` in the same transaction. */
export async function applyReceipts(db: Kysely<Database>, dialect: Dialect, works: readonly ReceiptWork[], deltas: CampaignDeltas, now: number): Promise<ReceiptResult> {
  if (works.length === 0) return { unmatched: [], matched: 0, changed: 0, conversations: [] };

  const byProviderId = new Map<string, MessageState>();
  const byId = new Map<string, MessageState>();
  const providerIds = [...new Set(works.map((work) => work.providerMessageId))];
  for (const row of await selectMessages(db, dialect, 'provider_message_id', providerIds)) {
    byId.set(row.id, row);
    byProviderId.set(key(row.provider_id, row.provider_message_id!), row);
  }
  const refs = [
    ...new Set(
      works
        .filter((work) => !byProviderId.has(key(work.providerId, work.providerMessageId)) && work.clientRef !== undefined && UUID.test(work.clientRef))
        .map((work) => work.clientRef!.toLowerCase()),
    ),
  ].filter((id) => !byId.has(id));
  for (const row of await selectMessages(db, dialect, 'id', refs)) byId.set(row.id, row);

  const changed = new Map<string, MessageState>();
  /** Messages whose provider id is filled in or whose in-flight lease ends. */
  const wideUpdate = new Set<string>();
  const events: Array<{ message: MessageState; name: string; at: number; error?: { category: string; code: string | null } }> = [];
  const unmatched: ReceiptWork[] = [];
  let matched = 0;

  for (const work of works) {
    let message = byProviderId.get(key(work.providerId, work.providerMessageId));
    if (!message && work.clientRef !== undefined) {
      const candidate = byId.get(work.clientRef.toLowerCase());
      // Our id echoed back by the same account, for a message whose provider id is unknown or equal.
      if (candidate && candidate.provider_id === work.providerId && (candidate.provider_message_id === null || candidate.provider_message_id === work.providerMessageId)) {
        message = candidate;
        if (message.provider_message_id === null) {
          message.provider_message_id = work.providerMessageId;
          byProviderId.set(key(work.providerId, work.providerMessageId), message);
          changed.set(message.id, message);
          wideUpdate.add(message.id);
        }
      }
    }
    if (!message) {
      unmatched.push(work);
      continue;
    }
    matched++;
    const effect = transition(message, {
      kind: 'receipt',
      status: work.status,
      at: work.occurredAt,
      category: work.category,
      code: work.errorCode,
      detail: work.errorDetail,
    });
    if (Object.keys(effect.changes).length === 0) continue;
    // The first receipt of a message whose send answer never came (`unknown`, or still `sending`)
    // tells us it was sent, not when: a READ can come days later. It went out when we handed it
    // over — claimed (`sending`) or given up on (`unknown`, within the send timeout or lease of
    // it). Sent times order a phone's campaign messages for reply attribution and in the Inbox:
    // an old message reported late must not pass for the latest one.
    if (effect.changes.sent_at !== undefined && effect.changes.sent_at !== null && IN_FLIGHT.has(message.status)) {
      effect.changes.sent_at = Math.min(effect.changes.sent_at, Number(message.updated_at));
    }
    if (message.status === 'sending') wideUpdate.add(message.id);
    Object.assign(message, effect.changes);
    changed.set(message.id, message);
    deltas.add(message.campaign_id, effect, work.occurredAt);
    if (message.kind === 'campaign' && message.profile_id) {
      for (const reached of effect.reached) {
        events.push({
          message,
          name: PROFILE_EVENT[reached],
          at: work.occurredAt,
          ...(reached === 'failed' ? { error: { category: message.error_category ?? 'other', code: message.error_code } } : {}),
        });
      }
    }
  }

  if (changed.size > 0) {
    // Most receipts only move a settled message on (sent → delivered → read). Setting only the
    // columns that change keeps SQLite from rewriting the entries of indexes on untouched columns
    // (provider message id, the in-flight lease); messages matched by our id, or still in flight,
    // take the wider update.
    const narrow: MessageState[] = [];
    const wide: MessageState[] = [];
    for (const message of changed.values()) (wideUpdate.has(message.id) ? wide : narrow).push(message);
    const row = (message: MessageState) => ({
      id: message.id,
      status: message.status,
      provider_message_id: message.provider_message_id,
      sent_at: message.sent_at,
      delivered_at: message.delivered_at,
      read_at: message.read_at,
      failed_at: message.failed_at,
      error_category: message.error_category,
      error_code: message.error_code,
      error_detail: message.error_detail?.slice(0, 1000) ?? null,
      // A receipt can settle a message still `sending`: it is no longer in flight.
      lease_owner: null,
      lease_expires_at: null,
      updated_at: now,
    });
    // Never move a row the publisher or a stop cancelled meanwhile.
    const where = sql`t.status not in ('skipped', 'cancelled')`;
    await updateJsonRows(db, dialect, { table: 'messages', key: ID, columns: NARROW_COLUMNS, rows: narrow.map(row), where });
    await updateJsonRows(db, dialect, { table: 'messages', key: ID, columns: WIDE_COLUMNS, rows: wide.map(row), where });
  }

  await recordMessageEvents(
    db,
    dialect,
    events.map((event) => ({
      projectId: event.message.project_id,
      profileId: event.message.profile_id!,
      campaignId: event.message.campaign_id,
      messageId: event.message.id,
      name: event.name,
      at: event.at,
      ...(event.error ? { error: event.error } : {}),
    })),
    now,
  );

  const conversations = new Map<string, { projectId: string; phone: string }>();
  for (const message of changed.values()) {
    if (message.kind !== 'campaign' && message.phone !== null) conversations.set(`${message.project_id}\n${message.phone}`, { projectId: message.project_id, phone: message.phone });
  }
  return { unmatched, matched, changed: changed.size, conversations: [...conversations.values()] };
}

/**
 * A reply to a campaign message proves the message was delivered: applied as a DELIVERED report
 * at the reply's time (the same state machine, so status only moves forward, `unknown` or
 * `sending` settle, a failure is overturned as a later delivered report would, and a real report
 * arriving afterwards changes nothing twice). Without it, a message answered before its report,
 * or whose report never came, counted as replied but not as delivered, and the report's Replied
 * share of delivered went over 100 %.
 */
export async function applyReplyAsDelivery(db: Kysely<Database>, dialect: Dialect, messageId: string, at: number, deltas: CampaignDeltas, now: number): Promise<void> {
  const [message] = await selectMessages(db, dialect, 'id', [messageId]);
  if (!message) return;
  const effect = transition(message, { kind: 'receipt', status: 'delivered', at });
  if (Object.keys(effect.changes).length === 0) return;
  const wasSending = message.status === 'sending';
  Object.assign(message, effect.changes);
  await db
    .updateTable('messages')
    .set({
      status: message.status,
      sent_at: message.sent_at,
      delivered_at: message.delivered_at,
      error_category: message.error_category,
      error_code: message.error_code,
      error_detail: message.error_detail,
      updated_at: now,
      // A message still `sending` is no longer in flight; the send's answer, when it comes back,
      // only stores the provider's id (send-results.ts).
      ...(wasSending ? { lease_owner: null, lease_expires_at: null } : {}),
    })
    .where('id', '=', messageId)
    .execute();
  deltas.add(message.campaign_id, effect, at);
  if (message.kind !== 'campaign' || !message.profile_id) return;
  await recordMessageEvents(
    db,
    dialect,
    effect.reached.map((reached) => ({
      projectId: message.project_id,
      profileId: message.profile_id!,
      campaignId: message.campaign_id,
      messageId: message.id,
      name: PROFILE_EVENT[reached],
      at,
    })),
    now,
  );
}
