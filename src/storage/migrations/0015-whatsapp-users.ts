import type { Kysely } from 'kysely';
import type { MigrationContext } from '../migrator.js';

/**
 * whatsapp_users: the WhatsApp user ids (BSUIDs) seen with a number, per provider account. A user
 * who sets a WhatsApp username may write to the business under that id alone (Vonage v1.20 inbound
 * `from`, without `whatsapp.sender.wa_id`); the delivery reports of our messages to them pair the
 * id with their number (`whatsapp.recipient`), so their replies — an opt-out above all — still reach
 * their profile and conversation (src/webhooks/whatsapp-users.ts). The ids are scoped to the
 * business, hence to the provider account. `project_id` scopes reads; no foreign keys, as for the
 * other tables the applier writes (pending_receipts): its checks would lock the account row inside
 * the applier's transaction.
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema
    .createTable('whatsapp_users')
    .addColumn('provider_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('phone', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('whatsapp_users_pkey', ['provider_id', 'user_id'])
    .execute();
}
