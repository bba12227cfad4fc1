import type { Kysely } from 'kysely';
import type { MigrationContext } from '../migrator.js';

/**
 * When each provider account last had an accepted delivery report and inbound message: the
 * dashboard shows them beside the callback URLs, and a campaign that keeps sending while no
 * report arrives is flagged (a callback URL missing at the provider is the usual reason its
 * Delivered and Viewed stay at 0). Written by the applier, at most every few seconds per account.
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema.alterTable('provider_accounts').addColumn('last_receipt_at', 'bigint').execute();
  await db.schema.alterTable('provider_accounts').addColumn('last_inbound_at', 'bigint').execute();
}
