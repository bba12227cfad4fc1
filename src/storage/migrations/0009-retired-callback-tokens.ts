import type { Kysely } from 'kysely';
import type { MigrationContext } from '../migrator.js';

/**
 * Callback tokens replaced by "Rotate callback URLs" (usually because they leaked). A new account
 * may adopt a token shown before its first save, so a retired token must never be adopted again:
 * a user of another project who knew it would receive the callbacks still sent to the old URL.
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema
    .createTable('retired_callback_tokens')
    .addColumn('token', 'text', (c) => c.primaryKey())
    .addColumn('provider_id', 'text', (c) => c.notNull())
    .addColumn('retired_at', 'bigint', (c) => c.notNull())
    .execute();
}
