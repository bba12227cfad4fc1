import type { Kysely } from 'kysely';
import type { MigrationContext } from '../migrator.js';

/**
 * When a delivery report last said the provider throttled the account (a message failed because
 * the account sent faster than its provider allows, e.g. WhatsApp's 130429). Written by the
 * applier; the account's dispatcher, in whichever process sends for it, reads it and slows down,
 * as it does on a 429 answer to a send.
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema.alterTable('provider_accounts').addColumn('last_throttled_at', 'bigint').execute();
}
