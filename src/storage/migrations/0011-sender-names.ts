import type { Kysely } from 'kysely';
import type { MigrationContext } from '../migrator.js';

/**
 * conversations.sender_name: the WhatsApp profile name the sender set in their app (Gupshup `name`
 * / self-serve `sender.name`, Vonage `profile.name`), from their latest message that carried one.
 * The Inbox shows it next to the phone of senders without a profile. Conversations older than this
 * column get it with the sender's next message.
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema.alterTable('conversations').addColumn('sender_name', 'text').execute();
}
