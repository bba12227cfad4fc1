import type { Kysely } from 'kysely';
import type { MigrationContext } from '../migrator.js';

/** campaigns.frequency_cap: `{messages, days}` — skip recipients who already had that many messages. */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  await db.schema.alterTable('campaigns').addColumn('frequency_cap', ctx.dialect === 'postgres' ? 'jsonb' : 'text').execute();
}
