import type { Kysely } from 'kysely';
import type { MigrationContext } from '../migrator.js';

/**
 * campaign_activity: who or what changed a campaign, one row per change (campaign-activity.ts),
 * written in the transaction of the change. The actor is a snapshot (`actor_type` user | api |
 * system, `actor_id` the user id or API account id as plain text, `actor_label` their email,
 * credential label or the system part), not a foreign key: users and credentials may be deleted,
 * their entries stay. Rows go with their campaign (a deleted draft), and so with its project.
 * `project_id` scopes every read but has no foreign key of its own: its check would take a share
 * lock on the project's row inside publish, which locks the campaign, account and template while
 * deleting an account locks the project first (PostgreSQL detected the deadlock).
 * Index (campaign_id, id): a campaign's entries newest first, page by page (ids are time-ordered).
 */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  const json = ctx.dialect === 'postgres' ? 'jsonb' : 'text';
  await db.schema
    .createTable('campaign_activity')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('campaign_id', 'text', (c) => c.notNull().references('campaigns.id').onDelete('cascade'))
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('actor_label', 'text', (c) => c.notNull())
    .addColumn('details', json)
    .execute();
  await db.schema.createIndex('campaign_activity_campaign').on('campaign_activity').columns(['campaign_id', 'id']).execute();
}
