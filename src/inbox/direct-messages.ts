/**
 * Messages outside campaigns — agent replies, auto-replies, keyword confirmations — are queued
 * rows (`campaign_id` null) that the dispatcher sends before campaign messages, by priority, with
 * the account's pacing. Queue one here, then signal `messages-queued` with the account id after
 * the transaction commits.
 */
import type { Kysely } from 'kysely';
import type { Database, MessageKind } from '../storage/schema.js';
import type { MessagePayload } from '../campaigns/message-payload.js';
import { newId } from '../ids.js';
import { toJson } from '../storage/json.js';

/** Dispatcher priorities of direct messages (campaigns are 5): agents first, then automatic replies. */
export const PRIORITY = { reply: 0, auto_reply: 1, keyword_reply: 1 } as const;

export interface DirectMessage {
  projectId: string;
  providerId: string;
  /** E.164 with `+`. */
  phone: string;
  profileId: string | null;
  kind: Extract<MessageKind, 'reply' | 'auto_reply' | 'keyword_reply'>;
  payload: MessagePayload;
}

/** Inserts one queued message; returns its id. */
export async function queueDirectMessage(db: Kysely<Database>, message: DirectMessage, now = Date.now()): Promise<string> {
  const id = newId(now);
  await db
    .insertInto('messages')
    .values({
      id,
      project_id: message.projectId,
      campaign_id: null,
      profile_id: message.profileId,
      provider_id: message.providerId,
      phone: message.phone,
      kind: message.kind,
      priority: PRIORITY[message.kind],
      status: 'queued',
      skip_reason: null,
      payload: toJson(message.payload),
      provider_message_id: null,
      error_category: null,
      error_code: null,
      error_detail: null,
      attempts: 0,
      available_at: now,
      lease_owner: null,
      lease_expires_at: null,
      created_at: now,
      updated_at: now,
      sent_at: null,
      delivered_at: null,
      read_at: null,
      failed_at: null,
    })
    .execute();
  return id;
}
