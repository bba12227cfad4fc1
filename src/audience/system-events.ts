/**
 * The events wacast records on a profile about its messages (`Notification Sent`, `Delivered`,
 * `Viewed`, `Failed`), written in one statement per batch inside the caller's transaction.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../storage/db.js';
import type { Database } from '../storage/schema.js';
import { insertJsonRows, type JsonRowColumn } from '../storage/json-rows.js';
import { newId } from '../ids.js';
import { toJson } from '../storage/json.js';
import { eventNameKey } from './event-names.js';

export interface MessageEvent {
  projectId: string;
  profileId: string;
  campaignId: string | null;
  messageId: string;
  /** One of SYSTEM_EVENTS. */
  name: string;
  /** Epoch ms of what happened. */
  at: number;
  /** For failures: the category, and the provider's code when there is one. */
  error?: { category: string; code?: string | null | undefined } | undefined;
}

const COLUMNS: JsonRowColumn[] = [
  { name: 'id', type: 'text' }, { name: 'project_id', type: 'text' }, { name: 'profile_id', type: 'text' }, { name: 'name', type: 'text' },
  { name: 'name_key', type: 'text' }, { name: 'properties', type: 'json' }, { name: 'ts', type: 'bigint' }, { name: 'created_at', type: 'bigint' },
];

export async function recordMessageEvents(db: Kysely<Database>, dialect: Dialect, events: readonly MessageEvent[], now = Date.now()): Promise<void> {
  if (events.length === 0) return;
  await insertJsonRows(
    db,
    dialect,
    'events',
    COLUMNS,
    events.map((event) => ({
      id: newId(event.at),
      project_id: event.projectId,
      profile_id: event.profileId,
      name: event.name,
      name_key: eventNameKey(event.name),
      properties: toJson({
        campaign_id: event.campaignId,
        message_id: event.messageId,
        ...(event.error ? { error: event.error.category, ...(event.error.code ? { error_code: event.error.code } : {}) } : {}),
      }),
      ts: event.at,
      created_at: now,
    })),
  );
}
