import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from '../migrator.js';

/**
 * pending_receipts.phone: the recipient a receipt names, kept for receipts that carry none of our
 * references. Gupshup self-serve echoes no reference of ours, so a send whose answer never came
 * (`unknown`, no provider id) can only be found by its account and phone (unknown-by-phone.ts).
 * The partial index keeps that lookup to the few receipts that have a phone.
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema.alterTable('pending_receipts').addColumn('phone', 'text').execute();
  await db.schema
    .createIndex('pending_receipts_phone')
    .on('pending_receipts')
    .columns(['created_at'])
    .where(sql.ref('phone'), 'is not', null)
    .execute();
}
