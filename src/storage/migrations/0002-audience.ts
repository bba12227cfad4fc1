import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from '../migrator.js';

/**
 * Audience: indexes for keyset pagination, dashboard search and the profile page, and progress
 * columns on imports.
 *
 * No indexes on individual properties: segment filters may name any of up to 256 custom keys, and a
 * filtered pass over one project's profiles costs about a second per million on either engine
 * (docs/benchmarks.md), well inside the 10 s target; per-key expression indexes would slow every
 * import for keys nobody filters on.
 */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  const s = db.schema;

  // resolveAudience walks one project's profiles in id order (keyset pagination).
  await s.createIndex('profiles_project_id').on('profiles').columns(['project_id', 'id']).execute();

  // Dashboard search: prefix of identity, phone or (lower-cased) Name. Prefix ranges need byte-wise
  // ordering: SQLite's default; on PostgreSQL the "C" collation (see startsWith in ../dialect.ts).
  if (ctx.dialect === 'postgres') {
    await sql`create index profiles_name_search on profiles (project_id, (lower(properties ->> 'Name')) collate "C")`.execute(db);
    await sql`create index profiles_identity_search on profiles (project_id, identity collate "C")`.execute(db);
    await sql`create index profiles_phone_search on profiles (project_id, phone collate "C")`.execute(db);
  } else {
    // identity and phone: the existing (project_id, identity) and (project_id, phone) indexes serve.
    await sql`create index profiles_name_search on profiles (project_id, lower(json_extract(properties, '$.Name')))`.execute(db);
  }

  // Profile page: the messages a profile received, newest first.
  await s.createIndex('messages_profile').on('messages').columns(['profile_id', 'created_at']).execute();

  // Import progress (one ADD COLUMN per statement: SQLite allows no more).
  await s.alterTable('imports').addColumn('source', 'text', (c) => c.notNull().defaultTo('dashboard')).execute();
  await s.alterTable('imports').addColumn('size_bytes', 'bigint').execute();
  await s.alterTable('imports').addColumn('processed_bytes', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
  await s.alterTable('imports').addColumn('created_rows', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await s.alterTable('imports').addColumn('updated_rows', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await s.alterTable('imports').addColumn('unchanged_rows', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await s.alterTable('imports').addColumn('message', 'text').execute();
  await s.alterTable('imports').addColumn('updated_at', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
  await s.createIndex('imports_project').on('imports').columns(['project_id', 'id']).execute();
}
