import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from '../migrator.js';

/**
 * conversations_unread: the conversations with unread messages, newest activity first — a partial
 * index, so it holds only those. It serves the Inbox's unread count (one count over the unread
 * conversations of a project, not over all of them) and its "Unread only" list (a walk in
 * `updated_at` order that meets no read conversation). Inbound applying already rewrites the
 * conversation's `unread` and `updated_at`: the index adds one entry change to that write.
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await sql`create index conversations_unread on conversations (project_id, updated_at) where unread > 0`.execute(db);
}
