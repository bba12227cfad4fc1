import type { Kysely } from 'kysely';
import type { MigrationContext } from '../migrator.js';

/**
 * WhatsApp's daily messaging limit (src/providers/messaging-limit.ts):
 * - provider_accounts.daily_recipient_limit: the tier the number is on, as its owner set it (250,
 *   1000, 10000 or 100000 unique users in a rolling 24 hours); null: unlimited or not set.
 * - campaigns.messaging_limit_warning: when a campaign was published with more recipients than its
 *   account had left, `{audience, limit, usedLast24h}` as they were then (JSON); null otherwise.
 *   A warning, never a refusal: the tier set may be out of date.
 * No index: the usage is read through the campaigns of the account and `messages_campaign_status`
 * (campaign_id, status, id), which sending already maintains.
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema.alterTable('provider_accounts').addColumn('daily_recipient_limit', 'integer').execute();
  await db.schema.alterTable('campaigns').addColumn('messaging_limit_warning', 'text').execute();
}
