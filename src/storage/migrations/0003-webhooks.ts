import type { Kysely } from 'kysely';
import type { MigrationContext } from '../migrator.js';

/**
 * Columns and indexes of the callback path (write-ahead log, applier, inbound, inbox):
 * - callback_events.retry_at: an event whose application threw waits until then (backoff);
 * - pending_receipts.error_category: the failure category parsed with the receipt (it cannot be
 *   derived later without the provider type); one row per (account, provider id, status), so a
 *   provider repeating a receipt for an unknown id does not grow the table;
 * - messages.replied_at: the first reply attributed to the message (the campaign's `replied`
 *   counter counts messages answered, not inbound messages);
 * - conversations.last_campaign_id / last_direction: what the Inbox list shows without a join
 *   over every message.
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  const s = db.schema;
  await s.alterTable('callback_events').addColumn('retry_at', 'bigint').execute();

  await s.alterTable('pending_receipts').addColumn('error_category', 'text').execute();
  await s.dropIndex('pending_receipts_message').execute();
  await s
    .createIndex('pending_receipts_unique')
    .on('pending_receipts')
    .columns(['provider_id', 'provider_message_id', 'status'])
    .unique()
    .execute();
  await s.createIndex('pending_receipts_created').on('pending_receipts').column('created_at').execute();

  await s.alterTable('messages').addColumn('replied_at', 'bigint').execute();

  await s.alterTable('conversations').addColumn('last_campaign_id', 'text').execute();
  await s.alterTable('conversations').addColumn('last_direction', 'text').execute();
}
