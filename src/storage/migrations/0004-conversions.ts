import type { Kysely } from 'kysely';
import type { MigrationContext } from '../migrator.js';

/** messages.converted_at: when the recipient did the campaign's conversion goal event (once). */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema.alterTable('messages').addColumn('converted_at', 'bigint').execute();
}
