import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from '../migrator.js';

/**
 * Refused callbacks, shown per provider account (GET /api/v1/providers/:id/callbacks/rejected):
 * - callback_events.http_status: the status the handler answered (200, or the 4xx of a refused
 *   callback); null on rows stored before this migration (the API derives it for those);
 * - callback_events_rejected: the `invalid` rows of one account, newest first, without walking the
 *   account's accepted ones (the list and the per-account cap of the pruning read it).
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  const s = db.schema;
  await s.alterTable('callback_events').addColumn('http_status', 'integer').execute();
  await s.createIndex('callback_events_rejected').on('callback_events').columns(['provider_id', 'seq']).where(sql.ref('state'), '=', 'invalid').execute();
}
